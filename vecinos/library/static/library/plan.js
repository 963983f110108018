// The family plan: kept only in this browser. The fields are read, encrypted with a key
// derived from the passphrase (PBKDF2-SHA-256, 310,000 rounds, random salt) under
// AES-GCM (random 96-bit IV) and stored in localStorage. Nothing here makes a request.
"use strict";
(function () {
  var STORE = "vecinos-family-plan";
  var ROUNDS = 310000;
  var root = document.getElementById("plan");
  if (!root) { return; }
  var status = document.getElementById("plan-status");
  var passphrase = document.getElementById("plan-passphrase");
  var fields = root.querySelectorAll("[data-field]");
  var crypto = window.crypto && window.crypto.subtle;

  function say(key) { status.textContent = status.getAttribute("data-" + key) || ""; }
  function bytesToBase64(bytes) {
    var text = "";
    for (var i = 0; i < bytes.length; i++) { text += String.fromCharCode(bytes[i]); }
    return btoa(text);
  }
  function base64ToBytes(text) {
    var raw = atob(text), bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
    return bytes;
  }
  function deriveKey(secret, salt) {
    return crypto.importKey("raw", new TextEncoder().encode(secret), "PBKDF2", false, ["deriveKey"])
      .then(function (base) {
        return crypto.deriveKey(
          { name: "PBKDF2", salt: salt, iterations: ROUNDS, hash: "SHA-256" },
          base, { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
      });
  }
  function collect() {
    var plan = {};
    fields.forEach(function (field) { plan[field.getAttribute("data-field")] = field.value; });
    return plan;
  }
  function fill(plan) {
    fields.forEach(function (field) { field.value = plan[field.getAttribute("data-field")] || ""; });
  }
  function save() {
    if (passphrase.value.length < 8) { say("short"); return; }
    var salt = window.crypto.getRandomValues(new Uint8Array(16));
    var iv = window.crypto.getRandomValues(new Uint8Array(12));
    var clear = new TextEncoder().encode(JSON.stringify(collect()));
    deriveKey(passphrase.value, salt).then(function (key) {
      return crypto.encrypt({ name: "AES-GCM", iv: iv }, key, clear);
    }).then(function (sealed) {
      localStorage.setItem(STORE, JSON.stringify({
        v: 1, kdf: "PBKDF2-SHA-256", rounds: ROUNDS,
        salt: bytesToBase64(salt), iv: bytesToBase64(iv),
        data: bytesToBase64(new Uint8Array(sealed))
      }));
      say("saved");
    });
  }
  function open() {
    var stored = localStorage.getItem(STORE);
    if (!stored) { say("none"); return; }
    var box = JSON.parse(stored);
    deriveKey(passphrase.value, base64ToBytes(box.salt)).then(function (key) {
      return crypto.decrypt({ name: "AES-GCM", iv: base64ToBytes(box.iv) }, key, base64ToBytes(box.data));
    }).then(function (clear) {
      fill(JSON.parse(new TextDecoder().decode(clear)));
      say("opened");
    }, function () { say("wrong"); });
  }
  function erase() {
    localStorage.removeItem(STORE);
    fill({});
    say("erased");
  }
  document.getElementById("plan-print").addEventListener("click", function () { window.print(); });
  document.getElementById("plan-print").hidden = false;
  document.querySelectorAll(".no-script").forEach(function (el) { el.hidden = true; });
  if (!crypto || !window.localStorage) { say("unsupported"); return; }
  document.getElementById("plan-save").addEventListener("click", save);
  document.getElementById("plan-open").addEventListener("click", open);
  document.getElementById("plan-erase").addEventListener("click", erase);
  ["plan-save", "plan-open", "plan-erase"].forEach(function (id) { document.getElementById(id).hidden = false; });
  if (localStorage.getItem(STORE)) { say("opened"); status.textContent = ""; }
})();
