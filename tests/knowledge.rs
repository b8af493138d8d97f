//! Cross-file checks of the knowledge in `data/` (what `build.rs` cannot see alone):
//! every draft language is complete, template slots agree across languages, every
//! category gets a plan, selectors parse, quotes are verbatim from the seeds.

use std::collections::BTreeSet;
use std::path::PathBuf;

mod common;

use calmly::engine::classify::{Classification, CATEGORIES, INTENTS};
use common::classification;
use calmly::engine::draft::variables;
use calmly::engine::engine;
use calmly::engine::knowledge::{Register, REGISTERS};
use calmly::engine::text::tokenize;
use calmly::engine::lang::DRAFT_LANGUAGES;
use calmly::engine::plan::{build, PlanInput};

fn shared() -> PathBuf {
    let candidates = [
        std::env::var("CALMLY_SHARED").map(PathBuf::from).unwrap_or_default(),
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"),
        PathBuf::from("/work/shared"),
    ];
    candidates.into_iter().find(|p| p.join("seeds").is_dir()).expect("the seeds (../shared/seeds) are needed to check playbook quotes; set CALMLY_SHARED")
}

#[test]
fn every_draft_language_has_a_full_lexicon() {
    let k = &engine().unwrap().knowledge;
    for lang in DRAFT_LANGUAGES {
        let lx = k.lexicons.iter().find(|l| l.language == lang).unwrap_or_else(|| panic!("no lexicon for {lang}"));
        assert!(lx.stopwords.len() >= 40, "{lang}: {} stopwords", lx.stopwords.len());
        for (what, list) in [("complaint", &lx.complaint), ("praise", &lx.praise), ("negative", &lx.negative), ("positive", &lx.positive)] {
            assert!(list.len() >= 10, "{lang}: only {} {what} phrases", list.len());
        }
        for c in CATEGORIES.iter().filter(|c| **c != "other") {
            assert!(lx.categories.get(*c).is_some_and(|l| !l.is_empty()), "{lang}: no phrases for category {c}");
        }
        for s in ["legal", "regulator", "safety", "money", "repeated", "public_escalation"] {
            assert!(lx.severity.get(s).is_some_and(|l| !l.is_empty()), "{lang}: no phrases for severity signal {s}");
        }
        for i in INTENTS {
            assert!(lx.intents.get(i).is_some_and(|l| !l.is_empty()), "{lang}: no phrases for intent {i}");
        }
        let unknown: Vec<_> = lx.categories.keys().filter(|c| !CATEGORIES.contains(&c.as_str())).collect();
        assert!(unknown.is_empty(), "{lang}: unknown categories {unknown:?}");
    }
}

/// The keys every register of every language has (data/README.md).
const TEMPLATE_KEYS: [(&str, &[&str]); 7] = [
    (
        "public",
        &[
            "greeting", "greeting_named", "greeting_formal", "greeting_named_formal", "greeting_brief", "greeting_named_brief", "apology",
            "apology_brief", "acknowledge", "acknowledge_quote", "next_step", "next_step_brief", "channel", "compensation", "closing",
            "closing_formal", "signature", "signature_formal",
        ],
    ),
    ("private", &["greeting", "greeting_named", "greeting_formal", "greeting_named_formal", "acknowledge", "acknowledge_quote", "details", "next_step", "signature", "signature_formal"]),
    ("resolution", &["greeting", "greeting_named", "greeting_formal", "greeting_named_formal", "resolved", "check", "signature", "signature_formal"]),
    (
        "closing_message",
        &["greeting", "greeting_named", "greeting_formal", "greeting_named_formal", "apology", "resolved", "prevention", "invite_update", "signature", "signature_formal"],
    ),
    // The reply to praise signs with the public reply's signatures.
    ("thanks", &["greeting", "greeting_named", "thanks", "thanks_brief", "welcome", "invite"]),
    // So does the answer to a question.
    ("question", &["greeting", "greeting_named", "answer", "channel"]),
    // And the reply to bad faith.
    ("policy", &["greeting", "greeting_named", "rating_policy", "calm", "offer"]),
];

fn sections(r: &Register) -> [(&'static str, &calmly::engine::knowledge::Section); 7] {
    [("public", &r.public), ("private", &r.private), ("resolution", &r.resolution), ("closing_message", &r.closing_message), ("thanks", &r.thanks), ("question", &r.question), ("policy", &r.policy)]
}

#[test]
fn templates_have_every_key_in_both_registers() {
    let k = &engine().unwrap().knowledge;
    for lang in DRAFT_LANGUAGES {
        let t = k.templates.iter().find(|t| t.language == lang).unwrap_or_else(|| panic!("no templates for {lang}"));
        assert!(!t.team.trim().is_empty(), "{lang}: `team` (signature without a brand) is empty");
        assert!(REGISTERS.contains(&t.default_register.as_str()), "{lang}: default_register {:?}", t.default_register);
        for (reg_id, reg) in [("informal", &t.informal), ("formal", &t.formal)] {
            assert!(!reg.name.trim().is_empty(), "{lang}.{reg_id}: no name");
            for c in CATEGORIES {
                assert!(reg.labels.get(c).is_some_and(|l| !l.trim().is_empty()), "{lang}.{reg_id}: no label for {c}");
            }
            assert_eq!(reg.labels.len(), CATEGORIES.len(), "{lang}.{reg_id}: labels for unknown categories");
            for (ch, var) in [("email", Some("email")), ("phone", Some("phone")), ("link", Some("link")), ("dm", None)] {
                let phrase = reg.channels.get(ch).unwrap_or_else(|| panic!("{lang}.{reg_id}: no channel {ch}"));
                assert_eq!(variables(phrase), var.into_iter().collect::<Vec<_>>(), "{lang}.{reg_id}.channels.{ch}: {phrase:?}");
            }
            assert_eq!(reg.channels.len(), 4, "{lang}.{reg_id}: unknown channels");
            for ((sec, map), (sec2, keys)) in sections(reg).into_iter().zip(TEMPLATE_KEYS) {
                assert_eq!(sec, sec2);
                let have: BTreeSet<&str> = map.keys().map(String::as_str).collect();
                let want: BTreeSet<&str> = keys.iter().copied().collect();
                assert_eq!(have, want, "{lang}.{reg_id}.{sec}: keys differ from data/README.md");
            }
        }
    }
}

#[test]
fn template_variants_use_the_right_variables() {
    let k = &engine().unwrap().knowledge;
    for t in &k.templates {
        for (reg_id, reg) in [("informal", &t.informal), ("formal", &t.formal)] {
            for (sec, map) in sections(reg) {
                for (key, variants) in map {
                    let at = format!("{}.{reg_id}.{sec}.{key}", t.language);
                    assert!(!variants.is_empty(), "{at}: no variants");
                    // What each slot may (and must) use.
                    let (must, may): (&[&str], &[&str]) = match key.split('_').next().unwrap_or("") {
                        _ if key.starts_with("greeting_named") => (&["name"], &["brand", "agent"]),
                        "greeting" => (&[], &["brand", "agent"]),
                        _ if key.starts_with("acknowledge_quote") => (&["quote"], &["problem"]),
                        "acknowledge" | "resolved" => (&["problem"], &[]),
                        "channel" => (&["channel"], &[]),
                        "compensation" => (&["gesture"], &["problem"]),
                        "signature" => (&["brand"], &["agent"]),
                        // Praise names no problem and opens no channel.
                        "thanks" | "invite" | "answer" => (&[], &[]),
                        _ => (&[], &["problem", "channel"]),
                    };
                    for v in variants {
                        let vars = variables(v);
                        for m in must {
                            assert!(vars.contains(m), "{at}: {v:?} lacks {{{m}}}");
                        }
                        for var in &vars {
                            assert!(must.contains(var) || may.contains(var), "{at}: {{{var}}} not allowed in {v:?}");
                        }
                        assert!(!v.contains("  ") && v.trim() == v, "{at}: stray spaces in {v:?}");
                    }
                    if key.starts_with("signature") {
                        assert!(variants.iter().any(|v| !variables(v).contains(&"agent")), "{at}: every variant needs {{agent}}; add one without");
                    }
                }
            }
        }
    }
}

#[test]
fn templates_pass_their_own_draft_check() {
    // Every public message apologises, every next step says when, and nothing blames the
    // customer or admits liability — checked with the same phrases the draft check uses.
    let e = engine().unwrap();
    for t in &e.knowledge.templates {
        let lang = t.language.as_str();
        let set = e.check_phrases(lang).unwrap_or_else(|| panic!("{lang}: no [check] phrases"));
        let signals = |v: &str| -> Vec<String> { set.find(&tokenize(v)).into_iter().map(|m| m.signal.to_string()).collect() };
        for (reg_id, reg) in [("informal", &t.informal), ("formal", &t.formal)] {
            for (sec, map) in sections(reg) {
                for (key, variants) in map {
                    for v in variants {
                        let s = signals(v);
                        let at = format!("{lang}.{reg_id}.{sec}.{key}: {v:?}");
                        assert!(!s.iter().any(|x| x == "check:blame" || x == "check:liability"), "{at} blames or admits liability");
                        if sec == "public" && key.starts_with("apology") {
                            assert!(s.iter().any(|x| x == "check:apology"), "{at} has no [check] apology phrase");
                        }
                        if sec == "public" && key.starts_with("next_step") {
                            assert!(s.iter().any(|x| x == "check:next_step"), "{at} does not say when ([check] next_step)");
                        }
                        if !key.starts_with("compensation") {
                            assert!(!s.iter().any(|x| x == "check:promise"), "{at} promises compensation outside the compensation slot");
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn every_draft_language_has_check_phrases() {
    let k = &engine().unwrap().knowledge;
    for lang in DRAFT_LANGUAGES {
        let lx = k.lexicons.iter().find(|l| l.language == lang).unwrap();
        for (list, min) in [("apology", 5), ("blame", 10), ("liability", 4), ("promise", 6), ("next_step", 4)] {
            let n = lx.check.get(list).map_or(0, Vec::len);
            assert!(n >= min, "{lang}: [check] {list} has {n} phrases, want {min}+");
        }
        let unknown: Vec<_> = lx.check.keys().filter(|k| !["apology", "blame", "liability", "promise", "next_step"].contains(&k.as_str())).collect();
        assert!(unknown.is_empty(), "{lang}: unknown [check] lists {unknown:?}");
    }
}


#[test]
fn every_category_gets_a_plan_through_all_four_stages() {
    let k = &engine().unwrap().knowledge;
    let input = PlanInput { platform_kind: "review_site", category_label: "x", deadline: "today", channel: "e-mail", ..Default::default() };
    for c in CATEGORIES {
        let steps = build(&k.plan.step, &classification(c), &input);
        let stages: BTreeSet<&str> = steps.iter().map(|s| s.stage.as_str()).collect();
        assert_eq!(stages, ["closing", "interaction", "reconnaissance", "resolution"].into(), "{c}: stages {stages:?}");
        assert!(steps.iter().all(|s| !s.detail.contains('{')), "{c}: unfilled variable in a step");
    }
}

#[test]
fn the_plan_reacts_to_the_case() {
    let k = &engine().unwrap().knowledge;
    let ids = |c: &Classification, input: &PlanInput| -> Vec<String> { build(&k.plan.step, c, input).into_iter().map(|s| s.id).collect() };
    let review = PlanInput { platform_kind: "review_site", ..Default::default() };
    let social = PlanInput { platform_kind: "social", ..Default::default() };
    let base = classification("delivery");
    let mut legal = base.clone();
    legal.signals = vec!["legal".into()];
    let mut abusive = base.clone();
    abusive.bad_faith = true;

    let plain = ids(&base, &review);
    assert!(ids(&legal, &review).len() > plain.len(), "a legal threat adds escalation");
    assert!(!ids(&base, &social).iter().eq(plain.iter()), "review sites and social networks differ (review update)");
    assert_ne!(ids(&abusive, &review), plain, "bad faith changes the plan");
    let repeated = PlanInput { repeated_demand: true, ..review };
    assert!(ids(&base, &repeated).len() > plain.len(), "a repeated demand adds the disengage step");
}

#[test]
fn playbook_quotes_are_verbatim_from_the_seeds() {
    let seeds = shared().join("seeds");
    let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    for p in &engine().unwrap().knowledge.playbooks {
        let text = squash(&std::fs::read_to_string(seeds.join(&p.seed)).unwrap_or_else(|e| panic!("{}: {e}", p.seed)));
        for s in &p.steps {
            assert!(text.contains(&squash(&s.quote)), "{}: quote not in {}: {:?}", s.id, p.seed, s.quote);
            assert!(text.contains(&squash(&s.section)), "{}: section not in {}: {:?}", s.id, p.seed, s.section);
        }
    }
}

#[test]
fn site_selectors_parse_and_platforms_have_sources() {
    let k = &engine().unwrap().knowledge;
    for site in &k.sites {
        assert!(!site.hosts.is_empty(), "{}: no hosts", site.id);
        assert!(["review_site", "social", "marketplace", "app_store"].contains(&site.kind.as_str()), "{}: kind {}", site.id, site.kind);
        for page in &site.pages {
            assert!(["reviews", "thread", "listing"].contains(&page.kind.as_str()), "{}: page kind {}", site.id, page.kind);
            let mut sels: Vec<&str> = vec![];
            if !page.item.is_empty() {
                sels.push(&page.item);
            }
            for f in [&page.text, &page.title, &page.author, &page.rating, &page.date].into_iter().flatten() {
                sels.extend(f.selector.iter().map(String::as_str));
            }
            for s in sels {
                assert!(scraper::Selector::parse(s).is_ok(), "{}: selector does not parse: {s}", site.id);
            }
            if page.kind != "listing" {
                assert!(page.text.is_some() && !page.item.is_empty(), "{}: a {} page needs item and text", site.id, page.kind);
            }
        }
    }
    for p in &k.platforms.platform {
        assert!(!p.source.trim().is_empty(), "{}: limit without a source", p.id);
        assert!(["chars", "bytes"].contains(&p.unit.as_str()));
        assert!(["review_site", "social", "marketplace", "app_store", "web"].contains(&p.kind.as_str()), "{}: kind {}", p.id, p.kind);
    }
}

/// `{name}` placeholders of an interface string.
fn placeholders(s: &str) -> std::collections::BTreeSet<String> {
    let mut out = std::collections::BTreeSet::new();
    let mut rest = s;
    while let Some(i) = rest.find('{') {
        let Some(j) = rest[i..].find('}') else { break };
        out.insert(rest[i + 1..i + j].to_string());
        rest = &rest[i + j + 1..];
    }
    out
}

#[test]
fn interface_strings_exist_in_five_languages_with_the_same_keys_and_placeholders() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("extension/ui");
    let read = |lang: &str| -> serde_json::Map<String, serde_json::Value> {
        let p = dir.join(format!("{lang}.json"));
        let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    };
    let en = read("en");
    assert!(en.len() > 100, "en.json looks truncated");
    for lang in ["pt", "es", "pl", "ro"] {
        let other = read(lang);
        let missing: Vec<&String> = en.keys().filter(|k| !other.contains_key(*k)).collect();
        let extra: Vec<&String> = other.keys().filter(|k| !en.contains_key(*k)).collect();
        assert!(missing.is_empty() && extra.is_empty(), "ui/{lang}.json: missing {missing:?}, unknown {extra:?}");
        for (k, v) in &en {
            let (Some(e), Some(o)) = (v.as_str(), other[k].as_str()) else { panic!("ui/{lang}.json: {k} is not a string") };
            assert!(!o.trim().is_empty(), "ui/{lang}.json: {k} is empty");
            assert_eq!(placeholders(e), placeholders(o), "ui/{lang}.json: {k} has other placeholders than English");
        }
    }
    // Every key the Rust sidebar asks for exists (a missing key would show as its name).
    let ui = ["src/wasm/ui.rs", "src/wasm/playground.rs"].map(|f| std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(f)).unwrap()).join("\n");
    for pattern in ["tr(\"", "trf(\""] {
        for (at, _) in ui.match_indices(pattern) {
            // Only the calls themselves: `from_str("…")` also ends in `tr("`.
            if ui[..at].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let key = ui[at + pattern.len()..].split('"').next().unwrap();
            assert!(en.contains_key(key), "src/wasm asks for ui key {key:?}, which en.json lacks");
        }
    }
}

#[test]
fn interface_step_texts_in_english_are_the_plan_itself() {
    // en.json repeats data/plan.toml's step texts so translators have them beside the other
    // languages; they must not drift from the plan the engine uses.
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("extension/ui/en.json");
    let en: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
    for step in &engine().unwrap().knowledge.plan.step {
        for (field, text) in [("title", &step.title), ("detail", &step.detail)] {
            let key = format!("step_{}_{field}", step.id);
            assert_eq!(en.get(&key).and_then(|v| v.as_str()), Some(text.as_str()), "extension/ui/en.json: {key} differs from data/plan.toml");
        }
    }
}
