// The library's offline cache, served at /rights/sw.js with scope /rights/ (apart from
// the site's push worker at /sw.js, whose scope is the whole site and which this one
// does not replace). Pages and red cards of the library, and the static files they
// use, are answered from the network when there is one (and kept), from the cache when
// there is not. The family plan page is kept empty: its content never leaves the
// browser's own storage.
"use strict";
var CACHE = "vecinos-library-v1";

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll(["./"]).catch(function () {});
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("vecinos-library-") === 0 && name !== CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function cacheable(request, url) {
  if (request.method !== "GET" || url.origin !== self.location.origin) { return false; }
  if (url.pathname.indexOf("/rights/edit/") === 0) { return false; }
  return url.pathname.indexOf("/rights/") === 0 || url.pathname.indexOf("/static/") === 0;
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (!cacheable(request, url)) { return; }
  event.respondWith(fetch(request).then(function (response) {
    if (response.ok && response.type === "basic") {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(request, { ignoreVary: true }).then(function (hit) {
      return hit || Response.error();
    });
  }));
});
