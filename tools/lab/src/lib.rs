//! Calmly's evaluation lab (issue 4): the labelled data of `shared/data` as uniform
//! samples, the TF-IDF + logistic-regression baseline, the language-ID comparison, and
//! the metrics. `calmly-lab eval` (src/main.rs) prints the tables; see README.md.

pub mod baseline;
pub mod data;
pub mod langid;
pub mod metrics;
pub mod ours;
pub mod report;
