//! The browser layer: translates between JS and the engine, and renders the sidebar and
//! the playground with web-sys. It decides nothing: every answer comes from `engine`.

// The sidebar, the playground and the analysis API (the default build, `calmly.wasm`).
#[cfg(feature = "engine")]
mod i18n;
#[cfg(feature = "engine")]
mod playground;
#[cfg(feature = "engine")]
mod store;
#[cfg(feature = "engine")]
mod ui;
// The options and case-list pages' storage logic (`calmly_store.wasm`).
#[cfg(feature = "store")]
mod storage;

use std::cell::RefCell;

use wasm_bindgen::prelude::*;

#[cfg(feature = "engine")]
use crate::engine::{self, PageSnapshot, Settings};

thread_local! {
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Installs a panic hook whose message reaches the UI (an element with id
/// `calmly-fatal`, if the page has one) as well as the console.
#[wasm_bindgen(start)]
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        let msg = format!("Calmly stopped because of a bug: {info}. Reload the page to start again; please report this message.");
        LAST_PANIC.with(|p| *p.borrow_mut() = Some(msg.clone()));
        #[cfg(feature = "engine")]
        ui::show_fatal(&msg);
    }));
}

/// The message of the last panic, if one happened (the JS loader shows it too).
#[wasm_bindgen(js_name = lastPanic)]
pub fn last_panic() -> Option<String> {
    LAST_PANIC.with(|p| p.borrow().clone())
}

#[cfg(feature = "engine")]
fn to_js<T: serde::Serialize>(v: &T) -> Result<JsValue, JsError> {
    let ser = serde_wasm_bindgen::Serializer::json_compatible();
    v.serialize(&ser).map_err(|e| JsError::new(&format!("cannot pass the result to JS: {e}")))
}

#[cfg(feature = "engine")]
fn settings_from(v: JsValue) -> Result<Settings, JsError> {
    if v.is_undefined() || v.is_null() {
        return Ok(Settings::default());
    }
    serde_wasm_bindgen::from_value(v).map_err(|e| JsError::new(&format!("settings: {e}")))
}

/// Analyses one text. `platform` is a platform id (`x`, `google_play`, …) or undefined.
#[cfg(feature = "engine")]
#[wasm_bindgen(js_name = analyzeText)]
pub fn analyze_text(text: &str, platform: Option<String>, settings: JsValue) -> Result<JsValue, JsError> {
    let settings = settings_from(settings)?;
    let a = engine::analyze_text(text, platform.as_deref(), &settings).map_err(|e| JsError::new(&e.0))?;
    to_js(&a)
}

/// Analyses a page snapshot `{url, title, site, kind, items: [...]}`.
#[cfg(feature = "engine")]
#[wasm_bindgen(js_name = analyzePage)]
pub fn analyze_page(snapshot: JsValue, settings: JsValue) -> Result<JsValue, JsError> {
    let snapshot: PageSnapshot = serde_wasm_bindgen::from_value(snapshot).map_err(|e| JsError::new(&format!("page snapshot: {e}")))?;
    let settings = settings_from(settings)?;
    let r = engine::analyze_page(&snapshot, &settings).map_err(|e| JsError::new(&e.0))?;
    to_js(&r)
}

/// Options of `checkDraft`; all optional.
#[cfg(feature = "engine")]
#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct CheckOptions {
    /// The reply's language (detected when absent) and the complaint's.
    language: Option<String>,
    complaint_language: Option<String>,
    platform: Option<String>,
    /// A private message may hold personal data and need not apologise.
    private: bool,
    /// Nor need a thank-you to praise or an answer to a question.
    thanks: bool,
    settings: Option<Settings>,
}

/// The draft check on any reply text, as `calmly check`: `[{id, message, phrase?}]`.
#[cfg(feature = "engine")]
#[wasm_bindgen(js_name = checkDraft)]
pub fn check_draft(text: &str, options: JsValue) -> Result<JsValue, JsError> {
    let o: CheckOptions =
        if options.is_undefined() || options.is_null() { CheckOptions::default() } else { serde_wasm_bindgen::from_value(options).map_err(|e| JsError::new(&format!("options: {e}")))? };
    let e = engine::engine().map_err(|e| JsError::new(&e.0))?;
    let settings = o.settings.unwrap_or_default();
    let report = e.check_text(
        text,
        &engine::CheckRequest {
            language: o.language.as_deref(),
            complaint_language: o.complaint_language.as_deref(),
            platform: o.platform.as_deref().unwrap_or("web"),
            public: !o.private,
            thanks: o.thanks,
            settings: &settings,
        },
    );
    to_js(&report.warnings)
}

/// Every playbook and the plan rules, as in `calmly playbooks` but without the seeds' verbatim
/// quotes (left out of the wasm for size; the command line has them).
#[cfg(feature = "engine")]
#[wasm_bindgen]
pub fn playbooks() -> Result<JsValue, JsError> {
    let e = engine::engine().map_err(|e| JsError::new(&e.0))?;
    to_js(&(&e.knowledge.playbooks, &e.knowledge.plan.step))
}

/// Mounts the sidebar into `root`; it waits for the content script's page snapshot.
#[cfg(feature = "engine")]
#[wasm_bindgen(js_name = mountSidebar)]
pub fn mount_sidebar(root: web_sys::Element, token: String, settings: JsValue) -> Result<(), JsError> {
    let settings = settings_from(settings)?;
    ui::Sidebar::mount(root, token, settings).map_err(|e| JsError::new(&format!("{e:?}")))
}

/// Sets the interface language's strings (the object in `extension/ui/<lang>.json`) over
/// the English ones compiled in. Call before mounting.
#[cfg(feature = "engine")]
#[wasm_bindgen(js_name = setUiStrings)]
pub fn set_ui_strings(strings: JsValue) -> Result<(), JsError> {
    if i18n::set(&strings) {
        Ok(())
    } else {
        Err(JsError::new("the interface strings must be a JSON object"))
    }
}

/// Mounts the playground (paste a complaint, see the analysis) into `root`.
#[cfg(feature = "engine")]
#[wasm_bindgen(js_name = mountPlayground)]
pub fn mount_playground(root: web_sys::Element) -> Result<(), JsError> {
    playground::Playground::mount(root).map_err(|e| JsError::new(&format!("{e:?}")))
}

