/* Sorting and filtering of the evaluations table. No network, no libraries. */
(function () {
  "use strict";
  var table = document.getElementById("evaluations");
  if (!table) { return; }
  var body = table.tBodies[0];
  var buttons = table.querySelectorAll("thead th button");
  function key(row, index) {
    var cell = row.cells[index];
    var value = cell.getAttribute("data-sort");
    if (value === null) { value = cell.textContent.trim().toLowerCase(); }
    var number = Number(value);
    return value !== "" && !isNaN(number) ? number : value;
  }
  function sortBy(index, th) {
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a, index), y = key(b, index);
      if (x === y) { return 0; }
      var order = (typeof x === "number" && typeof y === "number") ? x - y : String(x).localeCompare(String(y));
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    table.querySelectorAll("thead th").forEach(function (other) { other.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }
  buttons.forEach(function (button) {
    var th = button.parentNode;
    var index = Array.prototype.indexOf.call(th.parentNode.children, th);
    button.addEventListener("click", function () { sortBy(index, th); });
  });
  var search = document.getElementById("filter-text");
  var template = document.getElementById("filter-template");
  var status = document.getElementById("filter-count");
  function filter() {
    var words = (search.value || "").trim().toLowerCase();
    var chosen = template.value;
    var shown = 0;
    Array.prototype.forEach.call(body.rows, function (row) {
      var ok = (!words || row.textContent.toLowerCase().indexOf(words) !== -1) &&
               (!chosen || row.getAttribute("data-template") === chosen);
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    status.textContent = shown + " of " + body.rows.length + " evaluations shown";
  }
  if (search && template && status) {
    search.addEventListener("input", filter);
    template.addEventListener("change", filter);
    filter();
  }
}());
