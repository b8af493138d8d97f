//! Every labelled source in `shared/data` as uniform [`Sample`]s.
//!
//! Each loader reads one folder in its real format (see `tools/lab/README.md` for the
//! formats, the label rules and the category mapping), skips empty texts, removes
//! duplicate texts within the source, and keeps at most `cap` samples, chosen by a hash of
//! the text so the choice is stable from run to run and independent of file order.
//!
//! The Train/Test split is a stable FNV-1a hash of the normalised text (lower case,
//! whitespace squashed): the same text always lands on the same side, in every source.
//! Polish sentences derived from PolEmo reviews take the split of their parent review
//! (found through a shared six-word window), so a model trained on one annotation layer is
//! never tested on the review it has already seen through another.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Default number of samples kept per source: more than any source holds, so training and
/// the evaluation see every sample (`--quick` caps at 600).
pub const DEFAULT_CAP: usize = 1_000_000;

/// Share of texts in the Test split, in percent.
pub const TEST_PERCENT: u64 = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Split {
    Train,
    Test,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// Folder name, e.g. "olist_reviews_pt".
    pub source: &'static str,
    /// pt es pl ro en
    pub lang: &'static str,
    /// "reviews" | "tweets" | "complaints" (Reclame Aqui/CFPB) | "products" | "hotels" |
    /// "restaurants" | "medicine"
    pub domain: &'static str,
    /// The body the customer wrote (never the rating).
    pub text: String,
    /// The title the customer gave, where the source has one (Olist, LaRoSeDa, Reclame
    /// Aqui, TripAdvisor). The engine is given it; so is the baseline (joined as the engine
    /// joins it).
    pub title: Option<String>,
    /// Complaint or not, per the label rules; `None` = unlabelled for this task.
    pub complaint: Option<bool>,
    /// One of the engine's category ids, via the documented mapping; `None` = unmappable.
    pub category: Option<String>,
    /// The source's own tag, issue or label.
    pub raw_label: Option<String>,
    /// Human-rated dissatisfaction 0..1 where the source grades it.
    pub intensity: Option<f32>,
    pub stars: Option<f32>,
    pub split: Split,
}

impl Sample {
    /// Title and text joined the way the engine joins them (`"{title}. {text}"`).
    pub fn full_text(&self) -> String {
        match &self.title {
            Some(t) if !t.trim().is_empty() && !self.text.starts_with(t.trim()) => format!("{}. {}", t.trim(), self.text),
            _ => self.text.clone(),
        }
    }
}

/// The sector of a complaint source, for the per-sector category tables.
pub fn sector(source: &str) -> &'static str {
    match source {
        RA_BANKS => "banks",
        RA_HEALTH => "health",
        CFPB => "finance",
        _ => "retail",
    }
}

// ---------------------------------------------------------------------------------------
// Folder names.

pub const OLIST: &str = "olist_reviews_pt";
pub const RA_BANKS: &str = "reclameaqui_bancos_ws";
pub const RA_HEALTH: &str = "pt_reclameaqui_hapvida_ibyte_nagem";
pub const CENEO: &str = "ceneo_pl_opinions";
pub const ALLEGRO: &str = "pl_klej_allegro_reviews";
pub const POLEMO: &str = "pl_klej_polemo2";
pub const POLEMO_MED: &str = "pl_polemo2_medicine_sentences";
pub const WCCRS: &str = "pl_wccrs_polish_aste";
pub const POLEVAL: &str = "pl_poleval2024_emotion";
pub const MOZETIC: &str = "pl_mozetic_twitter_sentiment";
pub const LAROSEDA: &str = "laroseda";
pub const RO_SENT: &str = "ro_sent_products";
pub const RO_SART: &str = "ro_sart_tweets";
pub const SFU: &str = "sfu_spanish_reviews";
pub const CUBA: &str = "es_cuba_tripadvisor_reviews";
pub const ACL: &str = "complaints_social_media_acl2019";
pub const CFPB: &str = "cfpb_consumer_complaints";
pub const TWCS: &str = "twcs_customer_support_twitter";

/// Every source `load_all` reads, in order.
pub const SOURCES: [&str; 18] = [
    OLIST, RA_BANKS, RA_HEALTH, SFU, CUBA, CENEO, ALLEGRO, POLEMO, POLEMO_MED, WCCRS, POLEVAL, MOZETIC, LAROSEDA, RO_SENT, RO_SART, ACL,
    CFPB, TWCS,
];

// ---------------------------------------------------------------------------------------
// Locating the data.

/// The `data/` folder: `$CALMLY_SHARED/data`, else `../shared/data` beside the repository,
/// else `/work/shared/data`.
pub fn shared_data_dir() -> Option<PathBuf> {
    let mut candidates = Vec::new();
    if let Some(s) = std::env::var_os("CALMLY_SHARED") {
        candidates.push(PathBuf::from(s).join("data"));
    }
    // tools/lab -> repository root -> its parent.
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    candidates.push(repo.join("../shared/data"));
    if let Ok(cwd) = std::env::current_dir() {
        candidates.push(cwd.join("../shared/data"));
    }
    candidates.push(PathBuf::from("/work/shared/data"));
    candidates.into_iter().find(|p| p.is_dir()).map(|p| p.canonicalize().unwrap_or(p))
}

// ---------------------------------------------------------------------------------------
// Hashing and splitting.

/// 64-bit FNV-1a.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Lower case, whitespace squashed to single spaces, trimmed.
pub fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for w in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(w.chars().flat_map(char::to_lowercase));
    }
    out
}

/// The split of a text: 20 % Test, 80 % Train, by FNV-1a of the normalised text.
pub fn split_of(text: &str) -> Split {
    if fnv1a(normalise(text).as_bytes()) % 100 < TEST_PERCENT {
        Split::Test
    } else {
        Split::Train
    }
}

/// A second, independent hash (salted) used to choose which samples a cap keeps.
fn pick_hash(text: &str) -> u64 {
    let mut s = String::from("calmly-lab/cap\u{0}");
    s.push_str(&normalise(text));
    fnv1a(s.as_bytes())
}

/// Drops empty texts and duplicates (by normalised text), then keeps `cap` samples with
/// the smallest pick hash, in their original order.
fn finish(samples: Vec<Sample>, cap: usize) -> Vec<Sample> {
    let mut seen = HashSet::new();
    let mut kept: Vec<(usize, u64, Sample)> = Vec::new();
    for (i, mut s) in samples.into_iter().enumerate() {
        s.text = s.text.trim().to_string();
        s.title = s.title.map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
        if s.text.is_empty() {
            continue;
        }
        let key = normalise(&s.text);
        if !seen.insert(key) {
            continue;
        }
        let h = pick_hash(&s.text);
        kept.push((i, h, s));
    }
    if kept.len() > cap {
        kept.sort_by_key(|k| (k.1, k.0));
        kept.truncate(cap);
        kept.sort_by_key(|k| k.0);
    }
    kept.into_iter().map(|k| k.2).collect()
}

fn base(source: &'static str, lang: &'static str, domain: &'static str, text: String) -> Sample {
    let split = split_of(&text);
    Sample { source, lang, domain, text, title: None, complaint: None, category: None, raw_label: None, intensity: None, stars: None, split }
}

/// Human intensity from a low star rating: 0.5★ → 1.0, 1★ → 0.8, 1.5★ → 0.6, 2★ → 0.4;
/// `None` above 2★ (not a graded complaint).
pub fn stars_intensity(stars: f32) -> Option<f32> {
    (stars <= 2.0).then(|| ((3.0 - stars) / 2.5).clamp(0.0, 1.0))
}

/// Complaint label from 1–5 stars: 1–2 yes, 4–5 no, 3 unlabelled.
fn stars_complaint(stars: f32) -> Option<bool> {
    if stars <= 2.0 {
        Some(true)
    } else if stars >= 4.0 {
        Some(false)
    } else {
        None
    }
}

// ---------------------------------------------------------------------------------------
// File reading.

fn read_to_string(path: &Path) -> Result<String, String> {
    let bytes = fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let s = String::from_utf8_lossy(&bytes).into_owned();
    Ok(s.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(s))
}

/// Rows of a CSV/TSV file as string records, with the header (if any) as a name → column map.
struct Table {
    header: HashMap<String, usize>,
    rows: Vec<csv::StringRecord>,
}

impl Table {
    fn read(path: &Path, delimiter: u8, has_header: bool, quoting: bool) -> Result<Table, String> {
        let text = read_to_string(path)?;
        let mut rdr = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(has_header)
            .quoting(quoting)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut header = HashMap::new();
        if has_header {
            let h = rdr.headers().map_err(|e| format!("{}: {e}", path.display()))?;
            for (i, name) in h.iter().enumerate() {
                header.insert(name.trim().to_string(), i);
            }
        }
        let mut rows = Vec::new();
        for r in rdr.records() {
            rows.push(r.map_err(|e| format!("{}: {e}", path.display()))?);
        }
        Ok(Table { header, rows })
    }

    fn col(&self, name: &str, path: &Path) -> Result<usize, String> {
        self.header.get(name).copied().ok_or_else(|| format!("{}: no column {name:?}", path.display()))
    }
}

fn get(r: &csv::StringRecord, i: usize) -> &str {
    r.get(i).unwrap_or("")
}

fn json_lines(path: &Path) -> Result<Vec<serde_json::Value>, String> {
    let text = read_to_string(path)?;
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| serde_json::from_str(l).map_err(|e| format!("{}:{}: {e}", path.display(), i + 1)))
        .collect()
}

fn json_str(v: &serde_json::Value, key: &str) -> String {
    match v.get(key) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

fn parse_f32(s: &str) -> Option<f32> {
    s.trim().parse::<f32>().ok().filter(|v| v.is_finite())
}

// ---------------------------------------------------------------------------------------
// Category mapping (documented in tools/lab/README.md; keep the two in step).

/// Reclame Aqui problem-type tags (both RA folders). Tags not listed (company categories
/// such as "Bancos", products such as "Conta", and vague ones such as "Qualidade do serviço
/// prestado" or "Não encontrei meu problema") map to nothing.
pub const RA_PROBLEM_TAGS: &[(&str, &str)] = &[
    ("Cobrança indevida", "billing"),
    ("Cobrança indevida de tarifas", "billing"),
    ("Valor abusivo", "billing"),
    ("Anuidade", "billing"),
    ("Juros abusivos", "billing"),
    ("Aumento no valor da parcela", "billing"),
    ("Reajuste abusivo", "billing"),
    ("Débito não autorizado em conta", "billing"),
    ("Estorno do valor pago", "refund_or_cancellation"),
    ("Reembolso de pagamento", "refund_or_cancellation"),
    ("Reembolso de consulta-exame", "refund_or_cancellation"),
    ("Cancelamento", "refund_or_cancellation"),
    ("Não consigo cancelar", "refund_or_cancellation"),
    ("Encerramento de conta", "refund_or_cancellation"),
    ("Mau Atendimento", "customer_service"),
    ("Mau atendimento do prestador de serviço", "customer_service"),
    ("Atendimento do call center", "customer_service"),
    ("Dificuldade de contato com o SAC", "customer_service"),
    ("Não atende", "customer_service"),
    ("Demora na execução", "customer_service"),
    ("Demora no andamento do processo", "customer_service"),
    ("Descumprimento de prazo", "customer_service"),
    ("Dificuldade para agendamento de exames-consultas", "customer_service"),
    ("Dificuldade para agendamento dos exames", "customer_service"),
    ("Demora para autorização de consultas, exames e cirurgias", "customer_service"),
    ("Solicitação de exame não atendida", "customer_service"),
    ("Atraso na entrega dos resultados", "customer_service"),
    ("Resultado de exames extraviados", "customer_service"),
    ("Atraso no exame", "customer_service"),
    ("Indisponibilidade de horários", "customer_service"),
    ("Entrega", "delivery"),
    ("Atraso na entrega", "delivery"),
    ("Demora na entrega do cartão", "delivery"),
    ("Não recebimento de cartão", "delivery"),
    ("Cartão não enviado", "delivery"),
    ("Problema de acesso ao Internet Banking", "account_or_access"),
    ("Problema com senha", "account_or_access"),
    ("Problemas com senha", "account_or_access"),
    ("Atualização de dados cadastrais", "account_or_access"),
    ("Propaganda enganosa", "wrong_or_not_as_described"),
    ("Privacidade-Segurança", "fraud_or_security"),
];

/// Reclame Aqui area tags, used only when no problem-type tag maps.
pub const RA_AREA_TAGS: &[(&str, &str)] = &[
    ("Problemas com o Atendimento", "customer_service"),
    ("Canais de Atendimento", "customer_service"),
    ("Equipe de Atendimento", "customer_service"),
    ("Problemas com o Site", "technical"),
];

/// The category of a Reclame Aqui complaint from its tags.
pub fn ra_category(tags: &[String]) -> Option<String> {
    let find = |table: &[(&str, &str)]| {
        tags.iter().find_map(|t| table.iter().find(|(tag, _)| tag.eq_ignore_ascii_case(t.trim())).map(|(_, id)| id.to_string()))
    };
    find(RA_PROBLEM_TAGS).or_else(|| find(RA_AREA_TAGS))
}

/// CFPB sub-issues that decide the category whatever the issue.
pub const CFPB_SUB_ISSUES: &[(&str, &str)] = &[
    ("Information belongs to someone else", "fraud_or_security"),
    ("Debt was result of identity theft", "fraud_or_security"),
    ("Debt resulted from identity theft", "fraud_or_security"),
    ("Card opened as result of identity theft or fraud", "fraud_or_security"),
    ("Fraudulent loan", "fraud_or_security"),
    ("Card was charged for something you did not purchase with the card", "fraud_or_security"),
    ("Charged for a purchase or transfer you did not make with the card", "fraud_or_security"),
    ("Transaction was not authorized", "fraud_or_security"),
    ("Credit inquiries on your report that you don't recognize", "fraud_or_security"),
    ("Privacy issues", "fraud_or_security"),
    ("Problem with customer service", "customer_service"),
    ("Received bad information about your loan", "customer_service"),
    ("Problem accessing account", "account_or_access"),
    ("Company closed your account", "account_or_access"),
    ("Can't close your account", "refund_or_cancellation"),
    ("Funds not received from closed account", "refund_or_cancellation"),
    ("Problem canceling credit monitoring or identify theft protection service", "refund_or_cancellation"),
    ("Fees charged for closing account", "billing"),
    ("Fee problem", "billing"),
    ("Billing dispute for services", "billing"),
    ("Billing problem", "billing"),
    ("Don't agree with the fees charged", "billing"),
    ("Trouble with how payments are being handled", "billing"),
    ("Overcharged for something you did purchase with the card", "billing"),
    ("Didn't receive services that were advertised", "wrong_or_not_as_described"),
    ("Didn't receive terms that were advertised", "wrong_or_not_as_described"),
    ("Confusing or misleading advertising", "wrong_or_not_as_described"),
    ("Confusing or misleading advertising or marketing", "wrong_or_not_as_described"),
    ("Changes in terms mid-deal or after closing", "wrong_or_not_as_described"),
];

/// CFPB issues, used when the sub-issue is not in [`CFPB_SUB_ISSUES`]. Issues not listed
/// (e.g. "Incorrect information on your report", "Struggling to pay mortgage", "Closing on
/// a mortgage", "Written notification about debt") map to nothing.
pub const CFPB_ISSUES: &[(&str, &str)] = &[
    ("Attempts to collect debt not owed", "billing"),
    ("Cont'd attempts collect debt not owed", "billing"),
    ("False statements or representation", "billing"),
    ("Fees or interest", "billing"),
    ("Charged fees or interest you didn't expect", "billing"),
    ("Charged fees or interest I didn't expect", "billing"),
    ("Unexpected or other fees", "billing"),
    ("Problem caused by your funds being low", "billing"),
    ("Problem when making payments", "billing"),
    ("Trouble during payment process", "billing"),
    ("Problem with a lender or other company charging your account", "billing"),
    ("Problem with a purchase shown on your statement", "billing"),
    ("Problem with a credit reporting company's investigation into an existing problem", "customer_service"),
    ("Problem with a company's investigation into an existing issue", "customer_service"),
    ("Problem with customer service", "customer_service"),
    ("Communication tactics", "customer_service"),
    ("Closing an account", "account_or_access"),
    ("Closing your account", "account_or_access"),
    ("Account opening, closing, or management", "account_or_access"),
    ("Opening an account", "account_or_access"),
    ("Unable to get your credit report or credit score", "account_or_access"),
    ("Managing, opening, or closing your mobile wallet account", "account_or_access"),
    ("Trouble using your card", "account_or_access"),
    ("Fraud or scam", "fraud_or_security"),
    ("Problem with fraud alerts or security freezes", "fraud_or_security"),
    ("Improper use of your report", "fraud_or_security"),
    ("Unauthorized transactions or other transaction problem", "fraud_or_security"),
    ("Advertising and marketing, including promotional offers", "wrong_or_not_as_described"),
];

/// The category of a CFPB complaint from its issue and sub-issue.
pub fn cfpb_category(issue: &str, sub_issue: &str) -> Option<String> {
    let sub = sub_issue.trim();
    let issue = issue.trim();
    CFPB_SUB_ISSUES
        .iter()
        .find(|(s, _)| *s == sub)
        .or_else(|| CFPB_ISSUES.iter().find(|(s, _)| *s == issue))
        .map(|(_, id)| id.to_string())
}

// ---------------------------------------------------------------------------------------
// Text repair.

/// SFU's texts are Windows-1252 read as Latin-1: C1 controls stand for cp1252's
/// punctuation (… “ ” – €). Lost characters (`ï¿½`, a replacement char read as Latin-1)
/// become U+FFFD.
pub fn repair_cp1252(s: &str) -> String {
    let s = s.replace("ï¿½", "\u{fffd}");
    s.chars()
        .map(|c| match c as u32 {
            0x80 => '€',
            0x82 => '‚',
            0x84 => '„',
            0x85 => '…',
            0x86 => '†',
            0x91 => '‘',
            0x92 => '’',
            0x93 => '“',
            0x94 => '”',
            0x95 => '•',
            0x96 => '–',
            0x97 => '—',
            0x99 => '™',
            n if (0x80..=0x9f).contains(&n) => ' ',
            _ => c,
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// PolEmo parents: sentences take the split of the review they come from.

/// Lower-case alphanumeric words (punctuation and tokenisation spaces ignored).
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

const WINDOW: usize = 6;

fn window_key(ws: &[String]) -> u64 {
    fnv1a(ws.join(" ").as_bytes())
}

/// Six-word windows of every PolEmo review (KLEJ PolEmo 2.0), each pointing at its review's split.
pub struct ParentIndex {
    windows: HashMap<u64, Split>,
}

impl ParentIndex {
    pub fn empty() -> ParentIndex {
        ParentIndex { windows: HashMap::new() }
    }

    pub fn build(reviews: &[String]) -> ParentIndex {
        let mut windows = HashMap::new();
        for r in reviews {
            let split = split_of(r);
            let ws = words(r);
            for w in ws.windows(WINDOW) {
                windows.entry(window_key(w)).or_insert(split);
            }
        }
        ParentIndex { windows }
    }

    /// The split of the review this text comes from, if one is found; else the text's own.
    pub fn split_for(&self, text: &str) -> Split {
        let ws = words(text);
        if ws.len() >= WINDOW {
            // A few windows, in case the first one straddles a tokenisation difference.
            let last = ws.len() - WINDOW;
            for start in [0, last / 2, last] {
                if let Some(s) = self.windows.get(&window_key(&ws[start..start + WINDOW])) {
                    return *s;
                }
            }
        }
        split_of(text)
    }
}

// ---------------------------------------------------------------------------------------
// Loaders, one per folder.

fn dir_of(data: &Path, source: &str) -> PathBuf {
    data.join(source)
}

/// Olist: review_score 1–2 complaint, 4–5 not, 3 unlabelled.
pub fn load_olist(data: &Path, cap: usize) -> Result<Vec<Sample>, String> {
    let path = dir_of(data, OLIST).join("olist_order_reviews_subset.csv");
    let t = Table::read(&path, b',', true, true)?;
    let (score, title, msg) = (t.col("review_score", &path)?, t.col("review_comment_title", &path)?, t.col("review_comment_message", &path)?);
    let mut out = Vec::new();
    for r in &t.rows {
        let Some(stars) = parse_f32(get(r, score)) else { continue };
        let (mut text, mut ttl) = (get(r, msg).to_string(), Some(get(r, title).to_string()));
        if text.trim().is_empty() {
            text = ttl.take().unwrap_or_default();
        }
        let mut s = base(OLIST, "pt", "reviews", text);
        s.title = ttl;
        s.stars = Some(stars);
        s.complaint = stars_complaint(stars);
        s.intensity = if s.complaint == Some(true) { stars_intensity(stars) } else { None };
        s.raw_label = Some(format!("{stars}★"));
        out.push(s);
    }
    Ok(finish(out, cap))
}

/// Reclame Aqui banks (JSON list): all complaints; category from tags.
pub fn load_ra_banks(data: &Path, cap: usize) -> Result<Vec<Sample>, String> {
    let path = dir_of(data, RA_BANKS).join("complaints.json");
    let v: serde_json::Value = serde_json::from_str(&read_to_string(&path)?).map_err(|e| format!("{}: {e}", path.display()))?;
    let list = v.as_array().ok_or_else(|| format!("{}: expected a list", path.display()))?;
    let mut out = Vec::new();
    for x in list {
        let tags: Vec<String> = x.get("tags").and_then(|t| t.as_array()).map(|a| a.iter().filter_map(|t| t.as_str().map(str::to_string)).collect()).unwrap_or_default();
        let mut s = base(RA_BANKS, "pt", "complaints", json_str(x, "description"));
        s.title = Some(json_str(x, "title"));
        s.complaint = Some(true);
        s.category = ra_category(&tags);
        s.raw_label = Some(tags.join(" | "));
        out.push(s);
    }
    Ok(finish(out, cap))
}

/// Reclame Aqui Hapvida (health plan): all complaints; category from CATEGORIA (`<->`-joined tags).
pub fn load_ra_health(data: &Path, cap: usize) -> Result<Vec<Sample>, String> {
    let path = dir_of(data, RA_HEALTH).join("RECLAMEAQUI_HAPVIDA.csv");
    let t = Table::read(&path, b',', true, true)?;
    let (tema, cat, desc) = (t.col("TEMA", &path)?, t.col("CATEGORIA", &path)?, t.col("DESCRICAO", &path)?);
    let mut out = Vec::new();
    for r in &t.rows {
        let tags: Vec<String> = get(r, cat).split("<->").map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect();
        let mut s = base(RA_HEALTH, "pt", "complaints", get(r, desc).to_string());
        s.title = Some(get(r, tema).to_string());
        s.complaint = Some(true);
        s.category = ra_category(&tags);
        s.raw_label = Some(tags.join(" | "));
        out.push(s);
    }
    Ok(finish(out, cap))
}

/// Ceneo (JSON lines): stars ≤ 2 or a negative recommendation = complaint; ≥ 4 = not.
pub fn load_ceneo(data: &Path, cap: usize) -> Result<Vec<Sample>, String> {
    let path = dir_of(data, CENEO).join("ceneo_opinions.jsonl");
    let mut out = Vec::new();
    for x in json_lines(&path)? {
        let stars = x.get("stars").and_then(|v| v.as_f64()).map(|v| v as f32);
        let rec = x.get("recommendation").and_then(|v| v.as_bool());
        let mut s = base(CENEO, "pl", "reviews", json_str(&x, "content"));
        s.stars = stars;
        s.complaint = match (stars, rec) {
            (Some(st), _) if st <= 2.0 => Some(true),
            (_, Some(false)) => Some(true),
            (Some(st), _) if st >= 4.0 => Some(false),
            _ => None,
        };
        s.intensity = match (s.complaint, stars) {
            (Some(true), Some(st)) => stars_intensity(st),
            _ => None,
        };
        s.raw_label = Some(format!(
            "{}★ recommendation={}",
            stars.map_or("?".into(), |v| v.to_string()),
            rec.map_or("none".into(), |v| v.to_string())
        ));
        out.push(s);
    }
    Ok(finish(out, cap))
}

/// KLEJ Allegro reviews (TSV text, rating): 1–2 complaint, 4–5 not.
pub fn load_allegro(data: &Path, cap: usize) -> Result<Vec<Sample>, String> {
    let mut out = Vec::new();
    for f in ["train.tsv", "dev.tsv"] {
        let path = dir_of(data, ALLEGRO).join(f);
        let t = Table::read(&path, b'\t', true, false)?;
        let (text, rating) = (t.col("text", &path)?, t.col("rating", &path)?);
        for r in &t.rows {
            let Some(stars) = parse_f32(get(r, rating)) else { continue };
            let mut s = base(ALLEGRO, "pl", "reviews", get(r, text).to_string());
            s.stars = Some(stars);
            s.complaint = stars_complaint(stars);
            s.intensity = if s.complaint == Some(true) { stars_intensity(stars) } else { None };
            s.raw_label = Some(format!("{stars}★"));
            out.push(s);
        }
    }
    Ok(finish(out, cap))
}

/// The full texts of KLEJ PolEmo 2.0 (all rows, before any cap), for the parent index.
fn polemo_rows(data: &Path) -> Result<Vec<(String, String)>, String> {
    let mut rows = Vec::new();
    for f in ["polemo2.0-in_train.tsv", "polemo2.0-in_dev.tsv", "polemo2.0-out_dev.tsv"] {
        let path = dir_of(data, POLEMO).join(f);
        let t = Table::read(&path, b'\t', true, false)?;
        let (text, target) = (t.col("sentence", &path)?, t.col("target", &path)?);
        for r in &t.rows {
            rows.push((get(r, text).to_string(), get(r, target).trim_start_matches("__label__").to_string()));
        }
    }
    Ok(rows)
}

/// KLEJ PolEmo 2.0 reviews (medicine, hotels; out-of-domain products, school). A strongly
/// negative review (`meta_minus_m`) is a complaint, like a 1–2★ review; positive
/// (`meta_plus_m`) and neutral (`meta_zero`) ones are not; ambivalent ones (`meta_amb`,
/// praise and blame mixed) stay unlabelled, like 3★.
pub fn load_polemo(data: &Path, cap: usize) -> Result<Vec<Sample>, String> {
    let mut out = Vec::new();
    for (text, label) in polemo_rows(data)? {
        let mut s = base(POLEMO, "pl", "reviews", text);
        s.complaint = match label.as_str() {
            "meta_minus_m" => Some(true),
            "meta_plus_m" | "meta_zero" => Some(false),
            _ => None,
        };
        s.raw_label = Some(label);
        out.push(s);
    }
    Ok(finish(out, cap))
}

/// The PolEmo parent index (empty when the folder is missing).
pub fn polemo_parents(data: &Path) -> ParentIndex {
    match polemo_rows(data) {
        Ok(rows) => ParentIndex::build(&rows.into_iter().map(|r| r.0).collect::<Vec<_>>()),
        Err(_) => ParentIndex::empty(),
    }
}

/// PolEmo medicine sentences: sentiment only (unlabelled for complaints).
pub fn load_polemo_medicine(data: &Path, cap: usize, parents: &ParentIndex) -> Result<Vec<Sample>, String> {
    let path = dir_of(data, POLEMO_MED).join("polemo2_medicine_sentence_train.csv");
    let t = Table::read(&path, b',', true, true)?;
    let (text, label) = (t.col("text", &path)?, t.col("label", &path)?);
    let mut out = Vec::new();
    for r in &t.rows {
        let mut s = base(POLEMO_MED, "pl", "medicine", get(r, text).to_string());
        s.split = parents.split_for(&s.text);
        s.raw_label = Some(get(r, label).to_string());
        out.push(s);
    }
    Ok(finish(out, cap))
}

/// WCCRS aspect sentiment: PolEmo product sentences (strong vs weak negative gives the
/// intensity: `meta_minus_m` 1.0, `meta_minus_s` 0.5) and hotel sentences.
pub fn load_wccrs(data: &Path, cap: usize, parents: &ParentIndex) -> Result<Vec<Sample>, String> {
    let mut out = Vec::new();
    for (f, domain) in [("products_flat.csv", "products"), ("hotels_flat.csv", "hotels")] {
        let path = dir_of(data, WCCRS).join(f);
        let t = Table::read(&path, b',', true, true)?;
        let (text, label) = (t.col("text", &path)?, t.col("label", &path)?);
        for r in &t.rows {
            let l = get(r, label).to_string();
            let mut s = base(WCCRS, "pl", domain, get(r, text).to_string());
            s.split = parents.split_for(&s.text);
            s.intensity = match l.as_str() {
                "meta_minus_m" => Some(1.0),
                "meta_minus_s" => Some(0.5),
                _ => None,
            };
            s.raw_label = Some(l);
            out.push(s);
        }
    }
    // Keep the graded product sentences whatever the cap: they are few and the only
    // graded Polish negatives besides star ratings.
    let (graded, rest): (Vec<Sample>, Vec<Sample>) = out.into_iter().partition(|s| s.intensity.is_some());
    let n = graded.len();
    let mut all = finish(graded, cap);
    all.extend(finish(rest, cap.saturating_sub(n.min(cap))));
    Ok(all)
}

/// CLARIN-Emo reviews: emotions and sentiment (unlabelled for complaints).
pub fn load_poleval(data: &Path, cap: usize, parents: &ParentIndex) -> Result<Vec<Sample>, String> {
    let path = dir_of(data, POLEVAL).join("reviews.csv");
    let t = Table::read(&path, b',', true, true)?;
    let text = t.col("text", &path)?;
    let flags = ["Joy", "Trust", "Anticipation", "Surprise", "Fear", "Sadness", "Disgust", "Anger", "Positive", "Negative", "Neutral"];
    let cols: Vec<(usize, &str)> = flags.iter().filter_map(|f| t.header.get(*f).map(|c| (*c, *f))).collect();
    let mut out = Vec::new();
    for r in &t.rows {
        let mut s = base(POLEVAL, "pl", "reviews", get(r, text).to_string());
        s.split = parents.split_for(&s.text);
        let on: Vec<&str> = cols.iter().filter(|(c, _)| get(r, *c) == "True").map(|(_, f)| *f).collect();
        s.raw_label = Some(on.join("+"));
        out.push(s);
    }
    Ok(finish(out, cap))
}

/// Mozetic Polish tweets: positive = not a complaint (distractor); negative unlabelled
/// (negative sentiment about politics is not a complaint, but some are).
pub fn load_mozetic(data: &Path, cap: usize) -> Result<Vec<Sample>, String> {
    let path = dir_of(data, MOZETIC).join("pol_tweets_sentiment.csv");
    let t = Table::read(&path, b',', true, true)?;
    let (text, label) = (t.col("text", &path)?, t.col("label", &path)?);
    let mut out = Vec::new();
    for r in &t.rows {
        let l = get(r, label).to_string();
        let mut s = base(MOZETIC, "pl", "tweets", get(r, text).to_string());
        s.complaint = match l.as_str() {
            "Positive" | "Neutral" => Some(false),
            _ => None,
        };
        s.raw_label = Some(l);
        out.push(s);
    }
    Ok(finish(out, cap))
}

/// LaRoSeDa (two JSON files `{"reviews": [...]}`): 1–2★ complaint, 4–5★ not.
pub fn load_laroseda(data: &Path, cap: usize) -> Result<Vec<Sample>, String> {
    let mut out = Vec::new();
    for f in ["negative_reviews.json", "positive_reviews.json"] {
        let path = dir_of(data, LAROSEDA).join(f);
        let v: serde_json::Value = serde_json::from_str(&read_to_string(&path)?).map_err(|e| format!("{}: {e}", path.display()))?;
        let list = v.get("reviews").and_then(|r| r.as_array()).ok_or_else(|| format!("{}: expected {{\"reviews\": [...]}}", path.display()))?;
        for x in list {
            let Some(stars) = parse_f32(&json_str(x, "starRating")) else { continue };
            let mut s = base(LAROSEDA, "ro", "reviews", json_str(x, "content"));
            s.title = Some(json_str(x, "title"));
            s.stars = Some(stars);
            s.complaint = stars_complaint(stars);
            s.intensity = if s.complaint == Some(true) { stars_intensity(stars) } else { None };
            s.raw_label = Some(format!("{stars}★"));
            out.push(s);
        }
    }
    Ok(finish(out, cap))
}

/// ro_sent product (and some film) reviews: neg complaint, pos not; rows also in LaRoSeDa dropped.
pub fn load_ro_sent(data: &Path, cap: usize) -> Result<Vec<Sample>, String> {
    let path = dir_of(data, RO_SENT).join("ro_sent_product_reviews.csv");
    let t = Table::read(&path, b',', true, true)?;
    let (text, label, dup) = (t.col("text", &path)?, t.col("label", &path)?, t.col("in_laroseda", &path)?);
    let mut out = Vec::new();
    for r in &t.rows {
        if get(r, dup).trim() == "1" {
            continue;
        }
        let l = get(r, label).to_string();
        let mut s = base(RO_SENT, "ro", "products", get(r, text).to_string());
        s.complaint = match l.as_str() {
            "neg" => Some(true),
            "pos" => Some(false),
            _ => None,
        };
        s.raw_label = Some(l);
        out.push(s);
    }
    Ok(finish(out, cap))
}

/// SART Romanian tweets (Label 0 negative, 1 neutral, 2 positive): neutral and positive
/// are not complaints; negative unlabelled.
pub fn load_ro_sart(data: &Path, cap: usize) -> Result<Vec<Sample>, String> {
    let mut out = Vec::new();
    for f in ["train.csv", "val.csv", "test.csv"] {
        let path = dir_of(data, RO_SART).join(f);
        let t = Table::read(&path, b',', true, true)?;
        let (text, label) = (t.col("text", &path)?, t.col("Label", &path)?);
        for r in &t.rows {
            let l = match get(r, label).trim() {
                "0" => "negative",
                "1" => "neutral",
                "2" => "positive",
                _ => continue,
            };
            let mut s = base(RO_SART, "ro", "tweets", get(r, text).to_string());
            s.complaint = if l == "negative" { None } else { Some(false) };
            s.raw_label = Some(l.to_string());
            out.push(s);
        }
    }
    Ok(finish(out, cap))
}

/// SFU Spanish reviews: sentimiento "no" complaint, "yes" not.
pub fn load_sfu(data: &Path, cap: usize) -> Result<Vec<Sample>, String> {
    let path = dir_of(data, SFU).join("Review.csv");
    let t = Table::read(&path, b',', true, true)?;
    let (text, cat, sent) = (t.col("Texto", &path)?, t.col("categoria", &path)?, t.col("sentimiento", &path)?);
    let mut out = Vec::new();
    for r in &t.rows {
        let l = get(r, sent).trim().to_string();
        let mut s = base(SFU, "es", "reviews", repair_cp1252(get(r, text)));
        s.complaint = match l.as_str() {
            "no" => Some(true),
            "yes" => Some(false),
            _ => None,
        };
        s.raw_label = Some(format!("{}/{}", get(r, cat), l));
        out.push(s);
    }
    Ok(finish(out, cap))
}

/// Cuba TripAdvisor hotels and restaurants: 1–2★ complaint, 4–5★ not.
pub fn load_cuba(data: &Path, cap: usize) -> Result<Vec<Sample>, String> {
    let mut out = Vec::new();
    for (f, domain, stars_col) in [("cuba_hotels_sentiment.csv", "hotels", "Class"), ("cuba_restaurants_dataset.csv", "restaurants", "Polarity")] {
        let path = dir_of(data, CUBA).join(f);
        let t = Table::read(&path, b',', true, true)?;
        let (title, text, st) = (t.col("Title", &path)?, t.col("Opinion", &path)?, t.col(stars_col, &path)?);
        for r in &t.rows {
            let Some(stars) = parse_f32(get(r, st)) else { continue };
            let mut s = base(CUBA, "es", domain, get(r, text).to_string());
            s.title = Some(get(r, title).to_string());
            s.stars = Some(stars);
            s.complaint = stars_complaint(stars);
            s.intensity = if s.complaint == Some(true) { stars_intensity(stars) } else { None };
            s.raw_label = Some(format!("{stars}★"));
            out.push(s);
        }
    }
    Ok(finish(out, cap))
}

/// Preoţiuc-Pietro et al. (ACL 2019): no header; id, text, label 0/1, domain.
pub fn load_acl(data: &Path, cap: usize) -> Result<Vec<Sample>, String> {
    let path = dir_of(data, ACL).join("complaints-data.csv");
    let t = Table::read(&path, b',', false, true)?;
    let mut out = Vec::new();
    for r in &t.rows {
        let mut s = base(ACL, "en", "tweets", get(r, 1).to_string());
        s.complaint = match get(r, 2).trim() {
            "1" => Some(true),
            "0" => Some(false),
            _ => None,
        };
        s.raw_label = Some(get(r, 3).to_string());
        out.push(s);
    }
    Ok(finish(out, cap))
}

/// CFPB narratives: all complaints. The full export gives Issue/Sub-issue (→ category);
/// the narrative/product file has only the product, which does not say what went wrong
/// (category `None`).
pub fn load_cfpb(data: &Path, cap: usize) -> Result<Vec<Sample>, String> {
    let mut out = Vec::new();
    let path = dir_of(data, CFPB).join("cfpb_complaints_sample_ZiyuYan9.csv");
    let t = Table::read(&path, b',', true, true)?;
    let (prod, issue, sub, narr) = (t.col("Product", &path)?, t.col("Issue", &path)?, t.col("Sub-issue", &path)?, t.col("Consumer complaint narrative", &path)?);
    for r in &t.rows {
        let mut s = base(CFPB, "en", "complaints", get(r, narr).to_string());
        s.complaint = Some(true);
        s.category = cfpb_category(get(r, issue), get(r, sub));
        s.raw_label = Some(format!("{} / {} / {}", get(r, prod), get(r, issue), get(r, sub)));
        out.push(s);
    }
    let path = dir_of(data, CFPB).join("cfpb_narratives_product_nagakoushik24.csv");
    let t = Table::read(&path, b',', true, true)?;
    let (prod, narr) = (t.col("Product", &path)?, t.col("Consumer complaint narrative", &path)?);
    for r in &t.rows {
        let mut s = base(CFPB, "en", "complaints", get(r, narr).to_string());
        s.complaint = Some(true);
        s.raw_label = Some(get(r, prod).to_string());
        out.push(s);
    }
    Ok(finish(out, cap))
}

/// Customer Support on Twitter: customers' inbound tweets (unlabelled; language ID only).
pub fn load_twcs(data: &Path, cap: usize) -> Result<Vec<Sample>, String> {
    let path = dir_of(data, TWCS).join("twcs_first5000.csv");
    let t = Table::read(&path, b',', true, true)?;
    let (text, inbound) = (t.col("text", &path)?, t.col("inbound", &path)?);
    let mut out = Vec::new();
    for r in &t.rows {
        if get(r, inbound).trim() != "True" {
            continue;
        }
        let mut s = base(TWCS, "en", "tweets", get(r, text).to_string());
        s.raw_label = Some("inbound".into());
        out.push(s);
    }
    Ok(finish(out, cap))
}

/// One source by folder name.
pub fn load_source(data: &Path, source: &str, cap: usize, parents: &ParentIndex) -> Result<Vec<Sample>, String> {
    match source {
        OLIST => load_olist(data, cap),
        RA_BANKS => load_ra_banks(data, cap),
        RA_HEALTH => load_ra_health(data, cap),
        CENEO => load_ceneo(data, cap),
        ALLEGRO => load_allegro(data, cap),
        POLEMO => load_polemo(data, cap),
        POLEMO_MED => load_polemo_medicine(data, cap, parents),
        WCCRS => load_wccrs(data, cap, parents),
        POLEVAL => load_poleval(data, cap, parents),
        MOZETIC => load_mozetic(data, cap),
        LAROSEDA => load_laroseda(data, cap),
        RO_SENT => load_ro_sent(data, cap),
        RO_SART => load_ro_sart(data, cap),
        SFU => load_sfu(data, cap),
        CUBA => load_cuba(data, cap),
        ACL => load_acl(data, cap),
        CFPB => load_cfpb(data, cap),
        TWCS => load_twcs(data, cap),
        other => Err(format!("unknown source {other:?}")),
    }
}

/// Every source with the default cap.
pub fn load_all() -> Result<Vec<Sample>, String> {
    load_all_capped(DEFAULT_CAP)
}

/// Every source, at most `cap` samples each. A missing folder is skipped with a warning
/// on stderr; a folder that is there but cannot be read is an error.
pub fn load_all_capped(cap: usize) -> Result<Vec<Sample>, String> {
    let data = shared_data_dir().ok_or("shared data not found: set CALMLY_SHARED to the folder that holds data/")?;
    let parents = polemo_parents(&data);
    let mut all = Vec::new();
    for source in SOURCES {
        if !data.join(source).is_dir() {
            eprintln!("calmly-lab: {source}: folder missing, skipped");
            continue;
        }
        all.extend(load_source(&data, source, cap, &parents)?);
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_is_deterministic_and_normalised() {
        let a = split_of("Produto chegou quebrado e ninguém responde");
        for _ in 0..3 {
            assert_eq!(split_of("Produto chegou quebrado e ninguém responde"), a);
        }
        assert_eq!(split_of("  PRODUTO chegou   quebrado\ne ninguém responde "), a);
        // Known values pin the hash, so a change to it is noticed.
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn split_is_about_eighty_twenty() {
        let n = 20_000;
        let test = (0..n).filter(|i| split_of(&format!("text number {i}")) == Split::Test).count();
        let share = test as f64 / n as f64;
        assert!((0.18..0.22).contains(&share), "{share}");
    }

    #[test]
    fn finish_dedupes_skips_empty_and_caps_stably() {
        let mk = |t: &str| base("x", "pt", "reviews", t.to_string());
        let v = vec![mk("a b"), mk(" A  b "), mk(""), mk("   "), mk("c"), mk("d"), mk("e")];
        let out = finish(v.clone(), 10);
        assert_eq!(out.iter().map(|s| s.text.as_str()).collect::<Vec<_>>(), ["a b", "c", "d", "e"]);
        let capped = finish(v.clone(), 2);
        assert_eq!(capped.len(), 2);
        assert_eq!(capped, finish(v, 2));
    }

    #[test]
    fn category_mappings() {
        let tags = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(ra_category(&tags(&["Cartões de Crédito", "Cartão de crédito", "Cobrança indevida"])).as_deref(), Some("billing"));
        assert_eq!(ra_category(&tags(&["Problemas com o Atendimento", "Canais de Atendimento", "Qualidade do serviço prestado"])).as_deref(), Some("customer_service"));
        assert_eq!(ra_category(&tags(&["Bancos", "Conta"])), None);
        assert_eq!(ra_category(&tags(&["Demora na execução", "Plano", "Planos de Saúde", "Hapvida Saúde"])).as_deref(), Some("customer_service"));
        assert_eq!(cfpb_category("Incorrect information on your report", "Information belongs to someone else").as_deref(), Some("fraud_or_security"));
        assert_eq!(cfpb_category("Incorrect information on your report", "Account status incorrect"), None);
        assert_eq!(cfpb_category("Fees or interest", "Problem with fees").as_deref(), Some("billing"));
        for (_, id) in RA_PROBLEM_TAGS.iter().chain(RA_AREA_TAGS).chain(CFPB_SUB_ISSUES).chain(CFPB_ISSUES) {
            assert!(calmly::engine::classify::CATEGORIES.contains(id), "{id}");
            assert_ne!(*id, "other");
        }
    }

    #[test]
    fn cp1252_repair() {
        assert_eq!(repair_cp1252("dijo \u{93}no\u{94}\u{85} 70\u{80}"), "dijo “no”… 70€");
        assert_eq!(repair_cp1252("aï¿½os"), "a\u{fffd}os");
    }

    #[test]
    fn sentences_follow_their_review() {
        let reviews = vec!["Lekarz bardzo miły i kompetentny , polecam wszystkim . Wizyta trwała długo i wszystko wyjaśnił .".to_string()];
        let idx = ParentIndex::build(&reviews);
        assert_eq!(idx.split_for("Wizyta trwała długo i wszystko wyjaśnił ."), split_of(&reviews[0]));
    }

    #[test]
    fn stars_rules() {
        assert_eq!(stars_complaint(1.0), Some(true));
        assert_eq!(stars_complaint(2.0), Some(true));
        assert_eq!(stars_complaint(3.0), None);
        assert_eq!(stars_complaint(4.0), Some(false));
        assert!(stars_intensity(1.0).unwrap() > stars_intensity(2.0).unwrap());
        assert_eq!(stars_intensity(4.0), None);
    }
}
