// The inspector's only script of its own: times in the viewer's zone, countdowns to a due
// time. Everything else is htmx (vendor/), configured through the page's meta tag.
(function () {
  "use strict";
  var dateTime = new Intl.DateTimeFormat(undefined, {
    year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit"
  });

  function inWords(ms) {
    var s = Math.round(Math.abs(ms) / 1000);
    var text = s < 60 ? s + " s" : s < 3600 ? Math.floor(s / 60) + " min " + (s % 60) + " s"
      : Math.floor(s / 3600) + " h " + Math.floor((s % 3600) / 60) + " min";
    return ms >= 0 ? "in " + text : text + " ago";
  }

  function render() {
    var now = Date.now();
    var times = document.querySelectorAll("time[data-time]");
    for (var i = 0; i < times.length; i++) {
      var el = times[i];
      var at = Date.parse(el.getAttribute("datetime"));
      if (isNaN(at)) { continue; }
      var local = dateTime.format(new Date(at));
      var text = el.getAttribute("data-time") === "countdown"
        ? local + " (" + inWords(at - now) + ")" : local;
      if (el.textContent !== text) { el.textContent = text; }
    }
  }

  // The live indicator: whether the page's event stream is connected (the "ready" event also
  // makes each live part reload itself, so nothing missed while it was away stays missing).
  function live(state) {
    document.body.setAttribute("data-live", state);
    var label = document.getElementById("live-state");
    if (label) { label.textContent = state === "open" ? "live updates on" : "live updates paused"; }
  }
  document.addEventListener("htmx:sseOpen", function () { live("open"); });
  document.addEventListener("htmx:sseError", function () { live("closed"); });

  document.addEventListener("DOMContentLoaded", render);
  document.addEventListener("htmx:afterSettle", render);
  window.setInterval(render, 1000);
})();
