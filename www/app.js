// The playground's glue: loads the interface strings (ui/<lang>.json) and the real
// examples (examples.json), hands the strings to the wasm and mounts the Rust playground.
// Only relative URLs: the page works from any file server and requests nothing else.
import init, { mountPlayground, setUiStrings, lastPanic } from "./pkg/calmly.js";

const LANGUAGES = ["en", "pt", "es", "pl", "ro"];
// Each language's own name (its file's `_language`), for the optgroups of the examples.
const NAMES = { en: "English", pt: "Português", es: "Español", pl: "Polski", ro: "Română" };

const app = document.getElementById("app");
const fatal = document.getElementById("calmly-fatal");
const langSelect = document.getElementById("ui-lang");
const exampleSelect = document.getElementById("example");
const exampleSource = document.getElementById("example-source");
let strings = {};
let examples = [];

/** The string for `key` with `{name}` placeholders filled; null when no file has it. */
function tr(key, args = {}) {
  const text = strings[key];
  if (typeof text !== "string") return null;
  return text.replace(/\{([a-z_]+)\}/g, (m, name) => (name in args ? String(args[name]) : m));
}

async function getJson(path) {
  try {
    const res = await fetch(path);
    return res.ok ? await res.json() : null;
  } catch {
    return null;
  }
}

/** The browser's language if the interface has it, else English. */
function browserLanguage() {
  const lang = String(navigator.language || "en").slice(0, 2).toLowerCase();
  return LANGUAGES.includes(lang) ? lang : "en";
}

/** The language's strings, else English's, else none (the page's English stays). */
async function loadStrings(lang) {
  const s = (await getJson(`ui/${lang}.json`)) || (lang !== "en" ? await getJson("ui/en.json") : null);
  strings = s && typeof s === "object" && !Array.isArray(s) ? s : {};
}

/** Puts the strings into the page around the playground (`data-i18n="key"`). */
function applyStrings(lang) {
  document.documentElement.lang = lang;
  document.title = tr("pg_title") ?? document.title;
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = tr(el.dataset.i18n) ?? el.textContent;
  showSource();
}

function showSource() {
  const ex = examples.find((e) => e.id === exampleSelect.value);
  exampleSource.textContent = ex ? tr("pg_example_source", { source: ex.source, licence: ex.licence }) ?? "" : "";
}

function fillExamples() {
  for (const lang of LANGUAGES) {
    const group = document.createElement("optgroup");
    group.label = NAMES[lang];
    group.lang = lang;
    for (const ex of examples.filter((e) => e.language === lang)) {
      const chars = [...ex.text.replace(/\s+/g, " ")];
      group.append(new Option(chars.length > 72 ? chars.slice(0, 72).join("").trimEnd() + "…" : chars.join(""), ex.id));
    }
    if (group.children.length) exampleSelect.append(group);
  }
  exampleSelect.closest(".examples").hidden = examples.length === 0;
}

/** The playground's form values by control id, to carry over a re-mount. */
function formState() {
  return [...app.querySelectorAll("form [id]")].map((e) => [e.id, e.type === "checkbox" ? e.checked : e.value]);
}

/** Mounts (again) in `lang`, whose strings are loaded; what was typed and chosen stays,
 * and is analysed again. */
function mount(lang) {
  if (Object.keys(strings).length) setUiStrings(strings);
  applyStrings(lang);
  const state = formState();
  mountPlayground(app);
  for (const [id, value] of state) {
    const e = document.getElementById(id);
    if (e) e[e.type === "checkbox" ? "checked" : "value"] = value;
  }
  if (document.getElementById("complaint").value.trim()) app.querySelector("form").requestSubmit();
  app.dataset.lang = lang;
  app.dataset.state = "ready";
}

exampleSelect.addEventListener("change", () => {
  showSource();
  const ex = examples.find((e) => e.id === exampleSelect.value);
  const form = app.querySelector("form");
  if (!ex || !form) return;
  document.getElementById("complaint").value = ex.text;
  document.getElementById("platform").value = ex.platform;
  form.requestSubmit();
});

langSelect.addEventListener("change", () => {
  app.dataset.state = "loading";
  const lang = langSelect.value;
  loadStrings(lang).then(() => mount(lang)).catch(fail);
});

function fail(e) {
  let panic = null;
  try {
    panic = lastPanic();
  } catch {}
  const error = panic || (e && e.message) || String(e);
  fatal.textContent = tr("pg_fatal", { error }) ?? `The engine could not start: ${error}`;
  fatal.hidden = false;
}

try {
  const lang = browserLanguage();
  langSelect.value = lang;
  const engine = init();
  const list = getJson("examples.json");
  await loadStrings(lang);
  applyStrings(lang);
  await engine;
  examples = Array.isArray(await list) ? await list : [];
  fillExamples();
  mount(lang);
} catch (e) {
  fail(e);
}
