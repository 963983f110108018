// The subscribe page's progressive parts: "use my location" and web push.
// Without JavaScript the page still works with a ZIP code over SMS or email.
(function () {
  "use strict";

  var form = document.getElementById("subscribe-form");
  if (!form) { return; }
  var lat = form.querySelector("[name=lat]");
  var lng = form.querySelector("[name=lng]");
  var zip = form.querySelector("[name=zip_code]");
  var radius = form.querySelector("[name=radius_km]");
  var language = form.querySelector("[name=language]");

  // Use my location ---------------------------------------------------------------------
  var locateSlot = document.getElementById("locate-slot");
  if (locateSlot && navigator.geolocation && lat && lng) {
    var locateStatus = document.getElementById("locate-status");
    // The distance applies to a point only: it shows once the location is in use, and
    // typing a ZIP code again puts it away.
    var radiusSlot = document.getElementById("radius-slot");
    if (zip) {
      zip.addEventListener("input", function () {
        if (!zip.value.trim()) { return; }
        lat.value = "";
        lng.value = "";
        if (radiusSlot) { radiusSlot.hidden = true; }
        locateStatus.textContent = "";
      });
    }
    locateSlot.hidden = false;
    document.getElementById("locate").addEventListener("click", function () {
      locateStatus.textContent = locateSlot.dataset.textLocating;
      navigator.geolocation.getCurrentPosition(function (position) {
        // Three decimals (about 100 m) are plenty for an area of kilometres.
        lat.value = position.coords.latitude.toFixed(3);
        lng.value = position.coords.longitude.toFixed(3);
        if (zip) { zip.value = ""; }
        if (radiusSlot) { radiusSlot.hidden = false; }
        locateStatus.textContent = locateSlot.dataset.textLocated;
      }, function () {
        lat.value = "";
        lng.value = "";
        if (radiusSlot) { radiusSlot.hidden = true; }
        locateStatus.textContent = locateSlot.dataset.textFailed;
      }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 600000 });
    });
  }

  // Web push ----------------------------------------------------------------------------
  var slot = document.getElementById("push-slot");
  if (!slot || !window.VecinosPush || !window.VecinosPush.supported()) { return; }
  var statusLine = document.getElementById("push-status");
  var subscribeButton = document.getElementById("push-subscribe");
  var stopButton = document.getElementById("push-stop");
  slot.hidden = false;

  function say(text) { statusLine.textContent = text; }

  // Only our own words reach the person: the server's answer (already in their
  // language) or the page's texts; a browser's raw message (English, technical) never.
  function ours(message) {
    var error = new Error(message);
    error.ours = true;
    return error;
  }
  function sayError(error) {
    say(error && error.ours && error.message ? error.message : slot.dataset.textFailed);
  }

  function area() {
    if (lat && lng && lat.value && lng.value) {
      return { lat: Number(lat.value), lng: Number(lng.value),
               radius_km: Number((radius && radius.value) || 2) };
    }
    if (zip && /^\d{5}$/.test(zip.value.trim())) { return { zip: zip.value.trim() }; }
    return null;
  }

  function postJSON(url, body) {
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      credentials: "same-origin",
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) { throw ours(data.detail || slot.dataset.textFailed); }
        return data;
      });
    });
  }

  var registration = window.VecinosPush.registration(slot);

  registration.then(function (reg) {
    return reg.pushManager.getSubscription();
  }).then(function (existing) {
    stopButton.hidden = !existing;
  }).catch(function () { /* push stays available; errors show on click */ });

  subscribeButton.addEventListener("click", function () {
    var chosen = area();
    if (!chosen) { say(slot.dataset.textNeedArea); return; }
    say(slot.dataset.textWorking);
    window.VecinosPush.subscription(slot).catch(function (error) {
      // Permission refused: say so in the page's words; anything else is the browser's.
      throw error && error.denied ? ours(slot.dataset.textDenied) : error;
    }).then(function (subscription) {
      return postJSON(slot.dataset.api, {
        channel: "webpush",
        address: subscription.toJSON(),
        language: language ? language.value : "en",
        area: chosen
      });
    }).then(function () {
      stopButton.hidden = false;
      say(slot.dataset.textDone);
    }).catch(sayError);
  });

  stopButton.addEventListener("click", function () {
    registration.then(function (reg) {
      return reg.pushManager.getSubscription();
    }).then(function (subscription) {
      if (!subscription) { return null; }
      var endpoint = subscription.endpoint;
      return postJSON(slot.dataset.stopApi, { endpoint: endpoint }).then(function () {
        return subscription.unsubscribe();
      });
    }).then(function () {
      stopButton.hidden = true;
      say(slot.dataset.textStopped);
    }).catch(sayError);
  });
})();
