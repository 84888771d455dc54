// The sidebar's unread count stays current without a reload: every badge that names a source
// (data-badge-src) asks it every 15 seconds with the ETag it last got; an unchanged count
// answers 304 and costs one indexed count on the server. Paused while the tab is hidden.
(function () {
  "use strict";
  var INTERVAL = 15000;

  function poll(badge) {
    var src = badge.getAttribute("data-badge-src");
    var etag = null;
    var timer = null;

    function show(count) {
      badge.textContent = count > 99 ? "99+" : String(count);
      badge.classList.toggle("is-zero", count === 0);
    }

    function tick() {
      timer = null;
      if (document.hidden) { return; }
      var headers = { "Accept": "application/json" };
      if (etag) { headers["If-None-Match"] = etag; }
      fetch(src, { headers: headers, credentials: "same-origin", cache: "no-store" })
        .then(function (response) {
          if (response.status === 200) {
            etag = response.headers.get("ETag");
            return response.json().then(function (body) {
              if (typeof body.unread === "number") { show(body.unread); }
            });
          }
          return null;
        })
        .catch(function () { /* offline: try again next round */ })
        .then(schedule);
    }

    function schedule() {
      if (timer === null && !document.hidden) { timer = window.setTimeout(tick, INTERVAL); }
    }

    document.addEventListener("visibilitychange", function () {
      if (!document.hidden && timer === null) { tick(); }
    });
    schedule();
  }

  function start() {
    var badges = document.querySelectorAll("[data-badge-src]");
    for (var i = 0; i < badges.length; i++) { poll(badges[i]); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
