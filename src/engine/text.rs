//! Tokenisation: words of the folded text, each remembering where it came from in the
//! original, so evidence can quote the customer's own words.

use super::fold::{fold_char, is_word_char};

/// A word of the text: folded form plus its byte range in the original.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub word: String,
    pub start: usize,
    pub end: usize,
}

/// Splits `text` into folded words. Never fails; any input gives a (possibly empty) list.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut word = String::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if is_word_char(c) {
            if word.is_empty() {
                start = i;
            }
            word.push(fold_char(c));
        } else if !word.is_empty() {
            tokens.push(Token { word: std::mem::take(&mut word), start, end: i });
        }
    }
    if !word.is_empty() {
        tokens.push(Token { word, start, end: text.len() });
    }
    tokens
}

/// Surface features of anger that do not depend on language.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Shape {
    /// Share of letters in upper case, over words of 3+ letters.
    pub caps_ratio: f32,
    /// Longest run of '!'.
    pub exclamations: usize,
    pub question_marks: usize,
    pub letters: usize,
}

pub fn shape(text: &str) -> Shape {
    let (mut upper, mut letters, mut run, mut max_run, mut q) = (0usize, 0usize, 0usize, 0usize, 0usize);
    for c in text.chars() {
        if c.is_alphabetic() {
            letters += 1;
            if c.is_uppercase() {
                upper += 1;
            }
        }
        if c == '!' {
            run += 1;
            max_run = max_run.max(run);
        } else if !c.is_whitespace() {
            run = 0;
        }
        if c == '?' {
            q += 1;
        }
    }
    Shape {
        caps_ratio: if letters >= 12 { upper as f32 / letters as f32 } else { 0.0 },
        exclamations: max_run,
        question_marks: q,
        letters,
    }
}

/// Collapses runs of whitespace into single spaces and trims.
pub fn squash_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for w in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_keep_original_offsets() {
        let t = "Não RECEBI o pedido!";
        let toks = tokenize(t);
        let words: Vec<_> = toks.iter().map(|t| t.word.as_str()).collect();
        assert_eq!(words, ["nao", "recebi", "o", "pedido"]);
        assert_eq!(&t[toks[0].start..toks[0].end], "Não");
        assert_eq!(&t[toks[3].start..toks[3].end], "pedido");
    }

    #[test]
    fn folds_polish_and_romanian() {
        let words: Vec<_> = tokenize("Złożyłem reclamație, ţeapă").into_iter().map(|t| t.word).collect();
        assert_eq!(words, ["zlozylem", "reclamatie", "teapa"]);
    }

    #[test]
    fn shape_sees_shouting() {
        let s = shape("THIS IS UNACCEPTABLE!!! fix it");
        assert!(s.caps_ratio > 0.7, "{s:?}");
        assert_eq!(s.exclamations, 3);
        assert_eq!(shape("short").caps_ratio, 0.0);
    }

    #[test]
    fn hostile_input_does_not_panic() {
        for s in ["", "\u{0}", "🙂🙂", "a\u{301}\u{301}", "İ", "ǅ", &"x".repeat(10_000)] {
            let _ = tokenize(s);
            let _ = shape(s);
        }
    }
}
