//! Reply drafts from `data/templates/<lang>.toml`.
//!
//! A draft is a sequence of slots (greeting, apology, …); each slot has variants and one
//! is picked deterministically from the complaint text, so different complaints get
//! different wording and tests stay stable. A variant is eligible only when every
//! variable it uses has a value, so a draft never shows an unfilled `{…}`. To fit a
//! platform's limit, optional slots are dropped whole and shorter variants chosen —
//! text is never cut mid-sentence.

use std::collections::BTreeMap;

use super::knowledge::{Section, Templates};

/// Values for template variables; a missing key means "unknown".
pub type Vars = BTreeMap<&'static str, String>;

/// Which message of the case (seed 000's stages each have their own).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Public,
    Private,
    Resolution,
    Closing,
}

impl Kind {
    fn section(self, t: &Templates) -> &Section {
        match self {
            Kind::Public => &t.public,
            Kind::Private => &t.private,
            Kind::Resolution => &t.resolution,
            Kind::Closing => &t.closing_message,
        }
    }

    /// Slots in reading order, and which may be dropped to fit a limit (first dropped first
    /// is the lowest `drop` rank).
    fn slots(self) -> &'static [(&'static str, Option<u8>)] {
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
        }
    }
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

fn fill(template: &str, vars: &Vars) -> Option<String> {
    let mut out = template.to_string();
    for v in variables(template) {
        let value = vars.get(v).filter(|s| !s.trim().is_empty())?;
        out = out.replace(&format!("{{{v}}}"), value);
    }
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

/// Composes one message. `seed` picks variants; `limit` 0 means none.
pub fn compose(t: &Templates, kind: Kind, vars: &Vars, seed: &str, limit: usize, unit: &str) -> String {
    let section = kind.section(t);
    // For each slot: the chosen variant and the shortest eligible one.
    let mut chosen: Vec<(Option<u8>, String, String)> = Vec::new();
    for &(slot, drop) in kind.slots() {
        let key = if slot == "greeting" && vars.contains_key("name") { "greeting_named" } else { slot };
        let candidates: Vec<String> = section
            .get(key)
            .or_else(|| section.get(slot))
            .map(|vs| vs.iter().filter_map(|v| fill(v, vars)).collect())
            .unwrap_or_default();
        let candidates = if candidates.is_empty() && key == "greeting_named" {
            section.get("greeting").map(|vs| vs.iter().filter_map(|v| fill(v, vars)).collect()).unwrap_or_default()
        } else {
            candidates
        };
        let candidates = if candidates.is_empty() && slot == "signature" { vec![vars.get("brand").cloned().unwrap_or_default()] } else { candidates };
        if candidates.is_empty() {
            continue;
        }
        let pick = (stable_hash(&[seed, slot, &t.language]) % candidates.len() as u64) as usize;
        let shortest = candidates.iter().min_by_key(|c| c.chars().count()).cloned().unwrap_or_default();
        chosen.push((drop, candidates[pick].clone(), shortest));
    }
    let join = |parts: &[(Option<u8>, String, String)], short: bool| -> String {
        let mut out = String::new();
        for (i, (_, full, shortest)) in parts.iter().enumerate() {
            let s = if short { shortest } else { full };
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
        return join(&chosen, false);
    }
    // Drop optional slots, lowest rank first, then fall back to the shortest variants.
    let mut parts = chosen.clone();
    for short in [false, true] {
        let mut ranks: Vec<u8> = parts.iter().filter_map(|p| p.0).collect();
        ranks.sort();
        let mut text = join(&parts, short);
        for r in ranks {
            if measure(&text, unit) <= limit {
                break;
            }
            parts.retain(|p| p.0 != Some(r));
            text = join(&parts, short);
        }
        if measure(&text, unit) <= limit {
            return text;
        }
        parts = chosen.clone();
    }
    // Even the essentials do not fit: keep whole sentences while they fit.
    let mut out = String::new();
    for (_, _, s) in chosen.iter().filter(|p| p.0.is_none()) {
        let candidate = if out.is_empty() { s.clone() } else { format!("{out} {s}") };
        if measure(&candidate, unit) <= limit {
            out = candidate;
        }
    }
    out
}
