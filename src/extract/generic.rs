//! Reviews and comments on pages no site adapter covers, natively: the same three rules as
//! `extension/generic.js` (schema.org microdata, then JSON-LD texts microdata did not give,
//! then — only when asked — the comment-list heuristic).

use std::collections::{HashMap, HashSet};

use scraper::{ElementRef, Html, Selector};
use serde_json::Value;

use crate::engine::text::squash_whitespace;
use crate::engine::SnapshotItem;

use super::{first_number, visible_text};

const MAX_TEXT: usize = 5000;
const TYPES: [&str; 5] = ["Review", "Comment", "UserComments", "CriticReview", "EmployerReview"];

fn is_review_type(t: &str) -> bool {
    TYPES.iter().any(|ty| t == *ty || t.ends_with(&format!("/{ty}")))
}

fn clip(s: String) -> String {
    if s.chars().count() > MAX_TEXT {
        s.chars().take(MAX_TEXT).collect()
    } else {
        s
    }
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).expect("static selector")
}

/// An itemprop's value inside `scope`: content/datetime attribute first, else the text.
fn prop<'a>(scope: ElementRef<'a>, name: &str) -> Option<(ElementRef<'a>, String)> {
    let s = Selector::parse(&format!("[itemprop~=\"{name}\"]")).ok()?;
    scope.select(&s).find_map(|e| {
        let v = e.value().attr("content").or(e.value().attr("datetime")).map(str::to_string).unwrap_or_else(|| visible_text(e));
        let v = squash_whitespace(&v);
        (!v.is_empty()).then_some((e, v))
    })
}

fn microdata(doc: &Html) -> Vec<SnapshotItem> {
    let mut out = Vec::new();
    for el in doc.select(&sel("[itemtype]")) {
        if !el.value().attr("itemtype").unwrap_or("").split_whitespace().any(is_review_type) {
            continue;
        }
        let Some((_, text)) = prop(el, "reviewBody").or_else(|| prop(el, "text")).or_else(|| prop(el, "commentText")).or_else(|| prop(el, "description")) else {
            continue;
        };
        let author = prop(el, "author").map(|(a, v)| prop(a, "name").map_or(v, |n| n.1));
        let rating = prop(el, "ratingValue").and_then(|r| first_number(&r.1));
        let best = prop(el, "bestRating").and_then(|r| first_number(&r.1));
        out.push(SnapshotItem {
            text: clip(text),
            title: prop(el, "headline").map(|h| h.1),
            author,
            rating,
            rating_max: rating.map(|_| best.unwrap_or(5.0)),
            date: prop(el, "datePublished").or_else(|| prop(el, "dateCreated")).map(|d| d.1),
            ..Default::default()
        });
    }
    out
}

fn json_ld(doc: &Html) -> Vec<SnapshotItem> {
    fn types(o: &serde_json::Map<String, Value>) -> Vec<String> {
        match o.get("@type") {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(a)) => a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
            _ => vec![],
        }
    }
    fn name(a: &Value) -> Option<String> {
        match a {
            Value::String(s) => Some(s.clone()),
            Value::Array(v) => v.first().and_then(name),
            Value::Object(o) => o.get("name").and_then(|n| n.as_str()).map(str::to_string),
            _ => None,
        }
    }
    fn number(v: Option<&Value>) -> Option<f32> {
        match v? {
            Value::Number(n) => n.as_f64().map(|f| f as f32),
            Value::String(s) => first_number(s),
            _ => None,
        }
    }
    fn walk(v: &Value, depth: usize, visited: &mut usize, out: &mut Vec<SnapshotItem>) {
        *visited += 1;
        if depth > 20 || *visited > 20_000 {
            return;
        }
        match v {
            Value::Array(a) => a.iter().for_each(|x| walk(x, depth + 1, visited, out)),
            Value::Object(o) => {
                if types(o).iter().any(|t| is_review_type(t)) {
                    let text = ["reviewBody", "text", "description"].iter().find_map(|k| o.get(*k).filter(|v| !v.is_null()));
                    let text = text.map(|t| squash_whitespace(&t.as_str().map_or_else(|| t.to_string(), str::to_string))).unwrap_or_default();
                    if !text.is_empty() {
                        let r = o.get("reviewRating").and_then(|r| r.as_object());
                        let rating = r.and_then(|r| number(r.get("ratingValue")));
                        let title = ["name", "headline"].iter().find_map(|k| o.get(*k).and_then(|v| v.as_str())).map(squash_whitespace).filter(|s| !s.is_empty());
                        out.push(SnapshotItem {
                            text: clip(text),
                            title,
                            author: o.get("author").and_then(name).map(|a| squash_whitespace(&a)).filter(|s| !s.is_empty()),
                            rating,
                            rating_max: rating.map(|_| r.and_then(|r| number(r.get("bestRating"))).unwrap_or(5.0)),
                            date: o.get("datePublished").and_then(|d| d.as_str()).map(str::to_string),
                            ..Default::default()
                        });
                    }
                }
                for (k, x) in o {
                    if k != "@context" {
                        walk(x, depth + 1, visited, out);
                    }
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    let mut visited = 0;
    for s in doc.select(&sel("script[type='application/ld+json']")) {
        if let Ok(v) = serde_json::from_str::<Value>(&s.text().collect::<String>()) {
            walk(&v, 0, &mut visited, &mut out);
        }
    }
    out
}

fn hint(s: &str) -> bool {
    let s = s.to_lowercase();
    ["comment", "review", "reply", "opinion", "avalia", "opini", "recenz", "coment", "resen", "reseñ", "testimon"].iter().any(|h| s.contains(h))
}

fn text_of(el: ElementRef) -> String {
    let ps: Vec<String> = el.select(&sel("p")).map(visible_text).collect();
    squash_whitespace(&if ps.is_empty() { visible_text(el) } else { ps.join(" ") })
}

fn heuristic(doc: &Html) -> Vec<SnapshotItem> {
    let mut best: Option<(Vec<String>, usize)> = None;
    for parent in doc.select(&sel("[id],[class]")) {
        let v = parent.value();
        if !hint(&format!("{} {}", v.attr("id").unwrap_or(""), v.attr("class").unwrap_or(""))) {
            continue;
        }
        let mut groups: Vec<(String, Vec<ElementRef>)> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        for c in parent.children().filter_map(ElementRef::wrap) {
            // Same tag and first class: WordPress alternates "comment even" / "comment odd".
            let first_class = c.value().attr("class").unwrap_or("").split_whitespace().next().unwrap_or("");
            let key = format!("{}.{first_class}", c.value().name().to_uppercase());
            let i = *index.entry(key.clone()).or_insert_with(|| {
                groups.push((key, Vec::new()));
                groups.len() - 1
            });
            groups[i].1.push(c);
        }
        for (_, members) in groups {
            if members.len() < 2 {
                continue;
            }
            let texts: Vec<String> = members.iter().map(|m| text_of(*m)).collect();
            if !texts.iter().all(|t| t.chars().count() >= 30 && t.split(' ').count() >= 5) {
                continue;
            }
            let size: usize = texts.iter().map(|t| t.chars().count()).sum();
            let better = match &best {
                None => true,
                Some((b, bsize)) => texts.len() > b.len() || (texts.len() == b.len() && size > *bsize),
            };
            if better {
                best = Some((texts, size));
            }
        }
    }
    best.map(|(texts, _)| texts.into_iter().map(|t| SnapshotItem { text: clip(t), ..Default::default() }).collect()).unwrap_or_default()
}

/// Items on a page without an adapter. `heuristics`: also guess comment lists (the user
/// asked for this page; schema.org markup alone never needs asking).
pub fn generic_items(doc: &Html, heuristics: bool) -> Vec<SnapshotItem> {
    let mut found = microdata(doc);
    let mut texts: HashSet<String> = found.iter().map(|i| i.text.clone()).collect();
    for item in json_ld(doc) {
        if texts.insert(item.text.clone()) {
            found.push(item);
        }
    }
    if found.is_empty() && heuristics {
        found = heuristic(doc);
    }
    found
}
