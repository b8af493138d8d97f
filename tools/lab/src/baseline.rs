//! The baseline "a competent engineer would build in an afternoon": word unigrams and
//! bigrams, TF-IDF (sublinear tf, smoothed idf from the training texts, L2-normalised
//! rows), and L2-regularised logistic regression trained by SGD for a fixed number of
//! epochs from a fixed seed, its regularisation C chosen on a validation part of the
//! training data (like scikit-learn's `LogisticRegressionCV`). Binary for complaint-or-not,
//! softmax for categories. Plus the trivial intensity heuristic used beside our severity.

use std::collections::HashMap;

use crate::data::fnv1a;
use crate::metrics::{macro_f1, Confusion};

/// Training settings; the defaults are what the tables use.
#[derive(Debug, Clone, Copy)]
pub struct Config {
    /// Features seen in fewer training texts are dropped.
    pub min_df: usize,
    pub epochs: usize,
    /// Initial step; step t is `lr / (1 + lr·λ·t)`. Weights are averaged over the second
    /// half of the epochs.
    pub lr: f64,
    pub seed: u64,
    /// Inverse regularisation strengths tried (objective: Σ loss + ‖w‖² / 2C). The one with
    /// the best validation F1 (macro-F1 for categories) is retrained on all training texts.
    pub c_grid: &'static [f64],
    /// Share of the training texts (by hash) held out to choose C, in percent.
    pub validation_percent: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config { min_df: 2, epochs: 48, lr: 0.5, seed: 42, c_grid: &[0.3, 1.0, 3.0, 10.0, 30.0], validation_percent: 20 }
    }
}

/// Is this training text in the validation part used to choose C?
fn is_validation(text: &str, cfg: &Config) -> bool {
    let mut key = String::from("calmly-lab/validation\u{0}");
    key.push_str(text);
    fnv1a(key.as_bytes()) % 100 < cfg.validation_percent
}

/// Lower-cased alphanumeric words (no stemming, no stopword list).
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

/// Unigrams and bigrams of a text.
pub fn ngrams(text: &str) -> Vec<String> {
    let ws = words(text);
    let mut out = Vec::with_capacity(ws.len() * 2);
    for i in 0..ws.len() {
        out.push(ws[i].clone());
        if i + 1 < ws.len() {
            out.push(format!("{} {}", ws[i], ws[i + 1]));
        }
    }
    out
}

/// A sparse row: (feature, value), features ascending.
pub type Row = Vec<(u32, f32)>;

/// TF-IDF vectoriser fitted on training texts.
#[derive(Debug, Clone)]
pub struct Tfidf {
    vocab: HashMap<String, u32>,
    idf: Vec<f32>,
}

impl Tfidf {
    pub fn fit(texts: &[&str], min_df: usize) -> Tfidf {
        let mut df: HashMap<String, usize> = HashMap::new();
        for t in texts {
            let mut grams = ngrams(t);
            grams.sort_unstable();
            grams.dedup();
            for g in grams {
                *df.entry(g).or_insert(0) += 1;
            }
        }
        let mut kept: Vec<(String, usize)> = df.into_iter().filter(|(_, d)| *d >= min_df.max(1)).collect();
        kept.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let n = texts.len() as f64;
        let mut vocab = HashMap::with_capacity(kept.len());
        let mut idf = Vec::with_capacity(kept.len());
        for (i, (g, d)) in kept.into_iter().enumerate() {
            vocab.insert(g, i as u32);
            idf.push((((1.0 + n) / (1.0 + d as f64)).ln() + 1.0) as f32);
        }
        Tfidf { vocab, idf }
    }

    pub fn dim(&self) -> usize {
        self.idf.len()
    }

    /// Sublinear tf (1 + ln tf) × idf, L2-normalised.
    pub fn transform(&self, text: &str) -> Row {
        let mut counts: HashMap<u32, u32> = HashMap::new();
        for g in ngrams(text) {
            if let Some(&i) = self.vocab.get(&g) {
                *counts.entry(i).or_insert(0) += 1;
            }
        }
        let mut row: Row = counts.into_iter().map(|(i, c)| (i, (1.0 + (c as f32).ln()) * self.idf[i as usize])).collect();
        row.sort_unstable_by_key(|x| x.0);
        let norm = row.iter().map(|x| x.1 * x.1).sum::<f32>().sqrt();
        if norm > 0.0 {
            for x in &mut row {
                x.1 /= norm;
            }
        }
        row
    }
}

/// xorshift64*: a small, seeded, dependency-free generator for shuffling.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = (self.next_u64() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}

/// Multinomial (softmax) logistic regression over sparse rows.
#[derive(Debug, Clone)]
pub struct Softmax {
    k: usize,
    /// Feature-major weights: `w[j * k + c]`.
    w: Vec<f64>,
    b: Vec<f64>,
}

impl Softmax {
    /// SGD on Σ cross-entropy + ‖w‖² / 2C; weights averaged over the second half of the epochs.
    pub fn train(rows: &[Row], labels: &[usize], k: usize, dim: usize, c: f64, cfg: Config) -> Softmax {
        assert_eq!(rows.len(), labels.len());
        let n = rows.len().max(1);
        let lambda = 1.0 / (c * n as f64);
        // The true weights are `scale * v` (lazy L2 decay).
        let (mut v, mut scale, mut b) = (vec![0.0f64; dim * k], 1.0f64, vec![0.0f64; k]);
        let (mut avg_w, mut avg_b, mut averaged) = (vec![0.0f64; dim * k], vec![0.0f64; k], 0usize);
        let mut order: Vec<usize> = (0..rows.len()).collect();
        let mut rng = Rng::new(cfg.seed);
        let mut p = vec![0.0; k];
        let mut t = 0f64;
        for epoch in 0..cfg.epochs {
            rng.shuffle(&mut order);
            for &i in &order {
                let eta = cfg.lr / (1.0 + cfg.lr * lambda * t);
                t += 1.0;
                logits(&v, scale, &b, k, &rows[i], &mut p);
                softmax_in_place(&mut p);
                scale *= 1.0 - eta * lambda;
                if scale < 1e-9 {
                    v.iter_mut().for_each(|x| *x *= scale);
                    scale = 1.0;
                }
                for cl in 0..k {
                    let g = p[cl] - if labels[i] == cl { 1.0 } else { 0.0 };
                    if g == 0.0 {
                        continue;
                    }
                    for &(j, x) in &rows[i] {
                        v[j as usize * k + cl] -= eta * g * x as f64 / scale;
                    }
                    b[cl] -= eta * g;
                }
            }
            if 2 * (epoch + 1) > cfg.epochs {
                avg_w.iter_mut().zip(&v).for_each(|(a, x)| *a += x * scale);
                avg_b.iter_mut().zip(&b).for_each(|(a, x)| *a += x);
                averaged += 1;
            }
        }
        let m = averaged.max(1) as f64;
        avg_w.iter_mut().for_each(|a| *a /= m);
        avg_b.iter_mut().for_each(|a| *a /= m);
        Softmax { k, w: avg_w, b: avg_b }
    }

    pub fn predict_proba(&self, row: &Row) -> Vec<f64> {
        let mut p = vec![0.0; self.k];
        logits(&self.w, 1.0, &self.b, self.k, row, &mut p);
        softmax_in_place(&mut p);
        p
    }

    pub fn predict(&self, row: &Row) -> usize {
        let p = self.predict_proba(row);
        (0..self.k).max_by(|&a, &b| p[a].total_cmp(&p[b]).then(b.cmp(&a))).unwrap_or(0)
    }
}

fn logits(w: &[f64], scale: f64, b: &[f64], k: usize, row: &Row, out: &mut [f64]) {
    out.copy_from_slice(b);
    for &(j, x) in row {
        let base = j as usize * k;
        for c in 0..k {
            out[c] += scale * w[base + c] * x as f64;
        }
    }
}

fn softmax_in_place(p: &mut [f64]) {
    let max = p.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let mut sum = 0.0;
    for o in p.iter_mut() {
        *o = (*o - max).exp();
        sum += *o;
    }
    for o in p.iter_mut() {
        *o /= sum;
    }
}

/// Binary logistic regression (one logit) over sparse rows.
#[derive(Debug, Clone)]
pub struct Binary {
    w: Vec<f64>,
    b: f64,
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

impl Binary {
    /// SGD on Σ log-loss + ‖w‖² / 2C; weights averaged over the second half of the epochs.
    pub fn train(rows: &[Row], labels: &[bool], dim: usize, c: f64, cfg: Config) -> Binary {
        assert_eq!(rows.len(), labels.len());
        let n = rows.len().max(1);
        let lambda = 1.0 / (c * n as f64);
        let (mut v, mut scale, mut b) = (vec![0.0f64; dim], 1.0f64, 0.0f64);
        let (mut avg_w, mut avg_b, mut averaged) = (vec![0.0f64; dim], 0.0f64, 0usize);
        let mut order: Vec<usize> = (0..rows.len()).collect();
        let mut rng = Rng::new(cfg.seed);
        let mut t = 0f64;
        for epoch in 0..cfg.epochs {
            rng.shuffle(&mut order);
            for &i in &order {
                let eta = cfg.lr / (1.0 + cfg.lr * lambda * t);
                t += 1.0;
                let z: f64 = rows[i].iter().map(|&(j, x)| v[j as usize] * x as f64).sum::<f64>() * scale + b;
                let g = sigmoid(z) - if labels[i] { 1.0 } else { 0.0 };
                scale *= 1.0 - eta * lambda;
                if scale < 1e-9 {
                    v.iter_mut().for_each(|x| *x *= scale);
                    scale = 1.0;
                }
                for &(j, x) in &rows[i] {
                    v[j as usize] -= eta * g * x as f64 / scale;
                }
                b -= eta * g;
            }
            if 2 * (epoch + 1) > cfg.epochs {
                avg_w.iter_mut().zip(&v).for_each(|(a, x)| *a += x * scale);
                avg_b += b;
                averaged += 1;
            }
        }
        let m = averaged.max(1) as f64;
        avg_w.iter_mut().for_each(|a| *a /= m);
        Binary { w: avg_w, b: avg_b / m }
    }

    pub fn proba(&self, row: &Row) -> f64 {
        sigmoid(row.iter().map(|&(j, x)| self.w[j as usize] * x as f64).sum::<f64>() + self.b)
    }
}

/// TF-IDF + binary logistic regression for complaint-or-not.
pub struct ComplaintModel {
    tfidf: Tfidf,
    lr: Option<Binary>,
    /// Set when training saw only one class: the model then always answers it.
    constant: Option<bool>,
    /// The C chosen on validation.
    pub c: f64,
}

impl ComplaintModel {
    pub fn fit(texts: &[&str], labels: &[bool], cfg: Config) -> ComplaintModel {
        let pos = labels.iter().filter(|l| **l).count();
        if pos == 0 || pos == labels.len() {
            let tfidf = Tfidf::fit(texts, cfg.min_df);
            return ComplaintModel { tfidf, lr: None, constant: Some(pos > 0), c: f64::NAN };
        }
        let c = Self::choose_c(texts, labels, cfg);
        let tfidf = Tfidf::fit(texts, cfg.min_df);
        let rows: Vec<Row> = texts.iter().map(|t| tfidf.transform(t)).collect();
        let lr = Binary::train(&rows, labels, tfidf.dim(), c, cfg);
        ComplaintModel { tfidf, lr: Some(lr), constant: None, c }
    }

    /// The C of the grid with the best F1 on the validation part (the first of equals).
    fn choose_c(texts: &[&str], labels: &[bool], cfg: Config) -> f64 {
        let fallback = 1.0;
        let (mut tr, mut va) = (Vec::new(), Vec::new());
        for (t, l) in texts.iter().zip(labels) {
            if is_validation(t, &cfg) { va.push((*t, *l)) } else { tr.push((*t, *l)) }
        }
        let both = |v: &[(&str, bool)]| v.iter().any(|x| x.1) && v.iter().any(|x| !x.1);
        if cfg.c_grid.len() == 1 {
            return cfg.c_grid[0];
        }
        if cfg.c_grid.is_empty() || !both(&tr) || !va.iter().any(|x| x.1) {
            return fallback;
        }
        let tr_texts: Vec<&str> = tr.iter().map(|x| x.0).collect();
        let tr_labels: Vec<bool> = tr.iter().map(|x| x.1).collect();
        let tfidf = Tfidf::fit(&tr_texts, cfg.min_df);
        let rows: Vec<Row> = tr_texts.iter().map(|t| tfidf.transform(t)).collect();
        let va_rows: Vec<(Row, bool)> = va.iter().map(|(t, l)| (tfidf.transform(t), *l)).collect();
        let mut best = (f64::NEG_INFINITY, fallback);
        for &c in cfg.c_grid {
            let m = Binary::train(&rows, &tr_labels, tfidf.dim(), c, cfg);
            let f1 = Confusion::from_pairs(va_rows.iter().map(|(r, l)| (*l, m.proba(r) >= 0.5))).f1().unwrap_or(0.0);
            if f1 > best.0 {
                best = (f1, c);
            }
        }
        best.1
    }

    /// Did training see both classes?
    pub fn is_trained(&self) -> bool {
        self.constant.is_none()
    }

    pub fn proba(&self, text: &str) -> f64 {
        match (&self.lr, self.constant) {
            (Some(lr), _) => lr.proba(&self.tfidf.transform(text)),
            (None, Some(c)) => f64::from(u8::from(c)),
            (None, None) => 0.5,
        }
    }

    pub fn predict(&self, text: &str) -> bool {
        self.proba(text) >= 0.5
    }
}

/// TF-IDF + softmax regression for categories.
pub struct CategoryModel {
    tfidf: Tfidf,
    classes: Vec<String>,
    sm: Softmax,
    /// The C chosen on validation.
    pub c: f64,
}

impl CategoryModel {
    pub fn fit(texts: &[&str], labels: &[String], cfg: Config) -> CategoryModel {
        let mut classes: Vec<String> = labels.to_vec();
        classes.sort();
        classes.dedup();
        let c = Self::choose_c(texts, labels, &classes, cfg);
        let tfidf = Tfidf::fit(texts, cfg.min_df);
        let rows: Vec<Row> = texts.iter().map(|t| tfidf.transform(t)).collect();
        let ys: Vec<usize> = labels.iter().map(|l| classes.binary_search(l).unwrap_or(0)).collect();
        let sm = Softmax::train(&rows, &ys, classes.len().max(1), tfidf.dim(), c, cfg);
        CategoryModel { tfidf, classes, sm, c }
    }

    /// The C of the grid with the best validation macro-F1 (the first of equals).
    fn choose_c(texts: &[&str], labels: &[String], classes: &[String], cfg: Config) -> f64 {
        let fallback = 1.0;
        let (mut tr, mut va) = (Vec::new(), Vec::new());
        for (t, l) in texts.iter().zip(labels) {
            if is_validation(t, &cfg) { va.push((*t, l.clone())) } else { tr.push((*t, l.clone())) }
        }
        if cfg.c_grid.len() == 1 {
            return cfg.c_grid[0];
        }
        if cfg.c_grid.is_empty() || tr.is_empty() || va.is_empty() || classes.len() < 2 {
            return fallback;
        }
        let tr_texts: Vec<&str> = tr.iter().map(|x| x.0).collect();
        let ys: Vec<usize> = tr.iter().map(|x| classes.binary_search(&x.1).unwrap_or(0)).collect();
        let tfidf = Tfidf::fit(&tr_texts, cfg.min_df);
        let rows: Vec<Row> = tr_texts.iter().map(|t| tfidf.transform(t)).collect();
        let gold: Vec<String> = va.iter().map(|x| x.1.clone()).collect();
        let mut best = (f64::NEG_INFINITY, fallback);
        for &c in cfg.c_grid {
            let sm = Softmax::train(&rows, &ys, classes.len(), tfidf.dim(), c, cfg);
            let pred: Vec<String> = va.iter().map(|(t, _)| classes[sm.predict(&tfidf.transform(t))].clone()).collect();
            let f = macro_f1(&gold, &pred).macro_f1;
            if f > best.0 {
                best = (f, c);
            }
        }
        best.1
    }

    pub fn classes(&self) -> &[String] {
        &self.classes
    }

    pub fn predict(&self, text: &str) -> String {
        if self.classes.is_empty() {
            return "other".into();
        }
        self.classes[self.sm.predict(&self.tfidf.transform(text))].clone()
    }
}

/// The trivial intensity heuristic: 0.5 × share of upper-case letters + 0.3 × exclamation
/// marks (3 or more count fully) + 0.2 × length (ln(1 + chars) / ln(1 + 2000), at most 1).
pub fn intensity_heuristic(text: &str) -> f32 {
    let (mut letters, mut upper, mut bangs, mut chars) = (0usize, 0usize, 0usize, 0usize);
    for c in text.chars() {
        chars += 1;
        if c.is_alphabetic() {
            letters += 1;
            if c.is_uppercase() {
                upper += 1;
            }
        }
        if c == '!' {
            bangs += 1;
        }
    }
    let caps = if letters == 0 { 0.0 } else { upper as f32 / letters as f32 };
    let bang = (bangs.min(3) as f32) / 3.0;
    let len = ((1.0 + chars as f32).ln() / (2001f32).ln()).min(1.0);
    0.5 * caps + 0.3 * bang + 0.2 * len
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ngrams_are_unigrams_and_bigrams() {
        assert_eq!(ngrams("Não chegou!"), vec!["não", "não chegou", "chegou"]);
        assert!(ngrams("").is_empty());
    }

    #[test]
    fn tfidf_rows_are_unit_length_and_ignore_unknown_words() {
        let texts = ["good product", "bad product", "good service", "bad service"];
        let v = Tfidf::fit(&texts, 1);
        let r = v.transform("good good product xyz");
        let norm: f32 = r.iter().map(|x| x.1 * x.1).sum();
        assert!((norm - 1.0).abs() < 1e-5);
        assert!(v.transform("xyz").is_empty());
    }

    #[test]
    fn learns_a_separable_task_deterministically() {
        let texts = ["broken and late", "late again broken", "never arrived broken", "love it great", "great quality love", "perfect great"];
        let labels = [true, true, true, false, false, false];
        let cfg = Config { min_df: 1, ..Config::default() };
        let m = ComplaintModel::fit(&texts, &labels, cfg);
        assert!(m.predict("broken late"));
        assert!(!m.predict("great love"));
        let m2 = ComplaintModel::fit(&texts, &labels, cfg);
        assert_eq!(m.proba("broken love"), m2.proba("broken love"));
    }

    #[test]
    fn one_class_training_is_flagged() {
        let m = ComplaintModel::fit(&["a b", "b c"], &[true, true], Config::default());
        assert!(!m.is_trained());
        assert!(m.predict("anything"));
    }

    #[test]
    fn softmax_learns_three_classes() {
        let texts = ["charged twice fee", "fee charged", "late delivery parcel", "parcel never delivery", "rude agent", "agent rude hung up"];
        let labels: Vec<String> = ["billing", "billing", "delivery", "delivery", "customer_service", "customer_service"].iter().map(|s| s.to_string()).collect();
        let m = CategoryModel::fit(&texts, &labels, Config { min_df: 1, ..Config::default() });
        assert_eq!(m.predict("another fee charged"), "billing");
        assert_eq!(m.predict("where is my parcel"), "delivery");
        assert_eq!(m.predict("the agent was rude"), "customer_service");
    }

    #[test]
    fn heuristic_orders_shouting_above_calm() {
        let calm = intensity_heuristic("The parcel arrived a day late.");
        let loud = intensity_heuristic("THE PARCEL NEVER ARRIVED!!! WORST SHOP EVER!!!");
        assert!(loud > calm);
        assert!((0.0..=1.0).contains(&loud));
        assert_eq!(intensity_heuristic(""), 0.0);
    }
}
