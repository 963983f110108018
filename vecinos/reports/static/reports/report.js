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

/* The photo is shrunk in the browser before it is sent: a phone's full-size picture
   (often 5-12 MB) becomes a JPEG of at most 2048 px (the size the server keeps), so it
   goes through a weak signal quickly. Drawing it on a canvas also drops its hidden data
   (location, camera). If the browser cannot, the original is sent and the server
   shrinks it (vecinos/reports/photos.py). */
(function () {
  "use strict";
  var MAX_SIDE = 2048;
  var QUALITY = 0.85;
  var input = document.getElementById("id_photo");
  if (!input || !window.DataTransfer || !window.HTMLCanvasElement) { return; }
  var form = input.form;

  function decode(file) {
    if (window.createImageBitmap) {
      return window.createImageBitmap(file, { imageOrientation: "from-image" });
    }
    return new Promise(function (resolve, reject) {
      var image = new Image();
      var url = URL.createObjectURL(file);
      image.onload = function () { URL.revokeObjectURL(url); resolve(image); };
      image.onerror = function () { URL.revokeObjectURL(url); reject(new Error("decode")); };
      image.src = url;
    });
  }

  function shrink(file) {
    return decode(file).then(function (picture) {
      var width = picture.width;
      var height = picture.height;
      var scale = Math.min(1, MAX_SIDE / Math.max(width, height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(width * scale));
      canvas.height = Math.max(1, Math.round(height * scale));
      var context = canvas.getContext("2d");
      context.fillStyle = "#fff";  // a PNG's transparent parts become white, not black
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(picture, 0, 0, canvas.width, canvas.height);
      if (picture.close) { picture.close(); }
      return new Promise(function (resolve, reject) {
        canvas.toBlob(function (blob) {
          if (blob) { resolve(blob); } else { reject(new Error("encode")); }
        }, "image/jpeg", QUALITY);
      });
    });
  }

  function buttons(disabled) {
    if (!form) { return; }
    form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (button) {
      button.disabled = disabled;
    });
  }

  input.addEventListener("change", function () {
    var file = input.files && input.files[0];
    if (!file || !/^image\/(jpeg|png|webp)$/.test(file.type)) { return; }
    buttons(true);
    shrink(file).then(function (blob) {
      if (blob.size >= file.size) { return; }  // already small: keep it as it is
      var name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
      var transfer = new DataTransfer();
      transfer.items.add(new File([blob], name, { type: "image/jpeg" }));
      input.files = transfer.files;
    }).catch(function () { /* the original goes; the server shrinks it */ })
      .then(function () { buttons(false); });
  });
})();
