/* The dispatcher console, live: an EventSource on the console stream says which
   incident changed; every element with data-live-src (the queue, an incident's state
   and timeline) is fetched again and swapped in. Without JavaScript the pages work
   as they are and a reload shows the news. */
(function () {
  "use strict";
  var live = document.querySelectorAll("[data-live-src]");
  if (!live.length || !window.EventSource) { return; }
  var streamUrl = live[0].getAttribute("data-stream");
  if (!streamUrl) { return; }
  var status = document.getElementById("live-status");
  var pending = {};

  function say(key) {
    if (status && status.getAttribute("data-" + key)) {
      status.textContent = status.getAttribute("data-" + key);
    }
  }

  function refresh(id) {
    var el = document.getElementById(id);
    if (!el) { return; }
    fetch(el.getAttribute("data-live-src"), {
      credentials: "same-origin",
      headers: { "HX-Request": "true" }
    })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        var current = document.getElementById(id);
        if (!html || !current) { return; }
        var template = document.createElement("template");
        template.innerHTML = html.trim();
        var fresh = template.content.firstElementChild;
        if (!fresh || fresh.id !== id) { return; }
        var focused = document.activeElement;
        var focusedHref = focused && current.contains(focused) ? focused.getAttribute("href") : null;
        current.replaceWith(fresh);
        if (window.htmx) { window.htmx.process(fresh); }
        if (focusedHref) {
          var again = fresh.querySelector('[href="' + focusedHref.replace(/"/g, "") + '"]');
          if (again) { again.focus(); }
        }
      })
      .catch(function () { /* the next event or a reload catches up */ });
  }

  function schedule(incident) {
    document.querySelectorAll("[data-live-src]").forEach(function (el) {
      var only = el.getAttribute("data-live-incident");
      if (incident && only && only !== incident) { return; }
      if (pending[el.id]) { return; }
      pending[el.id] = window.setTimeout(function () {
        delete pending[el.id];
        refresh(el.id);
      }, 250);
    });
  }

  var opened = false;
  var wait = 2000;
  function connect() {
    var source = new window.EventSource(streamUrl);
    source.addEventListener("open", function () {
      say("live");
      wait = 2000;
      if (opened) { schedule(null); }  // reconnected: catch up on what was missed
      opened = true;
    });
    source.addEventListener("error", function () {
      say("offline");
      // The browser retries a dropped stream by itself, but gives up for good on an
      // answer other than the stream (a busy or restarting server): try again later,
      // waiting longer each time, at a random point so that the consoles spread out.
      if (source.readyState === window.EventSource.CLOSED) {
        window.setTimeout(connect, wait / 2 + Math.random() * wait);
        wait = Math.min(wait * 2, 60000);
      }
    });
    source.addEventListener("incident", function (message) {
      var event;
      try { event = JSON.parse(message.data); } catch (error) { return; }
      schedule(event.incident);
    });
  }
  connect();
})();
