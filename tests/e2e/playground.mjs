// End-to-end: the built playground (dist/www) in real Chromium. Its files are served at
// http://calmly-playground.test/ by request interception; any other request is blocked
// and counted (the playground, like the extension, must make none).
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { extname, join, normalize } from "node:path";
import { chromium } from "playwright-core";
import { ARTIFACTS, ROOT, check } from "./pages.mjs";

const WWW = join(ROOT, "dist/www");
const ORIGIN = "http://calmly-playground.test";
const TYPES = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".wasm": "application/wasm", ".json": "application/json" };
const EXAMPLES = JSON.parse(readFileSync(join(ROOT, "www/examples.json"), "utf8"));
const UI = (lang) => JSON.parse(readFileSync(join(ROOT, `extension/ui/${lang}.json`), "utf8"));
const PLATFORMS = readFileSync(join(ROOT, "data/platforms.toml"), "utf8");
mkdirSync(ARTIFACTS, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking"],
});
// An English browser: the interface starts in English (the browser's language).
const context = await browser.newContext({ viewport: { width: 1100, height: 1400 }, locale: "en-US" });
const foreign = [];
const served = [];
await context.route((u) => /^(https?|wss?):$/.test(u.protocol), (route) => {
  const url = new URL(route.request().url());
  if (url.origin === ORIGIN) {
    served.push(url.pathname);
    const file = normalize(join(WWW, url.pathname === "/" ? "index.html" : url.pathname));
    if (file.startsWith(WWW) && existsSync(file)) {
      return route.fulfill({ body: readFileSync(file), contentType: TYPES[extname(file)] || "application/octet-stream" });
    }
    return route.fulfill({ status: 404, body: "not found" });
  }
  foreign.push(url.href);
  return route.abort();
});

let failed = 0;
const page = await context.newPage();
const errors = [];
page.on("pageerror", (e) => errors.push(e.message));
page.on("console", (m) => m.type() === "error" && errors.push(m.text()));

const facts = () =>
  page.$$eval(".output .facts .row", (rows) => Object.fromEntries(rows.map((r) => [r.querySelector("dt").textContent, r.querySelector("dd").textContent])));
const draft = () => page.$eval(".output textarea.draft", (e) => e.value);
/** Types `text`, analyses it and waits for its result: the facts and the public draft. */
const analyse = async (text) => {
  await page.fill("#complaint", text);
  await page.click("button[type=submit]");
  await page.waitForFunction((t) => document.querySelector(".output blockquote.complaint-text")?.textContent === t, text);
  return { f: await facts(), d: await draft() };
};
/** Waits until the public draft differs from `before` (a settings change re-analyses after a pause). */
const draftChanged = (before) => page.waitForFunction((b) => document.querySelector(".output textarea.draft")?.value !== b, before, { timeout: 5000 });

try {
  await page.goto(ORIGIN + "/");
  await page.waitForSelector("#app[data-state=ready]", { timeout: 10000 });
  check((await page.getAttribute("html", "lang")) === "en", "the interface did not start in the browser's language (en)");

  // Typed text, the button, the brand and the platform's limit.
  const cases = [
    { text: "Comprei há duas semanas e até hoje não recebi o pedido. Vou ao Procon!", lang: "pt", complaint: true },
    { text: "Me cobraron dos veces en la tarjeta y nadie responde. Quiero el reembolso.", lang: "es", complaint: true },
    { text: "Thanks, the new update works great and support was lovely.", lang: "en", complaint: false },
  ];
  for (const c of cases) {
    await page.fill("#complaint", c.text);
    await page.selectOption("#platform", "x");
    await page.fill("#brand", "Loja Exemplo");
    await page.click("button[type=submit]");
    await page.waitForFunction((t) => document.querySelector(".output blockquote.complaint-text")?.textContent === t, c.text);
    const f = await facts();
    const d = await draft();
    check(f.Language === c.lang, `language ${f.Language}, expected ${c.lang} for: ${c.text}`);
    check(f.Complaint.startsWith(c.complaint ? "yes" : "no"), `complaint ${f.Complaint} for: ${c.text}`);
    check(d.includes("Loja Exemplo"), `the draft does not sign with the brand: ${d}`);
    check([...d].length <= 280, `the draft is over X's 280 characters: ${[...d].length}`);
    console.log(`ok   playground typed ${c.lang}: ${f.Category}, ${f.Severity}; draft ${[...d].length} chars`);
  }

  // A demand tied to the rating is bad faith: the policy once, no apology, the plan's
  // "state the policy" step; an ordinary promise to update the review is not.
  for (const c of [
    { text: "Send me a $50 gift card and I'll change my review to 5 stars.", bad: true },
    { text: "The chair arrived broken. I'll update my review if you replace it.", bad: false },
  ]) {
    const { f, d } = await analyse(c.text);
    const note = await page.$eval(".output .what-to-say", (e) => e.textContent);
    check(f["Bad faith"] === (c.bad ? "yes" : "no"), `bad faith ${f["Bad faith"]} for: ${c.text}`);
    check(note.includes(UI("en").policy_note) === c.bad, `the policy note is ${c.bad ? "missing" : "shown"} for: ${c.text}`);
    check(c.bad ? !/sorry|apolog/i.test(d) && /review/i.test(d) : /sorry|apolog/i.test(d), `the draft for ${JSON.stringify(c.text)}: ${d}`);
    check(!c.bad || (await page.$(".output input[data-step=state_policy]")) !== null, "no 'state the policy' step for an extortion attempt");
    console.log(`ok   bad faith ${c.bad ? "answered with the policy" : "not seen in a promise to update the review"}: ${[...d].length} chars`);
  }

  // Each pair: a complaint, which keeps the apology, and a text that is none, which gets
  // another reply. `apology` matches every apology of the language's default register,
  // `other` every variant of the other reply.
  const pairs = [
    {
      // A plain question is answered, not apologised for (the complaint model alone scored
      // it 0.79); a complaint put as a question keeps the apology.
      lang: "pt", apology: /desculp|lamentamos|sentimos/i, other: /pergunt/i,
      complaint: ["Cadê meu pedido? Já faz 10 dias.", "a complaint put as a question apologised for"],
      none: ["Vocês entregam no sábado?", "a plain question answered without an apology"],
    },
    {
      // A short text that states a breach and asks for a remedy is a complaint; one that
      // only thanks gets the welcome, neither an apology nor thanks for "kind words".
      lang: "es", apology: /sentimos|lamentamos|disculp/i, other: /de nada|no hay de qué|¡a ti!/i,
      complaint: ["La batidora llegó rota. Quiero que me envíen otra.", "a short breach with a demanded remedy apologised for"],
      none: ["Gracias, ya me llegó.", "a short thank-you welcomed"],
    },
  ];
  for (const p of pairs) {
    for (const [[text, what], complaint] of [[p.complaint, true], [p.none, false]]) {
      const { f, d } = await analyse(text);
      check(f.Language === p.lang, `language ${f.Language} for: ${text}`);
      check(f.Complaint.startsWith(complaint ? "yes" : "no"), `complaint ${f.Complaint} for: ${text}`);
      check(p.apology.test(d) === complaint && p.other.test(d) === !complaint, `the draft for ${JSON.stringify(text)}: ${d}`);
      console.log(`ok   ${what}: ${[...d].length} chars`);
    }
  }

  // Every real example, from the select: text and platform filled, analysed in its language.
  check(EXAMPLES.length >= 15, `only ${EXAMPLES.length} examples`);
  for (const lang of ["pt", "es", "pl", "ro", "en"]) {
    check(EXAMPLES.filter((e) => e.language === lang).length >= 3, `fewer than 3 ${lang} examples`);
  }
  for (const ex of EXAMPLES) {
    check([...ex.text].length <= 400, `${ex.id}: over 400 characters`);
    check(PLATFORMS.includes(`id = "${ex.platform}"`), `${ex.id}: unknown platform ${ex.platform}`);
    check(ex.source && ex.licence, `${ex.id}: no source or licence`);
    await page.selectOption("#example", ex.id);
    await page.waitForFunction((t) => document.querySelector(".output blockquote.complaint-text")?.textContent === t, ex.text);
    check((await page.inputValue("#complaint")) === ex.text, `${ex.id}: the text box was not filled`);
    check((await page.inputValue("#platform")) === ex.platform, `${ex.id}: the platform is not ${ex.platform}`);
    const f = await facts();
    const d = await draft();
    const meta = await page.textContent(".output .draft-meta");
    const source = await page.textContent("#example-source");
    check(f.Language === ex.language, `${ex.id}: language ${f.Language}, expected ${ex.language}`);
    check(d.trim().length > 40, `${ex.id}: no draft`);
    check(ex.platform !== "x" || [...d].length <= 280, `${ex.id}: draft over 280 characters on X`);
    check(source.includes(ex.source) && source.includes(ex.licence), `${ex.id}: the source line says ${source}`);
    console.log(`ok   example ${ex.id} (${ex.platform}): ${f.Language}, complaint ${f.Complaint}, ${f.Category}, ${f.Severity}; ${meta}`);
  }

  // Tone: a settings change re-analyses by itself, and the draft's own tone follows.
  await page.selectOption("#example", "pl-radio");
  await page.waitForSelector(".output textarea.draft");
  const warm = await draft();
  await page.selectOption("#tone", "formal");
  await draftChanged(warm);
  check((await page.inputValue(".output select.tone")) === "formal", "the draft's tone select does not show the chosen tone");
  const formal = await draft();
  await page.selectOption("#tone", "brief");
  await draftChanged(formal);
  const brief = await draft();
  check(brief.length < warm.length, `the brief draft (${brief.length}) is not shorter than the warm one (${warm.length})`);
  console.log(`ok   tone: warm ${warm.length}, formal ${formal.length}, brief ${brief.length} characters`);
  await page.selectOption("#tone", "warm");
  await draftChanged(brief);

  // Register: the Portuguese example drafted formally ("o senhor / a senhora").
  await page.selectOption("#example", "pt-broken-chair");
  await page.waitForFunction(() => document.querySelector(".output .facts")?.textContent.includes("pt"));
  const informal = await draft();
  await page.selectOption("#register", "formal");
  await draftChanged(informal);
  check((await page.inputValue(".output select.register")) === "formal", "the draft's register select does not show the chosen register");
  console.log("ok   register: formal redrafts the Portuguese example");
  const formalPt = await draft();
  await page.selectOption("#register", "");
  await draftChanged(formalPt);

  // Compensation: a damaged product, a gesture allowed → the draft offers it, and the plan
  // has the gesture step.
  const gesture = "um vale de 10% na próxima compra";
  const before = await draft();
  check(!before.includes(gesture), "the gesture is offered before it is allowed");
  await page.check("#compensation");
  await page.fill("#gesture", gesture);
  await page.waitForFunction((g) => document.querySelector(".output textarea.draft")?.value.includes(g), gesture, { timeout: 5000 });
  check((await facts()).Category === "Damaged or defective", `the chair is not a damaged product: ${(await facts()).Category}`);
  check((await page.$(".output input[data-step=small_gesture], .output input[data-step=goodwill_gesture]")) !== null, "no gesture step in the plan");
  console.log(`ok   compensation: the draft offers "${gesture}"`);

  // Channels and the response target.
  const noMail = await draft();
  await page.fill("#email", "ajuda@loja.example");
  await draftChanged(noMail);
  check((await draft()).includes("ajuda@loja.example"), "the draft does not give the contact e-mail");
  const todayPlan = await page.textContent(".output .what-to-do");
  await page.fill("#target", String(48 * 60));
  await page.waitForFunction((p) => document.querySelector(".output .what-to-do")?.textContent !== p, todayPlan, { timeout: 5000 });
  check((await page.textContent(".output .what-to-do")).includes("48 hours"), "the plan does not follow a 48-hour response target");
  console.log("ok   channels and response target reach the draft and the plan");

  // Ctrl+Enter in the text box analyses; typing alone does not.
  const typed = "The parcel arrived soaked and the lamp inside is broken. I want a replacement.";
  await page.fill("#complaint", typed);
  await page.waitForTimeout(400);
  check((await page.textContent(".output blockquote.complaint-text")) !== typed, "typing re-analysed without Ctrl+Enter");
  await page.focus("#complaint");
  await page.keyboard.press("Control+Enter");
  await page.waitForFunction((t) => document.querySelector(".output blockquote.complaint-text")?.textContent === t, typed);
  check((await facts()).Language === "en", "Ctrl+Enter did not analyse the text");
  console.log("ok   Ctrl+Enter analyses the text box");

  // Interface language: Polish strings everywhere, the form kept, then back to English.
  const pl = UI("pl");
  await page.selectOption("#ui-lang", "pl");
  await page.waitForSelector("#app[data-lang=pl][data-state=ready]");
  await page.waitForSelector(".output section.what-it-is h2");
  const heading = await page.textContent(".output section.what-it-is h2");
  check(heading === pl.what_it_is, `the heading is "${heading}", not pl.json's "${pl.what_it_is}"`);
  check((await page.textContent("h1")) === pl.pg_title, "the page title is not in Polish");
  check((await page.textContent("button[type=submit]")) === pl.pg_analyse, "the button is not in Polish");
  check((await page.textContent("fieldset.options legend")) === pl.pg_settings, "the settings legend is not in Polish");
  check((await page.getAttribute("html", "lang")) === "pl", "html lang is not pl");
  check((await page.inputValue("#complaint")) === typed && (await page.isChecked("#compensation")), "the form was not kept across the language change");
  check((await draft()).includes("ajuda@loja.example"), "the settings were not kept across the language change");
  console.log(`ok   interface in Polish: "${heading}"`);
  await page.screenshot({ path: join(ARTIFACTS, "playground-pl.png"), fullPage: true });
  await page.selectOption("#ui-lang", "en");
  await page.waitForSelector("#app[data-lang=en][data-state=ready]");
  await page.waitForSelector(".output section.what-it-is h2");
  check((await page.textContent(".output section.what-it-is h2")) === UI("en").what_it_is, "switching back did not restore English");
  console.log("ok   back to English");

  // Every control is labelled.
  const unlabelled = await page.$$eval("input, select, textarea", (els) =>
    els.filter((e) => !(e.labels && e.labels.length) && !e.getAttribute("aria-label")).map((e) => e.id || e.className || e.tagName),
  );
  check(unlabelled.length === 0, `controls without a label: ${unlabelled.join(", ")}`);
  console.log("ok   every control has a label");

  await page.screenshot({ path: join(ARTIFACTS, "playground.png"), fullPage: true });
  check(errors.length === 0, `page errors: ${errors.join("; ")}`);
  check(foreign.length === 0, `the playground made requests: ${foreign.join(", ")}`);
  console.log(`ok   no foreign requests (${served.length} of its own: ${[...new Set(served)].join(" ")})`);
} catch (e) {
  failed++;
  console.log(`FAIL playground: ${e.message}`);
  await page.screenshot({ path: join(ARTIFACTS, "playground-failed.png") }).catch(() => {});
}
await browser.close();
console.log(failed ? "playground e2e: failed" : "playground e2e: all passed");
process.exit(failed ? 1 : 0);
