//! Property tests (issue 7): for arbitrary texts — real complaint fragments in the five
//! languages mixed with arbitrary Unicode — and arbitrary settings and names, every draft
//! keeps its invariants: no unfilled placeholder, in the requested language, within the
//! platform's limit in the platform's unit, never cut mid-sentence. The invariants are the
//! engine's own definitions (`calmly::fuzzing`, shared with the fuzz targets and
//! `tests/robustness.rs`); limits come from `data/platforms.toml` through `Engine::platform`.
//!
//! Case counts are kept moderate so `cargo test` stays fast; `cargo fuzz` (docs/FUZZING.md)
//! runs the same checks for longer. A failure prints the shrunk input.

use calmly::engine::draft::Tone;
use calmly::engine::engine;
use calmly::engine::lang::DRAFT_LANGUAGES;
use calmly::engine::{Settings, SnapshotItem};
use calmly::fuzzing::{self, assert_analysis, COMPLAINTS, PIECES, SEP};
use proptest::prelude::*;
use proptest::sample::select;

/// The sentences of the five languages' complaints.
fn sentences() -> Vec<&'static str> {
    COMPLAINTS.iter().flat_map(|(_, t)| t.split(". ")).collect()
}

/// A piece of text: a hostile piece, a complaint sentence, or arbitrary characters.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => select(PIECES).prop_map(str::to_string),
        3 => select(sentences()).prop_map(str::to_string),
        2 => prop::collection::vec(any::<char>(), 0..8).prop_map(String::from_iter),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(fragment(), 0..16).prop_map(|v| v.join(" "))
}

/// A name, brand, gesture or contact: ordinary, template-like, or arbitrary and long.
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::collection::vec(fragment(), 0..4).prop_map(|v| v.concat()),
        2 => select(&["{name}", "{brand}{agent}", "{gesture}", "[Nome do cliente]", "<agent>", "XXX", "TODO", "Ana", "@ana_souza", "Łukasz Żółć", ""][..]).prop_map(str::to_string),
        1 => prop::collection::vec(any::<char>(), 0..400).prop_map(String::from_iter),
        1 => (select(PIECES), 1..300usize).prop_map(|(p, n)| p.repeat(n)),
    ]
}

fn settings() -> impl Strategy<Value = Settings> {
    (
        [name(), name(), name(), name(), name(), name()],
        any::<bool>(),
        select(&DRAFT_LANGUAGES[..]),
        select(&Tone::ALL[..]),
        select(&["", "informal", "formal"][..]),
    )
        .prop_map(|([brand, agent, gesture, email, phone, link], compensation_allowed, fallback, tone, register)| {
            let mut s = Settings { brand, agent, gesture, compensation_allowed, fallback_language: fallback.into(), tone: tone.into(), ..Default::default() };
            s.channels.email = email;
            s.channels.phone = phone;
            s.channels.link = link;
            if !register.is_empty() {
                s.registers = DRAFT_LANGUAGES.iter().map(|l| (l.to_string(), register.to_string())).collect();
            }
            s
        })
}

/// Every platform of `data/platforms.toml`, a plain web page and an unknown one.
fn platforms() -> Vec<String> {
    fuzzing::platforms(engine().unwrap()).into_iter().map(str::to_string).collect()
}

/// What carries no language: spaces, emoji, punctuation, digits, controls.
fn noise() -> impl Strategy<Value = String> {
    let pieces: Vec<&str> = PIECES.iter().copied().filter(|p| !p.chars().any(char::is_alphabetic)).collect();
    prop::collection::vec(select(pieces), 0..8).prop_map(|v| v.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Any text, any names, any platform: the analysis and all four messages keep their
    /// invariants (languages, no unfilled placeholder, within the limit).
    #[test]
    fn every_draft_keeps_its_invariants(
        text in text(),
        title in proptest::option::of(fragment()),
        author in proptest::option::of(name()),
        settings in settings(),
        platform in select(platforms()),
    ) {
        let e = engine().unwrap();
        let item = SnapshotItem { text, title, author, platform: Some(platform), ..Default::default() };
        let a = e.analyze_item(&item, &settings);
        assert_analysis(e, &item, &settings, &a, "property");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]

    /// A complaint in each language, with noise and hostile names: every draft, for every
    /// tone and platform, is in the complaint's language and keeps its invariants.
    #[test]
    fn drafts_are_in_the_requested_language_for_every_tone_and_platform(
        (lang, complaint) in select(&COMPLAINTS[..]),
        before in noise(),
        after in noise(),
        author in name(),
        settings in settings(),
    ) {
        let e = engine().unwrap();
        let text = format!("{before} {complaint} {after}");
        for tone in Tone::ALL {
            for platform in platforms() {
                let settings = Settings { tone: tone.into(), ..settings.clone() };
                let item = SnapshotItem { text: text.clone(), author: Some(author.clone()), platform: Some(platform.clone()), ..Default::default() };
                let a = e.analyze_item(&item, &settings);
                prop_assert_eq!(&a.language, lang);
                prop_assert_eq!(&a.draft.language, lang);
                assert_analysis(e, &item, &settings, &a, &format!("{lang} {tone} {platform}"));
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    /// Template rendering with hostile names (`calmly::fuzzing::render`): every draft
    /// language × register × tone × platform limit × message has no unfilled placeholder,
    /// fits the limit, is whole sentences, and its own words read as its language.
    #[test]
    fn template_rendering_keeps_its_invariants_for_every_language_tone_and_platform(
        name in name(),
        ctrl in any::<[u8; 8]>(),
        values in [name(), name(), name(), name(), name(), name(), name()],
    ) {
        // The render target's input: fields separated by 0xFF (docs/FUZZING.md).
        let ctrl: Vec<u8> = ctrl.iter().map(|&b| b.min(SEP - 1)).collect();
        let mut data = name.into_bytes();
        data.push(SEP);
        data.extend(ctrl);
        for v in values {
            data.push(SEP);
            data.extend(v.into_bytes());
        }
        fuzzing::render(&data);
    }
}
