//! The customer's own words for the reply to acknowledge ("You wrote “the screen arrived
//! cracked”"): the clause around the strongest evidence, kept short and clean.
//!
//! A quote is only offered when it is safe to repeat in public: no profanity, no digits
//! (order numbers, phone numbers, documents), no e-mail, link or handle, no quotation
//! marks of its own, 3–12 words with at least one content word (four letters or more, not
//! a function word of the language: "Is this a" acknowledges nothing), or two content
//! words ("calitate proastă"). Otherwise the draft names the problem by its label.

use super::lexicon::Match;
use super::text::Token;

const MAX_WORDS: usize = 12;
const MIN_WORDS: usize = 3;

/// Which evidence is the best anchor: the chosen category's phrases first, then
/// complaint phrases, then other categories' and negative words.
fn rank(signal: &str, category: &str) -> Option<u8> {
    match signal.strip_prefix("category:") {
        Some(c) if c == category => Some(0),
        Some(_) => Some(2),
        None if signal == "complaint" => Some(1),
        None if signal == "negative" || signal.starts_with("intent:") => Some(3),
        None => None,
    }
}

fn is_clause_break(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | ';' | ':' | '\n' | '\r' | '(' | ')' | '"' | '“' | '”' | '„' | '«' | '»' | '…' | ',')
}

/// The quote, or `None` when no clean one exists.
/// `extra` are further anchors (token ranges), tried after the lexicon's: the words the
/// complaint model weighed most.
/// `stop` are the language's function words (folded), which never count as content.
pub fn find(text: &str, tokens: &[Token], matches: &[Match], category: &str, extra: &[(usize, usize)], stop: &[String]) -> Option<String> {
    find_with(text, tokens, matches, category, extra, true, stop)
}

/// For a text that does not read as a complaint: only a complaint or negative phrase may
/// anchor a quote (a missed complaint still has one), and the first clause only when the
/// text holds no praise — quoting "works great" back with "we get why you're frustrated"
/// would mock the customer.
pub fn find_guarded(text: &str, tokens: &[Token], matches: &[Match], category: &str, stop: &[String]) -> Option<String> {
    let negative: Vec<Match> = matches.iter().filter(|m| matches!(m.signal, "complaint" | "negative" | "profanity")).cloned().collect();
    let praise = matches.iter().any(|m| m.signal == "praise");
    find_with(text, tokens, &negative, category, &[], !praise, stop)
}

fn find_with(text: &str, tokens: &[Token], matches: &[Match], category: &str, extra: &[(usize, usize)], fallback: bool, stop: &[String]) -> Option<String> {
    // Profanity is never quoted back: a clause holding any is ruled out.
    let rude: Vec<(usize, usize)> = matches.iter().filter(|m| m.signal == "profanity").map(|m| (m.start, m.end)).collect();
    let content = |t: &Token| t.word.chars().count() >= 4 && !t.word.chars().all(|c| c.is_ascii_digit()) && !stop.contains(&t.word);
    let clause = |text: &str, tokens: &[Token], a: usize, b: usize| -> Option<(usize, String)> {
        let (lo, hi, q) = clause(text, tokens, a, b)?;
        // Three words or more with some content, or two content words ("calitate proastă").
        let (words, content) = (hi + 1 - lo, tokens[lo..=hi].iter().filter(|t| content(t)).count());
        let enough = (words >= MIN_WORDS && content > 0) || content == words;
        (!rude.iter().any(|&(s, e)| s <= hi && lo < e) && enough).then_some((hi, q))
    };
    let mut anchors: Vec<(u8, &Match)> = matches.iter().filter_map(|m| rank(m.signal, category).map(|r| (r, m))).collect();
    anchors.sort_by_key(|(r, m)| (*r, std::cmp::Reverse(m.end - m.start), m.start));
    let spans = anchors.into_iter().take(8).map(|(_, m)| (m.start, m.end)).chain(extra.iter().copied());
    for (a, b) in spans {
        if let Some((_, q)) = clause(text, tokens, a, b) {
            return Some(q);
        }
    }
    // No usable evidence: in a short text (a tweet, a title-like review) the first clean
    // clause states the problem; in a long one it is often a greeting or the backstory.
    if fallback && text.len() <= 300 {
        let mut i = 0;
        while i < tokens.len() {
            match clause(text, tokens, i, i + 1) {
                Some((_, q)) => return Some(q),
                None => i += 1,
            }
        }
    }
    None
}

/// The clause holding tokens `start..end`, trimmed to `MAX_WORDS` around them: its token
/// range and its text.
fn clause(text: &str, tokens: &[Token], start: usize, end: usize) -> Option<(usize, usize, String)> {
    // Grow left and right over tokens while no clause break lies between them.
    let gap_breaks = |a: &Token, b: &Token| text.get(a.end..b.start).is_none_or(|g| g.chars().any(is_clause_break));
    // Right first: a quote that stops mid-clause ("…from my card for") reads worse than one
    // that starts mid-clause.
    let (mut lo, mut hi) = (start, end - 1);
    while hi + 1 < tokens.len() && !gap_breaks(&tokens[hi], &tokens[hi + 1]) && hi + 2 - lo <= MAX_WORDS {
        hi += 1;
    }
    while lo > 0 && !gap_breaks(&tokens[lo - 1], &tokens[lo]) && hi + 1 - (lo - 1) <= MAX_WORDS {
        lo -= 1;
    }
    // Handles, hashtags and links ("@Uber_Support", "https://t.co/x") are not the
    // customer's words: skip them at the ends; one inside splits the clause.
    let tagged = |t: &Token| super::lang::in_link_or_handle(text, t);
    while lo <= hi && tagged(&tokens[lo]) {
        lo += 1;
    }
    while hi > lo && tagged(&tokens[hi]) {
        hi -= 1;
    }
    if lo > hi {
        return None;
    }
    // A handle or hashtag inside splits the clause ("why is the @brand app not working"):
    // keep the part holding the evidence if it is long enough, else the longest part.
    if (lo..=hi).any(|i| tagged(&tokens[i])) {
        let mut parts: Vec<(usize, usize)> = Vec::new();
        let mut from = lo;
        for (i, t) in tokens.iter().enumerate().take(hi + 1).skip(lo) {
            if tagged(t) {
                if i > from {
                    parts.push((from, i - 1));
                }
                from = i + 1;
            }
        }
        if from <= hi {
            parts.push((from, hi));
        }
        let long = |p: &&(usize, usize)| p.1 + 1 - p.0 >= MIN_WORDS;
        let pick = parts.iter().filter(long).find(|p| p.0 <= start && start <= p.1).or_else(|| parts.iter().filter(long).max_by_key(|p| p.1 - p.0));
        let &(a, b) = pick?;
        lo = a;
        hi = b;
    }
    let words = hi + 1 - lo;
    if !(2..=MAX_WORDS).contains(&words) {
        return None;
    }
    // Emphasis marks around words ("*just*", "_really_") are dropped, not a reason to refuse.
    let raw = text.get(tokens[lo].start..tokens[hi].end)?.trim();
    let stripped = raw.replace(['*', '_'], "");
    let q = stripped.as_str();
    // Short numbers ("2 days", "45 lei", flight "3177") are safe to repeat; longer ones
    // may be order, phone or document numbers.
    let long_number = q.split(|c: char| !c.is_ascii_digit()).any(|run| run.len() > 4);
    let clean = !long_number && !q.chars().any(|c| matches!(c, '@' | '#' | '/' | '\\' | '{' | '}' | '<' | '>' | '[' | ']' | '"' | '“' | '”' | '„' | '«' | '»' | '*' | '_'))
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
        return c.next().map(|f| (lo, hi, f.to_uppercase().chain(c).collect()));
    }
    Some((lo, hi, q.to_string()))
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
        let q = find(t, &toks, &[m("category:damaged_or_defective", 5, 7)], "damaged_or_defective", &[], &[]);
        assert_eq!(q.as_deref(), Some("O produto veio quebrado e ninguém responde"));
    }

    #[test]
    fn unsafe_quotes_are_refused() {
        let t = "My order 123456 never arrived";
        let toks = tokenize(t);
        assert_eq!(find(t, &toks, &[m("complaint", 3, 5)], "delivery", &[], &[]), None);
        let t = "cars get major issues *just* after the warranty expires";
        let toks = tokenize(t);
        assert_eq!(find(t, &toks, &[m("complaint", 2, 4)], "other", &[], &[]).as_deref(), Some("cars get major issues just after the warranty expires"));
        let t = "It broke after 2 days of use";
        let toks = tokenize(t);
        assert_eq!(find(t, &toks, &[m("complaint", 1, 2)], "delivery", &[], &[]).as_deref(), Some("It broke after 2 days of use"));
        let t = "My order 12345 never arrived";
        let toks = tokenize(t);
        assert_eq!(find(t, &toks, &[m("complaint", 3, 5)], "delivery", &[], &[]), None);
        let t = "never arrived damn";
        let toks = tokenize(t);
        assert_eq!(find(t, &toks, &[m("complaint", 0, 2), m("profanity", 2, 3)], "delivery", &[], &[]), None);
        // Profanity in another clause does not rule out a clean one.
        let t = "the parcel never arrived at all, damn it";
        let toks = tokenize(t);
        assert_eq!(find(t, &toks, &[m("complaint", 2, 4), m("profanity", 6, 7)], "delivery", &[], &[]).as_deref(), Some("the parcel never arrived at all"));
        // Too short a clause.
        let t = "Broken. Sad.";
        let toks = tokenize(t);
        assert_eq!(find(t, &toks, &[m("complaint", 0, 1)], "other", &[], &[]), None);
        // Two words only when both carry content.
        let stop = vec!["foarte".to_string()];
        let t = "Nu recomand. calitate proasta!";
        let toks = tokenize(t);
        assert_eq!(find(t, &toks, &[m("complaint", 2, 3)], "other", &[], &stop).as_deref(), Some("calitate proasta"));
        let t = "Nu recomand. foarte slab!";
        let toks = tokenize(t);
        assert_eq!(find(t, &toks, &[m("complaint", 3, 4)], "other", &[], &stop), None);
    }

    #[test]
    fn handles_are_not_quoted() {
        let t = "@TopmanAskUs please just give me my money back";
        let toks = tokenize(t);
        assert_eq!(find(t, &toks, &[m("complaint", 5, 8)], "refund_or_cancellation", &[], &[]).as_deref(), Some("please just give me my money back"));
        // A handle inside: the part with the evidence, if long enough.
        let t = "whyyyy is the @ChipotleTweets app not working";
        let toks = tokenize(t);
        assert_eq!(find(t, &toks, &[m("complaint", 5, 7)], "technical", &[], &[]).as_deref(), Some("app not working"));
        let t = "why does @AppleSupport keep crashing my phone";
        let toks = tokenize(t);
        assert_eq!(find(t, &toks, &[m("complaint", 0, 2)], "technical", &[], &[]).as_deref(), Some("keep crashing my phone"));
    }

    #[test]
    fn praise_is_not_quoted_but_a_missed_complaint_is() {
        let t = "Thanks, the new update works great";
        let toks = tokenize(t);
        assert_eq!(find_guarded(t, &toks, &[m("category:technical", 3, 4), m("praise", 4, 6)], "technical", &[]), None);
        // No praise: the first clause with content, as for a complaint.
        let t = "used bed sheet in the second coach";
        let toks = tokenize(t);
        assert_eq!(find_guarded(t, &toks, &[], "other", &[]).as_deref(), Some("used bed sheet in the second coach"));
        let t = "Meh. The parcel never arrived at all";
        let toks = tokenize(t);
        assert_eq!(find_guarded(t, &toks, &[m("complaint", 3, 5)], "delivery", &[]).as_deref(), Some("The parcel never arrived at all"));
    }

    #[test]
    fn a_quote_needs_a_content_word_and_skips_glued_handles() {
        let stop: Vec<String> = ["is", "this", "a", "what", "it", "like", "the", "my", "i", "did", "to", "no"].iter().map(|s| s.to_string()).collect();
        // Only function words: nothing acknowledged, so no quote.
        let t = "@Delta Is this a #computer #answering my tweets?";
        let toks = tokenize(t);
        assert_eq!(find(t, &toks, &[], "other", &[], &stop), None);
        // "@Uber_Support" is one handle, though the tokens split at '_'.
        let t = "@Uber_Support I definitely did this to no avail - it kept defaulting to the terminal.";
        let toks = tokenize(t);
        assert_eq!(find(t, &toks, &[], "other", &[], &stop).as_deref(), Some("I definitely did this to no avail - it kept defaulting"));
        // A link splits the clause like a handle; the first clause with content is kept.
        let t = "@CoxHelp So, as you can see something is clearly up. I am paying for 300 and get 8 https://t.co/x";
        let toks = tokenize(t);
        assert_eq!(find(t, &toks, &[], "other", &[], &stop).as_deref(), Some("as you can see something is clearly up"));
    }

    #[test]
    fn shouting_is_lowered() {
        let t = "THE PACKAGE NEVER ARRIVED AT ALL";
        let toks = tokenize(t);
        assert_eq!(find(t, &toks, &[m("complaint", 2, 4)], "delivery", &[], &[]).as_deref(), Some("The package never arrived at all"));
    }
}
