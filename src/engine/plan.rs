//! The response plan for one complaint: the steps of `data/plan.toml` whose conditions
//! hold, in file order, each naming the seeds it comes from.

use super::classify::{severity_rank, Classification};
use super::knowledge::{PlanStep, When};
use super::types::Step;

/// What the plan needs to know besides the classification.
#[derive(Debug, Clone, Default)]
pub struct PlanInput<'a> {
    /// review_site | social | marketplace | app_store
    pub platform_kind: &'a str,
    pub compensation_allowed: bool,
    /// The customer repeated a demand after a fair offer was made (from the case history).
    pub repeated_demand: bool,
    /// Minutes since the complaint was posted, when known.
    pub age_minutes: Option<u32>,
    /// Values for `{category_label}`, `{deadline}`, `{channel}` in step details.
    pub category_label: &'a str,
    pub deadline: &'a str,
    pub channel: &'a str,
}

fn any_of(list: &Option<Vec<String>>, pred: impl Fn(&str) -> bool) -> bool {
    list.as_ref().is_none_or(|l| l.iter().any(|x| pred(x)))
}

fn holds(w: &When, c: &Classification, input: &PlanInput) -> bool {
    any_of(&w.categories, |x| x == c.category)
        && w.min_severity.as_ref().is_none_or(|m| severity_rank(&c.severity) >= severity_rank(m))
        && any_of(&w.signals, |x| c.signals.iter().any(|s| s == x))
        && any_of(&w.intents, |x| c.intents.iter().any(|s| s == x))
        && w.bad_faith.is_none_or(|b| b == c.bad_faith)
        && w.not_bad_faith.is_none_or(|b| b != c.bad_faith)
        && any_of(&w.platform_kinds, |x| x == input.platform_kind)
        && w.repeated_demand.is_none_or(|b| b == input.repeated_demand)
        && w.compensation_allowed.is_none_or(|b| b == input.compensation_allowed)
        && w.min_age_minutes.is_none_or(|m| input.age_minutes.is_some_and(|a| a >= m))
}

pub fn build(steps: &[PlanStep], c: &Classification, input: &PlanInput) -> Vec<Step> {
    steps
        .iter()
        .filter(|s| holds(&s.when, c, input))
        .map(|s| {
            let fill = |t: &str| {
                t.replace("{category_label}", input.category_label)
                    .replace("{deadline}", input.deadline)
                    .replace("{channel}", input.channel)
                    .replace("{age}", &input.age_minutes.map(age_words).unwrap_or_default())
            };
            let mut sources: Vec<String> = s.sources.iter().map(|id| id.split('.').next().unwrap_or(id).to_string()).collect();
            sources.sort();
            sources.dedup();
            Step {
                id: s.id.clone(),
                stage: s.stage.clone(),
                title: fill(&s.title),
                detail: fill(&s.detail),
                sources,
                cites: s.sources.clone(),
            }
        })
        .collect()
}

/// "3 days", "5 hours", "40 minutes".
pub fn age_words(minutes: u32) -> String {
    let (n, unit) = match minutes {
        m if m >= 2 * 24 * 60 => (m / (24 * 60), "days"),
        m if m >= 24 * 60 => (1, "day"),
        m if m >= 120 => (m / 60, "hours"),
        m if m >= 60 => (1, "hour"),
        m => (m, if m == 1 { "minute" } else { "minutes" }),
    };
    format!("{n} {unit}")
}
