// Every page: nothing pinned hides what a link jumps to, and typed work is not left
// behind without a warning.
(function () {
  "use strict";
  // The patient banner stays pinned at the top: a jump to a section of the page (the
  // visit's steps) lands below it, however tall the banner is (it wraps on a tablet, a
  // marker makes it taller). clinic.css reads --banner-height.
  var banner = document.querySelector(".patient-banner");
  if (banner) {
    var measure = function () {
      document.documentElement.style.setProperty("--banner-height", banner.offsetHeight + "px");
    };
    measure();
    window.addEventListener("resize", measure);
  }

  // A form marked data-unsaved-warning asks before the page is left with changes not
  // saved (the visit's SOAP note, the assessment). An htmx request that carries the form
  // (hx-include, the assessment's autosave) and succeeds has kept what was typed.
  document.querySelectorAll("form[data-unsaved-warning]").forEach(function (form) {
    var dirty = false;
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("change", function () { dirty = true; });
    form.addEventListener("submit", function () { dirty = false; });
    document.body.addEventListener("htmx:afterRequest", function (event) {
      var carried = event.detail.elt.getAttribute("hx-include");
      if (form.id && carried === "#" + form.id && event.detail.successful) { dirty = false; }
    });
    window.addEventListener("beforeunload", function (event) {
      if (dirty) { event.preventDefault(); event.returnValue = form.dataset.unsavedWarning; }
    });
  });
})();
