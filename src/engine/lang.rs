//! Language identification from function words and distinctive letters.
//!
//! A first, explainable detector: each language's stopwords (from its lexicon) and the
//! letters only it uses vote. Issue 4 replaces the scoring with trained n-gram models;
//! the interface stays `detect(text) -> Detection`.

use super::knowledge::Lexicon;
use super::lexicon::FastMap;
use super::text::Token;

/// Languages we draft in. Others we may recognise (it, fr, de) but draft in the user's
/// fallback language.
pub const DRAFT_LANGUAGES: [&str; 5] = ["pt", "es", "pl", "ro", "en"];

pub struct Detector {
    /// Language codes; bit `i` of a mask below is `codes[i]`.
    codes: Vec<String>,
    /// Stopword → the languages it belongs to.
    stopwords: FastMap<String, u32>,
    /// Distinctive letter → the languages that use it, sorted by letter.
    letters: Vec<(char, u32)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    /// ISO 639-1 code or "und".
    pub language: String,
    /// How far ahead of the runner-up (0–1).
    pub confidence: f32,
}

impl Detector {
    pub fn new(lexicons: &[Lexicon]) -> Detector {
        let mut d = Detector { codes: Vec::new(), stopwords: FastMap::default(), letters: Vec::new() };
        for l in lexicons.iter().filter(|l| !l.stopwords.is_empty()).take(32) {
            let bit = 1u32 << d.codes.len();
            d.codes.push(l.language.clone());
            for w in &l.stopwords {
                *d.stopwords.entry(w.clone()).or_default() |= bit;
            }
            for c in l.letters.chars().filter(|c| !c.is_whitespace()) {
                match d.letters.iter_mut().find(|(x, _)| *x == c) {
                    Some(e) => e.1 |= bit,
                    None => d.letters.push((c, bit)),
                }
            }
        }
        d.letters.sort();
        d
    }

    pub fn detect(&self, text: &str, tokens: &[Token]) -> Detection {
        let und = Detection { language: "und".into(), confidence: 0.0 };
        // Links and handles say nothing of the language ("t.co" would count as Polish "co").
        let kept: Vec<&Token> = tokens.iter().filter(|t| !in_link_or_handle(text, t)).collect();
        let letters = text.chars().filter(|c| c.is_alphabetic()).count();
        if letters < 8 || kept.is_empty() {
            return und;
        }
        let n = self.codes.len();
        let mut hits = vec![0f32; n];
        for t in &kept {
            if let Some(&mask) = self.stopwords.get(&t.word) {
                for (i, h) in hits.iter_mut().enumerate() {
                    if mask & (1 << i) != 0 {
                        *h += 1.0;
                    }
                }
            }
        }
        let mut distinctive = vec![0usize; n];
        for c in text.chars().filter(|c| !c.is_ascii()) {
            let lc = c.to_lowercase().next().unwrap_or(c);
            if let Ok(k) = self.letters.binary_search_by(|(x, _)| x.cmp(&lc)) {
                let mask = self.letters[k].1;
                for (i, d) in distinctive.iter_mut().enumerate() {
                    if mask & (1 << i) != 0 {
                        *d += 1;
                    }
                }
            }
        }
        // Letters weigh less than words: several languages share some of them.
        let cap = kept.len() as f32 * 0.5;
        let scores: Vec<(&str, f32)> = (0..n).map(|i| (self.codes[i].as_str(), hits[i] + 0.6 * (distinctive[i] as f32).min(cap))).collect();
        let mut ranked = scores;
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
        let Some(&(best, top)) = ranked.first() else { return und };
        let second = ranked.get(1).map_or(0.0, |r| r.1);
        if top < 1.0 {
            return und;
        }
        Detection { language: best.to_string(), confidence: ((top - second) / top).clamp(0.0, 1.0) }
    }
}

/// Is this token part of a URL (`https://t.co/x`, `www.a.com`) or a handle (`@brand`)?
fn in_link_or_handle(text: &str, t: &Token) -> bool {
    // After the whitespace char before the token (it may be multi-byte: NBSP, U+3000).
    let start = text[..t.start].char_indices().rev().find(|(_, c)| c.is_whitespace()).map_or(0, |(i, c)| i + c.len_utf8());
    let end = text[t.end..].find(char::is_whitespace).map_or(text.len(), |i| t.end + i);
    let word = &text[start..end];
    word.starts_with('@') || word.starts_with('#') || word.contains("://") || word.starts_with("www.") || (word.contains('.') && word.contains('/'))
}

#[cfg(test)]
mod tests {
    use crate::engine::engine;
    use crate::engine::text::tokenize;

    fn lang(s: &str) -> String {
        let e = engine().unwrap();
        e.detector_for_tests().detect(s, &tokenize(s)).language
    }

    #[test]
    fn five_languages_and_und() {
        assert_eq!(lang("Comprei há duas semanas e até hoje não recebi o pedido"), "pt");
        assert_eq!(lang("Me cobraron dos veces y nadie me responde, es una vergüenza"), "es");
        assert_eq!(lang("Zamówienie nie dotarło od miesiąca i nikt nie odpowiada"), "pl");
        assert_eq!(lang("Produsul a venit stricat si nu mi-au raspuns la niciun mesaj"), "ro");
        assert_eq!(lang("I was charged twice and nobody answers my emails"), "en");
        assert_eq!(lang("ok"), "und");
        assert_eq!(lang(""), "und");
    }

    #[test]
    fn multibyte_whitespace_before_a_word() {
        // Found in the SFU corpus: a no-break space before a word panicked (byte slicing).
        assert_eq!(lang("Los crímenes de\u{a0}Oxford son una película que no me gustó nada"), "es");
        assert_eq!(lang("\u{3000}\u{a0}x\u{2003}y"), "und");
    }

    #[test]
    fn links_and_handles_do_not_vote() {
        assert_eq!(lang("@AmazonHelp my order never arrived and nobody replies https://t.co/co/co/co"), "en");
    }
}
