// Small DOM and text helpers shared by the offline scripts.
// Text is always set as text, never parsed as markup: observers' words and
// server messages cannot become HTML.

/** An element with attributes ("class", "text", "data-*", ...) and children. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) { continue; }
    if (name === "text") { node.textContent = value; } else if (name === "class") {
      node.className = value;
    } else { node.setAttribute(name, value === true ? "" : String(value)); }
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) {
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
  return node;
}

/** "%(n)s waiting" with {n: 2} -> "2 waiting" (the server's gettext placeholders). */
export function fmt(template, values = {}) {
  return String(template).replace(/%\((\w+)\)[sd]/g,
    (match, key) => (key in values ? String(values[key]) : match));
}

/** A moment as the phone's local hour and minute. */
export function clock(ms) {
  return new Date(ms).toLocaleTimeString(document.documentElement.lang || [],
    { hour: "2-digit", minute: "2-digit" });
}

/** A moment as day, month and time, for lists. */
export function stamp(ms) {
  return new Date(ms).toLocaleString(document.documentElement.lang || [],
    { day: "2-digit", month: "2-digit", hour: "2-digit", minute: "2-digit" });
}

/** Today's date (YYYY-MM-DD) in an IANA time zone, e.g. the station's. */
export function todayIn(zone) {
  try {
    const parts = new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric",
      month: "2-digit", day: "2-digit" }).formatToParts(new Date());
    const part = (type) => parts.find((p) => p.type === type).value;
    return `${part("year")}-${part("month")}-${part("day")}`;
  } catch (error) {
    return new Date().toISOString().slice(0, 10);
  }
}

/** Show or hide a node. */
export function show(node, visible) {
  if (node) { node.hidden = !visible; }
}

/** A version-4 uuid: the entry's or the photo's name, made on the phone. */
export function newUuid() {
  if (crypto.randomUUID) { return crypto.randomUUID(); }
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A JSON answer from the server, or null (no connection, an error, a log-in page). */
export async function getJSON(url) {
  try {
    const response = await fetch(url, { credentials: "same-origin",
      headers: { Accept: "application/json" } });
    return response.ok && !response.redirected ? await response.json() : null;
  } catch (error) {
    return null;
  }
}
