/* Leaflet's own words in the page's language: the zoom buttons' titles and the credit
   line's link, from data-* attributes translated by core/leaflet.html. Runs after
   leaflet.js and before any map is made, so every map gets them. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.L) { return; }
  var data = script.dataset;
  window.L.Control.Zoom.prototype.options.zoomInTitle = data.zoomIn;
  window.L.Control.Zoom.prototype.options.zoomOutTitle = data.zoomOut;
  // The credit's link without the library's flag image, its title translated.
  var link = document.createElement("a");
  link.href = "https://leafletjs.com";
  link.title = data.creditTitle;
  link.textContent = "Leaflet";
  window.L.Control.Attribution.prototype.options.prefix = link.outerHTML;
}());
