// Generated pages for the stress test (tests/e2e/stress.mjs) and the feed benchmark
// (tools/bench/feed.mjs): large, deterministic pages in each site's own markup (the same
// hooks as the adapters in data/sites and the fixtures in tests/fixtures/sites), served at
// real URLs by request interception. Same seed, same bytes: runs compare.
//
// Also the harness both scripts share: a Chromium launch with or without the extension,
// the interception, a long-task observer in every page's main world from document start,
// and the content script's own timing (performance measures "calmly-scan").
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { extensionArgs } from "./pages.mjs";

/** A small seeded PRNG (mulberry32): the pages are the same on every run. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const COMPLAINTS = [
  "My order arrived broken and nobody answers my emails, I want a refund now.",
  "Charged twice for the same order and support keeps closing my ticket without a reply.",
  "The parcel has been stuck for nine days and the tracking page shows nothing at all.",
  "Third time I write: the replacement never came and customer service hung up on me.",
  "Internet caiu pela terceira vez esta semana e o suporte só manda reiniciar o modem.",
  "Me cobraron dos veces el mismo pedido y nadie contesta en el chat desde el lunes.",
  "Das Paket ist seit zwei Wochen verschwunden und niemand antwortet auf meine Mails.",
  "Commande jamais livrée, le service client ne répond pas et je veux être remboursé.",
];
const PRAISE = [
  "Great service, fast delivery, thank you very much.",
  "Ordered on Monday, delivered on Tuesday, great packaging and friendly staff.",
  "Everything worked as described, I would buy again.",
  "Atendimento rápido e educado, recomendo a loja.",
  "Todo llegó bien y a tiempo, muy contento con la compra.",
];
const FILLER = "the a product box store app phone week day team colour size photo table lamp garden blue green small large morning evening city".split(" ");

/** A review or comment text of about `len` characters: a complaint or praise sentence,
 *  padded with plain words; about a third are complaints. */
export function textOf(r, len = 160) {
  const base = r() < 0.35 ? COMPLAINTS[Math.floor(r() * COMPLAINTS.length)] : PRAISE[Math.floor(r() * PRAISE.length)];
  let s = base;
  while (s.length < len) s += " " + FILLER[Math.floor(r() * FILLER.length)];
  return s;
}

const esc = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const iso = (i) => new Date(Date.UTC(2026, 4, 1) + i * 60000).toISOString();

// Non-review DOM of the kind real pages carry in bulk: navigation, inline SVG icons, a
// footer of links, and the framework's JSON state in a script element.
function chrome(r, links) {
  const nav = Array.from({ length: links }, (_, i) => `<li><a href="/categories/c${i}" class="styles_link__x${i % 97}">Category ${i} ${FILLER[i % FILLER.length]}</a></li>`).join("");
  return `<header><nav><ul>${nav}</ul></nav></header>`;
}
const SVG = '<svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true"><path d="M12 2l3.09 6.26L22 9.27l-5 4.87 1.18 6.88L12 17.77l-6.18 3.25L7 14.14 2 9.27l6.91-1.01L12 2z"/></svg>';

/**
 * (1) A Trustpilot company page of about `mb` MB: `reviews` review cards (texts of 300–3,000
 * characters, three of 200 KB), a "relevant reviews" strip of repeats (not items), a
 * navigation of 3,000 links, per-card icons and a 1.5 MB __NEXT_DATA__-style JSON script.
 */
export function trustpilotBig({ reviews = 1000, mb = 5 } = {}) {
  const r = rng(1);
  const card = (i, text) =>
    `<article data-service-review-card-paper="true" class="styles_reviewCard__meSdm"><aside aria-label="Info for User ${i}"><a href="/users/${i}" data-consumer-profile-link="true">` +
    `<span data-consumer-name-typography="true">User ${i}</span><span data-consumer-country-typography="true">GB</span></a>${SVG}${SVG}</aside>` +
    `<div data-service-review-rating="${1 + (i % 5)}"><img alt="Rated ${1 + (i % 5)} out of 5 stars" src="stars.svg"></div>` +
    `<time datetime="${iso(i)}" data-service-review-date-time-ago="true">May 2026</time>` +
    `<h2 data-service-review-title-typography="true">Review number ${i}</h2>` +
    `<p data-service-review-text-typography="true">${esc(text)}</p>` +
    `<div class="styles_actions"><button data-reply-button="true">Reply</button><button>Useful</button><button>Share</button>${SVG}${SVG}${SVG}</div></article>`;
  const strip = Array.from({ length: 20 }, (_, i) =>
    `<article data-service-review-card-paper="true"><aside><span data-consumer-name-typography="true">User ${i}</span></aside><p data-relevant-review-text-typography="true">${esc(textOf(r, 120))}… See more</p></article>`).join("");
  const cards = [];
  for (let i = 0; i < reviews; i++) cards.push(card(i, i % 333 === 7 ? textOf(r, 200_000) : textOf(r, 300 + Math.floor(r() * 2700))));
  let html =
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Stress Shop Reviews | Read Customer Service Reviews</title></head><body>` +
    chrome(r, 3000) +
    `<section aria-label="Relevant reviews">${strip}</section><section>${cards.join("\n")}</section>`;
  // Pad with the framework's JSON state up to the size asked for.
  const target = mb * 1024 * 1024;
  const state = [];
  let size = html.length;
  for (let i = 0; size < target - 2000; i++) {
    const chunk = JSON.stringify({ id: i, text: textOf(r, 400), tags: FILLER.slice(0, 8) }) + ",";
    state.push(chunk);
    size += chunk.length;
  }
  html += `<footer>${chrome(r, 500)}</footer><script id="__NEXT_DATA__" type="application/json">{"props":[${state.join("")}{}]}</script></body></html>`;
  return { html, items: reviews };
}

/** A shreddit comment in the markup of tests/fixtures/sites/reddit-shreddit.html; `inner`
 *  goes inside it (its nested replies). */
function shredditComment(i, depth, text, inner = "") {
  const user = `user_${i}`;
  return `<shreddit-comment author="${user}" depth="${depth}" thingid="t1_c${i}"${depth ? ' slot="children"' : ""}>` +
    `<div slot="commentMeta"><faceplate-tracker noun="comment_author"><a href="/user/${user}/">${user}</a></faceplate-tracker> <span>•</span> <faceplate-timeago ts="${iso(i)}"><time datetime="${iso(i)}">1 d</time></faceplate-timeago></div>` +
    `<div slot="comment" id="t1_c${i}-comment-rtjson-content"><p>${esc(text)}</p></div>` +
    `<shreddit-comment-action-row slot="actionRow"></shreddit-comment-action-row>${inner}</shreddit-comment>`;
}

/**
 * (2) A Reddit thread (shreddit) with a text post and `comments` comments: threads of a
 * top-level comment and `depth` nested replies, each reply inside its parent as on Reddit.
 */
export function redditThread({ comments = 10000, depth = 3, shadow = false } = {}) {
  const r = rng(2);
  const threads = [];
  let i = 0;
  while (i < comments) {
    const n = Math.min(depth + 1, comments - i);
    let inner = "";
    for (let d = n - 1; d >= 0; d--) inner = shredditComment(i + d, d, textOf(r, 80 + Math.floor(r() * 300)), inner);
    threads.push(inner);
    i += n;
  }
  // Optionally the real thing's web components: each shreddit element gets an open shadow
  // root with its own layout and <slot>s, so the comment texts stay in the light DOM.
  const define = shadow
    ? `<script>
  for (const name of ["shreddit-post", "shreddit-comment", "shreddit-comment-action-row", "faceplate-tracker", "faceplate-timeago"]) {
    customElements.define(name, class extends HTMLElement {
      constructor() {
        super();
        this.attachShadow({ mode: "open" }).innerHTML = '<style>:host{display:block}.meta{display:flex;gap:4px}</style><div class="row"><div class="rail"><button>–</button></div><div class="body"><div class="meta"><slot name="commentAvatar"></slot><slot name="commentMeta"></slot><slot name="credit-bar"></slot></div><slot name="title"></slot><slot name="comment"></slot><slot name="text-body"></slot><div class="actions"><slot name="actionRow"></slot><button>Reply</button><button>Share</button><button>…</button></div><div class="children"><slot name="children"></slot><slot></slot></div></div></div>';
      }
    });
  }
</script>`
    : "";
  const html =
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Ten thousand comments : r/StressShop</title>${define}</head><body><shreddit-app routename="post_page"><main class="main" id="main-content">` +
    `<shreddit-post author="op_user" id="t3_str10k" post-title="Ten thousand comments"><div slot="credit-bar"><faceplate-tracker noun="user_profile"><a href="/user/op_user/">op_user</a></faceplate-tracker></div>` +
    `<h1 slot="title">Ten thousand comments</h1><div slot="text-body"><div class="md"><p>${esc(COMPLAINTS[0])}</p></div></div></shreddit-post>` +
    `<div id="comment-tree"><shreddit-comment-tree post-id="t3_str10k" totalcomments="${comments}">${threads.join("\n")}</shreddit-comment-tree></div></main></shreddit-app></body></html>`;
  return { html, items: comments + 1 };
}

/** An X tweet card in the markup of tests/fixtures/sites/x-status.html (trimmed a little). */
export function tweet(i, text) {
  const h = `user${i}`;
  return `<div data-testid="cellInnerDiv"><article aria-labelledby="id__a${i}" role="article" tabindex="0" class="css-175oi2r r-18u37iz" data-testid="tweet"><div class="css-175oi2r r-eqz5dr"><div class="css-175oi2r r-18u37iz">` +
    `<div class="css-175oi2r r-18kxxzh" data-testid="Tweet-User-Avatar"><a href="/${h}" role="link"><img alt="" src="https://pbs.twimg.com/profile_images/${i}/a_normal.jpg"></a></div>` +
    `<div class="css-175oi2r r-1iusvr4"><div class="css-175oi2r r-1wbh5a2 r-dnmrzs" id="id__u${i}" data-testid="User-Name"><div class="css-175oi2r r-1awozwy r-18u37iz"><div class="css-175oi2r r-1wbh5a2 r-dnmrzs"><a href="/${h}" role="link" class="css-175oi2r r-1loqt21"><div class="css-175oi2r r-1awozwy r-18u37iz"><div dir="ltr" class="css-146c3p1 r-b88u0q"><span class="css-1jxf684 r-dnmrzs r-poiln3"><span class="css-1jxf684 r-poiln3">User ${i}</span></span></div></div></a></div></div>` +
    `<div class="css-175oi2r r-18u37iz r-1wbh5a2 r-13hce6t"><div class="css-175oi2r r-1d09ksm r-18u37iz r-1wbh5a2"><div class="css-175oi2r r-1wbh5a2 r-dnmrzs"><a href="/${h}" role="link" tabindex="-1" class="css-175oi2r r-1loqt21"><div dir="ltr" class="css-146c3p1 r-14j79pv"><span class="css-1jxf684 r-poiln3">@${h}</span></div></a></div><div dir="ltr" aria-hidden="true" class="css-146c3p1 r-14j79pv"><span class="css-1jxf684 r-poiln3">·</span></div><div class="css-175oi2r r-18u37iz r-1q142lx"><a href="/${h}/status/${1790000000000000000n + BigInt(i)}" dir="ltr" aria-label="3 hours ago" role="link" class="css-146c3p1 r-1loqt21"><time datetime="${iso(i)}">3h</time></a></div></div></div></div></div>` +
    `</div><div class="css-175oi2r"><div dir="auto" lang="en" class="css-146c3p1 r-bnwqim" id="id__t${i}" data-testid="tweetText"><div class="css-175oi2r r-xoduu5"><a href="/StressShop" role="link" class="css-1jxf684 r-1loqt21">@StressShop</a></div><span class="css-1jxf684 r-poiln3"> ${esc(text)}</span></div></div>` +
    `<div aria-label="1 reply, 4 likes" role="group" class="css-175oi2r r-1kbdv8c"><div class="css-175oi2r r-18u37iz"><button aria-label="1 Reply. Reply" role="button" class="css-175oi2r r-1777fci" data-testid="reply" type="button"><div dir="ltr">${SVG}<span>1</span></div></button></div><div class="css-175oi2r r-18u37iz"><button aria-label="Repost" role="button" data-testid="retweet" type="button">${SVG}</button></div><div class="css-175oi2r r-18u37iz"><button aria-label="4 Likes. Like" role="button" data-testid="like" type="button">${SVG}<span>4</span></button></div></div>` +
    `</div></article></div>`;
}

/** The X mentions tab (x.com/notifications/mentions, an adapter thread page): `posts` tweet
 *  cards addressed to the brand, a feed as X renders it. */
export function xFeed({ posts = 1000 } = {}) {
  const r = rng(3);
  const cells = Array.from({ length: posts }, (_, i) => tweet(i, textOf(r, 60 + Math.floor(r() * 220))));
  const html =
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Mentions / X</title></head><body><div id="react-root"><main role="main"><div data-testid="primaryColumn">` +
    `<section role="region"><div aria-label="Timeline: Mentions">${cells.join("\n")}</div></section></div></main>` +
    `<div data-testid="sidebarColumn"><aside aria-label="Who to follow" role="complementary"><div><span>Stress Shop</span><button type="button">Follow</button></div></aside></div></div></body></html>`;
  return { html, items: posts };
}

/** A Trustpilot review card in the minimal fixture's markup (tests/fixtures/pages/live_feed.html). */
export function trustpilotCard(i, text) {
  return `<article data-service-review-card-paper="true"><span data-consumer-name-typography="true">User ${i}</span><div data-service-review-rating="${1 + (i % 5)}"></div><p data-service-review-text-typography="true">${esc(text)}</p></article>`;
}

// ------------------------------------------------------------------------ the harness

/**
 * Chromium with the unpacked extension in `ext` (or none: the baseline), every network
 * request answered from `serve` (a function url → { body, headers } or null) or aborted.
 * A long-task observer runs in every frame's main world from document start and collects
 * into window.__calmlyLongTasks ({ start, duration } in the frame's time).
 */
export async function launch(ext, serve) {
  const profile = mkdtempSync(join(tmpdir(), "calmly-stress-"));
  // The same flags either way; without the extension, none is loaded.
  const args = ext ? extensionArgs(ext) : [...extensionArgs("-").filter((a) => !a.includes("-extension")), "--disable-extensions"];
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    viewport: { width: 1280, height: 900 },
    args,
  });
  await context.addInitScript(() => {
    // Long tasks as the page sees them. Chromium leaves out some tasks that run content-script
    // code (those resumed by an extension message), so a heartbeat also records every stretch
    // of more than 50 ms in which the main thread ran no timer: whoever held it.
    const tasks = (window.__calmlyLongTasks = []);
    const stalls = (window.__calmlyStalls = []);
    try {
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) tasks.push({ start: e.startTime, duration: e.duration });
      }).observe({ type: "longtask", buffered: true });
    } catch {
      // no long-task API: nothing collected
    }
    if (window.top !== window) return;
    let last = performance.now();
    const beat = () => {
      const now = performance.now();
      if (now - last > 50) stalls.push({ start: last, duration: now - last });
      last = now;
      setTimeout(beat, 0);
    };
    setTimeout(beat, 0);
  });
  await context.route((url) => /^(https?|wss?|ftp):$/.test(url.protocol), (route) => {
    const req = route.request();
    const hit = serve(req.url(), req);
    if (hit) return route.fulfill({ status: 200, body: hit.body, headers: { "content-type": "text/html; charset=utf-8", ...(hit.headers || {}) } });
    return route.abort();
  });
  let sw = null;
  if (ext) sw = context.serviceWorkers()[0] ?? (await context.waitForEvent("serviceworker", { timeout: 15000 }));
  return {
    context,
    sw,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * What the page's main thread went through: long tasks (> 50 ms) and stalls (heartbeat gaps
 * over 50 ms), the content script's reading slices (measures "calmly-scan", on the same
 * clock: the content script measures all its work that grows with the page), and the long
 * tasks or stalls that overlap one of them, with the extension's share of each (the rest
 * is the page's own work around it: parsing, style, layout, its scripts).
 */
export async function pageTimings(page) {
  return page.evaluate(() => {
    const lt = window.__calmlyLongTasks || [];
    const stalls = window.__calmlyStalls || [];
    const scans = performance.getEntriesByName("calmly-scan").map((e) => ({ start: e.startTime, duration: e.duration }));
    const share = (t) => scans.reduce((a, s) => a + Math.max(0, Math.min(s.start + s.duration, t.start + t.duration) - Math.max(s.start, t.start)), 0);
    const ext = [...lt, ...stalls].map((t) => ({ ...t, share: share(t) })).filter((t) => t.share > 0);
    const nav = performance.getEntriesByType("navigation")[0];
    return {
      longTasks: lt.length,
      longest: lt.reduce((m, t) => Math.max(m, t.duration), 0),
      longestStall: stalls.reduce((m, t) => Math.max(m, t.duration), 0),
      extLongTasks: ext.length,
      extLongest: ext.reduce((m, t) => Math.max(m, t.duration), 0),
      extShare: ext.reduce((m, t) => Math.max(m, t.share), 0),
      scanTotal: scans.reduce((a, s) => a + s.duration, 0),
      scanLongest: scans.reduce((m, s) => Math.max(m, s.duration), 0),
      scans: scans.length,
      dcl: nav ? nav.domContentLoadedEventEnd : null,
      load: nav ? nav.loadEventEnd : null,
    };
  });
}

/** The JS heap used by a page (its scripts and the content scripts: one V8 isolate) or by
 *  an out-of-process frame (the sidebar, an extension frame), in bytes, after a GC. */
export async function heapUsed(target) {
  const page = typeof target.page === "function" ? target.page() : target;
  const cdp = await page.context().newCDPSession(target);
  try {
    await cdp.send("HeapProfiler.collectGarbage").catch(() => {});
    await cdp.send("Performance.enable");
    const { metrics } = await cdp.send("Performance.getMetrics");
    return metrics.find((m) => m.name === "JSHeapUsedSize")?.value ?? null;
  } finally {
    await cdp.detach().catch(() => {});
  }
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};

/** A YouTube comment (ytd-comment-view-model) in the markup of tests/fixtures/sites/youtube-watch.html. */
export function youtubeComment(i, text) {
  return `<ytd-comment-thread-renderer class="style-scope ytd-item-section-renderer"><ytd-comment-view-model id="comment" class="style-scope ytd-comment-thread-renderer">` +
    `<div id="author-thumbnail"><a class="yt-simple-endpoint" href="/@viewer${i}"><yt-img-shadow><img alt="" src="https://yt3.ggpht.com/${i}.jpg"></yt-img-shadow></a></div>` +
    `<div id="main"><div id="header"><div id="header-author"><h3><a id="author-text" href="/@viewer${i}"><span> @viewer${i} </span></a></h3><span id="published-time-text"><a href="/watch?v=str&amp;lc=c${i}">${1 + (i % 30)} days ago</a></span></div></div>` +
    `<div id="comment-content"><ytd-expander id="expander"><div id="content"><yt-attributed-string id="content-text" slot="content"><span class="yt-core-attributed-string" role="text">${esc(text)}</span></yt-attributed-string></div></ytd-expander></div>` +
    `<div id="action-buttons"><ytd-comment-engagement-bar><div id="toolbar"><span id="vote-count-middle">${i % 50}</span><div id="reply-button-end"><ytd-button-renderer><button aria-label="Reply">Reply</button></ytd-button-renderer></div></div></ytd-comment-engagement-bar></div></div>` +
    `</ytd-comment-view-model></ytd-comment-thread-renderer>`;
}
