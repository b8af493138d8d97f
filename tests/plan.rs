//! The response plan on the examples: what must be in it, in what order, and what
//! must not (seeds 000–004; data/plan.toml).

use calmly::engine::classify::Classification;
use calmly::engine::plan::{build, PlanInput};
use calmly::engine::{analyze_text, engine, Settings};

mod common;

fn case(category: &str) -> Classification {
    common::classification(category)
}

fn review() -> PlanInput<'static> {
    PlanInput { platform_kind: "review_site", category_label: "the late delivery", deadline: "today", channel: "email us", ..Default::default() }
}

fn plan(c: &Classification, input: &PlanInput) -> Vec<calmly::engine::Step> {
    build(&engine().unwrap().knowledge.plan.step, c, input)
}

fn ids(c: &Classification, input: &PlanInput) -> Vec<String> {
    plan(c, input).into_iter().map(|s| s.id).collect()
}

fn pos(ids: &[String], id: &str) -> usize {
    ids.iter().position(|x| x == id).unwrap_or_else(|| panic!("no step {id} in {ids:?}"))
}

#[test]
fn legal_threat_escalates_first_and_keeps_the_reply_off_the_merits() {
    let mut c = case("billing");
    c.signals = vec!["legal".into()];
    let steps = plan(&c, &review());
    let ids: Vec<String> = steps.iter().map(|s| s.id.clone()).collect();
    let esc = pos(&ids, "legal_escalation");
    assert!(esc < pos(&ids, "apologise"), "escalate before replying: {ids:?}");
    let step = &steps[esc];
    assert_eq!(step.stage, "reconnaissance");
    assert!(step.detail.contains("off the merits"), "{}", step.detail);
    assert!(step.cites.contains(&"000.2".to_string()));
    assert!(!self::ids(&case("billing"), &review()).contains(&"legal_escalation".to_string()));
}

#[test]
fn a_repeated_demand_after_a_fair_offer_ends_in_disengaging() {
    let c = case("refund_or_cancellation");
    let input = PlanInput { repeated_demand: true, ..review() };
    let ids = ids(&c, &input);
    assert!(pos(&ids, "agree_solution") < pos(&ids, "disengage"));
    let d = plan(&c, &input).into_iter().find(|s| s.id == "disengage").unwrap();
    assert_eq!(d.cites, ["002.6"]);
    assert!(!self::ids(&c, &review()).contains(&"disengage".to_string()));
}

#[test]
fn a_damaged_product_gets_apology_replacement_and_a_gesture_only_if_allowed() {
    let c = case("damaged_or_defective");
    let allowed = PlanInput { compensation_allowed: true, ..review() };
    let with = ids(&c, &allowed);
    for id in ["apologise", "replace_or_refund", "small_gesture"] {
        pos(&with, id);
    }
    assert!(pos(&with, "apologise") < pos(&with, "replace_or_refund"));
    let without = ids(&c, &review());
    assert!(without.contains(&"replace_or_refund".to_string()) && !without.contains(&"small_gesture".to_string()), "{without:?}");
    let gesture = plan(&c, &allowed).into_iter().find(|s| s.id == "small_gesture").unwrap();
    assert!(gesture.sources.contains(&"001".to_string()) && gesture.sources.contains(&"003".to_string()), "{:?}", gesture.sources);
}

#[test]
fn always_a_follow_up_and_on_review_sites_an_invitation_to_update() {
    for category in ["delivery", "technical", "customer_service"] {
        let c = case(category);
        let on_review = ids(&c, &review());
        assert!(pos(&on_review, "follow_up") < pos(&on_review, "invite_review_update"));
        let on_social = ids(&c, &PlanInput { platform_kind: "social", ..review() });
        pos(&on_social, "follow_up");
        assert!(!on_social.contains(&"invite_review_update".to_string()), "{on_social:?}");
    }
}

#[test]
fn time_pressure_is_stated_and_an_old_complaint_owns_the_wait() {
    let c = case("delivery");
    let fresh = plan(&c, &review());
    let fast = fresh.iter().find(|s| s.id == "reply_fast").expect("reply_fast");
    assert!(fast.title.contains("157"), "{}", fast.title);
    assert!(!fresh.iter().any(|s| s.id == "late_reply"));
    let old = plan(&c, &PlanInput { age_minutes: Some(3 * 24 * 60 + 5), ..review() });
    let late = old.iter().find(|s| s.id == "late_reply").expect("late_reply for a 3-day-old complaint");
    assert!(late.title.contains("3 days"), "{}", late.title);
}

#[test]
fn bad_faith_states_the_policy_and_offers_no_gesture() {
    let mut c = case("delivery");
    c.bad_faith = true;
    let input = PlanInput { compensation_allowed: true, ..review() };
    let ids = ids(&c, &input);
    pos(&ids, "state_policy");
    assert!(!ids.iter().any(|x| x == "small_gesture" || x == "invite_review_update"), "{ids:?}");
}

#[test]
fn every_step_names_its_seeds_and_stages_are_in_order() {
    let order = ["reconnaissance", "interaction", "resolution", "closing"];
    let mut c = case("safety_or_health");
    c.signals = vec!["safety".into(), "legal".into()];
    c.severity = "critical".into();
    let steps = plan(&c, &PlanInput { compensation_allowed: true, repeated_demand: true, age_minutes: Some(5000), ..review() });
    let stages: Vec<usize> = steps.iter().map(|s| order.iter().position(|o| *o == s.stage).unwrap()).collect();
    assert!(stages.windows(2).all(|w| w[0] <= w[1]), "stages out of order: {stages:?}");
    for s in &steps {
        assert!(!s.sources.is_empty() && s.cites.iter().all(|c| s.sources.iter().any(|f| c.starts_with(f.as_str()))), "{}: {:?} {:?}", s.id, s.sources, s.cites);
        assert!(!s.title.contains('{') && !s.detail.contains('{'), "{}: unfilled variable", s.id);
    }
}

#[test]
fn from_text_to_plan_legal_threat_in_portuguese() {
    let a = analyze_text("Fui cobrado duas vezes e ninguém resolve. Já falei com meu advogado e vou abrir reclamação no Procon.", Some("reclameaqui"), &Settings::default()).unwrap();
    let ids: Vec<&str> = a.steps.iter().map(|s| s.id.as_str()).collect();
    assert!(ids.contains(&"legal_escalation"), "{ids:?}");
}

#[test]
fn the_brands_own_wording_replaces_a_template_slot_in_that_language_only() {
    let text = "O produto chegou quebrado e ninguém responde. Quero o reembolso.";
    let plain = calmly::analyze_text(text, Some("web"), &calmly::Settings::default()).unwrap();
    let mut settings = calmly::Settings::default();
    let mut pt = std::collections::BTreeMap::new();
    pt.insert("apology".to_string(), "Sentimos muito por isso, de verdade.".to_string());
    pt.insert("private.details".to_string(), "Mande o número do pedido, por favor.".to_string());
    pt.insert("no_such_slot".to_string(), "ignorado".to_string());
    settings.templates.insert("pt".into(), pt.clone());
    let custom = calmly::analyze_text(text, Some("web"), &settings).unwrap();
    assert!(!plain.draft.text.contains("Sentimos muito por isso, de verdade."));
    assert!(custom.draft.text.contains("Sentimos muito por isso, de verdade."), "{}", custom.draft.text);
    assert!(custom.draft.private.contains("Mande o número do pedido, por favor."), "{}", custom.draft.private);
    assert!(!custom.draft.text.contains("ignorado"));
    // Another language's complaint keeps the standard wording.
    let en = calmly::analyze_text("The parcel arrived broken and nobody answers. I want a refund.", Some("web"), &settings).unwrap();
    assert!(!en.draft.text.contains("Sentimos"));
}
