// The station picker: the observer's region, cached on the phone, searched by
// number or by any part of the name, address or district in any letter case.

/** Text folded for matching: "ГИМНАЗИЯ" finds "гимназия" (Cyrillic and Kazakh letters too). */
export function fold(text) {
  return String(text || "").normalize("NFC").toLocaleLowerCase().replace(/\s+/g, " ");
}

function haystack(station) {
  if (!station._text) {
    station._text = fold([station.number, station.name, station.address,
      station.district].join(" "));
  }
  return station._text;
}

/**
 * Stations whose number is the query or whose text contains it: the exact
 * number first, then shorter numbers, as the server's search orders them;
 * at most ``limit`` of them (the server's own limit, from the page's data-config).
 */
export function search(stations, query, limit) {
  const needle = fold(query).trim();
  if (!needle) { return []; }
  const found = stations.filter((s) => s.number === query.trim() || haystack(s).includes(needle));
  found.sort((a, b) => (b.number === query.trim()) - (a.number === query.trim())
    || a.number.length - b.number.length || a.number.localeCompare(b.number));
  return found.slice(0, limit);
}

/** Merge stations found online into the cached list (by id), without duplicates. */
export function merge(cached, extra) {
  const ids = new Set(cached.map((s) => s.id));
  return cached.concat(extra.filter((s) => !ids.has(s.id)));
}
