//! `calmly-train`: trains the engine's compact models from `../shared/data` and writes
//! them to `data/models/` (compiled into the engine by `build.rs`).
//!
//! Reproducible: the samples, their order and every random choice come from fixed seeds,
//! so the same data gives byte-identical models. Only the Train split is used; the Test
//! split is what `calmly-lab eval` measures on.
//!
//! ```text
//! CARGO_TARGET_DIR=/tmp/target-lab cargo run --release -p calmly-lab --bin calmly-train [-- --out data/models]
//! ```
//! The features are the engine's own (`Engine::model_features`), computed by an engine
//! built without models, so training and use read texts identically.

use std::collections::BTreeMap;
use std::path::PathBuf;

use calmly::engine::lang::{ngram_features, DRAFT_LANGUAGES};
use calmly::engine::model::{Features, Linear};
use calmly::engine::text::tokenize;
use calmly::engine::{Engine, MODEL_CATEGORIES};
use calmly_lab::data::{load_all, Sample, Split};
use calmly_lab::metrics::Confusion;

/// Hash bits of each model: 2^16 complaint weights, 2^13 per category class. Chosen for
/// size (i8 weights: 64 KB + 80 KB raw) over the last fraction of a point.
const COMPLAINT_BITS: u32 = 16;

const CATEGORY_BITS: u32 = 11;
/// 2^14 buckets per language for the character n-grams (5 × 16 KB).
const LANGUAGE_BITS: u32 = 14;
/// The language model's weights are rounded to ±31 steps (stored as i8): 53 KB gzipped
/// instead of 70 KB at ±127, with the same language-ID accuracy on texts of 20+ characters
/// (session 7: ±127, ±31 and ±15 steps give 0.993, 0.993 and 0.992 over all languages).
const LANGUAGE_LEVELS: f32 = 31.0;
/// Hyper-parameters tried for each trained model, chosen on a validation fifth of the
/// Train split (never on Test): (epochs, L2).
const GRID: [(usize, f32); 6] = [(4, 1e-6), (4, 1e-5), (4, 1e-4), (10, 1e-6), (10, 1e-5), (10, 1e-4)];

/// A small deterministic generator (xorshift64*), for shuffling.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545F4914F6CDD1D)
    }

    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}

#[derive(Clone)]
struct Example {
    features: Features,
    class: usize,
    weight: f32,
    /// The group it was balanced in ("pt:true"), for the per-group validation score.
    group: String,
    /// In the validation fifth of Train (by a hash of the text, independent of the split).
    validation: bool,
}

/// The mean over languages of the F1 (binary) or accuracy (multi-class) on the validation
/// examples.
fn validate(m: &Linear, examples: &[Example]) -> f32 {
    let mut per_lang: BTreeMap<&str, (f32, f32, f32, f32)> = BTreeMap::new(); // tp, fp, fn, correct/n
    let mut counts: BTreeMap<&str, f32> = BTreeMap::new();
    for ex in examples.iter().filter(|e| e.validation) {
        let lang = ex.group.split(':').next().unwrap_or("");
        let s = m.scores(&ex.features);
        let e = per_lang.entry(lang).or_default();
        *counts.entry(lang).or_default() += 1.0;
        if m.classes == 1 {
            let yes = s[0] > 0.0;
            match (yes, ex.class == 1) {
                (true, true) => e.0 += 1.0,
                (true, false) => e.1 += 1.0,
                (false, true) => e.2 += 1.0,
                _ => {}
            }
        } else {
            let best = (0..s.len()).max_by(|&a, &b| s[a].total_cmp(&s[b])).unwrap_or(0);
            e.3 += f32::from(best == ex.class);
        }
    }
    let scores: Vec<f32> = per_lang
        .iter()
        .map(|(l, e)| if m.classes == 1 { 2.0 * e.0 / (2.0 * e.0 + e.1 + e.2).max(1.0) } else { e.3 / counts[l] })
        .collect();
    scores.iter().sum::<f32>() / scores.len().max(1) as f32
}

/// Picks the grid point with the best validation score, then trains on all of Train.
fn select_and_train(name: &str, examples: &mut Vec<Example>, classes: usize, bits: u32, seed: u64) -> (Linear, (usize, f32)) {
    let mut best = (GRID[0], f32::MIN);
    for &g in &GRID {
        let mut fit: Vec<Example> = Vec::new();
        let mut val: Vec<Example> = Vec::new();
        for ex in examples.drain(..) {
            if ex.validation { val.push(ex) } else { fit.push(ex) }
        }
        let m = train(&mut fit, classes, bits, g, 0.1, seed);
        let score = validate(&m, &val);
        eprintln!("  {name}: epochs {} l2 {:e}: validation {score:.4}", g.0, g.1);
        if score > best.1 {
            best = (g, score);
        }
        examples.extend(fit);
        examples.extend(val);
        // Same order for every grid point, whatever the shuffles did.
        examples.sort_by(|a, b| a.group.cmp(&b.group).then(a.features.len().cmp(&b.features.len())).then_with(|| a.features.iter().map(|f| f.0).cmp(b.features.iter().map(|f| f.0))));
    }
    eprintln!("  {name}: chose epochs {} l2 {:e}", best.0 .0, best.0 .1);
    (train(examples, classes, bits, best.0, 0.1, seed), best.0)
}

/// Softmax/logistic regression by Adagrad with L2, on hashed features. `classes == 1`
/// is the binary (logistic) case with `class` 0/1.
fn train(examples: &mut [Example], classes: usize, bits: u32, (epochs, l2): (usize, f32), lr: f32, seed: u64) -> Linear {
    let size = 1usize << bits;
    let mask = (size - 1) as u32;
    let k = classes;
    let mut w = vec![0f32; k * size];
    let mut g2 = vec![1e-6f32; k * size];
    let mut b = vec![0f32; k];
    let mut gb = vec![1e-6f32; k];
    let mut rng = Rng(seed);
    for _ in 0..epochs {
        rng.shuffle(examples);
        for ex in examples.iter() {
            let mut s = b.clone();
            for &(h, v) in &ex.features {
                let i = (h & mask) as usize;
                for (c, sc) in s.iter_mut().enumerate() {
                    *sc += w[c * size + i] * v;
                }
            }
            // Gradient of the loss w.r.t. each class score.
            let grad: Vec<f32> = if k == 1 {
                let p = 1.0 / (1.0 + (-s[0]).exp());
                vec![p - ex.class as f32]
            } else {
                let m = s.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                let e: Vec<f32> = s.iter().map(|x| (x - m).exp()).collect();
                let z: f32 = e.iter().sum();
                e.iter().enumerate().map(|(c, x)| x / z - if c == ex.class { 1.0 } else { 0.0 }).collect()
            };
            for (c, gc) in grad.iter().enumerate() {
                let gc = gc * ex.weight;
                if gc == 0.0 {
                    continue;
                }
                for &(h, v) in &ex.features {
                    let i = c * size + (h & mask) as usize;
                    let g = gc * v + l2 * w[i];
                    g2[i] += g * g;
                    w[i] -= lr * g / g2[i].sqrt();
                }
                gb[c] += gc * gc;
                b[c] -= lr * gc / gb[c].sqrt();
            }
        }
    }
    // Quantise to i8 with one scale: small weights become 0, which also compresses well.
    let max = w.iter().fold(0f32, |m, x| m.max(x.abs())).max(1e-6);
    let scale = max / 127.0;
    let weights = w.iter().map(|x| (x / scale).round().clamp(-127.0, 127.0) as i8).collect();
    Linear::new(k, bits, scale, b, weights)
}

/// Multinomial naive Bayes over character n-grams: per language, the smoothed log
/// probability of each bucket, centred across languages (argmax unchanged; i8 keeps more
/// precision). Every language's texts count equally (no prior).
fn train_language(samples: &[&Sample]) -> Linear {
    let size = 1usize << LANGUAGE_BITS;
    let mask = (size - 1) as u32;
    let k = DRAFT_LANGUAGES.len();
    let mut counts = vec![0f64; k * size];
    let mut totals = vec![0f64; k];
    for s in samples {
        let Some(l) = DRAFT_LANGUAGES.iter().position(|x| *x == s.lang) else { continue };
        let text = s.full_text();
        for (h, v) in ngram_features(&text, &tokenize(&text)) {
            counts[l * size + (h & mask) as usize] += v as f64;
            totals[l] += v as f64;
        }
    }
    let alpha = 0.5;
    let mut w = vec![0f32; k * size];
    for i in 0..size {
        let logs: Vec<f64> = (0..k).map(|l| ((counts[l * size + i] + alpha) / (totals[l] + alpha * size as f64)).ln()).collect();
        let mean = logs.iter().sum::<f64>() / k as f64;
        for l in 0..k {
            w[l * size + i] = (logs[l] - mean) as f32;
        }
    }
    let max = w.iter().fold(0f32, |m, x| m.max(x.abs())).max(1e-6);
    let scale = max / LANGUAGE_LEVELS;
    Linear::new(k, LANGUAGE_BITS, scale, vec![0.0; k], w.iter().map(|x| (x / scale).round().clamp(-127.0, 127.0) as i8).collect())
}

/// Each group gets the same total weight. Complaint groups are (language, source, label):
/// short tweets and short reviews are not drowned by long Reclame Aqui or CFPB complaints.
fn balance(groups: &[String]) -> Vec<f32> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for g in groups {
        *counts.entry(g).or_default() += 1;
    }
    let n = groups.len() as f32;
    let k = counts.len() as f32;
    groups.iter().map(|g| n / (k * counts[g.as_str()] as f32)).collect()
}

/// How the engine's mix of category model and lexicon (`classify::mix_category`) scores
/// on the validation fifth of Train, for a grid of mixes: in domain (the model trained on
/// the other four fifths of every sector) and across sectors (trained without the sector
/// it is measured on). Mean macro-F1 over pt and en (over the sector's language when
/// across sectors).
fn mix_table(with_cat: &[(&Sample, usize)], evidence: &[Vec<(String, f32)>], examples: &[Example], grid: (usize, f32)) {
    use calmly::engine::classify::{mix_category, CategoryMix, CATEGORY_MIX};
    let sectors = ["banks", "health", "finance"];
    let scenarios: Vec<(String, Option<&str>)> = std::iter::once(("in domain".to_string(), None)).chain(sectors.iter().map(|s| (format!("without {s} → {s}"), Some(*s)))).collect();
    let weights = [0.0f32, 0.35, 0.7, 1.4, 2.8];
    let sure = [0.0f32, 0.4, 0.6, 0.8, 1.01];
    println!("category mix on validation (macro-F1; rows: lexicon weight, columns: model_sure {sure:?}; engine: {CATEGORY_MIX:?})");
    for (name, held) in &scenarios {
        let sector_of = |i: usize| calmly_lab::data::sector(with_cat[i].0.source);
        let mut fit: Vec<Example> = (0..examples.len()).filter(|&i| !examples[i].validation && held.map_or(true, |h| sector_of(i) != h)).map(|i| examples[i].clone()).collect();
        let val: Vec<usize> = (0..examples.len()).filter(|&i| examples[i].validation && held.map_or(true, |h| sector_of(i) == h)).collect();
        let m = train(&mut fit, MODEL_CATEGORIES.len(), CATEGORY_BITS, grid, 0.1, 0x5eed_0002);
        let probs: Vec<Vec<f32>> = val.iter().map(|&i| calmly::engine::model::softmax(&m.scores(&examples[i].features))).collect();
        println!("  {name} (fit {}, validation {})", fit.len(), val.len());
        for &lw in &weights {
            let mut row = format!("    {lw:4}:");
            for &ms in &sure {
                let mix = CategoryMix { lexicon_weight: lw, model_sure: ms };
                let mut per_lang: BTreeMap<&str, (Vec<String>, Vec<String>)> = BTreeMap::new();
                for (k, &i) in val.iter().enumerate() {
                    let raw: BTreeMap<&str, f32> = evidence[i].iter().map(|(c, v)| (c.as_str(), *v)).collect();
                    let (cat, _) = mix_category(&probs[k], &raw, true, mix);
                    let e = per_lang.entry(with_cat[i].0.lang).or_default();
                    e.0.push(MODEL_CATEGORIES[with_cat[i].1].to_string());
                    e.1.push(cat.to_string());
                }
                let f: Vec<f64> = per_lang.values().map(|(g, p)| calmly_lab::metrics::macro_f1(g, p).macro_f1).collect();
                row += &format!(" {:.3}", f.iter().sum::<f64>() / f.len().max(1) as f64);
            }
            println!("{row}");
        }
    }
}

/// The Test samples with a category the model has, with their features (computed once).
fn category_tests<'a>(tests: &'a [Sample], e: &Engine) -> Vec<(&'a Sample, Features)> {
    tests.iter().filter(|s| s.category.as_deref().is_some_and(|c| MODEL_CATEGORIES.contains(&c))).map(|s| (s, e.model_features(&s.full_text()).1)).collect()
}

/// A category model's argmax answers on one language's Test samples, scored.
fn category_on_test(m: &Linear, test: &[(&Sample, Features)], lang: &str) -> calmly_lab::metrics::MacroF1 {
    let (mut gold, mut pred) = (Vec::new(), Vec::new());
    for (s, f) in test.iter().filter(|(s, _)| s.lang == lang) {
        let sc = m.scores(f);
        let best = (0..sc.len()).max_by(|&a, &b| sc[a].total_cmp(&sc[b])).unwrap_or(0);
        gold.push(s.category.clone().unwrap_or_default());
        pred.push(MODEL_CATEGORIES[best].to_string());
    }
    calmly_lab::metrics::macro_f1(&gold, &pred)
}

/// The category model alone on the Test split, trained on a growing share of its Train
/// examples (the same grid point), and once with 8 times the hash buckets: whether more
/// labels or more weights would lift it. A share is a stable choice by position in the
/// shuffled training order, so each larger share holds the smaller one.
fn learning_curve(examples: &[Example], test: &[(&Sample, Features)], grid: (usize, f32)) {
    println!("category learning curve (model alone, Test; mF1 = macro-F1 over classes with ≥ 5 test samples)");
    println!("  {:>6} {:>5} {:>6} | {}", "share", "bits", "train", calmly::engine::CATEGORY_MODEL_LANGUAGES.iter().map(|l| format!("{l}: macro-F1 mF1(≥5) acc.")).collect::<Vec<_>>().join(" | "));
    for (share, bits) in [(8, CATEGORY_BITS), (4, CATEGORY_BITS), (2, CATEGORY_BITS), (1, CATEGORY_BITS), (1, CATEGORY_BITS + 3)] {
        let mut fit: Vec<Example> = examples.iter().enumerate().filter(|(i, _)| i % share == 0).map(|(_, x)| x.clone()).collect();
        let n = fit.len();
        let m = train(&mut fit, MODEL_CATEGORIES.len(), bits, grid, 0.1, 0x5eed_0002);
        let mut cells = Vec::new();
        for lang in calmly::engine::CATEGORY_MODEL_LANGUAGES {
            let r = category_on_test(&m, test, lang);
            let big: Vec<f64> = r.per_class.values().filter(|v| v.1 >= 5).map(|v| v.0).collect();
            cells.push(format!("{lang}: {:.3} {:.3} {:.3}", r.macro_f1, big.iter().sum::<f64>() / big.len().max(1) as f64, r.accuracy));
        }
        println!("  {:>5}% {bits:>5} {n:>6} | {}", 100 / share, cells.join(" | "));
    }
}

fn main() {
    let mut out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/models");
    let mut report = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--out" => out = PathBuf::from(args.next().expect("--out DIR")),
            "--report" => report = true,
            _ => {
                eprintln!("usage: calmly-train [--out DIR] [--report]");
                std::process::exit(2);
            }
        }
    }
    let t0 = std::time::Instant::now();
    let everything: Vec<Sample> = load_all().expect("load data");
    let (samples, tests): (Vec<Sample>, Vec<Sample>) = everything.into_iter().partition(|s| s.split == Split::Train);
    eprintln!("{} training samples loaded in {:.1} s", samples.len(), t0.elapsed().as_secs_f32());

    // ---- language first: the other models' features depend on the detected language
    // (it picks the lexicon), so they are computed through an engine holding the new one.
    let all: Vec<&Sample> = samples.iter().collect();
    let language = train_language(&all);
    let engine = Engine::with_language_model(Some(language.clone())).expect("engine");
    let e = &engine;

    // ---- complaint or not: every labelled sample of every language
    let labelled: Vec<&Sample> = samples.iter().filter(|s| s.complaint.is_some()).collect();
    let groups: Vec<String> = labelled.iter().map(|s| format!("{}:{}:{}", s.lang, s.source, s.complaint == Some(true))).collect();
    // Square-rooted balance: small groups count more than their size, but a source keeps
    // some of its own mix of complaints and praise (full balance made every source look
    // half complaints, and precision fell where complaints are rare, as on review sites).
    let weights: Vec<f32> = balance(&groups).into_iter().map(f32::sqrt).collect();
    let mut examples: Vec<Example> = labelled
        .iter()
        .zip(weights)
        .zip(&groups)
        .map(|((s, weight), g)| Example {
            features: e.model_features(&s.full_text()).1,
            class: usize::from(s.complaint == Some(true)),
            weight,
            group: g.clone(),
            validation: calmly_lab::data::fnv1a(s.full_text().as_bytes()) % 5 == 3,
        })
        .collect();
    let mut per_group: BTreeMap<&str, usize> = BTreeMap::new();
    for g in &groups {
        *per_group.entry(g).or_default() += 1;
    }
    eprintln!("complaint: {} examples {:?}", examples.len(), per_group);
    let t = std::time::Instant::now();
    let (complaint, _) = select_and_train("complaint", &mut examples, 1, COMPLAINT_BITS, 0x5eed_0001);
    if report {
        // The complaint model alone (threshold 0.5, no rating) on the Test split: a quick
        // check while training; `calmly-lab eval` measures the whole engine.
        let mut per: BTreeMap<String, Confusion> = BTreeMap::new();
        for s in tests.iter().filter(|s| s.complaint.is_some()) {
            let f = e.model_features(&s.full_text()).1;
            let yes = complaint.scores(&f)[0] > 0.0;
            for key in [format!("{}:{}", s.lang, s.source), format!("{}:all", s.lang)] {
                per.entry(key).or_default().add(s.complaint == Some(true), yes);
            }
        }
        let show = |x: Option<f64>| x.map_or("–".to_string(), |v| format!("{v:.3}"));
        for (k, c) in &per {
            println!("test {k:50} F1 {}  P {} R {}  TNR {}", show(c.f1()), show(c.precision()), show(c.recall()), show(c.specificity()));
        }
    }
    eprintln!("complaint model trained in {:.1} s", t.elapsed().as_secs_f32());

    // ---- category: the samples with a mapped category (Reclame Aqui pt, CFPB en)
    let with_cat: Vec<(&Sample, usize)> = samples
        .iter()
        .filter_map(|s| s.category.as_deref().and_then(|c| MODEL_CATEGORIES.iter().position(|m| *m == c)).map(|i| (s, i)))
        .collect();
    let groups: Vec<String> = with_cat.iter().map(|(s, c)| format!("{}:{}", s.lang, c)).collect();
    let weights = balance(&groups);
    let mut examples: Vec<Example> =
        with_cat
            .iter()
            .zip(weights)
            .zip(&groups)
            .map(|(((s, c), weight), g)| Example {
                features: e.model_features(&s.full_text()).1,
                class: *c,
                weight: weight.min(20.0),
                group: g.clone(),
                validation: calmly_lab::data::fnv1a(s.full_text().as_bytes()) % 5 == 3,
            })
            .collect();
    // In sample order, for the report's mix table (training reorders `examples`).
    let examples_by_sample = report.then(|| examples.clone());
    let mut per_class: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, c) in &with_cat {
        *per_class.entry(MODEL_CATEGORIES[*c]).or_default() += 1;
    }
    eprintln!("category: {} examples {:?}", examples.len(), per_class);
    // The engine lets the lexicon decide these classes because the labels barely hold them:
    // a change in the data shows here.
    let untrained: Vec<String> = calmly::engine::classify::UNTRAINED_CATEGORIES.iter().map(|c| format!("{c} {}", per_class.get(c).copied().unwrap_or(0))).collect();
    eprintln!("category: labels of classify::UNTRAINED_CATEGORIES: {}", untrained.join(", "));
    let t = std::time::Instant::now();
    let (category, grid) = select_and_train("category", &mut examples, MODEL_CATEGORIES.len(), CATEGORY_BITS, 0x5eed_0002);
    eprintln!("category model trained in {:.1} s", t.elapsed().as_secs_f32());
    if let Some(examples_by_sample) = &examples_by_sample {
        let evidence: Vec<Vec<(String, f32)>> = with_cat
            .iter()
            .map(|(s, _)| calmly::engine::classify::category_evidence(&e.read(&s.full_text()).matches).into_iter().map(|(c, v)| (c.to_string(), v)).collect())
            .collect();
        mix_table(&with_cat, &evidence, examples_by_sample, grid);
    }
    if report {
        // The category model alone (argmax, without the engine's lexicon mixing) on the
        // Test split; `calmly-lab eval` measures what the engine answers.
        let test = category_tests(&tests, e);
        for lang in calmly::engine::CATEGORY_MODEL_LANGUAGES {
            let m = category_on_test(&category, &test, lang);
            println!("test category {lang} (model alone): n {} macro-F1 {:.3} accuracy {:.3}", m.n, m.macro_f1, m.accuracy);
        }
        learning_curve(&examples, &test, grid);
    }

    std::fs::create_dir_all(&out).expect("create models dir");
    for (name, m) in [("language.bin", &language), ("complaint.bin", &complaint), ("category.bin", &category)] {
        let bytes = m.to_bytes();
        let nonzero = m.weights.iter().filter(|&&w| w != 0).count();
        std::fs::write(out.join(name), &bytes).expect("write model");
        println!("{name}: {} bytes, {nonzero} non-zero weights of {}, scale {:.5}", bytes.len(), m.weights.len(), m.scale);
    }
    println!("models written to {} in {:.1} s", out.display(), t0.elapsed().as_secs_f32());
}
