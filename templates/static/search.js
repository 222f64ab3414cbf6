/* Search page: Pagefind's Component UI does the searching (loaded as a module from pagefind/).
   This file only carries a query over from a link or form such as search/?q=kinship into the box. */
(function () {
  "use strict";
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
