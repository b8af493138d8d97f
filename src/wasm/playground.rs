//! The playground (`www/`): paste a complaint (or pick a real example: `www/app.js` fills
//! the text box and the platform), choose the platform and the brand's settings, and see
//! the same analysis, plan, drafts and checks as the sidebar, from the same wasm and the
//! same `render_analysis`. The page glue loads the interface strings and re-mounts on a
//! language change; a mount drops the previous mount's listeners.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_events::{EventListener, EventListenerOptions};
use gloo_timers::callback::Timeout;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};

use super::i18n::{tr, trf};
use super::ui::{button, el, render_analysis, text};
use crate::engine::{self, Channels, Settings};

type Res<T> = Result<T, JsValue>;

thread_local! {
    /// The mounted playground's listeners (and through them its analysis and timer).
    static LIVE: RefCell<Vec<EventListener>> = const { RefCell::new(Vec::new()) };
}

/// The settings' text fields, in `Settings` order below: (id, label key, input type). Each
/// but the number has a `<key>_placeholder` string.
const FIELDS: [(&str, &str, &str); 7] = [
    ("brand", "pg_brand", "text"),
    ("agent", "pg_agent", "text"),
    ("gesture", "pg_gesture", "text"),
    ("email", "pg_email", "email"),
    ("phone", "pg_phone", "tel"),
    ("link", "pg_link", "url"),
    ("target", "pg_target", "number"),
];

/// Wraps `control` in a `<label>` whose text is `key`'s string, and appends it to `parent`.
fn labelled(parent: &Element, id: &str, key: &str, control: &Element) -> Res<()> {
    control.set_id(id);
    let l = text("label", "", &tr(key))?;
    l.append_child(control)?;
    parent.append_child(&l)?;
    Ok(())
}

/// A `<select>` of (value, string key) options.
fn select(options: &[(&str, &str)]) -> Res<HtmlSelectElement> {
    let s: HtmlSelectElement = el("select", "")?.dyn_into()?;
    for (value, key) in options {
        let o = text("option", "", &tr(key))?;
        o.set_attribute("value", value)?;
        s.append_child(&o)?;
    }
    Ok(s)
}

pub struct Playground;

impl Playground {
    pub fn mount(root: Element) -> Res<()> {
        LIVE.with(|l| l.borrow_mut().clear());
        root.set_text_content(None);
        let form = el("form", "playground-form")?;
        form.set_attribute("aria-label", &tr("pg_form"))?;
        let ta: HtmlTextAreaElement = el("textarea", "input")?.dyn_into()?;
        ta.set_id("complaint");
        ta.set_attribute("aria-label", &tr("pg_text"))?;
        ta.set_attribute("aria-describedby", "pg-keys")?;
        ta.set_placeholder(&tr("pg_placeholder"));
        ta.set_rows(7);
        let lab = text("label", "", &tr("pg_complaint"))?;
        lab.set_attribute("for", "complaint")?;
        form.append_child(&lab)?;
        form.append_child(&ta)?;
        let keys = text("p", "muted small", &tr("pg_keys"))?;
        keys.set_id("pg-keys");
        form.append_child(&keys)?;

        let opts = el("fieldset", "options")?;
        let legend = text("legend", "", &tr("pg_settings"))?;
        opts.append_child(&legend)?;
        let platform: HtmlSelectElement = el("select", "")?.dyn_into()?;
        let e = engine::engine().map_err(|e| JsValue::from_str(&e.0))?;
        for p in &e.knowledge.platforms.platform {
            let name = if p.id == "web" { tr("pg_platform_web") } else { p.name.clone() };
            let shown = if p.limit > 0 {
                trf("pg_platform_limit", &[("name", &name), ("limit", &p.limit.to_string()), ("unit", &tr(&format!("pg_unit_{}", p.unit)))])
            } else {
                name
            };
            let o = text("option", "", &shown)?;
            o.set_attribute("value", &p.id)?;
            platform.append_child(&o)?;
        }
        platform.set_value("web");
        labelled(&opts, "platform", "pg_platform", &platform)?;
        let tone = select(&[("warm", "tone_warm"), ("formal", "tone_formal"), ("brief", "tone_brief")])?;
        labelled(&opts, "tone", "tone", &tone)?;
        let register = select(&[("", "pg_register_auto"), ("informal", "register_informal"), ("formal", "register_formal")])?;
        labelled(&opts, "register", "register", &register)?;
        let comp: HtmlInputElement = el("input", "")?.dyn_into()?;
        comp.set_type("checkbox");
        labelled(&opts, "compensation", "pg_compensation", &comp)?;
        let mut inputs: Vec<HtmlInputElement> = Vec::new();
        for (id, key, kind) in FIELDS {
            let i: HtmlInputElement = el("input", "")?.dyn_into()?;
            i.set_type(kind);
            if kind == "number" {
                i.set_min("0");
                i.set_value("60");
            } else {
                i.set_placeholder(&tr(&format!("{key}_placeholder")));
            }
            labelled(&opts, id, key, &i)?;
            inputs.push(i);
        }
        form.append_child(&opts)?;
        let go = button(&tr("pg_analyse"), "primary")?;
        go.set_attribute("type", "submit")?;
        form.append_child(&go)?;
        root.append_child(&form)?;
        let out = el("div", "output")?;
        out.set_attribute("aria-live", "polite")?;
        root.append_child(&out)?;

        let holder: RefCell<Vec<EventListener>> = RefCell::new(Vec::new());
        let run = {
            let ta = ta.clone();
            Rc::new(move || {
                let v = |i: usize| inputs[i].value();
                let reg = register.value();
                let mut settings = Settings {
                    brand: v(0),
                    agent: v(1),
                    gesture: v(2),
                    channels: Channels { email: v(3), phone: v(4), link: v(5) },
                    response_target_minutes: v(6).parse().unwrap_or(60),
                    compensation_allowed: comp.checked(),
                    tone: tone.value(),
                    ..Default::default()
                };
                // One register for whichever language the draft is in.
                if !reg.is_empty() {
                    for l in ["en", "pt", "es", "pl", "ro"] {
                        settings.registers.insert(l.into(), reg.clone());
                    }
                }
                out.set_text_content(None);
                match engine::analyze_text(&ta.value(), Some(&platform.value()), &settings) {
                    Ok(a) => match render_analysis(&a, &settings, None) {
                        Ok((node, l)) => {
                            let _ = out.append_child(&node);
                            *holder.borrow_mut() = l;
                        }
                        Err(e) => out.set_text_content(Some(&trf("pg_error_show", &[("error", &format!("{e:?}"))]))),
                    },
                    Err(e) => out.set_text_content(Some(&e.0)),
                }
            })
        };
        // A settings change analyses again after a pause (a new change restarts the wait);
        // the text box waits for Ctrl+Enter or the button. Selects and checkboxes fire
        // `input` too; `change` is left alone (a text field fires it again on leaving).
        let pending: Rc<RefCell<Option<Timeout>>> = Rc::new(RefCell::new(None));
        let mut live = Vec::new();
        {
            let (run, pending, ta) = (run.clone(), pending.clone(), ta.clone());
            live.push(EventListener::new(&form, "input", move |ev| {
                let from_text = ev.target().and_then(|t| t.dyn_into::<Element>().ok()).is_some_and(|t| t.id() == "complaint");
                if !from_text && !ta.value().trim().is_empty() {
                    let run = run.clone();
                    *pending.borrow_mut() = Some(Timeout::new(200, move || run()));
                }
            }));
        }
        // Not passive (gloo's default): the submit must be stopped from reloading the page.
        let (r, p) = (run.clone(), pending.clone());
        live.push(EventListener::new_with_options(&form, "submit", EventListenerOptions::enable_prevent_default(), move |ev| {
            ev.prevent_default();
            p.borrow_mut().take();
            r();
        }));
        live.push(EventListener::new_with_options(&ta, "keydown", EventListenerOptions::enable_prevent_default(), move |ev| {
            if let Some(k) = ev.dyn_ref::<web_sys::KeyboardEvent>() {
                if k.key() == "Enter" && (k.ctrl_key() || k.meta_key()) {
                    k.prevent_default();
                    pending.borrow_mut().take();
                    run();
                }
            }
        }));
        LIVE.with(|l| *l.borrow_mut() = live);
        Ok(())
    }
}
