//! The wasm exports, under Node (`cargo test --target wasm32-unknown-unknown --test wasm`):
//! what JS callers (the sidebar, the playground, the JS module for agents) receive.
#![cfg(target_arch = "wasm32")]

use calmly::wasm::{analyze_page, analyze_text, check_draft, playbooks};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

fn get(v: &JsValue, k: &str) -> JsValue {
    js_sys::Reflect::get(v, &k.into()).unwrap()
}

#[wasm_bindgen_test]
fn analyze_text_returns_a_plain_object() {
    let v = analyze_text("Zamówienie nie dotarło od miesiąca, żądam zwrotu pieniędzy!", Some("x".into()), JsValue::UNDEFINED).unwrap();
    assert_eq!(get(&v, "language").as_string().as_deref(), Some("pl"));
    assert_eq!(get(&v, "is_complaint").as_bool(), Some(true));
    let draft = get(&v, "draft");
    assert_eq!(get(&draft, "platform").as_string().as_deref(), Some("x"));
    assert!(get(&draft, "chars").as_f64().unwrap() <= 280.0);
    // json_compatible: maps are plain objects, not JS Maps.
    assert!(get(&v, "category_scores").is_object());
    assert!(!get(&v, "category_scores").is_instance_of::<js_sys::Map>());
}

#[wasm_bindgen_test]
fn settings_shape_the_draft_and_bad_settings_are_an_error() {
    let settings = js_sys::JSON::parse(r#"{"brand": "Loja Exemplo", "channels": {"email": "sac@loja.example"}}"#).unwrap();
    let v = analyze_text("O produto chegou quebrado e ninguém responde.", None, settings).unwrap();
    let text = get(&get(&v, "draft"), "text").as_string().unwrap();
    assert!(text.contains("Loja Exemplo"), "{text}");
    assert!(text.contains("sac@loja.example"), "{text}");

    let bad = js_sys::JSON::parse(r#"{"brand": 42}"#).unwrap();
    let err = analyze_text("x", None, bad).unwrap_err();
    let msg = js_sys::Error::from(JsValue::from(err)).message().as_string().unwrap();
    assert!(msg.contains("settings"), "{msg}");
}

#[wasm_bindgen_test]
fn analyze_page_takes_a_snapshot() {
    let snap = js_sys::JSON::parse(
        r#"{"url": "https://www.trustpilot.com/review/a.example", "site": "trustpilot", "kind": "reviews",
            "items": [{"id": "t-0", "text": "I was charged twice and nobody answers.", "author": "John Miller", "rating": 1, "rating_max": 5},
                      {"id": "t-1", "text": "Great service, fast delivery, thank you!", "rating": 5, "rating_max": 5}]}"#,
    )
    .unwrap();
    let r = analyze_page(snap, JsValue::NULL).unwrap();
    let items = js_sys::Array::from(&get(&r, "complaints"));
    assert_eq!(items.length(), 2);
    assert_eq!(get(&items.get(0), "is_complaint").as_bool(), Some(true));
    assert_eq!(get(&items.get(1), "is_complaint").as_bool(), Some(false));
    assert_eq!(get(&get(&r, "page"), "complaints").as_f64(), Some(1.0));

    let err = analyze_page(JsValue::from_str("not a snapshot"), JsValue::NULL).unwrap_err();
    let msg = js_sys::Error::from(JsValue::from(err)).message().as_string().unwrap();
    assert!(msg.contains("snapshot"), "{msg}");
}

#[wasm_bindgen_test]
fn playbooks_are_exported() {
    let v = js_sys::Array::from(&playbooks().unwrap());
    let books = js_sys::Array::from(&v.get(0));
    assert_eq!(books.length(), 5);
}

#[wasm_bindgen_test]
fn check_draft_is_exported_and_bad_options_are_an_error() {
    let opts = js_sys::JSON::parse(r#"{"language": "en", "platform": "x"}"#).unwrap();
    let v = check_draft("Hi {name}, write to ana@example.com. Bye.", opts).unwrap();
    let arr: js_sys::Array = v.dyn_into().unwrap();
    let ids: Vec<String> = arr.iter().map(|w| get(&w, "id").as_string().unwrap()).collect();
    for want in ["no_apology", "placeholder", "personal_data"] {
        assert!(ids.iter().any(|i| i == want), "{want} not in {ids:?}");
    }
    let bad = js_sys::JSON::parse(r#"{"private": "yes"}"#).unwrap();
    assert!(check_draft("x", bad).is_err());
}
