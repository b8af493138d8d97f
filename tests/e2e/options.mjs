// End-to-end: the options page, the case list and the follow-up reminders of the built,
// unpacked extension in Chromium (playwright-core). The form is filled by keyboard; the
// settings and cases go through storage exactly as the extension stores them; every
// network request is blocked and counted, and the extension must make none.
//   node tests/e2e/options.mjs        (CALMLY_EXT=<unpacked dir> to test another build)
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";
import { ARTIFACTS, EXT } from "./pages.mjs";

const ext = resolve(process.env.CALMLY_EXT || EXT.chromium);
mkdirSync(ARTIFACTS, { recursive: true });
const profile = mkdtempSync(join(tmpdir(), "calmly-options-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  acceptDownloads: true,
  locale: "en-US",
  viewport: { width: 1100, height: 900 },
  args: [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", `--disable-extensions-except=${ext}`, `--load-extension=${ext}`,
  ],
});

const requests = [];
await context.route((url) => /^(https?|wss?|ftp):$/.test(url.protocol), (route) => {
  requests.push(route.request().url());
  return route.abort();
});

let failures = 0;
const errors = [];
const pages = [];

async function step(name, fn) {
  try {
    const detail = await fn();
    console.log(`ok   ${name}${detail ? `: ${detail}` : ""}`);
  } catch (e) {
    failures++;
    console.log(`FAIL ${name}: ${e.message.split("\n")[0]}`);
    for (const p of context.pages()) await p.screenshot({ path: join(ARTIFACTS, `options-failed-${pages.indexOf(p)}.png`) }).catch(() => {});
  }
}

function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

try {
  const sw = context.serviceWorkers()[0] ?? (await context.waitForEvent("serviceworker", { timeout: 10000 }));
  const id = new URL(sw.url()).host;
  const url = (p) => `chrome-extension://${id}/${p}`;
  const storage = (keys = null) => sw.evaluate((k) => chrome.storage.local.get(k), keys);
  // onInstalled writes the first settings; wait for them.
  await sw.evaluate(async () => {
    for (let i = 0; i < 50 && !(await chrome.storage.local.get("settings")).settings; i++) await new Promise((r) => setTimeout(r, 100));
  });

  async function open(path) {
    const page = await context.newPage();
    pages.push(page);
    page.on("pageerror", (e) => errors.push(`${path}: ${e.message}`));
    page.on("console", (m) => m.type() === "error" && errors.push(`${path}: console: ${m.text()}`));
    await page.goto(url(path));
    await page.waitForSelector("html[data-state=ready]", { timeout: 10000 });
    return page;
  }
  const value = (page, sel) => page.$eval(sel, (e) => (e.type === "checkbox" ? e.checked : e.value));
  const notice = (page) => page.$eval("#notice", (e) => e.textContent);
  const active = (page) => page.evaluate(() => document.activeElement && document.activeElement.id);
  /** One Tab press must land on `want`. */
  async function tab(page, want) {
    await page.keyboard.press("Tab");
    const got = await active(page);
    assert(got === want, `Tab went to #${got}, expected #${want}`);
  }
  async function download(page, trigger) {
    const [dl] = await Promise.all([page.waitForEvent("download", { timeout: 5000 }), trigger()]);
    return { name: dl.suggestedFilename(), text: readFileSync(await dl.path(), "utf8") };
  }

  let options;
  let sites = [];
  await step("options: opens on the defaults, every control labelled", async () => {
    options = await open("options.html");
    sites = await options.evaluate(() => globalThis.CALMLY_SITES.map((s) => s.id));
    assert(sites.length > 0, "no sites listed");
    assert((await options.$$("#sites input[type=checkbox]")).length === sites.length, "not one checkbox per site");
    assert((await value(options, "#response_target_minutes")) === "60", "response target is not 60");
    assert((await value(options, "#tone")) === "warm", "tone is not warm");
    assert((await notice(options)) === "", `unexpected notice: ${await notice(options)}`);
    const unlabelled = await options.$$eval("input:not([type=file]), select, textarea", (els) =>
      els.filter((e) => !(e.labels && e.labels.length && e.labels[0].textContent.trim())).map((e) => e.id),
    );
    assert(unlabelled.length === 0, `controls without a label: ${unlabelled.join(", ")}`);
    const untranslated = await options.$$eval("[data-i18n]", (els) => els.filter((e) => /^(opt|cases|tone|register)_/.test(e.textContent)).map((e) => e.textContent));
    assert(untranslated.length === 0, `strings missing: ${untranslated.join(", ")}`);
    return `${sites.length} sites`;
  });

  await step("options: filled by keyboard, saved, shown again after a reload", async () => {
    const p = options;
    await p.focus("#brand");
    await p.keyboard.type("Loja Azul");
    await tab(p, "agent");
    await p.keyboard.type("Ana");
    await tab(p, "signature");
    await p.keyboard.type("Ana, Apoio ao Cliente");
    await tab(p, "email");
    await p.keyboard.type("apoio@loja-azul.example");
    await tab(p, "phone");
    await p.keyboard.type("+351 210 000 000");
    await tab(p, "link");
    await p.keyboard.type("https://loja-azul.example/contacto");
    await tab(p, "compensation_allowed");
    await p.keyboard.press("Space");
    await tab(p, "gesture");
    await p.keyboard.type("um vale de 10%");
    await tab(p, "compensation_when");
    await p.keyboard.type("encomendas acima de 50 EUR");
    await tab(p, "response_target_minutes");
    await p.keyboard.press("Control+A");
    await p.keyboard.type("30");
    await tab(p, "tone");
    await p.keyboard.press("ArrowDown"); // warm → formal
    await tab(p, "fallback_language");
    await p.keyboard.press("Home"); // pt
    await tab(p, "register-pt");
    await tab(p, "register-es");
    await p.keyboard.press("ArrowDown");
    await p.keyboard.press("ArrowDown"); // default → informal → formal
    for (const l of ["pl", "ro", "en"]) await tab(p, `register-${l}`);
    await tab(p, `site-${sites[0]}`);
    await p.keyboard.press("Space"); // off
    for (const s of sites.slice(1)) await tab(p, `site-${s}`);
    await tab(p, "templates-pt");
    await p.keyboard.type("apology = Lamentamos muito o sucedido.");
    await p.keyboard.press("Enter");
    await p.keyboard.type("# a comment");
    for (const l of ["es", "pl", "ro", "en"]) await tab(p, `templates-${l}`);
    await tab(p, "ui_language");
    await tab(p, "save");
    await p.keyboard.press("Enter");
    await p.waitForFunction(() => document.querySelector("#notice").textContent.includes("Settings saved"), null, { timeout: 5000 });
    const { settings: s } = await storage("settings");
    const want = {
      brand: "Loja Azul", agent: "Ana", signature: "Ana, Apoio ao Cliente", gesture: "um vale de 10%", compensation_when: "encomendas acima de 50 EUR",
      compensation_allowed: true, response_target_minutes: 30, tone: "formal", fallback_language: "pt", ui_language: "", schema: 1,
    };
    for (const [k, v] of Object.entries(want)) assert(s[k] === v, `stored ${k} = ${JSON.stringify(s[k])}, expected ${JSON.stringify(v)}`);
    assert(s.channels.email === "apoio@loja-azul.example" && s.channels.phone === "+351 210 000 000" && s.channels.link === "https://loja-azul.example/contacto", `channels ${JSON.stringify(s.channels)}`);
    assert(JSON.stringify(s.registers) === '{"es":"formal"}', `registers ${JSON.stringify(s.registers)}`);
    assert(s.enabled_sites[sites[0]] === false && Object.keys(s.enabled_sites).length === 1, `enabled_sites ${JSON.stringify(s.enabled_sites)}`);
    assert(s.templates.pt && s.templates.pt.apology === "Lamentamos muito o sucedido." && Object.keys(s.templates).length === 1, `templates ${JSON.stringify(s.templates)}`);
    await p.reload();
    await p.waitForSelector("html[data-state=ready]");
    const shown = {
      "#brand": "Loja Azul", "#agent": "Ana", "#email": "apoio@loja-azul.example", "#response_target_minutes": "30", "#tone": "formal",
      "#register-es": "formal", "#register-pt": "", "#compensation_allowed": true, [`#site-${sites[0]}`]: false, [`#site-${sites[1]}`]: true,
      "#templates-pt": "apology = Lamentamos muito o sucedido.",
    };
    for (const [sel, v] of Object.entries(shown)) assert((await value(p, sel)) === v, `${sel} shows ${JSON.stringify(await value(p, sel))} after reload`);
    // Focus is visible: the focused control has an outline.
    await p.focus("#brand");
    const outline = await p.$eval("#brand", (e) => getComputedStyle(e).outlineStyle);
    assert(outline !== "none", "no visible focus outline");
    await p.screenshot({ path: join(ARTIFACTS, "options-light.png"), fullPage: true });
    await p.emulateMedia({ colorScheme: "dark" });
    const bg = await p.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert(bg === "rgb(21, 27, 33)", `dark background is ${bg}`);
    await p.screenshot({ path: join(ARTIFACTS, "options-dark.png"), fullPage: true });
    await p.emulateMedia({ colorScheme: "light" });
    return "13 fields stored and shown again; light and dark screenshots";
  });

  let exported;
  await step("options: export downloads calmly-settings.json", async () => {
    await options.focus("#export");
    const { name, text } = await download(options, () => options.keyboard.press("Enter"));
    assert(name === "calmly-settings.json", `file name ${name}`);
    exported = JSON.parse(text);
    assert(exported.schema === 1 && exported.brand === "Loja Azul" && exported.registers.es === "formal" && exported.templates.pt.apology, `exported ${text.slice(0, 200)}`);
    return `${text.length} bytes, schema ${exported.schema}`;
  });

  await step("options: a file that is not JSON changes nothing", async () => {
    const before = await storage("settings");
    const chooser = options.waitForEvent("filechooser");
    await options.focus("#import");
    await options.keyboard.press("Enter");
    await (await chooser).setFiles({ name: "broken.json", mimeType: "application/json", buffer: Buffer.from("{ not json") });
    await options.waitForFunction(() => document.querySelector("#notice").classList.contains("error"), null, { timeout: 5000 });
    assert((await notice(options)).includes("broken.json"), `notice: ${await notice(options)}`);
    assert((await value(options, "#brand")) === "Loja Azul", "the form changed");
    assert(JSON.stringify(await storage("settings")) === JSON.stringify(before), "storage changed");
  });

  await step("options: import names the bad field and saves nothing until Save", async () => {
    const before = await storage("settings");
    const file = { ...exported, brand: "Imported Brand", response_target_minutes: 0 };
    const chooser = options.waitForEvent("filechooser");
    await options.focus("#import");
    await options.keyboard.press("Enter");
    await (await chooser).setFiles({ name: "team.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(file)) });
    await options.waitForFunction(() => document.querySelector("#notice").textContent.includes("team.json"), null, { timeout: 5000 });
    const text = await notice(options);
    assert(text.includes("response_target_minutes"), `the warning does not name the field: ${text}`);
    assert((await value(options, "#brand")) === "Imported Brand", "the form does not show the file");
    assert((await value(options, "#response_target_minutes")) === "60", "the bad field was not reset in the form");
    assert(JSON.stringify(await storage("settings")) === JSON.stringify(before), "storage changed before Save");
    await options.focus("#save");
    await options.keyboard.press("Enter");
    await options.waitForFunction(() => document.querySelector("#notice").textContent.includes("Settings saved"), null, { timeout: 5000 });
    const { settings: s } = await storage("settings");
    assert(s.brand === "Imported Brand" && s.response_target_minutes === 60, `after Save: ${JSON.stringify(s).slice(0, 200)}`);
    return "warning names response_target_minutes";
  });

  await step("options: an unreadable template line blocks Save; Undo restores the form", async () => {
    const before = await storage("settings");
    await options.focus("#templates-es");
    await options.keyboard.type("no equals sign here");
    await options.focus("#save");
    await options.keyboard.press("Enter");
    await options.waitForFunction(() => document.querySelector("#notice").classList.contains("error"), null, { timeout: 5000 });
    const text = await notice(options);
    assert(text.includes("Spanish wording, line 1"), `notice: ${text}`);
    assert((await active(options)) === "templates-es", "focus did not go to the bad field");
    assert(JSON.stringify(await storage("settings")) === JSON.stringify(before), "storage changed");
    await options.focus("#revert");
    await options.keyboard.press("Enter");
    assert((await value(options, "#templates-es")) === "", "Undo did not restore the form");
  });

  await step("options: corrupt stored settings → defaults, a warning, a backup", async () => {
    await sw.evaluate(() => chrome.storage.local.set({ settings: "garbage" }));
    await options.reload();
    await options.waitForSelector("html[data-state=ready]");
    assert((await value(options, "#brand")) === "", "brand is not the default");
    assert((await value(options, "#response_target_minutes")) === "60", "target is not the default");
    const text = await notice(options);
    assert(/could not be read/i.test(text), `no warning: ${JSON.stringify(text)}`);
    assert((await options.getAttribute("#notice", "role")) === "status", "the banner is not role=status");
    const all = await storage();
    const backups = Object.keys(all).filter((k) => k.startsWith("backup:settings:"));
    assert(backups.length === 1 && all[backups[0]] === "garbage", `backups: ${JSON.stringify(backups)}`);
    assert(all.settings && typeof all.settings === "object" && all.settings.schema === 1, "the settings were not rewritten");
    return backups[0];
  });

  // Three cases made by the engine itself, plus one corrupt entry.
  const now = Date.now();
  let ids = [];
  let casesPage;
  await step("cases: 3 rows, a warning, the corrupt entry backed up", async () => {
    ids = await options.evaluate(async (now) => {
      const m = await import("/pkg/calmly_store.js");
      await m.default();
      const a = m.newCase({ url: "https://www.trustpilot.com/review/loja.example", site: "trustpilot", author: "Maria", text: "The parcel arrived broken and nobody answers my emails.", age_minutes: 90 }, now - 1000);
      let b = m.newCase({ url: "https://www.google.com/maps/place/loja", site: "googlemaps", author: "João", text: "Fui mal atendido na loja de Lisboa.", age_minutes: 30 }, now - 2000);
      b = m.caseAction(b, { type: "advance" }, now - 1500);
      b = m.caseAction(b, { type: "step", id: "apologise" }, now - 1400);
      let c = m.newCase({ url: "https://www.reddit.com/r/x/comments/1", site: "reddit", author: "z", text: "Refund never came.", posted: "2024-05-01T10:00:00Z" }, now - 3000);
      c = m.caseAction(c, { type: "stage", stage: "closed" }, now - 2500);
      await chrome.storage.local.set({ [`case:${a.id}`]: a, [`case:${b.id}`]: b, [`case:${c.id}`]: c, "case:deadbeef": "not a case" });
      return [a.id, b.id, c.id];
    }, now);
    const cases = (casesPage = await open("cases.html"));
    await cases.waitForFunction(() => document.querySelectorAll("#cases tbody tr[data-id]").length === 3, null, { timeout: 5000 });
    const text = await notice(cases);
    assert(text.includes("case:deadbeef"), `no warning naming the entry: ${JSON.stringify(text)}`);
    const all = await storage();
    const backup = Object.keys(all).filter((k) => k.startsWith("backup:case:deadbeef:"));
    assert(backup.length === 1 && all[backup[0]] === "not a case", `backup: ${JSON.stringify(backup)}`);
    assert(ids.every((i) => all[`case:${i}`]), "a good case was removed");
    const first = await cases.$eval(`tr[data-id="${ids[0]}"]`, (r) => ({ overdue: r.classList.contains("overdue"), clock: r.querySelector(".clock").textContent, link: r.querySelector("a").href }));
    assert(/^9\d min since posted · target 60/.test(first.clock) && first.overdue, `clock of the overdue case: ${JSON.stringify(first)}`);
    assert(first.link.startsWith("https://www.trustpilot.com/"), "no link to the case's page");
    const second = await cases.$eval(`tr[data-id="${ids[1]}"]`, (r) => [...r.cells].map((c) => c.textContent));
    assert(second.includes("Interaction") || second.some((t) => /interaction/i.test(t)), `stage cell: ${second}`);
    assert(second[5] === "1", `steps done: ${second[5]}`);
    const fits = await cases.$eval(".table-wrap", (w) => w.scrollWidth <= w.clientWidth);
    assert(fits, "the table is wider than the page at 1100 px");
    await cases.screenshot({ path: join(ARTIFACTS, "cases.png"), fullPage: true });
    return `${backup[0]}; "${first.clock}"`;
  });

  await step("cases: filters (stage, overdue, text)", async () => {
    const cases = casesPage;
    const rows = () => cases.$$eval("#cases tbody tr[data-id]", (rs) => rs.map((r) => r.dataset.id));
    await cases.selectOption("#f-stage", "interaction");
    let r = await rows();
    assert(r.length === 1 && r[0] === ids[1], `stage filter: ${r}`);
    assert((await cases.textContent("#count")).includes("1 of 3"), `count: ${await cases.textContent("#count")}`);
    await cases.selectOption("#f-stage", "");
    await cases.focus("#f-overdue");
    await cases.keyboard.press("Space");
    r = await rows();
    assert(r.length === 1 && r[0] === ids[0], `overdue filter: ${r}`);
    await cases.keyboard.press("Space");
    await cases.focus("#f-text");
    await cases.keyboard.type("ATENDIDO");
    r = await rows();
    assert(r.length === 1 && r[0] === ids[1], `text filter: ${r}`);
    await cases.fill("#f-text", "");
    await cases.selectOption("#f-site", "reddit");
    r = await rows();
    assert(r.length === 1 && r[0] === ids[2], `site filter: ${r}`);
    await cases.selectOption("#f-site", "");
  });

  await step("cases: CSV and JSON exports", async () => {
    const cases = casesPage;
    const csv = await download(cases, () => cases.click("#export-csv"));
    assert(csv.name === "calmly-cases.csv", `name ${csv.name}`);
    const lines = csv.text.split("\r\n").filter(Boolean);
    assert(lines[0] === "\ufeffid,url,site,author,text,posted,first_seen,stage,steps_done,drafts_used,notes,language,category,severity,follow_up", `header: ${lines[0]}`);
    assert(lines.length === 4, `${lines.length - 1} rows`);
    assert(lines.some((l) => l.startsWith(ids[1]) && l.includes("João") && l.includes(",interaction,apologise,")), `no row for the second case: ${lines.join(" | ")}`);
    await cases.selectOption("#f-stage", "closed");
    const json = await download(cases, () => cases.click("#export-json"));
    const data = JSON.parse(json.text);
    assert(json.name === "calmly-cases.json" && data.schema === 1 && data.cases.length === 1 && data.cases[0].id === ids[2], `json: ${json.text.slice(0, 200)}`);
    await cases.selectOption("#f-stage", "");
    return `CSV header + ${lines.length - 1} rows; JSON of the filtered case`;
  });

  await step("cases: follows storage live", async () => {
    const cases = casesPage;
    await options.evaluate(async (now) => {
      const m = await import("/pkg/calmly_store.js");
      const d = m.newCase({ url: "https://www.yelp.com/biz/loja", site: "yelp", author: "Kim", text: "Cold food again." }, now);
      await chrome.storage.local.set({ [`case:${d.id}`]: d });
    }, Date.now());
    await cases.waitForFunction(() => document.querySelectorAll("#cases tbody tr[data-id]").length === 4, null, { timeout: 5000 });
  });

  await step("background: the follow-up alarm is set and notifies a due case once", async () => {
    const alarm = await sw.evaluate(() => chrome.alarms.get("calmly-follow-ups"));
    assert(alarm && alarm.periodInMinutes === 5, `alarm: ${JSON.stringify(alarm)}`);
    const due = now - 60_000;
    await options.evaluate(async ({ id, due, now }) => {
      const m = await import("/pkg/calmly_store.js");
      const key = `case:${id}`;
      const { [key]: c } = await chrome.storage.local.get(key);
      await chrome.storage.local.set({ [key]: m.caseAction(c, { type: "followUp", at: due }, now), "case:junk": 42 });
    }, { id: ids[1], due, now });
    const first = await sw.evaluate(() => globalThis.calmlyCheckFollowUps());
    assert(JSON.stringify(first) === JSON.stringify([ids[1]]), `first run notified ${JSON.stringify(first)}`);
    const { [`notified:${ids[1]}`]: mark } = await storage(`notified:${ids[1]}`);
    assert(mark === due, `notified mark ${mark}`);
    const second = await sw.evaluate(() => globalThis.calmlyCheckFollowUps());
    assert(second.length === 0, `second run notified ${JSON.stringify(second)}`);
    // A new follow-up time is a new reminder.
    await options.evaluate(async ({ id, due }) => {
      const key = `case:${id}`;
      const { [key]: c } = await chrome.storage.local.get(key);
      await chrome.storage.local.set({ [key]: { ...c, follow_up: due + 1 } });
    }, { id: ids[1], due });
    const third = await sw.evaluate(() => globalThis.calmlyCheckFollowUps());
    assert(third.length === 1, `a new follow-up time was not notified: ${JSON.stringify(third)}`);
    return "1 notification, then none, then 1 for a new time";
  });

  await step("no errors on the extension's pages", async () => {
    assert(errors.length === 0, errors.join("; "));
  });
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}

if (requests.length) {
  failures++;
  console.log(`FAIL the extension made network requests: ${requests.join(", ")}`);
} else console.log("ok   no network request from any extension context");
console.log(failures ? `options e2e: ${failures} failed` : "options e2e: all passed");
process.exit(failures ? 1 : 0);
