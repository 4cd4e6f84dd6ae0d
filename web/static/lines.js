// Adds a blank row to a table of line items. Without JavaScript the form still offers blank rows.
(function () {
  "use strict";
  function renumber(row, name, index) {
    var pattern = new RegExp("^" + name + "-[0-9]+-");
    row.querySelectorAll("input, select, textarea").forEach(function (input) {
      input.name = input.name.replace(pattern, name + "-" + index + "-");
      input.id = "f-" + input.name;
      input.value = "";
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
      if (input.tagName === "SELECT") { input.selectedIndex = 0; }
    });
    row.querySelectorAll(".field-error").forEach(function (node) { node.remove(); });
    row.querySelectorAll(".has-error").forEach(function (node) { node.classList.remove("has-error"); });
    row.querySelectorAll(".rmb-upper").forEach(function (node) { node.textContent = ""; });  // rmb.js
    var number = row.querySelector("td.num");
    if (number) { number.textContent = String(index + 1); }
  }
  document.querySelectorAll("[data-add-row]").forEach(function (button) {
    var name = button.getAttribute("data-add-row");
    var table = document.querySelector('table[data-lines="' + name + '"] tbody');
    if (!table) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var rows = table.querySelectorAll("tr");
      var copy = rows[rows.length - 1].cloneNode(true);
      renumber(copy, name, rows.length);
      table.appendChild(copy);
      var first = copy.querySelector("input, select");
      if (first) { first.focus(); }
    });
  });
}());
