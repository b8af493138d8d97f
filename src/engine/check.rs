//! The draft check: what is wrong with a reply before it is posted. Runs on our drafts and
//! on whatever the agent typed, in the sidebar and from the command line.
//!
//! Phrase checks (blame, liability, apology, promise) use the `[check]` table of the
//! draft language's lexicon; personal data is found by shape and checksum (CPF, PESEL,
//! CNP, DNI/NIE, SSN, card numbers by Luhn, e-mail addresses, phone numbers), so an order
//! number is not flagged as a PESEL.

use serde::{Deserialize, Serialize};

use super::lexicon::PhraseSet;
use super::text::tokenize;

/// One problem found in a reply.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Warning {
    /// blame | liability | no_apology | placeholder | over_limit | personal_data |
    /// promise_not_allowed | language_mismatch | empty
    pub id: String,
    /// What is wrong, in English (the UI translates by `id`).
    pub message: String,
    /// The words of the reply that raised it, when there are some.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phrase: Option<String>,
}

/// What the check needs to know about the reply.
#[derive(Debug, Clone, Default)]
pub struct Input<'a> {
    pub text: &'a str,
    /// The reply's language (the draft language), and the complaint's.
    pub language: &'a str,
    pub complaint_language: &'a str,
    /// Public replies must apologise and must not carry personal data.
    pub public: bool,
    /// A thank-you to praise or an answer to a question, not a reply to a complaint: it
    /// needs no apology.
    pub thanks: bool,
    pub limit: usize,
    pub unit: &'a str,
    pub compensation_allowed: bool,
    /// The brand's own contact details: allowed in a reply.
    pub own_contacts: Vec<&'a str>,
}

fn warn(out: &mut Vec<Warning>, id: &str, message: String, phrase: Option<String>) {
    out.push(Warning { id: id.into(), message, phrase });
}

/// Checks one reply. `phrases` is the draft language's `[check]` lexicon compiled with
/// signals `check:<list>`; `detected` is the language the reply reads as ("und" if unsure).
pub fn check(input: &Input, phrases: Option<&PhraseSet>, detected: &str) -> Vec<Warning> {
    let mut out = Vec::new();
    let text = input.text;
    if text.trim().is_empty() {
        warn(&mut out, "empty", "The reply is empty.".into(), None);
        return out;
    }
    let tokens = tokenize(text);
    // Words inside quotation marks are the customer's, quoted back ("you wrote “I want a
    // refund”"): not our promise, blame or apology.
    let quoted = quoted_spans(text);
    let inside = |m: &super::lexicon::Match| quoted.iter().any(|&(a, b)| tokens[m.start].start >= a && tokens[m.end - 1].end <= b);
    let matches: Vec<_> = phrases.map(|p| p.find(&tokens)).unwrap_or_default().into_iter().filter(|m| !inside(m)).collect();
    let quote = |m: &super::lexicon::Match| text[tokens[m.start].start..tokens[m.end - 1].end].to_string();
    let has = |signal: &str| matches.iter().any(|m| m.signal == signal);
    for m in &matches {
        match m.signal {
            "check:blame" => warn(&mut out, "blame", "Blames the customer or sounds defensive.".into(), Some(quote(m))),
            "check:liability" => warn(&mut out, "liability", "Admits legal liability; apologise for the experience instead.".into(), Some(quote(m))),
            "check:promise" if !input.compensation_allowed => {
                warn(&mut out, "promise_not_allowed", "Promises compensation the brand's policy does not allow.".into(), Some(quote(m)))
            }
            _ => {}
        }
    }
    if input.public && !input.thanks && phrases.is_some() && !has("check:apology") {
        warn(&mut out, "no_apology", "No apology: say you are sorry for the experience (without admitting fault).".into(), None);
    }
    for p in placeholders(text) {
        warn(&mut out, "placeholder", "A placeholder is still unfilled.".into(), Some(p));
    }
    let length = super::draft::measure(text, input.unit);
    if input.limit > 0 && length > input.limit {
        let unit = if input.unit == "bytes" { "bytes" } else { "characters" };
        warn(&mut out, "over_limit", format!("{length} {unit}, over this platform's limit of {}.", input.limit), None);
    }
    if input.public {
        for (kind, found) in personal_data(text) {
            if input.own_contacts.iter().any(|c| !c.is_empty() && (found.contains(c) || c.contains(found.as_str()))) {
                continue;
            }
            warn(&mut out, "personal_data", format!("Personal data in a public reply ({kind}): move it to a private channel."), Some(found));
        }
    }
    let known = |l: &str| super::lang::DRAFT_LANGUAGES.contains(&l);
    if known(input.complaint_language) && known(detected) && detected != input.complaint_language {
        warn(
            &mut out,
            "language_mismatch",
            format!("The reply reads as `{detected}`, the complaint is in `{}`.", input.complaint_language),
            None,
        );
    }
    out
}

/// Byte ranges between matching quotation marks (“…”, „…”, «…», "…").
fn quoted_spans(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut open: Option<(usize, char)> = None;
    for (i, c) in text.char_indices() {
        match (open, c) {
            (None, '“' | '„' | '«' | '"') => open = Some((i + c.len_utf8(), c)),
            (Some((a, o)), _) if matches!((o, c), ('“', '”') | ('„', '”') | ('„', '“') | ('«', '»') | ('"', '"')) => {
                out.push((a, i));
                open = None;
            }
            _ => {}
        }
    }
    out
}

/// Unfilled placeholders: `{name}`, `[name]`, `<name>`, `XXX`, `___`.
pub fn placeholders(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (open, close) in [('{', '}'), ('[', ']'), ('<', '>')] {
        let mut rest = text;
        while let Some(a) = rest.find(open) {
            let after = &rest[a + open.len_utf8()..];
            match after.find(close) {
                Some(b) if b > 0 && b <= 40 && after[..b].chars().all(|c| c.is_alphanumeric() || c == '_' || c == ' ' || c == '-') => {
                    if after[..b].chars().any(|c| c.is_alphabetic()) {
                        out.push(rest[a..a + open.len_utf8() + b + close.len_utf8()].to_string());
                    }
                    rest = &after[b + close.len_utf8()..];
                }
                _ => rest = after,
            }
        }
    }
    if text.contains("___") {
        out.push("___".to_string());
    }
    // Whole words only: "TODOS" (Portuguese, Spanish) and "XXXL" are not markers.
    for word in text.split(|c: char| !c.is_ascii_alphanumeric()) {
        if word == "TODO" || (word.len() >= 3 && word.bytes().all(|b| b == b'X')) {
            out.push(word.to_string());
        }
    }
    out
}

/// Personal data by shape and checksum: (kind, the text found).
pub fn personal_data(text: &str) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    for word in text.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')' | '"' | '\'' | '“' | '”' | '«' | '»' | '„')) {
        let w = word.trim_end_matches(['.', ':', '!', '?']);
        if let Some(at) = w.find('@') {
            let (user, domain) = (&w[..at], &w[at + 1..]);
            if !user.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.') {
                out.push(("e-mail address", w.to_string()));
            }
        }
        // DNI (8 digits + letter) and NIE (X/Y/Z + 7 digits + letter), Spain.
        let up = w.to_ascii_uppercase();
        if let Some(kind) = spanish_id(&up) {
            out.push((kind, w.to_string()));
        }
    }
    for (run, raw, plus) in digit_runs(text) {
        let n = run.len();
        let kind = if n == 11 && cpf_ok(&run) {
            Some("CPF")
        } else if n == 11 && pesel_ok(&run) {
            Some("PESEL")
        } else if n == 13 && cnp_ok(&run) {
            Some("CNP")
        } else if n == 9 && is_ssn_shape(&raw) {
            Some("SSN")
        } else if (13..=19).contains(&n) && luhn_ok(&run) {
            Some("card number")
        } else if !raw.contains(['.', '/']) && ((plus && (8..=15).contains(&n)) || ((9..=13).contains(&n) && raw.contains([' ', '-', '(', ')']))) {
            Some("phone number")
        } else {
            None
        };
        if let Some(k) = kind {
            out.push((k, raw));
        }
    }
    out
}

/// Runs of digits that may be broken by single separators (`123.456.789-09`,
/// `+48 600 700 800`): (digits only, the text as written, began with '+').
fn digit_runs(text: &str) -> Vec<(String, String, bool)> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].1.is_ascii_digit() {
            i += 1;
            continue;
        }
        let plus = i > 0 && chars[i - 1].1 == '+';
        let open = i > 0 && chars[i - 1].1 == '(';
        let start = if plus || open { chars[i - 1].0 } else { chars[i].0 };
        let mut digits = String::new();
        let mut j = i;
        let mut end = chars[i].0;
        while j < chars.len() {
            let c = chars[j].1;
            if c.is_ascii_digit() {
                digits.push(c);
                end = chars[j].0 + 1;
                j += 1;
            } else if matches!(c, ' ' | '.' | '-' | '/' | ')' | '(') && j + 1 < chars.len() && (chars[j + 1].1.is_ascii_digit() || (c == ')' && chars[j + 1].1 == ' ')) {
                j += 1;
            } else {
                break;
            }
        }
        // A run glued to letters is a code (order "AB12345678"), not an identity number.
        let glued = (i > 0 && chars[i - 1].1.is_alphabetic()) || chars.get(j).is_some_and(|c| c.1.is_alphabetic());
        if !glued {
            out.push((digits, text[start..end].to_string(), plus));
        }
        i = j.max(i + 1);
    }
    out
}

fn digits(s: &str) -> Vec<u32> {
    s.chars().filter_map(|c| c.to_digit(10)).collect()
}

fn cpf_ok(s: &str) -> bool {
    let d = digits(s);
    if d.len() != 11 || d.iter().all(|&x| x == d[0]) {
        return false;
    }
    let check = |n: usize| {
        let sum: u32 = (0..n).map(|i| d[i] * (n as u32 + 1 - i as u32)).sum();
        let r = (sum * 10) % 11;
        if r == 10 { 0 } else { r }
    };
    check(9) == d[9] && check(10) == d[10]
}

fn pesel_ok(s: &str) -> bool {
    let d = digits(s);
    if d.len() != 11 {
        return false;
    }
    let w = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3];
    let sum: u32 = (0..10).map(|i| d[i] * w[i]).sum();
    let month = d[2] * 10 + d[3];
    (10 - sum % 10) % 10 == d[10] && (1..=12).contains(&(month % 20))
}

fn cnp_ok(s: &str) -> bool {
    let d = digits(s);
    if d.len() != 13 || d[0] == 0 {
        return false;
    }
    let w = [2, 7, 9, 1, 4, 6, 3, 5, 8, 2, 7, 9];
    let r = (0..12).map(|i| d[i] * w[i]).sum::<u32>() % 11;
    let month = d[3] * 10 + d[4];
    (if r == 10 { 1 } else { r }) == d[12] && (1..=12).contains(&month)
}

fn luhn_ok(s: &str) -> bool {
    let d = digits(s);
    if d.iter().all(|&x| x == d[0]) {
        return false;
    }
    let sum: u32 = d.iter().rev().enumerate().map(|(i, &x)| if i % 2 == 1 { let y = x * 2; if y > 9 { y - 9 } else { y } } else { x }).sum();
    sum % 10 == 0
}

fn is_ssn_shape(raw: &str) -> bool {
    let b = raw.as_bytes();
    raw.len() == 11 && b[3] == b'-' && b[6] == b'-' && raw.chars().enumerate().all(|(i, c)| if i == 3 || i == 6 { c == '-' } else { c.is_ascii_digit() }) && &raw[..3] != "000"
}

fn spanish_id(w: &str) -> Option<&'static str> {
    const LETTERS: &[u8] = b"TRWAGMYFPDXBNJZSQVHLCKE";
    let b = w.as_bytes();
    if b.len() != 9 || !b[8].is_ascii_uppercase() {
        return None;
    }
    let (kind, number) = match b[0] {
        b'X' | b'Y' | b'Z' if b[1..8].iter().all(u8::is_ascii_digit) => ("NIE", format!("{}{}", b[0] - b'X', &w[1..8])),
        c if c.is_ascii_digit() && b[..8].iter().all(u8::is_ascii_digit) => ("DNI", w[..8].to_string()),
        _ => return None,
    };
    let n: u32 = number.parse().ok()?;
    (LETTERS[(n % 23) as usize] == b[8]).then_some(kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_numbers_by_checksum() {
        let kinds = |t: &str| personal_data(t).into_iter().map(|(k, _)| k).collect::<Vec<_>>();
        assert_eq!(kinds("CPF 529.982.247-25 ok"), ["CPF"]);
        assert_eq!(kinds("CPF 529.982.247-26 ok"), Vec::<&str>::new());
        assert_eq!(kinds("PESEL 44051401359"), ["PESEL"]);
        assert_eq!(kinds("CNP 1800101221144"), ["CNP"]);
        assert_eq!(kinds("DNI 12345678Z"), ["DNI"]);
        assert_eq!(kinds("NIE X1234567L"), ["NIE"]);
        assert_eq!(kinds("SSN 123-45-6789"), ["SSN"]);
        assert_eq!(kinds("card 4111 1111 1111 1111"), ["card number"]);
        assert_eq!(kinds("mail ana.souza@gmail.com."), ["e-mail address"]);
        assert_eq!(kinds("ligue (11) 98765-4321"), ["phone number"]);
        assert_eq!(kinds("call +48 600 700 800"), ["phone number"]);
        // Order numbers and dates are not personal data.
        assert!(kinds("pedido 123456789 de 12/03/2024, código AB12345678901").is_empty());
    }

    #[test]
    fn placeholders_found() {
        assert_eq!(placeholders("Olá {name}, [Nome do cliente] e <agent>"), ["{name}", "[Nome do cliente]", "<agent>"]);
        assert!(placeholders("Hi Ana, see [1] and 3 < 4 > 2").is_empty());
        assert_eq!(placeholders("Regards, XXX"), ["XXX"]);
        assert_eq!(placeholders("TODO: the name"), ["TODO"]);
        // A shouted Portuguese "all" and a shirt size are words, not markers.
        assert!(placeholders("me passar TODOS os valores; camisa XXXL").is_empty());
    }

    #[test]
    fn the_customers_quoted_words_are_not_ours() {
        let mut set = PhraseSet::default();
        set.add("refund", "check:promise".into());
        set.add("sorry", "check:apology".into());
        let input = |text| Input { text, language: "en", complaint_language: "en", public: true, ..Default::default() };
        let ids = |t| check(&input(t), Some(&set), "en").into_iter().map(|w| w.id).collect::<Vec<_>>();
        assert!(ids("Sorry. You wrote “I want a refund now”.").is_empty());
        assert_eq!(ids("Sorry. We will refund you."), ["promise_not_allowed"]);
        assert_eq!(ids("You wrote „sorry for nothing”."), ["no_apology"]);
    }

    #[test]
    fn limit_empty_and_language() {
        let i = Input { text: "   ", ..Default::default() };
        assert_eq!(check(&i, None, "und")[0].id, "empty");
        let i = Input { text: "abcdef", limit: 3, unit: "chars", language: "en", complaint_language: "pt", ..Default::default() };
        let ids: Vec<_> = check(&i, None, "en").into_iter().map(|w| w.id).collect();
        assert_eq!(ids, ["over_limit", "language_mismatch"]);
    }
}
