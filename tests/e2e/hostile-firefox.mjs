// The hostile-text checks of hostile.mjs in Firefox ESR (puppeteer-core over WebDriver
// BiDi), with the built Firefox extension: the hostile Trustpilot page (hostile-page.mjs)
// at its real URL; the sidebar must show every text and title literally, make no element
// from them and run nothing; a draft full of markup goes into the page's textarea and
// contenteditable as text; the options page and the case list show stored markup as text.
// Network: the page interception aborts and counts everything but the served page, and a
// local dead-end proxy catches what gets past it (the background script), as firefox.mjs
// does (see the notes at the top of that file for the Firefox/BiDi details used here).
//   node tests/e2e/hostile-firefox.mjs        (CALMLY_EXT_FIREFOX=<unpacked dir> for another build)
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { browserInternal, launchFirefox } from "./firefox-launch.mjs";
import { ARTIFACTS, EXT } from "./pages.mjs";
import { HOSTILE_URL, MUST_SHOW, PAYLOADS as P, REVIEWS, census, compareCensus, hostilePage, shownText } from "./hostile-page.mjs";

const ext = resolve(process.env.CALMLY_EXT_FIREFOX || EXT.firefox);
const HOSTILE = hostilePage();
const SIDEBAR_TAGS = ["html", "head", "meta", "title", "link", "script", "body", "main", "p", "div", "header", "h1", "h2", "h3", "button", "span", "ul", "ol", "li", "strong", "blockquote", "section", "dl", "dt", "dd", "label", "input", "select", "option", "textarea", "details", "summary", "mark", "a"];
const PAGE_TAGS = ["html", "head", "meta", "title", "link", "script", "body", "header", "h1", "nav", "a", "main", "p", "div", "form", "fieldset", "legend", "label", "input", "select", "option", "textarea", "button", "span", "ul", "li", "table", "thead", "tbody", "tr", "th", "td", "time"];
/** The sidebar's own: sidebar.html's two <meta>, its stylesheet and module, the case-list link. */
const SIDEBAR_OWN = { tags: { meta: 2, link: 1, script: 1, a: 1 } };
const HOSTILE_DRAFT = `Hello ${P.img}\n${P.script}\n${P.iframe}\n${P.anchor} ${P.textarea}`;
const started = Date.now();
mkdirSync(ARTIFACTS, { recursive: true });

const { browser, escaped, proxy } = await launchFirefox();

let failures = 0;
const dialogs = [];
const net = { page: 0, extension: [] };

async function step(name, fn) {
  try {
    const detail = await fn();
    console.log(`ok   ${name}${detail ? `: ${detail}` : ""}`);
  } catch (e) {
    failures++;
    console.log(`FAIL ${name}: ${String(e.message).split("\n")[0].slice(0, 600)}`);
  }
}
function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}
const short = (s, n = 60) => JSON.stringify(String(s).length > n ? `${String(s).slice(0, n)}…` : String(s));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function frameHref(frame) {
  try {
    return await Promise.race([frame.evaluate(() => location.href), sleep(2000).then(() => null)]);
  } catch {
    return null;
  }
}

/** The sidebar frame (its url() stays about:blank over BiDi: found by its location). */
async function sidebarFrame(page, timeout) {
  const end = Date.now() + timeout;
  while (Date.now() < end) {
    for (const f of page.frames()) {
      if (f === page.mainFrame()) continue;
      const href = await frameHref(f);
      if (href && href.startsWith("moz-extension://") && href.includes("/sidebar.html")) return { frame: f, origin: href.replace(/\/sidebar\.html.*$/, "") };
    }
    await sleep(50);
  }
  return null;
}

async function newPage() {
  const page = await browser.newPage();
  page.on("dialog", (d) => {
    dialogs.push(`${d.type()} ${d.message()}`);
    d.dismiss().catch(() => {});
  });
  await page.setRequestInterception(true);
  page.on("request", async (req) => {
    const url = req.url();
    if (!/^(https?|wss?|ftp):/.test(url)) return req.continue().catch(() => {});
    if (url === HOSTILE_URL && req.isNavigationRequest() && req.frame() === page.mainFrame()) {
      return req.respond({ status: 200, body: HOSTILE, headers: { "content-type": "text/html; charset=utf-8" } }).catch(() => {});
    }
    await req.abort().catch(() => {});
    const f = req.frame();
    const href = f && f !== page.mainFrame() ? await frameHref(f) : page.url();
    if (href === null || /^moz-extension:/.test(href || "")) net.extension.push(url);
    else net.page++;
  });
  return page;
}

try {
  await browser.installExtension(ext);
  let page;
  let frame;
  let origin;

  await step(`hostile page: the sidebar lists all ${REVIEWS.length} reviews`, async () => {
    page = await newPage();
    await page.goto(HOSTILE_URL, { waitUntil: "domcontentloaded" });
    ({ frame, origin } = (await sidebarFrame(page, 10000)) || {});
    assert(frame, "the sidebar did not appear");
    await frame.waitForSelector("#app[data-state=ready]", { timeout: 10000 });
    await frame.waitForFunction((n) => document.querySelectorAll("li.item").length === n, { timeout: 10000 }, REVIEWS.length);
    return `${await frame.$eval(".status", (e) => e.textContent)} (${(await browser.version())})`;
  });

  await step("every review's text and title shown literally, as text", async () => {
    const n = await frame.$$eval("li.item", (l) => l.length);
    const shown = [];
    for (let i = 0; i < n; i++) {
      await frame.$eval(`li.item:nth-child(${i + 1})`, (e) => e.click());
      await frame.waitForFunction((i) => document.querySelectorAll("li.item")[i].classList.contains("selected"), { timeout: 3000 }, i);
      shown.push(await frame.evaluate(() => ({
        text: document.querySelector("blockquote.complaint-text")?.textContent ?? null,
        title: document.querySelector(".complaint-title")?.textContent ?? null,
        children: document.querySelector("blockquote.complaint-text")?.children.length ?? -1,
      })));
    }
    const problems = [];
    for (const r of REVIEWS) {
      const want = shownText(r.text);
      const got = shown.find((s) => s.text !== null && (s.text === want || (want.length > 60000 && s.text.length > 60000 && want.startsWith(s.text))));
      if (!got) problems.push(`${r.key}: text not shown as ${short(want)}`);
      else if (got.children) problems.push(`${r.key}: elements in the text`);
      else if (got.title !== shownText(r.title)) problems.push(`${r.key}: title ${short(got.title)}`);
    }
    assert(!problems.length, problems.join("; "));
    const all = shown.map((s) => `${s.title}\n${s.text}`).join("\n");
    const absent = MUST_SHOW.filter((p) => !all.includes(p));
    assert(!absent.length, `payloads not shown literally: ${absent.map((p) => short(p)).join(", ")}`);
    return `${REVIEWS.length} texts and titles; ${MUST_SHOW.length} payloads found as text`;
  });

  await step("the sidebar document: no element, handler or script URL from the page's text", async () => {
    const problems = compareCensus(await frame.evaluate(census), SIDEBAR_OWN, SIDEBAR_TAGS);
    assert(!problems.length, problems.join("; "));
  });

  await step("the page posing as the content script or as the sidebar is ignored", async () => {
    const snippets = () => frame.$$eval("li.item .snippet", (s) => s.map((e) => e.textContent));
    const before = await snippets();
    const sent = await page.evaluate((P) => {
      const snapshot = { url: location.href, title: P.img, site: "trustpilot", kind: "reviews", items: [{ id: "spoof", text: `SPOOFED ${P.img}` }] };
      for (let i = 0; i < frames.length; i++) {
        for (const token of [undefined, "", "00000000-0000-4000-8000-000000000000"]) frames[i].postMessage({ source: "calmly-content", token, type: "snapshot", snapshot }, "*");
      }
      document.querySelector("#reply-ta").focus();
      for (const type of ["insert", "close", "collapse"]) window.postMessage({ source: "calmly-sidebar", type, id: "trustpilot-0", text: `SPOOFED ${P.img}`, collapsed: true }, "*");
      return { frames: frames.length, shadow: document.querySelector("calmly-sidebar").shadowRoot === null ? "closed" : "open" };
    }, P);
    await sleep(600);
    assert(sent.shadow === "closed", "the sidebar's shadow root is open to the page");
    assert(JSON.stringify(await snippets()) === JSON.stringify(before), "the sidebar took the page's message");
    assert((await page.$eval("#reply-ta", (e) => e.value)) === "", "the page's fake insert reached the reply box");
    const host = await page.evaluate(() => `${getComputedStyle(document.querySelector("calmly-sidebar")).display} ${document.querySelector("calmly-sidebar").style.width}`);
    assert(host === "block 400px", `the page's fake close/collapse was obeyed: ${host}`);
    return `${sent.frames} frame(s) reachable through window.frames, shadow root ${sent.shadow}; fake messages ignored`;
  });

  const selectReview = async (key) => {
    const r = REVIEWS.find((x) => x.key === key);
    const snippet = [...shownText(r.text)].slice(0, 90).join("");
    const i = await frame.$$eval("li.item .snippet", (s, want) => s.findIndex((e) => e.textContent === want), snippet);
    assert(i >= 0, `review ${key} not listed`);
    await frame.$eval(`li.item:nth-child(${i + 1})`, (e) => e.click());
    await frame.waitForFunction((i) => document.querySelectorAll("li.item")[i].classList.contains("selected"), { timeout: 3000 }, i);
  };
  const insertDraft = async (box) => {
    await page.click(box);
    await frame.$eval("textarea.draft", (t, v) => {
      t.value = v;
      t.dispatchEvent(new Event("input"));
    }, HOSTILE_DRAFT);
    await frame.$eval(".what-to-say .actions button.insert", (b) => b.click());
    await frame.waitForFunction(() => /Inserted/.test(document.querySelector(".status").textContent), { timeout: 5000 });
  };
  let pageBase;
  await step("insert a draft full of markup into the page's textarea and contenteditable: text only", async () => {
    pageBase = await page.evaluate(census);
    await selectReview("A1");
    await insertDraft("#reply-ta");
    assert((await page.$eval("#reply-ta", (e) => e.value)) === HOSTILE_DRAFT, "the textarea does not hold the draft");
    await selectReview("A2");
    await insertDraft("#reply-ce");
    const box = await page.$eval("#reply-ce", (e) => ({ text: e.innerText, tags: [...e.querySelectorAll("*")].map((x) => x.localName) }));
    assert(HOSTILE_DRAFT.split("\n").every((l) => box.text.includes(l)), `the box shows ${short(box.text, 200)}`);
    const foreign = box.tags.filter((t) => !["div", "br", "p", "span"].includes(t));
    assert(!foreign.length, `elements in the box: ${foreign.join(", ")}`);
    const now = await page.evaluate(census);
    for (const t of box.tags) if (!--now.tags[t]) delete now.tags[t];
    assert(JSON.stringify(now.tags) === JSON.stringify(pageBase.tags), `the page's elements changed: ${JSON.stringify(now.tags)}`);
    return `contenteditable: ${box.tags.length} paragraph elements (${[...new Set(box.tags)].join(", ")})`;
  });

  await step("nothing ran: no __pwned in the page or the sidebar, the page's own markup ran once; no dialog", async () => {
    const main = await page.evaluate(() => ({ pwned: globalThis.__pwned ?? null, own: globalThis.__pageOwn ?? null }));
    const side = await frame.evaluate(() => globalThis.__pwned ?? null);
    assert(main.pwned === null && side === null, `__pwned: page ${main.pwned}, sidebar ${side}`);
    assert(main.own === 1, `the page's own markup ran ${main.own} times`);
    assert(!dialogs.length, `dialogs: ${dialogs.join("; ")}`);
    await page.screenshot({ path: join(ARTIFACTS, "hostile-firefox-sidebar.png") });
  });

  await step("case list and options page: stored markup shown as text, nothing made or run", async () => {
    // BiDi may not navigate a tab to a moz-extension URL: the sidebar's own case-list link
    // (target=_blank) opens the case list, whose header links to the options page.
    const opened = new Promise((r) => browser.once("targetcreated", r));
    await frame.$eval("a.case-list-link", (a) => a.click());
    const tab = await (await opened).page();
    tab.on("dialog", (d) => {
      dialogs.push(`${d.type()} ${d.message()}`);
      d.dismiss().catch(() => {});
    });
    await tab.waitForSelector("html[data-state=ready]", { timeout: 10000 });
    const href = await tab.evaluate(() => location.href); // url() stays about:blank over BiDi
    assert(href === `${origin}/cases.html`, `opened ${href}`);
    await tab.evaluate(async (P) => {
      const api = globalThis.browser ?? globalThis.chrome;
      const m = await import("/pkg/calmly_store.js");
      await m.default();
      const a = m.newCase({ url: "javascript:window.__pwned=1//", site: P.img, author: P.script, text: `${P.textarea} ${P.iframe}` }, Date.now());
      const b = m.newCase({ url: "https://www.trustpilot.com/review/x", site: "trustpilot", author: P.math, text: P.literal }, Date.now());
      const { settings } = await api.storage.local.get("settings");
      await api.storage.local.set({ [`case:${a.id}`]: a, [`case:${b.id}`]: b, [`case:${P.svg}`]: P.script, settings: { ...settings, schema: 1, brand: P.img, agent: P.svg, tone: P.script } });
    }, P);
    await tab.waitForFunction(() => document.querySelectorAll("#cases tbody tr[data-id]").length >= 3, { timeout: 5000 });
    const now = await tab.evaluate(census);
    const links = await tab.$$eval("a[href]", (as) => as.map((a) => a.href));
    assert(links.every((h) => /^(https:\/\/www\.|moz-extension:\/\/)/.test(h)), `links: ${links.join(", ")}`);
    let problems = compareCensus(now, { tags: { script: 2, link: 1, meta: 2, form: 1, a: links.length } }, PAGE_TAGS);
    assert(!problems.length, `cases: ${problems.join("; ")}`);
    assert([P.script, P.math, P.literal].every((p) => now.text.includes(p)), "a payload is not shown as text in the case list");
    await Promise.all([tab.waitForNavigation({ timeout: 10000 }).catch(() => {}), tab.$eval('header nav a[href="options.html"]', (a) => a.click())]);
    await tab.waitForSelector("html[data-state=ready]", { timeout: 10000 });
    const brand = await tab.$eval("#brand", (e) => e.value);
    assert(brand === P.img, `#brand shows ${short(brand)}`);
    const notice = await tab.$eval("#notice", (e) => e.textContent);
    problems = compareCensus(await tab.evaluate(census), { tags: { script: 2, link: 1, meta: 2, form: 1, a: 1 } }, PAGE_TAGS);
    assert(!problems.length, `options: ${problems.join("; ")}`);
    assert(notice.includes(P.script.slice(0, 30)), `the warning does not quote the bad tone: ${short(notice, 200)}`);
    await tab.close();
    return `case list: ${links.length} links, all https or the extension's, payloads as text; options: brand shown as its value, the bad tone quoted as text`;
  });
} catch (e) {
  failures++;
  console.log(`FAIL ${String(e.message).split("\n")[0]}`);
} finally {
  await browser.close();
  proxy.close();
}

const fromExtension = [...net.extension, ...escaped.filter((e) => !browserInternal(e)).map((e) => `${e} (past the page interception)`)];
if (fromExtension.length) {
  failures++;
  console.log(`FAIL no network from the extension: ${fromExtension.join(", ")}`);
} else console.log(`ok   no network from the extension (${net.page} page requests aborted, ${escaped.filter(browserInternal).length} of Firefox's own)`);
console.log(`hostile firefox e2e: ${failures ? `${failures} failed` : "all passed"} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(failures ? 1 : 0);
