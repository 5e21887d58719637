// Progressive enhancement for survey forms (templates/surveys/_answer_form.html): a question with
// data-show-if="<key>" and data-show-if-values="a b" is shown only while the answer to question <key>
// includes one of those values. Hidden questions keep what was typed; the server ignores their answers
// on submit. Without this script every question shows, and the server's rules still decide.
(() => {
  "use strict";

  const chosenValues = (form, key, hidden) => {
    if (hidden.has(key)) {
      return new Set();
    }
    const values = new Set();
    form.querySelectorAll("input[name]").forEach((input) => {
      if (input.name === key && (input.type === "checkbox" || input.type === "radio") && input.checked) {
        values.add(input.value);
      }
    });
    return values;
  };

  const update = (form) => {
    // In document order: a question whose own condition hides it shows nothing that depends on it.
    const hidden = new Set();
    form.querySelectorAll(".survey-question").forEach((question) => {
      const key = question.dataset.showIf;
      if (!key) {
        return;
      }
      const wanted = (question.dataset.showIfValues || "").split(" ").filter(Boolean);
      const chosen = chosenValues(form, key, hidden);
      const show = wanted.some((value) => chosen.has(value));
      question.hidden = !show;
      if (!show) {
        hidden.add(question.id.replace(/^question-/, ""));
      }
    });
  };

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("form.survey-form").forEach((form) => {
      update(form);
      form.addEventListener("change", () => update(form));
    });
  });
})();
