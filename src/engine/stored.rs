//! Settings as they are stored (`chrome.storage.local["settings"]`) and shared (a team's
//! settings file): schema versions, migration and recovery.
//!
//! Pure: the raw JSON value comes in; the settings, what to tell the user, and what the
//! caller should write back come out. The rules:
//! - absent (`null`): the defaults, silently;
//! - schema 0 (no `"schema"` key, the shape stored before versioning): migrated to 1
//!   (`rewrite`);
//! - schema 1: read as is;
//! - a newer schema: what this version understands is read field by field, a warning says
//!   so, and nothing is rewritten (`rewrite` false), so the newer data survives;
//! - anything unreadable (not an object, a field of the wrong type, a value out of range
//!   or over its size cap): every field that reads is kept, the others get their defaults,
//!   each is named in a warning, and the whole raw value comes back in `backup` for the
//!   caller to keep (in the same storage write as the repaired settings).
//!
//! The size caps (`NAME_MAX`, `TEXT_MAX`, `TEMPLATE_MAX`, `TEMPLATES_MAX`,
//! `TEMPLATES_CHARS`, `SITES_MAX`) keep valid settings near 100 000 characters at the very
//! most, a few KB in practice, against chrome.storage.local's 10 MB in all.
//!
//! Never panics, whatever the JSON.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};

use super::lang::DRAFT_LANGUAGES;
use super::{Error, Settings};

/// The schema this version writes.
pub const SETTINGS_SCHEMA: u32 = 1;
/// The storage key.
pub const SETTINGS_KEY: &str = "settings";
/// Longest names (brand, agent, signature, gesture, channels), in characters.
pub const NAME_MAX: usize = 200;
/// Longest free text (`compensation_when`, `channels.link`), in characters.
pub const TEXT_MAX: usize = 500;
/// Longest template text, in characters.
pub const TEMPLATE_MAX: usize = 2000;
/// Most templates per language, and their characters in all: past these, the rest (in
/// name order) are dropped, so the settings stay far below the storage quota.
pub const TEMPLATES_MAX: usize = 100;
pub const TEMPLATES_CHARS: usize = 20_000;
/// Most entries in `enabled_sites` (a site not listed is enabled).
pub const SITES_MAX: usize = 200;
/// The settings keys this version knows.
pub const FIELDS: [&str; 15] = [
    "brand", "agent", "channels", "compensation_allowed", "gesture", "fallback_language", "response_target_minutes", "tone", "registers",
    "signature", "ui_language", "enabled_sites", "compensation_when", "templates", "schema",
];

/// What loading stored settings gives.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SettingsLoad {
    /// Settings to use. `schema` is the stored one when it is newer than this version's
    /// (saving them from here would drop what this version does not know), else current.
    pub settings: Settings,
    /// For the user, one per problem, naming the setting.
    pub warnings: Vec<String>,
    /// The raw value, to keep (under `backup:settings`) when something had to be reset.
    pub backup: Option<Value>,
    /// Write `settings` back (migrated or repaired); false when nothing changed and when
    /// the value was saved by a newer version.
    pub rewrite: bool,
}

/// Reads stored settings; see the module documentation for the rules.
pub fn load_settings(raw: &Value) -> SettingsLoad {
    let obj = match raw {
        Value::Null => return SettingsLoad { settings: Settings::default(), warnings: Vec::new(), backup: None, rewrite: false },
        Value::Object(o) => o,
        other => {
            return SettingsLoad {
                settings: Settings::default(),
                warnings: vec![format!(
                    "The saved settings could not be read ({} instead of a set of settings) and were reset to the defaults; a copy of them was kept.",
                    kind(other)
                )],
                backup: Some(raw.clone()),
                rewrite: true,
            }
        }
    };
    let mut issues = Vec::new();
    let schema = match get(obj, "schema") {
        None => 0,
        Some(v) => as_u32(v).unwrap_or_else(|| {
            issue(&mut issues, "schema", format!("{} is not a version number", show(v)));
            SETTINGS_SCHEMA
        }),
    };
    let newer = schema > SETTINGS_SCHEMA;
    let mut settings = read(obj, &mut issues);
    settings.schema = schema.max(SETTINGS_SCHEMA);
    let mut warnings = Vec::new();
    if newer {
        warnings.push(format!(
            "These settings were saved by a newer Calmly (schema {schema}; this version knows {SETTINGS_SCHEMA}). It uses what it understands and leaves the saved settings as they are; update Calmly to use them all."
        ));
    }
    let reset = !issues.is_empty();
    warnings.extend(issues);
    if reset && !newer {
        warnings.push("A copy of the settings as they were has been kept.".into());
    }
    SettingsLoad { settings, warnings, backup: (reset && !newer).then(|| raw.clone()), rewrite: !newer && (reset || schema < SETTINGS_SCHEMA) }
}

/// The settings as a file to share (with the schema).
pub fn export_settings(settings: &Settings) -> Value {
    let mut s = settings.clone();
    s.schema = SETTINGS_SCHEMA;
    serde_json::to_value(&s).unwrap_or_default()
}

/// Reads a shared settings file. Text that is not JSON, or JSON that is not a set of
/// Calmly settings (not an object, or an object with none of the settings' keys), is an
/// error; otherwise it loads as `load_settings`, with a warning for each key it ignored.
pub fn import_settings(text: &str) -> Result<SettingsLoad, Error> {
    let v: Value = serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| not_json(&e.to_string()))?;
    import_value(&v)
}

/// The error for a settings file that is not JSON, with the parser's reason.
pub fn not_json(why: &str) -> Error {
    Error(format!("This file is not a Calmly settings file: it is not valid JSON ({why})."))
}

/// `import_settings` on a file already parsed.
pub fn import_value(v: &Value) -> Result<SettingsLoad, Error> {
    let Some(obj) = v.as_object() else {
        return Err(Error(format!("This file is not a Calmly settings file: it holds {} instead of a set of settings.", kind(v))));
    };
    let unknown: Vec<&String> = obj.keys().filter(|k| !FIELDS.contains(&k.as_str())).collect();
    if !obj.is_empty() && obj.keys().all(|k| k == "schema" || unknown.contains(&k)) {
        return Err(Error("This file is not a Calmly settings file: none of its keys is a Calmly setting.".into()));
    }
    let mut load = load_settings(v);
    load.warnings.extend(unknown.iter().map(|k| format!("The file's \"{}\" is not a Calmly setting and was ignored.", clip(k))));
    Ok(load)
}

/// Reads every known field; what does not read or validate is left at its default and
/// named in `issues`.
fn read(obj: &Map<String, Value>, issues: &mut Vec<String>) -> Settings {
    let mut s = Settings::default();
    let langs = &DRAFT_LANGUAGES[..];
    set(&mut s.brand, text(obj, "brand", "brand", NAME_MAX, issues));
    set(&mut s.agent, text(obj, "agent", "agent", NAME_MAX, issues));
    set(&mut s.signature, text(obj, "signature", "signature", NAME_MAX, issues));
    set(&mut s.gesture, text(obj, "gesture", "gesture", NAME_MAX, issues));
    set(&mut s.compensation_when, text(obj, "compensation_when", "compensation_when", TEXT_MAX, issues));
    match get(obj, "channels") {
        Some(Value::Object(ch)) => {
            set(&mut s.channels.email, text(ch, "email", "channels.email", NAME_MAX, issues));
            set(&mut s.channels.phone, text(ch, "phone", "channels.phone", NAME_MAX, issues));
            set(&mut s.channels.link, text(ch, "link", "channels.link", TEXT_MAX, issues));
        }
        Some(v) => issue(issues, "channels", format!("{} instead of a set of channels", kind(v))),
        None => {}
    }
    match get(obj, "compensation_allowed") {
        Some(Value::Bool(b)) => s.compensation_allowed = *b,
        Some(v) => issue(issues, "compensation_allowed", format!("{} instead of true or false", kind(v))),
        None => {}
    }
    set(&mut s.fallback_language, choice(obj, "fallback_language", langs, issues));
    set(&mut s.tone, choice(obj, "tone", &["warm", "formal", "brief"], issues));
    set(&mut s.ui_language, choice(obj, "ui_language", &["", "en", "pt", "es", "pl", "ro"], issues));
    if let Some(v) = get(obj, "response_target_minutes") {
        match as_u32(v).filter(|m| (1..=10_080).contains(m)) {
            Some(m) => s.response_target_minutes = m,
            None => issue(issues, "response_target_minutes", format!("{} is not a whole number of minutes from 1 to 10080", show(v))),
        }
    }
    set(
        &mut s.registers,
        map(obj, "registers", "registers", issues, |k, v| {
            if !langs.contains(&k) {
                return Err("not a draft language".into());
            }
            match v.as_str() {
                Some(r @ ("informal" | "formal")) => Ok(r.to_string()),
                _ => Err(format!("{} is not informal or formal", show(v))),
            }
        }),
    );
    let mut sites = 0;
    set(
        &mut s.enabled_sites,
        map(obj, "enabled_sites", "enabled_sites", issues, |k, v| {
            if !is_id(k) {
                return Err("not a site id".into());
            }
            let on = v.as_bool().ok_or_else(|| format!("{} instead of true or false", kind(v)))?;
            sites += 1;
            if sites > SITES_MAX {
                return Err(format!("more than {SITES_MAX} sites"));
            }
            Ok(on)
        }),
    );
    let mut nested = Vec::new();
    set(
        &mut s.templates,
        map(obj, "templates", "templates", issues, |lang, v| {
            if !langs.contains(&lang) {
                return Err("not a draft language".into());
            }
            let Value::Object(t) = v else { return Err(format!("{} instead of a set of templates", kind(v))) };
            let mut out = BTreeMap::new();
            let (mut total, mut dropped) = (0, 0);
            for (k, text) in t {
                let at = format!("templates.{lang}.{}", clip(k));
                match text.as_str() {
                    _ if !is_id(k) => issue(&mut nested, &at, "not a template name".into()),
                    Some(x) if x.chars().count() <= TEMPLATE_MAX => {
                        let n = x.chars().count();
                        if out.len() < TEMPLATES_MAX && total + n <= TEMPLATES_CHARS {
                            total += n;
                            out.insert(k.clone(), x.to_string());
                        } else {
                            dropped += 1;
                        }
                    }
                    Some(_) => issue(&mut nested, &at, format!("longer than {TEMPLATE_MAX} characters")),
                    None => issue(&mut nested, &at, format!("{} instead of text", kind(text))),
                }
            }
            if dropped > 0 {
                nested.push(format!(
                    "The setting \"templates.{lang}\" holds more than {TEMPLATES_MAX} templates or {TEMPLATES_CHARS} characters in all: the last {dropped} (by name) were dropped."
                ));
            }
            Ok(out)
        }),
    );
    issues.extend(nested);
    s
}

fn set<T>(slot: &mut T, v: Option<T>) {
    if let Some(v) = v {
        *slot = v;
    }
}

/// A present, non-null field.
fn get<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    obj.get(key).filter(|v| !v.is_null())
}

fn issue(issues: &mut Vec<String>, path: &str, why: String) {
    issues.push(format!("The setting \"{path}\" could not be used ({why}) and was reset."));
}

fn text(obj: &Map<String, Value>, key: &str, path: &str, max: usize, issues: &mut Vec<String>) -> Option<String> {
    let v = get(obj, key)?;
    let why = match v.as_str() {
        Some(s) if s.chars().count() <= max => return Some(s.to_string()),
        Some(_) => format!("longer than {max} characters"),
        None => format!("{} instead of text", kind(v)),
    };
    issue(issues, path, why);
    None
}

fn choice(obj: &Map<String, Value>, key: &str, allowed: &[&str], issues: &mut Vec<String>) -> Option<String> {
    let v = get(obj, key)?;
    match v.as_str() {
        Some(s) if allowed.contains(&s) => Some(s.to_string()),
        _ => {
            let names: Vec<&str> = allowed.iter().map(|a| if a.is_empty() { "\"\"" } else { a }).collect();
            issue(issues, key, format!("{} is not one of {}", show(v), names.join(", ")));
            None
        }
    }
}

/// A map field read entry by entry: bad entries are dropped (and named), good ones kept.
fn map<T>(obj: &Map<String, Value>, key: &str, path: &str, issues: &mut Vec<String>, mut f: impl FnMut(&str, &Value) -> Result<T, String>) -> Option<BTreeMap<String, T>> {
    let v = get(obj, key)?;
    let Value::Object(m) = v else {
        issue(issues, path, format!("{} instead of a set of values", kind(v)));
        return None;
    };
    let mut out = BTreeMap::new();
    for (k, v) in m {
        match f(k, v) {
            Ok(x) => drop(out.insert(k.clone(), x)),
            Err(why) => issue(issues, &format!("{path}.{}", clip(k)), why),
        }
    }
    Some(out)
}

/// A whole number (also as a float with no fraction, as JS numbers may come).
pub(crate) fn as_u32(v: &Value) -> Option<u32> {
    match v.as_u64() {
        Some(n) => u32::try_from(n).ok(),
        None => v.as_f64().filter(|f| f.fract() == 0.0 && (0.0..=u32::MAX as f64).contains(f)).map(|f| f as u32),
    }
}

/// A key fit for a site id or a template name.
fn is_id(k: &str) -> bool {
    (1..=64).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// What a JSON value is, for a message.
pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// A value as short JSON-like text, for a message.
fn show(v: &Value) -> String {
    match v {
        Value::String(s) => format!("\"{}\"", clip(s)),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i.to_string(),
            (_, Some(f)) => format!("{f}"),
            _ => "a number".into(),
        },
        other => kind(other).into(),
    }
}

/// At most 40 characters of a string, for a message.
pub(crate) fn clip(s: &str) -> String {
    match s.char_indices().nth(40) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn absent_is_defaults_silently() {
        let l = load_settings(&Value::Null);
        assert_eq!(l.settings, Settings::default());
        assert!(l.warnings.is_empty() && l.backup.is_none() && !l.rewrite);
    }

    #[test]
    fn current_settings_round_trip_through_export() {
        let mut s = Settings { brand: "Loja".into(), tone: "brief".into(), ui_language: "pl".into(), ..Default::default() };
        s.registers.insert("es".into(), "formal".into());
        s.enabled_sites.insert("trustpilot".into(), false);
        s.templates.entry("pt".into()).or_default().insert("greeting".into(), "Olá {name}".into());
        let l = load_settings(&export_settings(&s));
        assert_eq!(l.settings, s);
        assert!(l.warnings.is_empty() && !l.rewrite && l.backup.is_none(), "{l:?}");
    }

    #[test]
    fn out_of_range_values_are_named() {
        let l = load_settings(&json!({"schema": 1, "response_target_minutes": 0, "ui_language": "fr", "brand": "x".repeat(201), "registers": {"es": "formal", "xx": "formal", "pt": "vós"}}));
        let w = l.warnings.join("\n");
        for f in ["response_target_minutes", "ui_language", "\"brand\"", "registers.xx", "registers.pt"] {
            assert!(w.contains(f), "{f} not named in {w}");
        }
        assert_eq!(l.settings.registers.get("es").map(String::as_str), Some("formal"));
        assert_eq!(l.settings.response_target_minutes, 60);
        assert!(l.rewrite && l.backup.is_some());
    }

    #[test]
    fn numbers_from_js_may_be_floats() {
        assert_eq!(as_u32(&json!(60.0)), Some(60));
        assert_eq!(as_u32(&json!(60.5)), None);
        assert_eq!(as_u32(&json!(-1)), None);
        assert_eq!(clip(&"ą".repeat(50)).chars().count(), 41);
    }
}
