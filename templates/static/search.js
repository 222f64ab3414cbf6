/* Search page: Pagefind's Component UI does the searching (pagefind/pagefind-component-ui.js, loaded
   just before this file). This file configures it before the search elements appear: the bundle, the
   site's base path, and the other shards' bundles to merge (a large site's index is split in shards,
   see sitegen/search.py). Then it carries a query over from a link such as search/?q=kinship. */
(function () {
  "use strict";
  var script = document.currentScript;
  var base = script.dataset.base;
  var merge = (script.dataset.merge || "").split(" ").filter(Boolean).map(function (bundle) {
    return { bundlePath: bundle, baseUrl: base };
  });
  window.PagefindComponents.configureInstance("default", {
    bundlePath: script.dataset.bundle,
    baseUrl: base,
    mergeIndex: merge
  });

  var query = new URLSearchParams(window.location.search).get("q");
  if (!query) { return; }
  var tries = 0;
  function fill() {
    var input = document.querySelector("pagefind-input input");
    if (!input) {
      tries += 1;
      if (tries < 50) { window.setTimeout(fill, 100); }
      return;
    }
    input.value = query;
    input.dispatchEvent(new Event("input", { bubbles: true }));
  }
  fill();
}());
