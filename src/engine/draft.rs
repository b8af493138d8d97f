//! Reply drafts from `data/templates/<lang>.toml`.
//!
//! A draft is a sequence of slots (greeting, apology, …); each slot has variants and one
//! is picked deterministically from the complaint text, so different complaints get
//! different wording and tests stay stable. A variant is eligible only when every
//! variable it uses has a value, so a draft never shows an unfilled `{…}`. To fit a
//! platform's limit, optional slots are dropped whole and shorter variants chosen —
//! text is never cut mid-sentence.

use std::collections::BTreeMap;

use super::knowledge::{Register, Section};

/// Values for template variables; a missing key means "unknown".
pub type Vars = BTreeMap<&'static str, String>;

/// Which message of the case (seed 000's stages each have their own).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Public,
    Private,
    Resolution,
    Closing,
    /// The reply to praise (a text that is no complaint and reads positive).
    Thanks,
    /// The reply to a question that is no complaint.
    Question,
    /// The reply to a demand tied to the rating ("a voucher and I'll change my review"):
    /// the review policy, stated once, and what can be offered.
    Extortion,
    /// The reply to abuse with no concrete issue: calm, and what can be offered.
    Abuse,
}

/// How the draft sounds. `Warm` uses the plain template keys; the others prefer keys with
/// their suffix (`greeting_formal`, `next_step_brief`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Warm,
    Formal,
    Brief,
}

impl Tone {
    pub const ALL: [&'static str; 3] = ["warm", "formal", "brief"];

    /// Unknown names give the default, `warm`.
    pub fn parse(s: &str) -> Tone {
        match s {
            "formal" => Tone::Formal,
            "brief" => Tone::Brief,
            _ => Tone::Warm,
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            Tone::Warm => "warm",
            Tone::Formal => "formal",
            Tone::Brief => "brief",
        }
    }
}

impl Kind {
    /// Every message, in declaration order (`kind as usize` indexes it).
    pub const ALL: [Kind; 8] = [Kind::Public, Kind::Private, Kind::Resolution, Kind::Closing, Kind::Thanks, Kind::Question, Kind::Extortion, Kind::Abuse];

    /// The message's own section of a register.
    pub fn section(self, r: &Register) -> &Section {
        match self {
            Kind::Public => &r.public,
            Kind::Private => &r.private,
            Kind::Resolution => &r.resolution,
            Kind::Closing => &r.closing_message,
            Kind::Thanks => &r.thanks,
            Kind::Question => &r.question,
            Kind::Extortion | Kind::Abuse => &r.policy,
        }
    }

    /// The template variants of `key` for this message: its own section's, and for a
    /// thank-you or an answer the public reply's signatures (one signature per register and
    /// tone).
    fn variants<'r>(self, r: &'r Register, key: &str) -> Option<&'r Vec<String>> {
        self.section(r).get(key).or_else(|| self.borrowed(r).find(|(k, _)| *k == key).map(|(_, v)| v))
    }

    /// The keys this message takes from another section: the signatures of a thank-you,
    /// an answer and a reply to bad faith are the public reply's.
    fn borrowed<'r>(self, r: &'r Register) -> impl Iterator<Item = (&'r String, &'r Vec<String>)> {
        let borrows = matches!(self, Kind::Thanks | Kind::Question | Kind::Extortion | Kind::Abuse);
        r.public.iter().filter(move |(k, _)| borrows && k.starts_with("signature"))
    }

    /// Every variant this message may be made of: its section's and the borrowed ones.
    pub fn all_variants<'r>(self, r: &'r Register) -> impl Iterator<Item = &'r String> {
        self.section(r).values().chain(self.borrowed(r).map(|(_, v)| v)).flatten()
    }

    /// Slots in reading order, and which may be dropped to fit a limit (lowest `drop` rank
    /// first). A brief tone drops rank 1 outright.
    pub fn slots(self) -> &'static [(&'static str, Option<u8>)] {
        match self {
            Kind::Public => &[
                ("greeting", Some(3)),
                ("apology", None),
                ("acknowledge", Some(5)),
                ("next_step", None),
                ("channel", Some(4)),
                ("compensation", Some(2)),
                ("closing", Some(1)),
                ("signature", None),
            ],
            Kind::Private => &[("greeting", Some(2)), ("acknowledge", Some(3)), ("details", None), ("next_step", Some(1)), ("signature", None)],
            Kind::Resolution => &[("greeting", Some(2)), ("resolved", None), ("check", Some(1)), ("signature", None)],
            Kind::Closing => &[
                ("greeting", Some(3)),
                ("apology", Some(2)),
                ("resolved", None),
                ("prevention", Some(4)),
                ("invite_update", Some(1)),
                ("signature", None),
            ],
            Kind::Thanks => &[("greeting", Some(2)), ("thanks", None), ("invite", Some(1)), ("signature", None)],
            Kind::Question => &[("greeting", Some(2)), ("answer", None), ("channel", Some(1)), ("signature", None)],
            Kind::Extortion => &[("greeting", Some(1)), ("rating_policy", None), ("offer", None), ("signature", None)],
            Kind::Abuse => &[("greeting", Some(1)), ("calm", None), ("offer", None), ("signature", None)],
        }
    }
}

/// Template keys to try for a slot, most specific first.
fn keys(slot: &str, vars: &Vars, tone: Tone) -> Vec<String> {
    let mut bases = Vec::new();
    if slot == "greeting" && vars.contains_key("name") {
        bases.push("greeting_named".to_string());
    }
    if slot == "acknowledge" && vars.contains_key("quote") {
        bases.push("acknowledge_quote".to_string());
    }
    if slot == "thanks" && vars.contains_key("gratitude") {
        bases.push("welcome".to_string());
    }
    bases.push(slot.to_string());
    let mut out = Vec::new();
    for b in bases {
        if tone != Tone::Warm {
            out.push(format!("{b}_{}", tone.id()));
        }
        out.push(b);
    }
    out
}

/// FNV-1a: a small, stable hash (std's hasher may change between releases).
pub fn stable_hash(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0xff)) {
            h ^= b as u64;
            h = h.wrapping_mul(0x100000001b3);
        }
    }
    h
}

/// Variables a template uses: `{name}` → "name".
pub fn variables(template: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(a) = rest.find('{') {
        let Some(b) = rest[a..].find('}') else { break };
        out.push(&rest[a + 1..a + b]);
        rest = &rest[a + b + 1..];
    }
    out
}

/// Whether every variable of a template has a value.
fn eligible(template: &str, vars: &Vars) -> bool {
    variables(template).iter().all(|v| vars.get(v).is_some_and(|s| !s.trim().is_empty()))
}

/// Fills every `{var}` in one pass (a value that itself contains `{…}` — a hostile
/// name — is inserted as it is, never expanded). `None` when a variable has no value.
pub fn fill(template: &str, vars: &Vars) -> Option<String> {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(a) = rest.find('{') {
        let Some(b) = rest[a..].find('}') else { break };
        out.push_str(&rest[..a]);
        let value = vars.get(&rest[a + 1..a + b]).filter(|s| !s.trim().is_empty())?;
        out.push_str(value);
        rest = &rest[a + b + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// Measures text as the platform counts it.
pub fn measure(text: &str, unit: &str) -> usize {
    if unit == "bytes" {
        text.len()
    } else {
        text.chars().count()
    }
}

/// Composes one message. `seed` picks variants; `(limit, unit)` is the platform's reply
/// limit (0: none) and how it counts (`chars` | `bytes`).
pub fn compose(r: &Register, lang: &str, kind: Kind, tone: Tone, vars: &Vars, seed: &str, (limit, unit): (usize, &str)) -> String {
    // For each slot: the chosen variant, the shortest eligible one, and the shortest
    // without the customer's quote (the acknowledgement by the problem's label).
    let mut chosen: Vec<(Option<u8>, String, String, String)> = Vec::new();
    let shortest_of = |slot: &str, vars: &Vars| -> Option<String> {
        let candidates = keys(slot, vars, tone).iter().filter_map(|k| kind.variants(r, k)).map(|vs| vs.iter().filter(|v| eligible(v, vars)).collect::<Vec<_>>()).find(|c| !c.is_empty())?;
        candidates.iter().filter_map(|c| fill(c, vars)).min_by_key(|c| c.chars().count())
    };
    for &(slot, drop) in kind.slots() {
        if tone == Tone::Brief && drop == Some(1) {
            continue;
        }
        // The eligible variants of the most specific key that has any; only the picked one
        // (and, under a limit, the shortest) is filled in.
        let candidates: Vec<&String> = keys(slot, vars, tone)
            .iter()
            .filter_map(|k| kind.variants(r, k))
            .map(|vs| vs.iter().filter(|v| eligible(v, vars)).collect::<Vec<_>>())
            .find(|c| !c.is_empty())
            .unwrap_or_default();
        if candidates.is_empty() {
            if slot == "signature" {
                let brand = vars.get("brand").cloned().unwrap_or_default();
                chosen.push((drop, brand.clone(), brand.clone(), brand));
            }
            continue;
        }
        let pick = (stable_hash(&[seed, slot, lang]) % candidates.len() as u64) as usize;
        let full = fill(candidates[pick], vars).unwrap_or_default();
        let shortest = if limit == 0 { full.clone() } else { candidates.iter().filter_map(|c| fill(c, vars)).min_by_key(|c| c.chars().count()).unwrap_or_default() };
        let plain = match vars.contains_key("quote") && limit > 0 {
            true => {
                // An empty value makes the quote's templates ineligible (cheaper than remove).
                let mut v = vars.clone();
                v.insert("quote", String::new());
                shortest_of(slot, &v).unwrap_or_else(|| shortest.clone())
            }
            false => shortest.clone(),
        };
        chosen.push((drop, full, shortest, plain));
    }
    // 0: the chosen wording; 1: the shortest variants; 2: those, without the quote.
    let join = |parts: &[(Option<u8>, String, String, String)], how: u8| -> String {
        let mut out = String::new();
        for (i, (_, full, shortest, plain)) in parts.iter().enumerate() {
            let s = match how {
                0 => full,
                1 => shortest,
                _ => plain,
            };
            if s.is_empty() {
                continue;
            }
            if !out.is_empty() {
                // The signature goes on its own line; sentences flow as one paragraph.
                out.push(if i + 1 == parts.len() { '\n' } else { ' ' });
            }
            out.push_str(s);
        }
        out
    };
    if limit == 0 {
        return join(&chosen, 0);
    }
    // Drop optional slots, lowest rank first; at each step try the chosen wording, then the
    // shortest variants, before giving up another slot. Once the greeting is gone, the
    // customer's quote yields to the label before the private channel is given up: the
    // channel is the reply's next step (seed 000, phase 2).
    let mut ranks: Vec<u8> = chosen.iter().filter_map(|p| p.0).collect();
    ranks.sort();
    let mut parts = chosen.clone();
    for r in std::iter::once(None).chain(ranks.into_iter().map(Some)) {
        if let Some(r) = r {
            parts.retain(|p| p.0 != Some(r));
        }
        let ways: &[u8] = if r.is_some_and(|r| r >= 3) { &[0, 1, 2] } else { &[0, 1] };
        for &how in ways {
            let text = join(&parts, how);
            if measure(&text, unit) <= limit {
                return text;
            }
        }
    }
    // Even the essentials do not fit: keep whole sentences while they fit.
    let mut out = String::new();
    for (_, _, s, _) in chosen.iter().filter(|p| p.0.is_none()) {
        let candidate = if out.is_empty() { s.clone() } else { format!("{out} {s}") };
        if measure(&candidate, unit) <= limit {
            out = candidate;
        }
    }
    out
}

/// A register with the brand's own wording laid over it (`Settings::templates`): each key
/// is a template slot of the public reply ("apology") or `section.slot` for the other
/// messages ("private.details", "closing_message.invite_update", "thanks.thanks",
/// "question.answer", "policy.rating_policy"); its text replaces the
/// slot's variants and may use the same `{variables}`. Unknown keys and empty texts are
/// ignored, so a typo never empties a draft.
pub fn with_custom(r: &Register, custom: &std::collections::BTreeMap<String, String>) -> Register {
    let mut out = r.clone();
    for (key, text) in custom {
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        let (section, slot) = key.split_once('.').unwrap_or(("public", key.as_str()));
        let section = match section {
            "public" => &mut out.public,
            "private" => &mut out.private,
            "resolution" => &mut out.resolution,
            "closing_message" | "closing" => &mut out.closing_message,
            "thanks" => &mut out.thanks,
            "question" => &mut out.question,
            "policy" => &mut out.policy,
            _ => continue,
        };
        if let Some(variants) = section.get_mut(slot) {
            *variants = vec![text.to_string()];
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::Kind;

    #[test]
    fn kind_all_is_in_declaration_order() {
        // The fuzz harness indexes `Kind::ALL.map(…)` by `kind as usize`.
        for (i, k) in Kind::ALL.iter().enumerate() {
            assert_eq!(*k as usize, i, "{k:?}");
        }
    }
}
