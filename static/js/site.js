// Behaviour every page shares, kept out of the HTML so the Content-Security-Policy needs no inline script.
document.addEventListener("change", function (event) {
  var field = event.target;
  if (field.matches && field.matches("[data-submit-on-change]") && field.form) {
    field.form.submit();
  }
});
