// Working diagnosis: marking a source as the main one ticks it; unticking the main source
// clears the mark. The server checks the same (exactly one main among the ticked).
(function () {
  "use strict";
  document.querySelectorAll(".diagnosis-choices").forEach(function (choices) {
    if (choices.dataset.wired) { return; }
    choices.dataset.wired = "1";
    choices.addEventListener("change", function (event) {
      var input = event.target;
      var row = input.closest(".diagnosis-choice");
      if (!row) { return; }
      var box = row.querySelector('input[name="source"]');
      var main = row.querySelector('input[name="main"]');
      if (input === main && main.checked) { box.checked = true; }
      if (input === box && !box.checked) { main.checked = false; }
    });
  });
})();
