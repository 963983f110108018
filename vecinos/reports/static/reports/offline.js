/* A report written without signal is not lost. With JavaScript, when the phone is
   offline the form keeps the report (photo included) in the browser's IndexedDB
   and says so; when the connection returns it sends it, with the report's own
   idempotency key, so a report sent twice is stored once. The service worker
   (/sw.js with reports/offline_sw.js) keeps a copy of this page for opening it
   offline. Without JavaScript nothing changes: the form posts as usual. */
(function () {
  "use strict";
  var form = document.querySelector("form.report-form");
  var status = document.getElementById("report-queue-status");
  if (!form || !status || !window.indexedDB || !window.FormData || !window.fetch) { return; }
  var keyField = form.querySelector("input[name=idempotency_key]");
  var texts = status.dataset;
  var STORE = "reports";

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  // A page opened from the kept copy carries the key of the time it was kept: each
  // page view gets its own, so two reports written offline are two reports.
  if (keyField) { keyField.value = newKey(); }

  function say(text, kind) {
    status.textContent = text;
    status.className = "notice" + (kind ? " " + kind : "");
    status.hidden = false;
  }

  function open() {
    return new Promise(function (resolve, reject) {
      var request = window.indexedDB.open("vecinos-reports", 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "key" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function run(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var result = work(tx.objectStore(STORE));
        tx.oncomplete = function () { resolve(result && result.result); };
        tx.onerror = function () { reject(tx.error); };
      });
    });
  }

  function keep(data) {
    var entries = [];
    data.forEach(function (value, name) {
      // An empty file input is not a photo.
      if (value instanceof window.File && !value.size) { return; }
      entries.push([name, value]);
    });
    var key = data.get("idempotency_key") || newKey();
    return run("readwrite", function (store) { return store.put({ key: key, entries: entries }); });
  }

  var sending = false;
  function flush() {
    if (sending || !navigator.onLine) { return; }
    sending = true;
    run("readonly", function (store) { return store.getAll(); }).then(function (items) {
      return items.reduce(function (chain, item) {
        return chain.then(function () { return send(item); });
      }, Promise.resolve());
    }).catch(function () { /* tried again when the signal returns */ })
      .then(function () { sending = false; });
  }

  function send(item) {
    var body = new FormData();
    item.entries.forEach(function (entry) { body.append(entry[0], entry[1]); });
    return fetch(form.action, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) {
        if (response.ok && response.url.indexOf("/report/thanks") !== -1) {
          say(texts.sent, "ok");
          return run("readwrite", function (store) { return store.delete(item.key); });
        }
        if (response.status === 400 || response.status === 413) {
          say(texts.refused, "error");
          return run("readwrite", function (store) { return store.delete(item.key); });
        }
        say(texts.waiting);  // busy or rate-limited: kept for the next try
        return undefined;
      });
  }

  form.addEventListener("submit", function (event) {
    if (navigator.onLine) { return; }
    event.preventDefault();
    keep(new FormData(form)).then(function () {
      say(texts.waiting);
      form.reset();
      if (keyField) { keyField.value = newKey(); }
      status.focus();
    }).catch(function () { say(texts.failed, "error"); });
  });
  window.addEventListener("online", flush);
  window.addEventListener("offline", function () { say(texts.offline); });
  run("readonly", function (store) { return store.count(); }).then(function (count) {
    if (count) { say(texts.waiting); flush(); }
  }).catch(function () {});

  if ("serviceWorker" in navigator && form.dataset.serviceWorker) {
    navigator.serviceWorker.register(form.dataset.serviceWorker, { scope: "/" })
      .then(function () { return navigator.serviceWorker.ready; })
      .then(function (registration) {
        var urls = [window.location.pathname];
        document.querySelectorAll("link[rel=stylesheet][href], script[src]").forEach(function (el) {
          urls.push(el.getAttribute("href") || el.getAttribute("src"));
        });
        if (registration.active) {
          registration.active.postMessage({ type: "vecinos-cache-report", urls: urls });
        }
      })
      .catch(function () { /* the form works without it */ });
  }
})();
