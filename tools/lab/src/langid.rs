//! Language ID side by side: ours, lingua, whatlang and franc (npm, through node), all
//! restricted to the same eight languages and timed on the same texts. Model loading and
//! process start are outside the timed loop; franc is timed inside node. Each detector
//! first sees a few texts untimed (warm-up), then every text once, one thread.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::ours;

/// The languages every detector is restricted to (ISO 639-1).
pub const LANGS: [&str; 8] = ["pt", "es", "pl", "ro", "en", "it", "fr", "de"];

/// Texts of the warm-up, not timed.
const WARM_UP: usize = 20;

/// One detector's answers on the texts, in order, and the time the loop took.
#[derive(Debug, Clone)]
pub struct Run {
    pub name: &'static str,
    /// ISO 639-1 code or "und", one per text; empty when the detector was not available.
    pub preds: Vec<String>,
    pub seconds: f64,
    /// Why the detector did not run.
    pub unavailable: Option<String>,
}

impl Run {
    pub fn texts_per_second(&self) -> f64 {
        if self.seconds > 0.0 {
            self.preds.len() as f64 / self.seconds
        } else {
            f64::INFINITY
        }
    }

    /// Microseconds per KB (1024 bytes of UTF-8).
    pub fn us_per_kb(&self, bytes: usize) -> f64 {
        self.seconds * 1e6 / (bytes as f64 / 1024.0)
    }
}

fn timed(name: &'static str, texts: &[&str], mut f: impl FnMut(&str) -> String) -> Run {
    for t in texts.iter().take(WARM_UP) {
        std::hint::black_box(f(t));
    }
    let start = Instant::now();
    let preds: Vec<String> = texts.iter().map(|t| f(t)).collect();
    Run { name, preds, seconds: start.elapsed().as_secs_f64(), unavailable: None }
}

pub fn run_ours(texts: &[&str]) -> Run {
    if let Err(e) = ours::warm_up() {
        return Run { name: "ours", preds: vec![], seconds: 0.0, unavailable: Some(e) };
    }
    timed("ours", texts, ours::ours_language)
}

pub fn run_lingua(texts: &[&str]) -> Run {
    use lingua::{Language, LanguageDetectorBuilder};
    let langs = [
        Language::Portuguese,
        Language::Spanish,
        Language::Polish,
        Language::Romanian,
        Language::English,
        Language::Italian,
        Language::French,
        Language::German,
    ];
    let detector = LanguageDetectorBuilder::from_languages(&langs).with_preloaded_language_models().build();
    timed("lingua", texts, |t| detector.detect_language_of(t).map_or_else(|| "und".to_string(), |l| l.iso_code_639_1().to_string()))
}

pub fn run_whatlang(texts: &[&str]) -> Run {
    use whatlang::{Detector, Lang};
    let detector = Detector::with_allowlist(vec![Lang::Por, Lang::Spa, Lang::Pol, Lang::Ron, Lang::Eng, Lang::Ita, Lang::Fra, Lang::Deu]);
    timed("whatlang", texts, |t| detector.detect_lang(t).map_or_else(|| "und".to_string(), |l| iso3_to_1(l.code()).to_string()))
}

/// ISO 639-3 → 639-1 for the eight languages; anything else is "und".
pub fn iso3_to_1(code: &str) -> &'static str {
    match code {
        "por" => "pt",
        "spa" => "es",
        "pol" => "pl",
        "ron" | "rum" => "ro",
        "eng" => "en",
        "ita" => "it",
        "fra" | "fre" => "fr",
        "deu" | "ger" => "de",
        _ => "und",
    }
}

/// franc through `node tools/lab/franc.mjs`: texts go in as a JSON array in a file, the
/// answers (ISO 639-3) and node's own timing of the loop come back as JSON.
pub fn run_franc(texts: &[&str], script: &Path) -> Run {
    let unavailable = |why: String| Run { name: "franc", preds: vec![], seconds: 0.0, unavailable: Some(why) };
    let input = std::env::temp_dir().join(format!("calmly-lab-franc-{}.json", std::process::id()));
    let json = serde_json::to_string(texts).expect("strings serialise");
    if let Err(e) = std::fs::write(&input, json) {
        return unavailable(format!("cannot write {}: {e}", input.display()));
    }
    let out = Command::new("node").arg(script).arg(&input).arg(WARM_UP.to_string()).stdin(Stdio::null()).stderr(Stdio::piped()).output();
    let _ = std::fs::remove_file(&input);
    let out = match out {
        Ok(o) => o,
        Err(e) => return unavailable(format!("node: {e}")),
    };
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let first = err.lines().find(|l| l.contains("Error")).unwrap_or_else(|| err.lines().next().unwrap_or(""));
        return unavailable(format!("franc.mjs failed ({}): {first} — run `npm install` at the repository root", out.status));
    }
    let v: serde_json::Value = match serde_json::from_slice(&out.stdout) {
        Ok(v) => v,
        Err(e) => return unavailable(format!("franc.mjs printed no JSON: {e}")),
    };
    let preds: Vec<String> = v["preds"].as_array().map(|a| a.iter().map(|p| iso3_to_1(p.as_str().unwrap_or("und")).to_string()).collect()).unwrap_or_default();
    if preds.len() != texts.len() {
        return unavailable(format!("franc.mjs answered {} of {} texts", preds.len(), texts.len()));
    }
    let _ = std::io::stderr().flush();
    Run { name: "franc", preds, seconds: v["seconds"].as_f64().unwrap_or(0.0), unavailable: None }
}

/// Every detector on the same texts, in table order.
pub fn run_all(texts: &[&str], franc_script: &Path) -> Vec<Run> {
    vec![run_ours(texts), run_lingua(texts), run_whatlang(texts), run_franc(texts, franc_script)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_codes() {
        assert_eq!(iso3_to_1("por"), "pt");
        assert_eq!(iso3_to_1("ron"), "ro");
        assert_eq!(iso3_to_1("und"), "und");
        assert_eq!(iso3_to_1("nld"), "und");
    }

    #[test]
    fn rust_detectors_agree_on_plain_text() {
        let texts = ["Comprei há duas semanas e até hoje não recebi o pedido, ninguém responde.", "I was charged twice and nobody answers my emails at all."];
        for run in [run_lingua(&texts), run_whatlang(&texts)] {
            assert_eq!(run.preds, ["pt", "en"], "{}", run.name);
        }
    }
}
