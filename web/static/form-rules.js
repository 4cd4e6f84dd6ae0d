// Form conventions in the browser: the live total under summed line items (x-sum-of).
// The server checks the same rules; without JavaScript the page still works.
(function () {
  "use strict";
  var NOISE = /[,，\s¥￥]/g;
  var AMOUNT = /^(0|[1-9][0-9]{0,15})(\.[0-9]{1,2})?$/;

  // Amounts are added as whole fen (strings split, never floats), so 0.10 + 0.20 is 0.30.
  function fen(text) {
    var clean = (text || "").replace(NOISE, "");
    if (!AMOUNT.test(clean)) { return null; }
    var parts = clean.split(".");
    return Number(parts[0]) * 100 + Number(((parts[1] || "") + "00").slice(0, 2));
  }

  function money(total) {
    var yuan = String(Math.floor(total / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return "¥" + yuan + "." + String(total % 100).padStart(2, "0");
  }

  function watchTotal(output) {
    var lines = output.getAttribute("data-sum-of");
    var field = output.getAttribute("data-sum-field");
    var table = document.querySelector('table[data-lines="' + lines + '"]');
    if (!table) { return; }
    var pattern = new RegExp("^" + lines + "-[0-9]+-" + field + "$");
    function update() {
      var total = 0;
      table.querySelectorAll("input").forEach(function (input) {
        var amount = pattern.test(input.name) ? fen(input.value) : null;
        if (amount !== null) { total += amount; }
      });
      output.textContent = money(total);
    }
    table.addEventListener("input", update);
    table.addEventListener("change", update);
    update();
  }

  document.querySelectorAll("output[data-sum-of]").forEach(watchTotal);
}());

// Fields that apply to some choices only (x-when): hidden and disabled (so not sent) otherwise.
(function () {
  "use strict";
  function chosen(form, name) {
    var checked = form.querySelector('input[type="radio"][name="' + name + '"]:checked');
    if (checked) { return checked.value; }
    var select = form.querySelector('select[name="' + name + '"]');
    return select ? select.value : "";
  }

  function watchChoice(field) {
    var form = field.closest("form");
    var when = JSON.parse(field.getAttribute("data-when"));
    function update() {
      var applies = Object.keys(when).every(function (name) {
        return when[name].indexOf(chosen(form, name)) !== -1;
      });
      field.hidden = !applies;
      field.querySelectorAll("input, select, textarea").forEach(function (input) {
        input.disabled = !applies;
      });
    }
    form.addEventListener("change", update);
    update();
  }

  document.querySelectorAll("[data-when]").forEach(watchChoice);
}());
