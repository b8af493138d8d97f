// Calmly content script: reads the page, mounts the sidebar. No wasm here — a page's CSP
// may forbid wasm in content scripts (see ARCHITECTURE.md); the engine runs in the
// sidebar, an extension page inside an iframe in a closed shadow root.
//
// It applies the site adapters of data/sites/*.toml (compiled into sites.js by the
// build) exactly as src/extract/mod.rs does natively: same selectors, same text rules.
(() => {
  "use strict";
  if (globalThis.__calmlyContent) return; // injected twice (manifest + activeTab): once is enough
  globalThis.__calmlyContent = true;

  const SITES = globalThis.CALMLY_SITES || [];
  const SIDEBAR_WIDTH = "400px";

  const squash = (s) => (s || "").split(/\s+/).filter(Boolean).join(" ");

  // A host entry may carry a path prefix ("google.com/maps"); see data/sites/README.md.
  function hostMatches(entry, host, path) {
    const i = entry.indexOf("/");
    const h = i < 0 ? entry : entry.slice(0, i);
    const prefix = i < 0 ? "" : entry.slice(i);
    return (host === h || host.endsWith("." + h)) && path.startsWith(prefix);
  }

  function siteFor(host, path) {
    host = host.toLowerCase();
    return SITES.find((s) => s.hosts.some((h) => hostMatches(h, host, path))) || null;
  }

  function pageFor(site, path) {
    return site.pages.find((p) => p.path_contains.length === 0 || p.path_contains.some((c) => path.includes(c))) || null;
  }

  function firstNumber(s) {
    const m = /\d[\d.,]*/.exec(s || "");
    if (!m) return null;
    const n = parseFloat(m[0].replace(/[.,]+$/, "").replace(",", "."));
    return Number.isFinite(n) ? n : null;
  }

  function query(root, selector) {
    try {
      return root.querySelector(selector);
    } catch {
      return null; // a selector this browser does not know: treat as absent
    }
  }

  // The engine analyses a text's first 64 KB (MAX_TEXT_BYTES in src/engine/mod.rs); a text
  // clipped to as many characters is analysed the same, and a 5 MB text is not squashed,
  // posted and copied into the wasm whole. The raw text is cut first (at 4×, room for the
  // whitespace that squashing removes).
  const MAX_TEXT = 64 * 1024;
  /** The first `n` UTF-16 units of `s`, not splitting a surrogate pair. */
  const clip = (s, n) => (s.length <= n ? s : s.slice(0, /[\ud800-\udbff]/.test(s[n - 1]) ? n - 1 : n));

  /** The element's text without script, style, noscript and template text (generic.js). */
  const visibleText = (el, max) => (globalThis.CalmlyGeneric?.visibleText ? globalThis.CalmlyGeneric.visibleText(el, max) : el.textContent);

  function value(target, field) {
    const raw = field.attr ? target.getAttribute(field.attr) : visibleText(target, 4 * MAX_TEXT);
    if (raw == null) return null;
    const v = clip(squash(clip(raw, 4 * MAX_TEXT)), MAX_TEXT);
    if (field.number) {
      const n = firstNumber(v);
      return n == null ? null : String(n);
    }
    return v || null;
  }

  function read(item, field) {
    if (!field) return null;
    if (field.all && field.selector.length) {
      // Every match of any selector, in document order (as src/extract does).
      let nodes = [];
      try {
        nodes = item.querySelectorAll(field.selector.join(","));
      } catch {
        return null;
      }
      const parts = [...nodes].map((n) => value(n, field)).filter(Boolean);
      return parts.length ? parts.join(" ") : null;
    }
    let target = item;
    if (field.selector.length) {
      target = null;
      for (const sel of field.selector) {
        target = query(item, sel);
        if (target) break;
      }
    }
    if (!target) return null;
    return value(target, field);
  }

  // ------------------------------------------------------------------ reading items
  // Which adapter page applies is decided per URL; a single-page app changes it on
  // navigation (see `watch`).
  let site = null;
  let page = null;
  let generic = false; // no adapter for this page: schema.org and comment-list heuristics
  let counter = 0;
  const elements = new Map(); // item id → element, for scroll, highlight and insert
  let seen = new WeakSet(); // item elements already sent to the sidebar

  function locate() {
    site = siteFor(location.hostname, location.pathname);
    page = site ? pageFor(site, location.pathname) : null;
    generic = false;
  }

  function pageInfo() {
    // The page's declared language (<html lang>) settles short, ambiguous comments.
    // Over 35 characters it is no language tag: left out, as the native reader does.
    const declared = String(document.documentElement.lang || "").trim();
    const lang = declared && declared.length <= 35 ? declared : null;
    return { url: location.href, title: document.title, site: site && site.id, kind: generic ? "generic" : page ? page.kind : "unknown", lang };
  }

  /** Reads one item element with the adapter; null while its text is not there yet
   *  (lazily filled comments are read again when their text arrives). */
  function readItem(el) {
    const text = read(el, page.text);
    if (!text) return null;
    const rating = firstNumber(read(el, page.rating));
    const date = read(el, page.date);
    return {
      text,
      title: read(el, page.title),
      author: read(el, page.author),
      rating,
      rating_max: rating == null ? null : page.rating_max || 5,
      date,
      age_minutes: ageMinutes(date),
      platform: site.platform,
    };
  }

  const known = new Map(); // item id → the item as sent, for the side panel's full list
  const byText = new Map(); // an item's text → the id read with it, or ids if several (`rerendered`)
  function remember(el, item) {
    const id = `${site ? site.id : "page"}-${counter++}`;
    if (el.nodeType === 1) {
      seen.add(el);
      elements.set(id, el);
    }
    const same = byText.get(item.text);
    if (same === undefined) byText.set(item.text, id);
    else if (typeof same === "string") byText.set(item.text, [same, id]);
    else same.push(id);
    const full = { id, ...item };
    known.set(id, full);
    return full;
  }

  /** Whether `el` shows an item read before whose element has left the page: a list that
   *  is rendered again, or virtualised (X's timeline drops the tweets scrolled past and
   *  builds them anew on the way back), gives new elements for the same comments. Same
   *  author, date, title and text, and the old element gone: it is that item, now at `el`
   *  (for scroll, outline and insert), not a new one. Identical comments both on the page
   *  stay two items. */
  function rerendered(el, item) {
    const same = byText.get(item.text);
    if (same === undefined) return false;
    for (const id of typeof same === "string" ? [same] : same) {
      const old = elements.get(id);
      const before = known.get(id);
      if (!old || old.isConnected || before.author !== item.author || before.date !== item.date || before.title !== item.title) continue;
      elements.set(id, el);
      seen.add(el);
      return true;
    }
    return false;
  }

  /** The adapter's items among `nodes` (elements that match its item selector). */
  function collect(nodes) {
    const out = [];
    for (const el of nodes) {
      if (seen.has(el)) continue;
      const item = readItem(el);
      if (item) out.push(remember(el, item));
    }
    return out;
  }

  function all(root, selector) {
    try {
      return root.querySelectorAll(selector);
    } catch {
      return []; // a selector this browser does not know: nothing matches
    }
  }

  // A page with thousands of comments must not freeze: items are read in slices of about
  // READ_SLICE_MS, with the page's own work (input, rendering, its scripts) in between, and
  // each slice's items go to the sidebar at once. Each slice is a performance measure
  // "calmly-scan" (tests/e2e/stress.mjs and tools/bench/feed.mjs read them).
  // Between slices the reading waits its turn behind the page's own tasks (not
  // scheduler.yield(), whose continuation runs before them: the page's timers would wait for
  // the whole reading).
  const READ_SLICE_MS = 8;
  let generation = 0; // counts page readings: a reading of a page left behind stops
  const nextTask = () =>
    globalThis.scheduler && typeof scheduler.postTask === "function" ? scheduler.postTask(() => {}) : new Promise((r) => setTimeout(r, 0));

  /** Reads the adapter's items among `nodes` a slice at a time and hands each slice's new
   *  items to `out`; false if the page was left (a new reading started) meanwhile. */
  async function collectSliced(nodes, out) {
    const gen = generation;
    let start = performance.now();
    let batch = [];
    let i = 0;
    const flush = () => {
      if (batch.length) out(batch);
      batch = [];
      if (i) performance.measure("calmly-scan", { start, end: performance.now() });
    };
    for (const el of nodes) {
      if (!seen.has(el) && el.isConnected) {
        const item = readItem(el);
        if (item && !rerendered(el, item)) batch.push(remember(el, item));
      }
      i++;
      if (performance.now() - start > READ_SLICE_MS) {
        flush();
        await nextTask();
        if (gen !== generation) return false;
        start = performance.now();
      }
    }
    flush();
    return true;
  }

  /** Every item on the page now: the adapter's, or the generic reading. */
  function scanDocument(asked) {
    if (page && page.kind !== "listing" && page.item) return collect(all(document, page.item));
    if (page) return []; // a listing page, or an adapter page kind with no items
    // No adapter page: schema.org markup, and the comment-list heuristic when the user
    // asked (it guesses, so it never opens the sidebar by itself).
    const found = globalThis.CalmlyGeneric ? globalThis.CalmlyGeneric.find(document, { heuristics: asked }) : [];
    generic = found.length > 0;
    return found
      .filter(({ el, item }) => (el ? !seen.has(el) : !byText.has(item.text))) // JSON-LD: by its text
      .map(({ el, item }) => remember(el || {}, { ...item, age_minutes: ageMinutes(item.date), platform: site ? site.platform : null }));
  }

  /** Item elements in or around nodes added to the page since the last look: each added
   *  subtree is searched once, and an addition inside an item (its text filled in later)
   *  makes that item read again. The rest of the document is not scanned again. */
  function addedItems(added) {
    const candidates = new Set();
    for (const node of added) {
      const el = node.nodeType === 1 ? node : node.parentElement;
      if (!el || !el.isConnected) continue;
      let inside = null;
      try {
        inside = el.closest(page.item);
      } catch {
        return [];
      }
      if (inside) candidates.add(inside);
      if (node.nodeType === 1) for (const m of all(node, page.item)) candidates.add(m);
    }
    return candidates;
  }

  /** Minutes since a machine-readable date (ISO 8601, as `datetime` attributes give), or
   *  null: the engine has no clock, so the page's side tells it how long a complaint has
   *  waited (urgency, and the plan's "it has waited" step). */
  function ageMinutes(date) {
    if (!date || !/^\d{4}-\d{2}-\d{2}/.test(date)) return null;
    const t = Date.parse(date);
    if (Number.isNaN(t)) return null;
    const m = Math.round((Date.now() - t) / 60000);
    return m >= 0 && m < 2 ** 32 ? m : null;
  }

  // ---------------------------------------------------------------- the sidebar frame
  let host = null;
  let frame = null;
  let queue = []; // messages waiting for the frame to say "ready"
  let ready = false;
  let shown = false;
  let dismissed = false; // the user closed the sidebar: new comments do not reopen it
  const token = crypto.randomUUID();
  const extensionOrigin = new URL(chrome.runtime.getURL("/")).origin;

  /** Creates the sidebar frame, hidden: on adapter pages this happens at document_start,
   *  so the extension page and its wasm load while the page is still parsing. */
  function mount() {
    if (host) return;
    const parent = document.documentElement;
    if (!parent) return; // no document yet; `show` mounts later
    host = document.createElement("calmly-sidebar");
    // Style through CSSOM: a page's style-src CSP does not block it.
    Object.assign(host.style, { all: "initial", position: "fixed", top: "0", right: "0", height: "100vh", width: SIDEBAR_WIDTH, zIndex: "2147483647", display: "none" });
    // Closed: page scripts cannot reach the frame (or its URL with the token) through the host.
    const root = host.attachShadow({ mode: "closed" });
    frame = document.createElement("iframe");
    frame.src = chrome.runtime.getURL("sidebar.html") + "#" + token;
    frame.title = "Calmly";
    frame.allow = "clipboard-write";
    Object.assign(frame.style, { border: "0", width: "100%", height: "100%", colorScheme: "normal", boxShadow: "0 0 12px rgba(0,0,0,.25)", background: "Canvas" });
    root.appendChild(frame);
    parent.appendChild(host);
  }

  const COLLAPSED_WIDTH = "44px";
  function collapse(on) {
    collapsed = on;
    if (host) host.style.width = on ? COLLAPSED_WIDTH : SIDEBAR_WIDTH;
  }

  // The sidebar's state per tab (closed, collapsed) lives in the background's session
  // storage, keyed by tab: it survives reloads and in-tab navigation, not the browser.
  let collapsed = false;
  let tabState = { closed: false, collapsed: false };
  function rememberTab(patch) {
    tabState = { ...tabState, ...patch };
    try {
      chrome.runtime.sendMessage({ type: "tab-state-set", state: tabState }).catch(() => {});
    } catch {
      // the extension was reloaded: nothing to remember with
    }
  }
  const tabStateLoaded = (async () => {
    try {
      const s = await chrome.runtime.sendMessage({ type: "tab-state-get" });
      if (s && typeof s === "object") tabState = { closed: !!s.closed, collapsed: !!s.collapsed };
    } catch {
      // no background (reloading): defaults
    }
  })();

  function show() {
    mount();
    if (!host) return;
    host.style.display = "block";
    shown = true;
    dismissed = false;
    if (tabState.closed) rememberTab({ closed: false });
    collapse(tabState.collapsed);
    if (tabState.collapsed) send({ type: "collapsed", collapsed: true });
  }

  function unmount() {
    if (!host) return;
    host.remove();
    host = frame = null;
    ready = shown = false;
    queue = [];
    unhighlight();
  }

  function send(msg) {
    if (!frame || !ready) {
      // A new snapshot replaces whatever was waiting; appended items wait in order.
      if (msg.type === "snapshot") queue = [];
      queue.push(msg);
      return;
    }
    // targetOrigin = the extension: the page cannot read what goes into the frame.
    frame.contentWindow.postMessage({ source: "calmly-content", token, ...msg }, extensionOrigin);
  }

  // The picked complaint is outlined on the page. Inline style through CSSOM (a page's
  // style-src CSP does not apply), put back as it was when another is picked.
  let highlighted = null;
  function highlight(el) {
    unhighlight();
    highlighted = { el, outline: el.style.outline, offset: el.style.outlineOffset };
    el.style.outline = "3px solid #f5a623";
    el.style.outlineOffset = "2px";
  }
  function unhighlight() {
    if (!highlighted) return;
    highlighted.el.style.outline = highlighted.outline;
    highlighted.el.style.outlineOffset = highlighted.offset;
    highlighted = null;
  }

  window.addEventListener("message", (ev) => {
    if (!frame || ev.source !== frame.contentWindow || ev.origin !== extensionOrigin) return;
    const msg = ev.data || {};
    if (msg.source !== "calmly-sidebar") return;
    if (msg.type === "ready") {
      ready = true;
      const waiting = queue;
      queue = [];
      waiting.forEach(send);
    } else if (msg.type === "close") {
      unmount();
      dismissed = true;
      rememberTab({ closed: true });
    } else if (msg.type === "collapse") {
      collapse(!!msg.collapsed);
      rememberTab({ collapsed: !!msg.collapsed });
    } else if (msg.type === "scroll" || msg.type === "insert") {
      act(msg).then((message) => message && send({ type: "insert-result", message }));
    }
  });

  /** What the sidebar asks of the page, from the in-page frame or the side panel: scroll
   *  to an item (and outline it), or insert a draft. Resolves to a message for the user. */
  async function act(msg) {
    if (msg.type === "scroll") {
      const el = elements.get(msg.id);
      if (el && el.isConnected) {
        el.scrollIntoView({ block: "center", behavior: "smooth" });
        highlight(el);
      }
      return null;
    }
    try {
      return await globalThis.CalmlyInsert.insert({ item: elements.get(String(msg.id || "")) || null, page, text: String(msg.text || "") });
    } catch (e) {
      return `Could not insert: ${e && e.message} — use Copy.`;
    }
  }

  // Items go to the sidebar SEND_MAX at a time: each message is analysed in one task in the
  // sidebar's frame, so a page of 10,000 comments does not hold it for seconds.
  const SEND_MAX = 50;
  let fresh = true; // the next items start a new list in the sidebar (a new page, or reopened)

  /** Hands newly read items to the sidebar: the start of a fresh list (opening the sidebar,
   *  unless the user closed it) or more for the list on screen. */
  function deliver(items, panel = true) {
    if (!items.length) return;
    if (panel && panelWatching) toPanel({ type: "panel-items", url: location.href, items });
    if (!shown && dismissed) return;
    const start = performance.now();
    for (let i = 0; i < items.length; i += SEND_MAX) {
      const part = items.slice(i, i + SEND_MAX);
      if (fresh) {
        show();
        fresh = false;
        send({ type: "snapshot", snapshot: { ...pageInfo(), items: part } });
      } else send({ type: "items", items: part });
    }
    performance.measure("calmly-send", { start, end: performance.now() }); // within "calmly-scan"
  }

  /** Reads the whole page and hands it to the sidebar as a fresh list, a slice at a time.
   *  `open`: the user asked, so the sidebar opens even if nothing is found. */
  async function analyzePage(open) {
    generation++;
    fresh = true;
    if (open) show();
    // Reopened on the same page: what was read before comes first (those elements are not
    // read again).
    if (known.size) deliver([...known.values()], false);
    if (page && page.kind !== "listing" && page.item) {
      if (!(await collectSliced(all(document, page.item), deliver))) return;
    } else if (!page) {
      const start = performance.now();
      deliver(scanDocument(open));
      performance.measure("calmly-scan", { start, end: performance.now() });
    }
    performance.mark("calmly-snapshot");
    if (fresh && shown) {
      // Nothing to list: the sidebar says so (nothing found, or a listing page).
      fresh = false;
      send({ type: "snapshot", snapshot: { ...pageInfo(), items: [] } });
    }
  }

  let panelWatching = false; // a side panel asked for this tab's items: it gets the new ones
  /** Tells an open side panel about this tab's changes (nobody listening is fine). */
  function toPanel(msg) {
    try {
      chrome.runtime.sendMessage(msg).catch(() => {});
    } catch {
      // the extension was reloaded
    }
  }

  // ------------------------------------------------------------------ live pages
  // Comments that arrive later (infinite scroll, "load more", lazily rendered threads) and
  // single-page navigation. Mutations are batched and looked at once the page has been
  // quiet for DEBOUNCE_MS; only the added nodes are searched. Nothing polls.
  // A page that never stops changing (a clock, a live chat, a video's progress) is still
  // looked at every MAX_WAIT_MS.
  const DEBOUNCE_MS = 200;
  const MAX_WAIT_MS = 1000;
  const MAX_ADDED = 50000;
  let added = [];
  let rescan = false; // more than MAX_ADDED additions: read the whole page again instead
  let timer = 0;
  let waitingSince = 0;
  let lastUrl = location.href;

  function schedule() {
    const now = performance.now();
    if (!timer) waitingSince = now;
    clearTimeout(timer);
    timer = setTimeout(settle, Math.max(0, Math.min(DEBOUNCE_MS, waitingSince + MAX_WAIT_MS - now)));
  }

  function settle() {
    timer = 0;
    const nodes = added;
    const everything = rescan;
    added = [];
    rescan = false;
    if (location.href !== lastUrl) {
      // A single-page app moved to another page: start over with its adapter page.
      lastUrl = location.href;
      toPanel({ type: "panel-page" });
      elements.clear();
      known.clear();
      byText.clear();
      seen = new WeakSet();
      unhighlight();
      locate();
      analyzePage(shown);
      return;
    }
    if (!page || !page.item || page.kind === "listing") return;
    // Elements already read are skipped; the new ones go to the sidebar slice by slice.
    const start = performance.now();
    const candidates = everything ? all(document, page.item) : addedItems(nodes);
    if (performance.now() - start > 1) performance.measure("calmly-scan", { start, end: performance.now() });
    collectSliced(candidates, deliver);
  }

  function watch() {
    const observer = new MutationObserver((records) => {
      if (!rescan) {
        for (const r of records) {
          if (r.type === "childList") for (const n of r.addedNodes) added.push(n);
          else added.push(r.target); // characterData: text filled into an existing node
        }
        if (added.length > MAX_ADDED) {
          added = [];
          rescan = true;
        }
      }
      schedule();
    });
    observer.observe(document.documentElement, { childList: true, subtree: true, characterData: true });
    // History API navigation changes the URL, usually with mutations; popstate and the
    // Navigation API (where the browser has it) catch the rest.
    const nudge = schedule;
    addEventListener("popstate", nudge);
    if (globalThis.navigation && navigation.addEventListener) navigation.addEventListener("navigatesuccess", nudge);
  }

  chrome.runtime.onMessage.addListener((msg, _sender, reply) => {
    if (!msg || typeof msg !== "object") return;
    if (msg.type === "toggle") {
      if (shown) {
        unmount();
        dismissed = true;
        rememberTab({ closed: true });
      } else {
        if (!site) locate();
        analyzePage(true);
      }
    } else if (msg.type === "panel-snapshot") {
      // The side panel (Chrome) or sidebar (Firefox) shows this tab's items instead of the
      // in-page frame: everything read so far, or a fresh reading.
      if (!site) locate();
      panelWatching = true;
      const items = known.size ? [...known.values()] : scanDocument(true);
      reply({ ...pageInfo(), items });
      return;
    } else if (msg.type === "panel-act" && msg.msg && typeof msg.msg === "object") {
      act(msg.msg).then((message) => reply({ message }));
      return true; // replies asynchronously
    } else if (msg.type === "key") {
      // The extension's page-wide shortcuts (next complaint, insert) act in the sidebar.
      if (shown) send({ type: "key", action: String(msg.action || "") });
    } else if (msg.type === "analyze-selection") {
      const text = squash(msg.text || String(getSelection() || ""));
      if (!text) return;
      show();
      send({
        type: "snapshot",
        snapshot: { ...pageInfo(), kind: "selection", items: [{ id: "selection", text, platform: site ? site.platform : null }] },
      });
    }
  });

  async function siteEnabled(id) {
    try {
      const { settings } = await chrome.storage.local.get("settings");
      const enabled = settings && typeof settings === "object" && settings.enabled_sites;
      return !(enabled && typeof enabled === "object" && enabled[id] === false);
    } catch {
      return true; // unreadable settings: the defaults (every site on)
    }
  }

  // On an adapter's review or thread page: load the sidebar (hidden) now, read the page
  // at DOMContentLoaded, show the sidebar if there is anything to answer, then follow the
  // page as it changes. On other pages nothing happens until the user asks (toggle or
  // "Analyse selection", which inject this script through activeTab).
  locate();
  if (site) {
    if (page && page.kind !== "listing") mount();
    const start = async () => {
      await tabStateLoaded;
      if (tabState.closed) dismissed = true; // closed in this tab before: wait to be asked
      // A site switched off in the options opens nothing by itself (the toolbar button and
      // the shortcut still work there).
      if (!(await siteEnabled(site.id))) {
        if (host) unmount();
        return;
      }
      analyzePage(false);
      if (document.documentElement) watch();
    };
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start, { once: true });
    else start();
  }
})();
