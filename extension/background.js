// Calmly service worker (Chromium) / background script (Firefox): settings defaults,
// the context menu, keyboard commands, the toolbar button and the follow-up reminders.
// It makes no network request; the engine runs in the sidebar page.
import { loadStrings } from "./strings.js";

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
  await ensureFollowUpAlarm();
});

api.runtime.onStartup.addListener(ensureFollowUpAlarm);

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
  else if (command === "next-complaint") sendToTab(tab, { type: "key", action: "next" });
  else if (command === "insert-draft") sendToTab(tab, { type: "key", action: "insert" });
  else if (command === "analyze-selection") sendToTab(tab, { type: "analyze-selection" });
});

api.action.onClicked.addListener((tab) => sendToTab(tab, { type: "toggle" }));

// The sidebar's per-tab state (closed, collapsed), for the content script, which cannot
// reach session storage itself. Cleared with the tab.
api.runtime.onMessage.addListener((msg, sender, reply) => {
  const tabId = sender && sender.tab && sender.tab.id;
  if (!msg || typeof msg !== "object" || tabId === undefined) return false;
  const key = `tab:${tabId}`;
  if (msg.type === "tab-state-get") {
    api.storage.session.get(key).then((v) => reply(v[key] || null), () => reply(null));
    return true; // replies asynchronously
  }
  if (msg.type === "tab-state-set" && msg.state && typeof msg.state === "object") {
    api.storage.session.set({ [key]: { closed: !!msg.state.closed, collapsed: !!msg.state.collapsed } }).catch(() => {});
  }
  return false;
});
api.tabs.onRemoved.addListener((tabId) => api.storage.session.remove(`tab:${tabId}`).catch(() => {}));

// Follow-up reminders. A case (`case:<id>`, written by the sidebar) may carry `follow_up`,
// an epoch-ms time to come back to it. Every 5 minutes the due ones are notified, once per
// follow-up time: `notified:<id>` records the `follow_up` value last notified. Plain JS,
// no wasm here: only numbers are compared, and entries that are not objects are ignored
// (the case list repairs them).
const FOLLOW_UP_ALARM = "calmly-follow-ups";
const NOTIFICATION_PREFIX = "calmly-follow-up:";

async function ensureFollowUpAlarm() {
  try {
    if (!(await api.alarms.get(FOLLOW_UP_ALARM))) await api.alarms.create(FOLLOW_UP_ALARM, { periodInMinutes: 5 });
  } catch (e) {
    console.warn("Calmly could not set its follow-up alarm:", e && e.message);
  }
}

api.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === FOLLOW_UP_ALARM) checkFollowUps();
});

let checking = null;
/** Notifies every due follow-up not notified yet; returns the ids notified. */
function checkFollowUps(now = Date.now()) {
  // One check at a time, so an alarm and a manual call cannot notify a case twice.
  checking ??= notifyDue(now).finally(() => (checking = null));
  return checking;
}
globalThis.calmlyCheckFollowUps = checkFollowUps;

async function notifyDue(now) {
  const all = await api.storage.local.get(null);
  const due = [];
  for (const [key, c] of Object.entries(all)) {
    if (!key.startsWith("case:") || !c || typeof c !== "object" || Array.isArray(c)) continue;
    const at = c.follow_up;
    if (typeof at !== "number" || !Number.isFinite(at) || at > now || c.stage === "closed") continue;
    const id = typeof c.id === "string" && c.id ? c.id : key.slice("case:".length);
    if (all[`notified:${id}`] === at) continue;
    due.push({ id, at, c });
  }
  if (!due.length) return [];
  const tr = await loadStrings(all.settings);
  const notified = [];
  for (const { id, at, c } of due.sort((a, b) => a.at - b.at)) {
    const text = typeof c.text === "string" ? c.text.replace(/\s+/g, " ").trim() : "";
    const excerpt = text.length > 120 ? `${text.slice(0, 119)}…` : text;
    const author = typeof c.author === "string" && c.author.trim() ? c.author.trim() : "";
    try {
      await api.notifications.create(NOTIFICATION_PREFIX + id, {
        type: "basic",
        iconUrl: api.runtime.getURL("icons/128.png"),
        title: tr("cases_notify_title"),
        message: author ? tr("cases_notify_message", { author, excerpt }) : tr("cases_notify_message_anonymous", { excerpt }),
      });
    } catch (e) {
      console.warn("Calmly could not show a follow-up reminder:", e && e.message);
      continue; // not recorded: tried again at the next check
    }
    await api.storage.local.set({ [`notified:${id}`]: at });
    notified.push(id);
  }
  return notified;
}

api.notifications.onClicked.addListener((notificationId) => {
  if (!notificationId.startsWith(NOTIFICATION_PREFIX)) return;
  api.tabs.create({ url: api.runtime.getURL("cases.html") });
  api.notifications.clear(notificationId);
});

// A service worker that starts without onInstalled/onStartup (reloaded, or woken up after
// the alarm was cleared) still gets its alarm.
ensureFollowUpAlarm();
