// The station picker: the observer's region, cached on the phone, searched by
// number or by any part of the name, address or district in any letter case.

// The server's folding (models/stations.py fold), letter for letter, so the phone
// finds offline what the server finds online: "аксай" and "Aqsai" find "Ақсай",
// "Semey" finds "Семей". Kazakh letters go to their Russian base, then Cyrillic
// to Latin; и, й, ы and Latin y all fold to i.
const KAZAKH = Object.fromEntries([..."әғқңөұүһі"].map((c, i) => [c, "агкноуухи"[i]]));
const CYRILLIC = Object.fromEntries([..."абвгдеёжзийклмнопрстуфхцчшщъыьэюя"].map((c, i) => [c, [
  "a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "i", "k", "l", "m", "n", "o", "p",
  "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "sh", "", "i", "", "e", "iu", "ia"][i]]));
const LATIN = { y: "i", q: "k", j: "zh", "ı": "i", "ş": "sh", "ç": "ch", "ğ": "g", "ñ": "n" };

function foldLetter(letter) {
  const base = KAZAKH[letter] || letter;
  if (base in CYRILLIC) { return CYRILLIC[base]; }
  if (base in LATIN) { return LATIN[base]; }
  if (base >= "\u00c0" && base <= "\u024f") { return base.normalize("NFKD")[0]; }
  return base;
}

/** Text folded for matching, as the server folds it (models/stations.py fold). */
export function fold(text) {
  const lowered = String(text || "").normalize("NFC").toLowerCase();
  return [...lowered].map(foldLetter).join("").split(/\s+/).filter(Boolean).join(" ");
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
