// Loads the engine (wasm) and hands the sidebar to it. Runs under the extension's CSP,
// so wasm is allowed whatever the host page's CSP says.
import init, { mountSidebar, lastPanic, setUiStrings } from "./pkg/calmly.js";
import { fetchStrings, uiLanguage } from "./strings.js";

performance.mark("calmly-script");

const fatal = document.getElementById("calmly-fatal");
/** Settings longer than this as JSON (defaults are ~300 characters; only the brand's own
 *  templates make them longer) go through the storage loader before use. */
const QUICK_CHECK_MAX = 4096;
const app = document.getElementById("app");
// In a web page, the sidebar is an iframe whose URL carries the content script's token.
// As Chrome's side panel or Firefox's sidebar (`sidebar.html?panel`), it talks to the
// active tab's content script through runtime messages instead (see `panel()` below).
const isPanel = new URLSearchParams(location.search).has("panel");
const token = isPanel ? crypto.randomUUID() : location.hash.slice(1);

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
  // Large settings may hold an oversized value: the storage loader checks every cap.
  let repaired = settings !== null && JSON.stringify(settings).length > QUICK_CHECK_MAX ? await repairSettings(settings).catch(() => null) : null;
  try {
    mountSidebar(app, token, repaired ? repaired.settings : settings);
  } catch (e) {
    // Unreadable settings must not stop the sidebar: what reads is kept, the rest is reset
    // (a copy of the stored value is kept first), and the sidebar says so.
    repaired = await repairSettings(settings).catch(() => null);
    try {
      mountSidebar(app, token, repaired ? repaired.settings : null);
    } catch {
      mountSidebar(app, token, null);
      repaired = null;
    }
    if (!repaired) fail("Your Calmly settings could not be read, so defaults are used", e);
  }
  performance.mark("calmly-mounted");
  if (repaired && repaired.warnings.length) warn(`Some of your saved settings could not be used as they were: ${repaired.warnings.join(" ")}`);
  if (isPanel) panel();
} catch (e) {
  fail("Calmly could not start", e);
}

/**
 * Stored settings through the storage wasm's loader (src/engine/stored.rs, as on the
 * options page): every value that reads and is within its cap is kept, the rest reset.
 * When something was reset, the raw value is kept under backup:settings:<ms> in the same
 * write as the repaired settings, so it is never replaced without its copy; if the browser
 * refuses that write (a full quota), nothing is written and the warnings say so.
 */
async function repairSettings(raw) {
  const store = await import("./pkg/calmly_store.js");
  await store.default();
  const load = store.loadSettings(raw);
  const warnings = [...load.warnings];
  const writes = {};
  if (load.backup !== null && load.backup !== undefined) writes[`backup:settings:${Date.now()}`] = raw;
  if (load.rewrite) writes.settings = load.settings;
  if (Object.keys(writes).length) {
    try {
      await chrome.storage.local.set(writes);
    } catch (e) {
      warnings.push(`They could not be repaired in storage (${(e && e.message) || e}) and were left as they are.`);
    }
  }
  return { settings: load.settings, warnings };
}

function warn(text) {
  const box = document.getElementById("calmly-warning");
  box.textContent = text;
  box.hidden = false;
}

/**
 * Side panel mode: the same sidebar, fed by the active tab. Messages the sidebar posts to
 * its "parent" (itself, here) go to the tab's content script; the page's answers and live
 * additions come back as the messages the in-page frame would get. `?panel&tab=<id>` pins
 * a tab (a detached panel window, and the tests).
 */
function panel() {
  const api = globalThis.browser ?? globalThis.chrome;
  const pinned = Number(new URLSearchParams(location.search).get("tab")) || null;
  let tabId = pinned;
  const deliver = (msg) => window.postMessage({ source: "calmly-content", token, ...msg }, location.origin);
  const empty = () => ({ url: null, title: null, site: null, kind: "unknown", items: [] });

  async function load() {
    if (!pinned) {
      const [tab] = await api.tabs.query({ active: true, lastFocusedWindow: true });
      tabId = tab ? tab.id : null;
    }
    let snapshot = empty();
    if (tabId != null) {
      try {
        snapshot = (await api.tabs.sendMessage(tabId, { type: "panel-snapshot" })) || empty();
      } catch {
        // No content script in that tab (a page without an adapter): the toolbar button or
        // Alt+Shift+C reads it.
      }
    }
    deliver({ type: "snapshot", snapshot });
  }

  window.addEventListener("message", async (ev) => {
    const msg = ev.data || {};
    if (ev.source !== window || msg.source !== "calmly-sidebar" || tabId == null) return;
    if (msg.type === "scroll" || msg.type === "insert") {
      try {
        const res = await api.tabs.sendMessage(tabId, { type: "panel-act", msg: { type: msg.type, id: msg.id, text: msg.text } });
        if (msg.type === "insert" && res && res.message) deliver({ type: "insert-result", message: res.message });
      } catch {
        if (msg.type === "insert") deliver({ type: "insert-result", message: "The page is not reachable — reload it, or use Copy." });
      }
    }
  });
  api.runtime.onMessage.addListener((msg, sender) => {
    if (!msg || !sender.tab || sender.tab.id !== tabId) return;
    if (msg.type === "panel-items") deliver({ type: "items", items: msg.items });
    else if (msg.type === "panel-page") setTimeout(load, 300);
  });
  if (!pinned) {
    api.tabs.onActivated.addListener(() => load());
    api.tabs.onUpdated.addListener((id, info) => id === tabId && info.status === "complete" && load());
  }
  load();
}

