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
