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

  function siteFor(host) {
    host = host.toLowerCase();
    return SITES.find((s) => s.hosts.some((h) => host === h || host.endsWith("." + h))) || null;
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

  function read(item, field) {
    if (!field) return null;
    let target = item;
    if (field.selector.length) {
      target = null;
      for (const sel of field.selector) {
        target = query(item, sel);
        if (target) break;
      }
    }
    if (!target) return null;
    let raw = field.attr ? target.getAttribute(field.attr) : target.textContent;
    if (raw == null) return null;
    const v = squash(raw);
    if (field.number) {
      const n = firstNumber(v);
      return n == null ? null : String(n);
    }
    return v || null;
  }

  const elements = new Map(); // item id → element, for scroll and insert

  function snapshot() {
    const site = siteFor(location.hostname);
    const snap = { url: location.href, title: document.title, site: site && site.id, kind: "unknown", items: [] };
    if (!site) return snap;
    const page = pageFor(site, location.pathname);
    if (!page) return snap;
    snap.kind = page.kind;
    if (!page.item) return snap;
    let nodes = [];
    try {
      nodes = document.querySelectorAll(page.item);
    } catch {
      return snap;
    }
    nodes.forEach((el, n) => {
      const text = read(el, page.text);
      if (!text) return;
      const id = `${site.id}-${n}`;
      const rating = firstNumber(read(el, page.rating));
      const date = read(el, page.date);
      elements.set(id, el);
      snap.items.push({
        id,
        text,
        title: read(el, page.title),
        author: read(el, page.author),
        rating,
        rating_max: rating == null ? null : 5,
        date,
        age_minutes: ageMinutes(date),
        platform: site.platform,
      });
    });
    return snap;
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
  let pending = null; // snapshot waiting for the frame to say "ready"
  let ready = false;
  const token = crypto.randomUUID();
  const extensionOrigin = new URL(chrome.runtime.getURL("/")).origin;

  function mount() {
    if (host) return;
    host = document.createElement("calmly-sidebar");
    // Style through CSSOM: a page's style-src CSP does not block it.
    Object.assign(host.style, { all: "initial", position: "fixed", top: "0", right: "0", height: "100vh", width: SIDEBAR_WIDTH, zIndex: "2147483647", display: "block" });
    // Closed: page scripts cannot reach the frame (or its URL with the token) through the host.
    const root = host.attachShadow({ mode: "closed" });
    frame = document.createElement("iframe");
    frame.src = chrome.runtime.getURL("sidebar.html") + "#" + token;
    frame.title = "Calmly";
    frame.allow = "clipboard-write";
    Object.assign(frame.style, { border: "0", width: "100%", height: "100%", colorScheme: "normal", boxShadow: "0 0 12px rgba(0,0,0,.25)", background: "Canvas" });
    root.appendChild(frame);
    document.documentElement.appendChild(host);
  }

  function unmount() {
    if (!host) return;
    host.remove();
    host = frame = null;
    ready = false;
  }

  function send(msg) {
    if (!frame || !ready) {
      pending = msg;
      return;
    }
    // targetOrigin = the extension: the page cannot read what goes into the frame.
    frame.contentWindow.postMessage({ source: "calmly-content", token, ...msg }, extensionOrigin);
  }

  window.addEventListener("message", (ev) => {
    if (!frame || ev.source !== frame.contentWindow || ev.origin !== extensionOrigin) return;
    const msg = ev.data || {};
    if (msg.source !== "calmly-sidebar") return;
    if (msg.type === "ready") {
      ready = true;
      if (pending) {
        const p = pending;
        pending = null;
        send(p);
      }
    } else if (msg.type === "close") {
      unmount();
    } else if (msg.type === "scroll") {
      const el = elements.get(msg.id);
      if (el) el.scrollIntoView({ block: "center", behavior: "smooth" });
    } else if (msg.type === "insert") {
      send({ type: "insert-result", message: insert(String(msg.id || ""), String(msg.text || "")) });
    }
  });

  // Puts the draft into the complaint's reply box when the site has one open. Never
  // submits. Issue 5 adds framework editors and opening the reply box.
  function insert(id, text) {
    const site = siteFor(location.hostname);
    const page = site && pageFor(site, location.pathname);
    const item = elements.get(id);
    const sel = page && page.reply_box;
    const box = sel && ((item && query(item, sel)) || query(document, sel));
    if (!box) return "No reply box is open on the page for this complaint — use Copy and paste it.";
    box.focus();
    if (box.isContentEditable || "value" in box) {
      // The editor's own input path keeps its state (undo, frameworks) intact.
      if (document.execCommand("insertText", false, text)) return "Inserted. Review it, then send it yourself.";
    }
    return "The reply box did not accept the text — use Copy and paste it.";
  }

  function analyze(snap) {
    mount();
    send({ type: "snapshot", snapshot: snap });
  }

  chrome.runtime.onMessage.addListener((msg) => {
    if (!msg || typeof msg !== "object") return;
    if (msg.type === "toggle") {
      if (host) unmount();
      else analyze(snapshot());
    } else if (msg.type === "analyze-selection") {
      const text = squash(msg.text || String(getSelection() || ""));
      if (!text) return;
      const site = siteFor(location.hostname);
      analyze({
        url: location.href,
        title: document.title,
        site: site && site.id,
        kind: "selection",
        items: [{ id: "selection", text, platform: site ? site.platform : null }],
      });
    }
  });

  // On a supported page with reviews or comments, open the sidebar straight away.
  if (siteFor(location.hostname)) {
    const snap = snapshot();
    if (snap.kind !== "listing" && snap.items.length) analyze(snap);
  }
})();
