// The pages the end-to-end tests serve, at their real URLs, and what must happen on each.
// Saved real pages come from ../shared/data/pages (see its SOURCES.tsv); the URL is the
// page's own canonical link, or a real URL of the same kind where the page has none.
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
// The shared data sits beside the repository; a clone elsewhere finds it at /work/shared.
export const SHARED =
  [process.env.CALMLY_SHARED_DATA, resolve(ROOT, "../shared/data"), "/work/shared/data"].find((d) => d && existsSync(join(d, "pages"))) ||
  resolve(ROOT, "../shared/data");
// Another build: CALMLY_EXT (an unpacked Chromium extension) and CALMLY_EXT_FIREFOX.
export const EXT = {
  chromium: process.env.CALMLY_EXT ? resolve(process.env.CALMLY_EXT) : join(ROOT, "dist/chromium"),
  firefox: process.env.CALMLY_EXT_FIREFOX ? resolve(process.env.CALMLY_EXT_FIREFOX) : join(ROOT, "dist/firefox"),
};
export const ARTIFACTS = join(ROOT, "tests/e2e/artifacts");

const fixture = (f) => join(ROOT, "tests/fixtures/pages", f);
const saved = (f) => join(SHARED, "pages", f);
/** Whether a test page is one of the saved real pages (not a fixture written for tests). */
export const isSaved = (p) => p.file.startsWith(join(SHARED, "pages"));
// Saved pages are snapshots: their DOM is already rendered, and their own scripts cannot work
// with their servers cut off. Left running, some spin (the Booking listing re-requested its
// blocked resources ~10,000 times and held DOMContentLoaded past 30 s in one CI run), so they
// are served with their scripts switched off by CSP. Content scripts are not subject to the
// page's CSP; the fixtures above keep page scripts on (and one has a strict CSP).
const SNAPSHOT = { "content-security-policy": "script-src 'none'" };

export const PAGES = [
  {
    name: "fixture-no-csp",
    url: "https://www.trustpilot.com/review/calmly-fixture.example",
    file: fixture("trustpilot_minimal.html"),
    headers: {},
    expect: { sidebar: true, items: 3, minComplaints: 2, inlineScript: "ran" },
  },
  {
    name: "fixture-strict-csp",
    url: "https://www.trustpilot.com/review/calmly-fixture.example?csp=strict",
    file: fixture("trustpilot_minimal.html"),
    // The CSP that stops wasm in content scripts (TOOLCHAIN.md): no 'wasm-unsafe-eval'.
    headers: { "content-security-policy": "script-src 'self'" },
    expect: { sidebar: true, items: 3, minComplaints: 2, inlineScript: undefined },
  },
  {
    name: "amazon-real",
    url: "https://www.amazon.com/Samsung-27-inch-Business-C27F390FHN-LED-Lit/product-reviews/B01IPHVFUI",
    file: saved("amazon/amazon_com_product_reviews_samsung_monitor.html"),
    headers: SNAPSHOT,
    // data/README: "10 reviews with stars, some complaints".
    expect: { sidebar: true, items: 10, minComplaints: 1 },
  },
  {
    name: "trustpilot-real",
    url: "https://it.trustpilot.com/review/studiosamo.it",
    file: saved("trustpilot/trustpilot_it_review_studiosamo.html"),
    headers: SNAPSHOT,
    // data/README: "20 Italian reviews … (mostly 5-star)".
    expect: { sidebar: true, items: 20, minComplaints: 0 },
  },
  {
    name: "booking-listing-real",
    url: "https://www.booking.com/region/mx/tlaxcala.es.html",
    file: saved("booking/booking_es_region_listing_tlaxcala.html"),
    headers: SNAPSHOT,
    // A listing page: must not be taken for a complaint page.
    expect: { sidebar: false },
  },
  {
    name: "twitter-2019-real",
    url: "https://twitter.com/kingbeyoncestan/status/745276948213968896",
    file: saved("twitter_x/twitter_status_page_2019.html"),
    // Page scripts stay on: with scripts off, its <noscript> meta refresh leaves the page.
    headers: {},
    // Ground truth counted independently (html.parser over div.tweet[data-tweet-id]): 12
    // tweets — the thread's opener, the focused tweet, 8 more of the thread, 2 replies.
    expect: {
      sidebar: true, items: 12, minComplaints: 0,
      texts: ["She doesn't have the range: a thread coming soon.", "Now before you write me off as bias"],
    },
  },
  {
    name: "facebook-post-real",
    url: "https://www.facebook.com/119240841493711/posts/check-out-these-themed-wallpapers-and-many-more-at-the-link-below-for-your-perso/3065154550235644/",
    file: saved("facebook/m_facebook_nintendo_story_post.html"),
    headers: SNAPSHOT,
    // Ground truth: 108 comments under the permalinked post and the three more Nintendo
    // posts below it (30 + 30 + 18 + 30; one is Nintendo's own). Replies are links only.
    expect: {
      sidebar: true, items: 108, minComplaints: 1,
      texts: ["I think Sora,Spyro,Dixie Kong and a monster hunter", "A backwards compatible system would be great"],
    },
  },
  {
    name: "facebook-group-feed-real",
    url: "https://www.facebook.com/groups/southamericansincomputing/",
    file: saved("facebook/m_facebook_group_feed.html"),
    headers: SNAPSHOT,
    // A group feed lists truncated posts that open on their own pages: a listing.
    expect: { sidebar: false },
  },
  {
    name: "reddit-thread-real",
    url: "https://www.reddit.com/r/AskReddit/comments/axtih6/what_is_the_most_worth_it_item_you_have_ever/",
    file: saved("reddit/reddit_askreddit_worth_it_purchase_thread.html"),
    headers: SNAPSHOT,
    // Ground truth: 15 comment containers (div#t1_…), 3 deleted → 12 comments. The
    // submission is a title-only question, not a comment.
    expect: {
      sidebar: true, items: 12, minComplaints: 0,
      texts: ["A Miele canister vacuum. I had read the 4 AMAs", "Years ago my dad bought a plastic severed hand"],
    },
  },
  {
    name: "tripadvisor-listing-real",
    url: "https://www.tripadvisor.com/Attractions-g155019-Activities-Toronto_Ontario.html",
    file: saved("tripadvisor/tripadvisor_things_to_do_toronto_listing.html"),
    headers: SNAPSHOT,
    // A 2018 attractions listing (SOURCES.tsv): no review text, no complaint page.
    expect: { sidebar: false },
  },
];

/**
 * The site-adapter fixtures (tests/fixtures/sites/*.json, see tests/sites.rs), served at
 * their URLs: the content script must find the same items as the native test expects.
 * `texts` are the expected starts of the items' texts (the sidebar shows 90 characters).
 */
export function siteFixtures() {
  const dir = join(ROOT, "tests/fixtures/sites");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .flatMap((f) => {
      const fx = JSON.parse(readFileSync(join(dir, f), "utf8"));
      return fx.pages.map((pg) => ({ items: [], ...pg })).map((pg) => ({
        name: `fixture-${pg.file.replace(/\.html$/, "")}`,
        url: pg.url,
        file: join(dir, pg.file),
        headers: {},
        expect: {
          sidebar: pg.items.length > 0 && pg.kind !== "listing" && !pg.asked,
          toggle: pg.asked ? true : undefined,
          items: pg.items.length,
          minComplaints: 0,
          texts: pg.items.map((i) => i.text.slice(0, 80)),
        },
      }));
    });
}

/** The pages that open a sidebar: what the DCL → sidebar benchmark loads. */
export function benchPages() {
  return [...PAGES, ...siteFixtures()].filter((p) => p.expect.sidebar).map((p) => ({ ...p, saved: isSaved(p) }));
}

/** A page that changes after load (tests/fixtures/pages/live_feed.html): chromium.mjs. */
export const LIVE = {
  name: "live",
  url: "https://www.trustpilot.com/review/calmly-live.example",
  file: fixture("live_feed.html"),
  headers: {},
  expect: { sidebar: true, items: 2, minComplaints: 1 },
};

export function available(pages = PAGES) {
  const missing = pages.filter((p) => !existsSync(p.file));
  if (missing.length) throw new Error(`missing test pages: ${missing.map((p) => p.file).join(", ")}`);
  return pages.map((p) => ({ ...p, body: readFileSync(p.file) }));
}

/** The page to serve for a request URL, if any (query strings distinguish variants). */
export function pageFor(pages, url) {
  return pages.find((p) => p.url === url) || null;
}

export function check(cond, msg) {
  if (!cond) throw new Error(msg);
}

/**
 * What both browsers must show in a ready sidebar for page `p`: the expected items, the
 * analysis of the picked one, a plan when it is a complaint, a draft, and the same item
 * count as the native extractor on the same HTML (the two readings of data/sites agree).
 * `frame` is a Playwright or Puppeteer frame (both have $eval/$$eval/$$).
 */
export async function checkSidebar(frame, p) {
  // Until the agent picks one, the open item follows the top of the list: once any
  // complaint is listed, the open item is one (not the first item analysed).
  // (Polled with evaluate: Playwright and Puppeteer order waitForFunction's arguments differently.)
  const openIsComplaint = () => frame.evaluate(() => !document.querySelector(".item .sev:not(.sev-none)") || !!document.querySelector(".item.selected .sev:not(.sev-none)"));
  const until = Date.now() + 5000;
  while (!(await openIsComplaint()) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  check(await openIsComplaint(), `${p.name}: complaints are listed, but the open item is still not one`);
  const items = await frame.$$eval(".item", (els) => els.length);
  const complaints = await frame.$$eval(".item .sev:not(.sev-none)", (els) => els.length);
  const status = await frame.$eval(".status", (e) => e.textContent);
  check(items === p.expect.items, `${p.name}: ${items} items in the sidebar, expected ${p.expect.items}`);
  if (p.expect.texts) {
    const snippets = await frame.$$eval(".item .snippet", (els) => els.map((e) => e.textContent));
    for (const t of p.expect.texts) check(snippets.some((s) => s.startsWith(t.slice(0, 80))), `${p.name}: no item starts with ${JSON.stringify(t)}; the sidebar has ${JSON.stringify(snippets)}`);
  }
  check(complaints >= p.expect.minComplaints, `${p.name}: ${complaints} complaints, expected at least ${p.expect.minComplaints}`);
  const facts = await frame.$$eval(".facts dd", (els) => els.map((e) => e.textContent));
  const draft = await frame.$eval("textarea.draft", (e) => e.value);
  check(facts.length >= 8, `${p.name}: the analysis is missing`);
  check(draft.length > 40, `${p.name}: the draft is empty`);
  if (complaints > 0) check((await frame.$$(".steps .step")).length >= 3, `${p.name}: no response plan for a complaint`);
  const native = JSON.parse(execFileSync(join(ROOT, "target/release/calmly"), ["analyze", "--html", "--url", p.url, p.file], { maxBuffer: 64 << 20 }));
  check(native.complaints.length === items, `${p.name}: native extractor found ${native.complaints.length}, the browser ${items}`);
  // Each item's language as the sidebar shows it (its snippet's lang) must be the native
  // one: both read the page's <html lang>, which settles short comments ("Dead game" on
  // an English page). Matched by text; the rows are in order of severity.
  const rows = await frame.$$eval(".item .snippet", (els) => els.map((e) => [e.textContent, e.getAttribute("lang") || "und"]));
  let matched = 0;
  for (const c of native.complaints) {
    const row = rows.find(([t]) => t === [...c.text].slice(0, 90).join(""));
    if (!row) continue;
    matched++;
    check(row[1] === c.language, `${p.name}: ${JSON.stringify(row[0])} reads as ${row[1]} in the browser, ${c.language} natively (page lang ${native.page.lang})`);
  }
  check(matched * 2 >= items, `${p.name}: only ${matched} of ${items} items have the same text in the browser and natively`);
  return { items, complaints, status };
}

/** Chromium's flags for a test run with the unpacked extension in `dir`. */
export function extensionArgs(dir) {
  return [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", `--disable-extensions-except=${dir}`, `--load-extension=${dir}`,
  ];
}

/** The sidebar's frame in `page` (the extension's sidebar.html), or null after `timeout` ms. */
export async function findSidebar(page, timeout) {
  const end = Date.now() + timeout;
  while (Date.now() < end) {
    const f = page.frames().find((f) => f.url().startsWith("chrome-extension://") && f.url().includes("sidebar.html"));
    if (f) return f;
    await page.waitForTimeout(50);
  }
  return null;
}

