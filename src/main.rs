//! `calmly` — the command line on the same engine as the extension.
//!
//! The contract (used by tooling outside this repository; extend it, never break it):
//!
//! ```text
//! calmly analyze [--url URL] [--html|--text] [--platform P] [--settings FILE] [--pretty] [FILE|-]
//! calmly analyze --jsonl [--settings FILE] [FILE|-]
//! calmly check [--lang L] [--complaint-lang L] [--platform P] [--private] [--settings FILE] [FILE|-]
//! calmly playbooks
//! calmly sites
//! ```
//! Exit 0 on success, 2 on usage errors, 1 on runtime errors; messages on stderr.

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    std::process::exit(cli::run(std::env::args_os().skip(1).collect()));
}

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use std::ffi::OsString;
    use std::io::{self, BufRead, Read, Write};

    use calmly::engine::{engine, Engine, PageSnapshot, Settings, SnapshotItem};
    use calmly::extract::snapshot_from_html;
    use serde::Serialize;
    use serde_json::{json, Value};

    const USAGE: &str = "\
usage:
  calmly analyze [--url URL] [--html|--text] [--platform P] [--page-lang L] [--settings FILE] [--pretty] [FILE|-]
  calmly analyze --jsonl [--settings FILE] [FILE|-]
  calmly check [--lang L] [--complaint-lang L] [--platform P] [--private|--thanks] [--settings FILE] [FILE|-]
  calmly playbooks     every playbook and its steps, as JSON
  calmly sites         every site adapter, as JSON
  calmly --version

analyze prints {\"page\": {...}, \"complaints\": [ITEM, ...]}. Plain text gives one item;
HTML gives the complaints found on the page (the site is taken from --url, or from the
page's canonical link). With --jsonl, each input line {\"id\", \"text\", \"url\"?, \"platform\"?}
(optionally also \"title\", \"author\", \"rating\", \"rating_max\", \"date\", \"age_minutes\",
\"repeated_demand\", \"page_lang\") gives one output line {\"id\", ...ITEM}, or {\"id\", \"error\"}
for a bad line. --page-lang (or a line's \"page_lang\", or an HTML page's <html lang>) is the
language the page declares: it settles short, ambiguous texts, never a clear one.
check runs the draft check on a reply you wrote and prints {\"language\", \"chars\", \"limit\",
\"warnings\": [{\"id\", \"message\", \"phrase\"?}]} (a public reply unless --private; --thanks:
a thank-you to praise or an answer to a question, which needs no apology).
--settings reads the brand's settings (brand, agent, channels, tone, registers, ...) from a
JSON file.";

    enum Failure {
        Usage(String),
        Runtime(String),
    }

    use Failure::{Runtime, Usage};

    pub fn run(args: Vec<OsString>) -> i32 {
        match dispatch(args) {
            Ok(()) => 0,
            Err(Usage(m)) => {
                eprintln!("calmly: {m}\n\n{USAGE}");
                2
            }
            Err(Runtime(m)) => {
                eprintln!("calmly: {m}");
                1
            }
        }
    }

    #[derive(Default)]
    struct AnalyzeArgs {
        url: Option<String>,
        mode: Option<&'static str>,
        platform: Option<String>,
        page_lang: Option<String>,
        settings: Option<String>,
        pretty: bool,
        jsonl: bool,
        input: Option<String>,
    }

    fn dispatch(args: Vec<OsString>) -> Result<(), Failure> {
        use lexopt::prelude::*;
        let mut p = lexopt::Parser::from_args(args);
        let cmd = match p.next().map_err(|e| Usage(e.to_string()))? {
            Some(Value(v)) => v.into_string().map_err(|_| Usage("the command is not valid UTF-8".into()))?,
            Some(Long("help")) | Some(Short('h')) => {
                println!("{USAGE}");
                return Ok(());
            }
            Some(Long("version")) | Some(Short('V')) => {
                println!("calmly {}", env!("CARGO_PKG_VERSION"));
                return Ok(());
            }
            Some(other) => return Err(Usage(format!("unexpected {}", other.unexpected()))),
            None => return Err(Usage("no command given".into())),
        };
        let engine = engine().map_err(|e| Runtime(e.to_string()))?;
        match cmd.as_str() {
            "analyze" => {
                let mut a = AnalyzeArgs::default();
                while let Some(arg) = p.next().map_err(|e| Usage(e.to_string()))? {
                    match arg {
                        Long("url") => a.url = Some(string(p.value())?),
                        Long("html") => a.mode = Some("html"),
                        Long("text") => a.mode = Some("text"),
                        Long("jsonl") => a.jsonl = true,
                        Long("platform") => a.platform = Some(string(p.value())?),
                        Long("page-lang") => a.page_lang = Some(string(p.value())?),
                        Long("settings") => a.settings = Some(string(p.value())?),
                        Long("pretty") => a.pretty = true,
                        Value(v) if a.input.is_none() => a.input = Some(v.into_string().map_err(|_| Usage("the file name is not valid UTF-8".into()))?),
                        other => return Err(Usage(format!("analyze: unexpected {}", other.unexpected()))),
                    }
                }
                if a.jsonl && (a.mode.is_some() || a.url.is_some()) {
                    return Err(Usage("--jsonl takes neither --url nor --html/--text (give url per line)".into()));
                }
                if a.jsonl && a.page_lang.is_some() {
                    return Err(Usage("--jsonl takes no --page-lang (give page_lang per line)".into()));
                }
                analyze(engine, a)
            }
            "check" => {
                let mut c = CheckArgs::default();
                while let Some(arg) = p.next().map_err(|e| Usage(e.to_string()))? {
                    match arg {
                        Long("lang") => c.lang = Some(string(p.value())?),
                        Long("complaint-lang") => c.complaint_lang = Some(string(p.value())?),
                        Long("platform") => c.platform = Some(string(p.value())?),
                        Long("settings") => c.settings = Some(string(p.value())?),
                        Long("private") => c.private = true,
                        Long("thanks") => c.thanks = true,
                        Value(v) if c.input.is_none() => c.input = Some(v.into_string().map_err(|_| Usage("the file name is not valid UTF-8".into()))?),
                        other => return Err(Usage(format!("check: unexpected {}", other.unexpected()))),
                    }
                }
                check(engine, c)
            }
            "playbooks" => {
                no_more(&mut p)?;
                print_json(&json!({ "playbooks": engine.knowledge.playbooks, "plan": engine.knowledge.plan.step }), true)
            }
            "sites" => {
                no_more(&mut p)?;
                print_json(&json!({ "sites": engine.knowledge.sites }), false)
            }
            other => Err(Usage(format!("unknown command `{other}`"))),
        }
    }

    #[derive(Default)]
    struct CheckArgs {
        lang: Option<String>,
        complaint_lang: Option<String>,
        platform: Option<String>,
        settings: Option<String>,
        private: bool,
        thanks: bool,
        input: Option<String>,
    }

    fn check(engine: &Engine, c: CheckArgs) -> Result<(), Failure> {
        let settings = load_settings(&c.settings)?;
        let text = read_input(&c.input)?;
        let text = text.trim_end_matches(['\n', '\r']);
        let report = engine.check_text(
            text,
            &calmly::engine::CheckRequest {
                language: c.lang.as_deref(),
                complaint_language: c.complaint_lang.as_deref(),
                platform: c.platform.as_deref().unwrap_or("web"),
                public: !c.private,
                thanks: c.thanks,
                settings: &settings,
            },
        );
        print_json(&report, false)
    }

    fn no_more(p: &mut lexopt::Parser) -> Result<(), Failure> {
        match p.next().map_err(|e| Usage(e.to_string()))? {
            None => Ok(()),
            Some(a) => Err(Usage(format!("unexpected {}", a.unexpected()))),
        }
    }

    fn string(v: Result<OsString, lexopt::Error>) -> Result<String, Failure> {
        v.map_err(|e| Usage(e.to_string()))?.into_string().map_err(|_| Usage("an argument is not valid UTF-8".into()))
    }

    fn read_input(input: &Option<String>) -> Result<String, Failure> {
        let mut buf = Vec::new();
        match input.as_deref() {
            None | Some("-") => io::stdin().read_to_end(&mut buf).map(|_| ()),
            Some(path) => std::fs::read(path).map(|b| buf = b),
        }
        .map_err(|e| Runtime(format!("cannot read {}: {e}", input.as_deref().unwrap_or("standard input"))))?;
        // Invalid UTF-8 is replaced rather than refused: pages in the wild have it.
        Ok(String::from_utf8(buf).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
    }

    fn load_settings(path: &Option<String>) -> Result<Settings, Failure> {
        let Some(path) = path else { return Ok(Settings::default()) };
        let text = std::fs::read_to_string(path).map_err(|e| Runtime(format!("cannot read settings {path}: {e}")))?;
        serde_json::from_str(&text).map_err(|e| Runtime(format!("settings {path}: {e}")))
    }

    fn looks_like_html(s: &str) -> bool {
        let head: String = s.trim_start().chars().take(512).collect::<String>().to_ascii_lowercase();
        head.starts_with("<!doctype html") || head.starts_with("<html") || (head.starts_with('<') && (head.contains("<body") || head.contains("<head")))
    }

    fn analyze(engine: &Engine, a: AnalyzeArgs) -> Result<(), Failure> {
        let settings = load_settings(&a.settings)?;
        let input = read_input(&a.input)?;
        if a.jsonl {
            return analyze_jsonl(engine, &settings, &input);
        }
        let html = match a.mode {
            Some(m) => m == "html",
            None => looks_like_html(&input),
        };
        let mut snapshot = if html {
            snapshot_from_html(engine, &input, a.url.as_deref()).map_err(|e| Runtime(e.to_string()))?
        } else {
            PageSnapshot {
                url: a.url.clone(),
                title: None,
                site: a.url.as_deref().and_then(|u| engine.site_for_url(u)).map(|s| s.id.clone()),
                kind: "text".into(),
                lang: None,
                items: vec![SnapshotItem { id: "1".into(), text: input, platform: a.platform.clone(), ..Default::default() }],
            }
        };
        if a.page_lang.is_some() {
            snapshot.lang = a.page_lang.clone();
        }
        let report = engine.analyze_page(&snapshot, &settings);
        print_json(&report, a.pretty)
    }

    fn analyze_jsonl(engine: &Engine, settings: &Settings, input: &str) -> Result<(), Failure> {
        let stdout = io::stdout();
        let mut out = io::BufWriter::new(stdout.lock());
        for line in io::Cursor::new(input).lines() {
            let line = line.map_err(|e| Runtime(e.to_string()))?;
            if line.trim().is_empty() {
                continue;
            }
            let value = match serde_json::from_str::<Value>(&line) {
                Err(e) => json!({ "id": Value::Null, "error": format!("not JSON: {e}") }),
                Ok(v) => {
                    let id = v.get("id").cloned().unwrap_or(Value::Null);
                    match (v.get("text").and_then(Value::as_str), serde_json::from_value::<LineIn>(v.clone())) {
                        (None, _) => json!({ "id": id, "error": "missing \"text\" (a string)" }),
                        (Some(text), Err(e)) => {
                            // Name the field: try each one alone.
                            let field = v.as_object().into_iter().flatten().map(|(k, _)| k).find(|k| {
                                let one = json!({ "text": text, k.as_str(): v[k.as_str()].clone() });
                                serde_json::from_value::<LineIn>(one).is_err()
                            });
                            json!({ "id": id, "error": format!("bad field \"{}\": {e}", field.map_or("?", |f| f.as_str())) })
                        }
                        (Some(_), Ok(l)) => {
                            let platform = l.platform.clone().or_else(|| l.url.as_deref().and_then(|u| engine.site_for_url(u)).map(|s| s.platform.clone()));
                            let item = SnapshotItem {
                                text: l.text,
                                title: l.title,
                                author: l.author,
                                rating: l.rating,
                                rating_max: l.rating_max,
                                date: l.date,
                                age_minutes: l.age_minutes,
                                repeated_demand: l.repeated_demand,
                                page_lang: l.page_lang,
                                platform,
                                ..Default::default()
                            };
                            let analysis = engine.analyze_item(&item, settings);
                            // Written directly (not through Value): the id first, numbers as
                            // the engine rounded them.
                            serde_json::to_writer(&mut out, &Line { id: &id, item: &analysis }).map_err(|e| Runtime(e.to_string()))?;
                            out.write_all(b"\n").map_err(|e| Runtime(e.to_string()))?;
                            continue;
                        }
                    }
                }
            };
            serde_json::to_writer(&mut out, &value).map_err(|e| Runtime(e.to_string()))?;
            out.write_all(b"\n").map_err(|e| Runtime(e.to_string()))?;
        }
        out.flush().map_err(|e| Runtime(e.to_string()))
    }

    /// One `--jsonl` input line (unknown keys are ignored: the contract only grows).
    #[derive(serde::Deserialize)]
    struct LineIn {
        text: String,
        #[serde(default)]
        url: Option<String>,
        #[serde(default)]
        platform: Option<String>,
        #[serde(default)]
        title: Option<String>,
        #[serde(default)]
        author: Option<String>,
        #[serde(default)]
        rating: Option<f32>,
        #[serde(default)]
        rating_max: Option<f32>,
        #[serde(default)]
        date: Option<String>,
        #[serde(default)]
        age_minutes: Option<u32>,
        #[serde(default)]
        repeated_demand: bool,
        #[serde(default)]
        page_lang: Option<String>,
    }

    /// One `--jsonl` output line: the input's id (any JSON value), then ITEM.
    #[derive(Serialize)]
    struct Line<'a> {
        id: &'a Value,
        #[serde(flatten)]
        item: &'a calmly::ComplaintAnalysis,
    }

    fn print_json<T: Serialize>(value: &T, pretty: bool) -> Result<(), Failure> {
        let s = if pretty { serde_json::to_string_pretty(value) } else { serde_json::to_string(value) };
        let s = s.map_err(|e| Runtime(e.to_string()))?;
        let stdout = io::stdout();
        let mut lock = stdout.lock();
        // A closed pipe (`calmly … | head`) is not an error worth a message.
        let _ = writeln!(lock, "{s}");
        Ok(())
    }
}
