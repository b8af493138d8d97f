// The case list: every case:* entry of chrome.storage.local, read through the engine's
// loadCases (src/engine/cases.rs). Damaged or oversized entries are copied to
// backup:<key>:<ms> in the same write as their repaired cases (one storage.set lands whole
// or not at all, so an entry is never replaced without its copy, and replacing it in place
// costs the quota only the repaired case); the only entries removed are the ones the
// engine set aside or moved to their own key, after that write. Damaged or oversized
// settings are repaired the same way when the page opens, as the options page does. If
// the browser refuses the write (a full quota), nothing is written or removed and the page
// says so. The list follows storage as the sidebar (in any tab) changes it, and warns when
// storage is nearly full.
import init, { loadSettings, loadCases, caseClock, casesCsv, casesJson, filterCases, lastPanic } from "./pkg/calmly_store.js";
import { loadStrings, applyStrings } from "./strings.js";

const api = globalThis.browser ?? globalThis.chrome;
const SITES = Array.isArray(globalThis.CALMLY_SITES) ? globalThis.CALMLY_SITES.filter((s) => s && typeof s.id === "string") : [];
const SITE_NAMES = new Map(SITES.map((s) => [s.id, String(s.name || s.id)]));
const PREFIX = "case:";
/** storage.local's quota as the browser states it: 10 MB in Chromium without the
 *  unlimitedStorage permission; Firefox states none (its local storage has no such quota). */
const QUOTA = Number(api.storage.local.QUOTA_BYTES) || 0;
/** From this share of the quota on, the page warns. */
const NEARLY_FULL = 0.8;

const $ = (id) => document.getElementById(id);
const tbody = document.querySelector("#cases tbody");
const noticeBox = $("notice");

let tr = (key) => key;
let settings = {};
let cases = [];
/** Warnings of this visit, oldest first: a later reload (after a repair) does not hide them. */
const warnings = [];
/** Why the last repair could not be written, if it could not. */
let repairError = null;
/** Whether the stored settings were checked (and repaired) yet. */
let settingsChecked = false;

start().catch(fatal);

async function start() {
  const [stored] = await Promise.all([api.storage.local.get("settings"), init()]);
  tr = await loadStrings(loadSettings(stored.settings ?? null).settings);
  applyStrings(document, tr);
  for (const id of ["f-stage", "f-site", "f-overdue"]) $(id).addEventListener("change", render);
  $("f-text").addEventListener("input", render);
  $("filters").addEventListener("submit", (e) => e.preventDefault());
  $("export-csv").addEventListener("click", () => download("calmly-cases.csv", casesCsv(shown()), "text/csv;charset=utf-8"));
  $("export-json").addEventListener("click", () => download("calmly-cases.json", casesJson(shown()), "application/json"));
  api.storage.onChanged.addListener((changes, area) => {
    if (area === "local" && Object.keys(changes).some((k) => k.startsWith(PREFIX) || k === "settings")) refresh();
  });
  await refresh();
  setInterval(render, 60_000); // the response clocks move
  document.documentElement.dataset.state = "ready";
}

// One reading at a time; a change during a reading asks for one more.
let running = null;
let again = false;
function refresh() {
  if (running) {
    again = true;
    return running;
  }
  running = (async () => {
    do {
      again = false;
      await readStorage();
    } while (again);
  })()
    .catch(fatal)
    .finally(() => (running = null));
  return running;
}

async function readStorage() {
  const all = await api.storage.local.get(null);
  const raw = all.settings ?? null;
  const settingsLoad = loadSettings(raw);
  settings = settingsLoad.settings;
  const entries = {};
  for (const [k, v] of Object.entries(all)) if (k.startsWith(PREFIX)) entries[k] = v;
  const load = loadCases(entries);
  const ms = Date.now();
  // 1. in one write: copies of what was damaged, the repaired and migrated cases (and
  // settings); 2. after it, what was set aside.
  const writes = Object.fromEntries([
    ...load.backups.map((b) => [`backup:${b.key}:${ms}`, b.raw]),
    ...load.rewrite.map((c) => [PREFIX + c.id, c]),
  ]);
  // Settings are repaired when the page opens; changed later, they are the options page's
  // (which may be open with them) and the sidebar's to repair.
  const repairSettings = !settingsChecked;
  settingsChecked = true;
  if (repairSettings && settingsLoad.backup !== null && settingsLoad.backup !== undefined) writes[`backup:settings:${ms}`] = raw;
  if (repairSettings && settingsLoad.rewrite) writes.settings = settingsLoad.settings;
  let written = true;
  if (Object.keys(writes).length) {
    try {
      await api.storage.local.set(writes);
      repairError = null;
    } catch (e) {
      written = false;
      repairError = (e && e.message) || String(e);
    }
  } else repairError = null;
  const backedUp = new Set(load.backups.map((b) => b.key));
  const rewritten = new Set(load.rewrite.map((c) => PREFIX + c.id));
  const moved = (k) => {
    const v = entries[k];
    return v && typeof v === "object" && typeof v.id === "string" && PREFIX + v.id !== k && rewritten.has(PREFIX + v.id);
  };
  const remove = written ? (load.remove || []).filter((k) => backedUp.has(k) || moved(k)) : [];
  if (remove.length) await api.storage.local.remove(remove);
  cases = load.cases;
  for (const w of [...(repairSettings ? settingsLoad.warnings : []), ...load.warnings]) if (!warnings.includes(w)) warnings.push(w);
  showWarnings();
  await showStorageUse();
  render();
}

/** A notice when storage is at NEARLY_FULL of the quota or more (where the browser says). */
async function showStorageUse() {
  const box = $("storage-use");
  let used = null;
  try {
    if (QUOTA && typeof api.storage.local.getBytesInUse === "function") used = await api.storage.local.getBytesInUse(null);
  } catch {}
  const full = typeof used === "number" && used >= NEARLY_FULL * QUOTA;
  box.hidden = !full;
  box.textContent = full
    ? tr("cases_storage_full", { percent: Math.floor((100 * used) / QUOTA), used: (used / 1048576).toFixed(1), quota: (QUOTA / 1048576).toFixed(0) })
    : "";
}

function target() {
  const t = Number(settings.response_target_minutes);
  return Number.isInteger(t) && t > 0 ? t : 60;
}

function filter() {
  return {
    stage: $("f-stage").value || null,
    site: $("f-site").value || null,
    overdue_only: $("f-overdue").checked,
    text: $("f-text").value.trim() || null,
  };
}

function shown() {
  return filterCases(cases, filter(), Date.now(), target());
}

function render() {
  siteOptions();
  const now = Date.now();
  const list = shown();
  const all = list.length === cases.length;
  $("count").textContent = tr(all ? (cases.length === 1 ? "cases_count_one" : "cases_count_all") : "cases_count_filtered", { shown: list.length, total: cases.length });
  if (!list.length) {
    const td = el("td", { className: "empty", colSpan: 8, textContent: tr(cases.length ? "cases_none_match" : "cases_none") });
    tbody.replaceChildren(el("tr", {}, [td]));
    return;
  }
  tbody.replaceChildren(...list.map((c) => row(c, now)));
}

function row(c, now) {
  const clock = caseClock(c, now, target());
  const tr_ = el("tr");
  tr_.dataset.id = c.id;
  tr_.dataset.stage = c.stage;
  if (clock.overdue) tr_.classList.add("overdue");
  const site = c.site ? SITE_NAMES.get(c.site) || c.site : tr("cases_unknown");
  const excerpt = el("td", { className: "excerpt" }, [el("span", { textContent: c.text, title: c.text })]);
  const clockCell = el("td", { className: "clock", textContent: tr(clock.since === "posted" ? "cases_clock_posted" : "cases_clock_first_seen", { elapsed: elapsed(clock.minutes), target: clock.target }) });
  if (clock.overdue) clockCell.append(" ", el("span", { className: "badge", textContent: tr("cases_overdue") }));
  const steps = Array.isArray(c.steps_done) ? c.steps_done : [];
  const stepsCell = el("td", { className: "num", textContent: String(steps.length) });
  if (steps.length) stepsCell.title = steps.join(", ");
  const updated = new Date(c.updated);
  const updatedCell = el("td", { className: "num" });
  if (Number.isFinite(updated.getTime())) {
    updatedCell.append(el("time", { dateTime: updated.toISOString(), textContent: updated.toLocaleString(tr.lang, { dateStyle: "medium", timeStyle: "short" }) }));
  }
  const linkCell = el("td", { className: "link" });
  if (/^https?:\/\//i.test(c.url || "")) {
    linkCell.append(el("a", { href: c.url, target: "_blank", rel: "noopener noreferrer", textContent: tr("cases_open_page"), title: c.url }));
  }
  tr_.append(
    el("td", { className: "site", textContent: site }),
    el("td", { textContent: c.author || tr("cases_unknown") }),
    excerpt,
    el("td", { textContent: tr(`stage_${c.stage}`) }),
    clockCell,
    stepsCell,
    updatedCell,
    linkCell,
  );
  return tr_;
}

/** Minutes as the clock shows them: "42 min" up to two hours, then "5 h 3 min", then "3 d 4 h". */
function elapsed(minutes) {
  const m = Math.max(0, Math.floor(Number(minutes) || 0));
  if (m < 120) return tr("cases_elapsed_min", { minutes: m });
  if (m < 48 * 60) return tr("cases_elapsed_hours", { hours: Math.floor(m / 60), minutes: m % 60 });
  return tr("cases_elapsed_days", { days: Math.floor(m / 1440), hours: Math.floor((m % 1440) / 60) });
}

/** The site filter: any, then every site the cases or the adapters name; keeps the choice. */
function siteOptions() {
  const select = $("f-site");
  const ids = [...new Set([...SITES.map((s) => s.id), ...cases.map((c) => c.site).filter(Boolean)])];
  const key = ids.join("\n");
  if (select.dataset.ids === key) return;
  const chosen = select.value;
  select.replaceChildren(
    el("option", { value: "", textContent: tr("cases_any_site") }),
    ...ids.map((id) => el("option", { value: id, textContent: SITE_NAMES.get(id) || id })).sort((a, b) => a.textContent.localeCompare(b.textContent)),
  );
  select.dataset.ids = key;
  select.value = ids.includes(chosen) ? chosen : "";
}

function showWarnings() {
  if (!warnings.length && !repairError) {
    noticeBox.replaceChildren();
    return;
  }
  const dismiss = el("button", { type: "button", textContent: tr("opt_dismiss") });
  dismiss.addEventListener("click", () => {
    warnings.length = 0;
    repairError = null;
    noticeBox.replaceChildren();
    $("f-stage").focus();
  });
  noticeBox.className = repairError ? "notice error" : "notice";
  const headline = repairError ? tr("cases_repair_failed", { error: repairError }) : tr("cases_loaded_warnings");
  noticeBox.replaceChildren(el("p", { textContent: headline }), el("ul", {}, warnings.map((w) => el("li", { textContent: w }))), dismiss);
}

function el(tag, props = {}, children = []) {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
}

/** Downloads `text` as a file (a Blob and an <a download>; no request is made). */
function download(name, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = el("a", { href: url, download: name });
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function fatal(err) {
  let panic = null;
  try {
    panic = lastPanic();
  } catch {}
  const what = tr("cases_fatal") === "cases_fatal" ? "Calmly could not show the cases" : tr("cases_fatal");
  const box = $("fatal");
  box.textContent = `${what}: ${panic || (err && err.message) || err}`;
  box.hidden = false;
}
