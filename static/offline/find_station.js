// The station picker of a checklist (templates/offline/_station_hooks.html).
// With a connection the server searches; with none (or a copy of the page the
// phone kept), the region's stations kept on the phone are searched here and
// listed as the server lists them, each a link to the form.

import { el, fmt } from "./ui.js";
import { search } from "./stations.js";

const hook = document.getElementById("offline-stations");
const searchForm = document.querySelector("form.search");

function render(found, query, M, formUrl) {
  let list = document.querySelector("ul.stations");
  let empty = document.querySelector("p.empty");
  if (!list) {
    list = el("ul", { class: "big-links stations" });
    searchForm.after(list);
  }
  if (!empty) {
    empty = el("p", { class: "empty", hidden: true });
    list.after(empty);
  }
  list.replaceChildren(...found.map((station) => {
    const href = `${formUrl}?station=${encodeURIComponent(station.id)}`;
    return el("li", {}, el("a", { href },
      el("strong", { text: `${fmt(M.station_no, { number: station.number })} · ${station.name}` }),
      el("span", { text: `${station.address || ""} — ${station.district || ""}, ${station.region}` })));
  }));
  empty.textContent = M.no_station_found;
  empty.hidden = Boolean(found.length) || !query.trim();
}

async function kept(url) {
  try {
    const response = await fetch(url, { credentials: "same-origin",
      headers: { Accept: "application/json" } });
    return response.ok ? ((await response.json()).stations || []) : [];
  } catch (error) {
    return [];
  }
}

if (hook && searchForm) {
  const C = JSON.parse(hook.getAttribute("data-config"));
  const M = JSON.parse(hook.getAttribute("data-messages"));
  const formUrl = hook.getAttribute("data-form-url");
  const input = searchForm.querySelector("input[name=q]");
  const limit = (C.limits || {}).station_results || 30;
  const here = async (query) => render(search(await kept(C.stations), query, limit),
    query, M, formUrl);
  searchForm.addEventListener("submit", (event) => {
    if (navigator.onLine) { return; }
    event.preventDefault();
    const url = new URL(location.href);
    url.searchParams.set("q", input.value);
    history.replaceState(history.state, "", url.href);
    here(input.value);
  });
  // A kept copy of the page, opened with a search in its address: answer it here.
  const asked = new URLSearchParams(location.search).get("q") || "";
  if (asked && input.value !== asked) {
    input.value = asked;
    here(asked);
  }
}
