// Amounts in Chinese capitals (人民币大写): the same rules as documents/rmb.py, which documents them.
// rmbUpper("1680.32") returns "壹仟陆佰捌拾元零叁角贰分" and throws an Error on input that is not
// plain ASCII digits with an optional point and one or two decimals, up to 9999999999999999.99.
// In a page, every <input data-money> gets a sibling <span class="rmb-upper"> kept up to date
// (after its .money-input wrapper if it has one).
(function (root) {
  "use strict";
  var DIGITS = "零壹贰叁肆伍陆柒捌玖";
  var PLACES = ["", "拾", "佰", "仟"];
  var GROUP_WORDS = { 4: "万", 8: "亿", 12: "万" };
  var PLAIN = /^[0-9]+(\.[0-9]{1,2})?$/;
  var MAX_INTEGER_DIGITS = 16;
  var MAX_LENGTH = 64;

  function groupWritten(integer, place) {
    var top = integer.length - 1;
    var high = place === 8 ? top : Math.min(place + 3, top);
    for (var p = place; p <= high; p += 1) {
      if (integer.charAt(top - p) !== "0") { return true; }
    }
    return false;
  }

  function integerWords(integer) {
    var words = "";
    var pendingZero = false;
    var top = integer.length - 1;
    for (var index = 0; index < integer.length; index += 1) {
      var place = top - index;
      var digit = integer.charCodeAt(index) - 48;
      if (digit) {
        words += (pendingZero ? "零" : "") + DIGITS.charAt(digit) + PLACES[place % 4];
      }
      pendingZero = !digit;
      if (GROUP_WORDS[place] && groupWritten(integer, place)) {
        words += GROUP_WORDS[place];
        pendingZero = false;
      }
    }
    return words;
  }

  function rmbUpper(amount) {
    if (typeof amount !== "string") { throw new Error("amount must be a string of digits"); }
    if (!amount) { throw new Error("amount is empty"); }
    if (amount.length > MAX_LENGTH) { throw new Error("amount is longer than " + MAX_LENGTH + " characters"); }
    if (!PLAIN.test(amount)) {
      throw new Error("amount is not plain digits with an optional point and at most two decimals");
    }
    var parts = amount.split(".");
    var integer = parts[0].replace(/^0+/, "");
    var decimals = ((parts[1] || "") + "00").slice(0, 2);
    if (integer.length > MAX_INTEGER_DIGITS) { throw new Error("amount is larger than 9,999,999,999,999,999.99"); }
    var jiao = decimals.charCodeAt(0) - 48;
    var fen = decimals.charCodeAt(1) - 48;
    if (!integer && !jiao && !fen) { return "零元整"; }
    var words = integer ? integerWords(integer) + "元" : "";
    if (!jiao && !fen) { return words + "整"; }
    if (jiao) { words += (integer && integer.charAt(integer.length - 1) === "0" ? "零" : "") + DIGITS.charAt(jiao) + "角"; }
    if (fen) { words += (words && !jiao ? "零" : "") + DIGITS.charAt(fen) + "分"; }
    return words;
  }

  function show(input) {
    // Beside the input, or beside its "¥" wrapper (.money-input) when the form macro drew one.
    var anchor = input.closest(".money-input") || input;
    var span = anchor.nextElementSibling;
    if (!span || !span.classList.contains("rmb-upper")) {
      span = input.ownerDocument.createElement("span");
      span.className = "rmb-upper";
      span.setAttribute("aria-live", "polite");
      anchor.insertAdjacentElement("afterend", span);
    }
    var value = input.value.trim();
    try {
      span.textContent = value ? rmbUpper(value) : "";
      span.classList.remove("rmb-invalid");
    } catch (error) {
      span.textContent = "";
      span.classList.add("rmb-invalid");
    }
  }

  var api = { rmbUpper: rmbUpper };
  if (typeof module === "object" && module.exports) {
    module.exports = api;
  } else {
    root.YikatongRmb = api;
  }
  if (typeof document !== "undefined") {
    document.querySelectorAll("input[data-money]").forEach(show);
    // One listener for the whole page, so that rows added later (lines.js) show capitals too.
    document.addEventListener("input", function (event) {
      var target = event.target;
      if (target && target.matches && target.matches("input[data-money]")) { show(target); }
    });
  }
})(this);
