// End-to-end security checks (issue 7) with the built, unpacked extension in real Chromium
// (playwright-core):
//   1. Hostile text: a Trustpilot review page served at its real URL whose texts, titles,
//      author names, ratings, dates and document title carry markup, script and template
//      payloads (tests/e2e/hostile-page.mjs). In the sidebar, the side panel, the case list
//      and the options page they must read as text, make no element, run nothing (no
//      `__pwned` in any frame or world, no dialog); an inserted draft goes into the page's
//      reply boxes as text.
//   2. Zero network from every extension context: the service worker (from its install
//      on: the extension is loaded over CDP once the watchers are attached), the sidebar
//      frame, the side panel, options.html, cases.html and the content scripts, while the
//      extension is exercised (sidebar, picks, tone, insert, note, selection, side panel,
//      case list, options, import, the follow-up alarm). Three independent layers:
//      - a second DevTools client (netwatch.mjs) auto-attached to every target with Network
//        and Audits on: every request by target and initiator, and the attempts the
//        extension pages' CSP refused before they became requests;
//      - Playwright's interception (context.route; it sees service-worker requests too);
//      - a local dead-end proxy, for anything that got past both (a service worker's
//        request in the instant between its start and the clients' setup).
//      The layers are first proven on a copy of the extension whose CSP lets requests out
//      (one request from each context, the service worker's first start included, must be
//      caught and told from the page's own), then, on the real build, on a service-worker
//      fetch the CSP refuses. The pages' own requests are allowed (and aborted).
//   node tests/e2e/hostile.mjs        (CALMLY_EXT=<unpacked dir> to test another build)
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";
import { ARTIFACTS, EXT, ROOT, extensionArgs, findSidebar } from "./pages.mjs";
import { DOCUMENT_TITLE, HOSTILE_URL, MUST_SHOW, PAYLOADS as P, REVIEWS, census, compareCensus, hostilePage, shownText } from "./hostile-page.mjs";
import { NetWatch } from "./netwatch.mjs";
import { deadEndProxy } from "./dead-end-proxy.mjs";

const ext = resolve(process.env.CALMLY_EXT || EXT.chromium);
const BENIGN_URL = "https://www.trustpilot.com/review/calmly-fixture.example";
const BENIGN = readFileSync(join(ROOT, "tests/fixtures/pages/trustpilot_minimal.html"));
const HOSTILE = hostilePage();
const started = Date.now();
mkdirSync(ARTIFACTS, { recursive: true });

/** The tags the sidebar's own UI is made of (src/wasm/ui.rs and sidebar.html). */
const SIDEBAR_TAGS = ["html", "head", "meta", "title", "link", "script", "body", "main", "p", "div", "header", "h1", "h2", "h3", "button", "span", "ul", "ol", "li", "strong", "blockquote", "section", "dl", "dt", "dd", "label", "input", "select", "option", "textarea", "details", "summary", "mark", "a"];
/** The options page's and the case list's (their HTML and options.js / cases.js). */
const PAGE_TAGS = ["html", "head", "meta", "title", "link", "script", "body", "header", "h1", "nav", "a", "main", "p", "div", "form", "fieldset", "legend", "label", "input", "select", "option", "textarea", "button", "span", "ul", "li", "table", "thead", "tbody", "tr", "th", "td", "time"];

let failures = 0;
const dialogs = [];
const pageErrors = [];

async function step(name, fn) {
  try {
    const detail = await fn();
    console.log(`ok   ${name}${detail ? `: ${detail}` : ""}`);
    return true;
  } catch (e) {
    failures++;
    console.log(`FAIL ${name}: ${String(e.message).split("\n")[0].slice(0, 600)}`);
    return false;
  }
}

function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

const short = (s, n = 60) => JSON.stringify(String(s).length > n ? `${String(s).slice(0, n)}…` : String(s));

/** A persistent Chromium with the unpacked extension `dir`: its request log (route), its
 *  watcher (netwatch.mjs) and its dead-end proxy. */
async function launch(dir, serve) {
  const profile = mkdtempSync(join(tmpdir(), "calmly-hostile-"));
  // A request that escapes both Playwright's interception and the watcher (a service
  // worker's, between its start and the DevTools clients' setup) still ends at the proxy.
  const proxy = await deadEndProxy();
  // The extension is loaded only once the watcher is attached (CDP Extensions.loadUnpacked,
  // instead of --load-extension at start): its install and its service worker's first run
  // happen in full view.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    acceptDownloads: true,
    locale: "en-US",
    viewport: { width: 1280, height: 900 },
    ignoreDefaultArgs: ["--disable-extensions"],
    args: [
      ...extensionArgs(dir).filter((a) => !/^--(load-extension|disable-extensions-except)=/.test(a)),
      "--remote-debugging-port=0",
      "--enable-unsafe-extension-debugging",
      `--proxy-server=http://127.0.0.1:${proxy.port}`,
    ],
  });
  const watch = await NetWatch.attach(profile);
  const routed = { extension: [], page: [] };
  await context.route((url) => /^(https?|wss?|ftp):$/.test(url.protocol), (route) => {
    const req = route.request();
    const body = serve[req.url()];
    if (body && req.resourceType() === "document" && req.method() === "GET") {
      return route.fulfill({ status: 200, body, headers: { "content-type": "text/html; charset=utf-8" } });
    }
    const frameUrl = (() => {
      try {
        return req.frame().url();
      } catch {
        return "";
      }
    })();
    if (req.serviceWorker() || frameUrl.startsWith("chrome-extension://")) routed.extension.push(`${req.method()} ${req.url()}`);
    else routed.page.push(req.url());
    return route.abort();
  });
  context.on("page", (p) => {
    p.on("dialog", (d) => {
      dialogs.push(`${p.url().slice(0, 60)}: ${d.type()} ${d.message()}`);
      d.dismiss().catch(() => {});
    });
    p.on("pageerror", (e) => pageErrors.push(`${p.url().slice(0, 60)}: ${e.message}`));
  });
  const { id } = await watch.send("Extensions.loadUnpacked", { path: dir });
  const sw = context.serviceWorkers().find((w) => w.url().startsWith(`chrome-extension://${id}/`)) ??
    (await context.waitForEvent("serviceworker", { predicate: (w) => w.url().startsWith(`chrome-extension://${id}/`), timeout: 10000 }));
  await sw.evaluate(async () => {
    for (let i = 0; i < 50 && !(await chrome.storage.local.get("settings")).settings; i++) await new Promise((r) => setTimeout(r, 100));
  });
  const close = async () => {
    watch.close();
    await context.close().catch(() => {});
    proxy.close();
    rmSync(profile, { recursive: true, force: true });
  };
  return { context, sw, id, watch, routed, proxy, close, url: (p) => `chrome-extension://${id}/${p}` };
}

async function openPage(context, url) {
  const page = await context.newPage();
  await page.goto(url, { waitUntil: "domcontentloaded" });
  const frame = await findSidebar(page, 10000);
  assert(frame, `no sidebar on ${url}`);
  await frame.waitForSelector("#app[data-state=ready]", { timeout: 10000 });
  return { page, frame };
}

// ---------------------------------------------------------------- 1. the watcher, proven
// A copy of the extension whose pages' CSP lets requests out: one request from each
// extension context must be caught by the watcher and counted as the extension's; the
// page's own request must not.
async function proveWatcher() {
  const dir = mkdtempSync(join(tmpdir(), "calmly-open-csp-"));
  cpSync(ext, dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
  manifest.content_security_policy = { extension_pages: "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'" };
  writeFileSync(join(dir, "manifest.json"), JSON.stringify(manifest));
  // The service worker's requests go to plain http (one that reached the proxy shows its
  // path there); the frames' to https (an https page's frames may not fetch http).
  const swProbe = "http://calmly-watch-check.invalid";
  const probe = "https://calmly-watch-check.invalid";
  // A request at the service worker's first start (install time), before any test code.
  writeFileSync(join(dir, "background.js"), `${readFileSync(join(dir, "background.js"), "utf8")}\nfetch("${swProbe}/service-worker-startup").catch(() => {});\n`);
  const run = await launch(dir, { [BENIGN_URL]: BENIGN });
  try {
    await step("watcher check: a request from each extension context is caught (CSP opened on a copy)", async () => {
      const { page, frame } = await openPage(run.context, BENIGN_URL);
      const options = await run.context.newPage();
      await options.goto(run.url("options.html"));
      await options.waitForSelector("html[data-state=ready]", { timeout: 10000 });
      const fire = "(u) => { fetch(u).catch(() => {}); return true; }";
      await run.sw.evaluate(`(${fire})("${swProbe}/service-worker")`);
      await run.sw.evaluate((u) => {
        try {
          new WebSocket(u);
        } catch {}
      }, `${swProbe.replace("http", "ws")}/service-worker-socket`);
      await frame.evaluate(`(${fire})("${probe}/sidebar-frame")`);
      await options.evaluate(`(${fire})("${probe}/options-page")`);
      // The content scripts' world; the script URL names the extension, as content.js would.
      await run.watch.evaluateIsolated(BENIGN_URL, `fetch("${probe}/content-script").catch(() => {}); true //# sourceURL=chrome-extension://${run.id}/watch-check.js`);
      await page.evaluate(`(${fire})("${probe}/page-itself")`);
      const wanted = ["service-worker-startup", "service-worker", "service-worker-socket", "sidebar-frame", "options-page", "content-script"];
      const layers = {};
      for (const w of [...wanted, "page-itself"]) {
        const end = `/${w}`;
        const seen = await run.watch.waitFor((e) => e.url.endsWith(end), w === "service-worker-startup" ? 1000 : 5000);
        layers[w] = {
          watcher: seen ? (run.watch.fromExtension(seen) ? "extension" : "page") : null,
          route: run.routed.extension.some((u) => u.endsWith(end)) ? "extension" : run.routed.page.some((u) => u.endsWith(end)) ? "page" : null,
          // (a WebSocket through the proxy is a bare CONNECT to the host's port 80)
          proxy: run.proxy.hits.some((u) => u.includes(end) || (w.endsWith("socket") && u === "calmly-watch-check.invalid:80 (CONNECT)")) ? "escaped" : null,
        };
      }
      // Every extension request caught by at least one layer, and no layer taking it for the
      // page's; the page's own request seen, and by no layer taken for the extension's.
      const missed = wanted.filter((w) => !Object.values(layers[w]).some(Boolean));
      assert(!missed.length, `missed by every layer: ${missed.join(", ")}`);
      const wrong = wanted.filter((w) => layers[w].watcher === "page");
      assert(!wrong.length, `the watcher took the extension's for the page's: ${wrong.join(", ")}`);
      const own = layers["page-itself"];
      assert(own.watcher === "page" && own.route !== "extension" && !own.proxy, `the page's own request: ${JSON.stringify(own)}`);
      const watcherSaw = wanted.filter((w) => layers[w].watcher);
      assert(watcherSaw.length >= wanted.length - 1, `the watcher saw only ${watcherSaw.join(", ")}`);
      await options.close();
      await page.close();
      const by = (layer) => wanted.filter((w) => layers[w][layer]);
      return `${wanted.length} extension requests (service worker at its first start, fetch, WebSocket; sidebar frame; options page; content script) all caught, the page's own told apart; watcher ${by("watcher").length}/${wanted.length}, route ${by("route").length} (${by("route").join(", ")}), proxy ${by("proxy").length}${by("proxy").length ? ` (${by("proxy").join(", ")})` : ""}`;
    });
  } finally {
    await run.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- 2. the real build
const HOSTILE_SETTINGS = {
  brand: `${P.img} Shop`,
  agent: P.svg,
  signature: P.script,
  gesture: P.mustache,
  compensation_when: P.textarea,
  compensation_allowed: true,
  channels: { email: `${P.svg}@example.com`, phone: P.templates.slice(0, 150), link: P.jsUrl },
};
const HOSTILE_DRAFT = `Hello ${P.img}\n${P.script}\n${P.iframe}\n${P.anchor} ${P.textarea}\n${P.style}`;

async function main() {
  const run = await launch(ext, { [BENIGN_URL]: BENIGN, [HOSTILE_URL]: HOSTILE });
  const { context, sw, watch } = run;
  const selfCheck = new Set(); // the watcher check's own event, the only one allowed
  let page;
  let frame;
  let baseline;
  const pageBase = {};
  try {
    await step("watcher check on the real build: a service-worker fetch is refused by the CSP, and the watcher sees the attempt", async () => {
      await sw.evaluate(() => fetch("https://calmly-watch-check.invalid/real-service-worker").then(() => "sent", (e) => e.message));
      const e = await watch.waitFor((x) => x.url.endsWith("/real-service-worker"), 5000);
      assert(e, "the watcher did not see the service worker's attempt");
      assert(watch.fromExtension(e), `not attributed to the extension: ${watch.describe(e)}`);
      assert(e.kind === "csp", `expected a CSP refusal, got ${watch.describe(e)}`);
      selfCheck.add(e);
      return watch.describe(e);
    });

    await step("settings with markup in every text field (brand, agent, signature, gesture, channels)", async () => {
      await sw.evaluate(async (s) => {
        const { settings } = await chrome.storage.local.get("settings");
        await chrome.storage.local.set({ settings: { ...settings, ...s, schema: 1 } });
      }, HOSTILE_SETTINGS);
    });

    await step("baseline: the sidebar's own elements on a harmless review page", async () => {
      const b = await openPage(context, BENIGN_URL);
      baseline = await b.frame.evaluate(census);
      await b.page.close();
      assert(!compareCensus(baseline, baseline, SIDEBAR_TAGS).length, "the baseline itself is unexpected");
      return Object.entries(baseline.tags).filter(([t]) => ["script", "link", "meta", "a"].includes(t)).map(([t, n]) => `${n} <${t}>`).join(", ");
    });

    await step(`hostile page: the sidebar lists all ${REVIEWS.length} reviews (one added later by the page)`, async () => {
      ({ page, frame } = await openPage(context, HOSTILE_URL));
      await frame.waitForFunction((n) => document.querySelectorAll("li.item").length === n, REVIEWS.length, { timeout: 10000 });
      Object.assign(pageBase, await page.evaluate(census));
      const title = await page.title();
      assert(title === DOCUMENT_TITLE, `the page's title is ${short(title)}: the fixture is not what the test means`);
      assert(pageBase.pageOwn === 1, `the page's own <img onerror> ran ${pageBase.pageOwn} times`);
      const fatal = await frame.$eval("#calmly-fatal", (e) => (e.hidden ? null : e.textContent));
      assert(!fatal, `sidebar error: ${fatal}`);
      return `${await frame.$eval(".status", (e) => e.textContent)}`;
    });

    await step("every review's text and title shown literally, as text (each opened in turn)", async () => {
      const n = await frame.$$eval("li.item", (l) => l.length);
      const shown = [];
      for (let i = 0; i < n; i++) {
        await frame.click(`li.item:nth-child(${i + 1})`);
        await frame.waitForFunction((i) => document.querySelectorAll("li.item")[i].classList.contains("selected"), i, { timeout: 3000 });
        shown.push(await frame.evaluate(() => ({
          text: document.querySelector("blockquote.complaint-text")?.textContent ?? null,
          title: document.querySelector(".complaint-title")?.textContent ?? null,
          children: document.querySelector("blockquote.complaint-text")?.children.length ?? -1,
          snippet: document.querySelector("li.item.selected .snippet")?.textContent ?? null,
        })));
      }
      const problems = [];
      for (const r of REVIEWS) {
        const want = shownText(r.text);
        // The engine reads at most 64 KB of a text (MAX_TEXT_BYTES): a longer one is cut.
        const got = shown.find((s) => s.text !== null && (s.text === want || (want.length > 60000 && s.text.length > 60000 && want.startsWith(s.text))));
        if (!got) {
          problems.push(`${r.key}: text not shown as ${short(want)}; closest: ${short(shown.find((s) => s.text && s.text.slice(0, 20) === want.slice(0, 20))?.text ?? "none", 200)}`);
          continue;
        }
        if (got.children) problems.push(`${r.key}: ${got.children} elements inside the complaint text`);
        if (got.snippet !== [...got.text].slice(0, 90).join("")) problems.push(`${r.key}: list snippet ${short(got.snippet)}`);
        const wantTitle = shownText(r.title);
        if (got.title !== wantTitle) problems.push(`${r.key}: title ${short(got.title)}, expected ${short(wantTitle)}`);
      }
      assert(!problems.length, problems.join("; "));
      const all = shown.map((s) => `${s.title}\n${s.text}`).join("\n");
      const absent = MUST_SHOW.filter((p) => !all.includes(p));
      assert(!absent.length, `payloads not shown literally: ${absent.map((p) => short(p)).join(", ")}`);
      return `${REVIEWS.length} texts and titles equal the page's text; ${MUST_SHOW.length} payloads found as text`;
    });

    await step("the sidebar document: no element, handler or script URL from the page's text", async () => {
      const now = await frame.evaluate(census);
      const problems = compareCensus(now, baseline, SIDEBAR_TAGS);
      assert(!problems.length, problems.join("; "));
      return Object.entries(now.tags).sort((a, b) => b[1] - a[1]).slice(0, 8).map(([t, n]) => `${n} ${t}`).join(", ");
    });

    await step("the page posing as the content script (to the sidebar) or as the sidebar (to the content script) is ignored", async () => {
      const snippets = () => frame.$$eval("li.item .snippet", (s) => s.map((e) => e.textContent));
      const before = await snippets();
      const sent = await page.evaluate((P) => {
        const snapshot = { url: location.href, title: P.img, site: "trustpilot", kind: "reviews", items: [{ id: "spoof", text: `SPOOFED ${P.img}` }] };
        // Whatever window the page can reach (the sidebar's sits in a closed shadow root).
        for (let i = 0; i < frames.length; i++) {
          for (const token of [undefined, "", "00000000-0000-4000-8000-000000000000"]) {
            frames[i].postMessage({ source: "calmly-content", token, type: "snapshot", snapshot }, "*");
            frames[i].postMessage({ source: "calmly-content", token, type: "key", action: "insert" }, "*");
          }
        }
        document.querySelector("#reply-ta").focus();
        for (const type of ["insert", "close", "collapse"]) window.postMessage({ source: "calmly-sidebar", type, id: "trustpilot-0", text: `SPOOFED ${P.img}`, collapsed: true }, "*");
        return { frames: frames.length, shadow: document.querySelector("calmly-sidebar").shadowRoot === null ? "closed" : "open" };
      }, P);
      await page.waitForTimeout(600);
      assert(sent.shadow === "closed", "the sidebar's shadow root is open to the page");
      assert(JSON.stringify(await snippets()) === JSON.stringify(before), "the sidebar took the page's message");
      const box = await page.$eval("#reply-ta", (e) => e.value);
      assert(box === "", `the page's fake insert reached the reply box: ${short(box)}`);
      const host = await page.evaluate(() => {
        const h = document.querySelector("calmly-sidebar");
        return h ? `${getComputedStyle(h).display} ${h.style.width}` : "gone";
      });
      assert(host === "block 400px", `the page's fake close/collapse was obeyed: ${host}`);
      return `the page reaches ${sent.frames} frame(s) through window.frames and none through the ${sent.shadow} shadow root (fake snapshots and keys with no, empty and guessed tokens sent to each); fake insert, close, collapse to the content script ignored`;
    });

    await step("tone and register changes redraft as text; the drafts hold no element", async () => {
      const before = await frame.$eval("textarea.draft", (e) => e.value);
      for (const tone of ["formal", "brief", "warm"]) {
        await frame.selectOption("select.tone", tone);
        await frame.waitForTimeout(100);
      }
      await frame.selectOption("select.register", "formal");
      const drafts = await frame.$$eval("textarea", (ts) => ts.map((t) => ({ cls: t.className, value: t.value, children: t.children.length })));
      assert(drafts.every((d) => d.children === 0), "elements inside a textarea");
      const draft = drafts.find((d) => d.cls === "draft");
      assert(draft && draft.value.length > 40, "no draft");
      const brand = draft.value.includes(HOSTILE_SETTINGS.brand) || drafts.some((d) => d.value.includes(HOSTILE_SETTINGS.brand));
      const now = await frame.evaluate(census);
      const problems = compareCensus(now, baseline, SIDEBAR_TAGS);
      assert(!problems.length, problems.join("; "));
      return `draft ${before === draft.value ? "unchanged" : "redrafted"}; the brand name with its markup ${brand ? "is in the drafts as text" : "is not in this draft"}`;
    });

    const selectReview = async (key) => {
      const r = REVIEWS.find((x) => x.key === key);
      const snippet = [...shownText(r.text)].slice(0, 90).join("");
      const i = await frame.$$eval("li.item .snippet", (s, want) => s.findIndex((e) => e.textContent === want), snippet);
      assert(i >= 0, `review ${key} not in the list`);
      await frame.click(`li.item:nth-child(${i + 1})`);
      await frame.waitForFunction((i) => document.querySelectorAll("li.item")[i].classList.contains("selected"), i, { timeout: 3000 });
    };
    const insertDraft = async (box) => {
      await page.click(box);
      await frame.fill("textarea.draft", HOSTILE_DRAFT);
      await frame.click(".what-to-say .actions button.insert");
      await frame.waitForFunction(() => /Inserted|insert/i.test(document.querySelector(".status").textContent) && !/^\d/.test(document.querySelector(".status").textContent), null, { timeout: 5000 });
      return frame.$eval(".status", (e) => e.textContent);
    };
    /** The page's census with the reply box's own subtree left out of the tag counts. */
    const pageNow = async (box) => {
      const now = await page.evaluate(census);
      const inBox = await page.$eval(box, (e) => [...e.querySelectorAll("*")].map((x) => x.localName));
      for (const t of inBox) if (!--now.tags[t]) delete now.tags[t];
      return now;
    };

    await step("insert a draft full of markup into the page's <textarea>: it goes in as text", async () => {
      await selectReview("A1");
      const status = await insertDraft("#reply-ta");
      const value = await page.$eval("#reply-ta", (e) => e.value);
      assert(value === HOSTILE_DRAFT, `the textarea holds ${short(value, 200)}`);
      const now = await page.evaluate(census);
      const problems = compareCensus(now, pageBase, null);
      assert(!problems.length, `page: ${problems.join("; ")}`);
      assert(JSON.stringify(now.tags) === JSON.stringify(pageBase.tags), `the page's elements changed: ${JSON.stringify(now.tags)}`);
      return `${short(status, 80)}`;
    });

    await step("insert the same draft into the page's contenteditable: text only, no element from it", async () => {
      await selectReview("A2");
      const status = await insertDraft("#reply-ce");
      const box = await page.$eval("#reply-ce", (e) => ({ text: e.innerText, tags: [...e.querySelectorAll("*")].map((x) => x.localName) }));
      const lines = HOSTILE_DRAFT.split("\n");
      assert(lines.every((l) => box.text.includes(l)), `the box shows ${short(box.text, 300)}`);
      const foreign = box.tags.filter((t) => !["div", "br", "p", "span"].includes(t));
      assert(!foreign.length, `elements in the box: ${foreign.join(", ")}`);
      const now = await pageNow("#reply-ce");
      assert(JSON.stringify(now.tags) === JSON.stringify(pageBase.tags), `the page's elements outside the box changed: ${JSON.stringify(now.tags)}`);
      assert(now.pwned === null && now.pageOwn === 1, `page markers: __pwned ${now.pwned}, __pageOwn ${now.pageOwn}`);
      return `${lines.length} lines as ${box.tags.length} paragraph elements (${[...new Set(box.tags)].join(", ") || "none"}); ${short(status, 60)}`;
    });

    await step("a note with markup is stored and shown back as the note's value", async () => {
      const note = `${P.script}${P.img}`;
      await frame.fill("textarea.case-notes", note);
      await frame.$eval("textarea.case-notes", (e) => e.dispatchEvent(new Event("change")));
      const stored = await sw.evaluate(async (note) => {
        for (let i = 0; i < 50; i++) {
          const all = await chrome.storage.local.get(null);
          const c = Object.entries(all).find(([k, v]) => k.startsWith("case:") && v && v.notes === note);
          if (c) return c[1];
          await new Promise((r) => setTimeout(r, 100));
        }
        return null;
      }, note);
      assert(stored, "the note was not stored");
      const children = await frame.$eval("textarea.case-notes", (e) => e.children.length);
      assert(children === 0, "elements in the notes box");
      return `case:${stored.id} (author ${short(stored.author, 40)})`;
    });

    await step("\"Analyse selection\" with markup in the selected text shows it as text", async () => {
      const text = `${P.img} ${P.script} broken on arrival, refund please`;
      await page.bringToFront();
      await sw.evaluate(async (text) => {
        const [tab] = await chrome.tabs.query({ active: true, lastFocusedWindow: true });
        await chrome.tabs.sendMessage(tab.id, { type: "analyze-selection", text });
      }, text);
      await frame.waitForFunction((t) => document.querySelector("blockquote.complaint-text")?.textContent === t, text, { timeout: 5000 });
      const now = await frame.evaluate(census);
      const problems = compareCensus(now, baseline, SIDEBAR_TAGS);
      assert(!problems.length, problems.join("; "));
      return `${await frame.$$eval("li.item", (l) => l.length)} item, shown literally`;
    });

    await step("nothing ran: no __pwned in the page, the content scripts' world or the sidebar; no dialog", async () => {
      const main = await page.evaluate(() => ({ pwned: globalThis.__pwned ?? null, own: globalThis.__pageOwn ?? null }));
      const isolated = await watch.evaluateIsolated(HOSTILE_URL, "globalThis.__pwned ?? null");
      const side = await frame.evaluate(() => globalThis.__pwned ?? null);
      const swp = await sw.evaluate(() => globalThis.__pwned ?? null);
      assert(main.pwned === null && isolated === null && side === null && swp === null, `__pwned: page ${main.pwned}, content scripts ${isolated}, sidebar ${side}, service worker ${swp}`);
      assert(main.own === 1, `the page's own markup ran ${main.own} times (cloned or re-inserted?)`);
      assert(!dialogs.length, `dialogs: ${dialogs.join("; ")}`);
      await page.screenshot({ path: join(ARTIFACTS, "hostile-sidebar.png") });
      return "page, content scripts, sidebar frame, service worker";
    });

    await step("side panel (sidebar.html?panel) on the hostile tab: the same texts, no element from them", async () => {
      await page.bringToFront();
      const tabId = await sw.evaluate(async () => (await chrome.tabs.query({ active: true, lastFocusedWindow: true }))[0].id);
      const panel = await context.newPage();
      try {
        await panel.goto(run.url(`sidebar.html?panel&tab=${tabId}`));
        await panel.waitForSelector("#app[data-state=ready]", { timeout: 10000 });
        await panel.waitForFunction((n) => document.querySelectorAll("li.item").length >= n, REVIEWS.length, { timeout: 10000 });
        const snippets = await panel.$$eval("li.item .snippet", (s) => s.map((e) => e.textContent));
        const want = REVIEWS.map((r) => [...shownText(r.text)].slice(0, 90).join(""));
        const missing = want.filter((w) => !snippets.includes(w));
        assert(!missing.length, `not listed: ${missing.map((m) => short(m)).join(", ")}`);
        const now = await panel.evaluate(census);
        const problems = compareCensus(now, baseline, SIDEBAR_TAGS);
        assert(!problems.length, problems.join("; "));
        return `${snippets.length} items, all ${REVIEWS.length} reviews listed literally`;
      } finally {
        await panel.close();
      }
    });

    let casesPage;
    let corruptKey;
    await step("case list: cases whose stored author, text, URL, site, steps and notes carry markup", async () => {
      const helper = await context.newPage();
      await helper.goto(run.url("options.html"));
      await helper.waitForSelector("html[data-state=ready]", { timeout: 10000 });
      corruptKey = `case:${P.img}`;
      await helper.evaluate(async ({ P, corruptKey }) => {
        const m = await import("/pkg/calmly_store.js");
        await m.default();
        const now = Date.now();
        let a = m.newCase({ url: `javascript:window.__pwned=1//https://x.example`, site: P.img, author: P.script, text: `${P.textarea} ${P.iframe} ${P.style}`, age_minutes: 90 }, now - 5000);
        a = m.caseAction(a, { type: "notes", text: P.svg }, now - 4000);
        a = m.caseAction(a, { type: "step", id: P.svg }, now - 3000);
        const b = m.newCase({ url: `https://www.trustpilot.com/review/x"><img src=x onerror="window.__pwned=1">`, site: "trustpilot", author: P.csv, text: P.mustache, posted: P.templates }, now - 2000);
        const c = m.newCase({ url: `data:text/html,<script>window.__pwned=1</script>`, site: "reddit", author: P.math, text: P.animate }, now - 1000);
        const d = { ...m.newCase({ url: "https://www.yelp.com/biz/x", author: P.anchor, text: P.literal }, now), stage: P.svg, steps: P.img };
        await chrome.storage.local.set({ [`case:${a.id}`]: a, [`case:${b.id}`]: b, [`case:${c.id}`]: c, [`case:${d.id}`]: d, [corruptKey]: P.script });
      }, { P, corruptKey });
      await helper.close();
      casesPage = await context.newPage();
      await casesPage.goto(run.url("cases.html"));
      await casesPage.waitForSelector("html[data-state=ready]", { timeout: 10000 });
      await casesPage.waitForFunction(() => document.querySelectorAll("#cases tbody tr[data-id]").length >= 5, null, { timeout: 5000 });
      const now = await casesPage.evaluate(census);
      // The case list's own links: the options link and one "open page" link per https case.
      const links = await casesPage.$$eval("a[href]", (as) => as.map((a) => a.href));
      const bad = links.filter((h) => !/^(https:\/\/www\.|chrome-extension:\/\/)/.test(h));
      assert(!bad.length, `links: ${bad.join(", ")}`);
      // The page's own: sites.js and cases.js, options.css, two <meta>, and its links.
      const problems = compareCensus(now, { tags: { script: 2, link: 1, meta: 2, form: 1, a: links.length } }, PAGE_TAGS);
      assert(!problems.length, problems.join("; "));
      const text = now.text;
      const absent = [P.script, P.math, P.anchor, P.csv, P.mustache, P.literal, P.textarea].filter((p) => !text.includes(p) && !text.includes(p.slice(0, 40)));
      assert(!absent.length, `not shown as text: ${absent.map((p) => short(p)).join(", ")}`);
      const notice = await casesPage.$eval("#notice", (e) => e.textContent);
      // Warnings clip long keys; the start must be there, literally.
      assert(notice.includes(corruptKey.slice(0, 30)), `the warning does not name ${short(corruptKey)}: ${short(notice, 300)}`);
      const rows = await casesPage.$$eval("#cases tbody tr[data-id]", (r) => r.length);
      return `${rows} rows; ${links.length} links, all https or the extension's; the damaged entry named literally in the warning`;
    });

    await step("case list: filtering by a payload and the CSV export keep it text", async () => {
      await casesPage.fill("#f-text", P.csv.slice(0, 20));
      await casesPage.waitForFunction(() => document.querySelectorAll("#cases tbody tr[data-id]").length === 1, null, { timeout: 3000 });
      const [dl] = await Promise.all([casesPage.waitForEvent("download", { timeout: 5000 }), casesPage.click("#export-csv")]);
      const csv = readFileSync(await dl.path(), "utf8");
      await casesPage.fill("#f-text", "");
      const now = await casesPage.evaluate(census);
      assert(now.pwned === null && !now.handlers.length, "the filter made markup");
      // A cell starting with = + - @ is a formula to spreadsheet programs (CSV injection):
      // the export must defuse it with a leading apostrophe.
      const rows = csv.replace(/^\ufeff/, "").split("\r\n").slice(1).join("\r\n");
      assert(rows.includes(`'${P.csv.replace(/"/g, '""')}`), `the formula is not defused: ${short(rows, 200)}`);
      assert(!/(^|,)"?[=+\-@]/m.test(rows), `a cell starts with a formula character: ${short(rows, 200)}`);
      return `1 row for the payload; CSV ${csv.length} bytes, the author's =HYPERLINK(…) written as '=HYPERLINK(…)`;
    });

    await step("options page: stored settings with markup, valid and invalid, shown as values and warnings", async () => {
      await sw.evaluate(async ({ s, P }) => {
        await chrome.storage.local.set({
          settings: { ...s, schema: 1, tone: P.img, fallback_language: P.script, ui_language: P.svg, registers: { pt: P.iframe }, enabled_sites: { [P.img]: false, trustpilot: P.script }, templates: { en: { [P.svg]: P.img } }, response_target_minutes: P.script },
        });
      }, { s: HOSTILE_SETTINGS, P });
      const options = await context.newPage();
      try {
        await options.goto(run.url("options.html"));
        await options.waitForSelector("html[data-state=ready]", { timeout: 10000 });
        const values = await options.evaluate(() => Object.fromEntries(["brand", "agent", "signature", "gesture", "compensation_when", "email", "link", "templates-en"].map((id) => [id, document.getElementById(id).value])));
        for (const k of ["brand", "agent", "signature", "gesture", "compensation_when"]) assert(values[k] === HOSTILE_SETTINGS[k], `#${k} shows ${short(values[k])}`);
        const notice = await options.$eval("#notice", (e) => e.textContent);
        assert(notice.includes(P.img) || notice.includes(P.img.slice(0, 30)), `the warning does not quote the bad value: ${short(notice, 300)}`);
        const now = await options.evaluate(census);
        const problems = compareCensus(now, { tags: { script: 2, link: 1, meta: 2, form: 1, a: 1 } }, PAGE_TAGS);
        assert(!problems.length, problems.join("; "));
        // A settings file whose name and content carry markup.
        const chooser = options.waitForEvent("filechooser");
        await options.click("#import");
        const name = `${P.img.replace(/\//g, "")}.json`;
        await (await chooser).setFiles({ name, mimeType: "application/json", buffer: Buffer.from(JSON.stringify({ schema: 1, brand: P.iframe, [P.svg]: 1 })) });
        await options.waitForFunction(() => /read from|could not/i.test(document.querySelector("#notice").textContent), null, { timeout: 5000 });
        const after = await options.evaluate(census);
        const problems2 = compareCensus(after, { tags: { script: 2, link: 1, meta: 2, form: 1, a: 1 } }, PAGE_TAGS);
        assert(!problems2.length, problems2.join("; "));
        const notice2 = await options.$eval("#notice", (e) => e.textContent);
        assert(notice2.includes(name), `the file name is not shown literally: ${short(notice2, 200)}`);
        assert((await options.$eval("#brand", (e) => e.value)) === P.iframe, "the imported brand is not shown as its value");
        return `5 fields show their markup as values; warnings quote it as text; imported ${short(name, 40)} named literally`;
      } finally {
        await options.close();
      }
    });

    await step("follow-up alarm fires on a case with markup: a notification, nothing else", async () => {
      const id = await sw.evaluate(async (P) => {
        const all = await chrome.storage.local.get(null);
        const [key, c] = Object.entries(all).find(([k, v]) => k.startsWith("case:") && v && typeof v === "object" && v.author === P.script) || [];
        if (!key) return null;
        await chrome.storage.local.set({ [key]: { ...c, follow_up: Date.now() - 60000, follow_up_at: Date.now() } });
        // The real alarm, due now (unpacked extensions may set short alarms).
        await chrome.alarms.create("calmly-follow-ups", { when: Date.now() + 50 });
        for (let i = 0; i < 100; i++) {
          if ((await chrome.storage.local.get(`notified:${c.id}`))[`notified:${c.id}`]) return c.id;
          await new Promise((r) => setTimeout(r, 100));
        }
        return `not notified: ${c.id}`;
      }, P);
      await sw.evaluate(() => chrome.alarms.create("calmly-follow-ups", { periodInMinutes: 5 }));
      assert(id && !String(id).startsWith("not"), `alarm: ${id}`);
      return `case ${id} notified by the alarm handler`;
    });

    await step("no __pwned in any extension page, no dialog, no page error", async () => {
      const pages = context.pages();
      const marks = [];
      for (const p of pages) {
        for (const f of p.frames()) {
          const v = await f.evaluate(() => globalThis.__pwned ?? null).catch(() => null);
          if (v !== null) marks.push(`${f.url().slice(0, 60)}: ${v}`);
        }
      }
      assert(!marks.length, marks.join("; "));
      assert(!dialogs.length, `dialogs: ${dialogs.join("; ")}`);
      const errors = pageErrors.filter((e) => !e.startsWith(HOSTILE_URL.slice(0, 40)));
      assert(!errors.length, `errors: ${errors.join("; ")}`);
      return `${pages.length} tabs, ${pages.reduce((n, p) => n + p.frames().length, 0)} frames checked`;
    });
  } finally {
    await page?.close().catch(() => {});
    // Let late requests land before counting.
    await new Promise((r) => setTimeout(r, 500));
    // Everything since the browser started, the extension's install included.
    const fromExt = watch.extensionSince(0).filter((e) => !selfCheck.has(e));
    const own = watch.pageSince(0);
    await run.close();
    if (watch.errors.length) console.log(`note the watcher could not enable some targets: ${watch.errors.slice(0, 3).join("; ")}`);
    const routeExt = run.routed.extension;
    // What reached the proxy that is not a request of ours: the browser's own services (Google
    // hosts, despite --disable-background-networking) and its speculative preconnects (a bare
    // CONNECT, no request) to the hosts of the pages the test opened.
    const served = new Set([HOSTILE_URL, BENIGN_URL].map((u) => new URL(u).host));
    const browserOwn = (h) => {
      const connect = / \(CONNECT\)$/.test(h);
      const host = connect ? h.split(":")[0] : (() => { try { return new URL(h).hostname; } catch { return ""; } })();
      return /(^|\.)(google\.com|googleapis\.com|gstatic\.com|gvt1\.com|googleusercontent\.com|chrome\.com)$/.test(host) || (connect && served.has(host));
    };
    const escaped = run.proxy.hits.filter((h) => !browserOwn(h));
    const internal = run.proxy.hits.length - escaped.length;
    const detail = `watcher: ${fromExt.length} from the extension (requests and CSP-refused attempts), ${own.length} of the pages' own; route: ${routeExt.length} from the extension, ${run.routed.page.length} of the pages' own aborted; proxy: ${escaped.length} escaped (${internal} of the browser's own: Google services, preconnects to the test pages' hosts)`;
    if (fromExt.length || routeExt.length || escaped.length) {
      failures++;
      console.log(`FAIL no network from any extension context: ${detail}: ${[...fromExt.map((e) => watch.describe(e)), ...routeExt, ...escaped.map((u) => `${u} (reached the proxy)`)].slice(0, 10).join("; ")}`);
    } else console.log(`ok   no network from any extension context (service worker, sidebar, side panel, options, case list, content scripts): ${detail}`);
  }
}

try {
  if (process.env.CALMLY_SKIP_WATCH_CHECK !== "1") await proveWatcher();
  await main();
} catch (e) {
  failures++;
  console.log(`FAIL ${String(e.message).split("\n")[0]}`);
}
console.log(`hostile e2e: ${failures ? `${failures} failed` : "all passed"} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(failures ? 1 : 0);
