//! The Rust UI in a real browser (headless Chromium through chromedriver):
//! `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown --test wasm_browser`.
#![cfg(target_arch = "wasm32")]

use calmly::wasm::{mount_playground, mount_sidebar};
use gloo_timers::future::TimeoutFuture;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn root() -> web_sys::Element {
    let doc = gloo_utils::document();
    let div = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&div).unwrap();
    div
}

async fn until(cond: impl Fn() -> bool) -> bool {
    for _ in 0..100 {
        if cond() {
            return true;
        }
        TimeoutFuture::new(20).await;
    }
    false
}

fn post(token: &str, items: &str) {
    let msg = js_sys::JSON::parse(&format!(
        r#"{{"source": "calmly-content", "token": "{token}", "type": "snapshot",
            "snapshot": {{"url": "https://www.trustpilot.com/review/a.example", "site": "trustpilot", "kind": "reviews", "items": {items}}}}}"#
    ))
    .unwrap();
    gloo_utils::window().post_message(&msg, "*").unwrap();
}

#[wasm_bindgen_test]
async fn sidebar_renders_the_snapshot_it_is_sent() {
    let root = root();
    mount_sidebar(root.clone(), "tok-1".into(), JsValue::NULL).unwrap();
    assert_eq!(root.get_attribute("data-state").as_deref(), Some("waiting"));
    let items = r#"[{"id": "a", "text": "<img src=x onerror=alert(1)> Comprei há duas semanas e não recebi o pedido. Vou ao Procon!", "author": "Ana"},
                    {"id": "b", "text": "Tudo perfeito, recomendo!", "rating": 5, "rating_max": 5}]"#;
    // A message with the wrong token (a page script guessing) is ignored.
    post("wrong", items);
    TimeoutFuture::new(100).await;
    assert_eq!(root.get_attribute("data-state").as_deref(), Some("waiting"));

    post("tok-1", items);
    let r = root.clone();
    assert!(until(move || r.get_attribute("data-state").as_deref() == Some("ready")).await, "the sidebar never rendered");
    assert_eq!(root.query_selector_all(".item").unwrap().length(), 2);
    // The complaint comes first, and its text is text, not markup.
    let first = root.query_selector(".item .sev").unwrap().unwrap();
    assert_ne!(first.text_content().as_deref(), Some("ok"));
    assert!(root.query_selector("img").unwrap().is_none(), "complaint text was parsed as HTML");
    let draft: web_sys::HtmlTextAreaElement = root.query_selector("textarea.draft").unwrap().unwrap().dyn_into().unwrap();
    assert!(draft.value().contains("Ana"), "{}", draft.value());
    assert!(root.query_selector_all(".steps .step").unwrap().length() >= 3);
    // Our draft passes its own check; the case's four messages are all there.
    assert!(root.query_selector(".checks .check-ok").unwrap().is_some(), "our draft raised warnings");
    for class in ["textarea.private", "textarea.resolution", "textarea.closing"] {
        assert!(root.query_selector(class).unwrap().is_some(), "no {class}");
    }
    // Another register redrafts the case: the Portuguese formal register avoids "você".
    let before = draft.value();
    let reg: web_sys::HtmlSelectElement = root.query_selector("select.register").unwrap().unwrap().dyn_into().unwrap();
    assert_eq!(reg.value(), "informal", "pt defaults to você");
    reg.set_value("formal");
    reg.dispatch_event(&web_sys::Event::new("change").unwrap()).unwrap();
    assert_ne!(draft.value(), before, "changing the register did not redraft");
    assert!(!draft.value().to_lowercase().contains("você"), "formal register still says você: {}", draft.value());
    let tone: web_sys::HtmlSelectElement = root.query_selector("select.tone").unwrap().unwrap().dyn_into().unwrap();
    tone.set_value("brief");
    tone.dispatch_event(&web_sys::Event::new("change").unwrap()).unwrap();
    assert!(draft.value().chars().count() < before.chars().count(), "brief is not shorter: {}", draft.value());
    // Edits are checked as they are typed.
    draft.set_value("Olá. A culpa não foi nossa, {nome}.");
    draft.dispatch_event(&web_sys::Event::new("input").unwrap()).unwrap();
    for id in ["blame", "placeholder", "no_apology"] {
        assert!(root.query_selector(&format!(".checks .check-{id}")).unwrap().is_some(), "no {id} warning after typing");
    }
}

#[wasm_bindgen_test]
async fn playground_analyses_what_is_typed() {
    let root = root();
    mount_playground(root.clone()).unwrap();
    let ta: web_sys::HtmlTextAreaElement = root.query_selector("#complaint").unwrap().unwrap().dyn_into().unwrap();
    ta.set_value("Me cobraron dos veces y nadie responde. Exijo el reembolso.");
    let form: web_sys::HtmlFormElement = root.query_selector("form").unwrap().unwrap().dyn_into().unwrap();
    form.request_submit().unwrap();
    let r = root.clone();
    assert!(until(move || r.query_selector("textarea.draft").ok().flatten().is_some()).await);
    let facts = root.query_selector(".facts").unwrap().unwrap().text_content().unwrap();
    assert!(facts.contains("es"), "{facts}");
}
