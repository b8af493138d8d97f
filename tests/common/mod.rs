//! Helpers shared by the integration tests.

use std::collections::BTreeMap;

use calmly::engine::classify::Classification;

/// A medium-severity complaint of a category, with no signals, intents or bad faith: the
/// neutral case tests change one field of.
pub fn classification(category: &str) -> Classification {
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
        plain_question: false,
        signals: vec![],
    }
}
