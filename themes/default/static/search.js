// /search/: Pagefind's UI over the index under pagefind/ (README: Search). Without
// JavaScript, or opened from disk (file://, where the index cannot be fetched), the
// page keeps its form, which says so and links to /claims/ and /sources/.
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  if (!form || typeof PagefindUI !== "function" || location.protocol === "file:") return;
  // The site's root, whatever path it is served under: records link below it.
  var root = new URL("../", location.href).pathname;
  var ui = new PagefindUI({
    element: "#search",
    bundlePath: root + "pagefind/",
    baseUrl: root,
    showImages: false,
    // No autofocus: a keyboard or screen-reader user starts at the top, skip link first.
    showSubResults: true
  });
  form.hidden = true;
  var q = new URLSearchParams(location.search).get("q");
  if (q) ui.triggerSearch(q);
})();
