// Web push in the browser, shared by the subscribe page (alerts/push.js) and the
// responder's contact page (delivery/responder_contact.js). A page's push section is an
// element with data-service-worker, data-vapid-key and data-text-denied; it stays hidden
// unless the browser has the Push API. VecinosPush.subscription(slot) asks permission,
// registers the site's service worker and resolves to the browser's push subscription.
(function () {
  "use strict";

  function supported() {
    return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  }

  function keyBytes(base64url) {
    var padded = base64url + "=".repeat((4 - base64url.length % 4) % 4);
    var raw = atob(padded.replace(/-/g, "+").replace(/_/g, "/"));
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
    return bytes;
  }

  function registration(slot) {
    // One service worker for the site: it shows any push from it.
    return navigator.serviceWorker.register(slot.dataset.serviceWorker, { scope: "/" })
      .then(function () { return navigator.serviceWorker.ready; });
  }

  function subscription(slot) {
    return Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") {
        var denied = new Error(slot.dataset.textDenied);
        denied.denied = true;
        throw denied;
      }
      return registration(slot);
    }).then(function (reg) {
      return reg.pushManager.getSubscription().then(function (existing) {
        return existing || reg.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: keyBytes(slot.dataset.vapidKey)
        });
      });
    });
  }

  window.VecinosPush = { supported: supported, registration: registration, subscription: subscription };
})();
