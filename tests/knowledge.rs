//! Cross-file checks of the knowledge in `data/` (what `build.rs` cannot see alone):
//! every draft language is complete, template slots agree across languages, every
//! category gets a plan, selectors parse, quotes are verbatim from the seeds.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use calmly::engine::classify::{Classification, CATEGORIES, INTENTS};
use calmly::engine::draft::variables;
use calmly::engine::engine;
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

#[test]
fn templates_have_the_same_slots_and_only_known_variables() {
    let k = &engine().unwrap().knowledge;
    let slots = |t: &calmly::engine::knowledge::Templates| -> BTreeSet<String> {
        let mut s = BTreeSet::new();
        for (sec, map) in [("public", &t.public), ("private", &t.private), ("resolution", &t.resolution), ("closing_message", &t.closing_message)] {
            for key in map.keys() {
                s.insert(format!("{sec}.{key}"));
            }
        }
        s.extend(t.labels.keys().map(|k| format!("labels.{k}")));
        s.extend(t.channels.keys().map(|k| format!("channels.{k}")));
        s
    };
    let en = k.templates.iter().find(|t| t.language == "en").expect("English templates");
    let reference = slots(en);
    let allowed: BTreeSet<&str> = ["name", "brand", "agent", "problem", "channel", "gesture", "email", "phone", "link"].into();
    for lang in DRAFT_LANGUAGES {
        let t = k.templates.iter().find(|t| t.language == lang).unwrap_or_else(|| panic!("no templates for {lang}"));
        assert_eq!(slots(t), reference, "{lang}: template slots differ from English");
        assert!(!t.team.trim().is_empty(), "{lang}: `team` (signature without a brand) is empty");
        for c in CATEGORIES {
            assert!(t.labels.contains_key(c), "{lang}: no label for {c}");
        }
        for (sec, map) in [("public", &t.public), ("private", &t.private), ("resolution", &t.resolution), ("closing_message", &t.closing_message)] {
            for (slot, variants) in map {
                assert!(!variants.is_empty(), "{lang}.{sec}.{slot} has no variants");
                for v in variants {
                    for var in variables(v) {
                        assert!(allowed.contains(var), "{lang}.{sec}.{slot}: unknown variable {{{var}}} in {v:?}");
                    }
                }
            }
        }
    }
}

fn classification(category: &str) -> Classification {
    Classification {
        is_complaint: true,
        complaint_score: 0.9,
        category: category.into(),
        category_scores: BTreeMap::new(),
        evidence: vec![],
        severity: "medium".into(),
        severity_score: 0.5,
        urgency: "medium".into(),
        sentiment: -0.5,
        intents: vec![],
        bad_faith: false,
        signals: vec![],
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
