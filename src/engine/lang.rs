//! Language identification.
//!
//! The five draft languages are told apart by a character n-gram model (naive Bayes over
//! hashed 1–4-grams of each word, trained by `tools/lab` on the Train split of
//! `../shared/data`, `data/models/language.bin`): it reads Romanian without diacritics,
//! tweets and short reviews. Italian, French and German have no training data here; they
//! are recognised by their function words (the lexicons' stopwords), which also decide
//! every language when no model is compiled in.

use super::knowledge::Lexicon;
use super::lexicon::FastMap;
use super::model::{Features, Linear};
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
    /// The n-gram model over `DRAFT_LANGUAGES`, when trained.
    ngrams: Option<Linear>,
}

/// Words read by the n-gram model: the language of a long text is settled well before
/// its end, and this bounds the cost per text.
const NGRAM_WORDS: usize = 160;

/// Weight of one function word (or 0.6 of a distinctive letter) against the n-grams.
const STOPWORD_NATS: f32 = 1.5;

/// The prior for the language the page declares (`<html lang>`), in words of evidence:
/// half a word. It settles short, ambiguous texts ("Horrible customer service!" on an
/// English page) and leaves the rest alone. Chosen on the Train split's texts against a
/// wrong page language as much as a right one: at 0.5, texts of 8–19 characters went from
/// 0.864 to 0.887 correct on a page in their language and stayed at 0.864 on a page in
/// another one (at 1 word: 0.900 and 0.851; at 2: 0.900 and 0.747).
pub const PAGE_PRIOR_WORDS: f32 = 0.5;

/// The draft language a page's declared language names ("pt-BR" → "pt"), if any.
pub fn page_language(declared: Option<&str>) -> Option<&'static str> {
    let primary = declared?.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    DRAFT_LANGUAGES.iter().copied().find(|l| *l == primary)
}

/// The character n-gram features of a text: 1- to 4-grams of each lower-cased word
/// (diacritics kept: they are what tells `ș` from `ş` and `ã` from `ą`), with boundaries.
/// Links and handles are left out.
pub fn ngram_features(text: &str, tokens: &[Token]) -> Features {
    let mut out = Features::new();
    for_each_ngram(text, tokens.iter().filter(|t| !in_link_or_handle(text, t)), |h| out.push((h, 1.0)));
    out
}

/// Calls `f` with the hash of every n-gram of `ngram_features`, without allocating: the
/// hashes of a position's 1- to 4-grams are built incrementally (FNV-1a is a running hash).
/// `words` are the tokens to read, links and handles already left out.
fn for_each_ngram<'t>(text: &str, words: impl Iterator<Item = &'t Token>, mut f: impl FnMut(u32)) {
    const PRIME: u32 = 0x01000193;
    // The running hash after the kind prefix "g" and its part separator (see model::hash).
    let start = {
        let mut h: u32 = 0x811c9dc5;
        h ^= b'g' as u32;
        h = h.wrapping_mul(PRIME);
        h ^= 0xff;
        h.wrapping_mul(PRIME)
    };
    let mut chars: Vec<char> = Vec::with_capacity(32);
    for t in words.take(NGRAM_WORDS) {
        chars.clear();
        chars.push(' ');
        chars.extend(text[t.start..t.end].chars().flat_map(char::to_lowercase));
        chars.push(' ');
        for i in 0..chars.len() {
            let mut h = start;
            for (n, c) in chars[i..].iter().take(4).enumerate() {
                let mut buf = [0u8; 4];
                for &b in c.encode_utf8(&mut buf).as_bytes() {
                    h ^= b as u32;
                    h = h.wrapping_mul(PRIME);
                }
                if n == 0 && *c == ' ' {
                    continue;
                }
                f((h ^ 0xff).wrapping_mul(PRIME));
            }
        }
    }
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
        Detector::with_model(lexicons, None)
    }

    pub fn with_model(lexicons: &[Lexicon], ngrams: Option<Linear>) -> Detector {
        let mut d = Detector { codes: Vec::new(), stopwords: FastMap::default(), letters: Vec::new(), ngrams };
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
        self.detect_on_page(text, tokens, None)
    }

    /// As `detect`, on a page that declares `page` (one of `DRAFT_LANGUAGES`, see
    /// [`page_language`]): that language gets [`PAGE_PRIOR_WORDS`] before the evidence.
    pub fn detect_on_page(&self, text: &str, tokens: &[Token], page: Option<&str>) -> Detection {
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
        let Some(model) = &self.ngrams else {
            if top < 1.0 {
                return und;
            }
            return Detection { language: best.to_string(), confidence: ((top - second) / top).clamp(0.0, 1.0) };
        };
        // Mostly another script (Japanese, Cyrillic, …): none of ours.
        let latin = text.chars().filter(|c| c.is_alphabetic() && (c.is_ascii() || ('\u{C0}'..='\u{24F}').contains(c) || ('\u{1E00}'..='\u{1EFF}').contains(c))).count();
        if latin * 2 < letters {
            return und;
        }
        // Italian, French, German: by their function words, when those clearly lead.
        let five_best = ranked.iter().filter(|(c, _)| DRAFT_LANGUAGES.contains(c)).map(|r| r.1).fold(0.0, f32::max);
        if !DRAFT_LANGUAGES.contains(&best) && top >= 2.0 && top > 1.2 * five_best {
            return Detection { language: best.to_string(), confidence: ((top - five_best) / top).clamp(0.0, 1.0) };
        }
        // Naive Bayes: sum each language's weight over the n-grams.
        let k = DRAFT_LANGUAGES.len().min(model.classes).min(8);
        let mut sums = [0i32; 8];
        let mut grams = 0usize;
        for_each_ngram(text, kept.iter().copied(), |h| {
            for (s, &w) in sums.iter_mut().zip(&model.bucket(h)[..k]) {
                *s += w as i32;
            }
            grams += 1;
        });
        if grams == 0 {
            return und;
        }
        // Function words add their evidence to the n-grams' (in nats, per word): they settle
        // short texts, where a handful of n-grams can lean the wrong way ("Horrible
        // customer service!").
        let hits_of = |code: &str| ranked.iter().find(|(c, _)| *c == code).map_or(0.0, |r| r.1);
        // The page's language weighs as much as PAGE_PRIOR_WORDS of this text's words: the
        // n-grams of a word are counted as if independent, so a word's evidence is its
        // n-grams' sum, and a prior must be on that scale to mean the same in every text.
        let words = kept.len().min(NGRAM_WORDS).max(1) as f32;
        let prior = |l: usize| if page == Some(DRAFT_LANGUAGES[l]) { PAGE_PRIOR_WORDS * grams as f32 / words } else { 0.0 };
        let scores: Vec<f32> = (0..k).map(|l| sums[l] as f32 * model.scale + model.bias[l] + STOPWORD_NATS * hits_of(DRAFT_LANGUAGES[l]) + prior(l)).collect();
        let f = vec![(); grams];
        let mut order: Vec<usize> = (0..scores.len().min(DRAFT_LANGUAGES.len())).collect();
        order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
        let margin = (scores[order[0]] - scores.get(order.get(1).copied().unwrap_or(order[0])).copied().unwrap_or(0.0)) / f.len() as f32;
        Detection { language: DRAFT_LANGUAGES[order[0]].to_string(), confidence: (margin * 4.0).clamp(0.0, 1.0) }
    }
}

/// Is this token part of a URL (`https://t.co/x`, `www.a.com`) or a handle (`@brand`)?
pub(crate) fn in_link_or_handle(text: &str, t: &Token) -> bool {
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
    fn ngrams_are_hashed_like_the_trainer_hashes_them() {
        use crate::engine::model::hash;
        let f: Vec<u32> = super::ngram_features("Ąb", &tokenize("Ąb")).into_iter().map(|x| x.0).collect();
        for g in ["ą", "b", " ą", "ąb", " ąb", "ąb ", " ąb ", "b "] {
            assert!(f.contains(&hash(b"g", g.as_bytes())), "{g:?} missing");
        }
        // 1-grams: 2, 2-grams: 3, 3-grams: 2, 4-grams: 1 (the lone space is not a 1-gram).
        assert_eq!(f.len(), 8);
    }

    #[test]
    fn multibyte_whitespace_before_a_word() {
        // Found in the SFU corpus: a no-break space before a word panicked (byte slicing).
        assert_eq!(lang("Los crímenes de\u{a0}Oxford son una película que no me gustó nada"), "es");
        assert_eq!(lang("\u{3000}\u{a0}x\u{2003}y"), "und");
    }

    #[test]
    fn the_page_language_settles_short_texts_only() {
        let e = engine().unwrap();
        let on = |s: &str, page: &str| e.detector_for_tests().detect_on_page(s, &tokenize(s), super::page_language(Some(page))).language;
        assert_eq!(super::page_language(Some("pt-BR")), Some("pt"));
        assert_eq!(super::page_language(Some(" EN_us")), Some("en"));
        assert_eq!(super::page_language(Some("it")), None);
        assert_eq!(super::page_language(Some("")), None);
        assert_eq!(super::page_language(None), None);
        // Short and ambiguous: the page decides, whichever way it reads without it.
        let short = "Horrible customer service!";
        assert_eq!(on(short, "en"), "en");
        assert_eq!(on(short, "es"), "es");
        // A clear text keeps its language on a page in another one.
        assert_eq!(on("Me cobraron dos veces y nadie me responde, es una vergüenza", "en"), "es");
        assert_eq!(on("Zamówienie nie dotarło od miesiąca i nikt nie odpowiada", "pt"), "pl");
        assert_eq!(on("Produsul a venit stricat si nu mi-au raspuns la niciun mesaj", "es"), "ro");
        // A page in a language we do not draft in changes nothing; too short stays "und".
        assert_eq!(on(short, "it"), lang(short));
        assert_eq!(on("ok", "en"), "und");
    }

    #[test]
    fn links_and_handles_do_not_vote() {
        assert_eq!(lang("@AmazonHelp my order never arrived and nobody replies https://t.co/co/co/co"), "en");
    }
}
