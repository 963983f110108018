/* "Use my location" for the responder's availability form. The position is rounded
   to about 100 m: enough to suggest the nearest responder, no more. */
(function () {
  "use strict";
  var button = document.getElementById("use-location");
  var lat = document.getElementById("lat");
  var lng = document.getElementById("lng");
  var status = document.getElementById("location-status");
  if (!button || !lat || !lng || !navigator.geolocation) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    status.textContent = button.getAttribute("data-finding") || "…";
    navigator.geolocation.getCurrentPosition(function (position) {
      lat.value = position.coords.latitude.toFixed(3);
      lng.value = position.coords.longitude.toFixed(3);
      status.textContent = button.getAttribute("data-found") || "";
    }, function () {
      status.textContent = button.getAttribute("data-failed") || "";
    }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 60000 });
  });
})();
