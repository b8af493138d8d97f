//! Metrics: binary precision/recall/F1, macro-F1 with per-class F1, Spearman with ties.

use std::collections::{BTreeMap, BTreeSet};

/// Binary confusion counts (positive = complaint).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Confusion {
    pub tp: usize,
    pub fp: usize,
    pub tn: usize,
    pub fn_: usize,
}

impl Confusion {
    pub fn add(&mut self, gold: bool, pred: bool) {
        match (gold, pred) {
            (true, true) => self.tp += 1,
            (false, true) => self.fp += 1,
            (false, false) => self.tn += 1,
            (true, false) => self.fn_ += 1,
        }
    }

    pub fn from_pairs(pairs: impl IntoIterator<Item = (bool, bool)>) -> Confusion {
        let mut c = Confusion::default();
        for (g, p) in pairs {
            c.add(g, p);
        }
        c
    }

    pub fn n(&self) -> usize {
        self.tp + self.fp + self.tn + self.fn_
    }

    pub fn positives(&self) -> usize {
        self.tp + self.fn_
    }

    pub fn negatives(&self) -> usize {
        self.tn + self.fp
    }

    /// `None` when nothing was predicted positive.
    pub fn precision(&self) -> Option<f64> {
        ratio(self.tp, self.tp + self.fp)
    }

    /// `None` when there are no gold positives.
    pub fn recall(&self) -> Option<f64> {
        ratio(self.tp, self.tp + self.fn_)
    }

    /// `None` when there are no gold positives (F1 is undefined); 0 when there are some
    /// but none was found or nothing was predicted.
    pub fn f1(&self) -> Option<f64> {
        if self.positives() == 0 {
            return None;
        }
        let denom = 2 * self.tp + self.fp + self.fn_;
        Some(if denom == 0 { 0.0 } else { 2.0 * self.tp as f64 / denom as f64 })
    }

    /// True-negative rate: the share of non-complaints left alone. `None` without negatives.
    pub fn specificity(&self) -> Option<f64> {
        ratio(self.tn, self.tn + self.fp)
    }

    pub fn accuracy(&self) -> Option<f64> {
        ratio(self.tp + self.tn, self.n())
    }
}

fn ratio(a: usize, b: usize) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

/// Per-class and macro F1 for a multi-class task.
#[derive(Debug, Clone, PartialEq)]
pub struct MacroF1 {
    /// Mean F1 over the gold classes (classes with support in the gold labels). A predicted
    /// class that never occurs in gold counts only through the errors it causes.
    pub macro_f1: f64,
    pub accuracy: f64,
    /// class → (F1, support)
    pub per_class: BTreeMap<String, (f64, usize)>,
    pub n: usize,
}

pub fn macro_f1(gold: &[String], pred: &[String]) -> MacroF1 {
    assert_eq!(gold.len(), pred.len());
    let classes: BTreeSet<&String> = gold.iter().collect();
    let mut per_class = BTreeMap::new();
    for c in &classes {
        let mut conf = Confusion::default();
        for (g, p) in gold.iter().zip(pred) {
            conf.add(g == *c, p == *c);
        }
        per_class.insert((*c).clone(), (conf.f1().unwrap_or(0.0), conf.positives()));
    }
    let n = gold.len();
    let macro_f1 = if per_class.is_empty() { 0.0 } else { per_class.values().map(|v| v.0).sum::<f64>() / per_class.len() as f64 };
    let correct = gold.iter().zip(pred).filter(|(g, p)| g == p).count();
    MacroF1 { macro_f1, accuracy: if n == 0 { 0.0 } else { correct as f64 / n as f64 }, per_class, n }
}

/// Ranks starting at 1, ties sharing their average rank.
pub fn average_ranks(xs: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..xs.len()).collect();
    idx.sort_by(|&a, &b| xs[a].total_cmp(&xs[b]));
    let mut ranks = vec![0.0; xs.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && xs[idx[j + 1]] == xs[idx[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for k in i..=j {
            ranks[idx[k]] = avg;
        }
        i = j + 1;
    }
    ranks
}

/// Pearson correlation; `None` when either side is constant or there are fewer than 2 points.
pub fn pearson(a: &[f64], b: &[f64]) -> Option<f64> {
    assert_eq!(a.len(), b.len());
    let n = a.len();
    if n < 2 {
        return None;
    }
    let ma = a.iter().sum::<f64>() / n as f64;
    let mb = b.iter().sum::<f64>() / n as f64;
    let (mut cov, mut va, mut vb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        cov += (x - ma) * (y - mb);
        va += (x - ma) * (x - ma);
        vb += (y - mb) * (y - mb);
    }
    if va <= 0.0 || vb <= 0.0 {
        return None;
    }
    Some(cov / (va.sqrt() * vb.sqrt()))
}

/// Spearman's rho with ties (Pearson on average ranks).
pub fn spearman(a: &[f64], b: &[f64]) -> Option<f64> {
    pearson(&average_ranks(a), &average_ranks(b))
}

/// F1(ours) − F1(base) on the same samples, with a 95 % interval from a paired bootstrap:
/// `reps` resamples (with replacement) of the (gold, ours, base) triples, each scored for
/// both, the 2.5th and 97.5th percentiles of the difference. Deterministic (fixed seed).
/// `None` when F1 is undefined (no complaints in the set). An interval that holds 0 means
/// the set cannot tell the two apart.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Delta {
    pub delta: f64,
    pub low: f64,
    pub high: f64,
}

pub fn paired_bootstrap_f1(triples: &[(bool, bool, bool)], reps: usize) -> Option<Delta> {
    let f1 = |idx: &mut dyn Iterator<Item = usize>| {
        let (mut o, mut b) = (Confusion::default(), Confusion::default());
        for i in idx {
            let (g, po, pb) = triples[i];
            o.add(g, po);
            b.add(g, pb);
        }
        Some(o.f1()? - b.f1()?)
    };
    let n = triples.len();
    let delta = f1(&mut (0..n))?;
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        // splitmix64
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let mut ds: Vec<f64> = (0..reps).filter_map(|_| f1(&mut (0..n).map(|_| (next() % n as u64) as usize))).collect();
    if ds.is_empty() {
        return None;
    }
    ds.sort_by(f64::total_cmp);
    let at = |q: f64| ds[((ds.len() - 1) as f64 * q).round() as usize];
    Some(Delta { delta, low: at(0.025), high: at(0.975) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn precision_recall_f1() {
        // gold: 1 1 1 0 0 ; pred: 1 0 1 1 0 → tp 2, fn 1, fp 1, tn 1
        let c = Confusion::from_pairs([(true, true), (true, false), (true, true), (false, true), (false, false)]);
        assert_eq!((c.tp, c.fn_, c.fp, c.tn), (2, 1, 1, 1));
        assert!(close(c.precision().unwrap(), 2.0 / 3.0));
        assert!(close(c.recall().unwrap(), 2.0 / 3.0));
        assert!(close(c.f1().unwrap(), 2.0 / 3.0));
        assert!(close(c.specificity().unwrap(), 0.5));
        assert!(close(c.accuracy().unwrap(), 0.6));
    }

    #[test]
    fn undefined_cases() {
        let only_neg = Confusion::from_pairs([(false, false), (false, true)]);
        assert_eq!(only_neg.recall(), None);
        assert_eq!(only_neg.f1(), None);
        assert!(close(only_neg.specificity().unwrap(), 0.5));
        let missed = Confusion::from_pairs([(true, false), (true, false)]);
        assert_eq!(missed.precision(), None);
        assert_eq!(missed.f1(), Some(0.0));
        assert_eq!(missed.recall(), Some(0.0));
    }

    #[test]
    fn macro_f1_per_class() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let gold = s(&["a", "a", "b", "b", "c"]);
        let pred = s(&["a", "b", "b", "b", "other"]);
        let m = macro_f1(&gold, &pred);
        // a: tp1 fn1 fp0 → 2/3; b: tp2 fp1 → 0.8; c: 0
        assert!(close(m.per_class["a"].0, 2.0 / 3.0));
        assert!(close(m.per_class["b"].0, 0.8));
        assert!(close(m.per_class["c"].0, 0.0));
        assert_eq!(m.per_class["b"].1, 2);
        assert!(!m.per_class.contains_key("other"));
        assert!(close(m.macro_f1, (2.0 / 3.0 + 0.8) / 3.0));
        assert!(close(m.accuracy, 0.6));
    }

    #[test]
    fn bootstrap_of_f1_differences() {
        // The same predictions: no difference, and no spread.
        let same: Vec<(bool, bool, bool)> = (0..200).map(|i| (i % 3 == 0, i % 2 == 0, i % 2 == 0)).collect();
        assert_eq!(paired_bootstrap_f1(&same, 200), Some(Delta { delta: 0.0, low: 0.0, high: 0.0 }));
        // Ours right everywhere, the baseline right on half: clearly ahead.
        let ahead: Vec<(bool, bool, bool)> = (0..200).map(|i| (i % 2 == 0, i % 2 == 0, i % 4 == 0)).collect();
        let d = paired_bootstrap_f1(&ahead, 200).unwrap();
        assert!(close(d.delta, 1.0 - 2.0 / 3.0), "{d:?}");
        assert!(d.low > 0.2 && d.high <= 0.5 && d.low <= d.delta && d.delta <= d.high, "{d:?}");
        // One differing sample in 400: the interval holds 0.
        let tiny: Vec<(bool, bool, bool)> = (0..400).map(|i| (i % 2 == 0, i % 2 == 0, i % 2 == 0 && i != 0)).collect();
        let d = paired_bootstrap_f1(&tiny, 500).unwrap();
        assert!(d.delta > 0.0 && d.low <= 0.0 && d.high > 0.0, "{d:?}");
        // No complaints: F1 is undefined.
        assert_eq!(paired_bootstrap_f1(&[(false, false, true)], 10), None);
        assert_eq!(paired_bootstrap_f1(&[], 10), None);
    }

    #[test]
    fn ranks_with_ties() {
        assert_eq!(average_ranks(&[10.0, 20.0, 20.0, 5.0]), vec![2.0, 3.5, 3.5, 1.0]);
        assert_eq!(average_ranks(&[1.0, 1.0, 1.0]), vec![2.0, 2.0, 2.0]);
    }

    #[test]
    fn spearman_values() {
        // Monotone → 1, reversed → -1, regardless of scale.
        assert!(close(spearman(&[1.0, 2.0, 3.0, 4.0], &[10.0, 100.0, 1000.0, 1e6]).unwrap(), 1.0));
        assert!(close(spearman(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]).unwrap(), -1.0));
        // With ties: x = 1 2 2 3, y = 1 2 3 4 → ranks x 1 2.5 2.5 4 → rho = 0.9486832980505138
        assert!(close(spearman(&[1.0, 2.0, 2.0, 3.0], &[1.0, 2.0, 3.0, 4.0]).unwrap(), 0.9486832980505138));
        // A constant side has no correlation.
        assert_eq!(spearman(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]), None);
        assert_eq!(spearman(&[1.0], &[1.0]), None);
    }
}
