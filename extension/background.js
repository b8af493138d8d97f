// Calmly service worker (Chromium) / background script (Firefox): settings defaults,
// the context menu, keyboard commands and the toolbar button. It makes no network
// request; the engine runs in the sidebar page.

const api = globalThis.browser ?? globalThis.chrome;

const DEFAULT_SETTINGS = {
  brand: "",
  agent: "",
  channels: { email: "", phone: "", link: "" },
  compensation_allowed: false,
  gesture: "",
  fallback_language: "en",
  response_target_minutes: 60,
};

api.runtime.onInstalled.addListener(async () => {
  api.contextMenus.create({
    id: "calmly-analyze-selection",
    title: api.i18n.getMessage("menuAnalyzeSelection") || "Analyse selection with Calmly",
    contexts: ["selection"],
  });
  const { settings } = await api.storage.local.get("settings");
  if (settings === undefined) await api.storage.local.set({ settings: DEFAULT_SETTINGS });
});

// Makes sure the content script is in the tab (it is already on supported sites; on any
// other site the user's click or shortcut grants activeTab for this one tab).
async function ensureContent(tabId) {
  try {
    await api.scripting.executeScript({ target: { tabId }, files: ["sites.js", "insert.js", "generic.js", "content.js"] });
    return true;
  } catch (e) {
    // Pages the browser protects (the web store, about: pages) refuse scripts.
    console.warn("Calmly cannot run on this page:", e && e.message);
    return false;
  }
}

async function sendToTab(tab, msg) {
  if (!tab || tab.id === undefined) return;
  if (!(await ensureContent(tab.id))) return;
  try {
    await api.tabs.sendMessage(tab.id, msg);
  } catch (e) {
    console.warn("Calmly could not reach the page:", e && e.message);
  }
}

api.contextMenus.onClicked.addListener((info, tab) => {
  if (info.menuItemId === "calmly-analyze-selection") sendToTab(tab, { type: "analyze-selection", text: info.selectionText || "" });
});

api.commands.onCommand.addListener(async (command, tab) => {
  tab = tab ?? (await api.tabs.query({ active: true, currentWindow: true }))[0];
  if (command === "toggle-sidebar") sendToTab(tab, { type: "toggle" });
  else if (command === "analyze-selection") sendToTab(tab, { type: "analyze-selection" });
});

api.action.onClicked.addListener((tab) => sendToTab(tab, { type: "toggle" }));
