// The responder's contact page: "Show requests in this browser" (web push). It asks
// the browser for a push subscription and posts it with the page's own form, so the
// server sees an ordinary form post with its CSRF token. Without JavaScript or the Push
// API the section stays hidden and SMS or email still work.
(function () {
  "use strict";

  var slot = document.getElementById("push-slot");
  if (!slot || !window.VecinosPush || !window.VecinosPush.supported()) { return; }
  var form = document.getElementById("push-form");
  var field = document.getElementById("push-subscription");
  var button = document.getElementById("push-subscribe");
  var statusLine = document.getElementById("push-status");
  slot.hidden = false;

  function say(text) { statusLine.textContent = text; }

  button.addEventListener("click", function () {
    say(slot.dataset.textWorking);
    window.VecinosPush.subscription(slot).then(function (subscription) {
      field.value = JSON.stringify(subscription.toJSON());
      form.submit();
    }).catch(function (error) {
      // The page's own words, never the browser's raw (English, technical) message.
      say(error && error.denied ? slot.dataset.textDenied : slot.dataset.textFailed);
    });
  });
})();
