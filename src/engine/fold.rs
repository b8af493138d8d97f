//! Text folding shared by the engine and `build.rs`: lower-case, diacritics removed,
//! everything that is not a letter or digit becomes a word break.
//!
//! Kept dependency-free (this file is also compiled into the build script).

/// Folds one character: lower-case and without diacritics. Characters outside the Latin
/// scripts we support are lower-cased and kept.
pub fn fold_char(c: char) -> char {
    let c = if c.is_ascii() { c.to_ascii_lowercase() } else { c.to_lowercase().next().unwrap_or(c) };
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ą' | 'ă' | 'ā' => 'a',
        'ç' | 'ć' | 'č' => 'c',
        'ď' => 'd',
        'è' | 'é' | 'ê' | 'ë' | 'ę' | 'ě' | 'ē' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ł' | 'ľ' | 'ĺ' => 'l',
        'ñ' | 'ń' | 'ň' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ő' => 'o',
        'ř' => 'r',
        'ś' | 'ş' | 'ș' | 'š' => 's',
        'ţ' | 'ț' | 'ť' => 't',
        'ù' | 'ú' | 'û' | 'ü' | 'ů' | 'ű' => 'u',
        'ý' | 'ÿ' => 'y',
        'ź' | 'ż' | 'ž' => 'z',
        'ß' => 's',
        other => other,
    }
}

/// Is this character part of a word? Letters, digits, and the apostrophe inside words
/// are handled by the caller; everything else breaks words.
pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Folds a whole phrase into its words: `"Não RECEBI!"` → `["nao", "recebi"]`.
/// A trailing `*` on a word is kept (it marks a prefix wildcard in lexicons).
pub fn fold_words(s: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    for c in s.chars() {
        if is_word_char(c) {
            cur.push(fold_char(c));
        } else if c == '*' && !cur.is_empty() {
            cur.push('*');
            words.push(std::mem::take(&mut cur));
        } else if !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}
