/* The area picker of the committee form: a map of the committee's cells; a tap adds
   the cell under it to the cells field, or takes it out again (the server answers
   which cell and its outline: data.cellUrl, views.area_cell), or, when chosen, puts
   the centre of a point-and-radius area there (the lat/lng fields), and the radius
   field draws its circle. Without this script (or Leaflet) the ZIP codes, the
   numbers and the typed cell list do the same. Tiles only when the site serves them
   (data-tile-url is empty otherwise): a tile request tells a server where one looks. */
(function () {
  "use strict";
  var slot = document.getElementById("area-map-slot");
  var source = document.getElementById("area-map-data");
  var latField = document.getElementById("id_lat");
  var lngField = document.getElementById("id_lng");
  var radiusField = document.getElementById("id_radius_km");
  if (!slot || !source || !latField || !lngField || !radiusField || !window.L) {
    return;
  }
  var data = JSON.parse(source.textContent);
  slot.hidden = false;
  var map = window.L.map("area-map").setView(data.center, data.zoom);
  if (data.tileUrl) {
    window.L.tileLayer(data.tileUrl, { maxZoom: 18, attribution: data.attribution }).addTo(map);
  }
  var cells = data.cells.map(function (boundary) {
    return window.L.polygon(boundary, { weight: 1, fillOpacity: 0.25 });
  });
  if (cells.length) {
    var group = window.L.featureGroup(cells).addTo(map);
    map.fitBounds(group.getBounds());
  }
  var circle = null;

  function draw() {
    var lat = parseFloat(latField.value);
    var lng = parseFloat(lngField.value);
    var radius = parseFloat(radiusField.value);
    if (isNaN(lat) || isNaN(lng) || isNaN(radius)) {
      return;
    }
    if (circle) {
      circle.setLatLng([lat, lng]).setRadius(radius * 1000);
    } else {
      circle = window.L.circle([lat, lng], { radius: radius * 1000, weight: 2 }).addTo(map);
    }
  }

  var cellsField = document.getElementById("id_cells");
  var cellTap = document.getElementById("area-map-tap-cell");
  var drawn = {};

  function listed() {
    return cellsField.value
      .split(/[\s,;]+/)
      .filter(function (cell) {
        return cell;
      })
      .map(function (cell) {
        return cell.toLowerCase();
      });
  }

  function toggle(answer) {
    var cells = listed();
    var at = cells.indexOf(answer.cell);
    if (at >= 0) {
      cells = cells.filter(function (cell) {
        return cell !== answer.cell;
      });
      if (drawn[answer.cell]) {
        map.removeLayer(drawn[answer.cell]);
        delete drawn[answer.cell];
      }
    } else {
      cells.push(answer.cell);
      drawn[answer.cell] = window.L.polygon(answer.boundary, {
        weight: 2,
        color: "#b45309",
        fillOpacity: 0.35,
        className: "area-map-drawn",
      }).addTo(map);
    }
    cellsField.value = cells.join("\n");
  }

  function tapCell(latlng) {
    var url =
      data.cellUrl +
      "?lat=" + encodeURIComponent(latlng.lat.toFixed(6)) +
      "&lng=" + encodeURIComponent(latlng.lng.toFixed(6));
    window
      .fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (answer) {
        if (answer && answer.cell) {
          toggle(answer);
        }
      });
  }

  map.on("click", function (event) {
    if (cellsField && cellTap && cellTap.checked && data.cellUrl && window.fetch) {
      tapCell(event.latlng);
      return;
    }
    latField.value = event.latlng.lat.toFixed(5);
    lngField.value = event.latlng.lng.toFixed(5);
    if (!radiusField.value) {
      radiusField.value = "1";
    }
    draw();
  });
  radiusField.addEventListener("input", draw);
  draw();
})();
