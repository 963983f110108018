// Vecinos service worker: shows an alert pushed by the server (vecinos.delivery
// transports/webpush.py sends {"title", "body", "url", "tag"}) and opens its page
// when the notification is tapped. Served at /sw.js so its scope is the whole site.
"use strict";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener("push", function (event) {
  var data = {};
  if (event.data) {
    try { data = event.data.json(); } catch (error) { data = { body: event.data.text() }; }
  }
  var title = data.title || "Vecinos";
  var options = {
    body: data.body || "",
    tag: data.tag || undefined,
    renotify: Boolean(data.tag),
    requireInteraction: true,
    data: { url: data.url || "/" }
  };
  event.waitUntil(self.registration.showNotification(title, options));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var target = (event.notification.data && event.notification.data.url) || "/";
  // Only our own pages (or an https page the server chose) are opened.
  if (!/^https?:\/\//.test(target) && target.charAt(0) !== "/") { target = "/"; }
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true })
    .then(function (windows) {
      for (var i = 0; i < windows.length; i++) {
        if (windows[i].url === target && "focus" in windows[i]) { return windows[i].focus(); }
      }
      return self.clients.openWindow(target);
    }));
});
