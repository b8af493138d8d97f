// Loads the engine (wasm) and hands the sidebar to it. Runs under the extension's CSP,
// so wasm is allowed whatever the host page's CSP says.
import init, { mountSidebar, lastPanic, setUiStrings } from "./pkg/calmly.js";
import { fetchStrings, uiLanguage } from "./strings.js";

performance.mark("calmly-script");

const fatal = document.getElementById("calmly-fatal");
const app = document.getElementById("app");
const token = location.hash.slice(1);

function fail(what, err) {
  fatal.textContent = `${what}: ${lastPanicSafe() || (err && err.message) || err}`;
  fatal.hidden = false;
}

function lastPanicSafe() {
  try {
    return lastPanic();
  } catch {
    return null;
  }
}

async function loadSettings() {
  try {
    const { settings } = await chrome.storage.local.get("settings");
    return settings ?? null;
  } catch {
    return null;
  }
}

// Timing marks for the benchmark (tools/bench/sidebar.mjs): the sidebar is ready when the
// analysis is on screen.
new MutationObserver((_, obs) => {
  if (app.dataset.state === "ready") {
    performance.mark("calmly-ready");
    obs.disconnect();
  }
}).observe(app, { attributes: true, attributeFilter: ["data-state"] });

try {
  const [settings] = await Promise.all([loadSettings(), init()]);
  performance.mark("calmly-wasm");
  const lang = uiLanguage(settings);
  document.documentElement.lang = lang;
  // English is compiled into the wasm; other languages lay their file over it.
  const strings = lang === "en" ? null : await fetchStrings(`ui/${lang}.json`);
  if (strings) setUiStrings(strings);
  try {
    mountSidebar(app, token, settings);
    performance.mark("calmly-mounted");
  } catch (e) {
    // Unreadable settings must not stop the sidebar: run on defaults and say so. The
    // stored value is left untouched for the options page to repair.
    mountSidebar(app, token, null);
    fail("Your Calmly settings could not be read, so defaults are used", e);
  }
} catch (e) {
  fail("Calmly could not start", e);
}
