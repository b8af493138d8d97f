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
        let mut set = PhraseSet::default();
        let plain: [(&str, &Vec<String>); 7] = [
            ("complaint", &lx.complaint),
            ("praise", &lx.praise),
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

    #[test]
    fn phrase_longer_than_text() {
        let s = set(&[("a b c", "x")]);
        assert!(s.find(&tokenize("a b")).is_empty());
    }
}
