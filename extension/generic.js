// Calmly generic reading (content script, before content.js): reviews and comments on
// pages no site adapter covers. src/extract/generic.rs applies the same rules natively.
//   1. schema.org microdata: elements with itemtype …/Review or …/Comment;
//   2. schema.org JSON-LD: Review and Comment objects anywhere in the graph (no element
//      on the page to scroll to, so only used for texts microdata did not give);
//   3. only when asked (the user opened Calmly on the page) and 1–2 found nothing: a
//      comment-list heuristic — the largest group of same-shaped siblings, each with a
//      sentence of text, under an element whose id or class says comment/review.
(() => {
  "use strict";
  if (globalThis.CalmlyGeneric) return;

  const MAX_TEXT = 5000;
  const squash = (s) => (s || "").split(/\s+/).filter(Boolean).join(" ");
  const clip = (s) => (s.length > MAX_TEXT ? s.slice(0, MAX_TEXT) : s);
  const num = (s) => {
    const m = /\d[\d.,]*/.exec(String(s ?? ""));
    if (!m) return null;
    const n = parseFloat(m[0].replace(/[.,]+$/, "").replace(",", "."));
    return Number.isFinite(n) ? n : null;
  };
  const TYPE = /(?:^|\/)(Review|Comment|UserComments|CriticReview|EmployerReview)$/;

  // An element's text as a reader sees it: without the text of <script>, <style>,
  // <noscript> (which holds markup as text while scripts run) and <template>. The same
  // rule as src/extract/mod.rs `visible_text`. Stops once `max` characters are read.
  const NOT_TEXT = new Set(["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE"]);
  function visibleText(el, max = Infinity) {
    if (!el.querySelector("script,style,noscript,template")) return el.textContent;
    const walker = el.ownerDocument.createTreeWalker(el, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT, {
      acceptNode: (n) => (n.nodeType === Node.TEXT_NODE ? NodeFilter.FILTER_ACCEPT : NOT_TEXT.has(n.nodeName.toUpperCase()) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_SKIP),
    });
    let out = "";
    for (let n = walker.nextNode(); n && out.length < max; n = walker.nextNode()) out += n.data;
    return out;
  }

  function all(root, sel) {
    try {
      return [...root.querySelectorAll(sel)];
    } catch {
      return [];
    }
  }

  // The value of an itemprop: content/datetime attributes first (meta, time), else text.
  function prop(scope, name) {
    for (const el of all(scope, `[itemprop~="${name}"]`)) {
      const v = el.getAttribute("content") ?? el.getAttribute("datetime") ?? visibleText(el);
      const s = squash(v);
      if (s) return { el, value: s };
    }
    return null;
  }

  function microdata(doc) {
    const out = [];
    for (const el of all(doc, "[itemtype]")) {
      if (!el.getAttribute("itemtype").split(/\s+/).some((t) => TYPE.test(t))) continue;
      const text = prop(el, "reviewBody") || prop(el, "text") || prop(el, "commentText") || prop(el, "description");
      if (!text) continue;
      const author = prop(el, "author");
      const authorName = author && (prop(author.el, "name")?.value || author.value);
      const rating = num(prop(el, "ratingValue")?.value);
      const best = num(prop(el, "bestRating")?.value);
      out.push({
        el,
        item: {
          text: clip(text.value),
          title: prop(el, "headline")?.value || null,
          author: authorName || null,
          rating,
          rating_max: rating == null ? null : best || 5,
          date: prop(el, "datePublished")?.value || prop(el, "dateCreated")?.value || null,
        },
      });
    }
    return out;
  }

  function jsonLd(doc) {
    const out = [];
    let visited = 0;
    const types = (o) => [].concat(o["@type"] || []).map(String);
    const name = (a) => (typeof a === "string" ? a : a && typeof a === "object" ? (Array.isArray(a) ? name(a[0]) : a.name) : null);
    const walk = (o, depth) => {
      if (!o || typeof o !== "object" || depth > 20 || ++visited > 20000) return;
      if (Array.isArray(o)) return o.forEach((x) => walk(x, depth + 1));
      if (types(o).some((t) => TYPE.test(t))) {
        const text = squash(String(o.reviewBody ?? o.text ?? o.description ?? ""));
        if (text) {
          const r = o.reviewRating && typeof o.reviewRating === "object" ? o.reviewRating : {};
          const rating = num(r.ratingValue);
          out.push({
            el: null,
            item: {
              text: clip(text),
              title: typeof o.name === "string" ? squash(o.name) || null : typeof o.headline === "string" ? squash(o.headline) || null : null,
              author: squash(String(name(o.author) ?? "")) || null,
              rating,
              rating_max: rating == null ? null : num(r.bestRating) || 5,
              date: typeof o.datePublished === "string" ? o.datePublished : null,
            },
          });
        }
      }
      for (const k of Object.keys(o)) if (k !== "@context") walk(o[k], depth + 1);
    };
    for (const s of all(doc, 'script[type="application/ld+json"]')) {
      try {
        walk(JSON.parse(s.textContent), 0);
      } catch {
        // A broken JSON-LD block is the page's problem; skip it.
      }
    }
    return out;
  }

  const HINT = /comment|review|reply|opinion|avalia|opini|recenz|coment|rese[nñ]|testimon/i;

  function textOf(el) {
    const ps = all(el, "p");
    return squash(ps.length ? ps.map((p) => visibleText(p)).join(" ") : visibleText(el));
  }

  function heuristic(doc) {
    let best = null;
    for (const parent of all(doc, "[id],[class]")) {
      const hint = `${parent.id || ""} ${typeof parent.className === "string" ? parent.className : ""}`;
      if (!HINT.test(hint)) continue;
      const groups = new Map();
      for (const c of parent.children) {
        // Same tag and first class: WordPress alternates "comment even" / "comment odd".
        const key = `${c.tagName}.${typeof c.className === "string" ? c.className.trim().split(/\s+/)[0] : ""}`;
        if (!groups.has(key)) groups.set(key, []);
        groups.get(key).push(c);
      }
      for (const members of groups.values()) {
        if (members.length < 2) continue;
        const texts = members.map(textOf);
        if (!texts.every((t) => t.length >= 30 && t.split(" ").length >= 5)) continue;
        const size = texts.reduce((a, t) => a + t.length, 0);
        if (!best || members.length > best.members.length || (members.length === best.members.length && size > best.size)) best = { members, texts, size };
      }
    }
    if (!best) return [];
    return best.members.map((el, i) => ({ el, item: { text: clip(best.texts[i]), title: null, author: null, rating: null, rating_max: null, date: null } }));
  }

  /** [{ el, item }] for the page: el is the element to scroll to (null for JSON-LD). */
  function find(doc, { heuristics = false } = {}) {
    const found = microdata(doc);
    const texts = new Set(found.map((f) => f.item.text));
    for (const f of jsonLd(doc)) if (!texts.has(f.item.text)) (texts.add(f.item.text), found.push(f));
    if (found.length || !heuristics) return found;
    return heuristic(doc);
  }

  globalThis.CalmlyGeneric = { find, visibleText };
})();
