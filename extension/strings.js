// The interface strings for the extension's own pages (options, cases) and the background
// notifications: `ui/<lang>.json`, then English (`ui/en.json`), then the key itself. Plain JS, no wasm, no DOM needed
// for loadStrings (the service worker uses it too).

const api = globalThis.browser ?? globalThis.chrome;

/** The interface languages. */
export const UI_LANGUAGES = ["en", "pt", "es", "pl", "ro"];

/** The interface language: the settings' choice, else the browser's, else English. */
export function uiLanguage(settings) {
  const chosen = settings && typeof settings.ui_language === "string" ? settings.ui_language : "";
  if (UI_LANGUAGES.includes(chosen)) return chosen;
  const browser = String((globalThis.navigator && navigator.language) || "en").slice(0, 2).toLowerCase();
  return UI_LANGUAGES.includes(browser) ? browser : "en";
}

/** One strings file of the extension (`ui/pl.json`), or null. */
export async function fetchStrings(path) {
  try {
    const res = await fetch(api.runtime.getURL(path));
    if (!res.ok) return null;
    const json = await res.json();
    return json && typeof json === "object" && !Array.isArray(json) ? json : null;
  } catch {
    return null; // a language without a file: the fallbacks answer
  }
}

/**
 * Loads the strings for `settings`' interface language and returns `tr(key, args)`:
 * the text with each `{name}` replaced by `args.name` (placeholders without a value stay
 * as they are). `tr.lang` is the language chosen.
 */
export async function loadStrings(settings) {
  const lang = uiLanguage(settings);
  const paths = [...new Set([`ui/${lang}.json`, "ui/en.json"])];
  const tables = (await Promise.all(paths.map(fetchStrings))).filter(Boolean);
  const tr = (key, args) => {
    let text = key;
    for (const t of tables) {
      if (typeof t[key] === "string") {
        text = t[key];
        break;
      }
    }
    if (!args) return text;
    return text.replace(/\{([a-z_]+)\}/g, (m, name) => (args[name] === undefined || args[name] === null ? m : String(args[name])));
  };
  tr.lang = lang;
  return tr;
}

/**
 * Puts the strings into a page: `data-i18n="key"` sets an element's text;
 * `data-i18n-attr="attr:key;attr:key"` sets attributes (aria-label, placeholder, title).
 */
export function applyStrings(root, tr) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = tr(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-attr]")) {
    for (const pair of el.dataset.i18nAttr.split(";")) {
      const [attr, key] = pair.split(":").map((s) => s.trim());
      if (attr && key) el.setAttribute(attr, tr(key));
    }
  }
  if (root.documentElement) root.documentElement.lang = tr.lang;
}
