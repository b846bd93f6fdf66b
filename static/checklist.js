// The online checklist and incident forms (class "checklist"): their questions
// follow the skip logic, and exclusive choices untick the others, as the
// observer answers (static/skip.js).

import { followExclusiveChoices, followSkipLogic } from "./skip.js";

const form = document.querySelector("form.checklist");
if (form) {
  followSkipLogic(form);
  followExclusiveChoices(form);
}
