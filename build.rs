//! Compiles `data/` into the engine: every TOML file is parsed into the typed shapes of
//! `src/engine/knowledge.rs` (a bad file fails the build and names itself), lexicon
//! phrases are folded, cross references are checked, and the whole is written as one JSON
//! blob that `src/engine/knowledge.rs` users load with `include_str!`.

#[path = "src/engine/fold.rs"]
#[allow(dead_code)]
mod fold;
#[path = "src/engine/knowledge.rs"]
#[allow(dead_code)]
mod knowledge;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use knowledge::*;

fn toml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

fn load<T: serde::de::DeserializeOwned>(path: &Path) -> T {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn fold_phrase(p: &str) -> String {
    fold::fold_words(p).join(" ")
}

fn fold_all(list: &mut Vec<String>) {
    let mut seen = BTreeSet::new();
    list.retain_mut(|p| {
        *p = fold_phrase(p);
        !p.is_empty() && seen.insert(p.clone())
    });
}

fn main() {
    let data = Path::new("data");
    println!("cargo:rerun-if-changed=data");
    for sub in ["playbooks", "lexicons", "templates", "sites"] {
        println!("cargo:rerun-if-changed=data/{sub}");
    }

    let playbooks: Vec<Playbook> = toml_files(&data.join("playbooks")).iter().map(|p| load(p)).collect();
    let plan: Plan = load(&data.join("plan.toml"));
    let platforms: Platforms = load(&data.join("platforms.toml"));
    let emoji: Emoji = load(&data.join("emoji.toml"));
    let mut seen = BTreeSet::new();
    for list in [&emoji.positive, &emoji.negative, &emoji.anger] {
        for e in list {
            assert!(e.chars().count() == 1, "data/emoji.toml: {e:?} is not one character");
            assert!(seen.insert(e.clone()), "data/emoji.toml: {e:?} is in two lists");
        }
    }
    let sites: Vec<Site> = toml_files(&data.join("sites")).iter().map(|p| load(p)).collect();
    let templates: Vec<Templates> = toml_files(&data.join("templates")).iter().map(|p| load(p)).collect();
    let mut lexicons: Vec<Lexicon> = toml_files(&data.join("lexicons")).iter().map(|p| load(p)).collect();

    for lx in &mut lexicons {
        for list in [
            &mut lx.stopwords, &mut lx.clitics, &mut lx.negators, &mut lx.negation_breaks, &mut lx.complaint, &mut lx.praise, &mut lx.gratitude, &mut lx.question, &mut lx.positive,
            &mut lx.negative, &mut lx.intensifiers, &mut lx.profanity,
        ] {
            fold_all(list);
        }
        for map in [&mut lx.categories, &mut lx.severity, &mut lx.intents, &mut lx.bad_faith, &mut lx.check] {
            for list in map.values_mut() {
                fold_all(list);
            }
        }
    }

    // Cross references that would otherwise surface as wrong output at run time.
    let step_ids: BTreeSet<&str> = playbooks.iter().flat_map(|p| p.steps.iter().map(|s| s.id.as_str())).collect();
    for s in &plan.step {
        for src in &s.sources {
            assert!(step_ids.contains(src.as_str()), "data/plan.toml: step `{}` cites unknown playbook step `{src}`", s.id);
        }
        assert!(
            ["reconnaissance", "interaction", "resolution", "closing"].contains(&s.stage.as_str()),
            "data/plan.toml: step `{}` has unknown stage `{}`",
            s.id,
            s.stage
        );
    }
    let platform_ids: BTreeSet<&str> = platforms.platform.iter().map(|p| p.id.as_str()).collect();
    for site in &sites {
        assert!(platform_ids.contains(site.platform.as_str()), "data/sites/{}.toml: unknown platform `{}`", site.id, site.platform);
    }

    // Trained models (tools/lab): copied in; a missing one is an empty file, and the engine
    // then falls back to its lexicon-only rules (the trainer itself starts that way).
    println!("cargo:rerun-if-changed=data/models");
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    for name in ["complaint.bin", "category.bin", "language.bin"] {
        let src = data.join("models").join(name);
        let bytes = fs::read(&src).unwrap_or_default();
        fs::write(out_dir.join(name), bytes).expect("write model");
    }

    let mut k = Knowledge { playbooks, plan, lexicons, templates, sites, platforms, emoji };
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        // The wasm never reads pages (the content script applies the adapters, from its own
        // generated sites.js) nor shows where a limit comes from: the adapters' page rules
        // and the platforms' sources stay in the native build only (`calmly sites`,
        // `data/platforms.toml`). Sites keep their id, name, hosts and platform. This keeps
        // the sidebar's wasm within its 400 KB budget.
        for s in &mut k.sites {
            s.pages.clear();
        }
        for p in &mut k.platforms.platform {
            p.source.clear();
        }
        // The seeds' verbatim quotes back each playbook step for `calmly playbooks` and the
        // knowledge tests; the wasm's `playbooks()` gives the steps without them.
        for pb in &mut k.playbooks {
            for st in &mut pb.steps {
                st.quote.clear();
            }
        }
    }
    // The sidebar's English strings, compiled into the wasm as its fallback: without the
    // options and case-list pages' keys (`opt_`, `cases_`), which the wasm never shows, and
    // without the plan steps (`step_`: in English the engine's own text is shown).
    println!("cargo:rerun-if-changed=extension/ui/en.json");
    let ui: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&fs::read_to_string("extension/ui/en.json").expect("read extension/ui/en.json")).expect("extension/ui/en.json is not a JSON object");
    let sidebar: serde_json::Map<String, serde_json::Value> = ui.into_iter().filter(|(k, _)| !["opt_", "cases_", "step_"].iter().any(|p| k.starts_with(p))).collect();
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    fs::write(out_dir.join("ui_en.json"), serde_json::to_string(&sidebar).expect("serialize ui strings")).expect("write ui_en.json");

    // postcard, not JSON: reading it needs a fraction of serde_json's code in the wasm, and
    // no text parsing at start-up.
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("knowledge.bin");
    fs::write(&out, postcard::to_allocvec(&k).expect("serialize knowledge")).expect("write knowledge.bin");
}
