// An exercise chosen from the clinic's library (the name box's datalist) fills in the
// instructions and usual dosage of its row: only the boxes the physio has not changed,
// so nothing typed for this patient is overwritten.
(function () {
  "use strict";

  function untouched(box) {
    if (box.tagName === "SELECT") {
      const initial = [...box.options].find((option) => option.defaultSelected);
      return box.value === (initial ? initial.value : box.options[0].value);
    }
    return box.value === box.defaultValue || box.value === "";
  }

  function fill(input) {
    const list = document.getElementById(input.getAttribute("list"));
    const option = list && [...list.options].find((each) => each.value === input.value);
    if (!option) return;
    const row = input.name.replace(/name$/, "");
    const fills = JSON.parse(option.dataset.fills);
    for (const [code, value] of Object.entries(fills)) {
      const box = input.form.elements[row + code];
      if (box && untouched(box)) box.value = value ?? "";
    }
  }

  document.addEventListener("change", (event) => {
    if (event.target.matches("input[list=exercise-library]")) fill(event.target);
  });
})();
