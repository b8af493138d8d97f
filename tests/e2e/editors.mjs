// End-to-end: the sidebar's Insert button against real editors, in real Chromium with the
// built, unpacked extension. Each editor (textarea, text input, bare contenteditable,
// Draft.js, Lexical, ProseMirror, Quill, Slate) sits under a Trustpilot-shaped complaint
// served at a Trustpilot URL, so the content script runs and the sidebar opens. The test
// clicks into the editor, types, clicks Insert, then reads the editor's OWN model through
// the page's window.editorText() hook: it must hold the typed text followed by the draft,
// line for line; typing more must update it; Ctrl+Z must take the last typing back. A
// YouTube-shaped thread checks the reply_button path (the box exists only after a click).
// Nothing may be submitted, and the extension may make no request.
//
//   node tools/build-editors.mjs && CALMLY_EXT=/tmp/calmly-ed-dist node tests/e2e/editors.mjs
//   (CALMLY_EXT defaults to dist/chromium; ONLY=quill,slate runs a subset)
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { ARTIFACTS, ROOT, check, findSidebar, extensionArgs } from "./pages.mjs";

// CALMLY_EXT: the unpacked Chromium extension, or a package-extension.mjs output directory
// holding it in chromium/.
const EXT = [process.env.CALMLY_EXT, process.env.CALMLY_EXT && join(process.env.CALMLY_EXT, "chromium")]
  .find((d) => d && existsSync(join(d, "manifest.json"))) || join(ROOT, "dist/chromium");
const BUNDLES = join(ROOT, "target/editors");
const FIXTURES = join(ROOT, "tests/fixtures/editors");
const EDITORS = ["textarea", "input", "contenteditable", "draft", "lexical", "prosemirror", "quill", "slate"];
const ONLY = process.env.ONLY ? process.env.ONLY.split(",") : null;
const TYPED = "Hello John,";
const MORE = " PS call us";
const EXTRA = "If anything else comes up, reply here — we read every message.\nMerci, ça marche ✓ 👍";
// A person's pace between steps: editors group changes made close together into one undo
// step (Quill within 1000 ms, ProseMirror 500 ms, Lexical here 300 ms), and a person moves
// to the sidebar, clicks Insert and reads the result before typing on.
const PAUSE = 1100;

for (const lib of EDITORS) {
  if (!existsSync(join(BUNDLES, `${lib}.js`))) {
    console.error(`missing ${join(BUNDLES, lib + ".js")}: run node tools/build-editors.mjs first`);
    process.exit(2);
  }
}
if (!existsSync(join(EXT, "manifest.json"))) {
  console.error(`no built extension at ${EXT}: run ./x build (or set CALMLY_EXT)`);
  process.exit(2);
}

// ------------------------------------------------------------------ what is served
const template = readFileSync(join(FIXTURES, "page.html"), "utf8");
const editorUrl = (lib) => `https://www.trustpilot.com/review/calmly-editor-${lib}.example`;
const served = new Map(); // url → { body, type }
for (const lib of EDITORS) {
  served.set(editorUrl(lib), { body: template.replaceAll("{{LIB}}", lib), type: "text/html; charset=utf-8" });
  served.set(`https://www.trustpilot.com/calmly-editor-assets/${lib}.js`, { body: readFileSync(join(BUNDLES, `${lib}.js`)), type: "text/javascript" });
}
const YT = {
  opens: "https://www.youtube.com/watch?v=calmlyEditor01",
  // The same thread, but its reply button opens nothing: Insert must give up with a message.
  broken: "https://www.youtube.com/watch?v=calmlyEditor02",
};
const youtubePage = readFileSync(join(FIXTURES, "youtube.html"), "utf8");
served.set(YT.opens, { body: youtubePage, type: "text/html; charset=utf-8" });
served.set(YT.broken, { body: youtubePage.replace('data-calmly-test="opens"', 'data-calmly-test="broken"'), type: "text/html; charset=utf-8" });

// ------------------------------------------------------------------ the browser
mkdirSync(ARTIFACTS, { recursive: true });
const profile = mkdtempSync(join(tmpdir(), "calmly-editors-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  viewport: { width: 1280, height: 900 },
  args: extensionArgs(EXT),
});

const requests = { extension: [], posts: [] };
await context.route((url) => /^(https?|wss?|ftp):$/.test(url.protocol), (route) => {
  const req = route.request();
  const frameUrl = (() => {
    try {
      return req.frame().url();
    } catch {
      return "";
    }
  })();
  if (req.serviceWorker() || frameUrl.startsWith("chrome-extension://")) {
    requests.extension.push(req.url());
    return route.abort();
  }
  if (req.method() !== "GET") requests.posts.push(`${req.method()} ${req.url()}`);
  const hit = req.method() === "GET" && served.get(req.url());
  if (hit) return route.fulfill({ status: 200, body: hit.body, headers: { "content-type": hit.type } });
  return route.abort();
});

// ------------------------------------------------------------------ helpers
const norm = (s) => s.replace(/\u00a0/g, " ").replace(/[ \t]+/g, " ").trim();
const linesOf = (s) => s.split("\n").map(norm).filter(Boolean);
const show = (s) => JSON.stringify(s.length > 90 ? s.slice(0, 60) + "…" + s.slice(-25) : s);

async function sidebarFrame(page, timeout = 10000) {
  const frame = await findSidebar(page, timeout);
  if (!frame) throw new Error("the sidebar did not appear");
  return frame;
}

async function readySidebar(page) {
  const frame = await sidebarFrame(page);
  await frame.waitForSelector("#app[data-state=ready]", { timeout: 15000 });
  const draft = await frame.$eval("textarea.draft", (e) => e.value);
  check(draft.trim().length > 40, "the sidebar's draft is empty");
  return { frame, draft };
}

/** Click Insert; resolve to the status message that follows. */
async function clickInsert(frame) {
  const before = await frame.$eval(".status", (e) => e.textContent);
  await frame.click("button.insert");
  const h = await frame.waitForFunction((b) => {
    const t = document.querySelector(".status")?.textContent || "";
    return t !== b && t.length > 0 ? t : null;
  }, before, { timeout: 10000 });
  return h.jsonValue();
}

const model = (page) => page.evaluate(() => window.editorText());

async function until(page, what, pred, timeout = 2000) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    last = await model(page);
    if (pred(last)) return last;
    if (Date.now() > end) throw new Error(`${what}; the model holds ${show(last)}`);
    await page.waitForTimeout(50);
  }
}

// ------------------------------------------------------------------ the cases
async function editorCase(page, lib) {
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(editorUrl(lib), { waitUntil: "domcontentloaded" });
  await page.waitForFunction((l) => document.documentElement.dataset.editorReady === l, lib, { timeout: 10000 });
  const { frame, draft: engineDraft } = await readySidebar(page);
  // The agent adds paragraphs to the draft in the sidebar (a blank line between
  // paragraphs, a plain line break, non-ASCII): all must arrive as lines of the model.
  const draft = `${engineDraft}\n\n${EXTRA}`;
  await frame.fill("textarea.draft", draft);

  // The user clicks into the editor and starts the reply.
  await page.click("#reply-editor :is(textarea, input, [contenteditable=true])");
  await page.keyboard.type(TYPED, { delay: 10 });
  await until(page, "typing did not reach the model", (m) => m.includes(TYPED));

  await page.waitForTimeout(PAUSE);
  const status = await clickInsert(frame);
  check(/^(Inserted|Opened)/.test(status), `Insert said: ${status}`);

  // The model holds what was typed, then the draft, line for line (a single-line input:
  // the draft's lines joined by spaces).
  const want = lib === "input" ? [norm(TYPED + draft.split("\n").map(norm).filter(Boolean).join(" "))] : linesOf(TYPED + draft);
  const match = (m) => JSON.stringify(linesOf(m)) === JSON.stringify(want);
  const inserted = await until(page, `the draft is not in the model as ${want.length} lines`, match).catch(async (e) => {
    const got = linesOf(await model(page));
    const i = want.findIndex((w, n) => w !== got[n]);
    throw new Error(`${e.message} (first difference at line ${i + 1}: want ${show(want[i] ?? "")}, got ${show(got[i] ?? "")}; ${got.length} lines)`);
  });

  await page.screenshot({ path: join(ARTIFACTS, `editor-${lib}.png`) }); // as inserted
  // Paragraphs, not one block with line breaks in it: the editor's model has a block per line.
  const blocks = await page.evaluate(() => (window.editorBlocks ? window.editorBlocks() : null));
  check(blocks == null || blocks >= want.length, `the model has ${blocks} blocks for ${want.length} lines: the lines were squashed into fewer paragraphs`);

  // Still usable: typing goes on at the end of the inserted text.
  await page.waitForTimeout(PAUSE);
  await page.keyboard.type(MORE, { delay: 10 });
  const typed = await until(page, "typing after Insert did not reach the model", (m) => norm(m.trimEnd()).endsWith(norm(MORE)));
  check(linesOf(typed).length === want.length, `typing after Insert changed the line count (${linesOf(typed).length} lines, expected ${want.length})`);

  // Undo (the editor's own history, or the browser's for native fields): the first Ctrl+Z
  // takes back the typing after the insert, the second the insert, leaving what the user
  // had typed before it.
  await page.waitForTimeout(PAUSE);
  await page.keyboard.press("Control+z");
  await until(page, "Ctrl+Z did not take the last typing back", (m) => !m.includes(MORE.trim()));
  await until(page, "Ctrl+Z did not go back to just after the insert", (m) => m === inserted, 500);
  await page.keyboard.press("Control+z");
  await until(page, "a second Ctrl+Z did not take the insert back to the typed text", (m) => norm(m) === TYPED, 1000);

  const submits = await page.evaluate(() => window.submits.length);
  check(submits === 0, `the page's form was submitted ${submits} times`);
  check(errors.length === 0, `page errors: ${errors.join("; ")}`);
  return `"${status}"; model ${want.length} lines${blocks == null ? "" : ` in ${blocks} blocks`}, ${inserted.length} chars; typing after it works; Ctrl+Z undoes that typing, then the insert`;
}

async function youtubeCase(page) {
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(YT.opens, { waitUntil: "domcontentloaded" });
  const { frame, draft } = await readySidebar(page);
  check(!(await page.$("#reply-dialog #contenteditable-root")), "the reply box exists before the reply button is clicked");
  const t0 = Date.now();
  const status = await clickInsert(frame);
  check(/^Opened/.test(status), `Insert said: ${status}`);
  const want = linesOf(draft);
  const got = await until(page, "the opened reply box does not hold the draft", (m) => JSON.stringify(linesOf(m)) === JSON.stringify(want));
  await page.screenshot({ path: join(ARTIFACTS, "editor-youtube-reply-button.png") });
  await page.keyboard.type(MORE, { delay: 10 });
  await until(page, "typing after Insert did not reach the reply box", (m) => norm(m).endsWith(norm(MORE)));
  await page.keyboard.press("Control+z");
  await until(page, "Ctrl+Z did not take the last typing back", (m) => !m.includes(MORE.trim()));
  check((await page.evaluate(() => window.submits.length)) === 0, "the reply was submitted");
  check((await page.evaluate(() => window.topLevelText())).trim() === "", "the video's own comment box got text");
  check(errors.length === 0, `page errors: ${errors.join("; ")}`);
  return `"${status}" in ${Date.now() - t0} ms; box holds ${want.length} lines, ${got.length} chars; typing and Ctrl+Z work`;
}

async function youtubeTimeoutCase(page) {
  await page.goto(YT.broken, { waitUntil: "domcontentloaded" });
  const { frame } = await readySidebar(page);
  // The last thing the user typed in was the site's search box: not a reply box.
  await page.click("#search");
  await page.keyboard.type("blender", { delay: 10 });
  const t0 = Date.now();
  const status = await clickInsert(frame);
  const ms = Date.now() - t0;
  check(/no reply box appeared/.test(status), `Insert said: ${status}`);
  check(ms >= 2500 && ms < 6000, `gave up after ${ms} ms, expected about 3 s`);
  check((await page.evaluate(() => window.replyClicks)) === 1, "the reply button was not clicked exactly once");
  check((await page.$eval("#search", (e) => e.value)) === "blender", "the draft went into the search box");
  check((await page.evaluate(() => window.topLevelText())).trim() === "", "the draft went into the video's own comment box");
  // As the message says: the user clicks in a reply box, then Insert again — that box is
  // used, and the Reply button is not clicked a second time.
  await page.click("#contenteditable-root");
  const again = await clickInsert(frame);
  check(/Inserted/.test(again), `the second Insert said: ${again}`);
  check((await page.evaluate(() => window.topLevelText())).trim().length > 20, "the second Insert did not reach the box the user clicked");
  check((await page.evaluate(() => window.replyClicks)) === 1, "the reply button was clicked again");
  return `"${status}" after ${ms} ms; then, in the box the user clicked: "${again}"`;
}

async function noTargetCase(page) {
  await page.goto(editorUrl("textarea"), { waitUntil: "domcontentloaded" });
  await page.waitForFunction(() => document.documentElement.dataset.editorReady === "textarea", null, { timeout: 10000 });
  const { frame } = await readySidebar(page);
  // Nothing focused and no adapter reply box (Trustpilot's adapter has none): ask, insert nothing.
  const status = await clickInsert(frame);
  check(/click in the reply box first/.test(status), `Insert said: ${status}`);
  check((await model(page)) === "", "text went somewhere anyway");
  return `"${status}"`;
}

const cases = [
  ...EDITORS.map((lib) => ({ name: lib, run: (page) => editorCase(page, lib) })),
  { name: "youtube-reply-button", run: youtubeCase },
  { name: "youtube-reply-timeout", run: youtubeTimeoutCase },
  { name: "no-reply-box", run: noTargetCase },
].filter((c) => !ONLY || ONLY.includes(c.name));

let failures = 0;
try {
  for (const c of cases) {
    const page = await context.newPage();
    try {
      console.log(`ok   ${c.name}: ${await c.run(page)}`);
    } catch (e) {
      failures++;
      console.log(`FAIL ${c.name}: ${e.message.split("\n")[0]}`);
      await page.screenshot({ path: join(ARTIFACTS, `editor-${c.name}-failed.png`) }).catch(() => {});
    } finally {
      await page.close();
    }
  }
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}

if (requests.posts.length) {
  failures++;
  console.log(`FAIL pages sent: ${requests.posts.join(", ")}`);
}
if (requests.extension.length) {
  failures++;
  console.log(`FAIL the extension made requests: ${requests.extension.join(", ")}`);
}
console.log(failures ? `editors e2e: ${failures} failed` : `editors e2e: all ${cases.length} passed (extension requests: 0)`);
process.exit(failures ? 1 : 0);
