/* Progressive enhancement for tables of proposals: sort by any column, and filter the full table
   by government response and theme in place. Without JavaScript the table is complete and the
   static filter pages linked above it do the same job. */
(function () {
  "use strict";

  function cellKey(cell) {
    var key = cell.getAttribute("data-sort");
    return key !== null ? Number(key) : cell.textContent.trim().toLowerCase();
  }

  function makeSortable(table) {
    var headers = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(headers, function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(headers, function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellKey(a.cells[index]), y = cellKey(b.cells[index]);
          var order = x < y ? -1 : x > y ? 1 : 0;
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  }

  function option(select, value, label) {
    var item = document.createElement("option");
    item.value = value;
    item.textContent = label;
    select.appendChild(item);
  }

  function field(form, id, label) {
    var wrap = document.createElement("p");
    var text = document.createElement("label");
    var select = document.createElement("select");
    text.htmlFor = id;
    text.textContent = label;
    select.id = id;
    wrap.appendChild(text);
    wrap.appendChild(select);
    form.appendChild(wrap);
    return select;
  }

  function addFilters(table) {
    var form = document.createElement("form");
    form.className = "table-filter";
    form.setAttribute("aria-label", "Filter the table");
    var status = field(form, table.id + "-status", "Government response");
    var theme = field(form, table.id + "-theme", "Theme");
    option(status, "", "All responses");
    option(theme, "", "All themes");
    document.querySelectorAll(".filters a[data-status]").forEach(function (link) {
      option(status, link.getAttribute("data-status"), link.textContent.replace(/\s+/g, " ").trim());
    });
    document.querySelectorAll(".filters a[data-theme]").forEach(function (link) {
      option(theme, link.getAttribute("data-theme"), link.getAttribute("data-name"));
    });
    var count = document.createElement("p");
    count.className = "filter-count";
    count.setAttribute("role", "status");
    form.appendChild(count);
    form.addEventListener("submit", function (event) { event.preventDefault(); });

    function apply() {
      var rows = table.tBodies[0].rows, shown = 0;
      Array.prototype.forEach.call(rows, function (row) {
        var themes = (row.getAttribute("data-themes") || "").split(" ");
        var visible = (!status.value || row.getAttribute("data-status") === status.value) &&
          (!theme.value || themes.indexOf(theme.value) !== -1);
        row.hidden = !visible;
        if (visible) { shown += 1; }
      });
      count.textContent = "Showing " + shown + " of " + rows.length + " proposals.";
    }
    status.addEventListener("change", apply);
    theme.addEventListener("change", apply);
    table.parentNode.parentNode.insertBefore(form, table.parentNode);
    apply();
  }

  document.querySelectorAll("table.proposals").forEach(function (table) {
    makeSortable(table);
    if (table.hasAttribute("data-filterable")) { addFilters(table); }
  });
}());
