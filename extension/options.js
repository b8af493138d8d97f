// The options page: the brand's settings in chrome.storage.local["settings"]. Every read
// and every save goes through the engine's loadSettings (src/engine/stored.rs), which
// migrates old shapes, resets what does not validate or is over its size cap and says
// what it reset. Nothing is written until Save, except the repair of unreadable or
// oversized stored settings on open: the raw value goes to backup:settings:<ms> in the
// same write as the repaired settings (one storage.set lands whole or not at all). If the
// browser refuses that write (a full quota), the stored value is left as it is and the
// next Save writes its copy together with the new settings.
import init, { loadSettings, exportSettings, importSettings, lastPanic } from "./pkg/calmly_store.js";
import { loadStrings, applyStrings } from "./strings.js";

const api = globalThis.browser ?? globalThis.chrome;
/** The draft languages (DRAFT_LANGUAGES in src/engine/lang.rs). */
const LANGS = ["pt", "es", "pl", "ro", "en"];
const SITES = Array.isArray(globalThis.CALMLY_SITES) ? globalThis.CALMLY_SITES.filter((s) => s && typeof s.id === "string") : [];
const TEXT_FIELDS = ["brand", "agent", "signature", "gesture", "compensation_when"];
const CHANNELS = ["email", "phone", "link"];

const $ = (id) => document.getElementById(id);
const form = $("form");
const noticeBox = $("notice");

let tr = (key) => key;
/** The settings as last loaded or saved: the base that keeps what the form does not show. */
let saved = null;
/** The settings the form was last filled from (saved, or an imported file). */
let base = null;
/** The schema this version writes. */
let SCHEMA = 1;
/** Stored settings that still need their copy kept (a repair on open failed), or null. */
let pendingBackup = null;

start().catch((e) => fatal(e));

async function start() {
  const [stored] = await Promise.all([api.storage.local.get("settings"), init()]);
  SCHEMA = loadSettings(null).settings.schema;
  const raw = stored.settings === undefined ? null : stored.settings;
  const load = loadSettings(raw);
  // The unreadable value and its repair in one write: never one without the other.
  const hasBackup = load.backup !== null && load.backup !== undefined;
  const writes = {};
  if (hasBackup) writes[`backup:settings:${Date.now()}`] = raw;
  if (load.rewrite) writes.settings = load.settings;
  let repairError = null;
  if (Object.keys(writes).length) {
    try {
      await api.storage.local.set(writes);
    } catch (e) {
      repairError = message(e);
      if (hasBackup) pendingBackup = raw;
    }
  }
  saved = base = load.settings;
  await localize(saved);
  fill(saved);
  wire();
  form.removeAttribute("aria-busy");
  document.documentElement.dataset.state = "ready";
  if (repairError) notice("error", tr("opt_repair_failed", { error: repairError }), load.warnings);
  else if (load.warnings.length) notice("warn", tr(hasBackup ? "opt_loaded_backup" : "opt_loaded_warnings"), load.warnings);
}

/** Loads the interface strings for `settings` and (re)builds the page's text. */
async function localize(settings) {
  tr = await loadStrings(settings);
  applyStrings(document, tr);
  build();
}

const langName = (l) => tr(`opt_lang_${l}`);

/** The controls that depend on the languages and the sites. */
function build() {
  const fallback = $("fallback_language");
  fallback.replaceChildren(...LANGS.map((l) => option(l, langName(l))));

  $("registers").replaceChildren(
    ...LANGS.map((l) => {
      const select = el("select", { id: `register-${l}` }, [
        option("", tr("opt_register_default")),
        option("informal", tr("register_informal")),
        option("formal", tr("register_formal")),
      ]);
      return el("div", { className: "field" }, [el("label", { htmlFor: select.id, textContent: langName(l) }), select]);
    }),
  );

  const sites = $("sites");
  if (!SITES.length) sites.replaceChildren(el("p", { className: "hint", textContent: tr("opt_sites_none") }));
  else
    sites.replaceChildren(
      ...SITES.map((s) => {
        const box = el("input", { type: "checkbox", id: `site-${s.id}` });
        box.dataset.site = s.id;
        return el("div", { className: "field check" }, [box, el("label", { htmlFor: box.id, textContent: String(s.name || s.id) })]);
      }),
    );

  $("templates").replaceChildren(
    ...LANGS.map((l) => {
      const area = el("textarea", { id: `templates-${l}`, rows: 3, spellcheck: false, className: "templates" });
      area.setAttribute("aria-describedby", "templates-hint");
      area.setAttribute("lang", l);
      area.setAttribute("placeholder", tr("opt_templates_placeholder"));
      return el("div", { className: "field" }, [el("label", { htmlFor: area.id, textContent: tr("opt_templates_for", { language: langName(l) }) }), area]);
    }),
  );
}

function el(tag, props = {}, children = []) {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
}

function option(value, text) {
  return el("option", { value, textContent: text });
}

const str = (v) => (typeof v === "string" ? v : "");

/** Shows `s` in the form. */
function fill(s) {
  for (const f of TEXT_FIELDS) $(f).value = str(s[f]);
  for (const c of CHANNELS) $(c).value = str(s.channels && s.channels[c]);
  $("compensation_allowed").checked = s.compensation_allowed === true;
  $("response_target_minutes").value = String(s.response_target_minutes ?? 60);
  $("tone").value = str(s.tone) || "warm";
  $("fallback_language").value = LANGS.includes(s.fallback_language) ? s.fallback_language : "en";
  $("ui_language").value = str(s.ui_language);
  const registers = s.registers || {};
  for (const l of LANGS) $(`register-${l}`).value = ["informal", "formal"].includes(registers[l]) ? registers[l] : "";
  const enabled = s.enabled_sites || {};
  for (const box of document.querySelectorAll("#sites input[data-site]")) box.checked = enabled[box.dataset.site] !== false;
  const templates = s.templates || {};
  for (const l of LANGS) {
    const t = templates[l] || {};
    $(`templates-${l}`).value = Object.entries(t)
      .map(([k, v]) => `${k} = ${escapeText(str(v))}`)
      .join("\n");
  }
  setUnsaved(false);
}

// Template texts are one line each: a newline is written \n, a backslash \\.
function escapeText(s) {
  return s.replace(/\\/g, "\\\\").replace(/\r?\n/g, "\\n");
}
function unescapeText(s) {
  return s.replace(/\\(n|\\)/g, (_, c) => (c === "n" ? "\n" : "\\"));
}

/**
 * The settings the form shows, on top of `base` (so fields this page does not show, such
 * as sites it does not list, are kept). Returns `{settings, errors}`; errors are the
 * template lines that cannot be read.
 */
function collect() {
  const s = structuredClone(base);
  for (const f of TEXT_FIELDS) s[f] = $(f).value;
  s.channels = { ...(s.channels || {}) };
  for (const c of CHANNELS) s.channels[c] = $(c).value.trim();
  s.compensation_allowed = $("compensation_allowed").checked;
  const minutes = $("response_target_minutes").value.trim();
  // A number the engine can check; anything else goes as typed, so the warning names it.
  s.response_target_minutes = minutes !== "" && Number.isFinite(Number(minutes)) ? Number(minutes) : minutes;
  s.tone = $("tone").value;
  s.fallback_language = $("fallback_language").value;
  s.ui_language = $("ui_language").value;
  s.registers = {};
  for (const l of LANGS) if ($(`register-${l}`).value) s.registers[l] = $(`register-${l}`).value;
  s.enabled_sites = { ...(s.enabled_sites || {}) };
  for (const box of document.querySelectorAll("#sites input[data-site]")) {
    if (box.checked) delete s.enabled_sites[box.dataset.site];
    else s.enabled_sites[box.dataset.site] = false;
  }
  const errors = [];
  s.templates = {};
  for (const l of LANGS) {
    const area = $(`templates-${l}`);
    const out = {};
    area.value.split(/\r?\n/).forEach((line, i) => {
      const t = line.trim();
      if (!t || t.startsWith("#")) return;
      const eq = t.indexOf("=");
      const key = eq > 0 ? t.slice(0, eq).trim() : "";
      if (!key) {
        errors.push({ area, message: tr("opt_template_line_error", { language: langName(l), line: i + 1 }) });
        return;
      }
      out[key] = unescapeText(t.slice(eq + 1).trim());
    });
    if (Object.keys(out).length) s.templates[l] = out;
  }
  s.schema = SCHEMA;
  return { settings: s, errors };
}

function wire() {
  form.addEventListener("input", () => setUnsaved(true));
  form.addEventListener("change", () => setUnsaved(true));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    save().catch((err) => notice("error", tr("opt_save_failed", { error: message(err) })));
  });
  $("revert").addEventListener("click", () => {
    base = saved;
    fill(saved);
    notice("ok", tr("opt_reverted"));
  });
  $("export").addEventListener("click", exportFile);
  $("import").addEventListener("click", () => $("import-file").click());
  $("import-file").addEventListener("change", importFile);
}

async function save() {
  const { settings, errors } = collect();
  if (errors.length) {
    notice("error", tr("opt_save_blocked"), errors.map((e) => e.message));
    errors[0].area.focus();
    return;
  }
  const check = loadSettings(settings);
  const writes = { settings: check.settings };
  // Settings saved by a newer Calmly hold more than this page knows, and damaged ones
  // whose copy could not be written on open: their copy goes in the same write.
  if (saved && saved.schema > SCHEMA) {
    const { settings: raw } = await api.storage.local.get("settings");
    if (raw !== undefined) writes[`backup:settings:${Date.now()}`] = raw;
  } else if (pendingBackup !== null) writes[`backup:settings:${Date.now()}`] = pendingBackup;
  // A refusal (a full quota) throws: the form keeps what was typed, and the banner says why.
  await api.storage.local.set(writes);
  pendingBackup = null;
  const languageChanged = (check.settings.ui_language || "") !== ((saved && saved.ui_language) || "");
  saved = base = check.settings;
  if (languageChanged) await localize(saved);
  fill(saved);
  if (check.warnings.length) notice("warn", tr("opt_saved_with_resets"), check.warnings);
  else notice("ok", tr("opt_saved"));
}

function exportFile() {
  const { settings, errors } = collect();
  if (errors.length) {
    notice("error", tr("opt_export_blocked"), errors.map((e) => e.message));
    errors[0].area.focus();
    return;
  }
  const data = exportSettings(loadSettings(settings).settings);
  download("calmly-settings.json", JSON.stringify(data, null, 2) + "\n", "application/json");
  notice("ok", tr("opt_exported", { file: "calmly-settings.json" }));
}

async function importFile(e) {
  const input = e.target;
  const file = input.files && input.files[0];
  input.value = ""; // the same file can be chosen again
  if (!file) return;
  let load;
  try {
    load = importSettings(await file.text());
  } catch (err) {
    notice("error", tr("opt_import_failed", { file: file.name }), [message(err)]);
    return;
  }
  base = load.settings;
  fill(load.settings);
  setUnsaved(true);
  notice(load.warnings.length ? "warn" : "ok", tr("opt_imported", { file: file.name }), load.warnings);
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

function setUnsaved(on) {
  form.dataset.unsaved = on ? "true" : "false";
  $("save").textContent = on ? tr("opt_save_unsaved") : tr("opt_save");
}

/** The banner (role=status): a headline, then the warnings, then a dismiss button. */
function notice(kind, headline, items = []) {
  noticeBox.className = `notice${kind === "ok" ? " ok" : kind === "error" ? " error" : ""}`;
  const parts = [el("p", { textContent: headline })];
  if (items.length) parts.push(el("ul", {}, items.map((w) => el("li", { textContent: w }))));
  const dismiss = el("button", { type: "button", textContent: tr("opt_dismiss") });
  dismiss.addEventListener("click", () => {
    noticeBox.replaceChildren();
    $("save").focus();
  });
  parts.push(dismiss);
  noticeBox.replaceChildren(...parts);
}

function message(err) {
  return (err && err.message) || String(err);
}

function fatal(err) {
  let panic = null;
  try {
    panic = lastPanic();
  } catch {}
  const box = $("fatal");
  const what = tr("opt_fatal") === "opt_fatal" ? "Calmly could not open its settings" : tr("opt_fatal");
  box.textContent = `${what}: ${panic || message(err)}`;
  box.hidden = false;
}
