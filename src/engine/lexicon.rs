//! Phrase matching over folded tokens. Every lexicon list of a language is compiled into
//! one `PhraseSet`; a match remembers which signal raised it ("complaint",
//! "category:delivery", "severity:legal", …).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::knowledge::Lexicon;
use super::text::Token;

/// FNV-1a as a `Hasher`: the engine's maps are keyed by short words it built itself, so
/// SipHash's flood resistance buys nothing and costs a third of the lookup time.
#[derive(Default)]
pub struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf29ce484222325 } else { self.0 };
        for &b in bytes {
            h ^= b as u64;
            h = h.wrapping_mul(0x100000001b3);
        }
        self.0 = h;
    }
}

/// A `HashMap` with the FNV hasher.
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

#[derive(Debug)]
struct Phrase {
    /// (word, is_prefix)
    words: Vec<(String, bool)>,
    signal: String,
}

/// A compiled lexicon.
#[derive(Debug, Default)]
pub struct PhraseSet {
    phrases: Vec<Phrase>,
    /// Phrases whose first word is exact, by that word.
    by_word: FastMap<String, Vec<usize>>,
    /// Phrases whose first word is a prefix (`reembols*`), by that prefix.
    by_prefix: FastMap<String, Vec<usize>>,
    /// The lengths (in chars) that prefix phrases start with, sorted: only these prefixes
    /// of a word are looked up.
    prefix_lens: Vec<usize>,
    /// The language's negators and the words that end their reach (`negate`).
    negators: Vec<String>,
    negation_breaks: Vec<String>,
}

/// How far a negator reaches, in words (the negator's own position included): a
/// positive phrase up to 3 words on ("isn't fixed": the apostrophe splits "isn" and "t";
/// "not very happy", "não foi nada bom"); a one-word negative phrase up to 2 ("no
/// problem", "nie jest źle", "no da problemas", but not "did not resolve my issue"); a
/// longer negative phrase only right after it ("nu am avut probleme", but not "não
/// consigo resolver o problema"). Negating a negative is the rarer and riskier reading.
pub const NEGATION_REACH: [usize; 3] = [3, 2, 1];

/// Signals that a quotation (`text::quoted_spans`) does not lend the customer: praise,
/// kind words and thanks in quotation marks are someone else's (the ad's "best service",
/// the brand's "> Thanks for reaching out") or irony (the "luxury" room).
pub const QUOTED_NOT_FELT: [&str; 3] = ["positive", "praise", "gratitude"];

/// Drops the `QUOTED_NOT_FELT` matches that lie wholly inside a quotation. Runs after
/// negation: a negator outside the quotes ("not "great"") keeps its negative reading.
fn drop_quoted_kind_words(text: &str, tokens: &[Token], matches: &mut Vec<Match>) {
    let quoted = super::text::quoted_spans(text);
    if quoted.is_empty() {
        return;
    }
    let inside = |m: &Match| match (tokens.get(m.start), tokens.get(m.end.saturating_sub(1))) {
        (Some(first), Some(last)) => quoted.iter().any(|&(a, b)| a <= first.start && last.end <= b),
        _ => false,
    };
    matches.retain(|m| !(QUOTED_NOT_FELT.contains(&m.signal) && inside(m)));
}

/// One occurrence of a phrase: tokens `start..end`.
#[derive(Debug, Clone, PartialEq)]
pub struct Match<'a> {
    pub signal: &'a str,
    pub start: usize,
    pub end: usize,
}

impl PhraseSet {
    pub fn from_lexicon(lx: &Lexicon) -> PhraseSet {
        let mut set = PhraseSet { negators: lx.negators.clone(), negation_breaks: lx.negation_breaks.clone(), ..PhraseSet::default() };
        let plain: [(&str, &Vec<String>); 8] = [
            ("complaint", &lx.complaint),
            ("praise", &lx.praise),
            ("gratitude", &lx.gratitude),
            ("question", &lx.question),
            ("positive", &lx.positive),
            ("negative", &lx.negative),
            ("intensifier", &lx.intensifiers),
            ("profanity", &lx.profanity),
        ];
        for (signal, list) in plain {
            for p in list {
                set.add_with_clitics(p, signal, &lx.clitics);
            }
        }
        let grouped = [("category", &lx.categories), ("severity", &lx.severity), ("intent", &lx.intents), ("bad_faith", &lx.bad_faith)];
        for (group, map) in grouped {
            for (key, list) in map {
                for p in list {
                    set.add_with_clitics(p, &format!("{group}:{key}"), &lx.clitics);
                }
            }
        }
        set
    }

    /// Adds a phrase and, when it ends in one of the language's clitics, the same phrase
    /// with the clitic moved before the word it follows ("zawiesza się" → "się zawiesza",
    /// "czy da się" → "czy się da") and before the two words it follows ("nie włącza się"
    /// → "się nie włącza").
    fn add_with_clitics(&mut self, phrase: &str, signal: &str, clitics: &[String]) {
        self.add(phrase, signal.to_string());
        let words: Vec<&str> = phrase.split(' ').filter(|w| !w.is_empty()).collect();
        let Some((last, rest)) = words.split_last() else { return };
        if !clitics.iter().any(|c| c == last) {
            return;
        }
        for moved in 1..=rest.len().min(2) {
            let at = rest.len() - moved;
            let variant: Vec<&str> = rest[..at].iter().chain(std::iter::once(last)).chain(&rest[at..]).copied().collect();
            self.add(&variant.join(" "), signal.to_string());
        }
    }

    /// Adds one folded phrase (words separated by spaces, `*` marking a prefix word).
    pub fn add(&mut self, phrase: &str, signal: String) {
        let words: Vec<(String, bool)> = phrase
            .split(' ')
            .filter(|w| !w.is_empty())
            .map(|w| match w.strip_suffix('*') {
                Some(p) => (p.to_string(), true),
                None => (w.to_string(), false),
            })
            .collect();
        let Some((first, is_prefix)) = words.first().cloned() else { return };
        if first.is_empty() {
            return;
        }
        let idx = self.phrases.len();
        self.phrases.push(Phrase { words, signal });
        if is_prefix {
            let n = first.chars().count();
            if let Err(at) = self.prefix_lens.binary_search(&n) {
                self.prefix_lens.insert(at, n);
            }
            self.by_prefix.entry(first).or_default().push(idx);
        } else {
            self.by_word.entry(first).or_default().push(idx);
        }
    }

    pub fn len(&self) -> usize {
        self.phrases.len()
    }

    pub fn is_empty(&self) -> bool {
        self.phrases.is_empty()
    }

    /// All phrase occurrences in `tokens`, in text order.
    pub fn find<'s>(&'s self, tokens: &[Token]) -> Vec<Match<'s>> {
        let mut out = Vec::new();
        for i in 0..tokens.len() {
            let w = tokens[i].word.as_str();
            if let Some(ids) = self.by_word.get(w) {
                self.try_all(ids, tokens, i, &mut out);
            }
            // Every prefix of the word, of a length some prefix phrase starts with.
            if !self.prefix_lens.is_empty() {
                let ends: Vec<usize> = w.char_indices().skip(1).map(|(b, _)| b).chain(std::iter::once(w.len())).collect();
                for &n in &self.prefix_lens {
                    let Some(&b) = ends.get(n - 1) else { break };
                    if let Some(ids) = self.by_prefix.get(&w[..b]) {
                        self.try_all(ids, tokens, i, &mut out);
                    }
                }
            }
        }
        out
    }

    /// All phrase occurrences in `text` (whose tokens are `tokens`), in text order, with
    /// the language's negation applied (`negate`) and kind words inside quotations dropped
    /// (`drop_quoted_kind_words`).
    pub fn find_in<'s>(&'s self, text: &str, tokens: &[Token]) -> Vec<Match<'s>> {
        let mut found = self.find(tokens);
        self.negate(text, tokens, &mut found);
        drop_quoted_kind_words(text, tokens, &mut found);
        found
    }

    /// Applies the language's negators to `matches`. A positive or praise phrase that a
    /// negator governs ("isn't fixed", "não é bom", "nie warto") becomes a negative one,
    /// its span widened to take in the negator so the evidence quotes it; a negative
    /// phrase that one governs ("no problem", "nunca tive problema", "sin problemas") is
    /// dropped. A negator governs a phrase within `NEGATION_REACH` words of it, in the same
    /// clause: punctuation, a dash or a word of `negation_breaks` between them ends its
    /// reach ("not cheap, but good", "not cheap but good", "sin duda es una maravilla").
    /// A phrase inside a longer phrase with a polarity takes that phrase's reading: inside
    /// praise ("can't thank you enough", "sem nenhum defeito") a positive word stays and a
    /// negative one goes; inside a complaint or a negative phrase, the reverse. A negator
    /// inside a phrase of its own ("nie polecam", "no response") governs nothing outside
    /// it ("Nie polecam tragedia").
    pub fn negate<'s>(&self, text: &str, tokens: &[Token], matches: &mut Vec<Match<'s>>) {
        if self.negators.is_empty() || matches.is_empty() {
            return;
        }
        let is = |list: &[String], k: usize| list.iter().any(|w| *w == tokens[k].word);
        // Negators inside a phrase of their own ("nie polecam", "can't thank you enough").
        let mut in_phrase = vec![false; tokens.len()];
        for m in matches.iter() {
            in_phrase[m.start.min(tokens.len())..m.end.min(tokens.len())].fill(true);
        }
        let taken = |k: usize| in_phrase[k] && is(&self.negators, k);
        let governed = |start: usize, reach: usize| -> Option<usize> {
            if start >= tokens.len() || is(&self.negators, start) {
                return None;
            }
            for k in (start.saturating_sub(reach)..start).rev() {
                let gap = text.get(tokens[k].end..tokens[k + 1].start).unwrap_or_default();
                let clause_ends = gap.contains(['.', ',', ';', ':', '!', '?', '(', ')', '\n', '\\', '–', '—']) || gap.contains(" - ");
                if clause_ends || is(&self.negation_breaks, k) || taken(k) {
                    return None;
                }
                if is(&self.negators, k) {
                    // "isn't": the quote starts at "isn", not at "t".
                    let mut k = k;
                    while k > 0 && text.get(tokens[k - 1].end..tokens[k].start).is_some_and(|g| !g.is_empty() && !g.contains(char::is_whitespace)) {
                        k -= 1;
                    }
                    return Some(k);
                }
            }
            None
        };
        let polarity = |signal: &str| match signal {
            "positive" | "praise" => 1,
            "negative" | "complaint" => -1,
            _ => 0,
        };
        // The longest phrase with a polarity that holds each match, if any: the match
        // takes that phrase's reading, after the phrase's own negation.
        // `find` gives matches in order of their first word, so a container starts at most
        // the longest phrase's length before the match it holds.
        let longest = matches.iter().map(|m| m.end - m.start).max().unwrap_or(0);
        let container: Vec<Option<usize>> = matches
            .iter()
            .map(|m| {
                let from = matches.partition_point(|o| o.start + longest < m.start);
                (from..matches.len())
                    .take_while(|&j| matches[j].start <= m.start)
                    .filter(|&j| {
                        let o = &matches[j];
                        o.start <= m.start && m.end <= o.end && o.end - o.start > m.end - m.start && polarity(o.signal) != 0
                    })
                    .max_by_key(|&j| matches[j].end - matches[j].start)
            })
            .collect();
        let [positive, one_word, longer] = NEGATION_REACH;
        let mut keep = vec![true; matches.len()];
        for (i, m) in matches.iter_mut().enumerate() {
            if container[i].is_some() {
                continue;
            }
            match m.signal {
                "positive" | "praise" => {
                    if let Some(k) = governed(m.start, positive) {
                        *m = Match { signal: "negative", start: k, end: m.end };
                    }
                }
                "negative" => keep[i] = governed(m.start, if m.end - m.start == 1 { one_word } else { longer }).is_none(),
                _ => {}
            }
        }
        for i in 0..matches.len() {
            if let Some(c) = container[i] {
                let p = polarity(matches[i].signal);
                keep[i] = p == 0 || (keep[c] && p == polarity(matches[c].signal));
            }
        }
        let mut i = 0;
        matches.retain(|_| {
            i += 1;
            keep[i - 1]
        });
    }

    fn try_all<'s>(&'s self, ids: &[usize], tokens: &[Token], at: usize, out: &mut Vec<Match<'s>>) {
        for &id in ids {
            let p = &self.phrases[id];
            if p.words.len() > tokens.len() - at {
                continue;
            }
            let ok = p.words.iter().zip(&tokens[at..]).all(|((w, prefix), t)| if *prefix { t.word.starts_with(w.as_str()) } else { t.word == *w });
            if ok {
                out.push(Match { signal: &p.signal, start: at, end: at + p.words.len() });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::text::tokenize;

    fn set(phrases: &[(&str, &str)]) -> PhraseSet {
        let mut s = PhraseSet::default();
        for (p, sig) in phrases {
            s.add(&crate::engine::fold::fold_words(p).join(" "), sig.to_string());
        }
        s
    }

    #[test]
    fn exact_prefix_and_multiword() {
        let s = set(&[("não recebi", "complaint"), ("reembols*", "intent:refund"), ("procon", "severity:regulator")]);
        let toks = tokenize("Ainda NÃO recebi, quero reembolso ou vou ao Procon");
        let got: Vec<_> = s.find(&toks).into_iter().map(|m| (m.signal, m.start, m.end)).collect();
        assert_eq!(got, [("complaint", 1, 3), ("intent:refund", 4, 5), ("severity:regulator", 8, 9)]);
    }

    #[test]
    fn prefix_needs_the_whole_prefix() {
        let s = set(&[("zwrot*", "intent:refund")]);
        assert!(s.find(&tokenize("zwrot zwrotu zwrócić")).len() == 2);
        assert!(s.find(&tokenize("zw")).is_empty());
    }

    #[test]
    fn a_clitic_matches_before_the_verb_too() {
        let mut s = PhraseSet::default();
        let clitics = crate::engine::fold::fold_words("się");
        for p in ["zawiesza się", "nie włącza się", "czy da się", "się"] {
            s.add_with_clitics(&crate::engine::fold::fold_words(p).join(" "), "complaint", &clitics);
        }
        let spans = |t: &str| s.find(&tokenize(t)).into_iter().map(|m| (m.start, m.end)).collect::<Vec<_>>();
        // The phrase as written, and the clitic moved before its verb (and its negation).
        assert!(spans("aplikacja ciągle się zawiesza").contains(&(2, 4)));
        assert!(spans("aplikacja zawiesza się ciągle").contains(&(1, 3)));
        assert!(spans("telefon się nie włącza").contains(&(1, 4)));
        assert!(spans("czy się da zwrócić").contains(&(0, 3)));
        // A clitic alone is not moved anywhere; a word that is not a clitic does not move.
        assert_eq!(spans("się"), [(0, 1)]);
        assert!(!spans("włącza nie").iter().any(|&(a, b)| b - a == 2));
    }

    /// The signals and quoted spans left after negation, with the given negators.
    fn negated(phrases: &[(&str, &str)], negators: &[&str], breaks: &[&str], text: &str) -> Vec<(String, String)> {
        let mut s = set(phrases);
        s.negators = negators.iter().map(|w| crate::engine::fold::fold_words(w).join(" ")).collect();
        s.negation_breaks = breaks.iter().map(|w| crate::engine::fold::fold_words(w).join(" ")).collect();
        let toks = tokenize(text);
        s.find_in(text, &toks).into_iter().map(|m| (m.signal.to_string(), text[toks[m.start].start..toks[m.end - 1].end].to_string())).collect()
    }

    #[test]
    fn a_negator_turns_a_positive_phrase_negative_and_drops_a_negative_one() {
        let en = |t: &str| negated(&[("fixed", "positive"), ("happy", "positive"), ("problem", "negative"), ("no response", "complaint"), ("never got", "complaint")], &["not", "no", "never", "t"], &["but"], t);
        let pair = |sig: &str, q: &str| (sig.to_string(), q.to_string());
        // Positive, negated: negative, quoted with its negator ("isn't", not "t").
        assert_eq!(en("The problem still isn't fixed"), [pair("negative", "problem"), pair("negative", "isn't fixed")]);
        assert_eq!(en("not very happy"), [pair("negative", "not very happy")]);
        // Out of reach: too far, another clause, past a contrast word.
        assert_eq!(en("not that it was ever fixed"), [pair("positive", "fixed")]);
        assert_eq!(en("Not cheap. Happy though"), [pair("positive", "Happy")]);
        assert_eq!(en("not cheap but happy"), [pair("positive", "happy")]);
        // Negative, negated: dropped; a one-word phrase two words on, a longer one only right after.
        assert_eq!(en("no problem at all"), Vec::<(String, String)>::new());
        assert_eq!(en("never a problem"), Vec::<(String, String)>::new());
        assert_eq!(en("you did not resolve my problem"), [pair("negative", "problem")]);
        // A negator that opens a phrase of its own governs nothing else.
        assert_eq!(en("no response problem"), [pair("complaint", "no response"), pair("negative", "problem")]);
        assert_eq!(en("never got fixed"), [pair("complaint", "never got"), pair("positive", "fixed")]);
        // A phrase inside a longer one with a polarity takes its reading.
        let nested = |t: &str| negated(&[("can't thank you enough", "praise"), ("thank", "positive"), ("sem nenhum defeito", "praise"), ("defeito", "negative"), ("not good enough", "complaint"), ("good", "positive")], &["t", "sem", "nenhum", "not"], &[], t);
        assert_eq!(nested("I can't thank you enough"), [pair("praise", "can't thank you enough"), pair("positive", "thank")]);
        assert_eq!(nested("chegou sem nenhum defeito"), [pair("praise", "sem nenhum defeito")]);
        assert_eq!(nested("not good enough"), [pair("complaint", "not good enough")]);
        // Polish: "nie polecam" keeps "tragedia"; "nie jest źle" is not negative; "nie warto" is.
        let pl = |t: &str| negated(&[("nie polecam", "negative"), ("tragedia", "negative"), ("źle", "negative"), ("warto", "positive")], &["nie", "bez"], &["ale", "powodu"], t);
        assert_eq!(pl("Nie polecam tragedia"), [pair("negative", "Nie polecam"), pair("negative", "tragedia")]);
        assert_eq!(pl("Za tę cenę nie jest źle"), Vec::<(String, String)>::new());
        assert_eq!(pl("Nie warto"), [pair("negative", "Nie warto")]);
        assert_eq!(pl("pęka bez powodu tragedia"), [pair("negative", "tragedia")]);
    }

    #[test]
    fn phrase_longer_than_text() {
        let s = set(&[("a b c", "x")]);
        assert!(s.find(&tokenize("a b")).is_empty());
    }
}
