/* Maps for the console's incident page and the public map: Leaflet (shipped by
   django-leaflet), tiles from the configured server, data from data-* attributes or
   the public GeoJSON. The page works without it: this only adds the map. */
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || !window.L) { return; }
  el.hidden = false;
  var data = el.dataset;
  var map = window.L.map(el, { scrollWheelZoom: false })
    .setView([parseFloat(data.lat), parseFloat(data.lng)], parseInt(data.zoom || "12", 10));
  // Tiles only from the site or the operator's server; with none, the cells and
  // points are drawn on a plain ground.
  if (data.tiles) {
    window.L.tileLayer(data.tiles, { maxZoom: 18, attribution: data.attribution || "" }).addTo(map);
  } else {
    el.classList.add("no-tiles");
  }

  // Placing an incident that has no point: a tap on the map fills the form's field.
  if (data.pick) {
    var field = document.getElementById(data.pick);
    var marker = null;
    map.on("click", function (event) {
      var lat = event.latlng.lat.toFixed(5), lng = event.latlng.lng.toFixed(5);
      if (field) { field.value = lat + ", " + lng; }
      if (marker) { marker.setLatLng(event.latlng); } else { marker = window.L.marker(event.latlng).addTo(map); }
    });
  }

  var points = data.points ? JSON.parse(data.points) : [];
  points.forEach(function (point) {
    window.L.circleMarker(point, { radius: 7, weight: 2 }).addTo(map);
  });

  function popup(properties) {
    var box = document.createElement("div");
    var title = document.createElement("strong");
    title.textContent = properties.kind_label || properties.kind || "";
    box.appendChild(title);
    if (properties.public_label) {
      box.appendChild(document.createElement("br"));
      box.appendChild(document.createTextNode(properties.public_label));
    }
    return box;
  }

  if (data.geojson) {
    fetch(data.geojson, { headers: { Accept: "application/geo+json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (collection) {
        if (!collection) { return; }
        var layer = window.L.geoJSON(collection, {
          style: { color: "#8a1c00", weight: 2, fillOpacity: 0.25 },
          onEachFeature: function (feature, shape) { shape.bindPopup(popup(feature.properties || {})); }
        }).addTo(map);
        if (layer.getLayers().length) { map.fitBounds(layer.getBounds(), { maxZoom: 14 }); }
      })
      .catch(function () { /* the list below the map says the same */ });
  }
})();
