//! Hostile and odd input through the whole engine: no panic (a panic kills the wasm
//! instance), and the invariants of every draft hold. A seeded generator mixes the
//! characters that broke text code before — multi-byte spaces (a no-break space panicked
//! language ID), combining marks, right-to-left text, emoji with joiners, handles, links,
//! braces, digits — with real complaint fragments in the five languages. Deterministic,
//! so a failure names its seed; `cargo fuzz` (issue 7) runs the same targets for longer.

use calmly::engine::check::Input;
use calmly::engine::lang::DRAFT_LANGUAGES;
use calmly::engine::{engine, Settings, SnapshotItem};

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

const PIECES: &[&str] = &[
    "\u{a0}", "\u{2003}", "\u{3000}", "\u{200b}", "\u{200d}", "\u{feff}", "e\u{301}", "\u{302}", "ש", "مرحبا", "\u{202e}", "👨‍👩‍👧", "🆘",
    "💥", "@", "@brand", "#", "#tag", "https://t.co/x", "www.a.b/c", "{name}", "{", "}", "[x]", "<b>", "</script>", "&amp;", "\"", "“", "„",
    "«", "»", "'", "!", "!!!", "?", ".", ",", ";", ":", "\n", "\r\n", "\t", " ", "  ", "0", "12345678901", "529.982.247-25", "+48 600 700 800",
    "a@b.co", "ĄĘŁ", "ș", "ş", "ț", "ã", "ñ", "ß", "İ", "ǅ", "ﬁ", "Ⅻ", "NÃO RECEBI", "não recebi o pedido", "veio quebrado", "quero meu dinheiro de volta",
    "no me han devuelto el dinero", "nie dotarło", "zwrot pieniędzy", "nu a ajuns", "produsul e stricat", "never arrived", "refund", "lawyer",
    "Procon", "UOKiK", "ANPC", "5 stars if you give me", "😡", "\u{0}", "\u{7f}", "\u{fffd}", "\u{10ffff}", "a",
];

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
        assert!(a.language == "und" || DRAFT_LANGUAGES.contains(&a.language.as_str()) || ["it", "fr", "de"].contains(&a.language.as_str()), "{at}: language {}", a.language);
        assert!(DRAFT_LANGUAGES.contains(&a.draft.language.as_str()), "{at}: draft language {}", a.draft.language);
        let (limit, unit, _) = e.platform(platform);
        if limit > 0 {
            assert!(calmly::engine::draft::measure(&a.draft.text, unit) <= limit, "{at}: over the limit: {}", a.draft.text);
        }
        assert!((0.0..=1.0).contains(&a.complaint_score) && (0.0..=1.0).contains(&a.severity_score), "{at}");
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
        for (what, msg) in [("public", &a.draft.text), ("private", &a.draft.private), ("resolution", &a.draft.resolution), ("closing", &a.draft.closing)] {
            // Only the hostile values themselves may contain braces.
            let cleaned = msg.replace("{agent}", "").replace("{brand}{name}", "").replace("{gesture}", "").replace("{quote}", "");
            assert!(!cleaned.contains('{') && !cleaned.contains('}'), "{text}: {what}: {msg}");
        }
    }
}
