// Body chart: clicking a region ticks the checkbox of its value (region and side) in the
// list below, and ticking in the list lights the region (the checkboxes are the real
// control, for keyboard and screen-reader users); Enter in a field never submits.
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

  // Enter in a field never submits: the assessment is saved only by its buttons. (Without
  // this script Enter keeps a draft, the form's first button.)
  form.addEventListener("keydown", function (event) {
    var field = event.target;
    if (event.key !== "Enter" || field.tagName !== "INPUT") { return; }
    if (field.type === "submit" || field.type === "button") { return; }
    event.preventDefault();
  });
  // The warning before leaving unsaved work is clinic.js's (data-unsaved-warning).
})();

// The reasoning panel in view: on tablets and phones its bar opens and closes the panel
// (assessments.css pins it, and the red flags under the patient banner); the CSS is told how
// tall the banner and the bar are, so that nothing pinned covers another.
(function () {
  "use strict";
  var aside = document.querySelector(".reasoning-aside");
  if (!aside) { return; }
  var bar = aside.querySelector(".reasoning-bar");
  var action = bar.querySelector(".reasoning-bar-action");
  var sheet = document.getElementById(bar.getAttribute("aria-controls"));
  var banner = document.querySelector(".patient-banner");
  var pinned = document.getElementById("red-flag-pinned");
  var root = document.documentElement;

  function setOpen(open) {
    bar.setAttribute("aria-expanded", open ? "true" : "false");
    action.textContent = open ? action.dataset.hide : action.dataset.show;
  }
  bar.addEventListener("click", function () {
    setOpen(bar.getAttribute("aria-expanded") !== "true");
  });
  aside.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && bar.getAttribute("aria-expanded") === "true") {
      setOpen(false);
      bar.focus();
    }
  });

  var pending = false;
  function measure() {
    pending = false;
    var bannerHeight = banner ? banner.offsetHeight : 0;
    root.style.setProperty("--assessment-banner-height", bannerHeight + "px");
    root.style.setProperty("--assessment-bar-height", bar.offsetHeight + "px");
    // What the pinned banner, red flag, bar and buttons cover once the page is scrolled: a
    // field reached with Tab or a section link comes clear of them (assessments.css).
    var covered = bannerHeight + (pinned ? pinned.offsetHeight : 0);
    root.style.setProperty("--assessment-covered-top", covered + "px");
    var actions = document.querySelector(".form-actions");
    var below = bar.offsetHeight + (actions ? actions.offsetHeight : 0);
    root.style.setProperty("--assessment-covered-bottom", below + "px");
  }
  function soon() {
    if (!pending) { pending = true; window.requestAnimationFrame(measure); }
  }
  window.addEventListener("resize", soon);
  if (window.ResizeObserver) {
    var observer = new ResizeObserver(soon);
    [bar, banner, pinned].forEach(function (element) { if (element) { observer.observe(element); } });
  }
  measure();

  // A red flag that has just appeared is shown from the top of the panel, however far
  // down the physio had scrolled it.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target.id !== "reasoning-panel") { return; }
    if (event.detail.target.querySelector(".red-flag-alert")) { sheet.scrollTop = 0; }
    soon();
  });
})();
