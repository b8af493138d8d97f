//! `chrome.storage.local` from Rust, through js-sys: the sidebar keeps its cases there.
//! Where there is no extension storage (the playground, tests in a plain page) every call
//! is a no-op and cases live in memory only.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

fn local() -> Option<JsValue> {
    let chrome = js_sys::Reflect::get(&js_sys::global(), &"chrome".into()).ok().filter(|v| v.is_object())?;
    let storage = js_sys::Reflect::get(&chrome, &"storage".into()).ok().filter(|v| v.is_object())?;
    js_sys::Reflect::get(&storage, &"local".into()).ok().filter(|v| v.is_object())
}

fn call(target: &JsValue, method: &str, arg: &JsValue) -> Option<js_sys::Promise> {
    let f: js_sys::Function = js_sys::Reflect::get(target, &method.into()).ok()?.dyn_into().ok()?;
    f.call1(target, arg).ok()?.dyn_into().ok()
}

/// Reads one key; `done` gets its value (None when absent, unreadable or no storage).
pub fn get(key: &str, done: impl FnOnce(Option<JsValue>) + 'static) {
    let Some(promise) = local().and_then(|l| call(&l, "get", &key.into())) else {
        done(None);
        return;
    };
    let key = key.to_string();
    let done = std::cell::RefCell::new(Some(done));
    let ok = Closure::once(move |v: JsValue| {
        let value = js_sys::Reflect::get(&v, &key.as_str().into()).ok().filter(|x| !x.is_undefined());
        if let Some(d) = done.borrow_mut().take() {
            d(value);
        }
    });
    let _ = promise.then(&ok);
    ok.forget(); // settles once
}

/// Writes `items` (key → value) in one `set`, which lands whole or not at all. `done` gets
/// None once written (or when there is no storage), else the browser's reason, such as
/// "QUOTA_BYTES quota exceeded".
pub fn set(items: &js_sys::Object, done: impl FnOnce(Option<String>) + 'static) {
    let Some(promise) = local().and_then(|l| call(&l, "set", items)) else {
        done(None);
        return;
    };
    // One closure for both outcomes: `set` resolves with nothing, and rejects with an Error.
    let settled = Closure::once(move |v: JsValue| {
        done((!v.is_undefined()).then(|| js_sys::Reflect::get(&v, &"message".into()).ok().and_then(|m| m.as_string()).unwrap_or_default()));
    });
    let _ = promise.then2(&settled, &settled);
    settled.forget(); // settles once
}

/// Calls `changed(key, new_value)` whenever another tab (or page) changes a stored key.
pub fn on_changed(changed: impl Fn(String, JsValue) + 'static) {
    let Some(chrome) = js_sys::Reflect::get(&js_sys::global(), &"chrome".into()).ok().filter(|v| v.is_object()) else { return };
    let Some(event) = js_sys::Reflect::get(&chrome, &"storage".into()).ok().and_then(|s| js_sys::Reflect::get(&s, &"onChanged".into()).ok()).filter(|v| v.is_object())
    else {
        return;
    };
    let listener = Closure::<dyn Fn(JsValue, JsValue)>::new(move |changes: JsValue, area: JsValue| {
        if area.as_string().as_deref() != Some("local") {
            return;
        }
        for key in js_sys::Object::keys(changes.unchecked_ref::<js_sys::Object>()).iter() {
            let Some(k) = key.as_string() else { continue };
            let new = js_sys::Reflect::get(&changes, &key).ok().and_then(|c| js_sys::Reflect::get(&c, &"newValue".into()).ok()).unwrap_or(JsValue::UNDEFINED);
            changed(k, new);
        }
    });
    if let Ok(add) = js_sys::Reflect::get(&event, &"addListener".into()).and_then(|f| f.dyn_into::<js_sys::Function>().map_err(JsValue::from)) {
        let _ = add.call1(&event, listener.as_ref());
    }
    listener.forget(); // lives as long as the sidebar
}
