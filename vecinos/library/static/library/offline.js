// Registers the library's offline cache (/rights/sw.js, scope /rights/). Pages work
// without it; with it, a page and a red card once read open again without a network.
"use strict";
(function () {
  var me = document.currentScript;
  if (!me || !("serviceWorker" in navigator)) { return; }
  navigator.serviceWorker.register(me.getAttribute("data-worker"), { scope: me.getAttribute("data-scope") })
    .catch(function () { /* offline reading is a bonus, never a requirement */ });
})();
