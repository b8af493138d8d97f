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

use calmly::engine::model::{Features, Linear};
use calmly::engine::{engine, MODEL_CATEGORIES};
use calmly_lab::data::{load_all, Sample, Split};

/// Hash bits of each model: 2^16 complaint weights, 2^13 per category class. Chosen for
/// size (i8 weights: 64 KB + 80 KB raw) over the last fraction of a point.
const COMPLAINT_BITS: u32 = 16;
const CATEGORY_BITS: u32 = 13;
const EPOCHS: usize = 6;

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

struct Example {
    features: Features,
    class: usize,
    weight: f32,
}

/// Softmax/logistic regression by Adagrad with L2, on hashed features. `classes == 1`
/// is the binary (logistic) case with `class` 0/1.
fn train(examples: &mut [Example], classes: usize, bits: u32, l2: f32, lr: f32, seed: u64) -> Linear {
    let size = 1usize << bits;
    let mask = (size - 1) as u32;
    let k = classes;
    let mut w = vec![0f32; k * size];
    let mut g2 = vec![1e-6f32; k * size];
    let mut b = vec![0f32; k];
    let mut gb = vec![1e-6f32; k];
    let mut rng = Rng(seed);
    for _ in 0..EPOCHS {
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
    Linear { classes: k, bits, scale, bias: b, weights }
}

/// Each (group) gets the same total weight: languages and classes count equally, so the
/// largest source does not decide for everyone.
fn balance(groups: &[String]) -> Vec<f32> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for g in groups {
        *counts.entry(g).or_default() += 1;
    }
    let n = groups.len() as f32;
    let k = counts.len() as f32;
    groups.iter().map(|g| n / (k * counts[g.as_str()] as f32)).collect()
}

fn main() {
    let mut out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/models");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--out" => out = PathBuf::from(args.next().expect("--out DIR")),
            _ => {
                eprintln!("usage: calmly-train [--out DIR]");
                std::process::exit(2);
            }
        }
    }
    let e = engine().expect("engine");
    if e.complaint_model.is_some() || e.category_model.is_some() {
        // Features do not depend on the models, but say what happened.
        eprintln!("note: this build already has models; features are the same either way");
    }
    let t0 = std::time::Instant::now();
    let samples: Vec<Sample> = load_all().expect("load data").into_iter().filter(|s| s.split == Split::Train).collect();
    eprintln!("{} training samples loaded in {:.1} s", samples.len(), t0.elapsed().as_secs_f32());

    // ---- complaint or not: every labelled sample of every language
    let labelled: Vec<&Sample> = samples.iter().filter(|s| s.complaint.is_some()).collect();
    let groups: Vec<String> = labelled.iter().map(|s| format!("{}:{}", s.lang, s.complaint == Some(true))).collect();
    let weights = balance(&groups);
    let mut examples: Vec<Example> = labelled
        .iter()
        .zip(weights)
        .map(|(s, weight)| Example { features: e.model_features(&s.full_text()).1, class: usize::from(s.complaint == Some(true)), weight })
        .collect();
    let mut per_group: BTreeMap<&str, usize> = BTreeMap::new();
    for g in &groups {
        *per_group.entry(g).or_default() += 1;
    }
    eprintln!("complaint: {} examples {:?}", examples.len(), per_group);
    let t = std::time::Instant::now();
    let complaint = train(&mut examples, 1, COMPLAINT_BITS, 1e-5, 0.1, 0x5eed_0001);
    eprintln!("complaint model trained in {:.1} s", t.elapsed().as_secs_f32());

    // ---- category: the samples with a mapped category (Reclame Aqui pt, CFPB en)
    let with_cat: Vec<(&Sample, usize)> = samples
        .iter()
        .filter_map(|s| s.category.as_deref().and_then(|c| MODEL_CATEGORIES.iter().position(|m| *m == c)).map(|i| (s, i)))
        .collect();
    let groups: Vec<String> = with_cat.iter().map(|(s, c)| format!("{}:{}", s.lang, c)).collect();
    let weights = balance(&groups);
    let mut examples: Vec<Example> =
        with_cat.iter().zip(weights).map(|((s, c), weight)| Example { features: e.model_features(&s.full_text()).1, class: *c, weight: weight.min(20.0) }).collect();
    let mut per_class: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, c) in &with_cat {
        *per_class.entry(MODEL_CATEGORIES[*c]).or_default() += 1;
    }
    eprintln!("category: {} examples {:?}", examples.len(), per_class);
    let t = std::time::Instant::now();
    let category = train(&mut examples, MODEL_CATEGORIES.len(), CATEGORY_BITS, 1e-5, 0.1, 0x5eed_0002);
    eprintln!("category model trained in {:.1} s", t.elapsed().as_secs_f32());

    std::fs::create_dir_all(&out).expect("create models dir");
    for (name, m) in [("complaint.bin", &complaint), ("category.bin", &category)] {
        let bytes = m.to_bytes();
        let nonzero = m.weights.iter().filter(|&&w| w != 0).count();
        std::fs::write(out.join(name), &bytes).expect("write model");
        println!("{name}: {} bytes, {nonzero} non-zero weights of {}, scale {:.5}", bytes.len(), m.weights.len(), m.scale);
    }
    println!("models written to {} in {:.1} s", out.display(), t0.elapsed().as_secs_f32());
}
