// The lists on the offline page: the forms to choose from, and the drafts,
// the entries sent back to fix, the outbox and the receipts.

import { el, fmt, stamp } from "./ui.js";

/** The checklist types (in the order observers meet them), then incident and meeting. */
export function formTypes(definitions, order, M) {
  const rank = (type) => (order.includes(type) ? order.indexOf(type) : order.length);
  const sorted = Object.values(definitions).sort((a, b) => rank(a.type) - rank(b.type));
  const link = (href, title, text) => el("li", {}, el("a", { href },
    el("strong", { text: title }), el("span", { text })));
  return [...sorted.map((d) => link(`#new/checklist/${d.type}`, d.title, d.description)),
    link("#new/incident", M.incident, M.incident_help),
    link("#new/interaction", M.meeting, M.meeting_help)];
}

function item(record, editable, M) {
  return el("li", {},
    editable ? el("a", { href: `#form/${record.uuid}`, text: record.title })
      : el("strong", { text: record.title }),
    el("span", { class: "help", text: fmt(M.saved_at, { time: stamp(record.updated) }) }),
    record.status === "rejected" && record.error
      ? el("p", { class: "error", text: record.error }) : null,
    editable ? el("button", { type: "button", class: "link danger",
      "data-delete-uuid": record.uuid, text: M.delete }) : null);
}

/** Fill the four lists of the Drafts view from the user's store. */
export async function renderDrafts(store, M) {
  const [rejected, drafts, waiting, sent] = await Promise.all([
    store.withStatus("rejected"), store.withStatus("draft"), store.withStatus("waiting"),
    store.receipts()]);
  const fill = (name, nodes, always = false) => {
    document.getElementById(`list-${name}`).replaceChildren(...nodes);
    document.querySelector(`[data-list="${name}"]`).hidden = !always && !nodes.length;
  };
  fill("rejected", rejected.map((r) => item(r, true, M)));
  fill("draft", drafts.length ? drafts.map((r) => item(r, true, M))
    : [el("li", { class: "empty", text: M.drafts_empty })], true);
  fill("waiting", waiting.map((r) => item(r, false, M)));
  fill("sent", sent.slice(0, 20).map((r) => el("li", {},
    r.url ? el("a", { href: r.url, text: r.title }) : el("strong", { text: r.title }),
    el("span", { class: "help", text: fmt(M.sent_at, { time: stamp(r.sent) }) }))));
}
