//! The customer's own words for the reply to acknowledge ("You wrote “the screen arrived
//! cracked”"): the clause around the strongest evidence, kept short and clean.
//!
//! A quote is only offered when it is safe to repeat in public: no profanity, no digits
//! (order numbers, phone numbers, documents), no e-mail, link or handle, no quotation
//! marks of its own, 3–12 words. Otherwise the draft names the problem by its label.

use super::lexicon::Match;
use super::text::Token;

const MAX_WORDS: usize = 12;
const MIN_WORDS: usize = 3;

/// Which evidence is the best anchor: the chosen category's phrases first, then
/// complaint phrases.
fn rank(signal: &str, category: &str) -> Option<u8> {
    match signal.strip_prefix("category:") {
        Some(c) if c == category => Some(0),
        Some(_) => None,
        None if signal == "complaint" => Some(1),
        None => None,
    }
}

fn is_clause_break(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | ';' | ':' | '\n' | '\r' | '(' | ')' | '"' | '“' | '”' | '„' | '«' | '»' | '…' | ',')
}

/// The quote, or `None` when no clean one exists.
pub fn find(text: &str, tokens: &[Token], matches: &[Match], category: &str) -> Option<String> {
    if matches.iter().any(|m| m.signal == "profanity") {
        return None;
    }
    let mut anchors: Vec<(u8, &Match)> = matches.iter().filter_map(|m| rank(m.signal, category).map(|r| (r, m))).collect();
    anchors.sort_by_key(|(r, m)| (*r, std::cmp::Reverse(m.end - m.start), m.start));
    for (_, m) in anchors.into_iter().take(6) {
        if let Some(q) = clause(text, tokens, m.start, m.end) {
            return Some(q);
        }
    }
    None
}

/// The clause holding tokens `start..end`, trimmed to `MAX_WORDS` around them.
fn clause(text: &str, tokens: &[Token], start: usize, end: usize) -> Option<String> {
    // Grow left and right over tokens while no clause break lies between them.
    let gap_breaks = |a: &Token, b: &Token| text.get(a.end..b.start).is_none_or(|g| g.chars().any(is_clause_break));
    let (mut lo, mut hi) = (start, end - 1);
    while lo > 0 && !gap_breaks(&tokens[lo - 1], &tokens[lo]) && hi + 1 - (lo - 1) <= MAX_WORDS {
        lo -= 1;
    }
    while hi + 1 < tokens.len() && !gap_breaks(&tokens[hi], &tokens[hi + 1]) && hi + 2 - lo <= MAX_WORDS {
        hi += 1;
    }
    let words = hi + 1 - lo;
    if !(MIN_WORDS..=MAX_WORDS).contains(&words) {
        return None;
    }
    let q = text.get(tokens[lo].start..tokens[hi].end)?.trim();
    let clean = !q.chars().any(|c| c.is_ascii_digit() || matches!(c, '@' | '#' | '/' | '\\' | '{' | '}' | '<' | '>' | '[' | ']' | '"' | '“' | '”' | '„' | '«' | '»' | '*' | '_'))
        && !q.contains("http")
        && !q.contains("www.");
    if !clean {
        return None;
    }
    // Shouting is quoted in sentence case: the reply must not shout back.
    let letters = q.chars().filter(|c| c.is_alphabetic()).count();
    let upper = q.chars().filter(|c| c.is_uppercase()).count();
    if letters > 0 && upper * 2 > letters {
        let lower = q.to_lowercase();
        let mut c = lower.chars();
        return c.next().map(|f| f.to_uppercase().chain(c).collect());
    }
    Some(q.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::text::tokenize;

    fn m(signal: &'static str, start: usize, end: usize) -> Match<'static> {
        Match { signal, start, end }
    }

    #[test]
    fn clause_around_the_evidence() {
        let t = "Comprei em março. O produto veio quebrado e ninguém responde, um absurdo!";
        let toks = tokenize(t);
        // "veio quebrado" = tokens 5..7
        let q = find(t, &toks, &[m("category:damaged_or_defective", 5, 7)], "damaged_or_defective");
        assert_eq!(q.as_deref(), Some("O produto veio quebrado e ninguém responde"));
    }

    #[test]
    fn unsafe_quotes_are_refused() {
        let t = "My order 12345 never arrived";
        let toks = tokenize(t);
        assert_eq!(find(t, &toks, &[m("complaint", 3, 5)], "delivery"), None);
        let t = "never arrived, damn";
        let toks = tokenize(t);
        assert_eq!(find(t, &toks, &[m("complaint", 0, 2), m("profanity", 2, 3)], "delivery"), None);
        // Too short a clause.
        let t = "Broken. Sad.";
        let toks = tokenize(t);
        assert_eq!(find(t, &toks, &[m("complaint", 0, 1)], "other"), None);
    }

    #[test]
    fn shouting_is_lowered() {
        let t = "THE PACKAGE NEVER ARRIVED AT ALL";
        let toks = tokenize(t);
        assert_eq!(find(t, &toks, &[m("complaint", 2, 4)], "delivery").as_deref(), Some("The package never arrived at all"));
    }
}
