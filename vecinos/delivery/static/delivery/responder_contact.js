// The responder's contact page: "Show requests in this browser" (web push). It asks
// the browser for a push subscription and posts it with the page's own form, so the
// server sees an ordinary form post with its CSRF token. Without JavaScript or the Push
// API the section stays hidden and SMS or email still work.
(function () {
  "use strict";

  var slot = document.getElementById("push-slot");
  if (!slot || !("serviceWorker" in navigator) || !("PushManager" in window) ||
      !("Notification" in window)) {
    return;
  }
  var form = document.getElementById("push-form");
  var field = document.getElementById("push-subscription");
  var button = document.getElementById("push-subscribe");
  var statusLine = document.getElementById("push-status");
  slot.hidden = false;

  function say(text) { statusLine.textContent = text; }

  function keyBytes(base64url) {
    var padded = base64url + "=".repeat((4 - base64url.length % 4) % 4);
    var raw = atob(padded.replace(/-/g, "+").replace(/_/g, "/"));
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
    return bytes;
  }

  button.addEventListener("click", function () {
    say(slot.dataset.textWorking);
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") { throw new Error(slot.dataset.textDenied); }
      // The same service worker as alerts: it shows any push from this site.
      return navigator.serviceWorker.register(slot.dataset.serviceWorker, { scope: "/" });
    }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      return registration.pushManager.getSubscription().then(function (existing) {
        return existing || registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: keyBytes(slot.dataset.vapidKey)
        });
      });
    }).then(function (subscription) {
      field.value = JSON.stringify(subscription.toJSON());
      form.submit();
    }).catch(function (error) {
      say((error && error.message) || slot.dataset.textFailed);
    });
  });
})();
