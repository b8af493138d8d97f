//! The bodies of the fuzz targets, and the invariants every draft keeps.
//!
//! `fuzz/` (cargo-fuzz, nightly) calls [`analyze`], [`snapshot`] and [`render`] with
//! libFuzzer's bytes; `tests/fuzz_replay.rs` replays `fuzz/seeds/*` through the same
//! functions on stable, so CI checks every seed and every regression input. The
//! invariants ([`assert_analysis`], [`assert_message`]) are shared with
//! `tests/robustness.rs` and `tests/properties.rs`. Native only: none of this is in the
//! wasm (`src/lib.rs`).
//!
//! Input layout: fields are separated by the byte `0xFF`, which never occurs in UTF-8, so
//! a plain-text seed is one field. Text fields are read as lossy UTF-8; control fields are
//! raw bytes, a missing byte reading as 0.
//!
//! The invariants of a draft (issue 7):
//! - no unfilled placeholder: once every value we inserted (names, brand, agent, gesture,
//!   contacts, the customer's quoted words) is masked, no `{variable}` of the templates is
//!   left, no brace at all, and the draft check finds no placeholder;
//! - in the requested language: the declared draft language is the complaint's when we
//!   draft in it, else the fallback (English when the fallback is not one we draft in),
//!   and the templates' own words of every composed message read as that language
//!   ([`render`]: language ID on the message with each inserted value as `•`);
//! - within the platform limit (`data/platforms.toml`, in its unit: characters or bytes),
//!   for the public reply and the public closing message;
//! - never cut mid-sentence: a message is whole template variants joined by a space or a
//!   line break (checked where the templates are known, [`assert_whole_variants`]).

use std::collections::{BTreeSet, HashSet};
use std::sync::{Mutex, OnceLock};

use crate::engine::check;
use crate::engine::draft::{self, Kind, Tone, Vars};
use crate::engine::knowledge::Register;
use crate::engine::lang::DRAFT_LANGUAGES;
use crate::engine::{engine, stored, CheckRequest, ComplaintAnalysis, Engine, PageSnapshot, Settings, SnapshotItem};

/// Separates the fields of a fuzz input.
pub const SEP: u8 = 0xFF;

/// Pieces of text that broke text code before, and real complaint fragments in the five
/// languages: `tests/robustness.rs` and `tests/properties.rs` build hostile texts from them.
pub const PIECES: &[&str] = &[
    "\u{a0}", "\u{2003}", "\u{3000}", "\u{200b}", "\u{200d}", "\u{feff}", "e\u{301}", "\u{302}", "ש", "مرحبا", "\u{202e}", "👨‍👩‍👧", "🆘",
    "💥", "@", "@brand", "#", "#tag", "https://t.co/x", "www.a.b/c", "{name}", "{", "}", "[x]", "<b>", "</script>", "&amp;", "\"", "“", "„",
    "«", "»", "'", "!", "!!!", "?", ".", ",", ";", ":", "\n", "\r\n", "\t", " ", "  ", "0", "12345678901", "529.982.247-25", "+48 600 700 800",
    "a@b.co", "ĄĘŁ", "ș", "ş", "ț", "ã", "ñ", "ß", "İ", "ǅ", "ﬁ", "Ⅻ", "NÃO RECEBI", "não recebi o pedido", "veio quebrado", "quero meu dinheiro de volta",
    "no me han devuelto el dinero", "nie dotarło", "zwrot pieniędzy", "nu a ajuns", "produsul e stricat", "never arrived", "refund", "lawyer",
    "Procon", "UOKiK", "ANPC", "5 stars if you give me", "😡", "\u{0}", "\u{7f}", "\u{fffd}", "\u{10ffff}", "a",
];

/// One complaint per draft language that the engine reads as that language whatever the
/// names around it: the texts the render target drafts for.
pub const COMPLAINTS: [(&str, &str); 5] = [
    ("pt", "Comprei há duas semanas e até hoje não recebi o pedido. Já liguei três vezes e ninguém resolve."),
    ("es", "Hice el pedido hace un mes y todavía no ha llegado. Nadie contesta mis correos y quiero que me devuelvan el dinero."),
    ("pl", "Zamówienie nie dotarło do dzisiaj, a obsługa klienta nie odpowiada na moje wiadomości. Chcę zwrotu pieniędzy."),
    ("ro", "Comanda nu a ajuns nici acum, deși am plătit de două săptămâni. Nimeni nu răspunde la telefon și vreau banii înapoi."),
    ("en", "My order never arrived and nobody answers my emails. I want a refund or I will report you."),
];

/// The input's fields (split at `SEP`).
struct Fields<'a>(Vec<&'a [u8]>);

impl<'a> Fields<'a> {
    fn new(data: &'a [u8]) -> Self {
        Fields(data.split(|&b| b == SEP).collect())
    }

    fn text(&self, i: usize) -> String {
        self.0.get(i).map(|f| String::from_utf8_lossy(f).into_owned()).unwrap_or_default()
    }

    fn opt(&self, i: usize) -> Option<String> {
        self.0.get(i).map(|f| String::from_utf8_lossy(f).into_owned())
    }

    fn ctrl(&self, i: usize) -> Ctrl<'a> {
        Ctrl(self.0.get(i).copied().unwrap_or_default())
    }
}

/// A control field: byte `i`, or 0.
struct Ctrl<'a>(&'a [u8]);

impl Ctrl<'_> {
    fn byte(&self, i: usize) -> usize {
        self.0.get(i).copied().unwrap_or(0) as usize
    }

    fn pick<'t, T: ?Sized>(&self, i: usize, from: &[&'t T]) -> &'t T {
        from[self.byte(i) % from.len()]
    }
}

const TONES: [&str; 5] = ["warm", "formal", "brief", "???", ""];
/// Fallback languages as a settings file may give them: the draft languages, one we only
/// recognise, and garbage.
const FALLBACKS: [&str; 8] = ["en", "pt", "es", "pl", "ro", "fr", "", "xx"];
const REGISTERS: [&str; 4] = ["informal", "formal", "", "vós"];

/// Every platform id of `data/platforms.toml`, a plain web page and an unknown one.
pub fn platforms(e: &Engine) -> Vec<&str> {
    let mut out: Vec<&str> = e.knowledge.platforms.platform.iter().map(|p| p.id.as_str()).collect();
    out.extend(["web", "nonexistent"]);
    out
}

/// Settings from a control field and hostile names.
fn settings_from(c: &Ctrl, names: [String; 6]) -> Settings {
    let [brand, agent, gesture, email, phone, link] = names;
    let mut s = Settings { brand, agent, gesture, ..Default::default() };
    s.channels.email = email;
    s.channels.phone = phone;
    s.channels.link = link;
    s.tone = c.pick(1, &TONES).into();
    s.fallback_language = c.pick(2, &FALLBACKS).into();
    let flags = c.byte(3);
    s.compensation_allowed = flags & 1 != 0;
    if flags & 2 != 0 {
        for lang in DRAFT_LANGUAGES {
            s.registers.insert(lang.into(), c.pick(4, &REGISTERS).into());
        }
    }
    s.response_target_minutes = (c.byte(5) as u32) * 60;
    s
}

/// Target `analyze`: one text (with title, author and the settings' names) through the
/// engine, every message of the case, and the draft check on the text and on each message.
///
/// Fields: text, control (platform, tone, fallback, flags, register, response time, age,
/// rating, rating scale, a raw float rating), title, author, brand, agent, gesture, e-mail, phone, link.
pub fn analyze(data: &[u8]) {
    let e = engine().expect("the built-in knowledge loads");
    let f = Fields::new(data);
    let c = f.ctrl(1);
    let platforms = platforms(e);
    let platform = c.pick(0, &platforms);
    let settings = settings_from(&c, [f.text(4), f.text(5), f.text(6), f.text(7), f.text(8), f.text(9)]);
    let text = f.text(0);
    let flags = c.byte(3);
    let item = SnapshotItem {
        id: "fuzz".into(),
        text: text.clone(),
        title: f.opt(2),
        author: f.opt(3),
        // Any float at all (NaN, infinities, negative) when bit 7 is set.
        rating: (flags & 4 != 0).then(|| if flags & 128 != 0 { f32::from_le_bytes([9, 10, 11, 12].map(|i| c.byte(i) as u8)) } else { c.byte(7) as f32 / 10.0 }),
        rating_max: (flags & 8 != 0).then(|| c.byte(8) as f32 / 10.0),
        platform: (flags & 16 == 0).then(|| platform.to_string()),
        age_minutes: (flags & 32 != 0).then(|| (c.byte(6) as u32) << 8),
        repeated_demand: flags & 64 != 0,
        ..Default::default()
    };
    let a = e.analyze_item(&item, &settings);
    assert_analysis(e, &item, &settings, &a, &format!("analyze {text:?}"));

    // The command line's and the playground's path: the text alone.
    let a = crate::engine::analyze_text(&text, Some(platform), &settings).expect("engine");
    let alone = SnapshotItem { id: "1".into(), text: text.clone(), platform: Some(platform.into()), ..Default::default() };
    assert_analysis(e, &alone, &settings, &a, &format!("analyze_text {text:?}"));

    // The draft check on what the agent might type, and on each of our messages.
    let thanked = a.draft.kind != "complaint";
    for (public, thanks, reply) in [(true, false, text.as_str()), (true, thanked, &a.draft.text), (false, false, &a.draft.private), (false, false, &a.draft.resolution), (true, false, &a.draft.closing)] {
        let report = e.check_text(
            reply,
            &CheckRequest { language: None, complaint_language: Some(&a.language), platform, public, thanks, settings: &settings },
        );
        let (limit, unit, _) = e.platform(platform);
        assert_eq!(report.limit, limit);
        assert_eq!(report.chars, draft::measure(reply, unit));
        assert_eq!(report.warnings.iter().any(|w| w.id == "over_limit"), limit > 0 && report.chars > limit, "{reply:?}");
        assert_eq!(report.warnings.iter().any(|w| w.id == "empty"), reply.trim().is_empty(), "{reply:?}");
    }
}

/// Target `snapshot`: page-snapshot parsing. The document is read as a page snapshot
/// (JSON, as the wasm's `analyzePage` and the sidebar receive it), as `--jsonl` lines of
/// items, and as HTML through the native extraction: a site adapter chosen by the control
/// field (its URL built from the adapter's hosts and paths) or, with no control field, the
/// page's own canonical URL; a URL no adapter covers takes the generic reader.
///
/// Fields: document, control (site, page), settings JSON (as `--settings` reads it).
pub fn snapshot(data: &[u8]) {
    let e = engine().expect("the built-in knowledge loads");
    let f = Fields::new(data);
    let doc = f.text(0);
    let settings = match f.opt(2) {
        None => Settings::default(),
        Some(json) => {
            // The extension's path (validated, never panics) and the command line's (serde).
            let stored = stored::import_settings(&json);
            serde_json::from_str::<Settings>(&json).ok().or(stored.ok().map(|l| l.settings)).unwrap_or_default()
        }
    };

    if let Ok(snap) = serde_json::from_str::<PageSnapshot>(&doc) {
        assert_page(e, &snap, &settings, "json snapshot");
    }
    for line in doc.lines().take(16) {
        if let Ok(item) = serde_json::from_str::<SnapshotItem>(line) {
            let a = e.analyze_item(&item, &settings);
            assert_analysis(e, &item, &settings, &a, &format!("jsonl {line:?}"));
        }
    }

    let url = url_for(e, &f.ctrl(1));
    if let Ok(snap) = crate::extract::snapshot_from_html(e, &doc, url.as_deref()) {
        let mut ids = BTreeSet::new();
        for item in &snap.items {
            assert!(!item.text.trim().is_empty(), "{url:?}: an item without text");
            assert!(ids.insert(item.id.clone()), "{url:?}: id {} twice", item.id);
            if let Some(p) = &item.platform {
                assert!(e.knowledge.platforms.platform.iter().any(|k| &k.id == p), "{url:?}: unknown platform {p}");
            }
        }
        assert_eq!(snap.site.is_some(), snap.url.as_deref().and_then(|u| e.site_for_url(u)).is_some());
        assert_page(e, &snap, &settings, &format!("html {url:?}"));
    }
}

/// A URL for the control field's site adapter and page kind, or an uncovered one (the
/// generic reader); `None` with no control field (the page's canonical URL decides).
fn url_for(e: &Engine, c: &Ctrl) -> Option<String> {
    if c.0.is_empty() {
        return None;
    }
    let sites = &e.knowledge.sites;
    let Some(site) = sites.get(c.byte(0) % (sites.len() + 1)) else {
        return Some("https://shop.example/product/1#reviews".into());
    };
    let host = &site.hosts[c.byte(1) % site.hosts.len()];
    let path = site.pages.get(c.byte(2) % site.pages.len().max(1)).and_then(|p| p.path_contains.first()).map_or("", String::as_str);
    Some(format!("https://{host}/{}", path.trim_start_matches('/')))
}

/// Every item of a page through the engine, and the report's counts.
pub fn assert_page(e: &Engine, snap: &PageSnapshot, settings: &Settings, at: &str) {
    let report = e.analyze_page(snap, settings);
    assert_eq!(report.page.items, snap.items.len(), "{at}");
    assert_eq!(report.page.complaints, report.complaints.iter().filter(|c| c.is_complaint).count(), "{at}");
    let site_platform = snap.site.as_deref().and_then(|id| e.knowledge.sites.iter().find(|s| s.id == id)).map(|s| s.platform.clone());
    for (item, a) in snap.items.iter().zip(&report.complaints) {
        let mut item = item.clone();
        if item.platform.is_none() {
            item.platform = site_platform.clone();
        }
        if item.page_lang.is_none() {
            item.page_lang = snap.lang.clone();
        }
        assert_analysis(e, &item, settings, a, &format!("{at}: item {:?}", item.id));
    }
    serde_json::to_string(&report).expect("the report serialises");
}

/// Target `render`: template rendering with hostile names. Every draft language ×
/// register × tone × platform limit × message is composed straight from the templates
/// with the input's values, and each language's complaint (`COMPLAINTS`) goes through the
/// engine with the same names as settings.
///
/// Fields: customer name, control (tone and platform for the engine, category, flags),
/// brand, agent, gesture, e-mail, phone, link, quote.
pub fn render(data: &[u8]) {
    let e = engine().expect("the built-in knowledge loads");
    let f = Fields::new(data);
    let c = f.ctrl(1);
    let name = f.text(0);
    let brand = f.text(2);
    let flags = c.byte(3);
    let quote = f.opt(8).filter(|_| flags & 4 != 0);
    let category = c.pick(6, &crate::engine::classify::CATEGORIES);

    // Distinct (limit, unit) pairs of the platforms, and no limit.
    let mut limits: Vec<(usize, &str)> = e.knowledge.platforms.platform.iter().map(|p| (p.limit, p.unit.as_str())).collect();
    limits.push((0, "chars"));
    limits.sort();
    limits.dedup();

    for t in &e.knowledge.templates {
        for reg_id in crate::engine::knowledge::REGISTERS {
            let (_, reg) = t.register(reg_id);
            // The values as the engine sets them (`Engine::analyze_item`), but untrimmed:
            // composition must hold for any value.
            let mut vars = Vars::new();
            vars.insert("name", name.clone());
            vars.insert("brand", if brand.trim().is_empty() { t.team.clone() } else { brand.clone() });
            if flags & 1 != 0 {
                vars.insert("agent", f.text(3));
            }
            if let Some(l) = reg.labels.get(category).or_else(|| reg.labels.get("other")) {
                vars.insert("problem", l.clone());
            }
            if let Some(q) = &quote {
                vars.insert("quote", q.clone());
            }
            let (key, var, value) = [("email", "{email}", f.text(5)), ("phone", "{phone}", f.text(6)), ("link", "{link}", f.text(7))]
                .into_iter()
                .find(|(_, _, v)| !v.trim().is_empty())
                .unwrap_or(("dm", "", String::new()));
            if let Some(phrase) = reg.channels.get(key) {
                vars.insert("channel", if var.is_empty() { phrase.clone() } else { phrase.replace(var, &value) });
            }
            if flags & 2 != 0 {
                vars.insert("gesture", f.text(4));
            }
            // What came from the input (the labels and channel phrases are template text).
            let values: Vec<String> = ["name", "brand", "agent", "quote", "gesture"].iter().filter_map(|k| vars.get(k).cloned()).chain([value.clone()]).collect();
            // The whole variants each message may be made of; a message many limits give
            // alike is checked once.
            let pieces = Kind::ALL.map(|k| variant_pieces(reg, k, &vars));
            let mut seen = BTreeSet::new();
            for tone in Tone::ALL.map(Tone::parse) {
                // Only the public messages are bound by a platform's limit (as in the engine).
                let limited = limits.iter().flat_map(|&l| [(Kind::Public, l), (Kind::Closing, l), (Kind::Thanks, l), (Kind::Question, l), (Kind::Extortion, l), (Kind::Abuse, l)]);
                for (kind, (limit, unit)) in limited.chain([(Kind::Private, (0, "chars")), (Kind::Resolution, (0, "chars"))]) {
                    let msg = draft::compose(reg, &t.language, kind, tone, &vars, &name, (limit, unit));
                    let at = || format!("render {}/{reg_id}/{}/{kind:?}/{limit} {unit}", t.language, tone.id());
                    if limit > 0 {
                        let n = draft::measure(&msg, unit);
                        assert!(n <= limit, "{}: {n} {unit}, over the limit of {limit}: {msg:?}", at());
                    }
                    let k = kind as usize;
                    if seen.insert((k, msg.clone())) {
                        assert_message(&msg, &values, limit, unit, true, &at());
                        // Whole sentences, and the templates' words read as the language.
                        let own = assert_whole_variants(&pieces[k], &msg, &at());
                        let key = (t.language.clone(), own);
                        if !key.1.is_empty() && !words_read().contains(&key) {
                            let read = e.detect_language(&key.1);
                            assert_eq!(read, t.language, "{}: {:?} reads as {read}: {msg:?}", at(), key.1);
                            words_read().insert(key);
                        }
                    }
                }
            }
        }
    }

    // Through the engine: the draft is in the complaint's language whatever the names.
    let platforms = platforms(e);
    let mut settings = settings_from(&c, [brand, f.text(3), f.text(4), f.text(5), f.text(6), f.text(7)]);
    settings.tone = c.pick(0, &TONES).into();
    for (lang, text) in COMPLAINTS {
        let item = SnapshotItem { text: text.into(), author: Some(name.clone()), platform: Some(c.pick(7, &platforms).into()), ..Default::default() };
        let a = e.analyze_item(&item, &settings);
        assert_eq!(a.language, lang, "{text}");
        assert_analysis(e, &item, &settings, &a, &format!("render through the engine, {lang}"));
    }
}

/// Template words already read as their language (they do not depend on the inserted
/// values, so they recur from input to input: each is detected once).
fn words_read() -> std::sync::MutexGuard<'static, HashSet<(String, String)>> {
    static SEEN: OnceLock<Mutex<HashSet<(String, String)>>> = OnceLock::new();
    let mut seen = SEEN.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    if seen.len() > 100_000 {
        seen.clear();
    }
    seen
}

/// The variables the templates use, from the templates themselves.
fn template_variables() -> &'static BTreeSet<String> {
    static VARS: OnceLock<BTreeSet<String>> = OnceLock::new();
    VARS.get_or_init(|| {
        let e = engine().expect("the built-in knowledge loads");
        let mut out = BTreeSet::new();
        for t in &e.knowledge.templates {
            for r in [&t.informal, &t.formal] {
                let texts = [&r.public, &r.private, &r.resolution, &r.closing_message].into_iter().flat_map(|s| s.values().flatten()).chain(r.channels.values());
                for text in texts {
                    out.extend(draft::variables(text).into_iter().map(str::to_string));
                }
            }
        }
        out
    })
}

/// The message with every inserted value replaced by `•`, longest first: what is left
/// is the templates' own text. (A value that happens to be template text masks it too;
/// that can hide a defect, never invent one.)
pub fn mask(message: &str, values: &[String]) -> String {
    let mut values: Vec<&str> = values.iter().flat_map(|v| [v.as_str(), v.trim()]).filter(|v| !v.is_empty()).collect();
    values.sort_by_key(|v| std::cmp::Reverse(v.len()));
    values.dedup();
    let mut out = message.to_string();
    for v in values {
        if out.contains(v) {
            out = out.replace(v, "•");
        }
    }
    out
}

/// The invariants of one message: no unfilled placeholder once the inserted `values` are
/// masked (with `strict`, no brace at all and no placeholder the draft check knows: the
/// brand's own custom wording may hold anything), and within `limit` in `unit`.
pub fn assert_message(message: &str, values: &[String], limit: usize, unit: &str, strict: bool, at: &str) {
    if limit > 0 {
        let n = draft::measure(message, unit);
        assert!(n <= limit, "{at}: {n} {unit}, over the limit of {limit}: {message:?}");
    }
    let masked = mask(message, values);
    for v in template_variables() {
        assert!(!masked.contains(&format!("{{{v}}}")), "{at}: unfilled {{{v}}} in {message:?}");
    }
    if strict {
        assert!(!masked.contains(['{', '}']), "{at}: a brace in {message:?}");
        // The draft check's own notion of a placeholder (`{x}`, `[x]`, `<x>`, XXX, ___, TODO).
        let left = check::placeholders(&masked);
        assert!(left.is_empty(), "{at}: placeholder {left:?} in {message:?}");
    }
}

/// Values the engine may have put into the messages of an analysis.
pub fn inserted_values(item: &SnapshotItem, settings: &Settings, a: &ComplaintAnalysis) -> Vec<String> {
    let mut out = vec![settings.brand.clone(), settings.agent.clone(), settings.gesture.clone()];
    out.extend([&settings.channels.email, &settings.channels.phone, &settings.channels.link].map(|c| c.clone()));
    if let Some(first) = item.author.as_deref().and_then(|a| a.trim().trim_start_matches('@').split_whitespace().next()) {
        out.push(first.to_string());
    }
    out.extend(a.draft.quote.clone());
    out
}

/// The invariants of an analysis (`tests/robustness.rs` has asserted them since issue 5):
/// languages, scores, every message (no unfilled placeholder, the public ones within the
/// platform's limit), the declared draft language, and the draft check on our own draft.
pub fn assert_analysis(e: &Engine, item: &SnapshotItem, settings: &Settings, a: &ComplaintAnalysis, at: &str) {
    let known = |l: &str| DRAFT_LANGUAGES.contains(&l);
    assert!(a.language == "und" || known(&a.language) || ["it", "fr", "de"].contains(&a.language.as_str()), "{at}: language {}", a.language);
    // The requested language: the complaint's when we draft in it; for a text too short to
    // tell, the page's; else the fallback.
    assert!(known(&a.draft.language), "{at}: draft language {}", a.draft.language);
    let page = crate::engine::lang::page_language(item.page_lang.as_deref());
    let want = if known(&a.language) {
        a.language.as_str()
    } else if let Some(page) = page.filter(|_| a.language == "und") {
        page
    } else if known(&settings.fallback_language) {
        settings.fallback_language.as_str()
    } else {
        "en"
    };
    assert_eq!(a.draft.language, want, "{at}: draft language");
    assert!((0.0..=1.0).contains(&a.complaint_score) && (0.0..=1.0).contains(&a.severity_score), "{at}: scores");
    assert!((-1.0..=1.0).contains(&a.sentiment), "{at}: sentiment {}", a.sentiment);
    assert_eq!(a.draft.tone, Tone::parse(&settings.tone).id(), "{at}: tone");
    assert!(["informal", "formal"].contains(&a.draft.register.as_str()), "{at}: register {}", a.draft.register);

    let platform = item.platform.as_deref().unwrap_or("web");
    assert_eq!(a.draft.platform, platform, "{at}");
    let (limit, unit, _) = e.platform(platform);
    assert_eq!((a.draft.limit, a.draft.chars), (limit, draft::measure(&a.draft.text, unit)), "{at}");
    let values = inserted_values(item, settings, a);
    let strict = settings.templates.values().all(|m| m.values().all(|t| t.trim().is_empty()));
    for (what, msg, lim) in [("public", &a.draft.text, limit), ("private", &a.draft.private, 0), ("resolution", &a.draft.resolution, 0), ("closing", &a.draft.closing, limit)] {
        assert_message(msg, &values, lim, unit, strict, &format!("{at}: {what}"));
    }
    // A thank-you to praise, an answer to a question and the policy for bad faith stand
    // alone: no later messages. Only bad faith (which may be a complaint too) has steps.
    assert!(["complaint", "thanks", "question", "policy"].contains(&a.draft.kind.as_str()), "{at}: draft kind {}", a.draft.kind);
    assert_eq!(a.draft.kind == "policy", a.bad_faith, "{at}: bad faith {} with a {} draft", a.bad_faith, a.draft.kind);
    if a.draft.kind == "thanks" || a.draft.kind == "question" {
        assert!(!a.is_complaint && a.steps.is_empty(), "{at}: a complaint got a {} reply", a.draft.kind);
    }
    if a.draft.kind != "complaint" {
        assert!(a.draft.private.is_empty() && a.draft.resolution.is_empty() && a.draft.closing.is_empty(), "{at}: {} with a case", a.draft.kind);
        assert!(!a.draft.checks.iter().any(|w| w.id == "no_apology"), "{at}: a {} reply flagged for no apology", a.draft.kind);
    }
    // Our own draft never fails the check for its length or its language.
    for w in &a.draft.checks {
        assert!(!["over_limit", "language_mismatch"].contains(&w.id.as_str()), "{at}: {w:?} on {:?}", a.draft.text);
    }
}

/// The variants of every slot of a message kind, filled (what a message is made of) and
/// with each variable as `•` (the templates' own words), and the bare brand, the signature
/// of last resort: what [`assert_whole_variants`] may find in a message.
pub fn variant_pieces(reg: &Register, kind: Kind, vars: &Vars) -> Vec<(String, String)> {
    let bullets: Vars = vars.keys().map(|&k| (k, "•".to_string())).collect();
    let mut pieces: Vec<(String, String)> = kind.all_variants(reg).filter_map(|v| Some((draft::fill(v, vars)?, draft::fill(v, &bullets)?))).collect();
    pieces.extend(vars.get("brand").map(|b| (b.clone(), "•".to_string())));
    pieces.retain(|p| !p.0.is_empty());
    pieces
}

/// Never cut mid-sentence: `message` is whole `pieces` ([`variant_pieces`]) joined by a
/// space or a line break. Returns the message's own words: the templates it was made of,
/// with `•` for every inserted value.
pub fn assert_whole_variants(pieces: &[(String, String)], message: &str, at: &str) -> String {
    if message.is_empty() {
        return String::new();
    }
    // from[i]: how message[..i] is whole pieces, each followed by its separator (the
    // previous position and the piece).
    let bytes = message.as_bytes();
    let mut from: Vec<Option<(usize, usize)>> = vec![None; bytes.len() + 1];
    let mut reachable = vec![false; bytes.len() + 1];
    reachable[0] = true;
    let skeleton = |from: &[Option<(usize, usize)>], mut end: usize, last: usize| {
        let mut parts = vec![pieces[last].1.as_str()];
        while let Some((prev, p)) = from[end] {
            parts.push(pieces[p].1.as_str());
            end = prev;
        }
        parts.reverse();
        parts.join(" ")
    };
    for i in 0..bytes.len() {
        if !reachable[i] {
            continue;
        }
        for (n, (p, _)) in pieces.iter().enumerate() {
            let p = p.as_bytes();
            if bytes[i..].starts_with(p) {
                let j = i + p.len();
                if j == bytes.len() {
                    return skeleton(&from, i, n);
                }
                if matches!(bytes[j], b' ' | b'\n') && !reachable[j + 1] {
                    reachable[j + 1] = true;
                    from[j + 1] = Some((i, n));
                }
            }
        }
    }
    panic!("{at}: not whole template variants (cut mid-sentence?): {message:?}");
}
