// End-to-end: storage robustness of the built, unpacked extension in Chromium
// (playwright-core). Two tabs hold the same complaint's sidebar and edit the same case at
// once — one ticks a step and writes a note, the other ticks another step and moves the
// stage — interleaved, truly simultaneous and in bursts, with the case list open: the
// stored case must keep every update and each sidebar must show the other's. Then damaged
// and oversized data: an oversized case and oversized settings opened by the sidebar, and
// by the case list; an oversized case repaired when storage is nearly full (its copy and
// its repair in one write); a write refused because storage is full, in the sidebar and on
// the options page. Every other request is aborted and counted; the extension must make
// none.
//   node tests/e2e/storage.mjs        (CALMLY_EXT=<unpacked dir> to test another build)
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";
import { ARTIFACTS, EXT, PAGES, ROOT, available, extensionArgs, findSidebar } from "./pages.mjs";

const ext = resolve(process.env.CALMLY_EXT || EXT.chromium);
const [PAGE] = available(PAGES.filter((p) => p.name === "fixture-no-csp"));
const en = JSON.parse(readFileSync(join(ROOT, "extension/ui/en.json"), "utf8"));
const STAGES = ["reconnaissance", "interaction", "resolution", "closing", "closed"];
const NOTES_CHARS = 5000; // src/engine/cases.rs
const DRAFTS_MAX = 200;

mkdirSync(ARTIFACTS, { recursive: true });
const profile = mkdtempSync(join(tmpdir(), "calmly-storage-"));
const started = Date.now();
const net = { extension: [], page: 0, documents: 0 };
const errors = [];
let failures = 0;

const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  locale: "en-US",
  viewport: { width: 1280, height: 900 },
  args: extensionArgs(ext),
});
// Only network URLs: the extension's own chrome-extension:// files are local.
await context.route((url) => /^(https?|wss?|ftp):$/.test(url.protocol), (route) => {
  const req = route.request();
  if (req.url() === PAGE.url && req.resourceType() === "document" && req.method() === "GET") {
    net.documents++;
    return route.fulfill({ status: 200, body: PAGE.body, headers: { "content-type": "text/html; charset=utf-8", ...PAGE.headers } });
  }
  let frameUrl = "";
  try {
    frameUrl = req.frame().url();
  } catch {}
  if (req.serviceWorker() || frameUrl.startsWith("chrome-extension://")) net.extension.push(`${req.method()} ${req.url()}`);
  else net.page++;
  return route.abort();
});

async function step(name, fn) {
  try {
    const detail = await fn();
    console.log(`ok   ${name}${detail ? `: ${detail}` : ""}`);
  } catch (e) {
    failures++;
    console.log(`FAIL ${name}: ${String(e.message).split("\n")[0]}`);
    let i = 0;
    for (const p of context.pages()) if (p.url() !== "about:blank") await p.screenshot({ path: join(ARTIFACTS, `storage-failed-${i++}.png`) }).catch(() => {});
  }
}

function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

/** Polls `fn` until it returns a truthy value; the last value, or throws `msg()` after `ms`. */
async function until(fn, msg, ms = 8000) {
  const end = Date.now() + ms;
  let v;
  for (;;) {
    v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(msg(v));
    await new Promise((r) => setTimeout(r, 50));
  }
}

try {
  const sw = context.serviceWorkers()[0] ?? (await context.waitForEvent("serviceworker", { timeout: 10000 }));
  const id = new URL(sw.url()).host;
  await sw.evaluate(async () => {
    for (let i = 0; i < 50 && !(await chrome.storage.local.get("settings")).settings; i++) await new Promise((r) => setTimeout(r, 100));
  });
  const all = () => sw.evaluate(() => chrome.storage.local.get(null));
  const caseEntries = async () => Object.entries(await all()).filter(([k]) => k.startsWith("case:"));
  /** Fills storage up to `free` bytes short of the quota with one "filler" entry. */
  const fill = (free) =>
    sw.evaluate(async (free) => {
      const s = chrome.storage.local;
      await s.remove("filler");
      const room = s.QUOTA_BYTES - (await s.getBytesInUse(null));
      await s.set({ filler: "f".repeat(Math.max(0, room - free - "filler".length - 2)) });
      return s.QUOTA_BYTES - (await s.getBytesInUse(null));
    }, free);
  const unfill = () => sw.evaluate(() => chrome.storage.local.remove("filler"));
  // Every value a case key takes, in order, to tell how often one tab wrote over another's
  // update (and that it was put back).
  await sw.evaluate(() => {
    globalThis.caseWrites = [];
    chrome.storage.onChanged.addListener((changes, area) => {
      for (const [k, c] of Object.entries(changes)) if (area === "local" && k.startsWith("case:") && c.newValue) globalThis.caseWrites.push(c.newValue);
    });
  });

  function watch(page, name) {
    page.on("pageerror", (e) => errors.push(`${name}: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error" && (m.location().url || "").startsWith("chrome-extension://")) errors.push(`${name} console: ${m.text()}`);
    });
  }
  async function openTab(name) {
    const page = await context.newPage();
    watch(page, name);
    await page.goto(PAGE.url, { waitUntil: "domcontentloaded" });
    const frame = await findSidebar(page, 10000);
    assert(frame, `${name}: the sidebar did not appear`);
    await frame.waitForSelector("#app[data-state=ready] section.case", { timeout: 10000 });
    return { page, frame };
  }
  async function openExtensionPage(path) {
    const page = await context.newPage();
    watch(page, path);
    await page.goto(`chrome-extension://${id}/${path}`);
    await page.waitForSelector("html[data-state=ready]", { timeout: 10000 });
    return page;
  }
  const stageLabel = (stage) => `${en.stage}: ${en[`stage_${stage}`]}`;
  /** What a sidebar shows of the open case. */
  const shown = (frame) =>
    frame.evaluate(() => ({
      stage: document.querySelector(".case-stage").textContent,
      steps: Object.fromEntries([...document.querySelectorAll(".steps input[data-step]")].map((c) => [c.dataset.step, c.checked])),
      notes: document.querySelector("textarea.case-notes").value,
    }));

  let A, B, casesPage, S1, S2, caseKey;
  // The edits each tab made, hence what storage and both sidebars must end up with.
  const want = { s1: false, s2: false, note: "", stage: 0 };

  /** Storage holds every update, and each sidebar shows the other's. */
  async function converged(label) {
    const st = STAGES[want.stage];
    const c = await until(
      async () => {
        const cs = await caseEntries();
        const c = cs.length === 1 ? cs[0][1] : null;
        return c && !!c.steps[S1]?.done === want.s1 && !!c.steps[S2]?.done === want.s2 && c.notes === want.note && c.stage === st ? c : null;
      },
      () => `${label}: storage never held every update (want ${JSON.stringify(want)})`,
    ).catch(async (e) => {
      const cs = await caseEntries();
      const c = cs[0] && cs[0][1];
      throw new Error(`${e.message}; stored ${cs.length} case(s): ${c ? JSON.stringify({ s1: c.steps[S1], s2: c.steps[S2], notes: c.notes, stage: c.stage }) : "none"}`);
    });
    caseKey = `case:${c.id}`;
    for (const [name, tab] of [["A", A], ["B", B]]) {
      await until(
        async () => {
          const s = await shown(tab.frame);
          return s.stage === stageLabel(st) && s.steps[S1] === want.s1 && s.steps[S2] === want.s2 && s.notes === want.note;
        },
        () => `${label}: tab ${name}'s sidebar does not show the merged case`,
      ).catch(async (e) => {
        throw new Error(`${e.message}: ${JSON.stringify(await shown(tab.frame))}`);
      });
    }
    return c;
  }

  // Tab A: step 1 and the note; tab B: step 2 and the stage.
  const tickA = () => A.frame.click(`.steps input[data-step="${S1}"]`).then(() => (want.s1 = !want.s1));
  const noteA = async (text) => {
    await A.frame.fill("textarea.case-notes", text);
    await A.frame.$eval("textarea.case-notes", (e) => e.blur()); // change: one stored edit
    want.note = text;
  };
  const tickB = () => B.frame.click(`.steps input[data-step="${S2}"]`).then(() => (want.s2 = !want.s2));
  const nextB = () => B.frame.click("button.next-stage").then(() => (want.stage = Math.min(want.stage + 1, STAGES.length - 1)));

  await step("two tabs: the same complaint's sidebar in each, no case yet", async () => {
    A = await openTab("tab A");
    B = await openTab("tab B");
    const steps = await A.frame.$$eval(".steps input[data-step]", (cs) => cs.map((c) => c.dataset.step));
    assert(steps.length >= 2, `plan has ${steps.length} steps`);
    [S1, S2] = steps;
    const textA = await A.frame.$eval("blockquote.complaint-text", (e) => e.textContent);
    const textB = await B.frame.$eval("blockquote.complaint-text", (e) => e.textContent);
    assert(textA === textB, "the two tabs opened different complaints");
    assert((await caseEntries()).length === 0, "a case exists before any edit");
    return `${PAGE.url}; steps ${S1} (tab A), ${S2} (tab B); "${textA.slice(0, 40)}…"`;
  });

  await step("interleaved: 3 rounds of A tick + B tick + A note + B next stage, no waiting between tabs", async () => {
    for (let r = 1; r <= 3; r++) {
      await tickA();
      await tickB();
      await noteA(`Tab A, interleaved round ${r}: called the customer.`);
      await nextB();
      await converged(`round ${r}`);
    }
    return `every round stored whole and shown in both tabs; stage ${STAGES[want.stage]}`;
  });

  await step("a third writer: the stage set back from the service worker reaches both sidebars", async () => {
    await sw.evaluate(async (key) => {
      const { [key]: c } = await chrome.storage.local.get(key);
      const now = Date.now();
      await chrome.storage.local.set({ [key]: { ...c, stage: "reconnaissance", stage_at: now, updated: now } });
    }, caseKey);
    want.stage = 0;
    await converged("after the service worker's write");
  });

  await step("the case list open while both tabs edit", async () => {
    casesPage = await openExtensionPage("cases.html");
    await casesPage.waitForSelector(`#cases tr[data-id="${caseKey.slice(5)}"]`, { timeout: 5000 });
    return "open";
  });

  /** The case list's row follows storage. */
  async function rowFollows(label) {
    const done = [want.s1, want.s2].filter(Boolean).length;
    await until(
      () =>
        casesPage.$eval(
          `#cases tr[data-id="${caseKey.slice(5)}"]`,
          (r, [stage, done]) => r.dataset.stage === stage && r.cells[5].textContent === String(done),
          [STAGES[want.stage], done],
        ),
      () => `${label}: the case list's row does not show stage ${STAGES[want.stage]} and ${done} steps`,
    );
  }

  await step("truly simultaneous: 3 rounds of (A tick + note) ‖ (B tick + next stage) with Promise.all", async () => {
    for (let r = 1; r <= 3; r++) {
      const note = `Tab A, simultaneous round ${r}: refund approved.`;
      await Promise.all([(async () => (await tickA(), await noteA(note)))(), (async () => (await tickB(), await nextB()))()]);
      await converged(`round ${r}`);
      await rowFollows(`round ${r}`);
    }
    return `stage ${STAGES[want.stage]}, ${[want.s1, want.s2].filter(Boolean).length} steps done, in storage, both sidebars and the case list`;
  });

  await step("bursts: 6 simultaneous rounds fired in the same instant in both tabs, no waiting at all", async () => {
    const rounds = [];
    for (let r = 1; r <= 6; r++) {
      const note = `Tab A, burst ${r}.`;
      // Each tab's edits in one synchronous run of its own page, both started at once.
      rounds.push(
        A.frame.evaluate(([s1, note]) => {
          document.querySelector(`.steps input[data-step="${s1}"]`).click();
          const t = document.querySelector("textarea.case-notes");
          t.value = note;
          t.dispatchEvent(new Event("change"));
        }, [S1, note]),
        B.frame.evaluate(([s2, advance]) => {
          document.querySelector(`.steps input[data-step="${s2}"]`).click();
          if (advance) document.querySelector("button.next-stage").click();
        }, [S2, r === 1]),
      );
      want.s1 = !want.s1;
      want.s2 = !want.s2;
      want.note = note;
      if (r === 1) want.stage = Math.min(want.stage + 1, STAGES.length - 1);
    }
    await Promise.all(rounds);
    const c = await converged("after the bursts");
    await rowFollows("after the bursts");
    return `final: stage ${c.stage}, ${S1} ${want.s1 ? "done" : "not done"}, ${S2} ${want.s2 ? "done" : "not done"}, note "${c.notes}"`;
  });

  await step("no update lost for good: every write that lacked another tab's update was put back", async () => {
    const writes = await sw.evaluate(() => globalThis.caseWrites);
    // A write "goes back" when a field's time is older than in the write before it.
    let back = 0;
    for (let i = 1; i < writes.length; i++) {
      const [p, c] = [writes[i - 1], writes[i]];
      const older = (a, b) => (a ?? 0) < (b ?? 0);
      if (older(c.stage_at, p.stage_at) || older(c.notes_at, p.notes_at) || older(c.steps[S1]?.at, p.steps[S1]?.at) || older(c.steps[S2]?.at, p.steps[S2]?.at)) back++;
    }
    const last = writes[writes.length - 1];
    assert(last.notes === want.note && last.stage === STAGES[want.stage], "the last write is not the merged case");
    return `${writes.length} writes of the case; ${back} of them overwrote another tab's newer edit, each put back by the tab that saw it (storage.onChanged)`;
  });

  // Oversized data. The tabs and the case list are closed, so that the page under test is
  // the first to read it.
  for (const p of [A.page, B.page, casesPage]) await p.close();
  const BIG_NOTES = `${"Cliente ligou outra vez; pediu o reembolso. ".repeat(7000)}FIM`; // ~300 000 characters
  let rawCase, rawSettings;

  await step("oversized case and settings, opened by the sidebar: trimmed and defaults, warnings, backups", async () => {
    [rawCase, rawSettings] = await sw.evaluate(
      async ([key, notes]) => {
        const { [key]: c, settings } = await chrome.storage.local.get([key, "settings"]);
        const now = Date.now();
        const raw = { ...c, notes, notes_at: now, updated: now, junk: "j".repeat(50_000) };
        const s = { ...settings, brand: "Loja Grande", agent: "a".repeat(300_000) };
        await chrome.storage.local.set({ [key]: raw, settings: s });
        return [raw, s];
      },
      [caseKey, BIG_NOTES],
    );
    const tab = await openTab("tab C");
    const warning = await tab.frame.waitForSelector("#calmly-warning:not([hidden])", { timeout: 5000 }).then((e) => e.textContent());
    assert(warning.includes('"agent"'), `the settings warning does not name the field: ${warning}`);
    const caseWarning = await tab.frame.waitForSelector(".case-warning:not([hidden])", { timeout: 5000 }).then((e) => e.textContent());
    assert(/too large/.test(caseWarning) && caseWarning.includes("notes") && caseWarning.includes("copy"), `case warning: ${caseWarning}`);
    const notes = await tab.frame.$eval("textarea.case-notes", (e) => e.value);
    assert(notes === BIG_NOTES.slice(0, NOTES_CHARS), `the notes box holds ${notes.length} characters, not the first ${NOTES_CHARS} of the note`);
    const s = await until(async () => {
      const s = await all();
      return Object.keys(s).some((k) => k.startsWith(`backup:${caseKey}:`)) && Object.keys(s).some((k) => k.startsWith("backup:settings:")) ? s : null;
    }, () => "no backup keys");
    const caseBackups = Object.keys(s).filter((k) => k.startsWith(`backup:${caseKey}:`));
    const settingsBackups = Object.keys(s).filter((k) => k.startsWith("backup:settings:"));
    assert(caseBackups.length === 1 && isDeepStrictEqual(s[caseBackups[0]], rawCase), `case backups ${caseBackups.length}, equal to the original: ${isDeepStrictEqual(s[caseBackups[0]], rawCase)}`);
    assert(settingsBackups.length === 1 && isDeepStrictEqual(s[settingsBackups[0]], rawSettings), "the settings backup is not the original");
    const c = s[caseKey];
    assert(c.notes.length === NOTES_CHARS && !("junk" in c) && c.stage === STAGES[want.stage], `stored case: ${c.notes.length} characters of notes, junk ${"junk" in c}, stage ${c.stage}`);
    assert(s.settings.agent === "" && s.settings.brand === "Loja Grande", `stored settings: agent ${s.settings.agent.length} chars, brand ${s.settings.brand}`);
    const draft = await tab.frame.$eval("textarea.draft", (e) => e.value);
    assert(!draft.includes("aaaaaaaaaa"), "the oversized agent name reached the draft");
    await tab.page.screenshot({ path: join(ARTIFACTS, "storage-oversized-sidebar.png") });
    await tab.page.close();
    return `${caseBackups[0]} (${JSON.stringify(rawCase).length} bytes, equal), ${settingsBackups[0]} (equal); notes cut to ${NOTES_CHARS}, agent reset, brand kept`;
  });

  const OTHER = "00000000000000c2";
  const otherRaw = (now, notes) => ({
    schema: 1, id: OTHER, url: "https://www.trustpilot.com/review/other.example", site: "trustpilot", author: "Kim", text: "The refund never came.",
    posted: null, posted_ms: null, first_seen: now - 3_600_000, stage: "interaction", stage_at: now - 60_000, steps: {}, steps_done: [],
    drafts_used: Array.from({ length: DRAFTS_MAX + 50 }, (_, i) => ({ kind: "public", at: now - 1_000_000 + i, chars: 120 })),
    notes, notes_at: now - 60_000, language: "en", category: "refund", severity: "high", follow_up: null, follow_up_at: now - 3_600_000, updated: now - 60_000,
  });

  await step("oversized case and settings, opened by the case list: trimmed row, warnings, backups", async () => {
    const [raw, rawS] = await sw.evaluate(
      async (raw) => {
        const { settings } = await chrome.storage.local.get("settings");
        const s = { ...settings, signature: "s".repeat(100_000) };
        await chrome.storage.local.set({ [`case:${raw.id}`]: raw, settings: s });
        return [raw, s];
      },
      otherRaw(Date.now(), "n".repeat(200_000)),
    );
    const page = await openExtensionPage("cases.html");
    await page.waitForSelector(`#cases tr[data-id="${OTHER}"]`, { timeout: 5000 });
    const notice = await page.$eval("#notice", (e) => e.textContent);
    assert(notice.includes(`case:${OTHER}`) && /too large/.test(notice) && notice.includes("drafts_used"), `notice: ${notice.slice(0, 300)}`);
    assert(notice.includes('"signature"'), `the settings' oversized field is not named: ${notice.slice(0, 300)}`);
    const s = await all();
    const cb = Object.keys(s).filter((k) => k.startsWith(`backup:case:${OTHER}:`));
    const sb = Object.keys(s).filter((k) => k.startsWith("backup:settings:") && s[k].signature);
    assert(cb.length === 1 && isDeepStrictEqual(s[cb[0]], raw), "the case's backup is not the original");
    assert(sb.length === 1 && isDeepStrictEqual(s[sb[0]], rawS), "the settings' backup is not the original");
    const c = s[`case:${OTHER}`];
    assert(c.notes.length === NOTES_CHARS && c.drafts_used.length === DRAFTS_MAX && c.drafts_used.at(-1).at === raw.drafts_used.at(-1).at, `stored: notes ${c.notes.length}, drafts ${c.drafts_used.length}`);
    assert(s.settings.signature === "" && s.settings.brand === "Loja Grande", "the settings were not repaired");
    await page.screenshot({ path: join(ARTIFACTS, "storage-oversized-cases.png"), fullPage: true });
    await page.close();
    return `${cb[0]}, ${sb[0]}; notes ${NOTES_CHARS}, the latest ${DRAFTS_MAX} draft uses`;
  });

  await step("nearly full storage: an oversized case is still repaired, its copy and repair in one write", async () => {
    const raw = otherRaw(Date.now(), `${"Nota importante. ".repeat(60_000)}FIM`); // ~1 MB
    await sw.evaluate((raw) => chrome.storage.local.set({ [`case:${raw.id}`]: raw }), raw);
    const free = await fill(60_000);
    // A copy on its own would not fit …
    const alone = await sw.evaluate((raw) => chrome.storage.local.set({ probe: raw }).then(() => "written", (e) => e.message), raw);
    assert(/quota/i.test(alone), `a separate 1 MB copy was accepted (${alone}) with ${free} bytes free`);
    // … but copy + repair in one write costs only the repaired case.
    const page = await openExtensionPage("cases.html");
    await page.waitForSelector(`#cases tr[data-id="${OTHER}"]`, { timeout: 5000 });
    const notice = await page.$eval("#notice", (e) => ({ text: e.textContent, error: e.classList.contains("error") }));
    assert(!notice.error && notice.text.includes(`case:${OTHER}`), `notice: ${JSON.stringify(notice).slice(0, 300)}`);
    const s = await all();
    const cb = Object.keys(s).filter((k) => k.startsWith(`backup:case:${OTHER}:`) && s[k].notes.endsWith("FIM"));
    assert(cb.length === 1 && isDeepStrictEqual(s[cb[0]], raw), "the 1 MB original was not kept whole");
    assert(s[`case:${OTHER}`].notes.length === NOTES_CHARS, "the case was not repaired");
    const storageUse = await page.$eval("#storage-use", (e) => (e.hidden ? "" : e.textContent));
    assert(/\d+% full/.test(storageUse), `no storage warning near the quota: ${JSON.stringify(storageUse)}`);
    await page.close();
    await unfill();
    return `${free} bytes free, a lone copy refused (${alone}); repaired in one write; "${storageUse.slice(0, 60)}…"`;
  });

  await step("full storage: the sidebar's write is refused, the error is shown, the note stays; saved once there is room", async () => {
    const tab = await openTab("tab D");
    // A short note first, so that the one written while full needs more room.
    await tab.frame.fill("textarea.case-notes", "Short.");
    await tab.frame.$eval("textarea.case-notes", (e) => e.blur());
    const before = await until(async () => {
      const c = (await all())[caseKey];
      return c.notes === "Short." ? c : null;
    }, () => "the short note was not saved");
    const note = "Written while storage is full: promised a call back at 5 pm.";
    // Less room than the longer note needs (a rewrite costs the quota only what it adds).
    await fill(10);
    await tab.frame.fill("textarea.case-notes", note);
    await tab.frame.$eval("textarea.case-notes", (e) => e.blur());
    const error = await tab.frame.waitForSelector(".case-error:not([hidden])", { timeout: 5000 }).then((e) => e.textContent());
    assert(/^Not saved/.test(error) && /quota/i.test(error), `error: ${error}`);
    assert((await tab.frame.$eval(".case-error", (e) => e.getAttribute("role"))) === "alert", "the error is not role=alert");
    assert((await tab.frame.$eval("textarea.case-notes", (e) => e.value)) === note, "the note left the box");
    assert((await all())[caseKey].notes === before.notes, "storage changed");
    await tab.page.screenshot({ path: join(ARTIFACTS, "storage-full-sidebar.png") });
    await unfill();
    await tab.frame.click(`.steps input[data-step="${S2}"]`);
    const c = await until(async () => {
      const c = (await all())[caseKey];
      return c.notes === note ? c : null;
    }, () => "the note was not saved once there was room");
    await tab.frame.waitForSelector(".case-error[hidden]", { state: "attached", timeout: 5000 });
    assert(!!c.steps[S2]?.done === !want.s2, "the tick after the failure was not saved");
    await tab.page.close();
    return `"${error.slice(0, 70)}…"; then saved with the next edit, error gone`;
  });

  await step("full storage: the options page's Save is refused, the form keeps what was typed", async () => {
    const page = await openExtensionPage("options.html");
    await fill(10);
    await page.fill("#brand", "Loja Cheia, filial do Porto");
    await page.click("#save");
    await page.waitForFunction(() => document.querySelector("#notice").classList.contains("error"), null, { timeout: 5000 });
    const notice = await page.$eval("#notice p", (e) => e.textContent);
    assert(/could not be saved/.test(notice) && /quota/i.test(notice), `notice: ${notice}`);
    assert((await page.$eval("#brand", (e) => e.value)) === "Loja Cheia, filial do Porto", "the form lost the typed brand");
    assert((await all()).settings.brand === "Loja Grande", "storage changed");
    await unfill();
    await page.click("#save");
    await page.waitForFunction(() => document.querySelector("#notice").textContent.includes("Settings saved"), null, { timeout: 5000 });
    assert((await all()).settings.brand === "Loja Cheia, filial do Porto", "not saved once there was room");
    await page.close();
    return `"${notice.slice(0, 70)}…"; saved once there was room`;
  });

  await step("no errors on the pages or in the extension", async () => {
    assert(errors.length === 0, errors.map((e) => e.replace(/\s+/g, " ")).join("; "));
  });
} catch (e) {
  failures++;
  console.log(`FAIL ${String(e.message).split("\n")[0]}`);
} finally {
  await context.close().catch(() => {});
  rmSync(profile, { recursive: true, force: true });
}

if (net.extension.length) {
  failures++;
  console.log(`FAIL the extension made network requests: ${net.extension.join(", ")}`);
} else console.log(`ok   no network request from any extension context (${net.page} page requests aborted, ${net.documents} page loads served)`);
console.log(`storage e2e: ${failures ? `${failures} failed` : "all passed"} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(failures ? 1 : 0);
