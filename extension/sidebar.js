// Loads the engine (wasm) and hands the sidebar to it. Runs under the extension's CSP,
// so wasm is allowed whatever the host page's CSP says.
import init, { mountSidebar, lastPanic, setUiStrings } from "./pkg/calmly.js";
import { fetchStrings, uiLanguage } from "./strings.js";

performance.mark("calmly-script");

const fatal = document.getElementById("calmly-fatal");
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
  try {
    mountSidebar(app, token, settings);
    performance.mark("calmly-mounted");
    if (isPanel) panel();
  } catch (e) {
    // Unreadable settings must not stop the sidebar: run on defaults and say so. The
    // stored value is left untouched for the options page to repair.
    mountSidebar(app, token, null);
    fail("Your Calmly settings could not be read, so defaults are used", e);
  }
} catch (e) {
  fail("Calmly could not start", e);
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

