/* Suggestions for the "pick a known place" field of an incident's page: as the
   dispatcher types, the server's known places (console/places) fill the field's
   datalist. Without JavaScript the form still works: the server resolves the text. */
(function () {
  "use strict";
  var field = document.getElementById("place-query");
  var list = document.getElementById("place-list");
  if (!field || !list || !window.fetch) { return; }
  var url = field.getAttribute("data-suggest");
  var timer = null;
  var last = "";

  function fill(places) {
    list.replaceChildren();
    places.forEach(function (place) {
      var option = document.createElement("option");
      option.value = place.label;
      list.appendChild(option);
    });
  }

  function suggest() {
    var query = field.value.trim();
    if (query === last) { return; }
    last = query;
    if (query.length < 2) { fill([]); return; }
    fetch(url + "?" + new URLSearchParams({ q: query }), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : { places: [] }; })
      .then(function (data) { if (field.value.trim() === query) { fill(data.places || []); } })
      .catch(function () { /* no suggestions; the form still works */ });
  }

  field.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(suggest, 200);
  });
})();
