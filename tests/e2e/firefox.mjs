// End-to-end: the built, unpacked extension in real Firefox ESR (puppeteer-core over
// WebDriver BiDi), on the same pages and with the same expectations as chromium.mjs:
// a page without CSP, a page with `script-src 'self'`, and saved real pages served at
// their real URLs by request interception. Every other request is blocked and counted;
// the extension must make none.
//
// Firefox-only notes (measured with Firefox ESR 153 + puppeteer-core 24 over BiDi):
// - The extension is installed as a temporary add-on (`browser.installExtension`). Its
//   MV3 content scripts need host permissions for their `matches`; Firefox grants them
//   at install here (pref `extensions.originControls.grantByDefault`, on by default).
//   (A moz-extension iframe inside a web page gets a reduced API in Firefox: runtime,
//   storage, i18n… but no `permissions`, so the sidebar cannot report them itself.)
// - The sidebar iframe (in a closed shadow root) IS listed in `page.frames()`, but its
//   `frame.url()` stays "about:blank": BiDi reports no navigation for moz-extension
//   documents. Evaluating in it works (`location.href`, `$$eval`, `waitForSelector`), so
//   the test finds the sidebar by evaluating `location.href` in each child frame.
// - BiDi forwards no console/log entries from the moz-extension frame, so `pageerror`
//   cannot see sidebar errors. Instead: the sidebar's own fatal banner (#calmly-fatal,
//   which sidebar.js fills on any start-up failure) must stay hidden, and error listeners
//   put into the sidebar as soon as it is found must have caught nothing.
// - BiDi `pageerror` in Firefox also carries console errors (CSP and CORS reports), not
//   only uncaught exceptions. Two kinds are consequences of the test itself and ignored:
//   the strict-CSP page blocking its own inline script (the point of that case), and
//   "Cross-Origin Request Blocked … CORS request did not succeed" for a URL the test
//   aborted (saved pages load their scripts with `crossorigin`). Nothing else is.
// - `request.resourceType()` is unsupported over BiDi in Firefox; documents are told by
//   `isNavigationRequest()`. Non-network requests (moz-extension:, data:, blob:) are not
//   intercepted at all; aborting gives NS_ERROR_ABORT.
// - Requests from the sidebar frame ARE intercepted (their frame is the sidebar frame);
//   requests of the extension's background script are NOT (page interception is bound to
//   the tab). To see those, Firefox is pointed at a local dead-end proxy: whatever gets
//   past the page interception lands there, is refused (nothing leaves the machine) and
//   is counted. Unload-time beacons (`sendBeacon` in `pagehide`) also escape if the tab
//   is just closed, as the interception goes with it: so each page is first navigated to
//   about:blank, which runs its unload handlers while still intercepted (the saved Amazon
//   page does this). Firefox's own services go to puppeteer's sink host dummy.test
//   (`MOZ_REMOTE_SETTINGS_DEVTOOLS=1` lets the remote-settings URL pref apply in a
//   release build); those and Mozilla hosts are reported as browser-internal, anything
//   else that escapes counts as an extension request.
// - A content script's fetch carries the page's Origin and the page's frame, so, as in
//   chromium.mjs, it would be counted with the page's requests (none expected anyway).
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { browserInternal, launchFirefox } from "./firefox-launch.mjs";
import { ARTIFACTS, EXT, available, check, checkSidebar, pageFor } from "./pages.mjs";

const pages = available();
mkdirSync(ARTIFACTS, { recursive: true });

const { browser, escaped, proxy } = await launchFirefox();

const blocked = { page: 0, extension: [], current: 0 };
const aborted = new Set(); // URLs the test aborted, to tell its own CORS reports
let failures = 0;
try {
  const t0 = Date.now();
  const id = await browser.installExtension(EXT.firefox);
  console.log(`${await browser.version()}; extension ${id} installed in ${Date.now() - t0} ms`);

  for (const p of pages) {
    blocked.current = 0;
    const page = await browser.newPage();
    const errors = [];
    const pending = []; // request classifications still running
    page.on("pageerror", (e) => {
      const msg = e.message || String(e);
      // The page's own scripts blocked by the CSP it is served with on purpose (strict fixture,
      // snapshots): expected. A CSP report about anything else (the extension) still fails.
      const expectedCsp = p.headers["content-security-policy"] && p.expect.inlineScript === undefined &&
        /^Content-Security-Policy: The page’s settings blocked (an inline script|an event handler|a script \(script-src-elem\) at https?:)/.test(msg);
      const cors = /^Cross-Origin Request Blocked: .* at (\S+?)\.? \(Reason: CORS request did not succeed\)/.exec(msg);
      if (!expectedCsp && !(cors && aborted.has(cors[1]))) errors.push(msg);
    });
    await page.setRequestInterception(true);
    page.on("request", (req) => pending.push(handle(page, req)));
    try {
      const t1 = Date.now();
      await page.goto(p.url, { waitUntil: "domcontentloaded" });
      if ("inlineScript" in p.expect) {
        const ran = await page.evaluate(() => document.documentElement.dataset.inlineScript);
        check(ran === p.expect.inlineScript, `${p.name}: the page's CSP case is not what the test intends (inline script: ${ran})`);
      }
      const frame = await sidebarFrame(page, p.expect.sidebar ? 10000 : 2500);
      const hostEl = await page.evaluate(() => {
        const h = document.querySelector("calmly-sidebar");
        return h ? { shadowOpen: h.shadowRoot !== null } : null;
      });
      if (!p.expect.sidebar) {
        check(!frame && !hostEl, `${p.name}: the sidebar opened on a listing page`);
        await Promise.all(pending);
        console.log(`ok   ${p.name}: no sidebar, as expected; ${blocked.current} page requests blocked`);
        continue;
      }
      check(frame, `${p.name}: the sidebar did not appear${hostEl ? " (host element mounted, but no sidebar frame)" : ""}`);
      check(hostEl, `${p.name}: the sidebar frame is not in a <calmly-sidebar> host`);
      check(!hostEl.shadowOpen, `${p.name}: the host's shadow root is open to the page`);
      await frame.waitForSelector("#app[data-state=ready]", { timeout: 10000 });
      const ms = Date.now() - t1;
      const { items, complaints, status } = await checkSidebar(frame, p);
      // Errors inside the sidebar (BiDi does not report them, see the top of the file),
      // read as late as possible.
      const sidebar = await frame.evaluate(() => ({ fatal: document.getElementById("calmly-fatal")?.hidden === false ? document.getElementById("calmly-fatal").textContent : null, errors: globalThis.__calmlyTestErrors || [] }));
      check(!sidebar.fatal, `${p.name}: the sidebar shows an error: ${sidebar.fatal}`);
      check(sidebar.errors.length === 0, `${p.name}: errors in the sidebar: ${sidebar.errors.join("; ")}`);
      await Promise.all(pending);
      check(errors.length === 0, `${p.name}: page errors: ${errors.join("; ")}`);
      await page.screenshot({ path: join(ARTIFACTS, `firefox-${p.name}.png`) });
      console.log(`ok   ${p.name}: sidebar ready in ${ms} ms; ${items} items, ${complaints} complaints; "${status}"; ${blocked.current} page requests blocked`);
    } catch (e) {
      failures++;
      console.log(`FAIL ${p.name}: ${e.message}`);
      await page.screenshot({ path: join(ARTIFACTS, `firefox-${p.name}-failed.png`) }).catch(() => {});
    } finally {
      // Unload handlers run here, still intercepted (see the top of the file).
      await page.goto("about:blank", { timeout: 5000 }).catch(() => {});
      await Promise.all(pending);
      await page.close();
    }
  }
} finally {
  await browser.close();
  proxy.close();
}

const internal = escaped.filter(browserInternal);
const fromExtension = escaped.filter((e) => !browserInternal(e));
blocked.extension.push(...fromExtension.map((e) => `${e} (past the page interception: background script?)`));
console.log(`requests blocked: ${blocked.page} from pages, ${blocked.extension.length} from the extension; ${internal.length} of Firefox's own (to dummy.test/Mozilla hosts)`);
if (blocked.extension.length) {
  failures++;
  console.log(`FAIL the extension made requests: ${blocked.extension.join(", ")}`);
}
console.log(failures ? `firefox e2e: ${failures} failed` : "firefox e2e: all passed");
process.exit(failures ? 1 : 0);

/** Serves the test page, aborts and counts everything else by who asked for it. */
async function handle(page, req) {
  const url = req.url();
  if (!/^(https?|wss?|ftp):/.test(url)) return req.continue().catch(() => {});
  const served = pageFor(pages, url);
  if (served && req.isNavigationRequest() && req.frame() === page.mainFrame()) {
    return req.respond({ status: 200, body: served.body, headers: { "content-type": "text/html; charset=utf-8", ...served.headers } }).catch(() => {});
  }
  aborted.add(url);
  await req.abort().catch(() => {});
  if (await fromExtensionFrame(page, req.frame())) blocked.extension.push(url);
  else {
    blocked.page++;
    blocked.current++;
  }
}

/** Whether a frame holds an extension document (its url() is stale for those, see top). */
async function fromExtensionFrame(page, frame) {
  if (!frame || frame === page.mainFrame()) return false;
  if (frame.url().startsWith("moz-extension://")) return true;
  const href = await frameHref(frame);
  // A child frame that cannot be read is not assumed to be the page's.
  return href === null || href.startsWith("moz-extension://");
}

async function frameHref(frame) {
  try {
    return await Promise.race([frame.evaluate(() => location.href), new Promise((_, no) => setTimeout(() => no(new Error("timeout")), 2000))]);
  } catch {
    return null;
  }
}

/** The sidebar frame, found by what it holds; error listeners go in as soon as it is. */
async function sidebarFrame(page, timeout) {
  const end = Date.now() + timeout;
  while (Date.now() < end) {
    for (const f of page.frames()) {
      if (f === page.mainFrame()) continue;
      const href = f.url().startsWith("moz-extension://") ? f.url() : await frameHref(f);
      if (href && href.startsWith("moz-extension://") && href.includes("/sidebar.html")) {
        await f
          .evaluate(() => {
            if (globalThis.__calmlyTestErrors) return;
            const errs = (globalThis.__calmlyTestErrors = []);
            addEventListener("error", (e) => errs.push(e.message || String(e.error)));
            addEventListener("unhandledrejection", (e) => errs.push(`unhandled rejection: ${e.reason && (e.reason.message || e.reason)}`));
          })
          .catch(() => {});
        return f;
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return null;
}
