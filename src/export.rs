//! Exports for organizers and admins: progress per user, unanswered questions, the bank.
//! In CSV, text from people or imported files that could run as a formula (`=`, `+`,
//! `-`, `@`, tab, CR first) is written with a leading `'` ([`csv_safe`]).

use std::path::Path;

use serde::Serialize;

use crate::bank::SetFile;
use crate::cli::{BankFormat, Paths};
use crate::results::workbook::csv_safe;
use crate::service::load_content;
use crate::store::{Store, StoreError};

#[derive(Debug, Serialize)]
pub struct ProgressRow {
    pub user_id: i64,
    pub name: Option<String>,
    pub answered: u32,
    pub correct: u32,
    pub accuracy: f64,
    pub points: u32,
    pub daily_streak_best: u32,
    pub challenge_best: u32,
    pub active: bool,
    /// topic -> {answered, correct}
    pub topics: std::collections::BTreeMap<String, crate::engine::Tally>,
    pub first_seen: String,
    pub last_active: String,
}

fn iso(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .map(|t| t.to_rfc3339())
        .unwrap_or_default()
}

pub fn progress_rows(store: &Store) -> Result<Vec<ProgressRow>, StoreError> {
    Ok(store
        .users()?
        .into_iter()
        .map(|u| ProgressRow {
            user_id: u.id,
            name: u.name.clone(),
            answered: u.answered,
            correct: u.correct,
            accuracy: if u.answered > 0 {
                (f64::from(u.correct) / f64::from(u.answered) * 1000.0).round() / 1000.0
            } else {
                0.0
            },
            points: u.days.values().map(|d| d.points).sum(),
            daily_streak_best: u.daily.best_streak,
            challenge_best: u.challenge_best,
            active: !u.inactive,
            topics: u.topics.clone(),
            first_seen: iso(u.first_seen),
            last_active: iso(u.last_active),
        })
        .collect())
}

pub fn progress(store: &Store, csv: bool) -> Result<String, String> {
    let rows = progress_rows(store).map_err(|e| e.to_string())?;
    if !csv {
        return serde_json::to_string_pretty(&rows)
            .map(|s| s + "\n")
            .map_err(|e| e.to_string());
    }
    let topics: std::collections::BTreeSet<String> =
        rows.iter().flat_map(|r| r.topics.keys().cloned()).collect();
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = [
        "user_id",
        "name",
        "answered",
        "correct",
        "accuracy",
        "points",
        "daily_streak_best",
        "challenge_best",
        "active",
        "first_seen",
        "last_active",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for t in &topics {
        header.push(csv_safe(&format!("{t} answered")).into_owned());
        header.push(csv_safe(&format!("{t} correct")).into_owned());
    }
    writer.write_record(&header).map_err(|e| e.to_string())?;
    for r in &rows {
        let mut record = vec![
            r.user_id.to_string(),
            csv_safe(r.name.as_deref().unwrap_or_default()).into_owned(),
            r.answered.to_string(),
            r.correct.to_string(),
            r.accuracy.to_string(),
            r.points.to_string(),
            r.daily_streak_best.to_string(),
            r.challenge_best.to_string(),
            r.active.to_string(),
            r.first_seen.clone(),
            r.last_active.clone(),
        ];
        for t in &topics {
            let tally = r.topics.get(t).copied().unwrap_or_default();
            record.push(tally.answered.to_string());
            record.push(tally.correct.to_string());
        }
        writer.write_record(&record).map_err(|e| e.to_string())?;
    }
    String::from_utf8(writer.into_inner().map_err(|e| e.to_string())?).map_err(|e| e.to_string())
}

#[derive(Debug, Clone, Serialize)]
struct UnansweredRow {
    question: String,
    count: u32,
    first_asked: String,
    last_asked: String,
}

pub fn unanswered(store: &Store, csv: bool) -> Result<String, String> {
    let mut rows = store.unanswered().map_err(|e| e.to_string())?;
    rows.sort_by(|a, b| b.count.cmp(&a.count).then(b.last_at.cmp(&a.last_at)));
    let rows: Vec<UnansweredRow> = rows
        .into_iter()
        .map(|u| UnansweredRow {
            question: u.text,
            count: u.count,
            first_asked: iso(u.first_at),
            last_asked: iso(u.last_at),
        })
        .collect();
    if !csv {
        return serde_json::to_string_pretty(&rows)
            .map(|s| s + "\n")
            .map_err(|e| e.to_string());
    }
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in &rows {
        // What people typed is text, never a formula.
        let row = UnansweredRow {
            question: csv_safe(&row.question).into_owned(),
            ..row.clone()
        };
        writer.serialize(&row).map_err(|e| e.to_string())?;
    }
    String::from_utf8(writer.into_inner().map_err(|e| e.to_string())?).map_err(|e| e.to_string())
}

/// The bank as served, one SetFile per set, in canonical records.
pub fn served_sets(paths: &Paths) -> Result<Vec<SetFile>, String> {
    let store = Store::open(&paths.data).map_err(|e| e.to_string())?;
    let content = load_content(&paths.questions, &store).map_err(|e| e.to_string())?;
    Ok(content
        .bank
        .sets()
        .iter()
        .map(|info| SetFile {
            set: crate::bank::SetHeader {
                id: info.id.clone(),
                title: info.title.clone(),
                title_en: info.title_en.clone(),
                topic: Some(info.topic.clone()),
                topic_en: info.topic_en.clone(),
            },
            questions: info
                .question_ids
                .iter()
                .filter_map(|id| content.bank.get(id))
                .map(|q| q.to_record())
                .collect(),
        })
        .collect())
}

pub fn bank(paths: &Paths, format: BankFormat, out: Option<&Path>) -> Result<(), String> {
    let sets = served_sets(paths)?;
    let bytes: Vec<u8> = match format {
        BankFormat::Toml => {
            // One TOML file holds one set: several sets go to a directory, one file each.
            if let Some(dir) = out.filter(|_| sets.len() > 1) {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                for set in &sets {
                    let path = dir.join(format!("{}.toml", set.set.id));
                    let text = toml::to_string(set).map_err(|e| e.to_string())?;
                    std::fs::write(&path, text)
                        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                }
                return Ok(());
            }
            let mut text = String::new();
            for set in &sets {
                if sets.len() > 1 {
                    text.push_str(&format!("# ---- set {} (export with --out DIR for one importable file per set) ----\n", set.set.id));
                }
                text.push_str(&toml::to_string(set).map_err(|e| e.to_string())?);
                text.push('\n');
            }
            text.into_bytes()
        }
        BankFormat::Json => serde_json::to_vec_pretty(&sets).map_err(|e| e.to_string())?,
        BankFormat::Csv => {
            crate::bank::formats::write_sets_csv(&sets).map_err(|e| e.to_string())?
        }
        BankFormat::Xlsx => {
            crate::bank::formats::write_sets_xlsx(&sets).map_err(|e| e.to_string())?
        }
    };
    match out {
        Some(path) => {
            std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
        }
        None => {
            use std::io::Write;
            std::io::stdout()
                .write_all(&bytes)
                .map_err(|e| e.to_string())
        }
    }
}
