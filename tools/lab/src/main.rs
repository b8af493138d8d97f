//! `calmly-lab eval [--quick]`: the issue-4 evaluation tables in one run.
//!
//! Build and run with a target dir of its own (so other builds are not blocked):
//!   CARGO_TARGET_DIR=/tmp/target-lab cargo run --release -p calmly-lab -- eval

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use calmly_lab::baseline::{self, CategoryModel, ComplaintModel, Config};
use calmly_lab::data::{self, Sample, Split};
use calmly_lab::langid;
use calmly_lab::metrics::{macro_f1, spearman, Confusion};
use calmly_lab::ours::{self, Prediction};
use calmly_lab::report::{f3, Table};

/// The languages we draft in, and so evaluate.
const LANGS: [&str; 5] = ["pt", "es", "pl", "ro", "en"];

const USAGE: &str = "usage: calmly-lab eval [--quick] [--only SECTION,…] | speed [--quick] | dump [--train|--all]

  eval      load ../shared/data, print every table of issue 4 (a few minutes in release)
  speed     only the language-ID and full-analysis tables, with their speed (native and
            wasm, beside lingua, whatlang and franc): the first part of `./x bench`
  --only    some sections of eval: data, langid, complaints, cross-domain, categories,
            severity, speed
  --quick   small caps (600 samples a source, 200 texts a language for language ID): a smoke run
  dump      the labelled Test samples (--train: the Train split; --all: both) as JSON lines
            that `calmly analyze --jsonl` reads, each with its labels beside the text
            (source, lang, split, complaint, category, intensity), for probing the engine

The data folder is $CALMLY_SHARED/data, else ../shared/data beside the repository, else
/work/shared/data. Build with CARGO_TARGET_DIR=/tmp/target-lab (see tools/lab/README.md).";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let sections = args.get(1..).and_then(eval_sections);
    match args.first().map(String::as_str) {
        Some("eval") if sections.is_some() => match eval(quick, sections.unwrap_or_default()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("calmly-lab: {e}");
                ExitCode::from(1)
            }
        },
        Some("speed") if args.iter().skip(1).all(|a| a == "--quick") => match speed(quick) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("calmly-lab: {e}");
                ExitCode::from(1)
            }
        },
        Some("dump") if args.len() <= 2 => {
            let which = match args.get(1).map(String::as_str) {
                None => Some(Split::Test),
                Some("--train") => Some(Split::Train),
                Some("--all") => None,
                Some(_) => {
                    eprintln!("{USAGE}");
                    return ExitCode::from(2);
                }
            };
            match dump(which) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("calmly-lab: {e}");
                    ExitCode::from(1)
                }
            }
        }
        Some("-h") | Some("--help") | Some("help") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

/// `dump`: every labelled sample of a split (or both) as one JSON line that `calmly
/// analyze --jsonl` reads (`id`, `text`, `title`), with its labels beside for the reader.
fn dump(which: Option<Split>) -> Result<(), String> {
    use std::io::Write;
    let samples = data::load_all()?;
    let out = std::io::stdout();
    let mut out = std::io::BufWriter::new(out.lock());
    for (i, s) in samples.iter().enumerate() {
        if which.is_some_and(|w| w != s.split) || (s.complaint.is_none() && s.category.is_none() && s.intensity.is_none()) {
            continue;
        }
        let line = serde_json::json!({
            "id": format!("{}#{i}", s.source),
            "text": s.text,
            "title": s.title,
            "source": s.source,
            "lang": s.lang,
            "split": if s.split == Split::Test { "test" } else { "train" },
            "complaint": s.complaint,
            "category": s.category,
            "intensity": s.intensity,
        });
        writeln!(out, "{line}").map_err(|e| e.to_string())?;
    }
    out.flush().map_err(|e| e.to_string())
}

/// Everything the sections share.
struct Ctx {
    samples: Vec<Sample>,
    /// Our predictions, by sample index, for every Test sample that carries a label.
    preds: HashMap<usize, Prediction>,
    quick: bool,
    cfg: Config,
}

impl Ctx {
    fn test(&self) -> impl Iterator<Item = (usize, &Sample)> {
        self.samples.iter().enumerate().filter(|(_, s)| s.split == Split::Test)
    }

    fn train(&self) -> impl Iterator<Item = (usize, &Sample)> {
        self.samples.iter().enumerate().filter(|(_, s)| s.split == Split::Train)
    }
}

/// `eval`'s flags (`--quick`, `--only SECTION[,SECTION…]`): the sections to print, or
/// `None` for a flag it does not know.
fn eval_sections(args: &[String]) -> Option<Vec<String>> {
    let mut sections: Vec<String> = SECTIONS.iter().map(|s| s.to_string()).collect();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--quick" => {}
            "--only" => sections = it.next()?.split(',').map(str::to_string).collect(),
            _ => return None,
        }
    }
    Some(sections)
}

/// The sections of `eval`, by the names `--only` takes.
const SECTIONS: [&str; 7] = ["data", "langid", "complaints", "cross-domain", "categories", "severity", "speed"];

fn eval(quick: bool, only: Vec<String>) -> Result<(), String> {
    if let Some(bad) = only.iter().find(|s| !SECTIONS.contains(&s.as_str())) {
        return Err(format!("unknown section {bad:?}: one of {}", SECTIONS.join(", ")));
    }
    let on = |s: &str| only.iter().any(|x| x == s);
    let started = Instant::now();
    let cap = if quick { 600 } else { data::DEFAULT_CAP };
    let dir = data::shared_data_dir().ok_or("shared data not found: set CALMLY_SHARED to the folder that holds data/")?;
    let samples = data::load_all_capped(cap)?;
    ours::warm_up()?;
    println!("# calmly-lab eval{}", if quick { " --quick" } else { "" });
    println!();
    println!("data: {} · {} samples (≤ {cap} per source) · split: FNV-1a of the normalised text, {}% Test", dir.display(), samples.len(), data::TEST_PERCENT);
    println!("engine: calmly {} (this build), analyze_item on text + title only (never the rating)", env!("CARGO_PKG_VERSION"));
    println!("loading took {:.1} s", started.elapsed().as_secs_f64());

    let t = Instant::now();
    let mut preds = HashMap::new();
    for (i, s) in samples.iter().enumerate() {
        if s.split == Split::Test && (s.complaint.is_some() || s.category.is_some() || s.intensity.is_some()) {
            preds.insert(i, ours::ours(s));
        }
    }
    let ours_seconds = t.elapsed().as_secs_f64();
    let ctx = Ctx { samples, preds, quick, cfg: Config::default() };

    if on("data") {
        section_data(&ctx);
    }
    if on("langid") {
        section_langid(&ctx);
        section_langid_out_of_domain(&dir);
    }
    if on("complaints") {
        section_complaints(&ctx);
    }
    if on("cross-domain") {
        section_cross_domain(&ctx);
    }
    if on("categories") {
        section_categories(&ctx);
    }
    if on("severity") {
        section_severity(&ctx);
    }
    if on("speed") {
        section_speed(&ctx);
    }
    println!();
    println!(
        "done in {:.1} s (our predictions on {} labelled Test samples: {:.1} s)",
        started.elapsed().as_secs_f64(),
        ctx.preds.len(),
        ours_seconds
    );
    Ok(())
}

/// The speed tables alone (issue 7's benchmark): language ID beside lingua, whatlang and
/// franc, and the full analysis natively and in wasm.
fn speed(quick: bool) -> Result<(), String> {
    let cap = if quick { 600 } else { data::DEFAULT_CAP };
    let samples = data::load_all_capped(cap)?;
    ours::warm_up()?;
    let ctx = Ctx { samples, preds: HashMap::new(), quick, cfg: Config::default() };
    section_langid(&ctx);
    section_speed(&ctx);
    Ok(())
}

/// Language ID on text no model was trained on: the seed articles' sentences (pt, pl, ro,
/// es), and the reviews and comments of the saved real pages (en Amazon reviews, it
/// Trustpilot reviews: Italian is recognised, not drafted in).
fn section_langid_out_of_domain(dir: &Path) {
    heading(
        "Language ID out of domain",
        "Texts from no training source: sentences (20+ characters) of the five seed articles, and the reviews on the saved Amazon (en) and Trustpilot (it) pages, read by the engine's own page extractor. Accuracy:",
    );
    let mut texts: Vec<(String, &str)> = Vec::new();
    let seeds = dir.parent().map(|p| p.join("seeds")).unwrap_or_default();
    for (file, lang) in [("000", "pt"), ("001", "pl"), ("002", "ro"), ("003", "es"), ("004", "pt")] {
        let Some(path) = std::fs::read_dir(&seeds).ok().into_iter().flatten().flatten().map(|e| e.path()).find(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with(file))) else { continue };
        let body = std::fs::read_to_string(&path).unwrap_or_default();
        for sentence in body.split(['.', '!', '?', '\n']).map(str::trim).filter(|s| s.chars().count() >= 20) {
            texts.push((sentence.to_string(), lang));
        }
    }
    let engine = calmly::engine::engine().ok();
    for (file, url, lang) in [
        ("amazon/amazon_com_product_reviews_samsung_monitor.html", "https://www.amazon.com/product-reviews/B01IPHVFUI", "en"),
        ("trustpilot/trustpilot_it_review_studiosamo.html", "https://it.trustpilot.com/review/studiosamo.it", "it"),
    ] {
        let (Some(e), Ok(html)) = (engine, std::fs::read_to_string(dir.join("pages").join(file))) else { continue };
        if let Ok(snap) = calmly::extract::snapshot_from_html(e, &html, Some(url)) {
            texts.extend(snap.items.into_iter().filter(|i| i.text.chars().count() >= 20).map(|i| (i.text, lang)));
        }
    }
    if texts.is_empty() {
        println!("(seeds and pages not found)");
        return;
    }
    let refs: Vec<&str> = texts.iter().map(|t| t.0.as_str()).collect();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("franc.mjs");
    let runs = langid::run_all(&refs, &script);
    let langs: Vec<&str> = ["pt", "pl", "ro", "es", "en", "it"].into_iter().filter(|l| texts.iter().any(|t| t.1 == *l)).collect();
    let mut rows = Vec::new();
    for lang in langs.iter().copied().map(Some).chain([None]) {
        let idx: Vec<usize> = (0..texts.len()).filter(|&i| lang.is_none_or(|l| texts[i].1 == l)).collect();
        let mut row = vec![lang.unwrap_or("all").to_string(), idx.len().to_string()];
        for run in &runs {
            row.push(match &run.unavailable {
                Some(_) => "n/a".into(),
                None => format!("{:.3}", idx.iter().filter(|&&i| run.preds[i] == texts[i].1).count() as f64 / idx.len().max(1) as f64),
            });
        }
        rows.push(row);
    }
    let mut header = vec!["lang", "n"];
    header.extend(runs.iter().map(|r| r.name));
    let mut t = Table::new(&header);
    for r in rows {
        t.row(r);
    }
    print!("{}", t.render());
}

/// Up to `n` Test samples of a language with at least `min_chars` characters, chosen by a
/// salted hash of the text (so every source is represented), in sample order.
fn pick(ctx: &Ctx, lang: &str, n: usize, salt: &str, min_chars: usize) -> Vec<usize> {
    let mut c: Vec<(u64, usize)> = ctx
        .test()
        .filter(|(_, s)| s.lang == lang && s.text.chars().count() >= min_chars)
        .map(|(i, s)| (data::fnv1a(format!("{salt}\u{0}{}", s.text).as_bytes()), i))
        .collect();
    c.sort_unstable();
    let mut v: Vec<usize> = c.into_iter().take(n).map(|x| x.1).collect();
    v.sort_unstable();
    v
}

fn heading(title: &str, note: &str) {
    println!();
    println!("## {title}");
    if !note.is_empty() {
        println!();
        println!("{note}");
    }
    println!();
}

// ---------------------------------------------------------------------------------------
// Data

fn section_data(ctx: &Ctx) {
    heading("Data", "Per source: samples kept, split, complaint labels (yes / no / unlabelled), mapped categories and graded intensities.");
    let mut t = Table::new(&["source", "lang", "domains", "n", "train", "test", "compl.", "not", "unlab.", "category", "intensity"]);
    for source in data::SOURCES {
        let v: Vec<&Sample> = ctx.samples.iter().filter(|s| s.source == source).collect();
        if v.is_empty() {
            continue;
        }
        let domains: BTreeSet<&str> = v.iter().map(|s| s.domain).collect();
        let count = |f: &dyn Fn(&Sample) -> bool| v.iter().filter(|s| f(s)).count().to_string();
        t.row(vec![
            source.to_string(),
            v[0].lang.to_string(),
            domains.into_iter().collect::<Vec<_>>().join("+"),
            v.len().to_string(),
            count(&|s| s.split == Split::Train),
            count(&|s| s.split == Split::Test),
            count(&|s| s.complaint == Some(true)),
            count(&|s| s.complaint == Some(false)),
            count(&|s| s.complaint.is_none()),
            count(&|s| s.category.is_some()),
            count(&|s| s.intensity.is_some()),
        ]);
    }
    print!("{}", t.render());
}

// ---------------------------------------------------------------------------------------
// Language ID

fn section_langid(ctx: &Ctx) {
    let per_lang = if ctx.quick { 200 } else { 2000 };
    heading(
        "Language ID",
        &format!(
            "Test-split texts of 20+ characters, label = the source's language, at most {per_lang} per language (chosen by hash, all sources mixed). \
Every detector is restricted to pt es pl ro en it fr de; \"und\" counts as wrong. Accuracy:"
        ),
    );
    let mut chosen: Vec<usize> = LANGS.iter().flat_map(|lang| pick(ctx, lang, per_lang, "langid", 20)).collect();
    chosen.sort_unstable();
    let texts: Vec<&str> = chosen.iter().map(|&i| ctx.samples[i].text.as_str()).collect();
    let gold: Vec<&str> = chosen.iter().map(|&i| ctx.samples[i].lang).collect();
    let bytes: usize = texts.iter().map(|t| t.len()).sum();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("franc.mjs");
    let runs = langid::run_all(&texts, &script);

    let acc = |run: &langid::Run, keep: &dyn Fn(usize) -> bool| -> String {
        if run.unavailable.is_some() {
            return "n/a".into();
        }
        let (mut n, mut ok) = (0usize, 0usize);
        for k in 0..texts.len() {
            if keep(k) {
                n += 1;
                if run.preds[k] == gold[k] {
                    ok += 1;
                }
            }
        }
        if n == 0 {
            "–".into()
        } else {
            format!("{:.3}", ok as f64 / n as f64)
        }
    };
    let mut header = vec!["lang", "n"];
    header.extend(runs.iter().map(|r| r.name));
    let mut t = Table::new(&header);
    for lang in LANGS {
        let n = gold.iter().filter(|g| **g == lang).count();
        let mut row = vec![lang.to_string(), n.to_string()];
        row.extend(runs.iter().map(|r| acc(r, &|k| gold[k] == lang)));
        t.row(row);
    }
    let mut row = vec!["all".to_string(), texts.len().to_string()];
    row.extend(runs.iter().map(|r| acc(r, &|_| true)));
    t.row(row);
    print!("{}", t.render());

    println!();
    println!("Per source (\"others agree elsewhere\": lingua, whatlang and franc all name the same other language — likely a text not in the source's language):");
    println!();
    let mut header = vec!["source", "lang", "n"];
    header.extend(runs.iter().map(|r| r.name));
    header.push("others agree elsewhere");
    let mut t = Table::new(&header);
    let others: Vec<&langid::Run> = runs.iter().filter(|r| r.name != "ours" && r.unavailable.is_none()).collect();
    for source in data::SOURCES {
        let idx: Vec<usize> = (0..chosen.len()).filter(|&k| ctx.samples[chosen[k]].source == source).collect();
        if idx.is_empty() {
            continue;
        }
        let mut row = vec![source.to_string(), ctx.samples[chosen[idx[0]]].lang.to_string(), idx.len().to_string()];
        row.extend(runs.iter().map(|r| acc(r, &|k| ctx.samples[chosen[k]].source == source)));
        let elsewhere = idx
            .iter()
            .filter(|&&k| others.len() >= 2 && others.iter().all(|r| r.preds[k] == others[0].preds[k]) && others[0].preds[k] != gold[k] && others[0].preds[k] != "und")
            .count();
        row.push(elsewhere.to_string());
        t.row(row);
    }
    print!("{}", t.render());

    println!();
    println!("Speed on the same {} texts ({:.0} KB), one thread, models loaded beforehand (franc timed inside node):", texts.len(), bytes as f64 / 1024.0);
    println!();
    let mut t = Table::new(&["detector", "texts/s", "µs per KB", "loop s", "note"]);
    for r in &runs {
        match &r.unavailable {
            Some(why) => t.row(vec![r.name.into(), "–".into(), "–".into(), "–".into(), why.clone()]),
            None => t.row(vec![r.name.into(), format!("{:.0}", r.texts_per_second()), format!("{:.1}", r.us_per_kb(bytes)), format!("{:.3}", r.seconds), String::new()]),
        }
    }
    print!("{}", t.render());

    section_langid_page(ctx);

    if let Some(o) = runs.iter().find(|r| r.name == "ours" && r.unavailable.is_none()) {
        let mut errs: BTreeMap<(String, String), usize> = BTreeMap::new();
        for k in 0..texts.len() {
            if o.preds[k] != gold[k] {
                *errs.entry((gold[k].to_string(), o.preds[k].clone())).or_insert(0) += 1;
            }
        }
        let mut errs: Vec<_> = errs.into_iter().collect();
        errs.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let shown: Vec<String> = errs.iter().take(10).map(|((g, p), n)| format!("{g}→{p} {n}")).collect();
        println!();
        println!("Our most frequent errors (label→answer count): {}", if shown.is_empty() { "none".into() } else { shown.join(", ") });
    }
}

// ---------------------------------------------------------------------------------------
// Complaint detection

/// P, R, F1, TNR cells: P needs both classes, TNR negatives, R and F1 complaints.
fn prf_cells(c: &Confusion) -> [String; 4] {
    let has_neg = c.negatives() > 0;
    let has_pos = c.positives() > 0;
    [
        if has_neg && has_pos { f3(c.precision().or(Some(0.0))) } else { "–".into() },
        if has_pos { f3(c.recall()) } else { "–".into() },
        if has_pos { f3(c.f1()) } else { "–".into() },
        if has_neg { f3(c.specificity()) } else { "–".into() },
    ]
}

fn fit_complaints(ctx: &Ctx, keep: &dyn Fn(&Sample) -> bool) -> ComplaintModel {
    let train: Vec<(String, bool)> = ctx.train().filter(|(_, s)| keep(s)).filter_map(|(_, s)| s.complaint.map(|c| (s.full_text(), c))).collect();
    let texts: Vec<&str> = train.iter().map(|x| x.0.as_str()).collect();
    let labels: Vec<bool> = train.iter().map(|x| x.1).collect();
    ComplaintModel::fit(&texts, &labels, ctx.cfg)
}

/// Ours and the baseline on the labelled Test samples that `keep` selects, and the
/// per-sample (gold, ours, base) triples for the bootstrap.
fn confusions(ctx: &Ctx, model: &ComplaintModel, keep: &dyn Fn(&Sample) -> bool) -> (Confusion, Confusion, Vec<(bool, bool, bool)>) {
    let (mut o, mut b, mut triples) = (Confusion::default(), Confusion::default(), Vec::new());
    for (i, s) in ctx.test().filter(|(_, s)| keep(s)) {
        let Some(gold) = s.complaint else { continue };
        let (po, pb) = (ctx.preds[&i].is_complaint, model.predict(&s.full_text()));
        o.add(gold, po);
        b.add(gold, pb);
        triples.push((gold, po, pb));
    }
    (o, b, triples)
}

/// "+0.012 [−0.004, +0.027]": F1 ours − base with its 95 % paired-bootstrap interval, in
/// bold when the interval excludes 0; "–" where F1 is undefined.
fn delta_cell(triples: &[(bool, bool, bool)]) -> String {
    match calmly_lab::metrics::paired_bootstrap_f1(triples, BOOTSTRAP_REPS) {
        Some(d) => {
            let cell = format!("{:+.3} [{:+.3}, {:+.3}]", d.delta, d.low, d.high);
            if d.low > 0.0 || d.high < 0.0 { format!("**{cell}**") } else { cell }
        }
        None => "–".into(),
    }
}

/// The short-text slice of the complaint table: comments and tweets rather than reviews.
const SHORT: &str = "short";
const SHORT_WORDS: usize = 12;

/// Bootstrap resamples for the ΔF1 intervals.
const BOOTSTRAP_REPS: usize = 1000;

fn section_complaints(ctx: &Ctx) {
    heading(
        "Complaint detection",
        "Test split. ours = analyze_item(text, title).is_complaint; base = TF-IDF (word 1–2-grams) + logistic regression trained on the Train split of \
the same language's labelled sources. P needs both classes, TNR (share of non-complaints left alone) needs non-complaints, R and F1 need complaints: \"–\" where the set lacks them \
(Reclame Aqui and CFPB are recall only; ro_sart and Mozetic tweets are non-complaint distractors). After each language's pooled row, its texts of \
≤ 12 words. ΔF1 = ours − base with its 95 % interval (paired bootstrap, 1,000 resamples of the same samples); in bold when the interval excludes 0, \
i.e. when this Test set can tell the two apart.",
    );
    let mut t = Table::new(&["lang", "source", "n", "compl.", "ours P", "ours R", "ours F1", "ours TNR", "base P", "base R", "base F1", "base TNR", "ΔF1 [95% CI]"]);
    let mut chosen_c = Vec::new();
    for lang in LANGS {
        let model = fit_complaints(ctx, &|s| s.lang == lang);
        chosen_c.push(format!("{lang} {}", model.c));
        let mut sources: Vec<&str> = ctx.test().filter(|(_, s)| s.lang == lang && s.complaint.is_some()).map(|(_, s)| s.source).collect();
        sources.dedup();
        let mut rows = Vec::new();
        for src in sources.iter().chain([&"all", &SHORT]) {
            let keep = |s: &Sample| s.lang == lang && (*src == "all" || s.source == *src || (*src == SHORT && s.full_text().split_whitespace().count() <= SHORT_WORDS));
            let (o, b, triples) = confusions(ctx, &model, &keep);
            let name = match *src {
                "all" => "**all**".to_string(),
                s if s == SHORT => format!("all, texts of ≤ {SHORT_WORDS} words"),
                s => s.to_string(),
            };
            let mut row = vec![lang.to_string(), name, o.n().to_string(), o.positives().to_string()];
            row.extend(prf_cells(&o));
            row.extend(prf_cells(&b));
            row.push(delta_cell(&triples));
            rows.push(row);
        }
        for r in rows {
            t.row(r);
        }
    }
    print!("{}", t.render());
    println!();
    println!("Baseline C (chosen on a validation fifth of Train): {}", chosen_c.join(", "));
    // Praise gets a thank-you and a question an answer instead of an apology; a complaint
    // must never get either.
    println!();
    println!("Draft kinds (text and title only, no stars), per language: of the labelled complaints, how many got a thank-you or a question's answer (must stay near 0); of the labelled non-complaints, how many:");
    println!();
    let mut t = Table::new(&["lang", "complaints", "thanked", "answered as a question", "non-complaints", "thanked ", "answered as a question "]);
    for lang in LANGS {
        // [complaint?][kind]: n, thanks, question
        let mut k = [[0usize; 3]; 2];
        for (i, s) in ctx.test().filter(|(_, s)| s.lang == lang) {
            let (Some(p), Some(gold)) = (ctx.preds.get(&i), s.complaint) else { continue };
            let row = &mut k[usize::from(gold)];
            row[0] += 1;
            row[1] += usize::from(p.reply == "thanks");
            row[2] += usize::from(p.reply == "question");
        }
        let pct = |x: usize, of: usize| if of == 0 { "–".to_string() } else { format!("{x} ({:.1} %)", 100.0 * x as f64 / of as f64) };
        let [no, yes] = k;
        t.row(vec![lang.to_string(), yes[0].to_string(), pct(yes[1], yes[0]), pct(yes[2], yes[0]), no[0].to_string(), pct(no[1], no[0]), pct(no[2], no[0])]);
    }
    print!("{}", t.render());
    // Bad faith: no source is known to hold extortion attempts, so an extortion flag here is
    // most likely a false alarm (the reply would state the review policy to an honest
    // customer); abuse may be real.
    println!();
    println!("Bad faith (answered with the policy instead of an apology), per language, on the labelled Test texts: extortion (a demand tied to the rating; no source is known to hold any, so these are likely false alarms) and abuse with no concrete issue:");
    println!();
    let mut t = Table::new(&["lang", "texts", "extortion", "abuse", "first extortion flags"]);
    for lang in LANGS {
        let (mut n, mut ext, mut abuse, mut shown) = (0, 0, 0, Vec::new());
        for (i, s) in ctx.test().filter(|(_, s)| s.lang == lang) {
            let Some(p) = ctx.preds.get(&i) else { continue };
            n += 1;
            match p.bad_faith {
                Some("extortion") => {
                    ext += 1;
                    if shown.len() < 2 {
                        let t: String = s.full_text().chars().take(70).collect();
                        shown.push(format!("“{}…”", t.replace('|', "/").replace('\n', " ")));
                    }
                }
                Some(_) => abuse += 1,
                None => {}
            }
        }
        let pct = |x: usize| if n == 0 { "–".to_string() } else { format!("{x} ({:.2} %)", 100.0 * x as f64 / n as f64) };
        t.row(vec![lang.to_string(), n.to_string(), pct(ext), pct(abuse), shown.join(" ")]);
    }
    print!("{}", t.render());
}

/// Short texts with and without the page's declared language (`<html lang>`, a prior worth
/// `lang::PAGE_PRIOR_WORDS` words): on a page in the text's language, and on a page in
/// another of ours (en, or es for English texts: comments under an English interface).
fn section_langid_page(ctx: &Ctx) {
    println!();
    println!("Short texts and the page's language (ours; every Test-split text of that length, all languages pooled; \"und\" counts as wrong):");
    println!();
    let mut t = Table::new(&["characters", "n", "no page language", "page in the text's language", "page in another language"]);
    for (lo, hi) in [(8usize, 20usize), (20, 40), (40, 80)] {
        let (mut n, mut none, mut right, mut wrong) = (0usize, 0usize, 0usize, 0usize);
        for (_, s) in ctx.test() {
            let c = s.text.chars().count();
            if c < lo || c >= hi {
                continue;
            }
            let other = if s.lang == "en" { "es" } else { "en" };
            let read = |page: Option<&str>| ours::ours_language_on_page(&s.text, page) == s.lang;
            n += 1;
            none += usize::from(read(None));
            right += usize::from(read(Some(s.lang)));
            wrong += usize::from(read(Some(other)));
        }
        let share = |k: usize| if n == 0 { "–".to_string() } else { format!("{:.3}", k as f64 / n as f64) };
        t.row(vec![format!("{lo}–{}", hi - 1), n.to_string(), share(none), share(right), share(wrong)]);
    }
    print!("{}", t.render());
}

/// (lang, train name, train sources, test name, test sources)
type CrossPair = (&'static str, &'static str, &'static [&'static str], &'static str, &'static [&'static str]);

const CROSS: &[CrossPair] = &[
    ("pt", "reviews (Olist)", &[data::OLIST], "complaints (Reclame Aqui)", &[data::RA_BANKS, data::RA_HEALTH]),
    ("pt", "complaints (Reclame Aqui)", &[data::RA_BANKS, data::RA_HEALTH], "reviews (Olist)", &[data::OLIST]),
    ("es", "reviews (SFU)", &[data::SFU], "hotels+restaurants (TripAdvisor)", &[data::CUBA]),
    ("es", "hotels+restaurants (TripAdvisor)", &[data::CUBA], "reviews (SFU)", &[data::SFU]),
    ("pl", "reviews (Ceneo+Allegro)", &[data::CENEO, data::ALLEGRO], "tweets (Mozetic)", &[data::MOZETIC]),
    ("pl", "tweets (Mozetic)", &[data::MOZETIC], "reviews (Ceneo+Allegro)", &[data::CENEO, data::ALLEGRO]),
    ("pl", "Allegro", &[data::ALLEGRO], "Ceneo", &[data::CENEO]),
    ("ro", "reviews (LaRoSeDa+ro_sent)", &[data::LAROSEDA, data::RO_SENT], "tweets (SART)", &[data::RO_SART]),
    ("ro", "tweets (SART)", &[data::RO_SART], "reviews (LaRoSeDa+ro_sent)", &[data::LAROSEDA, data::RO_SENT]),
    ("ro", "LaRoSeDa", &[data::LAROSEDA], "ro_sent", &[data::RO_SENT]),
    ("ro", "ro_sent", &[data::RO_SENT], "LaRoSeDa", &[data::LAROSEDA]),
    ("en", "tweets (ACL 2019)", &[data::ACL], "complaints (CFPB)", &[data::CFPB]),
    ("en", "complaints (CFPB)", &[data::CFPB], "tweets (ACL 2019)", &[data::ACL]),
];

fn section_cross_domain(ctx: &Ctx) {
    heading(
        "Complaint detection across domains",
        "The baseline trained on one domain's Train split, tested on another domain's Test split; ours needs no training, so its cells are simply \
its scores on the test domain. \"one class\": the training side has only complaints or only non-complaints, so no classifier can be trained on it. \
ΔF1 as in the table above.",
    );
    let mut t = Table::new(&["lang", "trained on", "tested on", "n", "compl.", "ours P", "ours R", "ours F1", "ours TNR", "base P", "base R", "base F1", "base TNR", "ΔF1 [95% CI]"]);
    for (lang, train_name, train_src, test_name, test_src) in CROSS {
        let model = fit_complaints(ctx, &|s| train_src.contains(&s.source));
        let keep = |s: &Sample| test_src.contains(&s.source);
        let (o, b, triples) = confusions(ctx, &model, &keep);
        if o.n() == 0 {
            continue;
        }
        let mut row = vec![lang.to_string(), train_name.to_string(), test_name.to_string(), o.n().to_string(), o.positives().to_string()];
        row.extend(prf_cells(&o));
        if model.is_trained() {
            row.extend(prf_cells(&b));
            row.push(delta_cell(&triples));
        } else {
            row.extend(["one class".to_string(), "–".into(), "–".into(), "–".into(), "–".into()]);
        }
        t.row(row);
    }
    print!("{}", t.render());
}

// ---------------------------------------------------------------------------------------
// Categories

fn section_categories(ctx: &Ctx) {
    heading(
        "Complaint categories",
        "Test split of the complaints whose source tag maps to one of our ids (Reclame Aqui tags, CFPB issue/sub-issue: tools/lab/README.md). \
Macro-F1 = mean F1 over the gold classes present; a predicted class absent from gold (e.g. \"other\") only counts as an error; \
mF1 (≥5) = the same over the classes with at least 5 test samples. base = TF-IDF + softmax regression trained on the Train split of the same \
language (all sectors).",
    );
    let mut summary = Table::new(&["lang", "scope", "n", "classes", "ours macro-F1", "ours acc.", "base macro-F1", "base acc.", "ours mF1 (≥5)", "base mF1 (≥5)"]);
    let mut chosen_c = Vec::new();
    let mut per_class = Table::new(&["lang", "class", "support", "ours F1", "base F1"]);
    for lang in ["pt", "en"] {
        let train: Vec<(String, String)> =
            ctx.train().filter(|(_, s)| s.lang == lang).filter_map(|(_, s)| s.category.clone().map(|c| (s.full_text(), c))).collect();
        if train.is_empty() {
            continue;
        }
        let texts: Vec<&str> = train.iter().map(|x| x.0.as_str()).collect();
        let labels: Vec<String> = train.iter().map(|x| x.1.clone()).collect();
        let model = CategoryModel::fit(&texts, &labels, ctx.cfg);
        chosen_c.push(format!("{lang} {}", model.c));
        let test: Vec<(usize, &Sample)> = ctx.test().filter(|(_, s)| s.lang == lang && s.category.is_some()).collect();
        let base_pred: HashMap<usize, String> = test.iter().map(|(i, s)| (*i, model.predict(&s.full_text()))).collect();
        let mut sectors: Vec<&str> = test.iter().map(|(_, s)| data::sector(s.source)).collect();
        sectors.sort();
        sectors.dedup();
        let scopes: Vec<&str> = std::iter::once("all").chain(sectors.iter().copied()).collect();
        for scope in scopes {
            let sel: Vec<&(usize, &Sample)> = test.iter().filter(|(_, s)| scope == "all" || data::sector(s.source) == scope).collect();
            let gold: Vec<String> = sel.iter().map(|(_, s)| s.category.clone().unwrap_or_default()).collect();
            let o: Vec<String> = sel.iter().map(|(i, _)| ctx.preds[i].category.clone()).collect();
            let b: Vec<String> = sel.iter().map(|(i, _)| base_pred[i].clone()).collect();
            let (mo, mb) = (macro_f1(&gold, &o), macro_f1(&gold, &b));
            let name = if scope == "all" { "**all**".to_string() } else { format!("sector: {scope}") };
            summary.row(vec![
                lang.into(),
                name,
                gold.len().to_string(),
                mo.per_class.len().to_string(),
                f3(Some(mo.macro_f1)),
                f3(Some(mo.accuracy)),
                f3(Some(mb.macro_f1)),
                f3(Some(mb.accuracy)),
                f3(macro_f1_min_support(&mo, 5)),
                f3(macro_f1_min_support(&mb, 5)),
            ]);
            if scope == "all" {
                for (class, (f, support)) in &mo.per_class {
                    per_class.row(vec![lang.into(), class.clone(), support.to_string(), f3(Some(*f)), f3(Some(mb.per_class[class].0))]);
                }
            }
        }
    }
    // Across sectors (pt): the baseline trained on one sector only.
    for (train_sector, test_sector) in [("banks", "health"), ("health", "banks")] {
        let train: Vec<(String, String)> = ctx
            .train()
            .filter(|(_, s)| s.lang == "pt" && data::sector(s.source) == train_sector)
            .filter_map(|(_, s)| s.category.clone().map(|c| (s.full_text(), c)))
            .collect();
        let test: Vec<(usize, &Sample)> = ctx.test().filter(|(_, s)| s.lang == "pt" && data::sector(s.source) == test_sector && s.category.is_some()).collect();
        if train.is_empty() || test.is_empty() {
            continue;
        }
        let texts: Vec<&str> = train.iter().map(|x| x.0.as_str()).collect();
        let labels: Vec<String> = train.iter().map(|x| x.1.clone()).collect();
        let model = CategoryModel::fit(&texts, &labels, ctx.cfg);
        let gold: Vec<String> = test.iter().map(|(_, s)| s.category.clone().unwrap_or_default()).collect();
        let o: Vec<String> = test.iter().map(|(i, _)| ctx.preds[i].category.clone()).collect();
        let b: Vec<String> = test.iter().map(|(_, s)| model.predict(&s.full_text())).collect();
        let (mo, mb) = (macro_f1(&gold, &o), macro_f1(&gold, &b));
        summary.row(vec![
            "pt".into(),
            format!("base trained on {train_sector} only → {test_sector}"),
            gold.len().to_string(),
            mo.per_class.len().to_string(),
            f3(Some(mo.macro_f1)),
            f3(Some(mo.accuracy)),
                f3(Some(mb.macro_f1)),
            f3(Some(mb.accuracy)),
            f3(macro_f1_min_support(&mo, 5)),
            f3(macro_f1_min_support(&mb, 5)),
        ]);
    }
    print!("{}", summary.render());
    println!();
    println!("Baseline C (chosen on a validation fifth of Train): {}", chosen_c.join(", "));
    println!();
    println!("Per class (all sectors):");
    println!();
    print!("{}", per_class.render());

    // Where ours goes wrong: gold class (rows) against our answer (columns).
    for lang in ["pt", "en"] {
        let mut cells: BTreeMap<(String, String), usize> = BTreeMap::new();
        for (i, s) in ctx.test().filter(|(_, s)| s.lang == lang) {
            if let Some(gold) = &s.category {
                *cells.entry((gold.clone(), ctx.preds[&i].category.clone())).or_insert(0) += 1;
            }
        }
        if cells.is_empty() {
            continue;
        }
        let mut answers: Vec<&str> = cells.keys().map(|(_, p)| p.as_str()).collect();
        answers.sort();
        answers.dedup();
        let mut golds: Vec<&str> = cells.keys().map(|(g, _)| g.as_str()).collect();
        golds.dedup();
        let mut head = vec![format!("{lang}: gold ↓ ours →")];
        head.extend(answers.iter().map(|a| a.to_string()));
        let mut t = Table::new(&head.iter().map(String::as_str).collect::<Vec<_>>());
        for g in golds {
            let mut row = vec![g.to_string()];
            row.extend(answers.iter().map(|a| cells.get(&(g.to_string(), a.to_string())).map_or(String::new(), |n| n.to_string())));
            t.row(row);
        }
        println!();
        println!("Confusion ({lang}, all sectors):");
        println!();
        print!("{}", t.render());
    }
}

/// Macro-F1 over the gold classes with at least `min` test samples (tiny classes make
/// the plain macro-F1 jump by whole points on one text).
fn macro_f1_min_support(m: &calmly_lab::metrics::MacroF1, min: usize) -> Option<f64> {
    let v: Vec<f64> = m.per_class.values().filter(|(_, n)| *n >= min).map(|(f, _)| *f).collect();
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

// ---------------------------------------------------------------------------------------
// Severity

fn section_severity(ctx: &Ctx) {
    heading(
        "Severity",
        "Spearman's ρ (ties averaged) between a score and the human-graded dissatisfaction, on the Test split: stars among complaints (1★ above 2★; \
Ceneo half stars), PolEmo strong vs weak negative (WCCRS product sentences). ours = severity_score; heuristic = 0.5·capitals share + 0.3·min(\"!\", 3)/3 \
+ 0.2·log-length (baseline.rs).",
    );
    let mut t = Table::new(&["lang", "source", "n", "graded levels", "ours ρ", "heuristic ρ"]);
    for lang in LANGS {
        let mut sources: Vec<&str> = ctx.test().filter(|(_, s)| s.lang == lang && s.intensity.is_some()).map(|(_, s)| s.source).collect();
        sources.sort();
        sources.dedup();
        // Sources grade on different scales, so they are not pooled: the language's row is
        // the mean of the sources' ρ weighted by their sizes.
        let (mut wn, mut wo, mut wh) = (0usize, 0.0f64, 0.0f64);
        for src in &sources {
            let sel: Vec<(usize, &Sample)> = ctx.test().filter(|(_, s)| s.source == *src && s.intensity.is_some()).collect();
            let human: Vec<f64> = sel.iter().map(|(_, s)| f64::from(s.intensity.unwrap_or(0.0))).collect();
            let o: Vec<f64> = sel.iter().map(|(i, _)| f64::from(ctx.preds[i].severity_score)).collect();
            let h: Vec<f64> = sel.iter().map(|(_, s)| f64::from(baseline::intensity_heuristic(&s.full_text()))).collect();
            let levels: BTreeSet<u32> = human.iter().map(|x| (x * 1000.0) as u32).collect();
            let (ro, rh) = (spearman(&o, &human), spearman(&h, &human));
            if let (Some(a), Some(b)) = (ro, rh) {
                wn += sel.len();
                wo += a * sel.len() as f64;
                wh += b * sel.len() as f64;
            }
            t.row(vec![lang.into(), src.to_string(), sel.len().to_string(), levels.len().to_string(), f3(ro), f3(rh)]);
        }
        if sources.len() > 1 && wn > 0 {
            t.row(vec![lang.into(), "**weighted mean**".into(), wn.to_string(), "".into(), f3(Some(wo / wn as f64)), f3(Some(wh / wn as f64))]);
        }
    }
    print!("{}", t.render());
    // How ours spreads its levels over these complaints.
    let mut levels: BTreeMap<String, usize> = BTreeMap::new();
    for (i, s) in ctx.test() {
        if s.intensity.is_some() {
            *levels.entry(ctx.preds[&i].severity.clone()).or_insert(0) += 1;
        }
    }
    let list: Vec<String> = levels.iter().map(|(l, n)| format!("{l} {n}")).collect();
    println!();
    println!("Our severity levels on these samples: {}", list.join(", "));
}

// ---------------------------------------------------------------------------------------
// Speed

fn section_speed(ctx: &Ctx) {
    let limit = if ctx.quick { 300 } else { 3000 };
    heading(
        "Speed of the full analysis",
        &format!(
            "analyze_item (language, lexicon matching, classification, plan, draft) on Test texts, at most {limit} per language, \
one thread, engine built beforehand. This binary's profile: {}.",
            profile()
        ),
    );
    let settings = calmly::Settings::default();
    let mut t = Table::new(&["lang", "texts", "KB", "analyses/s", "ms per KB", "µs per analysis", "wasm ms per KB", "wasm µs per analysis"]);
    let (mut all_n, mut all_bytes, mut all_s, mut all_w) = (0usize, 0usize, 0.0f64, Some(0.0f64));
    for lang in LANGS {
        let items: Vec<calmly::SnapshotItem> = pick(ctx, lang, limit, "speed", 0).into_iter().map(|i| ours::item_for(&ctx.samples[i])).collect();
        if items.is_empty() {
            continue;
        }
        let bytes: usize = items.iter().map(|i| i.text.len() + i.title.as_ref().map_or(0, String::len)).sum();
        for it in items.iter().take(20) {
            std::hint::black_box(ours::analyze(it, &settings));
        }
        let start = Instant::now();
        for it in &items {
            std::hint::black_box(ours::analyze(it, &settings));
        }
        let s = start.elapsed().as_secs_f64();
        let w = wasm_seconds(&items);
        all_n += items.len();
        all_bytes += bytes;
        all_s += s;
        all_w = all_w.zip(w).map(|(a, b)| a + b);
        t.row(speed_row(lang, items.len(), bytes, s, w));
    }
    t.row(speed_row("**all**", all_n, all_bytes, all_s, all_w));
    print!("{}", t.render());
    if all_w.is_none() {
        println!("wasm: not measured (needs node and the built target/pkg: run ./x build)");
    }
}

/// The same items through the shipped wasm under Node (`wasm-speed.mjs`), or `None` when
/// node or the build is missing.
fn wasm_seconds(items: &[calmly::SnapshotItem]) -> Option<f64> {
    let input = std::env::temp_dir().join(format!("calmly-lab-wasm-{}.json", std::process::id()));
    let json: Vec<serde_json::Value> = items.iter().map(|i| serde_json::json!({ "text": i.text, "title": i.title })).collect();
    std::fs::write(&input, serde_json::to_string(&json).ok()?).ok()?;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("wasm-speed.mjs");
    let out = std::process::Command::new("node").arg(script).arg(&input).stderr(std::process::Stdio::null()).output();
    let _ = std::fs::remove_file(&input);
    let out = out.ok().filter(|o| o.status.success())?;
    serde_json::from_slice::<serde_json::Value>(&out.stdout).ok()?["seconds"].as_f64()
}

fn speed_row(name: &str, n: usize, bytes: usize, s: f64, wasm: Option<f64>) -> Vec<String> {
    let kb = bytes as f64 / 1024.0;
    let (wk, wa) = match wasm {
        Some(w) => (format!("{:.3}", w * 1000.0 / kb), format!("{:.1}", w * 1e6 / n as f64)),
        None => ("–".into(), "–".into()),
    };
    vec![name.into(), n.to_string(), format!("{kb:.0}"), format!("{:.0}", n as f64 / s), format!("{:.3}", s * 1000.0 / kb), format!("{:.1}", s * 1e6 / n as f64), wk, wa]
}

/// The cargo profile and opt-level this binary (and the engine in it) was built with.
fn profile() -> String {
    let warn = if cfg!(debug_assertions) { " — a debug build: not for timing" } else { "" };
    format!("{}, opt-level {}{warn}", env!("LAB_PROFILE"), env!("LAB_OPT_LEVEL"))
}
