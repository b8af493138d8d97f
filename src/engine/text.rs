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

/// Longest quotation read as one, in words: a slogan, a scare-quoted word, a sentence
/// someone said. A longer "quotation" is more likely a stray or unbalanced mark, or a
/// whole text put in quotes by whatever copied it.
const QUOTE_MAX_WORDS: usize = 10;

/// The byte ranges of `text` that quote someone else: a line starting with `>` (a quoted
/// reply or e-mail), and text between paired double quotation marks (" ", “ ”, „ ”, « »)
/// on one line, of 1 to `QUOTE_MAX_WORDS` words. A doubled straight quote ("" as CSV
/// escapes it) counts as one mark; single quotes are left alone (they are apostrophes as
/// often). Linear in the text.
pub fn quoted_spans(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    // A whole text in straight quotes (as a CSV export or a copy leaves it) is not quoted:
    // its first mark opens nothing.
    let trimmed = text.trim();
    let wrapper = (trimmed.len() > 1 && trimmed.starts_with('"') && trimmed.ends_with('"')).then(|| text.len() - text.trim_start().len());
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        if line.trim_start().starts_with('>') {
            out.push((line_start, line_start + line.len()));
            line_start += line.len();
            continue;
        }
        // (byte after the opening mark, the closing mark, words so far, inside a word)
        let mut open: Option<(usize, char, usize, bool)> = None;
        let mut chars = line.char_indices().peekable();
        let mut prev = ' ';
        while let Some((i, c)) = chars.next() {
            let after_digit = prev.is_ascii_digit();
            prev = c;
            let at = line_start + i;
            let mut width = c.len_utf8();
            if c == '"' && chars.peek().is_some_and(|&(_, n)| n == '"') {
                chars.next();
                width += 1;
            }
            match open {
                Some((from, close, words, _)) if c == close => {
                    if words > 0 {
                        out.push((from, at));
                    }
                    open = None;
                }
                Some((from, close, words, in_word)) => {
                    let word_char = c.is_alphanumeric();
                    let words = words + usize::from(word_char && !in_word);
                    open = (words <= QUOTE_MAX_WORDS).then_some((from, close, words, word_char));
                }
                // A straight quote after a digit is inches (a 27" screen), not a quote.
                None if after_digit || wrapper == Some(at) => {}
                None => {
                    let close = match c {
                        '"' => Some('"'),
                        '“' => Some('”'),
                        '„' => Some('”'),
                        '«' => Some('»'),
                        _ => None,
                    };
                    if let Some(close) = close {
                        open = Some((at + width, close, 0, false));
                    }
                }
            }
        }
        line_start += line.len();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotations_are_found_on_their_line() {
        let spans = |t: &str| quoted_spans(t).into_iter().map(|(a, b)| t[a..b].to_string()).collect::<Vec<_>>();
        assert_eq!(spans(r#"The ad said "best service" and „szybka dostawa”, «génial»."#), ["best service", "szybka dostawa", "génial"]);
        assert_eq!(spans("> Thanks for reaching out\nStill broken."), ["> Thanks for reaching out\n"]);
        // An unclosed mark, or one closed on the next line, quotes nothing.
        assert!(spans("It was \"great\nnot really").is_empty());
        // A mark left open for more than QUOTE_MAX_WORDS words is dropped, and reading
        // starts again after it; doubled straight quotes (CSV) are one mark.
        let long = format!("\"Klawiatura {}. Mankament w środowisku \"\"zaszumionym\"\" sygnałami.\"", "bardzo ".repeat(QUOTE_MAX_WORDS));
        assert_eq!(spans(&long), ["zaszumionym"]);
        // A whole text in quotes is not a quotation; the quotes inside it still are.
        assert_eq!(spans(r#""Świetny kabelek. Wtyki ""WBT"", dobrej jakości.""#), ["WBT"]);
        // Inches are no quotation mark.
        assert!(spans(r#"The 27" screen is great, the 24" one not."#).is_empty());
    }

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
