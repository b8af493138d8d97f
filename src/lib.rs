//! # Calmly
//!
//! Finds customer complaints on review sites and social networks, explains what each one
//! is, plans the response from five complaint-handling playbooks, and drafts the reply in
//! the complaint's language — all locally.
//!
//! ```
//! let settings = calmly::Settings { brand: "Loja Exemplo".into(), ..Default::default() };
//! let a = calmly::analyze_text(
//!     "Comprei há duas semanas e até hoje não recebi o pedido. Vou abrir reclamação no Procon!",
//!     None,
//!     &settings,
//! ).unwrap();
//! assert_eq!(a.language, "pt");
//! assert!(a.is_complaint);
//! assert!(a.draft.text.contains("Loja Exemplo"));
//! ```
//!
//! Layers (see `ARCHITECTURE.md`): [`engine`] is pure Rust and knows nothing of browsers;
//! `extract` (native only) turns saved HTML into a page snapshot for the command line;
//! `wasm` (wasm32 only) translates between JS and the engine and renders the sidebar.

pub mod engine;
#[cfg(not(target_arch = "wasm32"))]
pub mod extract;
/// Fuzz target bodies and draft invariants (`fuzz/`, `tests/fuzz_replay.rs`); never in the wasm.
#[cfg(not(target_arch = "wasm32"))]
#[doc(hidden)]
pub mod fuzzing;
#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use engine::{analyze_page, analyze_text, engine, ComplaintAnalysis, Error, PageReport, PageSnapshot, Settings, SnapshotItem};
