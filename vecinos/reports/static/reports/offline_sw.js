// The report form without signal: the site's service worker (/sw.js) loads this part
// with importScripts. It keeps a copy of the report page and its files, refreshed
// each time the page is seen online, and answers from that copy when the network is
// gone, so the form opens in a basement. Queuing and sending the report itself is
// done by the page (reports/offline.js) with the report's idempotency key.
"use strict";

var REPORT_CACHE = "vecinos-report-v1";

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type !== "vecinos-cache-report" || !Array.isArray(data.urls)) { return; }
  var own = data.urls.filter(function (url) {
    return new URL(url, self.location.origin).origin === self.location.origin;
  });
  event.waitUntil(caches.open(REPORT_CACHE).then(function (cache) {
    return Promise.all(own.map(function (url) {
      return fetch(url, { credentials: "same-origin" }).then(function (response) {
        if (response.ok) { return cache.put(url, response); }
        return undefined;
      }).catch(function () { /* keep the copy we had */ });
    }));
  }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  var isPage = url.pathname === "/report";
  if (!isPage && url.pathname.indexOf("/static/") !== 0) { return; }
  // Network first: a fresh page when there is signal, the kept copy when not.
  event.respondWith(fetch(request).catch(function (error) {
    return caches.open(REPORT_CACHE).then(function (cache) {
      return cache.match(isPage ? "/report" : request, { ignoreSearch: isPage });
    }).then(function (kept) {
      if (kept) { return kept; }
      throw error;
    });
  }));
});
