// Sees every network request of every context of a Chromium run, the extension's service
// worker included, independently of Playwright's interception: a second DevTools client on
// the browser target auto-attaches (flattened sessions, waiting for the debugger) to every
// page, service worker and out-of-process iframe, enables Network and Audits on each, and
// records:
//   - Network.requestWillBeSent / webSocketCreated / webTransportCreated for http(s), ws(s)
//     and ftp URLs (the extension's own chrome-extension:, data: and blob: are local);
//   - Audits ContentSecurityPolicyIssue: an attempt the extension pages' CSP blocked before
//     it became a request (`connect-src 'self'`), which no network hook can see.
// A request counts as the extension's when its target (service worker, extension page, the
// sidebar's iframe) ever had a chrome-extension:// URL, or, in a web page's target, when the
// script that started it is an extension script (the initiator's stack: content scripts).
//
// Chromium must be started with `--remote-debugging-port=0` (Playwright keeps its own pipe);
// the port is read from DevToolsActivePort in the profile. Limit: a new target waits for
// the debugger until the FIRST client lets it run; when that is Playwright, a service
// worker's very first request can come before this client's Network.enable (CSP refusals
// are not lost: Audits replays a target's issues). hostile.mjs backs this up with
// Playwright's interception and a dead-end proxy.
import { readFileSync } from "node:fs";
import { join } from "node:path";

const NETWORK = /^(https?|wss?|ftp):/i;
const EXT_URL = /^chrome-extension:\/\//i;

async function socketClass() {
  if (globalThis.WebSocket) return globalThis.WebSocket;
  return (await import("ws")).default;
}

export class NetWatch {
  /** Connects to the browser whose profile is `profile`. */
  static async attach(profile, { timeout = 10000 } = {}) {
    const end = Date.now() + timeout;
    let port = null;
    while (!port) {
      try {
        const [p, path] = readFileSync(join(profile, "DevToolsActivePort"), "utf8").split("\n");
        if (p && path) port = { p, path };
      } catch {}
      if (!port) {
        if (Date.now() > end) throw new Error("no DevToolsActivePort: was Chromium started with --remote-debugging-port=0?");
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    const WS = await socketClass();
    const ws = new WS(`ws://127.0.0.1:${port.p}${port.path}`);
    await new Promise((resolve, reject) => {
      ws.addEventListener("open", resolve, { once: true });
      ws.addEventListener("error", (e) => reject(new Error(`DevTools socket: ${e.message || e.type}`)), { once: true });
    });
    const w = new NetWatch(ws);
    await w.send("Target.setDiscoverTargets", { discover: true });
    await w.send("Target.setAutoAttach", { autoAttach: true, waitForDebuggerOnStart: true, flatten: true });
    return w;
  }

  constructor(ws) {
    this.ws = ws;
    this.id = 0;
    this.pending = new Map();
    /** sessionId → targetId */
    this.sessions = new Map();
    /** targetId → { type, urls: Set } (kept after detach, for attribution) */
    this.targets = new Map();
    /** sessionId → execution contexts (Runtime.enable'd sessions only) */
    this.contexts = new Map();
    /** Everything seen: { kind: request|websocket|webtransport|csp, url, method, sessionId, targetId, initiator } */
    this.events = [];
    this.seen = new Set();
    this.errors = [];
    ws.addEventListener("message", (ev) => this.onMessage(JSON.parse(typeof ev.data === "string" ? ev.data : ev.data.toString())));
  }

  send(method, params = {}, sessionId) {
    const id = ++this.id;
    const msg = { id, method, params };
    if (sessionId) msg.sessionId = sessionId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, method });
      this.ws.send(JSON.stringify(msg));
    });
  }

  target(info) {
    let t = this.targets.get(info.targetId);
    if (!t) this.targets.set(info.targetId, (t = { type: info.type, urls: new Set() }));
    if (info.url) t.urls.add(info.url);
    return t;
  }

  async onMessage(m) {
    if (m.id) {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error) p.reject(new Error(`${p.method}: ${m.error.message}`));
      else p.resolve(m.result);
      return;
    }
    const s = m.sessionId;
    switch (m.method) {
      case "Target.attachedToTarget": {
        const { sessionId, targetInfo } = m.params;
        this.sessions.set(sessionId, targetInfo.targetId);
        this.target(targetInfo);
        const ok = (p) => p.catch((e) => /closed|detached|No target|not found/i.test(e.message) || this.errors.push(`${targetInfo.type} ${targetInfo.url}: ${e.message}`));
        // Network first, then let the target run: nothing it does before is missed.
        await Promise.all([
          ok(this.send("Network.enable", {}, sessionId)),
          ok(this.send("Audits.enable", {}, sessionId)),
          targetInfo.type === "service_worker" || targetInfo.type === "worker" || targetInfo.type === "shared_worker"
            ? null
            : ok(this.send("Target.setAutoAttach", { autoAttach: true, waitForDebuggerOnStart: true, flatten: true }, sessionId)),
        ]);
        await ok(this.send("Runtime.runIfWaitingForDebugger", {}, sessionId));
        break;
      }
      case "Target.targetCreated":
      case "Target.targetInfoChanged":
        this.target(m.params.targetInfo);
        break;
      case "Network.requestWillBeSent": {
        const { request, initiator } = m.params;
        if (NETWORK.test(request.url)) this.record({ kind: "request", url: request.url, method: request.method, sessionId: s, initiator, requestId: m.params.requestId });
        break;
      }
      case "Network.webSocketCreated":
        if (NETWORK.test(m.params.url)) this.record({ kind: "websocket", url: m.params.url, method: "GET", sessionId: s, initiator: m.params.initiator, requestId: m.params.requestId });
        break;
      case "Network.webTransportCreated":
        this.record({ kind: "webtransport", url: m.params.url, method: "CONNECT", sessionId: s, initiator: m.params.initiator, requestId: m.params.transportId });
        break;
      case "Audits.issueAdded": {
        const d = m.params.issue.details && m.params.issue.details.contentSecurityPolicyIssueDetails;
        if (d && d.blockedURL && NETWORK.test(d.blockedURL)) this.record({ kind: "csp", url: d.blockedURL, method: d.violatedDirective, sessionId: s, initiator: null });
        break;
      }
      case "Runtime.executionContextCreated": {
        if (!this.contexts.has(s)) this.contexts.set(s, []);
        this.contexts.get(s).push(m.params.context);
        break;
      }
      case "Runtime.executionContextDestroyed": {
        const list = this.contexts.get(s);
        if (list) this.contexts.set(s, list.filter((c) => c.id !== m.params.executionContextId));
        break;
      }
    }
  }

  record(e) {
    e.targetId = this.sessions.get(e.sessionId) || null;
    e.at = Date.now();
    // One target can be attached through several sessions (an extension page's session
    // auto-attaches the extension's service worker too), and Audits.enable replays a
    // target's earlier issues to each new session: count each request and each refusal once.
    const key = e.kind === "csp" ? `csp ${e.targetId} ${e.method} ${e.url}` : `${e.kind} ${e.targetId} ${e.requestId}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.events.push(e);
  }

  /** The target of an event: type and every URL it had. */
  targetOf(e) {
    return this.targets.get(e.targetId) || { type: "browser", urls: new Set() };
  }

  /** Whether an event is the extension's (see the top of the file). */
  fromExtension(e) {
    const t = this.targetOf(e);
    if ([...t.urls].some((u) => EXT_URL.test(u))) return true;
    return initiatedByExtension(e.initiator);
  }

  describe(e) {
    const t = this.targetOf(e);
    const where = [...t.urls].find((u) => EXT_URL.test(u)) || [...t.urls].at(-1) || "";
    const what = e.kind === "csp" ? `blocked by CSP ${e.method}` : e.kind === "request" ? e.method : e.kind;
    return `${what} ${e.url.slice(0, 120)} (from ${t.type} ${where.replace(/#.*/, "").slice(0, 80)})`;
  }

  /** A mark to count from. */
  mark() {
    return this.events.length;
  }

  /** The extension's events since `mark`. */
  extensionSince(mark = 0) {
    return this.events.slice(mark).filter((e) => this.fromExtension(e));
  }

  /** The pages' own events since `mark`. */
  pageSince(mark = 0) {
    return this.events.slice(mark).filter((e) => !this.fromExtension(e));
  }

  /** Waits until an event matching `pred` is seen (or `timeout`); returns it or null. */
  async waitFor(pred, timeout = 5000) {
    const end = Date.now() + timeout;
    for (;;) {
      const e = this.events.find(pred);
      if (e || Date.now() > end) return e || null;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The session of the attached target whose URL starts with `prefix` (latest first). */
  sessionFor(prefix, type) {
    for (const [sid, tid] of [...this.sessions].reverse()) {
      const t = this.targets.get(tid);
      if (t && (!type || t.type === type) && [...t.urls].some((u) => u.startsWith(prefix))) return sid;
    }
    return null;
  }

  /**
   * Evaluates `expression` in the content scripts' isolated world of the tab at `pageUrl`
   * (the extension's world: its name or origin is the extension's). Returns the value.
   */
  async evaluateIsolated(pageUrl, expression) {
    const sid = this.sessionFor(pageUrl, "page");
    if (!sid) throw new Error(`no DevTools session for ${pageUrl}`);
    if (!this.contexts.has(sid)) {
      this.contexts.set(sid, []);
      await this.send("Runtime.enable", {}, sid);
    }
    let ctx = null;
    for (let i = 0; i < 50 && !ctx; i++) {
      ctx = (this.contexts.get(sid) || []).find((c) => c.auxData && c.auxData.type === "isolated" && EXT_URL.test(c.origin || "") && c.auxData.isDefault === false);
      if (!ctx) await new Promise((r) => setTimeout(r, 50));
    }
    if (!ctx) throw new Error(`no extension isolated world in ${pageUrl}`);
    const r = await this.send("Runtime.evaluate", { expression, contextId: ctx.id, returnByValue: true, awaitPromise: true }, sid);
    if (r.exceptionDetails) throw new Error(`isolated world: ${r.exceptionDetails.text} ${r.exceptionDetails.exception?.description || ""}`);
    return r.result.value;
  }

  close() {
    try {
      this.ws.close();
    } catch {}
  }
}

/** Whether a request's initiator (or any async parent of its stack) is an extension script. */
export function initiatedByExtension(initiator) {
  if (!initiator) return false;
  if (EXT_URL.test(initiator.url || "")) return true;
  for (let st = initiator.stack; st; st = st.parent) {
    if ((st.callFrames || []).some((f) => EXT_URL.test(f.url || ""))) return true;
  }
  return false;
}
