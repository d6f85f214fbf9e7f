// Body chart: clicking a region ticks the matching checkbox (the checkboxes are the real
// control, for keyboard and screen-reader users); and a warning before leaving unsaved work.
(function () {
  "use strict";
  var form = document.getElementById("assessment-form");
  if (!form) { return; }

  function boxes(region) {
    return form.querySelectorAll('input[type="checkbox"][name="pain_regions"][value="' + region + '"]');
  }
  function paint() {
    form.querySelectorAll(".body-chart-svg .region").forEach(function (shape) {
      var box = boxes(shape.dataset.region)[0];
      shape.classList.toggle("selected", Boolean(box && box.checked));
    });
  }
  form.querySelectorAll(".body-chart-svg .region").forEach(function (shape) {
    shape.addEventListener("click", function () {
      var box = boxes(shape.dataset.region)[0];
      if (!box) { return; }
      box.checked = !box.checked;
      box.dispatchEvent(new Event("change", { bubbles: true }));
    });
  });
  form.addEventListener("change", paint);
  paint();

  // Enter in a field never submits: the assessment is saved only by its buttons. (Without
  // this script Enter keeps a draft, the form's first button.)
  form.addEventListener("keydown", function (event) {
    var field = event.target;
    if (event.key !== "Enter" || field.tagName !== "INPUT") { return; }
    if (field.type === "submit" || field.type === "button") { return; }
    event.preventDefault();
  });

  var dirty = false;
  form.addEventListener("input", function () { dirty = true; });
  form.addEventListener("change", function () { dirty = true; });
  form.addEventListener("submit", function () { dirty = false; });
  // The autosave keeps the draft; what it kept is no longer unsaved work.
  document.body.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.elt.id === "autosave-status" && event.detail.successful) { dirty = false; }
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) { event.preventDefault(); event.returnValue = form.dataset.unsavedWarning; }
  });
})();
