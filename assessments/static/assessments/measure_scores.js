// Live scores of the outcome measures as the physio enters them: the arithmetic of
// assessments/measures.py (its LiveScore names), read from each measure block's data-*
// attributes, so the thresholds and bands have one source. The saved score is the
// server's; this only shows it early.
(function () {
  "use strict";
  var form = document.getElementById("assessment-form");
  if (!form) { return; }

  function answered(block) {
    var values = [];
    block.querySelectorAll("input.measure-answer:checked, input.measure-input").forEach(function (input) {
      if (input.value.trim() === "") { return; }
      var number = Number(input.value);
      if (Number.isInteger(number)) { values.push(number); }
    });
    return values;
  }

  function band(bands, score) {
    for (var i = 0; i < bands.length; i += 1) {
      if (score <= bands[i][0]) { return bands[i][1]; }
    }
    return "";
  }

  function describe(block) {
    var data = block.dataset;
    var values = answered(block);
    var items = Number(data.items);
    var needed = Number(data.minAnswered);
    var total = values.reduce(function (sum, value) { return sum + value; }, 0);
    var count = values.length + " of " + items + " answered";
    if (values.length < needed) {
      var running = values.length ? "; running total " + total : "";
      return data.title + ": " + count + running + " (" + needed + " needed for a score)";
    }
    var score;
    var text;
    if (data.liveScore === "percent_of_maximum") {
      // Fairbank: a missing section lowers the denominator (16 over 9 sections is 35.6%).
      score = Math.round(total / (Number(data.itemMax) * values.length) * 1000) / 10;
      text = score + " " + data.unit;
    } else if (data.liveScore === "sum") {
      score = total;
      text = total + " of " + items * Number(data.itemMax);
    } else {
      score = Math.round(total / values.length * 100) / 100;
      text = score + " (mean)";
    }
    var bands = JSON.parse(data.bands || "[]");
    var named = bands.length ? " · " + band(bands, score) : "";
    return data.title + " " + text + named + " · " + count;
  }

  function update(block) {
    var output = block.querySelector(".measure-live");
    if (output) { output.textContent = describe(block); }
  }

  var blocks = form.querySelectorAll(".measure[data-live-score]");
  blocks.forEach(function (block) {
    block.addEventListener("change", function () { update(block); });
    block.addEventListener("input", function () { update(block); });
    update(block);
  });

  // The paper form at hand: typing an answer's number picks it and moves on to the next
  // question, so a questionnaire goes in as a run of digits (arrow keys still work).
  var rows = Array.prototype.slice.call(form.querySelectorAll(".scale-row"));
  rows.forEach(function (row, index) {
    row.addEventListener("keydown", function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey || !/^[0-9]$/.test(event.key)) { return; }
      var radio = row.querySelector('input[type="radio"][value="' + event.key + '"]');
      if (!radio) { return; }
      event.preventDefault();
      radio.checked = true;
      radio.dispatchEvent(new Event("change", { bubbles: true }));
      var next = rows[index + 1];
      if (next) {
        var target = next.querySelector('input[type="radio"]:checked') || next.querySelector('input[type="radio"]');
        if (target) { target.focus(); }
      }
    });
  });
})();
