/* Progressive enhancement for A to Z lists: a box that filters the list by name as you type.
   Without JavaScript the whole list shows, and the box stays hidden. The list's items carry their
   name in data-name; a letter's group is hidden when none of its items match. */
(function () {
  "use strict";

  function setUp(box) {
    var list = document.getElementById(box.getAttribute("data-filter-for"));
    var input = box.querySelector("input");
    var count = box.querySelector(".filter-count");
    if (!list || !input) {
      return;
    }
    var items = list.querySelectorAll("[data-name]");
    var groups = list.querySelectorAll(".letter-group");
    box.hidden = false;
    input.addEventListener("input", function () {
      var wanted = input.value.trim().toLowerCase();
      var shown = 0;
      Array.prototype.forEach.call(items, function (item) {
        var match = item.getAttribute("data-name").indexOf(wanted) !== -1;
        item.hidden = !match;
        if (match) {
          shown += 1;
        }
      });
      Array.prototype.forEach.call(groups, function (group) {
        group.hidden = group.querySelector("[data-name]:not([hidden])") === null;
      });
      count.textContent = wanted ? shown + (shown === 1 ? " match" : " matches") : "";
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-filter-for]"), setUp);
})();
