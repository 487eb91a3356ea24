//! Subcommands and their flags.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

mod campaign;

use crate::bank::{self, BankSummary};
use crate::chat::terminal::{self, TerminalOptions};
use crate::engine::Lang;
use crate::service::{load_content, Service};
use crate::store::Store;

#[derive(Parser, Debug)]
#[command(
    name = "stdquiz",
    version,
    about = "标准化知识问答机器人 · standards-literacy quiz and Q&A bot"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(clap::Args, Debug, Clone)]
pub struct Paths {
    /// Data directory (the sled store)
    #[arg(long, default_value = "data")]
    pub data: PathBuf,
    /// Directory of shipped question sets
    #[arg(long, default_value = "questions")]
    pub questions: PathBuf,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Play in the terminal (the embedded default: no token, no network)
    Chat {
        #[command(flatten)]
        paths: Paths,
        /// Local user id
        #[arg(long, default_value_t = 1)]
        user: i64,
        /// Interface language
        #[arg(long, default_value = "zh")]
        lang: LangArg,
    },
    /// Run the Telegram bot (TELOXIDE_TOKEN, TELOXIDE_API_URL, STDQUIZ_ADMINS)
    Serve {
        #[command(flatten)]
        paths: Paths,
        /// Messages per second overall (Telegram allows about 30); 0 sends without a
        /// client-side limit, for a self-hosted Bot API server
        #[arg(long, default_value_t = crate::chat::telegram::DEFAULT_SEND_RATE)]
        send_rate: u32,
    },
    /// Validate question and knowledge files; report every problem as file:line
    Check {
        /// Files or directories (default: questions/)
        paths: Vec<PathBuf>,
    },
    /// Import question sets or knowledge entries (xlsx, csv, txt, toml, json)
    Import {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        paths: Paths,
        /// Validate and report what would change, without writing
        #[arg(long)]
        dry_run: bool,
        /// Source (出处) shown for questions whose file cites none
        #[arg(long)]
        source: Option<String>,
    },
    /// Export progress, the bank, or unanswered questions
    Export {
        #[command(subcommand)]
        what: ExportWhat,
    },
    /// Ask the knowledge base a question
    Ask {
        text: String,
        #[command(flatten)]
        paths: Paths,
        /// Print {"matches": [...]} as JSON
        #[arg(long)]
        json: bool,
    },
    /// Campaigns (知识竞答): import a definition, list, report, poster
    Campaign {
        #[command(subcommand)]
        what: CampaignWhat,
    },
    /// Enterprises (参与单位) and their invitation codes
    Org {
        #[command(subcommand)]
        what: OrgWhat,
    },
    /// Check a certificate's verification code (参赛证明)
    Verify {
        code: String,
        #[arg(long, default_value = "data")]
        data: PathBuf,
        #[arg(long, default_value = "questions")]
        questions: PathBuf,
    },
    /// Write a blank import template with one example row per kind
    Template {
        #[arg(long, default_value = "xlsx")]
        format: TemplateFormat,
        /// Output file (default: stdquiz-template.xlsx / .csv)
        #[arg(long)]
        out: Option<PathBuf>,
        /// A knowledge-base template instead of a quiz template
        #[arg(long)]
        faq: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum ExportWhat {
    /// One row per user: answered, correct, per-topic counts, last activity
    Progress {
        #[arg(long, default_value = "data")]
        data: PathBuf,
        #[arg(long, default_value = "json")]
        format: TableFormat,
    },
    /// The bank as served (shipped plus imported sets)
    Bank {
        #[command(flatten)]
        paths: Paths,
        #[arg(long, default_value = "toml")]
        format: BankFormat,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Questions the Q&A could not answer, most asked first
    Unanswered {
        #[arg(long, default_value = "data")]
        data: PathBuf,
        #[arg(long, default_value = "json")]
        format: TableFormat,
    },
}

#[derive(Subcommand, Debug)]
pub enum CampaignWhat {
    /// Validate and store a campaign TOML (a new version if the id exists)
    Import {
        file: PathBuf,
        #[command(flatten)]
        paths: Paths,
        /// Validate and show what would be stored, without writing
        #[arg(long)]
        dry_run: bool,
    },
    /// The campaigns, newest version of each
    List {
        #[command(flatten)]
        paths: Paths,
        #[arg(long)]
        json: bool,
    },
    /// A QR poster of the campaign's deep link: FILE.png and FILE.svg
    Poster {
        id: String,
        /// The bot's @username, for https://t.me/USERNAME?start=c-ID
        #[arg(long)]
        bot: String,
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        paths: Paths,
    },
    /// Results per person, enterprise and question
    Report {
        id: String,
        #[command(flatten)]
        paths: Paths,
        #[arg(long, default_value = "json")]
        format: ReportFormat,
        /// Output file (required for xlsx; json and csv go to stdout without it)
        #[arg(long)]
        out: Option<PathBuf>,
        /// Language of the workbook's headers and sheet names
        #[arg(long, default_value = "zh")]
        lang: LangArg,
    },
    /// The prize draw (抽奖): commit before the close, run after it, verify
    Draw {
        #[command(subcommand)]
        what: DrawWhat,
    },
}

#[derive(Subcommand, Debug)]
pub enum DrawWhat {
    /// Store a secret seed and print its SHA-256 commitment to publish (before the close)
    Commit {
        id: String,
        #[command(flatten)]
        paths: Paths,
    },
    /// Draw among those who passed, one entry each, and reveal the seed (after the close)
    Run {
        id: String,
        #[arg(long)]
        winners: usize,
        /// At most this many winners per enterprise
        #[arg(long)]
        per_org_cap: Option<usize>,
        #[command(flatten)]
        paths: Paths,
    },
    /// Recompute the winners from the published seed and the stored results
    Verify {
        id: String,
        #[arg(long)]
        seed: String,
        #[command(flatten)]
        paths: Paths,
    },
}

#[derive(Subcommand, Debug)]
pub enum OrgWhat {
    /// Import an enterprise list (xlsx, csv, GBK csv): 单位名称, 职工人数, 街道, 邀请码
    Import {
        file: PathBuf,
        #[command(flatten)]
        paths: Paths,
        #[arg(long)]
        dry_run: bool,
    },
    /// The enterprises with their invitation codes
    List {
        #[command(flatten)]
        paths: Paths,
        #[arg(long)]
        json: bool,
    },
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq)]
pub enum ReportFormat {
    Json,
    /// The workbook: 概览, 单位, 人员, 题目分析 (and 中奖名单 after the draw)
    Xlsx,
    /// The 人员 (people) sheet only, as UTF-8 CSV
    Csv,
}

#[derive(ValueEnum, Debug, Clone, Copy)]
pub enum LangArg {
    Zh,
    En,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq)]
pub enum TableFormat {
    Json,
    Csv,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq)]
pub enum BankFormat {
    Toml,
    Json,
    Csv,
    Xlsx,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq)]
pub enum TemplateFormat {
    Xlsx,
    Csv,
}

/// Errors printed as one line before exiting with code 2.
pub(crate) fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("stdquiz: {message}");
    ExitCode::from(2)
}

fn open_store(data: &Path) -> Result<Store, ExitCode> {
    Store::open(data).map_err(fail)
}

pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Chat { paths, user, lang } => {
            let store = match open_store(&paths.data) {
                Ok(store) => store,
                Err(code) => return code,
            };
            let service = match Service::new(store, &paths.questions, vec![user]) {
                Ok(service) => service,
                Err(e) => return fail(e),
            };
            warn_problems(&service);
            let options = TerminalOptions {
                user,
                lang: lang.into(),
                admin: true,
            };
            let stdin = std::io::stdin();
            match terminal::run(&service, &options, stdin.lock(), std::io::stdout()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => fail(e),
            }
        }
        Command::Serve { paths, send_rate } => {
            crate::chat::telegram::serve(&paths.data, &paths.questions, send_rate)
        }
        Command::Check { paths } => check(if paths.is_empty() {
            vec![PathBuf::from("questions")]
        } else {
            paths
        }),
        Command::Import {
            files,
            paths,
            dry_run,
            source,
        } => import(&files, &paths, dry_run, source),
        Command::Export { what } => export(what),
        Command::Ask { text, paths, json } => ask(&text, &paths, json),
        Command::Campaign { what } => campaign::campaign(what),
        Command::Org { what } => campaign::org(what),
        Command::Verify {
            code,
            data,
            questions,
        } => campaign::verify(&code, &Paths { data, questions }),
        Command::Template { format, out, faq } => {
            let out = out.unwrap_or_else(|| {
                PathBuf::from(match (format, faq) {
                    (TemplateFormat::Xlsx, false) => "stdquiz-template.xlsx",
                    (TemplateFormat::Csv, false) => "stdquiz-template.csv",
                    (TemplateFormat::Xlsx, true) => "stdquiz-faq-template.xlsx",
                    (TemplateFormat::Csv, true) => "stdquiz-faq-template.csv",
                })
            });
            match crate::bank::formats::write_template(&out, format == TemplateFormat::Xlsx, faq) {
                Ok(()) => {
                    println!("wrote {}", out.display());
                    ExitCode::SUCCESS
                }
                Err(e) => fail(format!("cannot write {}: {e}", out.display())),
            }
        }
    }
}

impl From<LangArg> for Lang {
    fn from(value: LangArg) -> Lang {
        match value {
            LangArg::Zh => Lang::Zh,
            LangArg::En => Lang::En,
        }
    }
}

fn warn_problems(service: &Service) {
    let content = service.content();
    for problem in &content.problems {
        eprintln!("warning: {problem} (skipped; run `stdquiz check`)");
    }
}

fn check(paths: Vec<PathBuf>) -> ExitCode {
    let report = bank::load_paths(&paths);
    let (kb, kb_problems) = crate::qa::KnowledgeBase::build(&report.faq);
    let mut problems: Vec<String> = report.problems.iter().map(ToString::to_string).collect();
    problems.extend(kb_problems.iter().map(ToString::to_string));
    if !problems.is_empty() {
        for p in &problems {
            println!("{p}");
        }
        eprintln!("{} problem(s) found", problems.len());
        return ExitCode::from(1);
    }
    let summary = BankSummary::of(&report.bank(), kb.len());
    print_summary(&summary);
    ExitCode::SUCCESS
}

fn print_summary(summary: &BankSummary) {
    println!(
        "OK: {} sets, {} questions, {} knowledge entries",
        summary.sets, summary.questions, summary.faq_entries
    );
    let kinds: Vec<String> = summary
        .per_kind
        .iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect();
    println!("kinds: {}", kinds.join(", "));
    let levels: Vec<String> = summary
        .per_difficulty
        .iter()
        .map(|(d, n)| format!("{d}: {n}"))
        .collect();
    println!("difficulty: {}", levels.join(", "));
    println!("with English: {}", summary.with_english);
    println!("topics ({}):", summary.per_topic.len());
    for (topic, n) in &summary.per_topic {
        println!("  {topic}: {n}");
    }
}

fn import(files: &[PathBuf], paths: &Paths, dry_run: bool, source: Option<String>) -> ExitCode {
    let inputs = match crate::import::read_files(files) {
        Ok(inputs) => inputs,
        Err(problems) => return print_problems(&problems),
    };
    let store = match open_store(&paths.data) {
        Ok(store) => store,
        Err(code) => return code,
    };
    let content = match load_content(&paths.questions, &store) {
        Ok(content) => content,
        Err(e) => return fail(e),
    };
    let current = match store.imported_sets() {
        Ok(current) => current,
        Err(e) => return fail(e),
    };
    let options = crate::import::ImportOptions { source };
    let plan = match crate::import::plan_with(&inputs, &current, &content.bank, &options) {
        Ok(plan) => plan,
        Err(problems) => return print_problems(&problems),
    };
    for line in plan.summary_lines() {
        println!("{line}");
    }
    for set in &plan.sets {
        println!(
            "set {} v{}: {} questions (added {}, changed {}, unchanged {}, retired {})",
            set.file.set.id,
            set.version,
            set.file.questions.len(),
            set.added,
            set.changed,
            set.unchanged,
            set.newly_retired
        );
    }
    for batch in &plan.faq {
        println!("knowledge {}: {} entries", batch.name, batch.entries.len());
    }
    if dry_run {
        println!("dry run: nothing was written");
        return ExitCode::SUCCESS;
    }
    let now = chrono::Utc::now().timestamp();
    match crate::import::apply(&store, &plan, "cli", now) {
        Ok(()) => {
            println!("imported into {}", paths.data.display());
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

pub(crate) fn print_problems(problems: &[bank::Problem]) -> ExitCode {
    for p in problems {
        println!("{p}");
    }
    eprintln!("{} problem(s) found; nothing was imported", problems.len());
    ExitCode::from(1)
}

fn export(what: ExportWhat) -> ExitCode {
    let result = match what {
        ExportWhat::Progress { data, format } => open_store(&data)
            .map(|store| crate::export::progress(&store, format == TableFormat::Csv)),
        ExportWhat::Unanswered { data, format } => open_store(&data)
            .map(|store| crate::export::unanswered(&store, format == TableFormat::Csv)),
        ExportWhat::Bank { paths, format, out } => {
            return match crate::export::bank(&paths, format, out.as_deref()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => fail(e),
            };
        }
    };
    match result {
        Ok(Ok(text)) => {
            let mut stdout = std::io::stdout();
            let _ = stdout.write_all(text.as_bytes());
            ExitCode::SUCCESS
        }
        Ok(Err(e)) => fail(e),
        Err(code) => code,
    }
}

fn ask(text: &str, paths: &Paths, json: bool) -> ExitCode {
    let report = bank::load_dir(&paths.questions);
    let mut batches = report.faq;
    // Imported entries too, when a data directory exists (read-only use of the store).
    let mut store = None;
    if paths.data.exists() {
        match Store::open(&paths.data) {
            Ok(opened) => {
                if let Ok(extra) = opened.imported_faq() {
                    batches.extend(extra.into_iter().map(|b| (b.name, b.entries)));
                }
                store = Some(opened);
            }
            Err(e) => eprintln!("warning: {e}; answering from shipped entries only"),
        }
    }
    let kb = crate::qa::KnowledgeBase::build(&batches).0;
    let asked = crate::service::ask::answer(&kb, text);
    if let (Some(query), Some(store)) = (&asked.unanswered, &store) {
        let key = crate::text::normalize_answer(query);
        if !key.is_empty() {
            let _ = store.record_unanswered(&key, query, chrono::Utc::now().timestamp());
        }
    }
    print_answer(&asked.response, json)
}

fn print_answer(response: &crate::service::Response, json: bool) -> ExitCode {
    use crate::service::Response;
    let (matches, redirect, suggestions, small_talk) = match response {
        Response::Answer { matches, .. } => (matches.as_slice(), None, &[][..], None),
        Response::Abstain {
            redirect,
            suggestions,
            ..
        } => (&[][..], *redirect, suggestions.as_slice(), None),
        Response::SmallTalk { kind, .. } => (&[][..], None, &[][..], Some(*kind)),
        _ => (&[][..], None, &[][..], None),
    };
    if json {
        let mut out = serde_json::json!({ "matches": matches });
        if let Some(r) = redirect {
            out["out_of_scope"] = serde_json::json!({ "topic": r.topic, "hint": r.hint });
        }
        if !suggestions.is_empty() {
            out["suggestions"] = serde_json::json!(suggestions);
        }
        if let Some(kind) = small_talk {
            out["small_talk"] = serde_json::json!(kind);
        }
        println!("{out}");
        return ExitCode::SUCCESS;
    }
    if small_talk.is_some() {
        println!("你好！可以直接问我标准化问题。Hello! Ask me about standardization.");
        return ExitCode::SUCCESS;
    }
    let Some(best) = matches.first() else {
        println!("抱歉，暂时没有可靠的答案。Sorry, no reliable answer yet. Try /quiz or rephrase.");
        if let Some(r) = redirect {
            println!("\n{}\n{}", r.hint, r.hint_en);
        }
        for id in suggestions {
            println!("你是不是想问 / Did you mean: {id}");
        }
        return ExitCode::SUCCESS;
    };
    println!(
        "{}\n\n{}\n\n出处 / Source: {}",
        best.question, best.answer, best.source
    );
    for m in matches.iter().skip(1) {
        println!("相关 / Related: {} ({})", m.question, m.id);
    }
    ExitCode::SUCCESS
}
