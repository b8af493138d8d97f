//! Compact trained models: linear (logistic / softmax) over hashed features.
//!
//! The features are the text's folded words and word pairs, character n-grams of its
//! words (morphology: `zwrotu`, `zwrócić` share `zwr`), and the lexicon's explainable
//! signals as language-independent counts (`#complaint`, `#cat:delivery`, …) — so a model
//! trained on Portuguese and English still reads Spanish, Polish and Romanian through
//! their lexicons. Hashing is signed: a feature's value takes the sign of its hash's top
//! bit, so features sharing a bucket cancel out on average. `tools/lab` trains the
//! weights from `../shared/data` with this very function and writes them to
//! `data/models/*.bin`; they are compiled in.
//!
//! File format (little endian): `CLM1`, u8 classes, u8 hash bits, f32 scale,
//! `classes` × f32 bias, then `classes × 2^bits` i8 weights, class-major. A weight is
//! `i8 × scale`.

use super::lexicon::Match;
use super::text::{Shape, Token};

/// Sparse features: (bucket before reduction, value).
pub type Features = Vec<(u32, f32)>;

/// Where each feature came from: tokens `start..end`, or `None` for a signal or shape
/// feature. Lets a decision be explained with the customer's own words.
pub type Origins = Vec<Option<(usize, usize)>>;

fn fnv(parts: &[&[u8]]) -> u32 {
    let mut h: u32 = 0x811c9dc5;
    for p in parts {
        for &b in *p {
            h ^= b as u32;
            h = h.wrapping_mul(0x01000193);
        }
        h ^= 0xff;
        h = h.wrapping_mul(0x01000193);
    }
    h
}

/// A feature's hash: a kind prefix and the feature's bytes.
pub fn hash(kind: &[u8], bytes: &[u8]) -> u32 {
    fnv(&[kind, bytes])
}

/// The features of one text. `matches` are the lexicon matches of its language.
pub fn features(tokens: &[Token], matches: &[Match], shape: Shape) -> (Features, Origins) {
    let mut out: Features = Vec::with_capacity(tokens.len() * 8 + 16);
    let mut origin: Origins = Vec::with_capacity(tokens.len() * 8 + 16);
    let n = tokens.len().max(1) as f32;
    // Words and pairs, weighted so long texts do not dominate by length alone.
    let w = 1.0 / n.sqrt();
    let mut prev: Option<&str> = None;
    for (i, t) in tokens.iter().enumerate() {
        let word = t.word.as_str();
        out.push((fnv(&[b"u", word.as_bytes()]), w));
        origin.push(Some((i, i + 1)));
        if let Some(p) = prev {
            out.push((fnv(&[b"b", p.as_bytes(), word.as_bytes()]), w));
            origin.push(Some((i - 1, i + 1)));
        }
        prev = Some(word);
        // Character 4-grams of the word with boundaries ("^zwr", "zwro", …).
        let chars: Vec<char> = std::iter::once('^').chain(word.chars()).chain(std::iter::once('$')).collect();
        if chars.len() >= 5 {
            let cw = w * 0.5;
            let mut buf = [0u8; 16];
            for g in chars.windows(4) {
                let mut len = 0;
                for c in g {
                    len += c.encode_utf8(&mut buf[len..]).len();
                }
                out.push((fnv(&[b"c", &buf[..len]]), cw));
                origin.push(Some((i, i + 1)));
            }
        }
    }
    // The lexicon's signals, language-independent: count, capped.
    let mut counts: Vec<(&str, f32)> = Vec::new();
    for m in matches {
        match counts.iter_mut().find(|(s, _)| *s == m.signal) {
            Some(c) => c.1 += 1.0,
            None => counts.push((m.signal, 1.0)),
        }
    }
    for (signal, c) in counts {
        out.push((fnv(&[b"#", signal.as_bytes()]), c.min(3.0)));
    }
    // Shape: shouting, exclamations, questions, length.
    out.push((fnv(&[b"#caps"]), shape.caps_ratio.min(1.0)));
    out.push((fnv(&[b"#excl"]), (shape.exclamations as f32).min(3.0) / 3.0));
    out.push((fnv(&[b"#quest"]), (shape.question_marks as f32).min(3.0) / 3.0));
    out.push((fnv(&[b"#len"]), (n.ln() / 6.0).min(1.5)));
    // Signed hashing: the top bit of a feature's hash (never part of a bucket) gives its
    // sign, so features that share a bucket cancel out on average instead of adding up.
    for f in out.iter_mut() {
        if f.0 >> 31 == 1 {
            f.1 = -f.1;
        }
    }
    origin.resize(out.len(), None);
    (out, origin)
}

/// A linear model over hashed features.
#[derive(Debug, Clone)]
pub struct Linear {
    pub classes: usize,
    pub bits: u32,
    pub scale: f32,
    pub bias: Vec<f32>,
    /// Class-major, as in the file.
    pub weights: Vec<i8>,
    /// The same weights bucket-major (all classes of a bucket in one cache line), built
    /// by `new`; what scoring reads.
    by_bucket: Vec<i8>,
}

impl Linear {
    pub fn new(classes: usize, bits: u32, scale: f32, bias: Vec<f32>, weights: Vec<i8>) -> Linear {
        let size = 1usize << bits;
        let mut by_bucket = vec![0i8; weights.len()];
        for c in 0..classes {
            for i in 0..size {
                by_bucket[i * classes + c] = weights[c * size + i];
            }
        }
        Linear { classes, bits, scale, bias, weights, by_bucket }
    }

    /// The weights of one bucket, one per class.
    #[inline]
    pub fn bucket(&self, h: u32) -> &[i8] {
        let at = (h & self.mask()) as usize * self.classes;
        &self.by_bucket[at..at + self.classes]
    }

    pub fn mask(&self) -> u32 {
        (1u32 << self.bits) - 1
    }

    /// Reads a model file; `None` if it is damaged.
    pub fn from_bytes(b: &[u8]) -> Option<Linear> {
        if b.len() < 10 || &b[..4] != b"CLM1" {
            return None;
        }
        let classes = b[4] as usize;
        let bits = b[5] as u32;
        if classes == 0 || !(8..=24).contains(&bits) {
            return None;
        }
        let f = |at: usize| -> Option<f32> { Some(f32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?)) };
        let scale = f(6)?;
        let mut bias = Vec::with_capacity(classes);
        for c in 0..classes {
            bias.push(f(10 + 4 * c)?);
        }
        let start = 10 + 4 * classes;
        let n = classes << bits;
        let weights: Vec<i8> = b.get(start..start + n)?.iter().map(|&x| x as i8).collect();
        (b.len() == start + n && scale.is_finite()).then(|| Linear::new(classes, bits, scale, bias, weights))
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = b"CLM1".to_vec();
        b.push(self.classes as u8);
        b.push(self.bits as u8);
        b.extend(self.scale.to_le_bytes());
        for x in &self.bias {
            b.extend(x.to_le_bytes());
        }
        b.extend(self.weights.iter().map(|&w| w as u8));
        b
    }

    /// Raw scores (logits), one per class.
    pub fn scores(&self, f: &Features) -> Vec<f32> {
        let mut acc = vec![0f32; self.classes];
        for &(h, v) in f {
            for (a, &w) in acc.iter_mut().zip(self.bucket(h)) {
                *a += w as f32 * v;
            }
        }
        acc.iter().zip(&self.bias).map(|(a, b)| a * self.scale + b).collect()
    }

    /// The features that pushed class `class` up most: (feature index in `f`, contribution).
    pub fn top_contributions(&self, f: &Features, class: usize, k: usize) -> Vec<(usize, f32)> {
        let mut v: Vec<(usize, f32)> = f.iter().enumerate().map(|(i, &(h, x))| (i, self.bucket(h)[class] as f32 * self.scale * x)).collect();
        v.sort_by(|a, b| b.1.total_cmp(&a.1));
        v.truncate(k);
        v
    }
}

pub fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

pub fn softmax(s: &[f32]) -> Vec<f32> {
    let m = s.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let e: Vec<f32> = s.iter().map(|x| (x - m).exp()).collect();
    let z: f32 = e.iter().sum();
    e.iter().map(|x| x / z).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::text::{shape, tokenize};

    #[test]
    fn round_trip_and_damage() {
        let m = Linear::new(2, 8, 0.5, vec![0.1, -0.2], (0..512).map(|i| (i % 200) as i8).collect());
        let b = m.to_bytes();
        let back = Linear::from_bytes(&b).unwrap();
        assert_eq!(back.weights, m.weights);
        assert_eq!(back.bias, m.bias);
        // Bucket-major reading agrees with the class-major file.
        assert_eq!(m.bucket(3), [m.weights[3], m.weights[256 + 3]]);
        assert!(Linear::from_bytes(&b[..b.len() - 1]).is_none());
        assert!(Linear::from_bytes(b"CLM1").is_none());
        assert!(Linear::from_bytes(&[]).is_none());
    }

    #[test]
    fn hashing_is_signed_by_the_top_bit() {
        let t = "zwrot pieniędzy nie dotarł do dzisiaj";
        let (f, _) = features(&tokenize(t), &[], shape(t));
        let word = 1.0 / (tokenize(t).len() as f32).sqrt();
        let (mut plus, mut minus) = (0, 0);
        for &(h, v) in f.iter().filter(|x| x.1 != 0.0) {
            assert_eq!(v < 0.0, h >> 31 == 1, "{h:#x} {v}");
            if (v.abs() - word).abs() < 1e-6 {
                if v > 0.0 {
                    plus += 1;
                } else {
                    minus += 1;
                }
            }
        }
        // Words and pairs come out with both signs, as a fair hash bit gives.
        assert!(plus > 0 && minus > 0, "{plus} {minus}");
    }

    #[test]
    fn features_are_deterministic_and_total() {
        for t in ["", "a", "Ááá!!! 💥💥 zwrot ZWROTU", &"x".repeat(10_000)] {
            let toks = tokenize(t);
            let (a, oa) = features(&toks, &[], shape(t));
            let (b, _) = features(&toks, &[], shape(t));
            assert_eq!(a, b);
            assert_eq!(a.len(), oa.len());
            assert!(a.iter().all(|(_, v)| v.is_finite()));
            assert!(oa.iter().flatten().all(|&(s, e)| s < e && e <= toks.len()));
        }
    }
}
