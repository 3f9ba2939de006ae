// claimgraph: light up every span of the item named by the URL's #fragment.
// Served from this server only (CSP script-src 'self'); touches no article text.
(function () {
  "use strict";

  function clear() {
    document.querySelectorAll(".current").forEach(function (el) {
      el.classList.remove("current");
      el.removeAttribute("aria-current");
    });
  }

  function highlight() {
    clear();
    var name = decodeURIComponent(window.location.hash.slice(1));
    if (!/^(hit|(claim|source|event|place)-\d+)$/.test(name)) {
      return;
    }
    var hits = document.querySelectorAll('mark[data-items~="' + name + '"]');
    hits.forEach(function (el) { el.classList.add("current"); });
    if (hits.length) {
      hits[0].setAttribute("aria-current", "location");
    }
    var row = document.getElementById("row-" + name);
    if (row) {
      row.classList.add("current");
    }
    var target = document.getElementById(name);
    if (target) {
      target.focus({ preventScroll: true });
    }
  }

  window.addEventListener("hashchange", highlight);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", highlight);
  } else {
    highlight();
  }
})();
