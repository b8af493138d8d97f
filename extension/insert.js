// Calmly reply insertion (content script, loaded before content.js). Puts the agent's
// chosen draft into the complaint's reply box through the editor's own input path, so
// textarea, contenteditable and framework editors (Draft.js, Lexical, ProseMirror, Quill,
// Slate, …) keep their state: their model holds the text, typing and undo keep working.
// It never writes value/textContent/innerHTML and never submits.
//
// Interface used by content.js:
//   CalmlyInsert.insert({ item, page, text }) → Promise<string>  (a message for the user)
//     item: the complaint's element (or null), page: its adapter page (reply_box,
//     reply_button, item selectors, or null), text: the draft ("\n" between lines).
//
// Where the text goes, first found wins:
//   1. the adapter's reply_box inside the item, or the editable the user last focused
//      when it is inside the item;
//   2. the item's reply_button: clicked, then the reply box it opens (waited for with a
//      MutationObserver, up to REPLY_TIMEOUT_MS, else a message; never clicked twice);
//   3. the adapter's reply_box elsewhere on the page;
//   4. the editable the user last focused anywhere on the page;
//   otherwise a message asks the user to click in the reply box first, or use Copy.
// Boxes and buttons inside another item (another complaint's) are never used. The item's
// own reply button comes before a page-wide box: on YouTube, LinkedIn, Reddit or X the
// page-wide box is the post's top-level comment box, not a reply to this complaint.
// Search fields are never taken for the reply box.
//
// How the text goes in:
//   - textarea / text input: focus, keep the user's caret (or go to the end of a box they
//     did not touch), document.execCommand("insertText"). Chromium and Firefox run it as
//     typing: beforeinput, input, the native undo stack, and React/Vue-controlled fields
//     see an ordinary input event. A single-line input gets the lines joined by spaces.
//   - contenteditable: focus, caret as above, then a synthetic "paste" carrying a
//     DataTransfer holding only text/plain. Framework editors handle paste themselves
//     (they preventDefault it) and turn each line into a paragraph of their model, as one
//     undo step: Draft.js (editOnPaste), Lexical (PASTE_COMMAND), ProseMirror (plain text
//     parsed into paragraphs), Quill 2 (clipboard module), Slate (insertData; it takes a
//     paste itself only when text/plain is the sole type). A bare contenteditable ignores
//     a synthetic paste (no default action), so then the text goes in by execCommand:
//     "insertText" per line and "insertParagraph" between lines, as typing and Enter
//     would: beforeinput/input fire and it lands in the native undo stack, as a step of
//     its own (see endTyping). Paste comes first because that execCommand path is not
//     enough for every editor: in Chromium 156 ProseMirror and Quill 2 follow it, but
//     Draft.js keeps only the last line, Lexical runs the lines into one, and Slate's
//     model misses the text while its DOM shows it (tried with tests/e2e/editors.mjs).
//   Afterwards the box must show the text; if not, the message says so (use Copy).
(() => {
  "use strict";
  if (globalThis.CalmlyInsert) return;

  const REPLY_TIMEOUT_MS = 3000;
  const SENT_YOURSELF = "Review it, then send it yourself.";
  const PARTLY = "the reply box did not take all of it as written — check it against the draft";
  const TEXT_INPUT_TYPES = new Set(["text", ""]);

  // ------------------------------------------------------------------ what is editable
  function isTextControl(el) {
    if (el instanceof HTMLTextAreaElement) return true;
    return el instanceof HTMLInputElement && TEXT_INPUT_TYPES.has((el.getAttribute("type") || "").toLowerCase());
  }

  /** A site search box (YouTube's is input#search name=search_query role=combobox): the
   *  last thing focused may be one, and a reply must not land there. */
  function isSearch(el) {
    const role = (el.getAttribute("role") || "").toLowerCase();
    const name = (el.getAttribute("name") || "").toLowerCase();
    return role === "searchbox" || role === "combobox" || /^(q|query|search|search_query|keywords?)$/.test(name) || !!closest(el, "[role=search], form[action*=search i]");
  }

  /** The editing host (outermost contenteditable) containing `el`, or null. */
  function editingHost(el) {
    if (!el || !el.isContentEditable) return null;
    let h = el;
    while (h.parentElement && h.parentElement.isContentEditable) h = h.parentElement;
    return h;
  }

  /** The editable element `el` is or is inside of, or null. */
  function editableOf(el) {
    if (!el || el.nodeType !== 1) return null;
    const e = isTextControl(el) ? el : editingHost(el);
    return e && !isSearch(e) ? e : null;
  }

  const EDITABLE_INSIDE = "textarea, input:not([type]), input[type=text], [contenteditable]:not([contenteditable=false])";

  /** The editable a reply_box selector match stands for: itself, or the first inside it
   *  (adapters may name the box's container rather than the editable element). */
  function editableIn(el) {
    const direct = editableOf(el);
    if (direct) return direct;
    for (const inner of el.querySelectorAll(EDITABLE_INSIDE)) {
      const e = editableOf(inner);
      if (e && visible(e)) return e;
    }
    return null;
  }

  function visible(el) {
    return el.isConnected && el.getClientRects().length > 0;
  }

  function query(root, selector) {
    try {
      return root.querySelector(selector);
    } catch {
      return null;
    }
  }

  function queryAll(root, selector) {
    try {
      return [...root.querySelectorAll(selector)];
    } catch {
      return [];
    }
  }

  // The editable the user last focused on the page: on sites without an adapter reply
  // box, "click in the reply box, then Insert" is the way to say where.
  let lastEditable = null;
  let lastFocusAt = 0;
  // Items whose Reply button opened nothing, and when: a box the user clicks in after that
  // is the answer to "click in the reply box, then Insert again".
  const replyFailed = new WeakMap();
  // Where the caret was in it when focus left (for the sidebar, when the user clicks
  // Insert). Some editors drop the DOM selection on blur (Draft.js removes it when the
  // page's active element is <body>, as it is during blur), and focus() alone would then
  // put the caret at the start. Captured at the document, before the page's own handlers.
  let lastRange = null;
  document.addEventListener(
    "focusin",
    (ev) => {
      const el = editableOf((ev.composedPath && ev.composedPath()[0]) || ev.target);
      if (el && el !== lastEditable) {
        lastEditable = el;
        lastFocusAt = performance.now();
        lastRange = null;
      }
    },
    true,
  );
  document.addEventListener(
    "focusout",
    (ev) => {
      const el = editableOf((ev.composedPath && ev.composedPath()[0]) || ev.target);
      if (!el || el !== lastEditable || isTextControl(el)) return;
      const sel = getSelection();
      lastRange = sel && sel.rangeCount && el.contains(sel.anchorNode) ? sel.getRangeAt(0).cloneRange() : null;
    },
    true,
  );

  // ------------------------------------------------------------------ finding the box
  /** A selector list split at its top-level commas, so that its alternatives are tried
   *  in the adapter's order (querySelectorAll gives document order: on YouTube
   *  "#reply-button-end button, #reply-button-end" would find the wrapper first). */
  function alternatives(list) {
    const out = [];
    let depth = 0;
    let quote = "";
    let start = 0;
    for (let i = 0; i < list.length; i++) {
      const c = list[i];
      if (quote) {
        if (c === "\\") i++;
        else if (c === quote) quote = "";
      } else if (c === '"' || c === "'") quote = c;
      else if (c === "(" || c === "[") depth++;
      else if (c === ")" || c === "]") depth--;
      else if (c === "," && depth === 0) {
        out.push(list.slice(start, i).trim());
        start = i + 1;
      }
    }
    out.push(list.slice(start).trim());
    return out.filter(Boolean);
  }

  function closest(el, selector) {
    try {
      return el.closest(selector);
    } catch {
      return null;
    }
  }

  function disabled(el) {
    return isTextControl(el) ? el.disabled || el.readOnly : !el.isContentEditable;
  }

  const usable = (el) => !!el && visible(el) && !disabled(el);

  /** Whether `el` belongs to an item other than `item` (another complaint's reply box,
   *  or a nested reply's): its nearest item is not this one. */
  function otherItems(el, item, page) {
    if (!item || !page || !page.item) return false;
    const owner = closest(el, page.item);
    return !!owner && owner !== item;
  }

  /** The usable reply boxes (their editables) in `root`, in the adapter's order. */
  function boxesIn(root, page) {
    const out = [];
    for (const sel of alternatives(page.reply_box)) {
      for (const match of queryAll(root, sel)) {
        const e = editableIn(match);
        if (usable(e) && !out.includes(e)) out.push(e);
      }
    }
    return out;
  }

  /** The adapter's reply box inside the item (and not inside a nested item). */
  function itemBox(item, page) {
    if (!item || !page || !page.reply_box) return null;
    return boxesIn(item, page).find((e) => !otherItems(e, item, page)) || null;
  }

  /** The adapter's reply box elsewhere on the page, not one of another item. */
  function pageBox(item, page) {
    if (!page || !page.reply_box) return null;
    return boxesIn(document, page).find((e) => !(item && item.contains(e)) && !otherItems(e, item, page)) || null;
  }

  function replyButton(item, page) {
    for (const sel of alternatives(page.reply_button)) {
      const b = queryAll(item, sel).find((m) => visible(m) && !otherItems(m, item, page));
      if (b) return b;
    }
    return null;
  }

  function usableLast(item, page) {
    return usable(lastEditable) && !otherItems(lastEditable, item, page) ? lastEditable : null;
  }

  /** Click the item's reply button and wait for the reply box it opens: the adapter's
   *  reply box in the item, or one the site focused, or one that was not on the page
   *  before the click (a dialog). Without a reply_box selector, any editable that way.
   *  Resolves to the box, or null after REPLY_TIMEOUT_MS. */
  function openReplyBox(item, page, button) {
    const candidates = () =>
      page.reply_box ? boxesIn(document, page) : queryAll(document, EDITABLE_INSIDE).map(editableOf).filter(usable);
    const seen = new Set(candidates());
    const find = () => {
      const inItem = page.reply_box ? itemBox(item, page) : queryAll(item, EDITABLE_INSIDE).map(editableOf).find((e) => usable(e) && !seen.has(e));
      if (inItem) return inItem;
      const all = candidates().filter((e) => !otherItems(e, item, page));
      const active = editableOf(document.activeElement);
      if (active && all.includes(active)) return active;
      return all.find((e) => !seen.has(e)) || null;
    };
    return new Promise((resolve) => {
      let done = false;
      const finish = (box) => {
        if (done) return;
        done = true;
        observer.disconnect();
        clearTimeout(timer);
        resolve(box);
      };
      const observer = new MutationObserver(() => {
        const box = find();
        if (box) finish(box);
      });
      observer.observe(document.documentElement, { childList: true, subtree: true, attributes: true, attributeFilter: ["hidden", "style", "class", "contenteditable", "open", "aria-hidden", "disabled"] });
      const timer = setTimeout(() => finish(find()), REPLY_TIMEOUT_MS);
      button.click();
      const box = find();
      if (box) finish(box);
    });
  }

  // ------------------------------------------------------------------ putting text in
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const squash = (s) => (s || "").replace(/\u00a0/g, " ").split(/\s+/).filter(Boolean).join(" ");
  const lines = (s) => s.split("\n").map((l) => l.trim()).filter(Boolean);

  /** What the box shows, as text. */
  function shown(box) {
    return isTextControl(box) ? box.value : box.innerText || box.textContent || "";
  }

  /** Whether every line of `text` now shows in the box (squashed: editors differ in how
   *  they render spaces and paragraph breaks). */
  function arrived(box, text, before) {
    const now = shown(box);
    if (now === before) return false;
    const have = squash(now);
    return lines(text).every((l) => have.includes(squash(l)));
  }

  async function waitArrived(box, text, before, ms) {
    const end = Date.now() + ms;
    for (;;) {
      if (arrived(box, text, before)) return true;
      if (Date.now() >= end) return false;
      await sleep(25);
    }
  }

  /** Collapsed caret at the end of the editing host's content, at text level (the last
   *  text node's end, or before a trailing <br>), which every editor maps to its model. */
  function caretAtEnd(host) {
    let node = host;
    while (node.lastChild && !(node.lastChild.nodeType === 1 && node.lastChild.getAttribute("contenteditable") === "false")) node = node.lastChild;
    const range = document.createRange();
    if (node.nodeType === 3) range.setStart(node, node.length);
    else if (node === host) range.setStart(host, host.childNodes.length);
    else range.setStartBefore(node);
    range.collapse(true);
    const sel = getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }

  function restore(range) {
    const sel = getSelection();
    if (sel.rangeCount) {
      const r = sel.getRangeAt(0);
      if (r.startContainer === range.startContainer && r.startOffset === range.startOffset && r.endContainer === range.endContainer && r.endOffset === range.endOffset) return;
    }
    sel.removeAllRanges();
    sel.addRange(range);
  }

  function selectionInside(host) {
    const sel = getSelection();
    return sel && sel.rangeCount > 0 && host.contains(sel.anchorNode) && host.contains(sel.focusNode);
  }

  async function insertIntoControl(box, text, touched) {
    box.focus({ preventScroll: false });
    if (!touched) {
      try {
        const n = box.value.length;
        box.setSelectionRange(n, n);
      } catch {
        // types without a selection API keep the browser's caret
      }
    }
    const single = box instanceof HTMLInputElement;
    const t = single ? lines(text).join(" ") : text;
    const before = box.value;
    document.execCommand("insertText", false, t);
    endTyping(box);
    if (!(await waitArrived(box, t, before, 300))) return box.value === before ? null : PARTLY;
    return single && lines(text).length > 1 ? "on one line: this reply box takes a single line" : "";
  }

  /** A synthetic paste of plain text. True when the page's editor took it (prevented the
   *  browser default, which for a synthetic event does nothing anyway). */
  function paste(host, text) {
    let data;
    try {
      data = new DataTransfer();
      data.setData("text/plain", text);
    } catch {
      return false;
    }
    const ev = new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true, composed: true });
    const target = getSelection().anchorNode;
    const el = target && host.contains(target) ? (target.nodeType === 1 ? target : target.parentElement) : host;
    el.dispatchEvent(ev);
    return ev.defaultPrevented;
  }

  /** Setting the selection (even to where it is) closes the browser's open typing
   *  command, so the insert is an undo step of its own: not merged with what the user
   *  typed before it, nor with what they type next. Native fields and bare
   *  contenteditable only; framework editors keep their own history. */
  function endTyping(box) {
    try {
      if (isTextControl(box)) {
        const { selectionStart: a, selectionEnd: b, selectionDirection: d } = box;
        box.setSelectionRange(a, b, d || "none");
      } else {
        const sel = getSelection();
        if (!sel.rangeCount) return;
        const r = sel.getRangeAt(0).cloneRange();
        sel.removeAllRanges();
        sel.addRange(r);
      }
    } catch {
      // input types without a selection API
    }
  }

  /** Typing-like insertion: each line by "insertText", "insertParagraph" between lines
   *  (what Enter does), so blocks come out as the browser's own paragraphs. */
  function typeLines(text) {
    const parts = text.split("\n");
    let ok = true;
    parts.forEach((part, i) => {
      if (i > 0) ok = document.execCommand("insertParagraph", false) && ok;
      if (part) ok = document.execCommand("insertText", false, part) && ok;
    });
    return ok;
  }

  async function insertIntoEditable(host, text, touched) {
    host.focus({ preventScroll: false });
    if (touched && lastRange && host.contains(lastRange.startContainer) && host.contains(lastRange.endContainer)) restore(lastRange);
    else if (!touched || !selectionInside(host)) caretAtEnd(host);
    // Let the editor see the focus and selectionchange (ProseMirror, Lexical, Slate and
    // Draft.js sync their model selection from them) before the text comes.
    await sleep(50);
    let before = shown(host);
    const taken = paste(host, text);
    if (await waitArrived(host, text, before, taken ? 600 : 50)) return "";
    // The editor took it in its own way (reformatted, shortened): typing it again would
    // double it.
    if (shown(host) !== before) return PARTLY;
    // Not taken as a paste (a bare contenteditable, an editor that ignores synthetic
    // pastes, or one that refuses pastes): type it in.
    before = shown(host);
    if (!selectionInside(host)) caretAtEnd(host);
    endTyping(host);
    typeLines(text);
    endTyping(host);
    if (await waitArrived(host, text, before, 600)) return "";
    return shown(host) === before ? null : PARTLY;
  }

  async function insertInto(box, text) {
    const touched = box === lastEditable;
    box.scrollIntoView({ block: "nearest", inline: "nearest" });
    return isTextControl(box) ? insertIntoControl(box, text, touched) : insertIntoEditable(box, text, touched);
  }

  // ------------------------------------------------------------------ the entry point
  async function insert({ item, page, text }) {
    text = String(text || "").replace(/\r\n?/g, "\n");
    if (!text.trim()) return "The draft is empty — nothing to insert.";
    const last = usableLast(item, page);
    let box = itemBox(item, page) || (item && last && item.contains(last) ? last : null);
    let opened = false;
    if (!box && item && last && replyFailed.has(item) && lastFocusAt > replyFailed.get(item)) box = last;
    if (!box && item && page && page.reply_button) {
      const button = replyButton(item, page);
      if (button) {
        box = await openReplyBox(item, page, button);
        if (!box) {
          replyFailed.set(item, performance.now());
          return `Clicked Reply, but no reply box appeared within ${REPLY_TIMEOUT_MS / 1000} seconds — click in the reply box, then Insert again, or use Copy.`;
        }
        opened = true;
        await sleep(30); // the site may still be wiring up the box it just added
      }
    }
    if (!box) box = pageBox(item, page) || usableLast(item, page);
    if (!box) return "No reply box is open on the page for this complaint — click in the reply box first, then Insert, or use Copy.";
    const note = await insertInto(box, text);
    if (note == null) return "The reply box did not accept the text — use Copy and paste it.";
    const what = opened ? "Opened the reply box and inserted the draft" : "Inserted the draft into the reply box";
    return `${what}${note ? ` (${note})` : ""}. ${SENT_YOURSELF}`;
  }

  globalThis.CalmlyInsert = { insert };
})();
