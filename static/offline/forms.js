// The forms on the phone: checklists drawn from the cached definitions, the
// incident and meeting forms copied from the page's <template>s. The markup is
// the online forms' (templates/_macros.html: div.field#q-NAME, label.choice,
// p.error), so the same CSS applies and server messages land next to fields
// named as in the HTML forms.

import { el, fmt } from "./ui.js";
import { applySkipLogic } from "../skip.js";

const HEADER = ["arrival_date", "arrival_time", "departure_date", "departure_time"];

function mark(required, M) {
  return required ? [" ", el("span", { class: "req", "aria-label": M.required_mark, text: "*" })] : [];
}

function box(name, relevant, ...children) {
  return el("div", { class: "field", id: `q-${name}`, "data-relevant": relevant }, ...children);
}

function inputField(name, label, help, required, relevant, control, M) {
  return box(name, relevant, el("label", { for: control.id }, label, mark(required, M)),
    help ? el("p", { class: "help", text: help }) : null, control);
}

function choiceField(name, label, help, required, relevant, choices, type, M) {
  const options = choices.map((choice, i) => el("label", { class: "choice" },
    el("input", { type, id: `${name}-${i}`, name, value: choice.value }), " ",
    el("span", { text: choice.label })));
  return box(name, relevant, el("fieldset", {},
    el("legend", {}, label, mark(required, M)),
    help ? el("p", { class: "help", text: help }) : null,
    el("div", { class: "choices" }, options)));
}

function questionField(q, M) {
  const relevant = q.relevant ? `${q.relevant.question}=${q.relevant.value}` : null;
  if (q.type === "yesno" || q.type === "choice" || q.type === "multi") {
    const choices = q.choices && q.choices.length ? q.choices
      : Object.entries(M.yesno).map(([value, label]) => ({ value, label }));
    return choiceField(q.id, q.label, q.help, q.required, relevant, choices,
      q.type === "multi" ? "checkbox" : "radio", M);
  }
  const attrs = { id: q.id, name: q.id, "data-question": q.id };
  let control;
  if (q.type === "integer") {
    control = el("input", { ...attrs, type: "text", inputmode: "numeric", pattern: "[0-9]*" });
  } else if (q.type === "time") {
    control = timeInput(attrs, M);
  } else {
    control = el("textarea", { ...attrs, maxlength: q.max_length });
  }
  return inputField(q.id, q.label, q.help, q.required, relevant, control, M);
}

// Times as 24-hour text, as the server's forms (forms/times.py): <input type=time>
// follows the phone's locale, and an AM/PM slip files a visit 12 hours off.
// "1930" and "19.30" are read as 19:30 by the server.
const TIME_PATTERN = "([01]?[0-9]|2[0-3])[:. ]?[0-5][0-9]";

function timeInput(attrs, M) {
  return el("input", { ...attrs, type: "text", inputmode: "numeric", pattern: TIME_PATTERN,
    maxlength: 5, placeholder: M.time_placeholder, autocomplete: "off", class: "time" });
}

function dateTime(name, label, type, M) {
  const control = type === "time" ? timeInput({ id: name, name }, M)
    : el("input", { type, id: name, name });
  return inputField(name, label, "", true, null, control, M);
}

function frame(kind, title, M) {
  return el("form", { class: "offline-form", novalidate: true, "data-kind": kind },
    el("h2", { class: "form-title", text: title }),
    summaryBox(),
    el("input", { type: "hidden", id: "uuid", name: "uuid" }));
}

/**
 * The banner a refused form shows, as the server's (templates/_macros.html
 * error_summary): the page's one live region, with a link to each field that
 * has a problem; it takes the focus when shown.
 */
export function summaryBox() {
  // The alert role only while shown: a page the server refused has its own banner.
  return el("div", { class: "summary error-summary", tabindex: "-1",
    hidden: true, "data-summary": true });
}

function buttons(label) {
  return el("p", { class: "buttons" },
    el("button", { type: "submit", class: "primary big", text: label }),
    el("button", { type: "button", class: "secondary", hidden: true, "data-new-uuid": true }),
    el("button", { type: "button", class: "link danger", "data-delete": true }));
}

/** The station's number, name and time zone above a checklist. */
export function stationHead(station, M) {
  if (!station) { return null; }
  return el("p", { class: "station-head" },
    el("strong", { text: `${fmt(M.station_no, { number: station.number })} · ${station.name}` }),
    el("br"), `${station.district || ""}, ${station.region} · `,
    fmt(M.times_local, { zone: station.timezone }));
}

/**
 * A checklist form for a definition (from /api/v1/definitions) and a station;
 * limits: the server's, from the page's data-config.
 */
export function buildChecklist(definition, station, M, limits) {
  const form = frame("checklist", definition.title, M);
  form.querySelector(".form-title").after(stationHead(station, M));
  form.append(el("input", { type: "hidden", id: "station_id", name: "station_id",
    value: station.id }));
  form.append(el("section", { class: "card" }, el("h2", { text: M.visit }),
    el("div", { class: "pair" }, dateTime("arrival_date", M.arrival_date, "date", M),
      dateTime("arrival_time", M.arrival_time, "time", M)),
    el("div", { class: "pair" }, dateTime("departure_date", M.departure_date, "date", M),
      dateTime("departure_time", M.departure_time, "time", M))));
  for (const section of definition.sections) {
    form.append(el("section", { class: "card" }, el("h2", { text: section.title }),
      section.questions.map((q) => questionField(q, M))));
  }
  const overall = Object.entries(M.overall_choices).map(([value, label]) => ({ value, label }));
  const figures = el("div", { class: "field", id: "q-figures_confirmed", hidden: true,
    "data-figures": true }, el("label", { class: "choice" },
    el("input", { type: "checkbox", id: "figures_confirmed", name: "figures_confirmed",
      value: "y" }), " ", el("span", { text: M.figures_confirmed })));
  form.append(el("section", { class: "card" }, el("h2", { text: M.overall }),
    choiceField("overall", M.overall, "", true, null, overall, "radio", M), figures,
    inputField("comments", M.comments, "", false, null,
      el("textarea", { id: "comments", name: "comments", maxlength: limits.comments }), M)));
  form.append(buttons(M.send_checklist));
  return form;
}

/** The incident or meeting form, copied from the page's <template id="tpl-KIND">. */
export function buildFromTemplate(kind, title, M) {
  const form = frame(kind, title, M);
  form.append(document.getElementById(`tpl-${kind}`).content.cloneNode(true));
  form.append(buttons(kind === "incident" ? M.send_report : M.save_meeting));
  return form;
}

function isFlag(input) {
  return input.type === "checkbox" && input.value === "y";  // WTForms BooleanField
}

/** Every named field's value: text as typed, radios as the ticked value, boxes as lists. */
export function readFields(form) {
  const fields = {};
  for (const input of form.elements) {
    if (!input.name || ["submit", "button", "reset"].includes(input.type)) { continue; }
    if (input.type === "radio") {
      if (!(input.name in fields)) { fields[input.name] = ""; }
      if (input.checked) { fields[input.name] = input.value; }
    } else if (isFlag(input)) {
      fields[input.name] = input.checked;
    } else if (input.type === "checkbox") {
      if (!Array.isArray(fields[input.name])) { fields[input.name] = []; }
      if (input.checked) { fields[input.name].push(input.value); }
    } else {
      fields[input.name] = input.value;
    }
  }
  return fields;
}

/** Put saved values back into a form (a resumed draft, an entry sent back). */
export function fillFields(form, fields) {
  ensureRows(form, fields);
  for (const input of form.elements) {
    if (!input.name || !(input.name in fields)) { continue; }
    const value = fields[input.name];
    if (input.type === "radio") {
      input.checked = input.value === value;
    } else if (isFlag(input)) {
      input.checked = Boolean(value);
    } else if (input.type === "checkbox") {
      input.checked = Array.isArray(value) && value.includes(input.value);
    } else if (!["submit", "button"].includes(input.type)) {
      input.value = value === null || value === undefined ? "" : value;
    }
  }
  const figures = form.querySelector("[data-figures]");
  if (figures && fields.figures_confirmed) { figures.hidden = false; }
  applySkipLogic(form);
}

function rowsOf(section) {
  return [...section.querySelectorAll(":scope > .row")];
}

// As many rows as the server takes (the form's max_entries, in the page's
// data-max-rows; a page cached before it carried them: the server alone checks).
function maxRows(section) {
  return Number(section.getAttribute("data-max-rows")) || Infinity;
}

/** One more blank row in a list of rows (counterparts, requests, commitments). */
export function addRow(section) {
  const rows = rowsOf(section);
  if (rows.length >= maxRows(section)) { return null; }
  const prefix = section.getAttribute("data-rows");
  const last = rows[rows.length - 1];
  const next = last.cloneNode(true);
  const from = `${prefix}-${rows.length - 1}-`;
  const to = `${prefix}-${rows.length}-`;
  for (const node of next.querySelectorAll("[name], [id], [for]")) {
    for (const attr of ["name", "id", "for"]) {
      const value = node.getAttribute(attr);
      if (value) { node.setAttribute(attr, value.replace(from, to)); }
    }
    if ("value" in node && node.tagName !== "BUTTON") { node.value = ""; }
  }
  for (const error of next.querySelectorAll("p.error")) { error.remove(); }
  // "Person 4: name" -> "Person 5: name": the row's number is in its first label.
  const label = next.querySelector("label");
  if (label) { label.textContent = label.textContent.replace(/\d+/, String(rows.length + 1)); }
  last.after(next);
  return next;
}

function ensureRows(form, fields) {
  for (const section of form.querySelectorAll("[data-rows]")) {
    const prefix = section.getAttribute("data-rows");
    const pattern = new RegExp(`^${prefix}-(\\d+)-`);
    let highest = -1;
    for (const name of Object.keys(fields)) {
      const match = pattern.exec(name);
      if (match) { highest = Math.max(highest, Number(match[1])); }
    }
    while (rowsOf(section).length <= Math.min(highest, maxRows(section) - 1)) {
      if (!addRow(section)) { break; }
    }
  }
}

function findBox(form, name) {
  const byId = form.querySelector(`#q-${CSS.escape(name)}`);
  if (byId) { return byId; }
  const input = form.querySelector(`[name="${CSS.escape(name)}"]`);
  return input ? input.closest(".field") : null;
}

/** Remove every message shown by showErrors or checkRequired. */
export function clearErrors(form) {
  for (const node of form.querySelectorAll("p.error[data-error]")) { node.remove(); }
  for (const node of form.querySelectorAll(".has-error")) { node.classList.remove("has-error"); }
  for (const input of form.querySelectorAll("[aria-describedby*='-problem-']")) {
    const kept = input.getAttribute("aria-describedby").split(" ")
      .filter((id) => id && !id.includes("-problem-"));
    if (kept.length) { input.setAttribute("aria-describedby", kept.join(" ")); }
    else { input.removeAttribute("aria-describedby"); }
  }
  const summary = form.querySelector("[data-summary]");
  summary.hidden = true;
  summary.removeAttribute("role");
  summary.replaceChildren();
}

/**
 * Messages next to their fields ({name: [message, ...]}, the API's "fields"),
 * and a summary on top with anything that has no field on this page.
 */
export function showErrors(form, fieldErrors, message, M) {
  clearErrors(form);
  const elsewhere = [];
  const links = [];
  const names = Object.keys(fieldErrors || {});
  for (const name of names) {
    const target = findBox(form, name);
    const messages = [].concat(fieldErrors[name]);
    if (!target || target.hidden) {
      elsewhere.push(...messages);
      continue;
    }
    target.classList.add("has-error");
    const input = target.querySelector("input:not([type=hidden]), select, textarea");
    const title = target.querySelector("legend, label");
    const label = (title ? title.textContent : name).replace(/\s+/g, " ").trim();
    messages.forEach((text, index) => {
      // Not a live region of its own: the banner is; the field names its message.
      const id = `${name}-problem-${index}`;
      target.append(el("p", { class: "error", id, "data-error": true, text }));
      if (input) {
        const described = (input.getAttribute("aria-describedby") || "").split(" ");
        input.setAttribute("aria-describedby", [...described, id].join(" ").trim());
      }
      links.push(el("li", {}, input && input.id
        ? el("a", { href: `#${input.id}`, text: `${label}: ${text}` })
        : `${label}: ${text}`));
    });
  }
  // A figure that does not add up may be right as written (a falsified protocol):
  // the observer can confirm it instead of "correcting" evidence.
  const figures = form.querySelector("[data-figures]");
  if (figures && names.length) { figures.hidden = false; }
  const summary = form.querySelector("[data-summary]");
  // The server's banner from the last post, if any, gives way: one banner, one live region.
  const served = document.getElementById("error-summary");
  if (served && served !== summary) { served.remove(); }
  summary.id = "error-summary";
  summary.setAttribute("role", "alert");
  summary.replaceChildren(
    el("p", { class: "error summary", text: message || M.fix_summary }),
    el("ul", {}, ...links,
      ...elsewhere.map((text) => el("li", { class: "elsewhere", "data-error": true, text }))));
  summary.hidden = false;
  summary.focus();
}

function empty(value) {
  return value === undefined || value === null || value === ""
    || (Array.isArray(value) && value.length === 0);
}

/**
 * What can be checked without the server: the required answers of a checklist
 * and its header. The server checks everything again (ranges, sums, times).
 */
export function checkRequired(form, definition, M) {
  const fields = readFields(form);
  const errors = {};
  for (const name of HEADER) {
    if (empty(fields[name])) { errors[name] = [M.enter_required]; }
  }
  for (const section of definition.sections) {
    for (const q of section.questions) {
      const target = form.querySelector(`#q-${CSS.escape(q.id)}`);
      if (q.required && target && !target.hidden && empty(fields[q.id])) {
        errors[q.id] = [M.required];
      }
    }
  }
  if (empty(fields.overall)) { errors.overall = [M.choose_overall]; }
  return errors;
}

function answerValue(question, value) {
  if (question.type === "integer" && /^\s*\d{1,9}\s*$/.test(value)) {
    return Number(value.trim());
  }
  return value;
}

/** The JSON the API takes for a form, built from what the observer typed. */
export function apiBody(record, form, definition) {
  const fields = readFields(form);
  if (record.kind !== "checklist") {
    return meetingOrIncident(record, fields);
  }
  const answers = {};
  for (const section of definition.sections) {
    for (const q of section.questions) {
      const target = form.querySelector(`#q-${CSS.escape(q.id)}`);
      if (!target || target.hidden || empty(fields[q.id])) { continue; }
      answers[q.id] = answerValue(q, fields[q.id]);
    }
  }
  const body = { uuid: record.uuid, form_type: record.form_type, station_id: record.station.id,
    answers, overall: fields.overall, comments: fields.comments || "",
    figures_confirmed: Boolean(fields.figures_confirmed) };
  for (const name of HEADER) { body[name] = fields[name]; }
  const protocol = protocolFigures(fields);
  if (Object.keys(protocol).length) { body.protocol = protocol; }
  return body;
}

// The counting form's protocol section (forms/protocol.py): protocol-<contest>-<item>
// fields become {contest: {item: number}}, as the API takes them. A ballot with no
// figure typed was not seen and is left out; a figure that is no whole number goes
// as typed, for the server to name next to its field.
function protocolFigures(fields) {
  const protocol = {};
  for (const [name, value] of Object.entries(fields)) {
    const match = /^protocol-([a-z0-9_]+)-(.+)$/.exec(name);
    if (!match || empty(value)) { continue; }
    const [, contest, item] = match;
    const text = String(value).trim();
    (protocol[contest] ||= {})[item] = /^\d+$/.test(text) ? Number(text) : text;
  }
  return protocol;
}

const ROW_LISTS = { counterparts: ["name", "position"], requests: ["text", "due_date"],
  commitments: ["text", "due_date"] };

// Rows (counterparts-0-name ...) become lists of objects, as the API takes them;
// blank rows after the last filled one are left out, so the server's row
// numbers in its messages still match the rows on the screen.
function rowLists(fields) {
  const lists = {};
  for (const [list, keys] of Object.entries(ROW_LISTS)) {
    const rows = [];
    for (let i = 0; `${list}-${i}-${keys[0]}` in fields; i += 1) {
      rows.push(Object.fromEntries(keys.map((k) => [k, fields[`${list}-${i}-${k}`] || ""])));
    }
    while (rows.length && keys.every((k) => !rows[rows.length - 1][k])) { rows.pop(); }
    lists[list] = rows.map((row) => ("due_date" in row && !row.due_date
      ? { ...row, due_date: null } : row));
  }
  return lists;
}

function meetingOrIncident(record, fields) {
  const body = { uuid: record.uuid };
  for (const [name, value] of Object.entries(fields)) {
    if (name === "uuid" || name === "csrf_token" || /^\w+-\d+-\w+$/.test(name)) { continue; }
    body[name] = value;
  }
  return record.kind === "interaction" ? { ...body, ...rowLists(fields) } : body;
}
