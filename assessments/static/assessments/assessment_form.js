// Body chart: clicking a region ticks the checkbox of its value (region and side) in the
// list below, and ticking in the list lights the region (the checkboxes are the real
// control, for keyboard and screen-reader users); and a warning before leaving unsaved work.
(function () {
  "use strict";
  var form = document.getElementById("assessment-form");
  if (!form) { return; }

  form.querySelectorAll(".body-chart-block").forEach(function (chart) {
    var shapes = chart.querySelectorAll(".body-chart-svg .region");
    function box(value) {
      return chart.querySelector('input[type="checkbox"][value="' + value + '"]');
    }
    function paint() {
      shapes.forEach(function (shape) {
        var ticked = box(shape.dataset.value);
        shape.classList.toggle("selected", Boolean(ticked && ticked.checked));
      });
    }
    shapes.forEach(function (shape) {
      shape.addEventListener("click", function () {
        var ticked = box(shape.dataset.value);
        if (!ticked) { return; }
        ticked.checked = !ticked.checked;
        ticked.dispatchEvent(new Event("change", { bubbles: true }));
      });
    });
    chart.addEventListener("change", paint);
    paint();
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
