// The online checklist and incident forms (class "checklist"): their questions
// follow the skip logic as the observer answers (static/skip.js).

import { followSkipLogic } from "./skip.js";

const form = document.querySelector("form.checklist");
if (form) { followSkipLogic(form); }
