//! The sidebar and the playground, rendered with web-sys. All page-provided text goes in
//! through `set_text_content` (never as HTML), so hostile complaint text cannot inject
//! markup into the extension page.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_events::{EventListener, EventListenerOptions};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement, MessageEvent};

use super::i18n::{tr, tr_opt, trf};
use crate::engine::classify::severity_rank;
use super::store;
use crate::engine::cases::{self, Case};
use crate::engine::{self, ComplaintAnalysis, PageReport, PageSnapshot, Settings};

type Res<T> = Result<T, JsValue>;

fn doc() -> Document {
    gloo_utils::document()
}

pub(super) fn el(tag: &str, class: &str) -> Res<Element> {
    let e = doc().create_element(tag)?;
    if !class.is_empty() {
        e.set_class_name(class);
    }
    Ok(e)
}

pub(super) fn text(tag: &str, class: &str, t: &str) -> Res<Element> {
    let e = el(tag, class)?;
    e.set_text_content(Some(t));
    Ok(e)
}

pub(super) fn add(parent: &Element, child: Res<Element>) -> Res<()> {
    let child: Element = child?;
    parent.append_child(child.as_ref())?;
    Ok(())
}

pub(super) fn button(label: &str, class: &str) -> Res<Element> {
    let b = text("button", class, label)?;
    b.set_attribute("type", "button")?;
    Ok(b)
}

/// Shows a panic message in `#calmly-fatal`, if the page has one.
pub fn show_fatal(msg: &str) {
    if let Some(e) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("calmly-fatal")) {
        e.set_text_content(Some(msg));
        let _ = e.remove_attribute("hidden");
    }
}

/// A plan step in the interface language: the engine writes steps in English; a loaded
/// strings file may hold `step_<id>_title`/`_detail`, whose placeholders are filled here in
/// the same language (the English compiled in leaves them out, so English comes from the
/// engine as it is).
fn step_texts(s: &engine::Step, a: &ComplaintAnalysis, settings: &Settings) -> (String, String) {
    let (Some(title), Some(detail)) = (tr_opt(&format!("step_{}_title", s.id)), tr_opt(&format!("step_{}_detail", s.id))) else {
        return (s.title.clone(), s.detail.clone());
    };
    let category = label_of(&a.category).to_lowercase();
    let target = settings.response_target_minutes;
    let deadline = if target <= 24 * 60 { tr("deadline_today") } else { trf("deadline_hours", &[("n", &(target / 60).to_string())]) };
    let channel = settings.own_contacts().first().map_or_else(|| tr("private_channel"), |c| c.to_string());
    let age = a.date.as_deref().and_then(cases::parse_iso).map(|t| ((js_sys::Date::now() - t) / 60_000.0).max(0.0) as u32).map(age_words).unwrap_or_default();
    let fill = |t: &str| t.replace("{category_label}", &category).replace("{deadline}", &deadline).replace("{channel}", &channel).replace("{age}", &age);
    (fill(&title), fill(&detail))
}

/// "3 days", "5 hours", "40 minutes" in the interface language (as `plan::age_words`).
fn age_words(minutes: u32) -> String {
    let (key, n) = match minutes {
        // "many" is the Romanian plural of 20 and more ("20 de zile"); the same as
        // "age_days" in the other languages.
        m if m >= 2 * 24 * 60 => match m / (24 * 60) {
            n if n % 100 >= 20 || (n >= 100 && n % 100 == 0) => ("age_days_many", n),
            n => ("age_days", n),
        },
        m if m >= 24 * 60 => ("age_day", 1),
        m if m >= 120 => ("age_hours", m / 60),
        m if m >= 60 => ("age_hour", 1),
        1 => ("age_minute", 1),
        m => ("age_minutes", m),
    };
    trf(key, &[("n", &n.to_string())])
}

/// "0.45", "+0.30", "-1.00": two decimals by integer arithmetic (float formatting would
/// pull about 15 KB of code into the wasm for four numbers).
fn two_places(x: f32, signed: bool) -> String {
    let hundredths = (x * 100.0).round() as i32;
    let sign = if hundredths < 0 { "-" } else if signed { "+" } else { "" };
    let h = hundredths.unsigned_abs();
    format!("{sign}{}.{:02}", h / 100, h % 100)
}

/// A category's name in the interface language.
fn label_of(id: &str) -> String {
    tr(&format!("cat_{id}"))
}

fn row(dl: &Element, term: &str, value: &str, class: &str) -> Res<()> {
    let r = el("div", "row")?;
    add(&r, text("dt", "", term))?;
    add(&r, text("dd", class, value))?;
    dl.append_child(&r)?;
    Ok(())
}

/// "What it is / what to do / what to say" for one complaint. Returns the element and the
/// listeners that must live as long as it.
pub(super) fn render_analysis(a: &ComplaintAnalysis, settings: &Settings, on_insert: Option<Rc<dyn Fn(String)>>) -> Res<(Element, Vec<EventListener>)> {
    let mut listeners = Vec::new();
    let root = el("div", "analysis")?;

    let quote = text("blockquote", "complaint-text", &a.text)?;
    if let Some(t) = &a.title {
        let title = text("strong", "complaint-title", t)?;
        root.append_child(&title)?;
    }
    root.append_child(&quote)?;

    // What it is
    let what = el("section", "what-it-is")?;
    what.set_attribute("aria-labelledby", "h-what")?;
    let h = text("h2", "", &tr("what_it_is"))?;
    h.set_id("h-what");
    what.append_child(&h)?;
    let dl = el("dl", "facts")?;
    row(&dl, &tr("f_language"), &a.language, "")?;
    row(&dl, &tr("f_complaint"), &format!("{} ({}%)", tr(if a.is_complaint { "yes" } else { "no" }), (a.complaint_score * 100.0).round() as i32), "")?;
    row(&dl, &tr("f_category"), &label_of(&a.category), "category")?;
    row(&dl, &tr("f_severity"), &format!("{} ({})", tr(&format!("sev_{}", a.severity)), two_places(a.severity_score, false)), &format!("sev sev-{}", a.severity))?;
    row(&dl, &tr("f_urgency"), &tr(&format!("sev_{}", a.urgency)), "")?;
    row(&dl, &tr("f_sentiment"), &two_places(a.sentiment, true), "")?;
    row(&dl, &tr("f_wants"), &if a.intents.is_empty() { "—".into() } else { a.intents.iter().map(|i| tr(&format!("intent_{i}"))).collect::<Vec<_>>().join(", ") }, "")?;
    row(&dl, &tr("f_bad_faith"), &tr(if a.bad_faith { "yes" } else { "no" }), "")?;
    what.append_child(&dl)?;
    if !a.evidence.is_empty() {
        add(&what, text("h3", "", &tr("why")))?;
        let ul = el("ul", "evidence")?;
        for e in &a.evidence {
            let li = el("li", "")?;
            add(&li, text("mark", "", &e.phrase))?;
            add(&li, text("span", "signal", &e.signal))?;
            ul.append_child(&li)?;
        }
        what.append_child(&ul)?;
    }
    root.append_child(&what)?;

    // What to do
    let todo = el("section", "what-to-do")?;
    add(&todo, text("h2", "", &tr("what_to_do")))?;
    if a.steps.is_empty() {
        add(&todo, text("p", "muted", &tr("no_plan")))?;
    } else {
        let ol = el("ol", "steps")?;
        for (i, s) in a.steps.iter().enumerate() {
            let li = el("li", &format!("step stage-{}", s.stage))?;
            let label = el("label", "")?;
            let cb = el("input", "")?;
            cb.set_attribute("type", "checkbox")?;
            cb.set_id(&format!("step-{i}"));
            cb.set_attribute("data-step", &s.id)?;
            label.append_child(&cb)?;
            let (title, detail) = step_texts(s, a, settings);
            add(&label, text("span", "step-title", &title))?;
            li.append_child(&label)?;
            add(&li, text("p", "step-detail", &detail))?;
            add(&li, text("p", "sources", &trf("sources_line", &[("stage", &tr(&format!("stage_{}", s.stage))), ("seeds", &s.sources.join(", "))])))?;
            ol.append_child(&li)?;
        }
        todo.append_child(&ol)?;
    }
    root.append_child(&todo)?;

    // What to say
    let say = el("section", "what-to-say")?;
    add(&say, text("h2", "", &tr("what_to_say")))?;
    if a.draft.kind == "policy" {
        // Bad faith, complaint or not: the draft states the policy instead of apologising.
        add(&say, text("p", "muted not-complaint", &tr("policy_note")))?;
    } else if !a.is_complaint {
        // What the draft below is: a thank-you, an answer, or (in doubt) a complaint's reply.
        let note = match a.draft.kind.as_str() {
            "thanks" => "thanks_note",
            "question" => "question_note",
            _ => "not_complaint_note",
        };
        add(&say, text("p", "muted not-complaint", &tr(note)))?;
    }
    // Tone and register: the same case drafted again with other wording.
    let controls = el("div", "draft-controls")?;
    let tone_sel = labelled_select(&controls, &tr("tone"), "tone", &[("warm", &tr("tone_warm")), ("formal", &tr("tone_formal")), ("brief", &tr("tone_brief"))], &a.draft.tone)?;
    let reg_sel = labelled_select(&controls, &tr("register"), "register", &[("informal", &tr("register_informal")), ("formal", &tr("register_formal"))], &a.draft.register)?;
    say.append_child(&controls)?;
    let ta: HtmlTextAreaElement = el("textarea", "draft")?.dyn_into()?;
    ta.set_value(&a.draft.text);
    ta.set_attribute("aria-label", &tr("public_draft"))?;
    ta.set_attribute("lang", &a.draft.language)?;
    ta.set_rows(8);
    say.append_child(&ta)?;
    let meta = text("p", "draft-meta", &meta_text(&a.draft.language, a.draft.chars, a.draft.limit, &a.draft.platform))?;
    say.append_child(&meta)?;
    // The draft check, on our draft and again on every edit.
    let checks = el("ul", "checks")?;
    checks.set_attribute("aria-live", "polite")?;
    checks.set_attribute("aria-label", &tr("draft_check"))?;
    show_checks(&checks, &a.draft.checks)?;
    say.append_child(&checks)?;
    {
        let (ta2, checks, meta) = (ta.clone(), checks.clone(), meta.clone());
        let (lang, complaint_lang, platform) = (a.draft.language.clone(), a.language.clone(), a.draft.platform.clone());
        let thanks = a.draft.kind != "complaint";
        let settings = settings.clone();
        listeners.push(EventListener::new(&ta, "input", move |_| {
            let Ok(e) = engine::engine() else { return };
            let req = engine::CheckRequest { language: Some(&lang), complaint_language: Some(&complaint_lang), platform: &platform, public: true, thanks, settings: &settings };
            let report = e.check_text(&ta2.value(), &req);
            let _ = show_checks(&checks, &report.warnings);
            meta.set_text_content(Some(&meta_text(&lang, report.chars, report.limit, &platform)));
        }));
    }
    let actions = el("div", "actions")?;
    let copy = button(&tr("copy"), "copy")?;
    actions.append_child(&copy)?;
    {
        let ta = ta.clone();
        let copy_el = copy.clone();
        listeners.push(EventListener::new(&copy, "click", move |_| {
            copy_text(&ta.value(), &copy_el);
        }));
    }
    if let Some(insert) = on_insert {
        let ins = button(&tr("insert"), "insert primary")?;
        actions.append_child(&ins)?;
        let ta = ta.clone();
        listeners.push(EventListener::new(&ins, "click", move |_| insert(ta.value())));
    }
    say.append_child(&actions)?;
    // The case's other messages, one per later stage of seed 000.
    let mut stage_areas: Vec<(&'static str, HtmlTextAreaElement)> = Vec::new();
    for (title, class, body, rows) in [
        (tr("private_message"), "private", &a.draft.private, 5),
        (tr("resolution_message"), "resolution", &a.draft.resolution, 4),
        (tr("closing_message"), "closing", &a.draft.closing, 5),
    ] {
        if body.is_empty() {
            continue;
        }
        let d = el("details", &format!("stage-message {class}"))?;
        if class == "private" {
            d.set_attribute("open", "")?;
        }
        add(&d, text("summary", "", &title))?;
        let t: HtmlTextAreaElement = el("textarea", class)?.dyn_into()?;
        t.set_value(body);
        t.set_attribute("aria-label", &title)?;
        t.set_attribute("lang", &a.draft.language)?;
        t.set_rows(rows);
        d.append_child(&t)?;
        stage_areas.push((class, t.clone()));
        let b = button(&tr(&format!("copy_{class}")), "copy")?;
        b.set_attribute("data-kind", class)?;
        let b2 = b.clone();
        listeners.push(EventListener::new(&b, "click", move |_| copy_text(&t.value(), &b2)));
        d.append_child(&b)?;
        say.append_child(&d)?;
    }
    // Redraft on a tone or register change: the item is rebuilt from the analysis.
    let item = crate::engine::SnapshotItem {
        id: a.id.clone(),
        text: a.text.clone(),
        title: a.title.clone(),
        author: a.author.clone(),
        rating: a.rating,
        rating_max: a.rating.map(|_| 5.0),
        date: a.date.clone(),
        platform: Some(a.draft.platform.clone()),
        // The language already read (or, for "und", drafted in) stays put on a redraft.
        page_lang: Some(if a.language == "und" { a.draft.language.clone() } else { a.language.clone() }),
        ..Default::default()
    };
    for sel in [&tone_sel, &reg_sel] {
        let (tone_sel, reg_sel, ta, checks_el, meta, item, settings, stage_areas) =
            (tone_sel.clone(), reg_sel.clone(), ta.clone(), checks.clone(), meta.clone(), item.clone(), settings.clone(), stage_areas.clone());
        let lang = a.draft.language.clone();
        listeners.push(EventListener::new(sel, "change", move |_| {
            let Ok(e) = engine::engine() else { return };
            let mut s = settings.clone();
            s.tone = tone_sel.value();
            s.registers.insert(lang.clone(), reg_sel.value());
            let b = e.analyze_item(&item, &s);
            ta.set_value(&b.draft.text);
            for (class, t) in &stage_areas {
                t.set_value(match *class {
                    "private" => &b.draft.private,
                    "resolution" => &b.draft.resolution,
                    _ => &b.draft.closing,
                });
            }
            let _ = show_checks(&checks_el, &b.draft.checks);
            let d = &b.draft;
            meta.set_text_content(Some(&meta_text(&d.language, d.chars, d.limit, &d.platform)));
        }));
    }
    root.append_child(&say)?;
    Ok((root, listeners))
}

/// "pt · 212 / 280 (x)": the draft's language, length and the platform's limit.
fn meta_text(lang: &str, chars: usize, limit: usize, platform: &str) -> String {
    let (chars, limit) = (chars.to_string(), limit.to_string());
    let args = [("lang", lang), ("chars", chars.as_str()), ("limit", limit.as_str()), ("platform", platform)];
    trf(if limit != "0" { "meta_limit" } else { "meta_nolimit" }, &args)
}

/// A `<label>` with a `<select>` of (value, text) options, appended to `parent`.
fn labelled_select(parent: &Element, label: &str, class: &str, options: &[(&str, &str)], selected: &str) -> Res<HtmlSelectElement> {
    let l = el("label", &format!("control {class}"))?;
    add(&l, text("span", "", label))?;
    let sel: HtmlSelectElement = el("select", class)?.dyn_into()?;
    for (value, shown) in options {
        let o = text("option", "", shown)?;
        o.set_attribute("value", value)?;
        sel.append_child(&o)?;
    }
    sel.set_value(selected);
    l.append_child(&sel)?;
    parent.append_child(&l)?;
    Ok(sel)
}

/// Lists the draft check's warnings (or that there are none).
fn show_checks(list: &Element, warnings: &[engine::check::Warning]) -> Res<()> {
    list.set_text_content(None);
    if warnings.is_empty() {
        add(list, text("li", "check-ok", &tr("check_ok")))?;
    }
    for w in warnings {
        let li = el("li", &format!("check check-{}", w.id))?;
        add(&li, text("span", "check-message", &tr(&format!("check_{}", w.id))))?;
        if let Some(p) = &w.phrase {
            add(&li, text("q", "check-phrase", p))?;
        }
        list.append_child(&li)?;
    }
    Ok(())
}

fn copy_text(t: &str, button: &Element) {
    let Some(w) = web_sys::window() else { return };
    let promise = w.navigator().clipboard().write_text(t);
    let ok = button.clone();
    let bad = button.clone();
    let on_ok = Closure::<dyn FnMut(JsValue)>::new(move |_: JsValue| ok.set_text_content(Some(&tr("copied"))));
    let on_err =
        Closure::<dyn FnMut(JsValue)>::new(move |_: JsValue| bad.set_text_content(Some(&tr("copy_blocked"))));
    let _ = promise.then2(&on_ok, &on_err);
    // The promise settles once; the two small closures are left to it.
    on_ok.forget();
    on_err.forget();
}

// ------------------------------------------------------------------------- sidebar

/// The list shows the most pressing complaints first; past this many, the rest are counted
/// but not drawn, so a page with thousands of comments keeps the sidebar quick.
const LIST_MAX: usize = 200;
/// Analysis runs in slices of about this many milliseconds, so a long page never freezes
/// the sidebar; the status line shows the progress in between.
const SLICE_MS: f64 = 25.0;

struct SidebarState {
    root: Element,
    token: String,
    settings: Settings,
    report: Option<PageReport>,
    /// Items received but not analysed yet (analysed a slice at a time).
    backlog: std::collections::VecDeque<engine::SnapshotItem>,
    /// A slice is scheduled.
    working: bool,
    /// Indexes into `report.complaints`: complaints first, most severe and urgent first.
    order: Vec<usize>,
    selected: usize,
    /// The agent has picked an item or otherwise used the sidebar: the open item stays put.
    /// Until then it follows the top of the list, so the first analysed item (often no
    /// complaint) does not stay open while the page's complaints arrive above it.
    picked: bool,
    /// The list's listeners; the open complaint's are kept apart, so a list update
    /// leaves the draft being edited alone.
    list_listeners: Vec<EventListener>,
    detail_listeners: Vec<EventListener>,
    shell_listeners: Vec<EventListener>,
    /// The open complaint's case, once read from storage or created by the agent's first
    /// action on it; and its storage key.
    case: Option<Case>,
    case_key: String,
}

pub struct Sidebar;

impl Sidebar {
    pub fn mount(root: Element, token: String, settings: Settings) -> Res<()> {
        let state = Rc::new(RefCell::new(SidebarState {
            root,
            token,
            settings,
            report: None,
            backlog: Default::default(),
            working: false,
            order: vec![],
            selected: 0,
            picked: false,
            list_listeners: vec![],
            detail_listeners: vec![],
            shell_listeners: vec![],
            case: None,
            case_key: String::new(),
        }));
        render_sidebar(&state)?;
        // Another tab (or the case list) changed the open case: take its edits in, and put
        // ours back if that write lacked them.
        let st = state.clone();
        store::on_changed(move |key, value| {
            if key != st.borrow().case_key || value.is_undefined() {
                return;
            }
            let mine = st.borrow().case.clone();
            sync(&st, &key, Some(value), mine);
        });
        let window = gloo_utils::window();
        let st = state.clone();
        let listener = EventListener::new(&window, "message", move |ev| {
            let Some(ev) = ev.dyn_ref::<MessageEvent>() else { return };
            if let Err(e) = on_message(&st, ev) {
                status(&st, &trf("error_read", &[("error", &e.as_string().unwrap_or_else(|| format!("{e:?}")))]));
            }
        });
        listener.forget(); // lives as long as the sidebar page
        let st = state.clone();
        EventListener::new_with_options(&gloo_utils::document(), "keydown", EventListenerOptions::enable_prevent_default(), move |ev| {
            let Some(k) = ev.dyn_ref::<web_sys::KeyboardEvent>() else { return };
            if let Some(action) = shortcut_of(k) {
                k.prevent_default();
                shortcut(&st, action);
            }
        })
        .forget();
        post_to_parent(&[("type", "ready".into())]);
        Ok(())
    }
}

/// The sidebar's keys (`keys_help` lists them): Alt+I insert, Alt+C copy, Alt+N next
/// stage, Alt+↓/↑ next/previous complaint, Escape close. Letters by physical key (`code`),
/// since Alt changes the character on some layouts.
fn shortcut_of(k: &web_sys::KeyboardEvent) -> Option<&'static str> {
    if k.ctrl_key() || k.meta_key() {
        return None;
    }
    if k.alt_key() {
        return match k.code().as_str() {
            "KeyI" => Some("insert"),
            "KeyC" => Some("copy"),
            "KeyN" => Some("next-stage"),
            "ArrowDown" => Some("next"),
            "ArrowUp" => Some("previous"),
            _ => None,
        };
    }
    (k.key() == "Escape").then_some("close")
}

/// Runs a keyboard action; also reached from the page's own shortcuts (the extension's
/// commands, relayed by the content script).
fn shortcut(state: &Rc<RefCell<SidebarState>>, action: &str) {
    let click = |sel: &str| {
        // The borrow must end before the click: the button's handler edits the state.
        let found = state.borrow().root.query_selector(sel);
        if let Ok(Some(b)) = found {
            if let Some(b) = b.dyn_ref::<web_sys::HtmlElement>() {
                b.click();
            }
        }
    };
    match action {
        "insert" => click(".what-to-say .actions button.insert"),
        "copy" => click(".what-to-say .actions button.copy"),
        "next-stage" => click("button.next-stage"),
        "close" => post_to_parent(&[("type", "close".into())]),
        "next" | "previous" => {
            let (pos, n) = {
                let s = state.borrow();
                (s.selected, s.order.len())
            };
            if action == "next" && pos + 1 < n {
                select(state, pos + 1);
            } else if action == "previous" && pos > 0 {
                select(state, pos - 1);
            }
        }
        _ => {}
    }
}

fn post_to_parent(fields: &[(&str, JsValue)]) {
    let Some(w) = web_sys::window() else { return };
    let Ok(Some(parent)) = w.parent() else { return };
    let msg = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&msg, &"source".into(), &"calmly-sidebar".into());
    for (k, v) in fields {
        let _ = js_sys::Reflect::set(&msg, &(*k).into(), v);
    }
    // No secret goes to the page: only "ready", "insert" (text the page gets anyway) and
    // "scroll"/"close". The content script checks that the message comes from its frame.
    let _ = parent.post_message(&msg, "*");
}

fn on_message(state: &Rc<RefCell<SidebarState>>, ev: &MessageEvent) -> Res<()> {
    let data = ev.data();
    let get = |k: &str| js_sys::Reflect::get(&data, &k.into()).ok().and_then(|v| v.as_string());
    if get("source").as_deref() != Some("calmly-content") || get("token").as_deref() != Some(state.borrow().token.as_str()) {
        return Ok(()); // not from our content script: ignore
    }
    match get("type").as_deref() {
        Some("snapshot") => {
            // A fresh page: an empty report with the page's facts, then its items by slices.
            let snap = js_sys::Reflect::get(&data, &"snapshot".into())?;
            let mut snapshot: PageSnapshot = serde_wasm_bindgen::from_value(snap).map_err(|e| JsValue::from_str(&e.to_string()))?;
            let items = std::mem::take(&mut snapshot.items);
            let report = engine::analyze_page(&snapshot, &state.borrow().settings).map_err(|e| JsValue::from_str(&e.0))?;
            {
                let mut s = state.borrow_mut();
                s.report = Some(report);
                s.order.clear();
                s.selected = 0;
                s.picked = false;
                s.backlog = items.into();
            }
            analyse_slice(state);
            Ok(())
        }
        Some("items") => {
            // More comments arrived on a live page: queue them; the open complaint stays.
            let items = js_sys::Reflect::get(&data, &"items".into())?;
            let items: Vec<engine::SnapshotItem> = serde_wasm_bindgen::from_value(items).map_err(|e| JsValue::from_str(&e.to_string()))?;
            let idle = {
                let mut s = state.borrow_mut();
                if s.report.is_none() {
                    return Ok(());
                }
                s.backlog.extend(items);
                !s.working
            };
            if idle {
                analyse_slice(state);
            }
            Ok(())
        }
        Some("key") => {
            if let Some(action) = get("action") {
                shortcut(state, &action);
            }
            Ok(())
        }
        Some("collapsed") => {
            // The content script restored this tab's remembered state.
            let on = js_sys::Reflect::get(&data, &"collapsed".into()).ok().and_then(|v| v.as_bool()).unwrap_or(false);
            set_collapsed(state, on);
            Ok(())
        }
        Some("insert-result") => {
            let msg = get("message").unwrap_or_default();
            status(state, &msg);
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Analyses queued items for about SLICE_MS, merges them into the report, redraws the list
/// (and, the first time, the open complaint), and schedules the next slice if any remain.
fn analyse_slice(state: &Rc<RefCell<SidebarState>>) {
    let start = js_sys::Date::now();
    let first = state.borrow().order.is_empty();
    let (page, settings) = {
        let s = state.borrow();
        let Some(r) = &s.report else { return };
        (PageSnapshot { url: r.page.url.clone(), title: r.page.title.clone(), site: r.page.site.clone(), kind: r.page.kind.clone(), lang: r.page.lang.clone(), items: vec![] }, s.settings.clone())
    };
    // Analyse CHUNK items at a time until the slice's time is spent (at least one chunk),
    // so a backlog of thousands never becomes one long task.
    const CHUNK: usize = 8;
    let (mut items, mut complaints, mut found) = (0, 0, Vec::new());
    loop {
        let batch: Vec<_> = {
            let mut s = state.borrow_mut();
            std::iter::from_fn(|| s.backlog.pop_front()).take(CHUNK).collect()
        };
        if batch.is_empty() {
            break;
        }
        match engine::analyze_page(&PageSnapshot { items: batch, ..page.clone() }, &settings) {
            Ok(r) => {
                items += r.page.items;
                complaints += r.page.complaints;
                found.extend(r.complaints);
            }
            Err(e) => {
                status(state, &trf("error_analyse", &[("error", &e.0)]));
                return;
            }
        }
        if js_sys::Date::now() - start > SLICE_MS {
            break;
        }
    }
    let more = !state.borrow().backlog.is_empty();
    let reopen;
    {
        let mut s = state.borrow_mut();
        let open = s.order.get(s.selected).copied();
        let picked = s.picked;
        let Some(r) = s.report.as_mut() else { return };
        r.page.items += items;
        r.page.complaints += complaints;
        r.complaints.extend(found);
        let order = order_of(&r.complaints);
        let top = order.first().copied();
        let follow = !picked && top != open && top.is_some_and(|t| r.complaints[t].is_complaint) && open.is_none_or(|i| !r.complaints[i].is_complaint);
        s.selected = if follow { 0 } else { open.and_then(|i| order.iter().position(|&j| j == i)).unwrap_or(0) };
        s.order = order;
        s.working = more;
        reopen = follow && !first;
    }
    let drawn = if first { render_sidebar(state) } else { render_list(state).and_then(|_| if reopen { render_detail(state) } else { Ok(()) }) };
    if let Err(e) = drawn {
        status(state, &trf("error_show", &[("error", &format!("{e:?}"))]));
    }
    if more {
        let st = state.clone();
        gloo_timers::callback::Timeout::new(0, move || analyse_slice(&st)).forget();
    }
}

/// The list order: complaints first, then by severity, urgency and severity score, highest
/// first; ties keep page order.
fn order_of(complaints: &[ComplaintAnalysis]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..complaints.len()).collect();
    order.sort_by_key(|&i| {
        let c = &complaints[i];
        (
            !c.is_complaint,
            std::cmp::Reverse(severity_rank(&c.severity)),
            std::cmp::Reverse(severity_rank(&c.urgency)),
            std::cmp::Reverse((c.severity_score * 1000.0) as i32),
        )
    });
    order
}

/// Folds the sidebar to a strip with its expand button (the content script narrows the
/// frame) or unfolds it.
fn set_collapsed(state: &Rc<RefCell<SidebarState>>, on: bool) {
    let s = state.borrow();
    let _ = if on { s.root.class_list().add_1("collapsed") } else { s.root.class_list().remove_1("collapsed") };
    if let Ok(Some(b)) = s.root.query_selector("button.collapse") {
        let _ = b.set_attribute("aria-expanded", if on { "false" } else { "true" });
        let _ = b.set_attribute("aria-label", &tr(if on { "expand" } else { "collapse" }));
        b.set_text_content(Some(if on { "⇤" } else { "⇥" }));
    }
}

fn status(state: &Rc<RefCell<SidebarState>>, msg: &str) {
    if let Ok(Some(e)) = state.borrow().root.query_selector(".status") {
        e.set_text_content(Some(msg));
    }
}

fn status_text(s: &SidebarState) -> String {
    let Some(r) = &s.report else { return tr("reading") };
    let waiting = s.backlog.len();
    if r.complaints.is_empty() && waiting == 0 {
        return tr(if r.page.kind == "listing" { "listing_page" } else { "nothing_found" });
    }
    let (c, i) = (r.page.complaints.to_string(), r.page.items.to_string());
    let mut t = trf(if r.page.items == 1 { "status_one" } else { "status_many" }, &[("complaints", &c), ("items", &i)]);
    if waiting > 0 {
        t.push(' ');
        t.push_str(&trf("analysing_more", &[("n", &waiting.to_string())]));
    }
    t
}

/// The whole sidebar: header, status, list and the open complaint.
fn render_sidebar(state: &Rc<RefCell<SidebarState>>) -> Res<()> {
    let (root, frag, listeners) = {
        let s = state.borrow();
        let mut listeners = Vec::new();
        let frag = el("div", "sidebar")?;
        let header = el("header", "")?;
        add(&header, text("h1", "", "Calmly"))?;
        let close = button("×", "close")?;
        close.set_attribute("aria-label", &tr("close"))?;
        listeners.push(EventListener::new(&close, "click", |_| post_to_parent(&[("type", "close".into())])));
        let fold = button("⇥", "collapse")?;
        fold.set_attribute("aria-label", &tr("collapse"))?;
        fold.set_attribute("aria-expanded", "true")?;
        let st = state.clone();
        listeners.push(EventListener::new(&fold, "click", move |_| {
            let on = !st.borrow().root.class_list().contains("collapsed");
            set_collapsed(&st, on);
            post_to_parent(&[("type", "collapse".into()), ("collapsed", on.into())]);
        }));
        let tools = el("div", "header-tools")?;
        tools.append_child(&fold)?;
        tools.append_child(&close)?;
        header.append_child(&tools)?;
        frag.append_child(&header)?;
        let status_el = text("p", "status", &status_text(&s))?;
        status_el.set_attribute("role", "status")?;
        frag.append_child(&status_el)?;
        add(&frag, text("p", "keys", &tr("keys_help")))?;
        add(&frag, el("div", "list-holder"))?;
        add(&frag, el("div", "detail-holder"))?;
        // Any use of the sidebar (a click, a key, typing in the draft) keeps the open item.
        for kind in ["pointerdown", "keydown"] {
            let st = state.clone();
            listeners.push(EventListener::new(&frag, kind, move |_| st.borrow_mut().picked = true));
        }
        (s.root.clone(), frag, listeners)
    };
    root.set_text_content(None);
    root.append_child(&frag)?;
    state.borrow_mut().shell_listeners = listeners;
    render_list(state)?;
    render_detail(state)?;
    if root.class_list().contains("collapsed") {
        set_collapsed(state, true); // the rebuilt header shows the expand button
    }
    let ready = state.borrow().report.is_some();
    root.set_attribute("data-state", if ready { "ready" } else { "waiting" })?;
    Ok(())
}

/// The list of items (and the status line); the open complaint's panel is left as it is.
fn render_list(state: &Rc<RefCell<SidebarState>>) -> Res<()> {
    let (holder, listeners) = {
        let s = state.borrow();
        let Some(holder) = s.root.query_selector(".list-holder")? else { return Ok(()) };
        if let Some(st) = s.root.query_selector(".status")? {
            st.set_text_content(Some(&status_text(&s)));
        }
        holder.set_text_content(None);
        let mut listeners = Vec::new();
        let Some(r) = &s.report else { return Ok(()) };
        if r.complaints.is_empty() {
            return Ok(());
        }
        let list = el("ul", "items")?;
        list.set_attribute("role", "listbox")?;
        list.set_attribute("aria-label", &tr("list_label"))?;
        let n = s.order.len();
        // The first LIST_MAX rows, and the open one below them if more pressing complaints
        // arrived above it: never every row down to it.
        let extra = (LIST_MAX..n).contains(&s.selected).then_some(s.selected);
        let drawn = n.min(LIST_MAX) + usize::from(extra.is_some());
        for pos in (0..n.min(LIST_MAX)).chain(extra) {
            let c = &r.complaints[s.order[pos]];
            let li = el("li", if pos == s.selected { "item selected" } else { "item" })?;
            li.set_attribute("role", "option")?;
            li.set_attribute("tabindex", if pos == s.selected { "0" } else { "-1" })?;
            li.set_attribute("aria-selected", if pos == s.selected { "true" } else { "false" })?;
            add(&li, text("span", &format!("sev sev-{}", if c.is_complaint { c.severity.as_str() } else { "none" }), &tr(&format!("sev_{}", if c.is_complaint { c.severity.as_str() } else { "ok" }))))?;
            let snippet: String = c.text.chars().take(90).collect();
            let snippet = text("span", "snippet", &snippet)?;
            // Read aloud in its own language (screen readers), not the interface's.
            if c.language != "und" {
                snippet.set_attribute("lang", &c.language)?;
            }
            li.append_child(&snippet)?;
            let st = state.clone();
            listeners.push(EventListener::new(&li, "click", move |_| select(&st, pos)));
            let st = state.clone();
            // Not passive: the arrows move the selection, not the sidebar's scroll.
            listeners.push(EventListener::new_with_options(&li, "keydown", EventListenerOptions::enable_prevent_default(), move |ev| {
                let Some(k) = ev.dyn_ref::<web_sys::KeyboardEvent>() else { return };
                if k.alt_key() {
                    return; // Alt+arrows: the sidebar-wide keys
                }
                match k.key().as_str() {
                    "ArrowDown" if pos + 1 < n => {
                        k.prevent_default();
                        select(&st, pos + 1)
                    }
                    "ArrowUp" if pos > 0 => {
                        k.prevent_default();
                        select(&st, pos - 1)
                    }
                    _ => {}
                }
            }));
            list.append_child(&li)?;
        }
        holder.append_child(&list)?;
        if n > drawn {
            add(&holder, text("p", "muted more", &trf("more_not_listed", &[("n", &(n - drawn).to_string())])))?;
        }
        (holder, listeners)
    };
    let _ = holder;
    state.borrow_mut().list_listeners = listeners;
    Ok(())
}

/// The open complaint: what it is, what to do, what to say.
fn render_detail(state: &Rc<RefCell<SidebarState>>) -> Res<()> {
    let listeners = {
        let s = state.borrow();
        let Some(holder) = s.root.query_selector(".detail-holder")? else { return Ok(()) };
        holder.set_text_content(None);
        let Some(r) = &s.report else { return Ok(()) };
        let Some(&i) = s.order.get(s.selected) else { return Ok(()) };
        let c = &r.complaints[i];
        let id = c.id.clone();
        let insert: Rc<dyn Fn(String)> = Rc::new(move |t: String| post_to_parent(&[("type", "insert".into()), ("id", id.as_str().into()), ("text", t.into())]));
        let (detail, mut l) = render_analysis(c, &s.settings, Some(insert))?;
        holder.append_child(&detail)?;
        l.extend(case_section(state, &detail)?);
        l
    };
    state.borrow_mut().detail_listeners = listeners;
    open_case(state);
    Ok(())
}

// ------------------------------------------------------------------------- cases

/// The case box at the top of "what to do" (stage, response clock, next stage, notes), and
/// the hooks that turn the agent's work on a complaint into its case: ticking a step, using
/// a draft (Insert or Copy), moving the stage, writing a note.
fn case_section(state: &Rc<RefCell<SidebarState>>, detail: &Element) -> Res<Vec<EventListener>> {
    let mut listeners = Vec::new();
    let section = el("section", "case")?;
    section.set_attribute("aria-label", &tr("case"))?;
    let line = el("p", "case-line")?;
    add(&line, text("span", "case-stage", ""))?;
    add(&line, text("span", "case-clock", ""))?;
    section.append_child(&line)?;
    let next = button(&tr("next_stage"), "next-stage")?;
    let st = state.clone();
    listeners.push(EventListener::new(&next, "click", move |_| act(&st, cases::Action::Advance)));
    section.append_child(&next)?;
    let notes: HtmlTextAreaElement = el("textarea", "case-notes")?.dyn_into()?;
    notes.set_attribute("aria-label", &tr("notes"))?;
    // No more than a case keeps (code units ≥ characters): nothing typed is cut when stored.
    notes.set_attribute("maxlength", &cases::NOTES_CHARS.to_string())?;
    notes.set_placeholder(&tr("notes"));
    notes.set_rows(2);
    let st = state.clone();
    let n2 = notes.clone();
    // On change (leaving the box), not per keystroke: one stored edit per note.
    listeners.push(EventListener::new(&notes, "change", move |_| act(&st, cases::Action::Notes { text: n2.value() })));
    section.append_child(&notes)?;
    // What loading the stored case had to repair, and a write that failed.
    for (class, role) in [("case-warning", "status"), ("case-error", "alert")] {
        let p = el("p", class)?;
        p.set_attribute("role", role)?;
        p.set_attribute("hidden", "")?;
        section.append_child(&p)?;
    }
    if let Ok(url) = runtime_url("cases.html") {
        let a = text("a", "case-list-link", &tr("case_list"))?;
        a.set_attribute("href", &url)?;
        a.set_attribute("target", "_blank")?;
        section.append_child(&a)?;
    }
    if let Some(todo) = detail.query_selector(".what-to-do")? {
        let first = todo.query_selector("h2")?.and_then(|h| h.next_sibling());
        todo.insert_before(&section, first.as_ref())?;
    }
    for cb in node_list(&detail.query_selector_all(".steps input[data-step]")?) {
        let st = state.clone();
        let id = cb.get_attribute("data-step").unwrap_or_default();
        listeners.push(EventListener::new(&cb, "change", move |_| act(&st, cases::Action::Step { id: id.clone() })));
    }
    // Draft uses: the public reply's Insert and Copy, the stage messages' Copy buttons, each
    // with the length of the text as it is when used (after any redraft or edit).
    let length_of = |area: Option<Element>| move || area.as_ref().and_then(|a| a.dyn_ref::<HtmlTextAreaElement>()).map_or(0, |t| t.value().chars().count() as u32);
    for sel in [".what-to-say .actions button.insert", ".what-to-say .actions button.copy"] {
        if let Some(b) = detail.query_selector(sel)? {
            let st = state.clone();
            let len = length_of(detail.query_selector("textarea.draft")?);
            listeners.push(EventListener::new(&b, "click", move |_| act(&st, cases::Action::Draft { kind: "public".into(), chars: len() })));
        }
    }
    for b in node_list(&detail.query_selector_all("button[data-kind]")?) {
        let kind = b.get_attribute("data-kind").unwrap_or_default();
        let st = state.clone();
        let len = length_of(detail.query_selector(&format!("textarea.{kind}"))?);
        listeners.push(EventListener::new(&b, "click", move |_| act(&st, cases::Action::Draft { kind: kind.clone(), chars: len() })));
    }
    Ok(listeners)
}

fn node_list(list: &web_sys::NodeList) -> Vec<Element> {
    (0..list.length()).filter_map(|i| list.item(i)).filter_map(|n| n.dyn_into::<Element>().ok()).collect()
}

/// An extension page's URL (`chrome.runtime.getURL`), where there is an extension.
fn runtime_url(path: &str) -> Res<String> {
    let chrome = js_sys::Reflect::get(&js_sys::global(), &"chrome".into())?;
    let runtime = js_sys::Reflect::get(&chrome, &"runtime".into())?;
    let f: js_sys::Function = js_sys::Reflect::get(&runtime, &"getURL".into())?.dyn_into()?;
    f.call1(&runtime, &path.into())?.as_string().ok_or_else(|| JsValue::from_str("no extension"))
}

/// What a case is made of, from the open complaint.
fn new_case_input(s: &SidebarState) -> Option<cases::NewCase> {
    let r = s.report.as_ref()?;
    let c = &r.complaints[*s.order.get(s.selected)?];
    Some(cases::NewCase {
        url: r.page.url.clone().unwrap_or_default(),
        site: r.page.site.clone(),
        author: c.author.clone(),
        text: c.text.clone(),
        posted: c.date.clone(),
        age_minutes: None,
        language: Some(c.language.clone()),
        category: Some(c.category.clone()),
        severity: Some(c.severity.clone()),
    })
}

/// Reads the open complaint's case from storage (if the agent worked on it before).
fn open_case(state: &Rc<RefCell<SidebarState>>) {
    let key = {
        let mut s = state.borrow_mut();
        let Some(input) = new_case_input(&s) else { return };
        s.case = None;
        s.case_key = format!("{}{}", cases::KEY_PREFIX, cases::case_id(&input.url, input.author.as_deref(), &input.text));
        s.case_key.clone()
    };
    show_case(state);
    let st = state.clone();
    store::get(&key.clone(), move |value| {
        if st.borrow().case_key != key {
            return; // another complaint was opened meanwhile
        }
        let mine = st.borrow().case.clone();
        sync(&st, &key, value, mine);
    });
}

/// Applies an edit to the open case (creating it on the first edit), shows it and stores
/// it merged with whatever another tab stored meanwhile.
fn act(state: &Rc<RefCell<SidebarState>>, action: cases::Action) {
    let now = js_sys::Date::now();
    let (case, key) = {
        let s = state.borrow();
        let Some(base) = s.case.clone().or_else(|| new_case_input(&s).map(|i| cases::new_case(i, now))) else { return };
        let Ok(case) = cases::apply(&base, &action, now) else { return };
        (case, s.case_key.clone())
    };
    state.borrow_mut().case = Some(case.clone());
    show_case(state);
    let st = state.clone();
    store::get(&key.clone(), move |stored| {
        // The open case, with whatever another tab merged in meanwhile; or, when another
        // complaint was opened meanwhile, this edit's case.
        let open = st.borrow().case_key == key;
        let mine = if open { st.borrow().case.clone() } else { Some(case) };
        sync(&st, &key, stored, mine);
    });
}

/// Brings the stored entry of a case (`raw`, as read, or as another tab wrote it) together
/// with this tab's version (`mine`; the latest write per field wins, `cases::merge`), shows
/// the result, and writes it when storage lacks something: this tab's edits (also when a
/// tab that read before our write landed wrote over it), a repair or a migration. A
/// damaged or oversized entry goes to `backup:<key>:<ms>` in the same write as its
/// replacement, so it is never replaced without its copy: the write lands whole or not at
/// all. A failed write (a full quota) is said in the case box; the edits stay on screen and
/// in `mine`, for the next write. A case saved by a newer Calmly is never written.
fn sync(state: &Rc<RefCell<SidebarState>>, key: &str, raw: Option<JsValue>, mine: Option<Case>) {
    let json = raw.clone().and_then(|v| serde_wasm_bindgen::from_value::<serde_json::Value>(v).ok());
    let newer = json.as_ref().and_then(|v| v.get("schema")?.as_f64()).is_some_and(|n| n > f64::from(cases::CASE_SCHEMA));
    let mut entries = serde_json::Map::new();
    if let Some(v) = json {
        entries.insert(key.to_string(), v);
    }
    let mut loaded = cases::load_cases(&entries);
    let theirs = loaded.cases.pop().filter(|c| key.strip_prefix(cases::KEY_PREFIX) == Some(c.id.as_str()));
    // Anything stored that is not this case as it should be is kept before it is replaced.
    let backup = raw.is_some() && (!loaded.backups.is_empty() || theirs.is_none());
    let open = state.borrow().case_key == key;
    // (One entry gives one warning; `join` would cost the wasm a kilobyte.)
    if let (true, Some(w)) = (open, loaded.warnings.first()) {
        case_note(state, ".case-warning", Some(w.clone()));
    }
    let Some(merged) = (match (&theirs, mine) {
        (Some(t), Some(m)) => Some(cases::merge(t, &m)),
        (t, m) => m.or_else(|| t.clone()),
    }) else {
        return;
    };
    if !newer && merged.schema <= cases::CASE_SCHEMA && (backup || !loaded.rewrite.is_empty() || theirs.as_ref() != Some(&merged)) {
        let items = js_sys::Object::new();
        if let (true, Some(raw)) = (backup, &raw) {
            let _ = js_sys::Reflect::set(&items, &format!("backup:{key}:{}", js_sys::Date::now() as u64).into(), raw);
        }
        if let Ok(v) = serde::Serialize::serialize(&merged, &serde_wasm_bindgen::Serializer::json_compatible()) {
            let _ = js_sys::Reflect::set(&items, &key.into(), &v);
        }
        let (st, key) = (state.clone(), key.to_string());
        store::set(&items, move |error| {
            if st.borrow().case_key == key {
                case_note(&st, ".case-error", error.map(|e| trf("case_not_saved", &[("error", &e)])));
            }
        });
    }
    if open {
        state.borrow_mut().case = Some(merged);
        show_case(state);
    }
}

/// Shows (or, with None, hides) one of the case box's notes (`sel`: its class selector).
fn case_note(state: &Rc<RefCell<SidebarState>>, sel: &str, msg: Option<String>) {
    let found = state.borrow().root.query_selector(sel);
    if let Ok(Some(p)) = found {
        let _ = if msg.is_some() { p.remove_attribute("hidden") } else { p.set_attribute("hidden", "") };
        p.set_text_content(msg.as_deref());
    }
}

/// Puts the open case's state on screen: stage, clock, ticked steps, notes.
fn show_case(state: &Rc<RefCell<SidebarState>>) {
    let s = state.borrow();
    let Ok(Some(section)) = s.root.query_selector(".detail-holder section.case") else { return };
    let now = js_sys::Date::now();
    let target = if s.settings.response_target_minutes > 0 { s.settings.response_target_minutes } else { 60 };
    let (stage, clock) = match &s.case {
        Some(c) => (c.stage.clone(), Some(cases::clock(c, now, target))),
        None => ("reconnaissance".to_string(), None),
    };
    if let Ok(Some(e)) = section.query_selector(".case-stage") {
        e.set_text_content(Some(&format!("{}: {}", tr("stage"), tr(&format!("stage_{stage}")))));
    }
    if let Ok(Some(e)) = section.query_selector(".case-clock") {
        let t = clock.map(|k| {
            let (m, tg) = (k.minutes.to_string(), k.target.to_string());
            let since = tr(&format!("since_{}", k.since));
            let _ = e.class_list().toggle_with_force("overdue", k.overdue);
            trf(if k.overdue { "clock_overdue" } else { "clock" }, &[("minutes", &m), ("since", &since), ("target", &tg)])
        });
        e.set_text_content(Some(&t.map(|t| format!(" · {t}")).unwrap_or_default()));
    }
    if let Ok(Some(b)) = section.query_selector("button.next-stage") {
        let _ = if stage == "closed" { b.set_attribute("disabled", "") } else { b.remove_attribute("disabled") };
    }
    if let Ok(Some(n)) = section.query_selector("textarea.case-notes") {
        let active = gloo_utils::document().active_element().is_some_and(|a| a == n);
        if let (Some(c), Some(n), false) = (&s.case, n.dyn_ref::<HtmlTextAreaElement>(), active) {
            n.set_value(&c.notes); // never while the agent is typing in it
        }
    }
    if let Ok(Some(detail)) = s.root.query_selector(".detail-holder") {
        if let Ok(list) = detail.query_selector_all(".steps input[data-step]") {
            for cb in node_list(&list) {
                let id = cb.get_attribute("data-step").unwrap_or_default();
                let done = s.case.as_ref().and_then(|c| c.steps.get(&id)).is_some_and(|m| m.done);
                if let Some(i) = cb.dyn_ref::<HtmlInputElement>() {
                    i.set_checked(done);
                }
            }
        }
    }
}

fn select(state: &Rc<RefCell<SidebarState>>, pos: usize) {
    let id = {
        let mut s = state.borrow_mut();
        s.selected = pos;
        s.picked = true;
        s.order.get(pos).and_then(|&i| s.report.as_ref().map(|r| r.complaints[i].id.clone()))
    };
    if let Some(id) = id {
        post_to_parent(&[("type", "scroll".into()), ("id", id.into())]);
    }
    let _ = render_list(state);
    let _ = render_detail(state);
    if let Ok(Some(e)) = state.borrow().root.query_selector(".item.selected") {
        if let Some(h) = e.dyn_ref::<web_sys::HtmlElement>() {
            let _ = h.focus();
        }
    }
}

