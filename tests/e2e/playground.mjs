// End-to-end: the built playground (dist/www) in real Chromium. Its files are served at
// http://calmly-playground.test/ by request interception; any other request is blocked
// and counted (the playground, like the extension, must make none).
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { extname, join, normalize } from "node:path";
import { chromium } from "playwright-core";
import { ARTIFACTS, ROOT, check } from "./pages.mjs";

const WWW = join(ROOT, "dist/www");
const ORIGIN = "http://calmly-playground.test";
const TYPES = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".wasm": "application/wasm" };
mkdirSync(ARTIFACTS, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking"],
});
const context = await browser.newContext({ viewport: { width: 1100, height: 1400 } });
const foreign = [];
await context.route((u) => /^(https?|wss?):$/.test(u.protocol), (route) => {
  const url = new URL(route.request().url());
  if (url.origin === ORIGIN) {
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
try {
  await page.goto(ORIGIN + "/");
  await page.waitForSelector("#app[data-state=ready]", { timeout: 10000 });
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
    await page.waitForSelector(".output .facts");
    const facts = await page.$$eval(".output .facts .row", (rows) => Object.fromEntries(rows.map((r) => [r.querySelector("dt").textContent, r.querySelector("dd").textContent])));
    const draft = await page.$eval(".output textarea.draft", (e) => e.value);
    check(facts.Language === c.lang, `language ${facts.Language}, expected ${c.lang} for: ${c.text}`);
    check(facts.Complaint.startsWith(c.complaint ? "yes" : "no"), `complaint ${facts.Complaint} for: ${c.text}`);
    check(draft.includes("Loja Exemplo"), `the draft does not sign with the brand: ${draft}`);
    check([...draft].length <= 280, `the draft is over X's 280 characters: ${[...draft].length}`);
    console.log(`ok   playground ${c.lang}: ${facts.Category}, ${facts.Severity}; draft ${[...draft].length} chars`);
  }
  await page.screenshot({ path: join(ARTIFACTS, "playground.png"), fullPage: true });
  check(errors.length === 0, `page errors: ${errors.join("; ")}`);
  check(foreign.length === 0, `the playground made requests: ${foreign.join(", ")}`);
} catch (e) {
  failed++;
  console.log(`FAIL playground: ${e.message}`);
  await page.screenshot({ path: join(ARTIFACTS, "playground-failed.png") }).catch(() => {});
}
await browser.close();
console.log(failed ? "playground e2e: failed" : "playground e2e: all passed");
process.exit(failed ? 1 : 0);
