//! Snapshot of the drafts for every language × category × register (issue 3): a change to
//! a template or to composition shows up as a diff of `tests/snapshots/drafts.md`, to be
//! read before it is accepted. Update with `CALMLY_UPDATE_SNAPSHOTS=1 cargo test --test drafts_snapshot`.
//!
//! Drafts are composed straight from the templates with fixed values (not through the
//! classifier), so the snapshot changes only when the wording or the composition does.

use calmly::engine::classify::CATEGORIES;
use calmly::engine::draft::{compose, Kind, Tone, Vars};
use calmly::engine::engine;
use calmly::engine::lang::DRAFT_LANGUAGES;

fn render() -> String {
    let e = engine().unwrap();
    let mut out = String::from("# Draft snapshots\n\nName Ana, brand Loja Azul, agent Marta, e-mail channel, no quote, tone warm unless stated; no limit.\n");
    for lang in DRAFT_LANGUAGES {
        let t = e.knowledge.templates.iter().find(|t| t.language == lang).unwrap();
        for reg_id in ["informal", "formal"] {
            let (_, reg) = t.register(reg_id);
            out.push_str(&format!("\n## {lang} · {reg_id} ({})\n", reg.name));
            for category in CATEGORIES {
                let mut vars = Vars::new();
                vars.insert("name", "Ana".into());
                vars.insert("brand", "Loja Azul".into());
                vars.insert("agent", "Marta".into());
                vars.insert("problem", reg.labels[category].clone());
                vars.insert("channel", reg.channels["email"].replace("{email}", "ajuda@loja.example"));
                let public = compose(reg, lang, Kind::Public, Tone::Warm, &vars, category, (0, "chars"));
                out.push_str(&format!("\n### {category}\n\n{public}\n"));
            }
            // One case through every message and tone, on X's 280 characters.
            let mut vars = Vars::new();
            vars.insert("brand", "Loja Azul".into());
            vars.insert("problem", reg.labels["delivery"].clone());
            vars.insert("channel", reg.channels["dm"].clone());
            vars.insert("quote", "the parcel never arrived".into());
            for (name, kind, tone, limit) in [
                ("public, brief, x", Kind::Public, Tone::Brief, 280),
                ("public, formal, x", Kind::Public, Tone::Formal, 280),
                ("private", Kind::Private, Tone::Warm, 0),
                ("resolution", Kind::Resolution, Tone::Warm, 0),
                ("closing", Kind::Closing, Tone::Warm, 0),
                ("thanks (praise), warm", Kind::Thanks, Tone::Warm, 0),
                ("thanks (praise), brief, x", Kind::Thanks, Tone::Brief, 280),
                ("question, warm", Kind::Question, Tone::Warm, 0),
                ("question, brief, x", Kind::Question, Tone::Brief, 280),
            ] {
                let text = compose(reg, lang, kind, tone, &vars, "snapshot", (limit, "chars"));
                out.push_str(&format!("\n### delivery: {name}\n\n{text}\n"));
            }
        }
    }
    out
}

#[test]
fn drafts_match_the_reviewed_snapshot() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/drafts.md");
    let now = render();
    if std::env::var_os("CALMLY_UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &now).unwrap();
        return;
    }
    let before = std::fs::read_to_string(&path).unwrap_or_default();
    if before != now {
        let first = before.lines().zip(now.lines()).position(|(a, b)| a != b).unwrap_or(before.lines().count().min(now.lines().count()));
        panic!(
            "drafts changed (first difference at line {}):\n- {}\n+ {}\nRead the diff, then run CALMLY_UPDATE_SNAPSHOTS=1 cargo test --test drafts_snapshot",
            first + 1,
            before.lines().nth(first).unwrap_or(""),
            now.lines().nth(first).unwrap_or("")
        );
    }
}
