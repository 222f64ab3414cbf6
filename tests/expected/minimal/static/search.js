/* Search page: searches with Pagefind's JavaScript API (pagefind/pagefind.js) and shows the results,
   which the reader can narrow to one type of page.

   The box (#search in search/index.html) carries the bundle, the site's base path and the other
   shards' bundles to merge (a large site's index is split in shards, see sitegen/search.py). The
   types in its <select> come from the site: each item page gives Pagefind its kind as the `type`
   meta (templates/item.html). Not a Pagefind filter, whose files Pagefind 1.5 writes in a different
   order on every run: the site's output is byte-identical from build to build.

   A result's type is in its data (one small fragment per page), so results are loaded in rank order
   and those of another type skipped until a page of results is shown: the first page is never empty
   while matches lie further down, and "Load more results" shows only when one more is known. A
   query can come from the address, as in search/?q=kinship (the 404 page's form), with &type=. */
(function () {
  "use strict";
  var PAGE = 10;   // results shown at first and added by each "Load more results"
  var BATCH = 10;  // results whose data is fetched at once

  var box = document.getElementById("search");
  if (!box || !window.fetch) { return; }
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-input");
  var typeSelect = document.getElementById("search-type");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var more = document.getElementById("search-more");
  var base = box.dataset.base;
  var merge = (box.dataset.merge || "").split(" ").filter(Boolean);

  var pagefind = null;
  var dataOf = new Map();  // result id -> promise of its data, kept while the page is open
  var run = {token: 0, query: "", results: [], next: 0, pending: [], shown: 0, filling: false};

  box.hidden = false;

  var ready = import(box.dataset.bundle + "pagefind.js").then(function (module) {
    pagefind = module;
    return pagefind.options({baseUrl: base});
  }).then(function () {
    return Promise.all(merge.map(function (bundle) {
      return pagefind.mergeIndex(bundle, {baseUrl: base});
    }));
  });

  function plural(count, one, many) {
    return count + " " + (count === 1 ? one : many);
  }

  function quoted(text) {
    return "\u201c" + text + "\u201d";
  }

  function chosenType() {
    return typeSelect.value;
  }

  function load(result) {
    if (!dataOf.has(result.id)) { dataOf.set(result.id, result.data()); }
    return dataOf.get(result.id);
  }

  function wanted(data) {
    var type = chosenType();
    return !type || (data.meta && data.meta.type === type);
  }

  /* Pagefind's excerpt is HTML with the matched words in <mark>: keep its text and marks, nothing else. */
  function excerptInto(element, html) {
    var parsed = new DOMParser().parseFromString(html || "", "text/html").body;
    Array.prototype.forEach.call(parsed.childNodes, function (node) {
      if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        element.appendChild(mark);
      } else {
        element.appendChild(document.createTextNode(node.textContent));
      }
    });
  }

  function item(data) {
    var li = document.createElement("li");
    li.className = "search-result";
    var title = document.createElement("p");
    title.className = "search-result-title";
    var link = document.createElement("a");
    link.href = data.url;
    link.textContent = (data.meta && data.meta.title) || data.url;
    title.appendChild(link);
    li.appendChild(title);
    if (data.excerpt) {
      var excerpt = document.createElement("p");
      excerpt.className = "search-result-excerpt";
      excerptInto(excerpt, data.excerpt);
      li.appendChild(excerpt);
    }
    return li;
  }

  function say() {
    var total = run.results.length;
    var type = chosenType();
    var of = plural(total, "result", "results") + " for " + quoted(run.query);
    if (!total) {
      status.textContent = "No results for " + quoted(run.query) + ".";
    } else if (!type) {
      status.textContent = of + (run.shown < total ? ", showing " + run.shown : "") + ".";
    } else if (run.next >= total && !run.pending.length) {
      status.textContent = run.shown + " of the " + of + (run.shown === 1 ? " is" : " are") + " of type " +
        quoted(type) + ".";
    } else {
      status.textContent = "Showing " + run.shown + " of type " + quoted(type) + " from the " + of + ".";
    }
  }

  /* Show up to PAGE more results of the chosen type, then look ahead until one more is known (or
     none is left), so that "Load more results" never leads nowhere. */
  async function fill(token, focusFirst) {
    var added = [];
    run.filling = true;
    list.setAttribute("aria-busy", "true");
    for (;;) {
      if (added.length < PAGE && run.pending.length) {
        added.push(run.pending.shift());
        continue;
      }
      if (run.next >= run.results.length || (added.length >= PAGE && run.pending.length)) { break; }
      var batch = run.results.slice(run.next, run.next + BATCH);
      run.next += batch.length;
      var found = await Promise.all(batch.map(load));
      if (token !== run.token) { return; }
      found.forEach(function (data) { if (wanted(data)) { run.pending.push(data); } });
    }
    added.forEach(function (data) { list.appendChild(item(data)); });
    run.shown += added.length;
    run.filling = false;
    list.setAttribute("aria-busy", "false");
    more.hidden = !run.pending.length;
    say();
    if (focusFirst && added.length) {
      list.children[run.shown - added.length].querySelector("a").focus();
    }
  }

  function restart(token) {
    run.next = 0;
    run.pending = [];
    run.shown = 0;
    run.filling = false;
    list.textContent = "";
    more.hidden = true;
    if (!run.query) {
      status.textContent = "";
      list.setAttribute("aria-busy", "false");
      return Promise.resolve();
    }
    return fill(token, false);
  }

  async function search(immediately) {
    var token = ++run.token;
    list.setAttribute("aria-busy", "true");
    var query = input.value.trim();
    await ready;
    if (token !== run.token) { return; }
    var found = query ? await (immediately ? pagefind.search(query) : pagefind.debouncedSearch(query)) : null;
    if (token !== run.token || (query && !found)) { return; }  // a later search replaced this one
    run.query = query;
    run.results = found ? found.results : [];
    await restart(token);
  }

  function failed(error) {
    run.filling = false;
    list.setAttribute("aria-busy", "false");
    status.textContent = "Search could not load. Every page is listed in the A\u2013Z index.";
    if (window.console) { window.console.error(error); }
  }

  input.addEventListener("input", function () { search(false).catch(failed); });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    search(true).catch(failed);
  });
  typeSelect.addEventListener("change", function () {
    var token = ++run.token;
    list.setAttribute("aria-busy", "true");
    ready.then(function () { return restart(token); }).catch(failed);
  });
  more.addEventListener("click", function () {
    if (run.filling) { return; }  // a second click while the first one's results load
    fill(run.token, true).catch(failed);
  });

  var address = new URLSearchParams(window.location.search);
  var type = address.get("type");
  if (type && Array.prototype.some.call(typeSelect.options, function (option) { return option.value === type; })) {
    typeSelect.value = type;
  }
  if (address.get("q")) {
    input.value = address.get("q");
    search(true).catch(failed);
  }
  ready.catch(failed);
}());
