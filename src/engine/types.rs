//! The engine's inputs and outputs. These serde shapes are the contract shared by the
//! command line (JSON), the wasm exports (JS objects) and the sidebar.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What a page gave us: the candidate complaints a site adapter (or the user's
/// selection) found, with whatever metadata the page shows.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct PageSnapshot {
    pub url: Option<String>,
    pub title: Option<String>,
    /// Site adapter id (`data/sites/<id>.toml`), or `None` for an unknown site.
    pub site: Option<String>,
    /// reviews | thread | listing | selection | text | unknown
    pub kind: String,
    /// The language the page declares (`<html lang>`, e.g. "pt-BR"): a tie-breaker for
    /// short texts. Items without their own `page_lang` take it.
    pub lang: Option<String>,
    pub items: Vec<SnapshotItem>,
}

/// One review, comment or post as read from the page.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct SnapshotItem {
    /// Stable within the page (the content script uses it to find the element again).
    pub id: String,
    pub text: String,
    pub title: Option<String>,
    pub author: Option<String>,
    /// The rating as shown (stars), with its scale.
    pub rating: Option<f32>,
    pub rating_max: Option<f32>,
    /// The date as the page shows it (ISO 8601 where the page gives a machine date).
    pub date: Option<String>,
    /// Platform id for reply limits (`data/platforms.toml`), if known.
    pub platform: Option<String>,
    /// How long ago it was posted, in minutes, when the caller knows (the engine has no
    /// clock): feeds urgency and the plan's time pressure.
    pub age_minutes: Option<u32>,
    /// From the case history: the customer repeated a demand after a fair offer was made
    /// (seed 002 step 6: make the offer once more, then disengage).
    pub repeated_demand: bool,
    /// The language of the page it was read on (`<html lang>`, e.g. "en-US"), if known. A
    /// prior, not an answer: it settles short, ambiguous texts and, for a text too short to
    /// tell ("und"), the draft's language.
    pub page_lang: Option<String>,
}

/// The brand's settings that shape plans and drafts.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Settings {
    pub brand: String,
    pub agent: String,
    pub channels: Channels,
    /// May a small gesture (voucher, discount) be offered?
    pub compensation_allowed: bool,
    /// What the gesture is, in the brand's words ("a 10% discount voucher").
    pub gesture: String,
    /// Draft language when the complaint's language is not one we draft in.
    pub fallback_language: String,
    /// Promised response time, for the plan ("today").
    pub response_target_minutes: u32,
    /// Draft tone: warm | formal | brief.
    pub tone: String,
    /// Register per draft language (`{"es": "informal"}`); a language not listed uses its
    /// templates' default (informal | formal).
    pub registers: BTreeMap<String, String>,
    /// The agent's signature line, in the brand's words.
    pub signature: String,
    /// The interface language: "" follows the browser; else en | pt | es | pl | ro.
    pub ui_language: String,
    /// Site adapter id → enabled; a site not listed is enabled.
    pub enabled_sites: BTreeMap<String, bool>,
    /// When a gesture may be offered, in the brand's words ("orders over 50 EUR, once per
    /// customer").
    pub compensation_when: String,
    /// The brand's own wording per draft language: template key → text.
    pub templates: BTreeMap<String, BTreeMap<String, String>>,
    /// Storage schema (`stored::SETTINGS_SCHEMA`); files without it are schema 0.
    pub schema: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            brand: String::new(),
            agent: String::new(),
            channels: Channels::default(),
            compensation_allowed: false,
            gesture: String::new(),
            fallback_language: "en".into(),
            response_target_minutes: 60,
            tone: "warm".into(),
            registers: BTreeMap::new(),
            signature: String::new(),
            ui_language: String::new(),
            enabled_sites: BTreeMap::new(),
            compensation_when: String::new(),
            templates: BTreeMap::new(),
            schema: super::stored::SETTINGS_SCHEMA,
        }
    }
}

impl Settings {
    /// The brand's own contact details: allowed in a public reply.
    pub fn own_contacts(&self) -> Vec<&str> {
        [&self.channels.email, &self.channels.phone, &self.channels.link].into_iter().map(|c| c.trim()).filter(|c| !c.is_empty()).collect()
    }
}

/// Private channels the brand offers, in order of preference: the first set one is used.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Channels {
    pub email: String,
    pub phone: String,
    pub link: String,
}

/// The analysis of one complaint: what it is, what to do, what to say.
/// This is ITEM of the command-line contract; fields may be added, never removed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ComplaintAnalysis {
    /// The snapshot item's id (empty: not shown, as in `--jsonl`, where the line's own id is).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rating: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// ISO 639-1, or "und".
    pub language: String,
    pub is_complaint: bool,
    pub complaint_score: f32,
    pub category: String,
    pub category_scores: BTreeMap<String, f32>,
    pub evidence: Vec<Evidence>,
    pub severity: String,
    pub severity_score: f32,
    pub urgency: String,
    pub sentiment: f32,
    pub intents: Vec<String>,
    pub bad_faith: bool,
    pub steps: Vec<Step>,
    pub draft: Draft,
}

/// A phrase of the text and the signal it raised, e.g. `{"phrase": "não recebi",
/// "signal": "complaint"}` or `{"phrase": "procon", "signal": "severity:regulator"}`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Evidence {
    pub phrase: String,
    pub signal: String,
}

/// One step of the response plan.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Step {
    pub id: String,
    /// reconnaissance | interaction | resolution | closing (seed 000's phases).
    pub stage: String,
    pub title: String,
    pub detail: String,
    /// Seed files the step comes from ("000", "002").
    pub sources: Vec<String>,
    /// The exact playbook steps cited ("000.2", "002.6").
    pub cites: Vec<String>,
}

/// A reply draft.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Draft {
    pub language: String,
    /// "complaint" (the public reply of a complaint's case), "thanks" (the reply to
    /// praise), "question" (the answer to a plain question) or "policy" (the reply to bad
    /// faith: the policy stated once). Only "complaint" has private and later messages.
    pub kind: String,
    pub text: String,
    /// Length in the platform's unit (characters, or bytes where the platform counts bytes).
    pub chars: usize,
    pub platform: String,
    /// The platform's limit, or 0 when none is known.
    pub limit: usize,
    /// The matching private message (asks for the details needed).
    pub private: String,
    /// The later stages' messages: the resolution confirmation (private) and the public
    /// closing message (seed 000 phases 3 and 4).
    pub resolution: String,
    pub closing: String,
    /// warm | formal | brief
    pub tone: String,
    /// informal | formal, and how the language names it ("usted").
    pub register: String,
    pub register_name: String,
    /// The customer's own words the reply quotes, when a clean quote was found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
    /// The draft check on the public reply (empty: nothing to fix).
    pub checks: Vec<super::check::Warning>,
}

/// The result of analysing a page.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PageReport {
    pub page: PageInfo,
    pub complaints: Vec<ComplaintAnalysis>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PageInfo {
    pub url: Option<String>,
    pub title: Option<String>,
    pub site: Option<String>,
    pub kind: String,
    /// The language the page declares, as given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// Reviews/comments found on the page.
    pub items: usize,
    /// Of those, how many are complaints.
    pub complaints: usize,
}
