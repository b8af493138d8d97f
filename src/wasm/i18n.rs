//! The interface's own words in five languages (`extension/ui/<lang>.json`). English is
//! compiled in as the fallback; the page glue (sidebar.js, the playground) loads the
//! user's language and hands it over, so every key missing there still reads in English.
//! The files are read with the browser's JSON parser (serde_json's would cost the wasm).

use std::cell::RefCell;
use std::collections::HashMap;

use wasm_bindgen::{JsCast, JsValue};

/// `extension/ui/en.json` without the options and case-list pages' keys (build.rs).
const EN: &str = include_str!(concat!(env!("OUT_DIR"), "/ui_en.json"));

thread_local! {
    static TABLE: RefCell<HashMap<String, String>> = RefCell::new({
        let mut t = HashMap::new();
        if let Ok(v) = js_sys::JSON::parse(EN) {
            lay(&mut t, &v);
        }
        t
    });
}

/// Every string property of `strings` into `table`.
fn lay(table: &mut HashMap<String, String>, strings: &JsValue) {
    let Some(obj) = strings.dyn_ref::<js_sys::Object>() else { return };
    for entry in js_sys::Object::entries(obj).iter() {
        let pair: js_sys::Array = entry.unchecked_into();
        if let (Some(k), Some(v)) = (pair.get(0).as_string(), pair.get(1).as_string()) {
            table.insert(k, v);
        }
    }
}

/// Lays a language's strings (a JS object) over the English ones; non-string values are
/// ignored. False when `strings` is not an object.
pub fn set(strings: &JsValue) -> bool {
    if !strings.is_object() || js_sys::Array::is_array(strings) {
        return false;
    }
    TABLE.with(|t| lay(&mut t.borrow_mut(), strings));
    true
}

/// The text for `key`, if a strings file has it.
pub fn tr_opt(key: &str) -> Option<String> {
    TABLE.with(|t| t.borrow().get(key).cloned())
}

/// The text for `key`, or the key itself when no file has it.
pub fn tr(key: &str) -> String {
    TABLE.with(|t| t.borrow().get(key).cloned()).unwrap_or_else(|| key.to_string())
}

/// `tr` with `{name}` placeholders filled.
pub fn trf(key: &str, args: &[(&str, &str)]) -> String {
    let mut s = tr(key);
    for (name, value) in args {
        s = s.replace(&format!("{{{name}}}"), value);
    }
    s
}
