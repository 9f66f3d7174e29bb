// The receipt's "Print" button: kept in a file, since the Content-Security-Policy allows no inline script.
document.addEventListener("click", function (event) {
  if (event.target.closest && event.target.closest("[data-print]")) {
    window.print();
  }
});
