//! The `calmly` command-line contract (issue 2). Tooling outside this repository depends
//! on it: these tests pin what must never break.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn calmly(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_calmly"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run calmly");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn json(out: &Output) -> Value {
    assert!(out.status.success(), "exit {:?}, stderr: {}", out.status.code(), String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pages").join(name).to_string_lossy().into_owned()
}

const CATEGORIES: [&str; 11] = [
    "damaged_or_defective", "delivery", "wrong_or_not_as_described", "billing", "refund_or_cancellation",
    "customer_service", "account_or_access", "technical", "fraud_or_security", "safety_or_health", "other",
];

/// Every field ITEM must have, with its type and range.
fn assert_item(item: &Value) {
    let s = |k: &str| item[k].as_str().unwrap_or_else(|| panic!("`{k}` is not a string in {item}"));
    let f = |k: &str| item[k].as_f64().unwrap_or_else(|| panic!("`{k}` is not a number in {item}"));
    s("text");
    let lang = s("language");
    assert!(lang == "und" || (lang.len() == 2 && lang.chars().all(|c| c.is_ascii_lowercase())), "language {lang}");
    assert!(item["is_complaint"].is_boolean());
    assert!((0.0..=1.0).contains(&f("complaint_score")));
    assert!(CATEGORIES.contains(&s("category")), "category {}", s("category"));
    let scores = item["category_scores"].as_object().expect("category_scores object");
    for c in CATEGORIES {
        assert!(scores.contains_key(c), "category_scores lacks {c}");
    }
    for e in item["evidence"].as_array().expect("evidence list") {
        assert!(e["phrase"].is_string() && e["signal"].is_string(), "evidence item {e}");
    }
    assert!(["low", "medium", "high", "critical"].contains(&s("severity")));
    assert!((0.0..=1.0).contains(&f("severity_score")));
    assert!((-1.0..=1.0).contains(&f("sentiment")));
    assert!(item["intents"].is_array());
    assert!(item["bad_faith"].is_boolean());
    for st in item["steps"].as_array().expect("steps list") {
        for k in ["id", "title", "detail"] {
            assert!(st[k].is_string(), "step lacks {k}: {st}");
        }
        let sources = st["sources"].as_array().expect("sources");
        assert!(!sources.is_empty());
        for src in sources {
            let src = src.as_str().unwrap();
            assert!(src.len() == 3 && src.chars().all(|c| c.is_ascii_digit()), "source {src} is not a seed file number");
        }
    }
    let d = &item["draft"];
    for k in ["language", "text", "platform"] {
        assert!(d[k].is_string(), "draft lacks {k}");
    }
    assert!(d["chars"].is_u64() && d["limit"].is_u64());
}

#[test]
fn text_gives_one_item() {
    let text = "Comprei há duas semanas e até hoje não recebi o pedido. Quero o reembolso ou vou ao Procon!";
    let v = json(&calmly(&["analyze", "--text", "-"], text));
    assert!(v["page"].is_object());
    let items = v["complaints"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_item(&items[0]);
    assert_eq!(items[0]["text"], text);
    assert_eq!(items[0]["language"], "pt");
    assert_eq!(items[0]["is_complaint"], true);
    assert_eq!(items[0]["draft"]["language"], "pt");
}

#[test]
fn text_from_a_file_argument() {
    let dir = std::env::temp_dir().join(format!("calmly-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("c.txt");
    std::fs::write(&f, "The package arrived broken and nobody answers my emails.").unwrap();
    let v = json(&calmly(&["analyze", f.to_str().unwrap()], ""));
    assert_eq!(v["complaints"].as_array().unwrap().len(), 1);
    assert_eq!(v["complaints"][0]["language"], "en");
}

#[test]
fn html_with_url_gives_the_page_complaints() {
    let v = json(&calmly(&["analyze", "--html", "--url", "https://www.trustpilot.com/review/calmly-fixture.example", &fixture("trustpilot_minimal.html")], ""));
    assert_eq!(v["page"]["site"], "trustpilot");
    assert_eq!(v["page"]["kind"], "reviews");
    let items = v["complaints"].as_array().unwrap();
    assert_eq!(items.len(), 3, "the fixture has three reviews");
    for i in items {
        assert_item(i);
    }
    assert_eq!(items[0]["author"], "Mariana Souza");
    assert_eq!(items[0]["draft"]["platform"], "trustpilot", "the platform comes from the site");
    assert_eq!(items[0]["rating"], 1.0);
    assert_eq!(items[2]["is_complaint"], false, "a 5-star praise is not a complaint");
    assert_eq!(v["page"]["complaints"], items.iter().filter(|i| i["is_complaint"] == true).count());
}

#[test]
fn html_without_url_uses_the_canonical_link() {
    let v = json(&calmly(&["analyze", &fixture("trustpilot_minimal.html")], ""));
    assert_eq!(v["page"]["url"], "https://www.trustpilot.com/review/calmly-fixture.example");
    assert_eq!(v["complaints"].as_array().unwrap().len(), 3);
}

#[test]
fn jsonl_keeps_order_and_reports_bad_lines() {
    let input = concat!(
        r#"{"id": "a", "text": "Fui cobrado duas vezes no cartão e ninguém resolve."}"#, "\n",
        "this is not json\n",
        r#"{"id": 7, "platform": "x"}"#, "\n",
        r#"{"id": "d", "text": "Zamówienie nie dotarło od miesiąca, żądam zwrotu pieniędzy.", "platform": "x"}"#, "\n",
    );
    let out = calmly(&["analyze", "--jsonl", "-"], input);
    assert!(out.status.success());
    let lines: Vec<Value> = String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 4, "one output line per input line");
    assert_eq!(lines[0]["id"], "a");
    assert_item(&lines[0]);
    assert!(lines[1]["error"].as_str().unwrap().contains("JSON"));
    assert_eq!(lines[2]["id"], 7);
    assert!(lines[2]["error"].as_str().unwrap().contains("text"));
    assert_eq!(lines[3]["id"], "d");
    assert_item(&lines[3]);
    assert_eq!(lines[3]["language"], "pl");
    assert_eq!(lines[3]["draft"]["platform"], "x");
    assert!(lines[3]["draft"]["chars"].as_u64().unwrap() <= 280);
}

#[test]
fn playbooks_lists_the_five_seed_systems() {
    let v = json(&calmly(&["playbooks"], ""));
    let ids: Vec<&str> = v["playbooks"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["000", "001", "002", "003", "004"]);
    for p in v["playbooks"].as_array().unwrap() {
        for s in p["steps"].as_array().unwrap() {
            assert!(!s["section"].as_str().unwrap().is_empty() && !s["quote"].as_str().unwrap().is_empty());
        }
    }
}

#[test]
fn usage_errors_exit_2_with_a_message() {
    for args in [&[][..], &["frobnicate"], &["analyze", "--bogus"], &["analyze", "--jsonl", "--html"], &["analyze", "--jsonl", "--page-lang", "pl"], &["playbooks", "extra"]] {
        let out = calmly(args, "");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?} printed to stdout");
        assert!(String::from_utf8_lossy(&out.stderr).contains("usage"), "{args:?}");
    }
}

#[test]
fn runtime_errors_exit_1() {
    let out = calmly(&["analyze", "/nonexistent/complaint.txt"], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read"));
}

#[test]
fn empty_and_hostile_input_give_a_result() {
    let v = json(&calmly(&["analyze", "--text"], ""));
    assert_eq!(v["complaints"][0]["language"], "und");
    assert_eq!(v["complaints"][0]["is_complaint"], false);

    let nested = format!("<html><body>{}<script>alert(1)</script>{}</body></html>", "<div>".repeat(5000), "</div>".repeat(5000));
    let v = json(&calmly(&["analyze", "--html", "--url", "https://www.amazon.com/dp/B0", "-"], &nested));
    assert_eq!(v["complaints"].as_array().unwrap().len(), 0);

    let out = calmly(&["analyze", "--text", "-"], "\u{0}\u{301}🙂 ÄÖÜ ł ș ț \u{202e}");
    assert!(out.status.success());
}

#[test]
fn check_flags_what_a_reply_must_not_do() {
    let ids = |v: &Value| -> Vec<String> { v["warnings"].as_array().unwrap().iter().map(|w| w["id"].as_str().unwrap().to_string()).collect() };
    // Blame, no apology, a CPF and a placeholder, in a public reply on X (280 chars).
    let bad = "Olá {name}, a culpa não foi nossa. Seu CPF 529.982.247-25 consta no pedido.";
    let v = json(&calmly(&["check", "--lang", "pt", "--platform", "x"], bad));
    let got = ids(&v);
    for want in ["blame", "no_apology", "personal_data", "placeholder"] {
        assert!(got.iter().any(|g| g == want), "{want} missing in {got:?}");
    }
    assert_eq!(v["limit"], 280);
    // A good reply raises nothing; the same text as a private message may hold the CPF.
    let good = "Olá, Ana. Pedimos desculpas pelo transtorno. Vamos verificar o seu pedido ainda hoje; por favor, envie uma mensagem privada.";
    assert_eq!(ids(&json(&calmly(&["check", "--lang", "pt"], good))), Vec::<String>::new());
    let private = "Olá, Ana. Confirmamos o CPF 529.982.247-25 no seu cadastro.";
    assert!(!ids(&json(&calmly(&["check", "--lang", "pt", "--private"], private))).contains(&"personal_data".to_string()));
    // A reply in the wrong language for the complaint.
    let v = json(&calmly(&["check", "--complaint-lang", "pt"], "We are sorry for the trouble and will contact you today by e-mail."));
    assert!(ids(&v).contains(&"language_mismatch".to_string()), "{v}");
    // A thank-you to praise needs no apology; blame is still blame.
    let thanks = "Olá, Ana! Muito obrigado pelo carinho, ficamos felizes que você gostou.";
    assert_eq!(ids(&json(&calmly(&["check", "--lang", "pt"], thanks))), ["no_apology"]);
    assert_eq!(ids(&json(&calmly(&["check", "--lang", "pt", "--thanks"], thanks))), Vec::<String>::new());
    assert!(ids(&json(&calmly(&["check", "--lang", "pt", "--thanks"], bad))).contains(&"blame".to_string()));
}

#[test]
fn praise_gets_a_thank_you_draft() {
    let v = json(&calmly(&["analyze", "--platform", "x"], "Love it, fast delivery and great support. Highly recommend!"));
    let item = &v["complaints"][0];
    assert_eq!(item["is_complaint"], false);
    assert_eq!(item["draft"]["kind"], "thanks");
    assert_eq!(item["draft"]["private"], "");
    assert_eq!(item["draft"]["checks"].as_array().map(Vec::len), Some(0));
    let v = json(&calmly(&["analyze"], "My order never arrived and nobody answers my emails."));
    assert_eq!(v["complaints"][0]["draft"]["kind"], "complaint");
}

#[test]
fn jsonl_lines_may_carry_the_case() {
    let input = concat!(
        r#"{"id":"a","text":"O pedido não chegou até hoje e ninguém responde.","author":"Ana Souza","age_minutes":4400,"platform":"reclameaqui"}"#,
        "\n",
        r#"{"id":"b","text":"x","age_minutes":"soon"}"#,
        "\n"
    );
    let out = calmly(&["analyze", "--jsonl"], input);
    assert!(out.status.success());
    let lines: Vec<Value> = String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines[0]["id"], "a");
    assert!(lines[0]["draft"]["text"].as_str().unwrap().contains("Ana"), "{}", lines[0]["draft"]["text"]);
    assert!(lines[0]["steps"].as_array().unwrap().iter().any(|s| s["id"] == "late_reply"), "{}", lines[0]["steps"]);
    assert_eq!(lines[1]["id"], "b");
    assert!(lines[1]["error"].as_str().unwrap().contains("age_minutes"), "{}", lines[1]);
}

#[test]
fn the_page_language_settles_short_texts_only() {
    let lang_of = |text: &str, page: &[&str]| {
        let mut args = vec!["analyze", "--text"];
        args.extend_from_slice(page);
        let v = json(&calmly(&args, text));
        (v["complaints"][0]["language"].as_str().unwrap().to_string(), v["page"]["lang"].clone())
    };
    // Short and ambiguous: the page's language decides (as <html lang> gives it).
    let short = "Horrible customer service!";
    assert_eq!(lang_of(short, &["--page-lang", "en-GB"]), ("en".to_string(), Value::from("en-GB")));
    assert_eq!(lang_of(short, &["--page-lang", "es"]).0, "es");
    // Without one, nothing is echoed; a clear text keeps its language on any page.
    assert_eq!(lang_of(short, &[]).1, Value::Null);
    assert_eq!(lang_of("Me cobraron dos veces y nadie me responde, es una vergüenza", &["--page-lang", "en"]).0, "es");
    // Per line with --jsonl: a text too short to tell is drafted in the page's language.
    let out = calmly(&["analyze", "--jsonl"], "{\"id\":1,\"text\":\"Okej\",\"page_lang\":\"pl-PL\"}\n{\"id\":2,\"text\":\"Okej\"}\n");
    let lines: Vec<Value> = String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!((lines[0]["language"].as_str(), lines[0]["draft"]["language"].as_str()), (Some("und"), Some("pl")));
    assert_eq!((lines[1]["language"].as_str(), lines[1]["draft"]["language"].as_str()), (Some("und"), Some("en")));
}

#[test]
fn html_gives_the_page_language() {
    // The fixture declares <html lang="en">.
    let v = json(&calmly(&["analyze", &fixture("trustpilot_minimal.html")], ""));
    assert_eq!(v["page"]["lang"], "en");
    // A hostile or absent lang is left out, not echoed.
    for html in ["<html lang=\"\"><body><p>x</p></body></html>", &format!("<html lang=\"{}\"><body></body></html>", "x".repeat(5000))] {
        let v = json(&calmly(&["analyze", "--html", "-"], html));
        assert_eq!(v["page"].get("lang"), None, "{}", &html[..40.min(html.len())]);
    }
}
