// The interpreter's view of a checklist: each question, section and answer also
// in a second language (the server renders them, hidden: span.second[lang]),
// shown when the observer picks that language, so the interpreter reads the
// question to the commission chair exactly as worded. The choice belongs to this
// phone (localStorage) and is kept for the next checklist; it is never sent.

const KEY = "eom-second-language";

function remembered() {
  try { return localStorage.getItem(KEY) || ""; } catch (error) { return ""; }
}

function remember(code) {
  try { localStorage.setItem(KEY, code); } catch (error) { /* private mode: this page only */ }
}

const select = document.querySelector("select[data-second-language]");
const form = select && document.getElementById(select.getAttribute("data-second-language"));
if (form) {
  const show = (code) => {
    if (code) { form.dataset.second = code; } else { delete form.dataset.second; }
  };
  const saved = remembered();
  if (!select.value && [...select.options].some((option) => option.value === saved)) {
    select.value = saved;
  }
  show(select.value);
  select.addEventListener("change", () => {
    show(select.value);
    remember(select.value);
  });
}
