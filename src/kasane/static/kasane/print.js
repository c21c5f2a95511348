// The "Print" button of the A4 sheets. A static file, not an onclick attribute: the
// Content-Security-Policy runs no inline script.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("button[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
});
