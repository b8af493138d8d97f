//! The shapes of the knowledge files in `data/`. `build.rs` parses the TOML files into
//! these types (so a bad file fails the build with its path), and the engine reads them
//! back from the compiled-in JSON.
//!
//! Kept free of crate paths other than `serde` (this file is also compiled into the
//! build script).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Everything in `data/`, as compiled in.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Knowledge {
    pub playbooks: Vec<Playbook>,
    pub plan: Plan,
    pub lexicons: Vec<Lexicon>,
    pub templates: Vec<Templates>,
    pub sites: Vec<Site>,
    pub platforms: Platforms,
    pub emoji: Emoji,
}

// ---------------------------------------------------------------- emoji

/// Emoji that carry the writer's feeling, in every language (`data/emoji.toml`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Emoji {
    pub positive: Vec<String>,
    pub negative: Vec<String>,
    pub anger: Vec<String>,
}

impl Emoji {
    /// The emoji of `text` found in the lists, in text order, each once, with its signal:
    /// "positive", "negative" or "anger:emoji".
    pub fn find(&self, text: &str) -> Vec<(char, &'static str)> {
        let mut found: Vec<(char, &'static str)> = Vec::new();
        for c in text.chars().filter(|c| !c.is_alphanumeric() && !c.is_whitespace() && !c.is_ascii()) {
            if found.iter().any(|(f, _)| *f == c) {
                continue;
            }
            let lists = [(&self.anger, "anger:emoji"), (&self.negative, "negative"), (&self.positive, "positive")];
            if let Some((_, signal)) = lists.iter().find(|(list, _)| list.iter().any(|e| e.chars().next() == Some(c))) {
                found.push((c, signal));
            }
        }
        found
    }
}

// ---------------------------------------------------------------- playbooks

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Playbook {
    pub id: String,
    pub seed: String,
    pub language: String,
    pub title: String,
    pub summary: String,
    pub steps: Vec<PlaybookStep>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlaybookStep {
    pub id: String,
    pub name: String,
    pub section: String,
    pub quote: String,
    pub detail: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    pub step: Vec<PlanStep>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanStep {
    pub id: String,
    pub stage: String,
    pub title: String,
    pub detail: String,
    pub sources: Vec<String>,
    #[serde(default)]
    pub when: When,
}

/// Conditions of a plan step; every given one must hold.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct When {
    #[serde(default)]
    pub categories: Option<Vec<String>>,
    #[serde(default)]
    pub min_severity: Option<String>,
    #[serde(default)]
    pub signals: Option<Vec<String>>,
    #[serde(default)]
    pub intents: Option<Vec<String>>,
    #[serde(default)]
    pub bad_faith: Option<bool>,
    #[serde(default)]
    pub not_bad_faith: Option<bool>,
    #[serde(default)]
    pub platform_kinds: Option<Vec<String>>,
    #[serde(default)]
    pub repeated_demand: Option<bool>,
    #[serde(default)]
    pub compensation_allowed: Option<bool>,
    /// The complaint has waited at least this long (when the page gives its date).
    #[serde(default)]
    pub min_age_minutes: Option<u32>,
}

// ---------------------------------------------------------------- lexicons

/// Per-language signal phrases. Phrases are stored folded (see `fold.rs`) by the build.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lexicon {
    pub language: String,
    /// Letters that point to this language (`ãõ` for pt); used by language ID.
    #[serde(default)]
    pub letters: String,
    #[serde(default)]
    pub stopwords: Vec<String>,
    /// Words that may stand before a phrase instead of at its end (Polish `się`): a phrase
    /// ending in one also matches with it moved to the front ("zawiesza się" also reads
    /// "się zawiesza", "nie włącza się" also "się nie włącza").
    #[serde(default)]
    pub clitics: Vec<String>,
    /// Words that negate a positive or negative phrase standing at most
    /// `lexicon::NEGATION_REACH` words after them in the same clause ("isn't fixed", "não
    /// é bom", "nunca tive problema", "sin problemas"): `PhraseSet::negate`.
    #[serde(default)]
    pub negators: Vec<String>,
    /// Words that end a negator's reach ("not cheap but good"): contrast words.
    #[serde(default)]
    pub negation_breaks: Vec<String>,
    #[serde(default)]
    pub complaint: Vec<String>,
    #[serde(default)]
    pub praise: Vec<String>,
    /// Thanks said ("thank you", "obrigado", "dzięki"): a short text that only thanks gets
    /// the thank-you's welcome, not an apology.
    #[serde(default)]
    pub gratitude: Vec<String>,
    #[serde(default)]
    pub question: Vec<String>,
    #[serde(default)]
    pub positive: Vec<String>,
    #[serde(default)]
    pub negative: Vec<String>,
    #[serde(default)]
    pub intensifiers: Vec<String>,
    #[serde(default)]
    pub profanity: Vec<String>,
    #[serde(default)]
    pub categories: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub severity: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub intents: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub bad_faith: BTreeMap<String, Vec<String>>,
    /// Phrases the draft check looks for: apology, blame, liability, promise, next_step.
    #[serde(default)]
    pub check: BTreeMap<String, Vec<String>>,
}

// ---------------------------------------------------------------- templates

/// One section of a language's templates (`public`, `private`, …): slot → variants.
pub type Section = BTreeMap<String, Vec<String>>;

/// The register ids every template file has (`data/README.md`).
pub const REGISTERS: [&str; 2] = ["informal", "formal"];

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Templates {
    pub language: String,
    /// Signature used when the brand name is not set ("the support team").
    pub team: String,
    /// `informal` or `formal`: the register drafts use unless the settings choose one.
    pub default_register: String,
    pub informal: Register,
    pub formal: Register,
}

impl Templates {
    /// A register by id; anything else gives the default register.
    pub fn register(&self, id: &str) -> (&'static str, &Register) {
        match if REGISTERS.contains(&id) { id } else { self.default_register.as_str() } {
            "formal" => ("formal", &self.formal),
            _ => ("informal", &self.informal),
        }
    }
}

/// One register's complete wording: labels, channels, the four messages of a complaint's
/// case, the thank-you to praise, the answer to a question and the reply to bad faith.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Register {
    /// How the register is named to users ("você", "usted").
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub channels: BTreeMap<String, String>,
    pub public: Section,
    pub private: Section,
    pub resolution: Section,
    pub closing_message: Section,
    /// The reply to praise: no apology, no case. Its signature is the public reply's.
    pub thanks: Section,
    /// The reply to a question that is no complaint: no apology, no case; the signature
    /// is the public reply's.
    pub question: Section,
    /// The reply to bad faith: the policy stated once (`rating_policy` for a demand tied to
    /// the rating, `calm` for abuse) and what can be offered; the signature is the public
    /// reply's.
    pub policy: Section,
}

// ---------------------------------------------------------------- sites

/// A site adapter: where complaints are on this site's pages. The content script (JS) and
/// the native extractor (`src/extract`) interpret the same data.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Site {
    pub id: String,
    pub name: String,
    /// review_site | social | marketplace | app_store
    pub kind: String,
    /// Platform id used for reply limits (`platforms.toml`).
    pub platform: String,
    /// Host names; each also matches its subdomains. An entry may carry a path prefix
    /// ("google.com/maps"): the site then covers only URLs under that path.
    pub hosts: Vec<String>,
    #[serde(default)]
    pub pages: Vec<SitePage>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SitePage {
    /// reviews | thread | listing
    pub kind: String,
    /// The page kind applies when the URL path contains any of these (empty: any path).
    #[serde(default)]
    pub path_contains: Vec<String>,
    /// CSS selector of each complaint's container. Empty on listing pages.
    #[serde(default)]
    pub item: String,
    #[serde(default)]
    pub text: Option<Field>,
    #[serde(default)]
    pub title: Option<Field>,
    #[serde(default)]
    pub author: Option<Field>,
    #[serde(default)]
    pub rating: Option<Field>,
    #[serde(default)]
    pub date: Option<Field>,
    /// The rating scale's top (Booking scores out of 10); 5 when absent.
    #[serde(default)]
    pub rating_max: Option<f32>,
    /// Where to type a reply, searched inside the item first, then in the page.
    #[serde(default)]
    pub reply_box: Option<String>,
    #[serde(default)]
    pub reply_button: Option<String>,
}

/// How to read one value from an item.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// Selector inside the item; several are tried in order. Empty: the item itself.
    #[serde(default)]
    pub selector: Vec<String>,
    /// Read this attribute instead of the text.
    #[serde(default)]
    pub attr: Option<String>,
    /// Keep only the first number (ratings: "4,0 out of 5 stars" → 4.0).
    #[serde(default)]
    pub number: bool,
    /// Join the text of every element that any selector matches (in document order),
    /// instead of reading the first one: Booking's "liked" and "disliked" parts.
    #[serde(default)]
    pub all: bool,
}

// ---------------------------------------------------------------- platforms

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Platforms {
    pub platform: Vec<PlatformLimit>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlatformLimit {
    pub id: String,
    pub name: String,
    /// review_site | social | marketplace | app_store | web
    pub kind: String,
    /// Maximum reply length, or 0 when the site states none.
    pub limit: usize,
    /// chars | bytes
    pub unit: String,
    pub source: String,
}
