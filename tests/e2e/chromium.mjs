// End-to-end: the built, unpacked extension in real Chromium (playwright-core), on a page
// without CSP, a page with `script-src 'self'`, and saved real pages served at their real
// URLs by request interception. Every other request is blocked and counted; the
// extension must make none.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { ARTIFACTS, EXT, available, check, checkSidebar, pageFor } from "./pages.mjs";

const pages = available();
mkdirSync(ARTIFACTS, { recursive: true });
const profile = mkdtempSync(join(tmpdir(), "calmly-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  viewport: { width: 1280, height: 900 },
  args: [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", `--disable-extensions-except=${EXT.chromium}`, `--load-extension=${EXT.chromium}`,
  ],
});

const blocked = { page: 0, extension: [], current: 0 };
// Only network URLs: the extension's own chrome-extension:// files are local, not requests.
await context.route((url) => /^(https?|wss?|ftp):$/.test(url.protocol), (route) => {
  const req = route.request();
  const served = pageFor(pages, req.url());
  if (served && req.resourceType() === "document") {
    return route.fulfill({ status: 200, body: served.body, headers: { "content-type": "text/html; charset=utf-8", ...served.headers } });
  }
  const frameUrl = (() => { try { return req.frame().url(); } catch { return ""; } })();
  if (req.serviceWorker() || frameUrl.startsWith("chrome-extension://")) blocked.extension.push(req.url());
  else {
    blocked.page++;
    blocked.current++;
  }
  return route.abort();
});

let failures = 0;
try {
  const sw = context.serviceWorkers()[0] ?? (await context.waitForEvent("serviceworker", { timeout: 10000 }));
  check(sw.url().startsWith("chrome-extension://"), "the extension's service worker did not start");
  console.log(`service worker: ${sw.url()}`);

  for (const p of pages) {
    blocked.current = 0;
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    try {
      const t0 = Date.now();
      await page.goto(p.url, { waitUntil: "domcontentloaded" });
      if ("inlineScript" in p.expect) {
        const ran = await page.evaluate(() => document.documentElement.dataset.inlineScript);
        check(ran === p.expect.inlineScript, `${p.name}: the page's CSP case is not what the test intends (inline script: ${ran})`);
      }
      const frame = await sidebarFrame(page, p.expect.sidebar ? 10000 : 2500);
      if (!p.expect.sidebar) {
        check(!frame, `${p.name}: the sidebar opened on a listing page`);
        console.log(`ok   ${p.name}: no sidebar, as expected`);
        continue;
      }
      check(frame, `${p.name}: the sidebar did not appear`);
      await frame.waitForSelector("#app[data-state=ready]", { timeout: 10000 });
      const ms = Date.now() - t0;
      const { items, complaints, status } = await checkSidebar(frame, p);
      check(errors.length === 0, `${p.name}: page errors: ${errors.join("; ")}`);
      await page.screenshot({ path: join(ARTIFACTS, `chromium-${p.name}.png`) });
      console.log(`ok   ${p.name}: sidebar ready in ${ms} ms; ${items} items, ${complaints} complaints; "${status}"; ${blocked.current} page requests blocked`);
    } catch (e) {
      failures++;
      console.log(`FAIL ${p.name}: ${e.message}`);
      await page.screenshot({ path: join(ARTIFACTS, `chromium-${p.name}-failed.png`) }).catch(() => {});
    } finally {
      await page.close();
    }
  }
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}

console.log(`requests blocked: ${blocked.page} from pages, ${blocked.extension.length} from the extension`);
if (blocked.extension.length) {
  failures++;
  console.log(`FAIL the extension made requests: ${blocked.extension.join(", ")}`);
}
console.log(failures ? `chromium e2e: ${failures} failed` : "chromium e2e: all passed");
process.exit(failures ? 1 : 0);

async function sidebarFrame(page, timeout) {
  const end = Date.now() + timeout;
  while (Date.now() < end) {
    const f = page.frames().find((f) => f.url().startsWith("chrome-extension://") && f.url().includes("sidebar.html"));
    if (f) return f;
    await page.waitForTimeout(50);
  }
  return null;
}
