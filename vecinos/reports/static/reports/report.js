/* The map picker of the report form: tap the map or "use my location" to fill the
   hidden lat/lng fields. Without this script (or without Leaflet) the form still
   works with the place text alone. Texts come from data-* attributes, translated
   by the template. */
(function () {
  "use strict";
  var slot = document.getElementById("report-map-slot");
  var latField = document.getElementById("id_lat");
  var lngField = document.getElementById("id_lng");
  if (!slot || !latField || !lngField || !window.L) {
    return;
  }
  var data = slot.dataset;
  var status = document.getElementById("report-map-status");
  var locate = document.getElementById("report-locate");
  var clear = document.getElementById("report-clear");
  slot.hidden = false;

  var map = window.L.map("report-map").setView(
    [parseFloat(data.centerLat), parseFloat(data.centerLng)],
    parseInt(data.zoom, 10)
  );
  // Tiles only from the site or the operator's server; with none, a plain ground.
  if (data.tileUrl) {
    window.L.tileLayer(data.tileUrl, { maxZoom: 18, attribution: data.attribution }).addTo(map);
  } else {
    document.getElementById("report-map").classList.add("no-tiles");
  }
  var marker = null;

  function say(text) {
    status.textContent = text || "";
  }

  function mark(lat, lng, zoom) {
    latField.value = lat.toFixed(6);
    lngField.value = lng.toFixed(6);
    if (marker) {
      marker.setLatLng([lat, lng]);
    } else {
      marker = window.L.circleMarker([lat, lng], { radius: 10, weight: 3 }).addTo(map);
    }
    if (zoom) {
      map.setView([lat, lng], zoom);
    }
    clear.hidden = false;
  }

  map.on("click", function (event) {
    mark(event.latlng.lat, event.latlng.lng);
    say(data.textPicked);
  });

  clear.addEventListener("click", function () {
    latField.value = "";
    lngField.value = "";
    if (marker) {
      map.removeLayer(marker);
      marker = null;
    }
    clear.hidden = true;
    say(data.textCleared);
  });

  if (!("geolocation" in navigator)) {
    locate.hidden = true;
  }
  locate.addEventListener("click", function () {
    say(data.textLocating);
    navigator.geolocation.getCurrentPosition(
      function (position) {
        mark(position.coords.latitude, position.coords.longitude, 16);
        say(data.textLocated);
      },
      function () {
        say(data.textFailed);
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
    );
  });

  // Back from the server with an error: show the point that was already chosen.
  var lat = parseFloat(latField.value);
  var lng = parseFloat(lngField.value);
  if (isFinite(lat) && isFinite(lng)) {
    mark(lat, lng, 15);
  } else {
    clear.hidden = true;
  }
})();
