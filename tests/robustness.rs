//! Hostile and odd input through the whole engine: no panic (a panic kills the wasm
//! instance), and the invariants of every draft hold. A seeded generator mixes the
//! characters that broke text code before — multi-byte spaces (a no-break space panicked
//! language ID), combining marks, right-to-left text, emoji with joiners, handles, links,
//! braces, digits — with real complaint fragments in the five languages. Deterministic,
//! so a failure names its seed; `cargo fuzz` (issue 7, `fuzz/`, docs/FUZZING.md) checks the
//! same invariants (`calmly::fuzzing`) for longer.

use calmly::engine::check::Input;
use calmly::engine::{engine, Settings, SnapshotItem};
// The pieces and the invariants are shared with the fuzz targets and the property tests.
use calmly::fuzzing::{assert_analysis, PIECES};

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

fn random_text(rng: &mut Rng) -> String {
    let n = rng.below(40);
    let mut s = String::new();
    for _ in 0..n {
        s.push_str(PIECES[rng.below(PIECES.len())]);
        if rng.below(3) == 0 {
            s.push(' ');
        }
    }
    s
}

#[test]
fn random_hostile_text_never_panics_and_drafts_keep_their_invariants() {
    let e = engine().unwrap();
    let platforms = ["x", "google_play", "google_business", "reclameaqui", "web", "nonexistent"];
    let mut rng = Rng(0x9e3779b97f4a7c15);
    for i in 0..3000 {
        let text = random_text(&mut rng);
        let author = if rng.below(2) == 0 { Some(random_text(&mut rng)) } else { None };
        let platform = platforms[rng.below(platforms.len())];
        let mut settings = Settings { brand: random_text(&mut rng), agent: random_text(&mut rng), ..Default::default() };
        settings.compensation_allowed = rng.below(2) == 0;
        settings.gesture = random_text(&mut rng);
        settings.tone = ["warm", "formal", "brief", "???"][rng.below(4)].into();
        let item = SnapshotItem { text: text.clone(), author, platform: Some(platform.into()), age_minutes: Some(rng.below(10_000) as u32), ..Default::default() };
        let a = e.analyze_item(&item, &settings);
        let at = format!("case {i}: {text:?}");
        // Languages, scores, no unfilled placeholder, within the limit (`calmly::fuzzing`).
        assert_analysis(e, &item, &settings, &a, &at);
        let (limit, unit, _) = e.platform(platform);
        // The check never panics on what the user might type either.
        let _ = e.check_reply(&Input { text: &text, language: "pt", complaint_language: &a.language, public: true, limit, unit, ..Default::default() });
    }
}

#[test]
fn drafts_never_show_an_unfilled_variable_even_with_hostile_settings() {
    let e = engine().unwrap();
    // Names and brands that look like template variables are inserted as text, never expanded.
    let settings = Settings { brand: "{agent}".into(), agent: "{brand}{name}".into(), gesture: "{gesture}".into(), compensation_allowed: true, ..Default::default() };
    for text in ["O pedido não chegou", "My order never arrived and nobody answers", "Zamówienie nie dotarło", "Comanda nu a ajuns", "El pedido no llegó"] {
        let item = SnapshotItem { text: text.into(), author: Some("{quote} Ana".into()), ..Default::default() };
        let a = e.analyze_item(&item, &settings);
        assert_analysis(e, &item, &settings, &a, text);
        for (what, msg) in [("public", &a.draft.text), ("private", &a.draft.private), ("resolution", &a.draft.resolution), ("closing", &a.draft.closing)] {
            // Only the hostile values themselves may contain braces.
            let cleaned = msg.replace("{agent}", "").replace("{brand}{name}", "").replace("{gesture}", "").replace("{quote}", "");
            assert!(!cleaned.contains('{') && !cleaned.contains('}'), "{text}: {what}: {msg}");
        }
    }
}

#[test]
fn a_fallback_language_we_do_not_draft_in_gives_english_and_says_so() {
    // Settings read without validation (`calmly analyze --settings`, the wasm API) may name
    // any fallback; the draft used to declare `xx` (or `fr`) over an English text. Found by
    // the fuzz seed fuzz/seeds/snapshot/regression-fallback-language.bin.
    let e = engine().unwrap();
    for fallback in ["xx", "fr", ""] {
        let settings = Settings { fallback_language: fallback.into(), ..Default::default() };
        let item = SnapshotItem { text: "Je n'ai jamais reçu ma commande et personne ne répond.".into(), ..Default::default() };
        let a = e.analyze_item(&item, &settings);
        assert_eq!((a.language.as_str(), a.draft.language.as_str()), ("fr", "en"), "fallback {fallback:?}");
        assert_analysis(e, &item, &settings, &a, fallback);
    }
}
