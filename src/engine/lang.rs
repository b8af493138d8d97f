//! Language identification from function words and distinctive letters.
//!
//! A first, explainable detector: each language's stopwords (from its lexicon) and the
//! letters only it uses vote. Issue 4 replaces the scoring with trained n-gram models;
//! the interface stays `detect(text) -> Detection`.

use std::collections::{HashMap, HashSet};

use super::knowledge::Lexicon;
use super::text::Token;

/// Languages we draft in. Others we may recognise (it, fr, de) but draft in the user's
/// fallback language.
pub const DRAFT_LANGUAGES: [&str; 5] = ["pt", "es", "pl", "ro", "en"];

pub struct Detector {
    langs: Vec<LangProfile>,
}

struct LangProfile {
    code: String,
    stopwords: HashSet<String>,
    letters: Vec<char>,
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
        let langs = lexicons
            .iter()
            .filter(|l| !l.stopwords.is_empty())
            .map(|l| LangProfile {
                code: l.language.clone(),
                stopwords: l.stopwords.iter().cloned().collect(),
                letters: l.letters.chars().filter(|c| !c.is_whitespace()).collect(),
            })
            .collect();
        Detector { langs }
    }

    pub fn detect(&self, text: &str, tokens: &[Token]) -> Detection {
        let und = Detection { language: "und".into(), confidence: 0.0 };
        // Links and handles say nothing of the language ("t.co" would count as Polish "co").
        let kept: Vec<Token> = tokens.iter().filter(|t| !in_link_or_handle(text, t)).cloned().collect();
        let tokens = kept.as_slice();
        let letters = text.chars().filter(|c| c.is_alphabetic()).count();
        if letters < 8 || tokens.is_empty() {
            return und;
        }
        let mut scores: HashMap<&str, f32> = HashMap::new();
        for p in &self.langs {
            let hits = tokens.iter().filter(|t| p.stopwords.contains(&t.word)).count() as f32;
            let mut distinctive = 0usize;
            for c in text.chars() {
                let lc = c.to_lowercase().next().unwrap_or(c);
                if p.letters.contains(&lc) {
                    distinctive += 1;
                }
            }
            // Letters weigh less than words: several languages share some of them.
            let score = hits + 0.6 * (distinctive as f32).min(tokens.len() as f32 * 0.5);
            scores.insert(p.code.as_str(), score);
        }
        let mut ranked: Vec<(&str, f32)> = scores.into_iter().collect();
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
    let start = text[..t.start].rfind(char::is_whitespace).map_or(0, |i| i + 1);
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
    fn links_and_handles_do_not_vote() {
        assert_eq!(lang("@AmazonHelp my order never arrived and nobody replies https://t.co/co/co/co"), "en");
    }
}
