//! Cases and stored settings (`engine::cases`, `engine::stored`): what the sidebar keeps in
//! `chrome.storage.local`, and what comes back when that storage holds old, newer, damaged
//! or hostile data. Pure functions: times are arguments, storage entries JSON values.
//! Randomised checks use a seeded xorshift, so a failure names its seed.

use calmly::engine::cases::{self, apply, case_id, clock, due_follow_ups, filter, load_cases, merge, new_case, Action, Case, Filter, NewCase};
use calmly::engine::stored::{export_settings, import_settings, load_settings, SETTINGS_SCHEMA};
use calmly::engine::Settings;
use serde_json::{json, Map, Value};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const MIN: f64 = 60_000.0;

fn complaint() -> NewCase {
    NewCase {
        url: "https://www.trustpilot.com/review/loja.example?page=2#review-42".into(),
        site: Some("trustpilot".into()),
        author: Some("Ana Souza".into()),
        text: "O pedido não chegou e ninguém responde.\n\nQuero o meu dinheiro de volta!".into(),
        posted: Some("2024-05-01T10:00:00Z".into()),
        language: Some("pt".into()),
        category: Some("delivery".into()),
        severity: Some("medium".into()),
        ..Default::default()
    }
}

fn has(warnings: &[String], what: &str) -> bool {
    warnings.iter().any(|w| w.contains(what))
}

// ------------------------------------------------------------------------ settings

#[test]
fn schema_0_settings_are_migrated_and_keep_every_value() {
    // Exactly what was stored before versioning.
    let old = json!({
        "brand": "Loja Exemplo", "agent": "Marta", "channels": {"email": "sac@loja.example", "phone": "", "link": ""},
        "compensation_allowed": true, "gesture": "um cupom de 10%", "fallback_language": "pt",
        "response_target_minutes": 120, "tone": "formal", "registers": {"es": "formal", "pt": "informal"}
    });
    let l = load_settings(&old);
    assert!(l.rewrite && l.backup.is_none() && l.warnings.is_empty(), "{l:?}");
    let s = &l.settings;
    assert_eq!((s.brand.as_str(), s.agent.as_str(), s.channels.email.as_str()), ("Loja Exemplo", "Marta", "sac@loja.example"));
    assert!(s.compensation_allowed);
    assert_eq!((s.gesture.as_str(), s.fallback_language.as_str(), s.response_target_minutes, s.tone.as_str()), ("um cupom de 10%", "pt", 120, "formal"));
    assert_eq!(s.registers.get("es").map(String::as_str), Some("formal"));
    assert_eq!(s.schema, SETTINGS_SCHEMA);
    assert_eq!((s.signature.as_str(), s.ui_language.as_str()), ("", ""));
    // Once rewritten it is current: nothing more to do.
    let again = load_settings(&export_settings(s));
    assert!(!again.rewrite && again.warnings.is_empty() && again.settings == *s, "{again:?}");
}

#[test]
fn old_settings_files_still_load_in_the_command_line() {
    let old = r#"{"brand": "Loja Exemplo", "tone": "brief", "registers": {"es": "formal"}}"#;
    let s: Settings = serde_json::from_str(old).unwrap();
    assert_eq!((s.brand.as_str(), s.tone.as_str(), s.response_target_minutes), ("Loja Exemplo", "brief", 60));
    assert!(s.enabled_sites.is_empty() && s.templates.is_empty());

    let dir = std::env::temp_dir().join(format!("calmly-cases-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("old-settings.json");
    std::fs::write(&file, old).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_calmly"))
        .args(["analyze", "--text", "--settings", file.to_str().unwrap(), "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all("O pedido não chegou e ninguém responde.".as_bytes())?;
            c.wait_with_output()
        })
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let text = v.pointer("/complaints/0/draft/text").or_else(|| v.pointer("/draft/text")).and_then(Value::as_str).unwrap_or_default().to_string();
    assert!(text.contains("Loja Exemplo"), "{v}");
}

#[test]
fn settings_from_a_newer_calmly_are_read_but_never_rewritten() {
    let raw = json!({"schema": 7, "brand": "Loja", "tone": "brief", "quantum_mode": {"on": true}});
    let l = load_settings(&raw);
    assert_eq!((l.settings.brand.as_str(), l.settings.tone.as_str()), ("Loja", "brief"));
    assert!(!l.rewrite && l.backup.is_none());
    assert!(has(&l.warnings, "newer Calmly"), "{:?}", l.warnings);
    assert_eq!(l.settings.schema, 7, "the caller can tell they came from a newer version");
    // Even with a damaged field, a newer value is left alone.
    let l = load_settings(&json!({"schema": 2, "brand": 5}));
    assert!(!l.rewrite && l.backup.is_none() && has(&l.warnings, "\"brand\""), "{l:?}");
}

#[test]
fn damaged_settings_keep_what_reads_and_name_what_was_reset() {
    let raw = json!({"brand": 5, "tone": "shouty", "registers": [], "agent": "Marta", "response_target_minutes": 90, "channels": {"email": "a@b.co", "phone": 7}});
    let l = load_settings(&raw);
    let s = &l.settings;
    assert_eq!((s.agent.as_str(), s.response_target_minutes, s.channels.email.as_str()), ("Marta", 90, "a@b.co"));
    assert_eq!((s.brand.as_str(), s.tone.as_str(), s.channels.phone.as_str()), ("", "warm", ""));
    assert!(s.registers.is_empty());
    assert_eq!(l.backup.as_ref(), Some(&raw));
    assert!(l.rewrite);
    for field in ["\"brand\"", "\"tone\"", "\"registers\"", "\"channels.phone\""] {
        assert!(has(&l.warnings, field), "{field} not named: {:?}", l.warnings);
    }
    assert!(!has(&l.warnings, "\"agent\""), "{:?}", l.warnings);

    for raw in [json!("garbage"), json!([]), json!(42), json!(true)] {
        let l = load_settings(&raw);
        assert_eq!(l.settings, Settings::default(), "{raw}");
        assert_eq!(l.backup.as_ref(), Some(&raw));
        assert!(l.rewrite && l.warnings.len() == 1 && l.warnings[0].contains("reset"), "{l:?}");
    }
}

#[test]
fn settings_values_are_validated() {
    let raw = json!({
        "schema": 1, "ui_language": "de", "response_target_minutes": 20000, "fallback_language": "xx",
        "registers": {"es": "usted", "pl": "formal", "zz": "formal"},
        "signature": "s".repeat(201), "compensation_when": "orders over 50 EUR, once per customer",
        "enabled_sites": {"trustpilot": false, "reclameaqui": "yes", "bad id!": true},
        "templates": {"pt": {"greeting": "Olá {name},", "closing": 5, "long": "x".repeat(2001)}, "de": {"greeting": "Hallo"}}
    });
    let l = load_settings(&raw);
    let s = &l.settings;
    assert_eq!((s.ui_language.as_str(), s.response_target_minutes, s.fallback_language.as_str(), s.signature.as_str()), ("", 60, "en", ""));
    assert_eq!(s.compensation_when, "orders over 50 EUR, once per customer");
    assert_eq!(s.registers.len(), 1);
    assert_eq!(s.enabled_sites.get("trustpilot"), Some(&false));
    assert_eq!(s.enabled_sites.len(), 1);
    assert_eq!(s.templates.get("pt").and_then(|t| t.get("greeting")).map(String::as_str), Some("Olá {name},"));
    assert_eq!(s.templates.get("pt").map(|t| t.len()), Some(1));
    assert!(!s.templates.contains_key("de"));
    for field in [
        "ui_language", "response_target_minutes", "fallback_language", "registers.es", "registers.zz", "signature", "enabled_sites.reclameaqui",
        "enabled_sites.bad id!", "templates.pt.closing", "templates.pt.long", "templates.de",
    ] {
        assert!(has(&l.warnings, &format!("\"{field}\"")), "{field} not named: {:?}", l.warnings);
    }
    assert!(l.rewrite && l.backup.is_some());
    // All valid: nothing to say.
    let ok = json!({"schema": 1, "ui_language": "ro", "response_target_minutes": 10080, "tone": "brief", "registers": {"ro": "formal"}});
    let l = load_settings(&ok);
    assert!(l.warnings.is_empty() && !l.rewrite, "{l:?}");
}

#[test]
fn settings_files_are_imported_and_exported() {
    let mut s = Settings { brand: "Loja".into(), signature: "Marta, Loja".into(), ui_language: "es".into(), ..Default::default() };
    s.templates.entry("es".into()).or_default().insert("greeting".into(), "Hola {name}:".into());
    let file = serde_json::to_string_pretty(&export_settings(&s)).unwrap();
    assert!(file.contains("\"schema\": 1"), "{file}");
    let l = import_settings(&format!("\u{feff}{file}")).unwrap();
    assert_eq!(l.settings, s);
    assert!(l.warnings.is_empty(), "{:?}", l.warnings);

    for (text, why) in [("brand=Loja\ntone=warm", "not valid JSON"), ("", "not valid JSON"), ("{\"brand\": ", "not valid JSON"), ("[1, 2]", "a list"), ("\"x\"", "text"), ("{\"cases\": []}", "none of its keys")] {
        let err = import_settings(text).unwrap_err();
        assert!(err.0.contains("not a Calmly settings file") && err.0.contains(why), "{text:?}: {err}");
    }
    // Keys it does not know are ignored, and said so.
    let l = import_settings(r#"{"brand": "Loja", "colour": "blue"}"#).unwrap();
    assert_eq!(l.settings.brand, "Loja");
    assert!(has(&l.warnings, "\"colour\""), "{:?}", l.warnings);
}

// ------------------------------------------------------------------------ cases

#[test]
fn case_ids_are_stable_short_and_distinct() {
    let c = complaint();
    let id = case_id(&c.url, c.author.as_deref(), &c.text);
    assert_eq!(id.len(), 16);
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
    // The same complaint seen again: another fragment, other whitespace, a longer reading.
    assert_eq!(id, case_id("https://www.trustpilot.com/review/loja.example?page=2", Some(" Ana Souza "), "O pedido  não chegou e ninguém responde. Quero o meu dinheiro de volta!"));
    assert_eq!(id, new_case(c.clone(), 1.0).id);
    let long = "palavra ".repeat(60);
    assert_eq!(case_id("u", None, &long), case_id("u", None, &format!("{long} e mais texto depois dos duzentos caracteres")));
    // Another complaint is another case.
    let others = [
        case_id("https://www.trustpilot.com/review/loja.example?page=3", c.author.as_deref(), &c.text),
        case_id(&c.url, Some("Bruno"), &c.text),
        case_id(&c.url, None, &c.text),
        case_id(&c.url, c.author.as_deref(), "O pedido chegou quebrado."),
    ];
    for (i, o) in others.iter().enumerate() {
        assert_ne!(&id, o, "variant {i}");
    }
    let mut seen = std::collections::HashSet::new();
    for i in 0..2000 {
        assert!(seen.insert(case_id("https://x.example/r", None, &format!("complaint number {i}"))), "collision at {i}");
    }
}

#[test]
fn a_new_case_starts_in_reconnaissance_and_moves_through_the_stages_in_order() {
    let mut c = new_case(complaint(), 1000.0);
    assert_eq!((c.stage.as_str(), c.first_seen, c.updated, c.schema), ("reconnaissance", 1000.0, 1000.0, 1));
    assert_eq!(c.posted_ms, Some(1_714_557_600_000.0));
    let mut seen = vec![c.stage.clone()];
    for t in 1..=5 {
        c.advance(1000.0 + f64::from(t));
        seen.push(c.stage.clone());
    }
    assert_eq!(seen, ["reconnaissance", "interaction", "resolution", "closing", "closed", "closed"]);
    assert_eq!((c.updated, c.stage_at), (1005.0, 1005.0));
    // Any stage can be set, a closed case reopened; a stage that does not exist cannot.
    c.set_stage("interaction", 2000.0).unwrap();
    assert_eq!(c.stage, "interaction");
    assert!(c.set_stage("done", 2001.0).is_err());
    assert_eq!((c.stage.as_str(), c.updated), ("interaction", 2000.0));
}

#[test]
fn using_the_public_reply_answers_the_complaint() {
    let c = new_case(complaint(), 0.0);
    let private = apply(&c, &Action::Draft { kind: "private".into(), chars: 300 }, 5.0).unwrap();
    assert_eq!(private.stage, "reconnaissance");
    let public = apply(&private, &Action::Draft { kind: "public".into(), chars: 212 }, 9.0).unwrap();
    assert_eq!(public.stage, "interaction");
    assert_eq!(public.drafts_used.iter().map(|d| (d.kind.as_str(), d.at, d.chars)).collect::<Vec<_>>(), [("private", 5.0, 300), ("public", 9.0, 212)]);
    // Later the public reply moves nothing back.
    let later = apply(&apply(&public, &Action::Advance, 20.0).unwrap(), &Action::Draft { kind: "public".into(), chars: 1 }, 30.0).unwrap();
    assert_eq!(later.stage, "resolution");
    assert!(apply(&c, &Action::Draft { kind: "tweet".into(), chars: 1 }, 1.0).is_err());
    assert!(apply(&c, &Action::Step { id: String::new() }, 1.0).is_err());
    assert!(apply(&c, &Action::Stage { stage: "archived".into() }, 1.0).is_err());
}

#[test]
fn steps_notes_and_reminders_are_edits_with_their_own_time() {
    let c = new_case(complaint(), 0.0);
    let c = apply(&c, &Action::Step { id: "gather_facts".into() }, 10.0).unwrap();
    let c = apply(&c, &Action::Step { id: "apologise".into() }, 11.0).unwrap();
    assert_eq!(c.steps_done, ["apologise", "gather_facts"]);
    let c = apply(&c, &Action::Step { id: "gather_facts".into() }, 12.0).unwrap();
    assert_eq!(c.steps_done, ["apologise"]);
    assert_eq!(c.steps.get("gather_facts").map(|m| (m.done, m.at)), Some((false, 12.0)));
    let c = apply(&c, &Action::Notes { text: "Ligar amanhã".into() }, 13.0).unwrap();
    let c = apply(&c, &Action::FollowUp { at: Some(99.0) }, 14.0).unwrap();
    assert_eq!((c.notes.as_str(), c.notes_at, c.follow_up, c.follow_up_at, c.updated), ("Ligar amanhã", 13.0, Some(99.0), 14.0, 14.0));
    let c = apply(&c, &Action::FollowUp { at: None }, 15.0).unwrap();
    assert_eq!(c.follow_up, None);
    let long = apply(&c, &Action::Notes { text: "ł".repeat(6000) }, 16.0).unwrap();
    assert_eq!(long.notes.chars().count(), cases::NOTES_CHARS);
}

#[test]
fn actions_read_from_json_as_the_sidebar_sends_them() {
    let read = |v: Value| Action::from_json(&v);
    assert_eq!(read(json!({"type": "advance"})), Ok(Action::Advance));
    assert_eq!(read(json!({"type": "stage", "stage": "closing"})), Ok(Action::Stage { stage: "closing".into() }));
    assert_eq!(read(json!({"type": "step", "id": "gather_facts"})), Ok(Action::Step { id: "gather_facts".into() }));
    assert_eq!(read(json!({"type": "draft", "kind": "public", "chars": 212.0})), Ok(Action::Draft { kind: "public".into(), chars: 212 }));
    assert_eq!(read(json!({"type": "notes", "text": "x"})), Ok(Action::Notes { text: "x".into() }));
    assert_eq!(read(json!({"type": "followUp", "at": 5})), Ok(Action::FollowUp { at: Some(5.0) }));
    assert_eq!(read(json!({"type": "followUp", "at": null})), Ok(Action::FollowUp { at: None }));
    for bad in [json!({"type": "explode"}), json!({"type": "stage"}), json!({"type": "followUp", "at": "soon"}), json!(null), json!([1])] {
        assert!(read(bad.clone()).is_err(), "{bad}");
    }
}

/// A random case history from `base`: what one tab does to it.
fn edit(rng: &mut Rng, base: &Case, t0: f64) -> Case {
    let mut c = base.clone();
    let steps = ["gather_facts", "apologise", "move_private", "confirm_fix"];
    for _ in 0..rng.below(8) {
        // Few distinct times, so that equal times (ties) happen.
        let now = t0 + rng.below(30) as f64;
        let action = match rng.below(7) {
            0 => Action::Advance,
            1 => Action::Stage { stage: cases::STAGES[rng.below(5)].into() },
            2 | 3 => Action::Step { id: steps[rng.below(steps.len())].into() },
            4 => Action::Draft { kind: cases::DRAFT_KINDS[rng.below(4)].into(), chars: rng.below(3) as u32 * 100 },
            5 => Action::Notes { text: ["", "call back", "refund sent", "ligar amanhã"][rng.below(4)].into() },
            _ => Action::FollowUp { at: [None, Some(500.0), Some(900.0)][rng.below(3)] },
        };
        c = apply(&c, &action, now).unwrap();
    }
    c
}

#[test]
fn merge_is_commutative_associative_and_idempotent() {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    for seed in 0..500 {
        let base = new_case(complaint(), 0.0);
        let a = edit(&mut rng, &base, 1.0);
        // The other tab: the same case, or the same complaint first seen there later.
        let other_base = if rng.below(4) == 0 { new_case(NewCase { category: Some("billing".into()), ..complaint() }, 5.0) } else { base.clone() };
        let b = edit(&mut rng, &other_base, 1.0);
        let c = edit(&mut rng, &base, 1.0);
        let ab = merge(&a, &b);
        assert_eq!(ab, merge(&b, &a), "seed {seed}: not commutative\na = {a:?}\nb = {b:?}");
        assert_eq!(merge(&a, &a), a, "seed {seed}: not idempotent");
        assert_eq!(merge(&ab, &b), ab, "seed {seed}: merging again changes it");
        assert_eq!(merge(&ab, &c), merge(&a, &merge(&b, &c)), "seed {seed}: not associative");
        assert_eq!(ab.first_seen, a.first_seen.min(b.first_seen));
        assert_eq!(ab.updated, a.updated.max(b.updated));
        assert_eq!(ab.steps_done, ab.steps.done());
        // Nothing either tab did is lost: every draft use of both is there.
        for d in a.drafts_used.iter().chain(&b.drafts_used) {
            assert!(ab.drafts_used.iter().any(|x| x.kind == d.kind && x.at == d.at), "seed {seed}: lost {d:?}");
        }
    }
}

#[test]
fn the_latest_write_per_field_wins() {
    let base = new_case(complaint(), 0.0);
    // Tab A ticks a step at t=10; tab B unticks it at t=20 (it had been ticked at 5).
    let ticked = apply(&base, &Action::Step { id: "gather_facts".into() }, 5.0).unwrap();
    let a = apply(&apply(&ticked, &Action::Step { id: "gather_facts".into() }, 8.0).unwrap(), &Action::Step { id: "gather_facts".into() }, 10.0).unwrap();
    let b = apply(&ticked, &Action::Step { id: "gather_facts".into() }, 20.0).unwrap();
    assert!(a.steps_done.contains(&"gather_facts".to_string()) && b.steps_done.is_empty());
    for m in [merge(&a, &b), merge(&b, &a)] {
        assert!(m.steps_done.is_empty(), "the later untick wins: {m:?}");
    }
    // A ticks at 30, after B's untick: now the tick wins.
    let a2 = apply(&b, &Action::Step { id: "gather_facts".into() }, 30.0).unwrap();
    assert_eq!(merge(&b, &a2).steps_done, ["gather_facts"]);

    // Tab A edits the notes at t=30; tab B advances the stage at t=25: both survive.
    let a = apply(&base, &Action::Notes { text: "Reembolso pedido ao financeiro".into() }, 30.0).unwrap();
    let b = apply(&base, &Action::Advance, 25.0).unwrap();
    for m in [merge(&a, &b), merge(&b, &a)] {
        assert_eq!((m.notes.as_str(), m.stage.as_str(), m.updated), ("Reembolso pedido ao financeiro", "interaction", 30.0));
    }
    // A stage set back later wins over an earlier advance.
    let a = apply(&apply(&base, &Action::Advance, 10.0).unwrap(), &Action::Advance, 11.0).unwrap();
    let b = apply(&base, &Action::Stage { stage: "reconnaissance".into() }, 12.0).unwrap();
    assert_eq!(merge(&a, &b).stage, "reconnaissance");
    // The same moment: the further stage wins, on either side.
    let a = apply(&base, &Action::Stage { stage: "resolution".into() }, 40.0).unwrap();
    let b = apply(&base, &Action::Stage { stage: "interaction".into() }, 40.0).unwrap();
    assert_eq!((merge(&a, &b).stage.as_str(), merge(&b, &a).stage.as_str()), ("resolution", "resolution"));
    // Reminders: the later setting, even a clearing, wins.
    let a = apply(&base, &Action::FollowUp { at: Some(1000.0) }, 50.0).unwrap();
    let b = apply(&a, &Action::FollowUp { at: None }, 60.0).unwrap();
    assert_eq!(merge(&a, &b).follow_up, None);
}

fn entry(c: &Case) -> Value {
    serde_json::to_value(c).unwrap()
}

#[test]
fn load_cases_keeps_migrates_repairs_and_sets_aside() {
    let valid = new_case(complaint(), 100.0);
    let other = new_case(NewCase { url: "https://x.example/1".into(), text: "Nunca chegou.".into(), ..Default::default() }, 200.0);
    let moved = new_case(NewCase { url: "https://x.example/2".into(), text: "Veio quebrado.".into(), ..Default::default() }, 300.0);
    let mut unversioned = entry(&other);
    unversioned.as_object_mut().unwrap().remove("schema");
    let mut newer = entry(&new_case(NewCase { url: "https://x.example/3".into(), text: "Cobrança dupla.".into(), ..Default::default() }, 400.0));
    newer["schema"] = json!(3);
    newer["hologram"] = json!({"x": 1});
    let newer_id = newer["id"].as_str().unwrap().to_string();
    let damaged_id = "00000000000000aa";
    let damaged = json!({"schema": 1, "id": damaged_id, "url": "https://x.example/4", "text": "Não resolveram.", "stage": 5, "notes": ["x"], "first_seen": 50, "updated": 60, "steps_done": ["gather_facts"]});

    let mut entries = Map::new();
    entries.insert("settings".into(), json!({"brand": "not a case"}));
    entries.insert(format!("case:{}", valid.id), entry(&valid));
    entries.insert(format!("case:{}", other.id), unversioned);
    entries.insert("case:wrongkey".into(), entry(&moved));
    entries.insert(format!("case:{newer_id}"), newer.clone());
    entries.insert(format!("case:{damaged_id}"), damaged.clone());
    entries.insert("case:broken".into(), json!("not even an object"));
    entries.insert("case:hopeless".into(), json!({"schema": 1, "id": "hopeless", "notes": "no url, no text"}));
    entries.insert("case:".into(), json!(null));

    let l = load_cases(&entries);
    let ids: Vec<&str> = l.cases.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(l.cases.len(), 5, "{ids:?}");
    for id in [valid.id.as_str(), other.id.as_str(), moved.id.as_str(), newer_id.as_str(), damaged_id] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    // Most recently updated first.
    assert!(l.cases.windows(2).all(|w| w[0].updated >= w[1].updated), "{ids:?}");

    let get = |id: &str| l.cases.iter().find(|c| c.id == id).unwrap();
    assert_eq!(get(&valid.id), &valid);
    assert_eq!(get(&other.id), &other, "migrated as it was, with the schema");
    assert_eq!(get(&newer_id).schema, 3, "shown as the newer version it is");
    let d = get(damaged_id);
    assert_eq!((d.stage.as_str(), d.notes.as_str(), d.first_seen, d.url.as_str()), ("reconnaissance", "", 50.0, "https://x.example/4"));
    assert_eq!(d.steps_done, ["gather_facts"], "steps kept from the list of ids");

    let rewritten: Vec<&str> = l.rewrite.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(rewritten.len(), 3, "{rewritten:?}");
    for id in [other.id.as_str(), moved.id.as_str(), damaged_id] {
        assert!(rewritten.contains(&id), "{id} not rewritten: {rewritten:?}");
    }
    let backed_up: Vec<&str> = l.backups.iter().map(|b| b.key.as_str()).collect();
    assert_eq!(backed_up.len(), 4, "{backed_up:?}");
    for key in [format!("case:{damaged_id}"), "case:broken".into(), "case:hopeless".into(), "case:".into()] {
        assert!(backed_up.contains(&key.as_str()), "{key} not backed up: {backed_up:?}");
    }
    assert_eq!(l.backups.iter().find(|b| b.key == format!("case:{damaged_id}")).unwrap().raw, damaged);
    let mut removed = l.remove.clone();
    removed.sort();
    assert_eq!(removed, ["case:", "case:broken", "case:hopeless", "case:wrongkey"]);

    let w = l.warnings.join("\n");
    assert!(w.contains("newer Calmly") && w.contains(&newer_id[..8]), "{w}");
    assert!(w.contains("stage") && w.contains("notes"), "the reset fields are named: {w}");
    assert!(w.contains("wrong key"), "{w}");
    assert!(w.contains("case:broken") && w.contains("case:hopeless"), "{w}");
    assert_eq!(l.warnings.len(), 6, "{w}");

    // Loading what was rewritten gives nothing more to do.
    let mut fixed = Map::new();
    for c in l.cases.iter().filter(|c| c.schema == 1) {
        fixed.insert(format!("case:{}", c.id), entry(c));
    }
    fixed.insert(format!("case:{newer_id}"), newer);
    let again = load_cases(&fixed);
    assert!(again.rewrite.is_empty() && again.backups.is_empty() && again.remove.is_empty() && again.warnings.len() == 1, "{again:?}");
}

#[test]
fn a_case_under_a_wrong_key_is_merged_with_its_own_and_never_written_over_a_newer_one() {
    let base = new_case(complaint(), 100.0);
    let a = apply(&base, &Action::Notes { text: "mine".into() }, 200.0).unwrap();
    let b = apply(&base, &Action::Advance, 150.0).unwrap();
    let mut entries = Map::new();
    entries.insert(format!("case:{}", base.id), entry(&a));
    entries.insert("case:stray".into(), entry(&b));
    let l = load_cases(&entries);
    assert_eq!(l.cases.len(), 1);
    assert_eq!((l.cases[0].notes.as_str(), l.cases[0].stage.as_str()), ("mine", "interaction"));
    assert_eq!(l.rewrite.len(), 1);
    assert_eq!(l.remove, ["case:stray"]);

    // The right key holds a case from a newer Calmly: the stray one stays where it is.
    let mut newer = entry(&a);
    newer["schema"] = json!(2);
    entries.insert(format!("case:{}", base.id), newer);
    let l = load_cases(&entries);
    assert!(l.rewrite.is_empty() && l.remove.is_empty(), "{l:?}");
    assert_eq!(l.cases.len(), 1);
    assert_eq!(l.cases[0].schema, 2);
}

#[test]
fn hostile_storage_never_panics() {
    const INTS: [i64; 6] = [0, 1, 2, -1, 9_007_199_254_740_993, u32::MAX as i64 + 1];
    const FLOATS: [f64; 4] = [0.5, -1e300, 1e300, f64::MIN_POSITIVE];
    const STRINGS: [&str; 6] = ["", "reconnaissance", "public", "ł\u{0}\u{202e}", "=1+1", "2024-02-30T25:61"];
    fn random_value(rng: &mut Rng, depth: usize) -> Value {
        let keys = ["schema", "id", "url", "text", "stage", "steps", "steps_done", "drafts_used", "notes", "first_seen", "updated", "follow_up", "brand", "tone", "registers", "templates", "channels", "pt", "done", "at", "kind", "chars"];
        match rng.below(if depth > 3 { 6 } else { 8 }) {
            0 => Value::Null,
            1 => json!(rng.below(2) == 0),
            2 => json!(INTS[rng.below(INTS.len())]),
            3 => json!(FLOATS[rng.below(FLOATS.len())]),
            4 => json!("x".repeat(600)),
            5 => json!(STRINGS[rng.below(STRINGS.len())]),
            6 => Value::Array((0..rng.below(4)).map(|_| random_value(rng, depth + 1)).collect()),
            _ => Value::Object((0..rng.below(8)).map(|_| (keys[rng.below(keys.len())].to_string(), random_value(rng, depth + 1))).collect()),
        }
    }
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..3000 {
        let v = random_value(&mut rng, 0);
        let l = load_settings(&v);
        assert!(l.settings.response_target_minutes >= 1);
        let _ = import_settings(&v.to_string());
        let mut entries = Map::new();
        for i in 0..rng.below(4) {
            entries.insert(format!("case:{i}"), random_value(&mut rng, 0));
        }
        let l = load_cases(&entries);
        for c in &l.cases {
            let _ = clock(c, 1e12, 60);
            let _ = cases::to_csv(std::slice::from_ref(c));
            let _ = merge(c, c);
        }
        let _ = Action::from_json(&v);
        let _ = cases::read_case(&v, "k");
    }
    for s in ["", "2024", "2024-01-01T", "2024-01-01T10", "2024-01-01T10:00+", "2024-01-01T10:00+1", "9999-12-31T23:59:59.999999Z", "0000-01-01", "ąęśćżźółń"] {
        let _ = cases::parse_iso(s);
    }
    for ms in [f64::NAN, f64::INFINITY, -1.0, 0.0, 253_402_300_799_999.0, 1e20] {
        let _ = cases::format_iso(ms);
    }
}

#[test]
fn csv_is_quoted_and_guarded_against_formulas() {
    let mut c = new_case(
        NewCase {
            url: "https://x.example/r?a=1,b=2".into(),
            author: Some("=HYPERLINK(\"http://evil\",\"click\")".into()),
            text: "Disse \"nunca mais\",\nporque o pedido não chegou".into(),
            posted: Some("2024-05-01".into()),
            category: Some("delivery".into()),
            ..Default::default()
        },
        1_714_557_600_000.0,
    );
    c = apply(&c, &Action::Notes { text: "+48 600 700 800; @ligar".into() }, 1_714_557_660_000.0).unwrap();
    c = apply(&c, &Action::Step { id: "gather_facts".into() }, 1_714_557_670_000.0).unwrap();
    c = apply(&c, &Action::Step { id: "apologise".into() }, 1_714_557_680_000.0).unwrap();
    c = apply(&c, &Action::Draft { kind: "public".into(), chars: 200 }, 1_714_557_690_000.0).unwrap();
    let mut d = new_case(NewCase { url: "-1".into(), text: "@everyone\tfix".into(), ..Default::default() }, 0.0);
    d.follow_up = Some(1_714_600_000_000.0);
    let csv = cases::to_csv(&[c.clone(), d]);
    assert!(csv.starts_with('\u{feff}'), "byte order mark, for spreadsheets");
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').split("\r\n").collect();
    assert_eq!(lines[0], "id,url,site,author,text,posted,first_seen,stage,steps_done,drafts_used,notes,language,category,severity,follow_up");
    let row = lines[1..3].join("\r\n");
    assert!(row.starts_with(&format!("{},\"https://x.example/r?a=1,b=2\",,\"'=HYPERLINK(\"\"http://evil\"\",\"\"click\"\")\",", c.id)), "{row}");
    assert!(row.contains("\"Disse \"\"nunca mais\"\",\nporque o pedido não chegou\""), "{row}");
    assert!(row.contains(",2024-05-01,2024-05-01T10:00:00Z,interaction,apologise;gather_facts,1,'+48 600 700 800; @ligar,,delivery,,"), "{row}");
    assert!(csv.contains(",'-1,") && csv.contains(",'@everyone\tfix,"), "{csv}");
    assert!(csv.ends_with(",2024-05-01T21:46:40Z\r\n"), "{csv}");
    assert_eq!(csv.matches("\r\n").count(), 3);
}

#[test]
fn json_export_has_the_schema_and_every_case() {
    let c = new_case(complaint(), 5.0);
    let v: Value = serde_json::from_str(&cases::to_json(std::slice::from_ref(&c))).unwrap();
    assert_eq!(v["schema"], json!(1));
    assert_eq!(v["cases"][0]["id"], json!(c.id));
    assert!(cases::to_json(&[]).contains("\"cases\": []"));
}

#[test]
fn the_clock_runs_from_the_post_when_known_else_from_first_sight() {
    let now = 1_714_557_600_000.0 + 157.0 * MIN; // seed 001: 157 minutes, the average response
    let c = new_case(complaint(), 1_714_557_600_000.0 + 100.0 * MIN);
    let k = clock(&c, now, 60);
    assert_eq!((k.minutes, k.target, k.overdue, k.since), (157, 60, true, "posted"));
    let answered = apply(&c, &Action::Draft { kind: "public".into(), chars: 100 }, now).unwrap();
    assert!(!clock(&answered, now, 60).overdue, "answered: no longer overdue");

    let undated = new_case(NewCase { posted: Some("2 hours ago".into()), ..complaint() }, now - 30.0 * MIN);
    let k = clock(&undated, now, 60);
    assert_eq!((k.minutes, k.overdue, k.since), (30, false, "first_seen"));
    let aged = new_case(NewCase { posted: None, age_minutes: Some(120), ..complaint() }, now - 30.0 * MIN);
    let k = clock(&aged, now, 60);
    assert_eq!((k.minutes, k.overdue, k.since), (150, true, "posted"));
    let k = clock(&aged, now, 240);
    assert!(!k.overdue);
    // A post dated in the future (clock skew) counts as zero.
    let future = new_case(NewCase { posted: Some("2999-01-01".into()), ..complaint() }, now);
    assert_eq!(clock(&future, now, 60).minutes, 0);
    let offset = new_case(NewCase { posted: Some("2024-05-01T12:00:00+02:00".into()), ..complaint() }, now);
    assert_eq!(clock(&offset, now, 60).minutes, 157);
}

#[test]
fn filters_and_reminders() {
    let now = 10_000.0 * MIN;
    let a = new_case(NewCase { posted: None, ..complaint() }, now - 500.0 * MIN);
    let b = apply(&new_case(NewCase { url: "https://x.example/b".into(), site: Some("reclameaqui".into()), text: "Cobrança em dobro".into(), ..Default::default() }, now - 10.0 * MIN), &Action::Notes { text: "Estorno SOLICITADO".into() }, now).unwrap();
    let c = apply(&apply(&new_case(NewCase { url: "https://x.example/c".into(), text: "Tudo certo".into(), ..Default::default() }, now - 900.0 * MIN), &Action::FollowUp { at: Some(now - 1.0) }, now).unwrap(), &Action::Advance, now).unwrap();
    let d = apply(&new_case(NewCase { url: "https://x.example/d".into(), text: "Outra".into(), ..Default::default() }, 0.0), &Action::FollowUp { at: Some(now - 5.0) }, now).unwrap();
    let closed = apply(&apply(&d, &Action::Stage { stage: "closed".into() }, now).unwrap(), &Action::FollowUp { at: Some(1.0) }, now).unwrap();
    let all = vec![a.clone(), b.clone(), c.clone(), d.clone(), closed];
    let ids = |v: Vec<Case>| v.into_iter().map(|c| c.id).collect::<Vec<_>>();
    assert_eq!(ids(filter(&all, &Filter { site: Some("reclameaqui".into()), ..Default::default() }, now, 60)), [b.id.as_str()]);
    assert_eq!(ids(filter(&all, &Filter { stage: Some("interaction".into()), ..Default::default() }, now, 60)), [c.id.as_str()]);
    assert_eq!(ids(filter(&all, &Filter { text: Some("solicitado".into()), ..Default::default() }, now, 60)), [b.id.as_str()], "notes, any case");
    assert_eq!(ids(filter(&all, &Filter { text: Some("cobranca".into()), ..Default::default() }, now, 60)), [b.id.as_str()], "any accent");
    assert_eq!(ids(filter(&all, &Filter { text: Some("ana".into()), ..Default::default() }, now, 60)), [a.id.as_str()], "author");
    let overdue = ids(filter(&all, &Filter { overdue_only: true, ..Default::default() }, now, 60));
    assert!(overdue.contains(&a.id) && overdue.contains(&d.id) && !overdue.contains(&b.id) && !overdue.contains(&c.id), "{overdue:?}");
    assert_eq!(filter(&all, &Filter { stage: Some(String::new()), site: Some(" ".into()), ..Default::default() }, now, 60).len(), 5, "empty means any");
    assert_eq!(filter(&all, &Filter::from_json(&json!({"stage": "closed", "overdue_only": "yes"})), now, 60).len(), 1);
    assert_eq!(due_follow_ups(&all, now), [d.id.clone(), c.id.clone()], "soonest first; a closed case has no reminder");
    assert!(due_follow_ups(&all, now - 10.0).is_empty());
}

#[test]
fn new_cases_read_leniently_from_json() {
    let n = NewCase::from_json(&json!({"url": "https://x.example", "text": "Nunca chegou", "author": 5, "age_minutes": 30.0, "language": "pt"}));
    assert_eq!((n.url.as_str(), n.text.as_str(), n.author, n.age_minutes, n.language.as_deref()), ("https://x.example", "Nunca chegou", None, Some(30), Some("pt")));
    assert_eq!(NewCase::from_json(&json!(null)), NewCase::default());
}

// ------------------------------------------------------------------ oversized entries

#[test]
fn oversized_settings_values_are_reset_with_a_copy_and_templates_are_capped() {
    use calmly::engine::stored::{NAME_MAX, SITES_MAX, TEMPLATES_CHARS, TEMPLATES_MAX, TEXT_MAX};
    // A megabyte in one value (as a runaway import or another extension might leave).
    let huge = "ä".repeat(1 << 20);
    let mut templates = Map::new();
    for i in 0..TEMPLATES_MAX + 20 {
        templates.insert(format!("t{i:03}"), json!("y".repeat(250)));
    }
    let short: Map<String, Value> = (0..TEMPLATES_MAX + 20).map(|i| (format!("s{i:03}"), json!("short"))).collect();
    let sites: Map<String, Value> = (0..SITES_MAX + 5).map(|i| (format!("site{i:04}"), json!(false))).collect();
    let raw = json!({
        "schema": 1, "brand": "Loja", "agent": huge, "compensation_when": "z".repeat(TEXT_MAX + 1),
        "templates": {"pt": templates, "en": short, "es": {"ok": "Hola"}}, "enabled_sites": sites,
    });
    let l = load_settings(&raw);
    let s = &l.settings;
    assert_eq!((s.brand.as_str(), s.agent.as_str(), s.compensation_when.as_str()), ("Loja", "", ""), "oversized values reset, the rest kept");
    assert_eq!(l.backup.as_ref(), Some(&raw), "the whole value is kept, the megabyte too");
    assert!(l.rewrite);
    for field in ["\"agent\"", "\"compensation_when\"", "\"templates.pt\"", "enabled_sites.site0200"] {
        assert!(has(&l.warnings, field), "{field} not named: {:?}", l.warnings);
    }
    assert!(has(&l.warnings, &format!("longer than {NAME_MAX} characters")), "{:?}", l.warnings);
    let pt = &s.templates["pt"];
    let chars: usize = pt.values().map(|t| t.chars().count()).sum();
    assert!(pt.len() <= TEMPLATES_MAX && chars <= TEMPLATES_CHARS, "{} templates, {chars} characters", pt.len());
    assert_eq!(pt.len(), TEMPLATES_CHARS / 250, "kept in name order up to the character cap");
    assert!(pt.contains_key("t000") && !pt.contains_key("t119"));
    assert_eq!(s.templates["en"].len(), TEMPLATES_MAX, "and up to the count cap");
    assert!(has(&l.warnings, "\"templates.en\""), "{:?}", l.warnings);
    assert_eq!(s.templates["es"]["ok"], "Hola");
    assert_eq!(s.enabled_sites.len(), SITES_MAX);
    // What is stored after the repair loads without a word.
    let again = load_settings(&export_settings(s));
    assert!(again.warnings.is_empty() && !again.rewrite && again.backup.is_none(), "{again:?}");
    // At the caps exactly: nothing to say.
    let at = json!({"schema": 1, "agent": "a".repeat(NAME_MAX), "compensation_when": "ł".repeat(TEXT_MAX)});
    assert!(load_settings(&at).warnings.is_empty());
}

#[test]
fn oversized_case_fields_are_cut_to_their_caps_with_the_whole_entry_backed_up() {
    use cases::{DRAFTS_MAX, EXCERPT_CHARS, FIELD_CHARS, NOTES_CHARS, STEPS_MAX, URL_CHARS};
    let base = new_case(complaint(), 1000.0);
    let mut raw = entry(&base);
    let notes = format!("{}THE END", "Ligou o cliente; ".repeat(40_000)); // ~680 000 characters
    raw["notes"] = json!(notes);
    raw["url"] = json!(format!("https://x.example/?q={}", "u".repeat(URL_CHARS)));
    raw["author"] = json!("Ana".repeat(FIELD_CHARS));
    raw["text"] = json!("ó".repeat(EXCERPT_CHARS * 3));
    let steps: Map<String, Value> = (0..STEPS_MAX + 36).map(|i| (format!("step_{i:03}"), json!({"done": true, "at": 1000 + i}))).collect();
    raw["steps"] = json!(steps);
    raw["drafts_used"] = json!((0..DRAFTS_MAX + 50).map(|i| json!({"kind": "public", "at": 2000 + i, "chars": 100})).collect::<Vec<_>>());
    raw["junk"] = json!("j".repeat(100_000));
    let key = format!("case:{}", base.id);
    let mut entries = Map::new();
    entries.insert(key.clone(), raw.clone());
    let l = load_cases(&entries);
    assert_eq!(l.cases.len(), 1);
    let c = &l.cases[0];
    assert_eq!(c.notes.chars().count(), NOTES_CHARS);
    assert!(notes.starts_with(&c.notes), "the notes are cut, not replaced");
    assert_eq!(c.url.chars().count(), URL_CHARS);
    assert_eq!(c.author.as_deref().map(|a| a.chars().count()), Some(FIELD_CHARS));
    assert_eq!(c.text.chars().count(), EXCERPT_CHARS);
    assert_eq!(c.steps.len(), STEPS_MAX);
    assert_eq!(c.drafts_used.len(), DRAFTS_MAX);
    assert_eq!(c.drafts_used.last().map(|d| d.at), Some(2000.0 + (DRAFTS_MAX + 49) as f64), "the latest draft uses are the ones kept");
    assert_eq!((c.id.as_str(), c.stage.as_str()), (base.id.as_str(), "reconnaissance"), "what was within its cap is kept");
    // The whole entry as it was goes to the backup, the megabyte of notes and the unknown field too.
    assert_eq!(l.backups.len(), 1);
    assert_eq!((l.backups[0].key.as_str(), &l.backups[0].raw), (key.as_str(), &raw));
    assert_eq!(l.rewrite.len(), 1);
    assert!(l.remove.is_empty(), "the key is rewritten, not removed");
    let w = l.warnings.join("\n");
    for f in ["notes", "url", "text", "steps", "drafts_used", "fields this version does not know", "too large", "copy"] {
        assert!(w.contains(f), "{f} not in {w}");
    }
    // The repaired case is within every cap: it loads without a word, and stays small.
    let stored = entry(&l.rewrite[0]);
    assert!(stored.to_string().len() < 64 * 1024, "{} bytes", stored.to_string().len());
    let mut again = Map::new();
    again.insert(key, stored);
    let again = load_cases(&again);
    assert!(again.warnings.is_empty() && again.backups.is_empty() && again.rewrite.is_empty(), "{again:?}");
}

#[test]
fn a_case_never_grows_past_its_caps_through_edits_or_merges() {
    use cases::{DRAFTS_MAX, FIELD_CHARS, NOTES_CHARS, URL_CHARS};
    // A hostile page: a huge author and url.
    let mut input = complaint();
    input.author = Some("A".repeat(10_000));
    input.url = format!("https://x.example/{}", "p".repeat(10_000));
    let mut a = new_case(input, 0.0);
    assert_eq!((a.author.as_deref().map(str::len), a.url.chars().count()), (Some(FIELD_CHARS), URL_CHARS), "a new case is within its caps");
    let mut b = a.clone();
    for i in 0..DRAFTS_MAX {
        a = apply(&a, &Action::Draft { kind: "public".into(), chars: 10 }, 1.0 + i as f64).unwrap();
        b = apply(&b, &Action::Draft { kind: "private".into(), chars: 10 }, 1.5 + i as f64).unwrap();
    }
    let m = merge(&a, &b);
    assert_eq!(m.drafts_used.len(), DRAFTS_MAX, "the union keeps the latest");
    assert_eq!(m.drafts_used.last().map(|d| d.kind.as_str()), Some("private"));
    let long = apply(&a, &Action::Notes { text: "n".repeat(NOTES_CHARS + 10) }, 500.0).unwrap();
    assert_eq!(long.notes.len(), NOTES_CHARS);
    // Nothing the engine writes is flagged when read back.
    let mut entries = Map::new();
    entries.insert(format!("case:{}", m.id), entry(&m));
    assert!(load_cases(&entries).warnings.is_empty());
}
