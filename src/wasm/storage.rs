//! Storage logic for the extension's own pages (options, case list): settings and cases
//! in and out of `chrome.storage.local`. Built into its own small wasm (`calmly_store`,
//! cargo feature `store`): those pages need none of the analysis engine, and the
//! sidebar's wasm stays within its size budget. The sidebar uses `engine::cases` directly.

use wasm_bindgen::prelude::*;

use crate::engine;

fn to_js<T: serde::Serialize>(v: &T) -> Result<JsValue, JsError> {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(|e| JsError::new(&e.to_string()))
}

// ---------------------------------------------------------------- storage: settings, cases
// Pure logic in `engine::stored` and `engine::cases`; `extension/` reads and writes
// `chrome.storage.local` and calls these. Inputs go through `serde_json::Value` and are
// read field by field (no derived deserializers: they cost the wasm dearly); raw values
// handed back for backup are the caller's own JS values.

use engine::cases::{self, Case};
use serde_json::Value;

/// Any JS value as JSON (`undefined` is `null`).
fn json_from(v: JsValue, what: &str) -> Result<Value, JsError> {
    serde_wasm_bindgen::from_value(v).map_err(|e| JsError::new(&format!("{what}: {e}")))
}

fn case_from(v: JsValue) -> Result<Case, JsError> {
    let (mut c, _) = cases::read_case(&json_from(v, "case")?, "").ok_or_else(|| JsError::new("case: not a case (it needs id, url and text)"))?;
    c.normalize();
    Ok(c)
}

/// A list of cases; what is not a case is skipped.
fn cases_from(v: JsValue) -> Result<Vec<Case>, JsError> {
    let Value::Array(items) = json_from(v, "cases")? else { return Err(JsError::new("cases: expected a list")) };
    Ok(items
        .iter()
        .filter_map(|c| cases::read_case(c, ""))
        .map(|(mut c, _)| {
            c.normalize();
            c
        })
        .collect())
}

/// An object with these properties.
fn object(props: &[(&str, JsValue)]) -> Result<JsValue, JsError> {
    let out: JsValue = js_sys::Object::new().into();
    for (k, v) in props {
        js_sys::Reflect::set(&out, &(*k).into(), v).map_err(|_| JsError::new("cannot pass the result to JS"))?;
    }
    Ok(out)
}

/// `{settings, warnings, backup, rewrite}`; `backup` is the caller's raw value or null.
fn settings_load_to_js(l: &engine::stored::SettingsLoad, raw: &JsValue) -> Result<JsValue, JsError> {
    let backup = if l.backup.is_some() { raw.clone() } else { JsValue::NULL };
    object(&[("settings", to_js(&l.settings)?), ("warnings", to_js(&l.warnings)?), ("backup", backup), ("rewrite", l.rewrite.into())])
}

/// Stored settings (`chrome.storage.local["settings"]`, anything) →
/// `{settings, warnings, backup, rewrite}`.
#[wasm_bindgen(js_name = loadSettings)]
pub fn load_settings(raw: JsValue) -> Result<JsValue, JsError> {
    let l = engine::stored::load_settings(&json_from(raw.clone(), "settings")?);
    settings_load_to_js(&l, &raw)
}

/// Settings as a file to share (the object, with `schema`).
#[wasm_bindgen(js_name = exportSettings)]
pub fn export_settings(settings: JsValue) -> Result<JsValue, JsError> {
    let mut s = engine::stored::load_settings(&json_from(settings, "settings")?).settings;
    s.schema = engine::stored::SETTINGS_SCHEMA;
    to_js(&s)
}

/// A shared settings file's text → `{settings, warnings, backup, rewrite}`; throws when it
/// is not a settings file.
#[wasm_bindgen(js_name = importSettings)]
pub fn import_settings(text: &str) -> Result<JsValue, JsError> {
    // The browser's parser: serde_json's would add kilobytes to the wasm.
    let raw = js_sys::JSON::parse(text.trim_start_matches('\u{feff}'))
        .map_err(|e| JsError::new(&engine::stored::not_json(&js_sys::Error::from(e).message().as_string().unwrap_or_default()).0))?;
    let l = engine::stored::import_value(&json_from(raw.clone(), "settings")?).map_err(|e| JsError::new(&e.0))?;
    settings_load_to_js(&l, &raw)
}

/// The stable id of a complaint (its storage key is `case:<id>`).
#[wasm_bindgen(js_name = caseId)]
pub fn case_id(url: &str, author: Option<String>, text: &str) -> String {
    cases::case_id(url, author.as_deref(), text)
}

/// A new case from `{url, site, author, text, posted, age_minutes, language, category, severity}`.
#[wasm_bindgen(js_name = newCase)]
pub fn new_case(input: JsValue, now_ms: f64) -> Result<JsValue, JsError> {
    to_js(&cases::new_case(cases::NewCase::from_json(&json_from(input, "new case")?), now_ms))
}

/// The case after an edit: `{type: "advance"}`, `{type: "stage", stage}`, `{type: "step", id}`,
/// `{type: "draft", kind, chars}`, `{type: "notes", text}`, `{type: "followUp", at}`.
#[wasm_bindgen(js_name = caseAction)]
pub fn case_action(case: JsValue, action: JsValue, now_ms: f64) -> Result<JsValue, JsError> {
    let action = cases::Action::from_json(&json_from(action, "case action")?).map_err(|e| JsError::new(&e.0))?;
    to_js(&cases::apply(&case_from(case)?, &action, now_ms).map_err(|e| JsError::new(&e.0))?)
}

/// Two versions of the same case reconciled (the latest write per field wins).
#[wasm_bindgen(js_name = mergeCase)]
pub fn merge_case(stored: JsValue, mine: JsValue) -> Result<JsValue, JsError> {
    let (stored, mine) = (case_from(stored)?, case_from(mine)?);
    if stored.schema.max(mine.schema) > cases::CASE_SCHEMA {
        return Err(JsError::new("This case was saved by a newer Calmly; update Calmly to change it."));
    }
    to_js(&cases::merge(&stored, &mine))
}

/// All of storage (or just its `case:*` entries) →
/// `{cases, backups: [{key, raw}], rewrite, remove, warnings}`.
#[wasm_bindgen(js_name = loadCases)]
pub fn load_cases(entries: JsValue) -> Result<JsValue, JsError> {
    let l = match json_from(entries.clone(), "stored cases")? {
        Value::Object(m) => cases::load_cases(&m),
        Value::Null => cases::CasesLoad::default(),
        _ => return Err(JsError::new("stored cases: expected an object of storage entries")),
    };
    let backups = js_sys::Array::new();
    for b in &l.backups {
        let raw = js_sys::Reflect::get(&entries, &b.key.as_str().into()).unwrap_or(JsValue::NULL);
        backups.push(&object(&[("key", b.key.as_str().into()), ("raw", raw)])?);
    }
    object(&[("cases", to_js(&l.cases)?), ("backups", backups.into()), ("rewrite", to_js(&l.rewrite)?), ("remove", to_js(&l.remove)?), ("warnings", to_js(&l.warnings)?)])
}

/// `{minutes, target, overdue, since: "posted" | "first_seen"}`.
#[wasm_bindgen(js_name = caseClock)]
pub fn case_clock(case: JsValue, now_ms: f64, target_minutes: Option<u32>) -> Result<JsValue, JsError> {
    to_js(&cases::clock(&case_from(case)?, now_ms, target_minutes.unwrap_or(60)))
}

/// The cases as CSV text.
#[wasm_bindgen(js_name = casesCsv)]
pub fn cases_csv(cases: JsValue) -> Result<String, JsError> {
    Ok(cases::to_csv(&cases_from(cases)?))
}

/// The cases as JSON text `{"schema": 1, "cases": [...]}` (indented).
#[wasm_bindgen(js_name = casesJson)]
pub fn cases_json(cases: JsValue) -> Result<String, JsError> {
    let out = object(&[("schema", cases::CASE_SCHEMA.into()), ("cases", to_js(&cases_from(cases)?)?)])?;
    js_sys::JSON::stringify_with_replacer_and_space(&out, &JsValue::NULL, &JsValue::from(2)).map(String::from).map_err(|_| JsError::new("cannot write the cases as JSON"))
}

/// The cases that pass `{stage, site, overdue_only, text}`.
#[wasm_bindgen(js_name = filterCases)]
pub fn filter_cases(cases: JsValue, filter: JsValue, now_ms: f64, target_minutes: Option<u32>) -> Result<JsValue, JsError> {
    let filter = cases::Filter::from_json(&json_from(filter, "filter")?);
    to_js(&cases::filter(&cases_from(cases)?, &filter, now_ms, target_minutes.unwrap_or(60)))
}

/// The ids of the cases whose reminder is due, soonest first.
#[wasm_bindgen(js_name = dueFollowUps)]
pub fn due_follow_ups(cases: JsValue, now_ms: f64) -> Result<JsValue, JsError> {
    to_js(&cases::due_follow_ups(&cases_from(cases)?, now_ms))
}
