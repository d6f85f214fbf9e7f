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
  // saved (the visit's SOAP note above its interventions). The assessment form has its
  // own, which knows its autosave.
  var forms = document.querySelectorAll("form[data-unsaved-warning]:not(#assessment-form)");
  forms.forEach(function (form) {
    var dirty = false;
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("change", function () { dirty = true; });
    form.addEventListener("submit", function () { dirty = false; });
    window.addEventListener("beforeunload", function (event) {
      if (dirty) { event.preventDefault(); event.returnValue = form.dataset.unsavedWarning; }
    });
  });
})();
