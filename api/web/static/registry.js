// The pages work without scripts; this only adds the print button of the certificate page (no inline handlers, so
// that the Content-Security-Policy can forbid them).
document.addEventListener("click", function (event) {
  var target = event.target;
  if (target instanceof Element && target.closest("[data-print]")) {
    window.print();
  }
});
