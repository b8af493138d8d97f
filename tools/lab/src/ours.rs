//! Every call into the engine lives here, so the tables follow the engine as it changes.

use calmly::engine::{engine, text::tokenize, Engine, Settings, SnapshotItem};

use crate::data::Sample;

/// What the engine says about one sample.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    pub language: String,
    pub is_complaint: bool,
    pub complaint_score: f32,
    pub category: String,
    pub severity: String,
    pub severity_score: f32,
    /// The draft's kind: "complaint", "thanks" (praise), "question" or "policy" (bad faith).
    pub reply: String,
    /// Bad faith, and which: "extortion" (a demand tied to the rating) or "abuse".
    pub bad_faith: Option<&'static str>,
}

fn the_engine() -> &'static Engine {
    engine().unwrap_or_else(|e| panic!("the engine does not load: {e}"))
}

/// Builds the engine (compiled knowledge, detector) so that timings exclude it.
pub fn warm_up() -> Result<(), String> {
    engine().map(|_| ()).map_err(|e| e.to_string())
}

/// The item the engine is given: the text and the title, never the rating (that would
/// leak the label).
pub fn item_for(sample: &Sample) -> SnapshotItem {
    SnapshotItem { id: "1".into(), text: sample.text.clone(), title: sample.title.clone(), ..Default::default() }
}

/// The engine's full analysis of one item, as the product runs it.
pub fn analyze(item: &SnapshotItem, settings: &Settings) -> calmly::ComplaintAnalysis {
    the_engine().analyze_item(item, settings)
}

/// Our prediction for one sample.
pub fn ours(sample: &Sample) -> Prediction {
    let a = analyze(&item_for(sample), &Settings::default());
    Prediction {
        language: a.language,
        is_complaint: a.is_complaint,
        complaint_score: a.complaint_score,
        category: a.category,
        severity: a.severity,
        severity_score: a.severity_score,
        reply: a.draft.kind,
        bad_faith: a.bad_faith.then(|| if calmly::engine::classify::is_extortion(&a.evidence) { "extortion" } else { "abuse" }),
    }
}

/// Our language detector alone (tokenising included, as the engine does it).
pub fn ours_language(text: &str) -> String {
    ours_language_on_page(text, None)
}

/// The same, on a page that declares `page` (`<html lang>`, e.g. "pt-BR").
pub fn ours_language_on_page(text: &str, page: Option<&str>) -> String {
    the_engine().detector_for_tests().detect_on_page(text, &tokenize(text), calmly::engine::lang::page_language(page)).language
}
