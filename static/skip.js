// Skip logic, for the online forms (static/checklist.js) and the offline ones
// (static/offline/forms.js): a question's box (div.field with
// data-relevant="QUESTION=VALUE") is shown only while QUESTION's ticked answer
// is VALUE. The server decides for real (it drops answers to questions not
// asked); this only spares the observer questions that do not apply. The same
// goes for exclusive choices (followExclusiveChoices), which the server refuses
// in combination with others.

/** Hide the questions whose condition is not met, show the others. */
export function applySkipLogic(form) {
  for (const field of form.querySelectorAll(".field[data-relevant]")) {
    const [question, wanted] = field.getAttribute("data-relevant").split("=");
    const checked = form.querySelector(`input[name="${CSS.escape(question)}"]:checked`);
    field.hidden = (checked ? checked.value : "") !== wanted;
  }
}

/** Apply the skip logic now and again after every change of an answer. */
export function followSkipLogic(form) {
  applySkipLogic(form);
  form.addEventListener("change", () => applySkipLogic(form));
}

/**
 * Choices marked exclusive in the definition (data-exclusive, e.g. "None" among
 * the observer groups) are never ticked together with the other choices of
 * their question: ticking one unticks the rest. The server refuses the mix too.
 */
export function followExclusiveChoices(form) {
  form.addEventListener("change", (event) => {
    const box = event.target;
    if (!(box instanceof HTMLInputElement) || box.type !== "checkbox" || !box.checked) { return; }
    const group = form.querySelectorAll(`input[type="checkbox"][name="${CSS.escape(box.name)}"]`);
    const exclusive = box.hasAttribute("data-exclusive");
    for (const other of group) {
      if (other !== box && (exclusive || other.hasAttribute("data-exclusive"))) {
        other.checked = false;
      }
    }
  });
}
