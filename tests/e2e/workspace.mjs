// End-to-end: an agent's whole case, by keyboard, in real Chromium with the built, unpacked
// extension, on a saved real page served at its real URL — and the case surviving a
// browser restart on the same profile. Every other request is aborted and counted; the
// extension must make none.
//   node tests/e2e/workspace.mjs        (CALMLY_EXT=<unpacked dir> to test another build)
//
// The page: the saved Amazon review page (pages.mjs "amazon-real", scripts off by CSP as
// there). Its one text box is Amazon's "Ask a question" textarea in the right-hand column;
// the agent clicks in it (the one mouse action), and Calmly inserts there. The saved 2019 X
// status page is not used: it was saved logged out, so it has no inline reply box (its one
// `.tweet-box` is the Retweet dialog's "Optional comment"), and Insert on a tweet clicks the
// tweet's own Reply button first, whose dialog the page's (aborted) scripts would open: after
// 3 s Calmly gives up with "Clicked Reply, but no reply box appeared".
//
// The steps: pick the 2nd complaint by keyboard (the page outlines it), tick two plan steps,
// write a note, change the tone, insert the draft with Alt+I, move the stage with Alt+N;
// check the stored case, the case list and its CSV; restart the browser on the same profile
// and find the case as it was; screenshots in light and dark, in English and Portuguese.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";
import { ARTIFACTS, EXT, PAGES, ROOT, available, findSidebar } from "./pages.mjs";

const ext = resolve(process.env.CALMLY_EXT || EXT.chromium);
const [PAGE] = available(PAGES.filter((p) => p.name === "amazon-real"));
const REPLY_BOX = "#askQuestionFormId"; // Amazon's "Ask a question" textarea
const en = JSON.parse(readFileSync(join(ROOT, "extension/ui/en.json"), "utf8"));
const pt = JSON.parse(readFileSync(join(ROOT, "extension/ui/pt.json"), "utf8"));
const NOTE = "Asked for the order number; offered a stand replacement. — Ana";
const stageText = (strings, stage) => `${strings.stage}: ${strings[`stage_${stage}`]}`;

mkdirSync(ARTIFACTS, { recursive: true });
const profile = mkdtempSync(join(tmpdir(), "calmly-workspace-"));
const started = Date.now();

// What the network saw, over both browser runs.
const net = { extension: [], page: [], pageNonGet: [], documents: 0 };
const errors = [];

async function launch() {
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    acceptDownloads: true,
    locale: "en-US",
    colorScheme: "light",
    viewport: { width: 1280, height: 900 },
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", `--disable-extensions-except=${ext}`, `--load-extension=${ext}`,
    ],
  });
  // Only network URLs: the extension's own chrome-extension:// files are local.
  await context.route((url) => /^(https?|wss?|ftp):$/.test(url.protocol), (route) => {
    const req = route.request();
    if (req.url() === PAGE.url && req.resourceType() === "document" && req.method() === "GET") {
      net.documents++;
      return route.fulfill({ status: 200, body: PAGE.body, headers: { "content-type": "text/html; charset=utf-8", ...PAGE.headers } });
    }
    const frameUrl = (() => {
      try {
        return req.frame().url();
      } catch {
        return "";
      }
    })();
    if (req.serviceWorker() || frameUrl.startsWith("chrome-extension://")) net.extension.push(`${req.method()} ${req.url()}`);
    else {
      net.page.push(req.url());
      if (req.method() !== "GET") net.pageNonGet.push(`${req.method()} ${req.url()}`);
    }
    return route.abort();
  });
  const sw = context.serviceWorkers()[0] ?? (await context.waitForEvent("serviceworker", { timeout: 10000 }));
  // onInstalled writes the first settings (first run only); wait for them.
  await sw.evaluate(async () => {
    for (let i = 0; i < 50 && !(await chrome.storage.local.get("settings")).settings; i++) await new Promise((r) => setTimeout(r, 100));
  });
  return { context, sw, id: new URL(sw.url()).host };
}

let failures = 0;
let run = null; // { context, sw, id }
async function step(name, fn) {
  try {
    const detail = await fn();
    console.log(`ok   ${name}${detail ? `: ${detail}` : ""}`);
    return true;
  } catch (e) {
    failures++;
    console.log(`FAIL ${name}: ${String(e.message).split("\n")[0]}`);
    if (run) {
      let i = 0;
      for (const p of run.context.pages()) {
        if (p.url() !== "about:blank") await p.screenshot({ path: join(ARTIFACTS, `workspace-failed-${i++}.png`) }).catch(() => {});
      }
    }
    return false;
  }
}

function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

async function sidebarFrame(page, timeout = 10000) {
  const frame = await findSidebar(page, timeout);
  if (!frame) throw new Error("the sidebar did not appear");
  return frame;
}

/** Opens the saved page in a new tab and waits for the sidebar to be ready. */
async function openPage(context) {
  const page = await context.newPage();
  page.on("pageerror", (e) => errors.push(`page: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" && (m.location().url || "").startsWith("chrome-extension://")) errors.push(`sidebar console: ${m.text()}`);
  });
  await page.goto(PAGE.url, { waitUntil: "domcontentloaded" });
  const frame = await sidebarFrame(page);
  await frame.waitForSelector("#app[data-state=ready]", { timeout: 10000 });
  return { page, frame };
}

/** The sidebar's focused element, if the sidebar has the focus, matches `sel`. */
const focusedIn = (frame, sel) => frame.evaluate((s) => document.hasFocus() && !!document.activeElement && document.activeElement.matches(s), sel);

/** Presses Tab (or Shift+Tab) until the sidebar's focused element matches `sel`. */
async function tabTo(page, frame, sel, { back = false, max = 60 } = {}) {
  for (let i = 1; i <= max; i++) {
    await page.keyboard.press(back ? "Shift+Tab" : "Tab");
    if (await focusedIn(frame, sel)) return i;
  }
  throw new Error(`${max} × ${back ? "Shift+Tab" : "Tab"} did not reach ${sel}`);
}

/** From the page, Tab on until the focus enters the sidebar (its iframe comes last in the
 *  page's tab order: the host is appended to <html>, after <body>). */
async function tabIntoSidebar(page, frame, max = 1500) {
  for (let i = 1; i <= max; i++) {
    await page.keyboard.press("Tab");
    if (await frame.evaluate(() => document.hasFocus() && document.activeElement !== document.body)) return i;
  }
  throw new Error(`${max} Tab presses from the page did not reach the sidebar`);
}

const openText = (frame) => frame.$eval("blockquote.complaint-text", (e) => e.textContent);
const selectedPos = (frame) => frame.$$eval("li.item", (ls) => ls.findIndex((l) => l.classList.contains("selected")));
const caseStage = (frame) => frame.$eval(".case-stage", (e) => e.textContent);
const checkedSteps = (frame) => frame.$$eval(".steps input[type=checkbox][data-step]", (cs) => cs.filter((c) => c.checked).map((c) => c.dataset.step));
const cases = async (sw) => Object.entries(await sw.evaluate(() => chrome.storage.local.get(null))).filter(([k]) => k.startsWith("case:"));

/** The 2nd complaint of the list, picked by keyboard: focus the list once, ArrowDown. */
async function pickSecond(page, frame) {
  await frame.focus("li.item.selected");
  assert((await selectedPos(frame)) === 0, "the first item is not the selected one at load");
  const before = await openText(frame);
  await page.keyboard.press("ArrowDown");
  await frame.waitForFunction((b) => document.querySelector("blockquote.complaint-text")?.textContent !== b, before, { timeout: 3000 });
  assert((await selectedPos(frame)) === 1, `ArrowDown selected item ${await selectedPos(frame)}`);
  assert(await focusedIn(frame, "li.item.selected"), "the focus did not follow the selection");
  return { before, after: await openText(frame) };
}

/** The element the page outlined (3px), and whether it holds `text`'s start. */
async function outlined(page, text) {
  await page.waitForFunction(() => [...document.querySelectorAll("body *")].some((e) => e.style.outline.includes("3px")), null, { timeout: 3000 });
  return page.evaluate((start) => {
    const els = [...document.querySelectorAll("body *")].filter((e) => e.style.outline.includes("3px"));
    const squash = (s) => s.replace(/\s+/g, " ");
    return { count: els.length, hook: els[0].getAttribute("data-hook"), holds: squash(els[0].textContent).includes(squash(start)) };
  }, text.slice(0, 60));
}

/** Parses CSV (RFC 4180: quoted fields, "" inside quotes, CRLF rows). */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') cell += text[i++];
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") row.push(cell), (cell = "");
    else if (c === "\r" && text[i + 1] === "\n") {
      row.push(cell), rows.push(row), (row = []), (cell = ""), i++;
    } else cell += c;
  }
  if (cell || row.length) row.push(cell), rows.push(row);
  return rows;
}

async function openCases(context, id) {
  const page = await context.newPage();
  page.on("pageerror", (e) => errors.push(`cases.html: ${e.message}`));
  await page.goto(`chrome-extension://${id}/cases.html`);
  await page.waitForSelector("html[data-state=ready]", { timeout: 10000 });
  await page.waitForFunction(() => document.querySelectorAll("#cases tbody tr[data-id]").length > 0, null, { timeout: 5000 });
  return page;
}

async function caseRow(casesPage, caseId) {
  const rows = await casesPage.$$eval("#cases tbody tr[data-id]", (rs) => rs.map((r) => ({ id: r.dataset.id, stage: r.dataset.stage, cells: [...r.cells].map((c) => c.textContent) })));
  assert(rows.length === 1, `${rows.length} rows in the case list, expected 1`);
  const row = rows.find((r) => r.id === caseId);
  assert(row, `no row for case ${caseId}`);
  return row;
}

// What the run found, for the later steps.
const s = { picked: "", steps: [], draft: "", caseId: "", stage: "reconnaissance" };

try {
  run = await launch();
  let page;
  let frame;

  await step("1. Chromium with the extension, the saved Amazon review page: sidebar ready", async () => {
    ({ page, frame } = await openPage(run.context));
    const items = await frame.$$eval("li.item", (ls) => ls.length);
    assert(items === PAGE.expect.items, `${items} items, expected ${PAGE.expect.items}`);
    const box = await page.$eval(REPLY_BOX, (e) => ({ tag: e.tagName, max: e.maxLength, shown: e.getClientRects().length > 0 }));
    assert(box.shown, "the page's text box is not shown");
    assert((await caseStage(frame)) === stageText(en, "reconnaissance"), `stage at load: ${await caseStage(frame)}`);
    return `${items} items; ${PAGE.url}; reply box ${REPLY_BOX} (${box.tag}, maxlength ${box.max})`;
  });

  await step("2. keyboard: focus the list, ArrowDown → 2nd complaint open, outlined on the page", async () => {
    const { before, after } = await pickSecond(page, frame);
    assert(after !== before, "the open complaint did not change");
    s.picked = after;
    const o = await outlined(page, after);
    assert(o.count === 1 && o.holds, `outline: ${JSON.stringify(o)}`);
    return `"${after.slice(0, 50)}…" (outlined: [data-hook=${o.hook}])`;
  });

  await step("3. keyboard: two plan steps ticked (Tab, Space), a note (Tab out), tone changed", async () => {
    const plan = await frame.$$eval(".steps input[type=checkbox][data-step]", (cs) => cs.map((c) => c.dataset.step));
    assert(plan.length >= 3, `plan has ${plan.length} steps`);
    await tabTo(page, frame, ".steps input[type=checkbox][data-step]");
    await page.keyboard.press("Space");
    await tabTo(page, frame, ".steps input[type=checkbox][data-step]:not(:checked)");
    await page.keyboard.press("Space");
    s.steps = await checkedSteps(frame);
    assert(s.steps.length === 2 && s.steps[0] === plan[0] && s.steps[1] === plan[1], `ticked: ${JSON.stringify(s.steps)} of ${JSON.stringify(plan)}`);
    await tabTo(page, frame, "textarea.case-notes", { back: true });
    await page.keyboard.type(NOTE);
    await page.keyboard.press("Tab");
    assert(!(await focusedIn(frame, "textarea.case-notes")), "Tab did not leave the notes");
    await run.sw.evaluate(async (note) => {
      for (let i = 0; i < 50; i++) {
        const all = await chrome.storage.local.get(null);
        if (Object.entries(all).some(([k, v]) => k.startsWith("case:") && v.notes === note)) return;
        await new Promise((r) => setTimeout(r, 100));
      }
    }, NOTE);
    await tabTo(page, frame, "select.tone");
    const tone0 = await frame.$eval("select.tone", (e) => e.value);
    const draft0 = await frame.$eval("textarea.draft", (e) => e.value);
    await page.keyboard.press("ArrowDown");
    await frame.waitForFunction((d) => document.querySelector("textarea.draft").value !== d, draft0, { timeout: 3000 });
    const tone1 = await frame.$eval("select.tone", (e) => e.value);
    assert(tone0 === "warm" && tone1 === "formal", `tone ${tone0} → ${tone1}`);
    s.draft = await frame.$eval("textarea.draft", (e) => e.value);
    return `steps ${s.steps.join(", ")}; note stored; tone ${tone0} → ${tone1}, draft redrafted`;
  });

  await step("4. click in the page's box, back to the sidebar by Tab, Alt+I inserts; nothing submitted", async () => {
    // The box is in Amazon's right-hand column, under the 400 px sidebar: fold the sidebar
    // by keyboard (Shift+Tab to its ⇥ button, Enter), click the box, unfold.
    await tabTo(page, frame, "button.collapse", { back: true, max: 80 });
    await page.keyboard.press("Enter");
    await frame.waitForSelector("#app.collapsed", { timeout: 3000 });
    await page.click(REPLY_BOX); // the one mouse action: it tells Calmly which box
    assert(await page.$eval(REPLY_BOX, (e) => e === document.activeElement), "the click did not focus the box");
    const tabs = await tabIntoSidebar(page, frame);
    assert(await focusedIn(frame, "button.collapse"), "Tab entered the sidebar elsewhere than its ⇥ button");
    await page.keyboard.press("Enter");
    await frame.waitForFunction(() => !document.querySelector("#app").classList.contains("collapsed"), null, { timeout: 3000 });
    assert((await caseStage(frame)) === stageText(en, "reconnaissance"), `stage before insert: ${await caseStage(frame)}`);
    const requestsBefore = net.page.length;
    const docsBefore = net.documents;
    await page.keyboard.press("Alt+KeyI");
    await frame.waitForFunction(() => document.querySelector(".status").textContent.startsWith("Inserted"), null, { timeout: 5000 });
    const status = await frame.$eval(".status", (e) => e.textContent);
    const value = await page.$eval(REPLY_BOX, (e) => e.value);
    // Amazon's question box takes 150 characters (maxlength), and the draft's first line
    // (its first paragraph) is longer: the box must hold the line up to its limit, and the
    // status must say that not all of it went in.
    const firstLine = s.draft.split("\n").map((l) => l.trim()).find(Boolean);
    const max = await page.$eval(REPLY_BOX, (e) => e.maxLength);
    const want = max > 0 ? firstLine.slice(0, max) : firstLine;
    assert(value.startsWith(want), `the box holds ${JSON.stringify(value)}; the draft's first line is ${JSON.stringify(firstLine)}`);
    if (max > 0 && s.draft.length > max) assert(value === s.draft.slice(0, max) && /did not take all of it/.test(status), `a cut insert not reported as such: ${JSON.stringify(status)}`);
    assert(/send it yourself/.test(status), `status: ${status}`);
    await page.waitForTimeout(300);
    assert(net.pageNonGet.length === 0, `non-GET requests from the page: ${net.pageNonGet.join(", ")}`);
    assert(net.documents === docsBefore && page.url() === PAGE.url, "the page navigated (a form was submitted?)");
    const partial = value.length < s.draft.length ? `; the box took ${value.length} of ${s.draft.length} characters` : "";
    return `${tabs} Tab presses from the box into the sidebar; status "${status}"${partial}; ${net.page.length - requestsBefore} page requests after insert, none non-GET, no navigation`;
  });

  await step("5. Alt+N: the stage moves on (inserting the public draft already made it Interaction)", async () => {
    // cases.rs use_draft: a public draft used in reconnaissance moves the case to
    // interaction; advance: interaction → resolution.
    const afterInsert = await caseStage(frame);
    // Insert put the focus in the page's box: back to the sidebar by Tab.
    await tabIntoSidebar(page, frame);
    await page.keyboard.press("Alt+KeyN");
    await frame.waitForFunction((t) => document.querySelector(".case-stage").textContent !== t, afterInsert, { timeout: 3000 }).catch(() => {});
    const afterNext = await caseStage(frame);
    assert(afterInsert === stageText(en, "interaction") && afterNext === stageText(en, "resolution"), `after Alt+I ${JSON.stringify(afterInsert)}, after Alt+N ${JSON.stringify(afterNext)}; expected Interaction, then Resolution`);
    return `"${afterInsert}" → "${afterNext}"`;
  });

  let casesPage;
  await step("6. the stored case, its row in cases.html and in the CSV export", async () => {
    let stored = [];
    for (let i = 0; i < 20; i++) {
      stored = await cases(run.sw);
      if (stored.length === 1 && stored[0][1].stage === "resolution") break;
      await page.waitForTimeout(100);
    }
    assert(stored.length === 1, `${stored.length} case entries in storage`);
    const [key, c] = stored[0];
    s.caseId = c.id;
    s.stage = c.stage;
    // What the agent did must all be in the case …
    const wrong = [];
    const expect = (cond, msg) => cond || wrong.push(msg);
    expect(key === `case:${c.id}`, `key ${key} for id ${c.id}`);
    expect(c.stage === "resolution", `stored stage ${c.stage}, expected resolution`);
    expect(s.steps.every((id) => c.steps[id] && c.steps[id].done === true && c.steps[id].at > 0) && Object.values(c.steps).filter((m) => m.done).length === 2, `steps ${JSON.stringify(c.steps)}`);
    expect(JSON.stringify([...c.steps_done].sort()) === JSON.stringify([...s.steps].sort()), `steps_done ${c.steps_done}`);
    expect(c.notes === NOTE, `notes ${JSON.stringify(c.notes)}`);
    expect(c.drafts_used.length === 1 && c.drafts_used[0].kind === "public" && c.drafts_used[0].chars > 0, `drafts_used ${JSON.stringify(c.drafts_used)}, expected one public use`);
    expect(c.url === PAGE.url && c.site === "amazon" && s.picked.startsWith(c.text.slice(0, 100)), `page facts: ${c.url} ${c.site} ${c.text.slice(0, 40)}`);
    // … and the case list and its CSV must show the stored case.
    const casesPage = await openCases(run.context, run.id);
    const row = await caseRow(casesPage, c.id);
    expect(row.stage === c.stage && row.cells.includes(en[`stage_${c.stage}`]), `row: ${JSON.stringify(row.cells)}`);
    expect(row.cells.includes(String(c.steps_done.length)), `steps done cell: ${JSON.stringify(row.cells)}`);
    await casesPage.focus("#export-csv");
    const [dl] = await Promise.all([casesPage.waitForEvent("download", { timeout: 5000 }), casesPage.keyboard.press("Enter")]);
    assert(dl.suggestedFilename() === "calmly-cases.csv", `file ${dl.suggestedFilename()}`);
    const [head, ...rows] = parseCsv(readFileSync(await dl.path(), "utf8").replace(/^\ufeff/, ""));
    const col = (r, name) => r[head.indexOf(name)];
    assert(rows.length === 1, `${rows.length} CSV rows`);
    const r = rows[0];
    expect(col(r, "id") === c.id && col(r, "stage") === c.stage && col(r, "notes") === NOTE, `CSV row: ${JSON.stringify(r)}`);
    expect(col(r, "steps_done") === [...s.steps].sort().join(";") && col(r, "drafts_used") === String(c.drafts_used.length), `CSV steps/drafts: ${col(r, "steps_done")} / ${col(r, "drafts_used")}`);
    await casesPage.close();
    assert(wrong.length === 0, wrong.join("; "));
    return `case:${c.id}: stage ${c.stage}, steps ${c.steps_done.join(", ")}, ${c.drafts_used.length} public draft use (${c.drafts_used[0].chars} chars), note; row "${row.cells[3]}", CSV row agree`;
  });

  await step("7. restart on the same profile: the same complaint shows its stage, steps and note as before", async () => {
    await run.context.close();
    run = null;
    run = await launch();
    ({ page, frame } = await openPage(run.context));
    const { after } = await pickSecond(page, frame);
    assert(after === s.picked, `the 2nd complaint is now ${JSON.stringify(after.slice(0, 60))}`);
    await frame.waitForFunction((t) => document.querySelector(".case-stage").textContent === t, stageText(en, s.stage), { timeout: 3000 });
    const ticked = await checkedSteps(frame);
    assert(JSON.stringify(ticked) === JSON.stringify(s.steps), `ticked after restart: ${JSON.stringify(ticked)}`);
    const note = await frame.$eval("textarea.case-notes", (e) => e.value);
    assert(note === NOTE, `note after restart: ${JSON.stringify(note)}`);
    const clock = await frame.$eval(".case-clock", (e) => e.textContent);
    assert(clock.includes("min"), `clock: ${clock}`);
    const casesPage = await openCases(run.context, run.id);
    const row = await caseRow(casesPage, s.caseId);
    assert(row.stage === s.stage, `row after restart: ${JSON.stringify(row)}`);
    await casesPage.close();
    await page.bringToFront();
    return `"${await caseStage(frame)}"${clock}; ${ticked.length} steps ticked; note kept; case list row kept`;
  });

  await step("8. screenshots: English light/dark, then Portuguese light/dark", async () => {
    const bg = () => frame.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const shot = (name) => page.screenshot({ path: join(ARTIFACTS, name) });
    await page.emulateMedia({ colorScheme: "light" });
    const light = await bg();
    await shot("workspace-sidebar-en-light.png");
    await page.emulateMedia({ colorScheme: "dark" });
    const dark = await bg();
    assert(light !== dark, `the sidebar's background stays ${light} in dark mode`);
    await shot("workspace-sidebar-en-dark.png");
    await run.sw.evaluate(async () => {
      const { settings } = await chrome.storage.local.get("settings");
      await chrome.storage.local.set({ settings: { ...settings, ui_language: "pt" } });
    });
    await page.emulateMedia({ colorScheme: "light" });
    await page.reload({ waitUntil: "domcontentloaded" });
    frame = await sidebarFrame(page);
    await frame.waitForSelector("#app[data-state=ready]", { timeout: 10000 });
    const lang = await frame.evaluate(() => document.documentElement.lang);
    await pickSecond(page, frame);
    const h2 = await frame.$$eval(".analysis h2", (hs) => hs.map((h) => h.textContent));
    const want = [pt.what_it_is, pt.what_to_do, pt.what_to_say];
    assert(lang === "pt" && JSON.stringify(h2) === JSON.stringify(want), `lang ${lang}, headings ${JSON.stringify(h2)}`);
    await frame.waitForFunction((t) => document.querySelector(".case-stage").textContent === t, stageText(pt, s.stage), { timeout: 3000 });
    const ptLight = await bg();
    await shot("workspace-sidebar-pt-light.png");
    await page.emulateMedia({ colorScheme: "dark" });
    const ptDark = await bg();
    assert(ptLight === light && ptDark === dark, `pt backgrounds ${ptLight} / ${ptDark}`);
    await shot("workspace-sidebar-pt-dark.png");
    return `background ${light} → ${dark}; pt headings ${h2.join(" / ")}; "${await caseStage(frame)}"`;
  });

  await step("no errors in the page or the sidebar", async () => {
    assert(errors.length === 0, errors.map((e) => e.replace(/\s+/g, " ").replace(/ Stack: .*/, "")).join("; "));
  });
} catch (e) {
  failures++;
  console.log(`FAIL ${String(e.message).split("\n")[0]}`);
} finally {
  if (run) await run.context.close().catch(() => {});
  rmSync(profile, { recursive: true, force: true });
}

if (net.extension.length) {
  failures++;
  console.log(`FAIL 9. the extension made network requests: ${net.extension.join(", ")}`);
} else console.log(`ok   9. no network request from any extension context (${net.page.length} page requests aborted, ${net.documents} page loads served)`);
console.log(`workspace e2e: ${failures ? `${failures} failed` : "all passed"} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(failures ? 1 : 0);
