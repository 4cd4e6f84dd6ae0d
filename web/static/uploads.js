// Checks the size of a chosen file at once: a file over the limit gets its message on the field and
// the form is not sent. The server refuses such a file the same way when JavaScript is off.
(function () {
  "use strict";
  function tooLarge(input) {
    var limit = Number(input.getAttribute("data-max-bytes"));
    return Array.prototype.some.call(input.files || [], function (file) { return file.size > limit; });
  }
  function check(input) {
    var field = input.closest(".field") || input.parentNode;
    var note = field.querySelector("[data-size-error]");
    if (!tooLarge(input)) {
      if (note) {
        note.remove();
        input.removeAttribute("aria-invalid");
        field.classList.remove("has-error");
      }
      return true;
    }
    if (!note) {
      note = document.createElement("p");
      note.className = "field-error";
      note.id = "size-err-" + input.name;
      note.setAttribute("data-size-error", "");
      note.setAttribute("role", "alert");
      input.insertAdjacentElement("afterend", note);
    }
    note.textContent = input.getAttribute("data-too-large");
    input.setAttribute("aria-invalid", "true");
    field.classList.add("has-error");
    return false;
  }
  document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
    input.addEventListener("change", function () { check(input); });
    if (input.form) {
      input.form.addEventListener("submit", function (event) {
        if (!check(input)) {
          event.preventDefault();
          input.focus();
        }
      });
    }
  });
}());
