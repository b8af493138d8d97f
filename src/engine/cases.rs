//! Cases: the complaints an agent works on, through seed 000's phases
//! (reconnaissance → interaction → resolution → closing) and then closed.
//!
//! Pure: times come in as epoch milliseconds, storage entries as JSON values. Each case
//! is stored under its own key `case:<id>`, so two tabs editing different cases never
//! overwrite each other; two tabs editing the same case are reconciled by [`merge`].
//!
//! **The merge rule: the latest write per field wins.** Every field an agent edits has its
//! own time: `stage_at`, `notes_at`, `follow_up_at`, and each step's `at` (a tick and an
//! untick are both writes, so a later untick wins over an earlier tick). On equal times
//! the tie is broken by value (the further stage, a ticked step, the larger value), so
//! the result never depends on which side is "stored" and which is "mine". Drafts used
//! are the union by (kind, at); `first_seen` is the earlier one, `updated` the later one;
//! what the page gave (url, author, text, dates, language, category, severity) comes from
//! the case seen first. This makes `merge` commutative, associative and idempotent, so
//! a tab that finds a stored version lacking its edits (another tab wrote over them) can
//! write the merge back, and every tab ends with the same case.
//!
//! **Caps** (chrome.storage.local holds 10 MB in all without `unlimitedStorage`): the
//! excerpt `EXCERPT_CHARS`, notes `NOTES_CHARS`, the url `URL_CHARS`, the other page facts
//! `FIELD_CHARS` characters, `STEPS_MAX` steps, the latest `DRAFTS_MAX` draft uses: a case
//! is then at most about 60 KB as JSON (a few KB in practice). Everything the engine makes
//! is within them. A stored entry over a cap (bar the short page facts, which are cut
//! without a word) or with keys this version does not know loads as damaged: cut to its
//! caps, the whole raw entry backed up, a warning naming the fields.

use std::cmp::Ordering;
use std::fmt::Write;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::stored::{as_u32, clip, kind};
use super::Error;

/// The schema this version writes.
pub const CASE_SCHEMA: u32 = 1;
/// Storage key prefix: a case lives under `case:<id>`.
pub const KEY_PREFIX: &str = "case:";
/// The stages, in order.
pub const STAGES: [&str; 5] = ["reconnaissance", "interaction", "resolution", "closing", "closed"];
/// The kinds of draft, as in `Draft`.
pub const DRAFT_KINDS: [&str; 4] = ["public", "private", "resolution", "closing"];
/// Longest excerpt of the complaint kept, in characters.
pub const EXCERPT_CHARS: usize = 500;
/// Longest notes, in characters (the sidebar's notes box takes no more).
pub const NOTES_CHARS: usize = 5000;
/// Longest page URL kept, in characters.
pub const URL_CHARS: usize = 2048;
/// Longest site, author, date as shown, language, category or severity, in characters.
pub const FIELD_CHARS: usize = 200;
/// Most plan steps kept (a plan has about a dozen).
pub const STEPS_MAX: usize = 64;
/// Most draft uses kept: the latest.
pub const DRAFTS_MAX: usize = 200;

/// A plan step's state: done or not, and when that was last set.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StepMark {
    pub done: bool,
    pub at: f64,
}

/// Plan step id → its state, in id order. Serialized as a JSON object
/// (`{"gather_facts": {"done": true, "at": 1714550400000}}`); a sorted list rather than a
/// `BTreeMap`, which costs the wasm several kilobytes more.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Steps(Vec<(String, StepMark)>);

impl Steps {
    pub fn get(&self, id: &str) -> Option<&StepMark> {
        self.0.iter().find(|(k, _)| k == id).map(|(_, m)| m)
    }

    /// Sets a step's state (added in id order, or replaced).
    pub fn set(&mut self, id: &str, mark: StepMark) {
        match self.0.binary_search_by(|(k, _)| k.as_str().cmp(id)) {
            Ok(i) => self.0[i].1 = mark,
            Err(i) => self.0.insert(i, (id.to_string(), mark)),
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &StepMark)> {
        self.0.iter().map(|(k, m)| (k.as_str(), m))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The ids of the steps done.
    pub fn done(&self) -> Vec<String> {
        self.0.iter().filter(|(_, m)| m.done).map(|(k, _)| k.clone()).collect()
    }
}

impl Serialize for Steps {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, m)| (k, m)))
    }
}

impl<'de> Deserialize<'de> for Steps {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Steps, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Steps;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of plan steps")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut m: A) -> Result<Steps, A::Error> {
                let mut steps = Steps::default();
                while let Some((k, v)) = m.next_entry::<String, StepMark>()? {
                    steps.set(&k, v);
                }
                Ok(steps)
            }
        }
        d.deserialize_map(V)
    }
}

/// One use of a draft (inserted or copied).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DraftUse {
    /// public | private | resolution | closing
    pub kind: String,
    pub at: f64,
    pub chars: u32,
}

/// A complaint the agent works on. Times are epoch milliseconds.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Case {
    pub schema: u32,
    /// `case_id` of the complaint.
    pub id: String,
    pub url: String,
    pub site: Option<String>,
    pub author: Option<String>,
    /// The complaint, at most `EXCERPT_CHARS` characters.
    pub text: String,
    /// The date as the page shows it.
    pub posted: Option<String>,
    /// When it was posted, if the page's date or age told us.
    pub posted_ms: Option<f64>,
    pub first_seen: f64,
    /// reconnaissance | interaction | resolution | closing | closed
    pub stage: String,
    pub stage_at: f64,
    /// Plan step id → its state (an untick stays, so that it can win a merge).
    pub steps: Steps,
    /// The ids of the steps done (derived from `steps`; ignored when read).
    #[serde(default)]
    pub steps_done: Vec<String>,
    pub drafts_used: Vec<DraftUse>,
    pub notes: String,
    pub notes_at: f64,
    pub language: Option<String>,
    pub category: Option<String>,
    pub severity: Option<String>,
    /// When to come back to it.
    pub follow_up: Option<f64>,
    pub follow_up_at: f64,
    pub updated: f64,
}

/// What a new case is made from (a complaint found on a page).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct NewCase {
    pub url: String,
    pub site: Option<String>,
    pub author: Option<String>,
    pub text: String,
    pub posted: Option<String>,
    /// How long ago it was posted, when the page says so ("3 hours ago").
    pub age_minutes: Option<u32>,
    pub language: Option<String>,
    pub category: Option<String>,
    pub severity: Option<String>,
}

/// An edit of a case, as the sidebar sends it (`{"type": "step", "id": "gather_facts"}`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Action {
    Advance,
    Stage { stage: String },
    Step { id: String },
    Draft { kind: String, chars: u32 },
    Notes { text: String },
    FollowUp { at: Option<f64> },
}

/// The case's response clock.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Clock {
    /// Minutes since it was posted (or first seen, when the post time is unknown).
    pub minutes: u64,
    pub target: u32,
    /// Past the target with no public reply yet (still in reconnaissance).
    pub overdue: bool,
    /// "posted" | "first_seen"
    pub since: &'static str,
}

/// Which cases to show; empty strings mean "any".
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Filter {
    pub stage: Option<String>,
    pub site: Option<String>,
    pub overdue_only: bool,
    /// Case- and accent-insensitive, in the text, the author or the notes.
    pub text: Option<String>,
}

/// A raw storage entry to keep under `backup:<key>`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Backup {
    pub key: String,
    pub raw: Value,
}

/// What loading the stored cases gives. The caller writes `backups` (each under
/// `backup:<key>`), then `rewrite` (each under `case:<id>`), then deletes `remove`.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct CasesLoad {
    /// Every readable case, most recently updated first. A case whose `schema` is newer
    /// than `CASE_SCHEMA` was saved by a newer Calmly: show it, never write it.
    pub cases: Vec<Case>,
    pub backups: Vec<Backup>,
    /// Cases migrated, repaired or moved to their right key.
    pub rewrite: Vec<Case>,
    /// Keys to delete: entries moved to their right key, or unreadable (and backed up).
    pub remove: Vec<String>,
    pub warnings: Vec<String>,
}

/// A short stable id for a complaint: 16 hex digits of FNV-1a 64 over the URL without its
/// fragment, the author and the first 200 characters of the text with its whitespace
/// squashed, so the same complaint seen again (reload, another tab) is the same case.
pub fn case_id(url: &str, author: Option<&str>, text: &str) -> String {
    let url = url.trim();
    let url = url.split('#').next().unwrap_or(url);
    let mut squashed = String::new();
    for w in text.split_whitespace() {
        if !squashed.is_empty() {
            squashed.push(' ');
        }
        squashed.push_str(w);
    }
    let text: String = squashed.chars().take(200).collect();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in [url, "\n", author.unwrap_or("").trim(), "\n", &text].iter().flat_map(|s| s.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// A new case for a complaint, first seen `now`.
pub fn new_case(input: NewCase, now: f64) -> Case {
    let posted_ms = input.posted.as_deref().and_then(parse_iso).or_else(|| input.age_minutes.map(|m| now - f64::from(m) * 60_000.0));
    let mut c = Case {
        schema: CASE_SCHEMA,
        id: case_id(&input.url, input.author.as_deref(), &input.text),
        url: input.url,
        site: input.site,
        author: input.author,
        text: cut(input.text.trim(), EXCERPT_CHARS).to_string(),
        posted: input.posted,
        posted_ms,
        first_seen: now,
        stage: STAGES[0].into(),
        stage_at: now,
        steps: Steps::default(),
        steps_done: Vec::new(),
        drafts_used: Vec::new(),
        notes: String::new(),
        notes_at: now,
        language: input.language,
        category: input.category,
        severity: input.severity,
        follow_up: None,
        follow_up_at: now,
        updated: now,
    };
    // What the page gave is kept within the caps, so a case is never stored too large.
    c.normalize();
    c
}

fn stage_index(stage: &str) -> Option<usize> {
    STAGES.iter().position(|s| *s == stage)
}

impl Case {
    /// On to the next stage (closing → closed; closed stays closed).
    pub fn advance(&mut self, now: f64) {
        let next = stage_index(&self.stage).map_or(0, |i| (i + 1).min(STAGES.len() - 1));
        self.set_stage_unchecked(STAGES[next], now);
    }

    /// Any stage, forwards or back (a closed case can be reopened).
    pub fn set_stage(&mut self, stage: &str, now: f64) -> Result<(), Error> {
        let i = stage_index(stage).ok_or_else(|| Error(format!("\"{}\" is not a stage ({})", clip(stage), STAGES.join(", "))))?;
        self.set_stage_unchecked(STAGES[i], now);
        Ok(())
    }

    fn set_stage_unchecked(&mut self, stage: &str, now: f64) {
        self.stage = stage.into();
        self.stage_at = now;
        self.updated = now;
    }

    /// Ticks a plan step, or unticks it if it was done.
    pub fn toggle_step(&mut self, step: &str, now: f64) -> Result<(), Error> {
        if !valid_step(step) {
            return Err(Error(format!("\"{}\" is not a plan step id", clip(step))));
        }
        let done = !self.steps.get(step).is_some_and(|m| m.done);
        self.steps.set(step, StepMark { done, at: now });
        self.steps_done = self.steps.done();
        self.updated = now;
        Ok(())
    }

    /// Records a use of a draft; using the public reply answers the complaint, so a case
    /// still in reconnaissance moves to interaction.
    pub fn use_draft(&mut self, kind: &str, chars: u32, now: f64) -> Result<(), Error> {
        if !DRAFT_KINDS.contains(&kind) {
            return Err(Error(format!("\"{}\" is not a kind of draft ({})", clip(kind), DRAFT_KINDS.join(", "))));
        }
        self.drafts_used.push(DraftUse { kind: kind.into(), at: now, chars });
        tidy_drafts(&mut self.drafts_used);
        if kind == "public" && self.stage == STAGES[0] {
            self.set_stage_unchecked(STAGES[1], now);
        }
        self.updated = now;
        Ok(())
    }

    /// Replaces the notes (cut to `NOTES_CHARS`).
    pub fn set_notes(&mut self, notes: &str, now: f64) {
        self.notes = cut(notes, NOTES_CHARS).to_string();
        self.notes_at = now;
        self.updated = now;
    }

    /// Sets or clears the reminder.
    pub fn set_follow_up(&mut self, at: Option<f64>, now: f64) {
        self.follow_up = at.filter(|t| t.is_finite());
        self.follow_up_at = now;
        self.updated = now;
    }

    /// Puts a case read from outside into shape: an unknown stage becomes reconnaissance,
    /// bad steps and drafts are dropped, what is over its cap is cut (text to
    /// `EXCERPT_CHARS`, notes to `NOTES_CHARS`, the url to `URL_CHARS`, the other page facts
    /// to `FIELD_CHARS`, steps to the first `STEPS_MAX`, drafts used to the latest
    /// `DRAFTS_MAX`), `steps_done` is derived again. Returns the fields that had to be fixed
    /// (not `steps_done`, nor the page facts other than url and text, which are no one's
    /// writing and are cut without a word).
    pub fn normalize(&mut self) -> Vec<&'static str> {
        let mut fixed = Vec::new();
        if stage_index(&self.stage).is_none() {
            self.stage = STAGES[0].into();
            fixed.push("stage");
        }
        macro_rules! cap {
            ($field:expr, $max:expr, $what:expr) => {
                if $field.chars().count() > $max {
                    $field = cut(&$field, $max).to_string();
                    fixed.push($what);
                }
            };
        }
        cap!(self.url, URL_CHARS, "url");
        cap!(self.text, EXCERPT_CHARS, "text");
        cap!(self.notes, NOTES_CHARS, "notes");
        // The other page facts are cut without a word: they are no one's writing.
        for o in [&mut self.site, &mut self.author, &mut self.posted, &mut self.language, &mut self.category, &mut self.severity] {
            if let Some(s) = o {
                if s.chars().count() > FIELD_CHARS {
                    *s = cut(s, FIELD_CHARS).to_string();
                }
            }
        }
        let (n, mut kept) = (self.steps.len(), 0);
        self.steps.0.retain(|(k, _)| valid_step(k) && {
            kept += 1;
            kept <= STEPS_MAX
        });
        if self.steps.len() != n {
            fixed.push("steps");
        }
        let n = self.drafts_used.len();
        self.drafts_used.retain(|d| DRAFT_KINDS.contains(&d.kind.as_str()));
        tidy_drafts(&mut self.drafts_used);
        if self.drafts_used.len() != n {
            fixed.push("drafts_used");
        }
        self.steps_done = self.steps.done();
        fixed
    }
}

impl Action {
    /// Reads an action as the sidebar sends it; see [`Action`].
    pub fn from_json(v: &Value) -> Result<Action, Error> {
        let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string).ok_or_else(|| Error(format!("the case action needs \"{k}\" as text")));
        Ok(match v.get("type").and_then(Value::as_str).unwrap_or("") {
            "advance" => Action::Advance,
            "stage" => Action::Stage { stage: text("stage")? },
            "step" => Action::Step { id: text("id")? },
            "draft" => Action::Draft { kind: text("kind")?, chars: v.get("chars").and_then(as_u32).unwrap_or(0) },
            "notes" => Action::Notes { text: text("text")? },
            "followUp" => match v.get("at") {
                None | Some(Value::Null) => Action::FollowUp { at: None },
                Some(t) => Action::FollowUp { at: Some(t.as_f64().ok_or_else(|| Error("the reminder time must be a number".into()))?) },
            },
            other => return Err(Error(format!("\"{}\" is not a case action (advance, stage, step, draft, notes, followUp)", clip(other)))),
        })
    }
}

impl NewCase {
    /// Reads a new case's fields leniently (what does not read is left empty).
    pub fn from_json(v: &Value) -> NewCase {
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        NewCase {
            url: s("url").unwrap_or_default(),
            site: s("site"),
            author: s("author"),
            text: s("text").unwrap_or_default(),
            posted: s("posted"),
            age_minutes: v.get("age_minutes").and_then(as_u32),
            language: s("language"),
            category: s("category"),
            severity: s("severity"),
        }
    }
}

impl Filter {
    /// Reads a filter leniently (what does not read filters nothing).
    pub fn from_json(v: &Value) -> Filter {
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        Filter { stage: s("stage"), site: s("site"), overdue_only: v.get("overdue_only").and_then(Value::as_bool).unwrap_or(false), text: s("text") }
    }
}

/// Applies an edit to a copy of a case. A case saved by a newer Calmly is not edited.
pub fn apply(case: &Case, action: &Action, now: f64) -> Result<Case, Error> {
    if case.schema > CASE_SCHEMA {
        return Err(Error("This case was saved by a newer Calmly; update Calmly to change it.".into()));
    }
    let mut c = case.clone();
    c.normalize();
    match action {
        Action::Advance => c.advance(now),
        Action::Stage { stage } => c.set_stage(stage, now)?,
        Action::Step { id } => c.toggle_step(id, now)?,
        Action::Draft { kind, chars } => c.use_draft(kind, *chars, now)?,
        Action::Notes { text } => c.set_notes(text, now),
        Action::FollowUp { at } => c.set_follow_up(*at, now),
    }
    Ok(c)
}

fn valid_step(id: &str) -> bool {
    (1..=64).contains(&id.len()) && !id.chars().any(char::is_control)
}

/// An insertion sort: the lists are short, and it is far smaller in wasm than `sort`.
fn isort<T>(v: &mut [T], before: fn(&T, &T) -> bool) {
    for i in 1..v.len() {
        let mut j = i;
        while j > 0 && before(&v[j], &v[j - 1]) {
            v.swap(j, j - 1);
            j -= 1;
        }
    }
}

/// Drafts in time order, one per (kind, at) (the longest), the latest `DRAFTS_MAX`.
fn tidy_drafts(d: &mut Vec<DraftUse>) {
    isort(d, |a, b| a.at.total_cmp(&b.at).then_with(|| a.kind.cmp(&b.kind)).then(b.chars.cmp(&a.chars)).is_lt());
    d.dedup_by(|x, y| x.at.total_cmp(&y.at).is_eq() && x.kind == y.kind);
    if let Some(over) = d.len().checked_sub(DRAFTS_MAX) {
        *d = d.split_off(over);
    }
}

/// At most `max` characters of `s`. Never inlined: the standard library's character
/// stepping is large, and each inlined copy costs the wasm about a kilobyte.
#[inline(never)]
fn cut(s: &str, max: usize) -> &str {
    s.char_indices().nth(max).map_or(s, |(i, _)| &s[..i])
}

/// Whether `a` is the later write: by time, then by the tie-break `tie` (a ≥ b).
fn later(a_at: f64, b_at: f64, tie: bool) -> bool {
    match a_at.total_cmp(&b_at) {
        Ordering::Greater => true,
        Ordering::Less => false,
        Ordering::Equal => tie,
    }
}

fn bits(v: Option<f64>) -> Option<u64> {
    v.map(f64::to_bits)
}

/// Reconciles two versions of the same case (another tab saved `stored` while this one
/// edited `mine`); see the module documentation for the rule. Cases with different ids
/// are not merged: `mine` is returned.
pub fn merge(stored: &Case, mine: &Case) -> Case {
    let (a, b) = (stored, mine);
    if a.id != b.id {
        return b.clone();
    }
    // What the page gave comes from the case seen first; on a tie, field by field, the
    // larger value.
    let first = |tie: bool| later(b.first_seen, a.first_seen, tie);
    macro_rules! page {
        ($f:ident) => {
            if first(a.$f >= b.$f) { a.$f.clone() } else { b.$f.clone() }
        };
    }
    let stage = if later(a.stage_at, b.stage_at, (stage_index(&a.stage), &a.stage) >= (stage_index(&b.stage), &b.stage)) { a } else { b };
    let notes = if later(a.notes_at, b.notes_at, a.notes >= b.notes) { a } else { b };
    let follow = if later(a.follow_up_at, b.follow_up_at, bits(a.follow_up) >= bits(b.follow_up)) { a } else { b };
    let mut steps = a.steps.clone();
    for (k, m) in b.steps.iter() {
        if !steps.get(k).is_some_and(|o| later(o.at, m.at, o.done >= m.done)) {
            steps.set(k, m.clone());
        }
    }
    let mut drafts_used: Vec<DraftUse> = a.drafts_used.iter().chain(&b.drafts_used).cloned().collect();
    tidy_drafts(&mut drafts_used);
    Case {
        schema: a.schema.max(b.schema),
        id: a.id.clone(),
        url: page!(url),
        site: page!(site),
        author: page!(author),
        text: page!(text),
        posted: page!(posted),
        posted_ms: if first(bits(a.posted_ms) >= bits(b.posted_ms)) { a.posted_ms } else { b.posted_ms },
        first_seen: a.first_seen.min(b.first_seen),
        stage: stage.stage.clone(),
        stage_at: stage.stage_at,
        steps_done: steps.done(),
        steps,
        drafts_used,
        notes: notes.notes.clone(),
        notes_at: notes.notes_at,
        language: page!(language),
        category: page!(category),
        severity: page!(severity),
        follow_up: follow.follow_up,
        follow_up_at: follow.follow_up_at,
        updated: a.updated.max(b.updated),
    }
}

/// The response clock: minutes since the complaint was posted (its page date, or its age
/// when first seen), else since it was first seen.
pub fn clock(case: &Case, now: f64, target_minutes: u32) -> Clock {
    let posted = case.posted.as_deref().and_then(parse_iso).or(case.posted_ms).filter(|t| t.is_finite());
    let (from, since) = posted.map_or((case.first_seen, "first_seen"), |t| (t, "posted"));
    let minutes = ((now - from) / 60_000.0).floor().max(0.0);
    let minutes = if minutes.is_finite() { minutes as u64 } else { 0 };
    Clock { minutes, target: target_minutes, overdue: case.stage == STAGES[0] && minutes > u64::from(target_minutes), since }
}

/// The cases whose reminder is due (not closed), soonest first.
pub fn due_follow_ups(cases: &[Case], now: f64) -> Vec<String> {
    let mut due: Vec<(f64, &str)> = cases.iter().filter(|c| c.stage != "closed").filter_map(|c| c.follow_up.filter(|t| *t <= now).map(|t| (t, c.id.as_str()))).collect();
    isort(&mut due, |a, b| a.0.total_cmp(&b.0).then(a.1.cmp(b.1)).is_lt());
    due.into_iter().map(|(_, id)| id.to_string()).collect()
}

/// The cases that pass a filter, in their order.
pub fn filter(cases: &[Case], f: &Filter, now: f64, target_minutes: u32) -> Vec<Case> {
    let fold = |s: &str| s.chars().map(super::fold::fold_char).collect::<String>();
    fn want(o: &Option<String>) -> Option<&str> {
        o.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }
    let text = want(&f.text).map(fold);
    cases
        .iter()
        .filter(|c| want(&f.stage).is_none_or(|s| c.stage == s))
        .filter(|c| want(&f.site).is_none_or(|s| c.site.as_deref() == Some(s)))
        .filter(|c| !f.overdue_only || clock(c, now, target_minutes).overdue)
        .filter(|c| text.as_deref().is_none_or(|t| [c.text.as_str(), c.author.as_deref().unwrap_or(""), &c.notes].iter().any(|s| fold(s).contains(t))))
        .cloned()
        .collect()
}

/// Reads every `case:*` entry of storage (other keys are ignored):
/// - a valid case is kept;
/// - a case without `schema` that is otherwise valid is migrated (rewritten);
/// - a case with a newer schema is kept as read, untouched (never rewritten), with a warning;
/// - a damaged case keeps every field that reads (it needs at least `url` and `text`), the
///   rest get defaults; the raw entry is backed up and the case rewritten, with a warning
///   naming the fields; an entry with nothing to save is backed up and removed;
/// - a case stored under another id's key is moved to its own key (and merged with the
///   case there, if any).
///
/// Never panics.
pub fn load_cases(entries: &Map<String, Value>) -> CasesLoad {
    let mut out = CasesLoad::default();
    let schema_of = |v: &Value| v.get("schema").map(|s| as_u32(s).unwrap_or(0));
    // Keys holding a newer case: never written over.
    let newer: Vec<&str> = entries.iter().filter(|(_, v)| schema_of(v).is_some_and(|s| s > CASE_SCHEMA)).filter_map(|(k, _)| k.strip_prefix(KEY_PREFIX)).collect();
    let mut found: Vec<(Case, bool)> = Vec::new();
    for (key, raw) in entries {
        let Some(key_id) = key.strip_prefix(KEY_PREFIX) else { continue };
        let name = clip(key);
        let back_up = |out: &mut CasesLoad| out.backups.push(Backup { key: key.clone(), raw: raw.clone() });
        let read = read_case(raw, key_id);
        if newer.contains(&key_id) {
            match read {
                Some((c, _)) => {
                    out.warnings.push(format!("The case {name} was saved by a newer Calmly; it is shown but not changed. Update Calmly to work on it."));
                    out.cases.push(c);
                }
                None => out.warnings.push(format!("The case {name} was saved by a newer Calmly and cannot be shown; it was left as it is.")),
            }
            continue;
        }
        let Some((mut case, mut bad)) = read else {
            back_up(&mut out);
            out.remove.push(key.clone());
            let what = if raw.is_object() { "it has no url or text".to_string() } else { format!("{} instead of a case", kind(raw)) };
            out.warnings.push(format!("The saved case {name} could not be read ({what}) and was set aside; a copy was kept."));
            continue;
        };
        // No older format exists: a case without a schema is migrated only if it is
        // otherwise whole.
        let mut rewrite = case.schema != CASE_SCHEMA;
        if case.schema != CASE_SCHEMA && (!bad.is_empty() || raw.get("schema").is_some()) && !bad.contains(&"schema") {
            bad.insert(0, "schema");
        }
        case.schema = CASE_SCHEMA;
        bad.extend(case.normalize());
        if case.id != key_id && newer.contains(&case.id.as_str()) {
            out.warnings.push(format!("The saved case {name} belongs under a key that holds a case saved by a newer Calmly; it was left as it is."));
            continue;
        }
        if !bad.is_empty() {
            back_up(&mut out);
            rewrite = true;
            out.warnings.push(format!("The saved case {name} was damaged or too large; these fields were reset or cut to their limits: {}. A copy of it as it was was kept.", bad.join(", ")));
        }
        if case.id != key_id {
            out.warnings.push(format!("The case {} was saved under the wrong key ({name}); it was moved to its own.", clip(&case.id)));
            out.remove.push(key.clone());
            rewrite = true;
        }
        match found.iter_mut().find(|(c, _)| c.id == case.id) {
            Some(slot) => *slot = (merge(&slot.0, &case), true),
            None => found.push((case, rewrite)),
        }
    }
    for (c, rewrite) in found {
        if rewrite {
            out.rewrite.push(c.clone());
        }
        out.cases.push(c);
    }
    isort(&mut out.cases, |a, b| b.updated.total_cmp(&a.updated).then_with(|| a.id.cmp(&b.id)).is_lt());
    out.remove.retain(|k| !out.rewrite.iter().any(|c| k.strip_prefix(KEY_PREFIX) == Some(&c.id)));
    out
}

impl Default for Case {
    fn default() -> Self {
        new_case(NewCase::default(), 0.0)
    }
}

/// Field-by-field reading of JSON objects: what does not read is left out and named.
struct Fields<'a> {
    obj: &'a Map<String, Value>,
    bad: Vec<&'static str>,
    /// How many of the object's keys were looked at (the rest are unknown).
    seen: usize,
}

impl<'a> Fields<'a> {
    fn get(&mut self, key: &str) -> Option<&'a Value> {
        let v = self.obj.get(key);
        self.seen += usize::from(v.is_some());
        v
    }

    /// A field that must be there.
    fn need<T>(&mut self, key: &'static str, f: fn(&Value) -> Option<T>) -> Option<T> {
        let v = self.get(key).and_then(f);
        if v.is_none() {
            self.bad.push(key);
        }
        v
    }

    /// A field that may be absent or null (`None`).
    fn opt<T>(&mut self, key: &'static str, f: fn(&Value) -> Option<T>) -> Option<T> {
        match self.get(key) {
            None | Some(Value::Null) => None,
            Some(v) => {
                let v = f(v);
                if v.is_none() {
                    self.bad.push(key);
                }
                v
            }
        }
    }

    /// A list whose items are read one by one; the field is named when some do not read.
    fn list<T>(&mut self, key: &'static str, f: fn(&Value) -> Option<T>) -> Option<Vec<T>> {
        let Some(items) = self.get(key).and_then(Value::as_array) else {
            self.bad.push(key);
            return None;
        };
        let out: Vec<T> = items.iter().filter_map(f).collect();
        if out.len() != items.len() {
            self.bad.push(key);
        }
        Some(out)
    }
}

fn string(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

fn number(v: &Value) -> Option<f64> {
    v.as_f64()
}

fn set<T>(slot: &mut T, v: Option<T>) {
    if let Some(v) = v {
        *slot = v;
    }
}

/// Reads a stored case (or one passed back by the UI) field by field. `url` and `text`
/// must read, and an id (its own, else `key_id`); every other field that reads is kept,
/// the rest get defaults and are returned by name. A missing `schema` reads as 0.
pub fn read_case(raw: &Value, key_id: &str) -> Option<(Case, Vec<&'static str>)> {
    let obj = raw.as_object()?;
    let mut f = Fields { obj, bad: Vec::new(), seen: 0 };
    let url = f.get("url")?.as_str()?;
    let text = f.get("text")?.as_str()?;
    let id = f.get("id").and_then(Value::as_str).filter(|s| !s.is_empty()).unwrap_or(key_id);
    if id.is_empty() {
        return None;
    }
    let mut c = Case { id: id.into(), url: url.into(), text: text.into(), ..Default::default() };
    c.schema = f.opt("schema", as_u32).unwrap_or(0);
    c.site = f.opt("site", string);
    c.author = f.opt("author", string);
    c.posted = f.opt("posted", string);
    c.posted_ms = f.opt("posted_ms", number);
    c.language = f.opt("language", string);
    c.category = f.opt("category", string);
    c.severity = f.opt("severity", string);
    c.follow_up = f.opt("follow_up", number);
    set(&mut c.updated, f.need("updated", number));
    c.first_seen = f.need("first_seen", number).unwrap_or(c.updated);
    set(&mut c.stage, f.need("stage", string));
    set(&mut c.stage_at, f.need("stage_at", number));
    set(&mut c.notes, f.need("notes", string));
    set(&mut c.notes_at, f.need("notes_at", number));
    set(&mut c.follow_up_at, f.need("follow_up_at", number));
    set(
        &mut c.drafts_used,
        f.list("drafts_used", |d| Some(DraftUse { kind: string(d.get("kind")?)?, at: number(d.get("at")?)?, chars: as_u32(d.get("chars")?)? })),
    );
    f.get("steps_done");
    match f.get("steps").and_then(Value::as_object) {
        Some(steps) => {
            let mark = |m: &Value| Some(StepMark { done: m.get("done")?.as_bool()?, at: number(m.get("at")?)? });
            for (k, m) in steps {
                match mark(m) {
                    Some(m) => c.steps.set(k, m),
                    None => f.bad.push("steps"),
                }
            }
        }
        // Steps kept only as a list of ids: done, as of the last update.
        None => {
            f.bad.push("steps");
            let done = obj.get("steps_done").and_then(Value::as_array).into_iter().flatten();
            for id in done.filter_map(Value::as_str) {
                c.steps.set(id, StepMark { done: true, at: c.updated });
            }
        }
    }
    // Keys this version does not know would be lost at the next write: say so, so the
    // entry is backed up first.
    if f.seen < obj.len() {
        f.bad.push("fields this version does not know");
    }
    f.bad.dedup();
    Some((c, f.bad))
}

/// The cases as CSV (RFC 4180, CRLF, a UTF-8 byte order mark so spreadsheets read the
/// accents), one row per case. A cell that a spreadsheet would run as a formula (starting
/// with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading apostrophe.
pub fn to_csv(cases: &[Case]) -> String {
    let mut out = String::from("\u{feff}id,url,site,author,text,posted,first_seen,stage,steps_done,drafts_used,notes,language,category,severity,follow_up\r\n");
    let opt = |o: &Option<String>| o.clone().unwrap_or_default();
    for c in cases {
        let row = [
            c.id.clone(),
            c.url.clone(),
            opt(&c.site),
            opt(&c.author),
            c.text.clone(),
            opt(&c.posted),
            format_iso(c.first_seen),
            c.stage.clone(),
            c.steps_done.join(";"),
            c.drafts_used.len().to_string(),
            c.notes.clone(),
            opt(&c.language),
            opt(&c.category),
            opt(&c.severity),
            c.follow_up.map(format_iso).unwrap_or_default(),
        ];
        for (i, cell) in row.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let guarded = if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{cell}") } else { cell.clone() };
            if guarded.contains([',', '"', '\r', '\n']) {
                let _ = write!(out, "\"{}\"", guarded.replace('"', "\"\""));
            } else {
                out.push_str(&guarded);
            }
        }
        out.push_str("\r\n");
    }
    out
}

/// The cases as pretty JSON: `{"schema": 1, "cases": [...]}`.
pub fn to_json(cases: &[Case]) -> String {
    #[derive(Serialize)]
    struct Export<'a> {
        schema: u32,
        cases: &'a [Case],
    }
    serde_json::to_string_pretty(&Export { schema: CASE_SCHEMA, cases }).unwrap_or_default()
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Parses an ISO 8601 date (`2024-05-01`, midnight UTC) or date and time
/// (`2024-05-01T10:30`, `…:15`, `….250`, then `Z`, `+02:00`, `+0200` or nothing for UTC)
/// into epoch milliseconds.
pub fn parse_iso(s: &str) -> Option<f64> {
    let b = s.trim().as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let d = b.get(from..from + len)?;
        d.iter().all(u8::is_ascii_digit).then(|| d.iter().fold(0, |n, c| n * 10 + i64::from(c - b'0')))
    };
    let (y, mo, d) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let month_days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if b[4] != b'-' || b[7] != b'-' || !(1..=12).contains(&mo) || d < 1 || d > month_days[mo as usize - 1] {
        return None;
    }
    let mut ms = days_from_civil(y, mo, d) * 86_400_000;
    if b.len() == 10 {
        return Some(ms as f64);
    }
    if !matches!(b[10], b'T' | b't' | b' ') || b.get(13) != Some(&b':') {
        return None;
    }
    let (h, mi) = (num(11, 2)?, num(14, 2)?);
    let mut i = 16;
    let mut sec = 0;
    if b.get(i) == Some(&b':') {
        sec = num(17, 2)?;
        i = 19;
        if matches!(b.get(i), Some(b'.' | b',')) {
            let start = i + 1;
            i = start;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            if i == start {
                return None;
            }
            ms += num(start, (i - start).min(3))? * [100, 10, 1][(i - start).min(3) - 1];
        }
    }
    if h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    ms += ((h * 60 + mi) * 60 + sec) * 1000;
    let offset = match b.get(i) {
        None => 0,
        Some(b'Z' | b'z') if i + 1 == b.len() => 0,
        Some(&sign @ (b'+' | b'-')) => {
            let oh = num(i + 1, 2)?;
            let om = match b.len() - i {
                3 => 0,
                5 => num(i + 3, 2)?,
                6 if b[i + 3] == b':' => num(i + 4, 2)?,
                _ => return None,
            };
            if oh > 23 || om > 59 {
                return None;
            }
            (oh * 60 + om) * 60_000 * if sign == b'+' { 1 } else { -1 }
        }
        _ => return None,
    };
    Some((ms - offset) as f64)
}

/// Epoch milliseconds as ISO 8601 UTC (`2024-05-01T10:30:00Z`); empty when out of range
/// (before 1970 or after 9999).
pub fn format_iso(ms: f64) -> String {
    if !(0.0..253_402_300_800_000.0).contains(&ms) {
        return String::new();
    }
    let secs = (ms / 1000.0).floor() as i64;
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let t = secs.rem_euclid(86_400);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", t / 3600, t / 60 % 60, t % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates_round_trip() {
        assert_eq!(parse_iso("1970-01-01"), Some(0.0));
        assert_eq!(parse_iso("2024-02-29T12:00:00Z"), Some(1_709_208_000_000.0));
        assert_eq!(parse_iso("2024-02-29T14:00:00+02:00"), Some(1_709_208_000_000.0));
        assert_eq!(parse_iso("2024-02-29T14:00+0200"), Some(1_709_208_000_000.0));
        assert_eq!(parse_iso("2024-02-29T12:00:00.250Z"), Some(1_709_208_000_250.0));
        assert_eq!(parse_iso("2024-02-29 07:00:00-05"), Some(1_709_208_000_000.0));
        for bad in ["", "2023-02-29", "2024-13-01", "2024-1-01", "yesterday", "2024-05-01T", "2024-05-01T25:00", "2024-05-01T10:00Zx", "2024-05-01T10:00:00.Z", "2024-05-01ąą", "ąąąąąąąąąąąą"] {
            assert_eq!(parse_iso(bad), None, "{bad}");
        }
        assert_eq!(format_iso(1_709_208_000_250.0), "2024-02-29T12:00:00Z");
        assert_eq!(format_iso(0.0), "1970-01-01T00:00:00Z");
        assert_eq!(format_iso(-1.0), "");
        assert_eq!(format_iso(f64::NAN), "");
        for days in [0i64, 59, 60, 365, 10_957, 19_782, 2_932_896] {
            assert_eq!(days_from_civil(civil_from_days(days).0, civil_from_days(days).1, civil_from_days(days).2), days);
        }
    }

    #[test]
    fn excerpt_is_cut_at_a_character() {
        let c = new_case(NewCase { url: "https://a.b/x".into(), text: "ł".repeat(600), ..Default::default() }, 5.0);
        assert_eq!(c.text.chars().count(), EXCERPT_CHARS);
        assert_eq!(c.first_seen, 5.0);
        assert_eq!(c.stage, "reconnaissance");
    }
}
