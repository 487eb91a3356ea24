//! Loading files and directories into a [`Bank`], and the bank itself.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use super::formats::{self, Content, Format, ParsedFile};
use super::model::{Kind, Question, SetInfo};
use super::record::{validate_set, FaqRecord, Problem, SetFile};

/// The questions being served: shipped sets plus imported ones, ids unique.
#[derive(Debug, Clone, Default)]
pub struct Bank {
    questions: Vec<Question>,
    index: HashMap<String, usize>,
    sets: Vec<SetInfo>,
}

impl Bank {
    /// Builds a bank from sets in order; a later set with the same id replaces an earlier one.
    pub fn from_sets(sets: Vec<(SetInfo, Vec<Question>)>) -> Bank {
        let mut by_id: Vec<(SetInfo, Vec<Question>)> = Vec::new();
        for (info, questions) in sets {
            match by_id
                .iter_mut()
                .find(|(existing, _)| existing.id == info.id)
            {
                Some(slot) => *slot = (info, questions),
                None => by_id.push((info, questions)),
            }
        }
        let mut bank = Bank::default();
        for (info, questions) in by_id {
            for question in questions {
                if bank.index.contains_key(&question.id) {
                    tracing::warn!(question = %question.id, set = %info.id, "duplicate question id across sets; keeping the first");
                    continue;
                }
                bank.index.insert(question.id.clone(), bank.questions.len());
                bank.questions.push(question);
            }
            bank.sets.push(info);
        }
        bank
    }

    pub fn get(&self, id: &str) -> Option<&Question> {
        self.index.get(id).map(|&i| &self.questions[i])
    }

    pub fn questions(&self) -> &[Question] {
        &self.questions
    }

    pub fn sets(&self) -> &[SetInfo] {
        &self.sets
    }

    pub fn is_empty(&self) -> bool {
        self.questions.is_empty()
    }

    /// Topics in first-seen order with their English names and question counts.
    pub fn topics(&self) -> Vec<(String, Option<String>, usize)> {
        let mut topics: Vec<(String, Option<String>, usize)> = Vec::new();
        for q in &self.questions {
            match topics.iter_mut().find(|(t, _, _)| *t == q.topic) {
                Some(entry) => {
                    entry.2 += 1;
                    if entry.1.is_none() {
                        entry.1 = q.topic_en.clone();
                    }
                }
                None => topics.push((q.topic.clone(), q.topic_en.clone(), 1)),
            }
        }
        topics
    }

    /// The topic whose [`topic_key`] is `key` (a topic button).
    pub fn topic_by_key(&self, key: &str) -> Option<String> {
        self.topics()
            .into_iter()
            .map(|(topic, _, _)| topic)
            .find(|topic| topic_key(topic) == key)
    }

    /// Resolves what a user typed after `/quiz` to a topic: a set id, a topic name in
    /// either language, or a unique part of one, ignoring case, width and spaces.
    pub fn find_topic(&self, query: &str) -> Option<String> {
        let wanted = crate::text::normalize_answer(query);
        if wanted.is_empty() {
            return None;
        }
        let topics = self.topics();
        for set in &self.sets {
            if crate::text::normalize_answer(&set.id) == wanted {
                return Some(set.topic.clone());
            }
        }
        let names = |t: &(String, Option<String>, usize)| {
            let mut names = vec![crate::text::normalize_answer(&t.0)];
            if let Some(en) = &t.1 {
                names.push(crate::text::normalize_answer(en));
            }
            names
        };
        if let Some(t) = topics.iter().find(|t| names(t).contains(&wanted)) {
            return Some(t.0.clone());
        }
        let partial: Vec<_> = topics
            .iter()
            .filter(|t| {
                names(t).iter().any(|n| {
                    n.contains(&wanted)
                        || (wanted.chars().count() >= 2 && wanted.contains(n.as_str()))
                })
            })
            .collect();
        match partial.as_slice() {
            [one] => Some(one.0.clone()),
            _ => None,
        }
    }
}

/// A short stable key for a topic name (8 hex digits of its FNV-1a hash), so topic
/// buttons carry an id that fits callback data rather than a list position.
pub fn topic_key(topic: &str) -> String {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in topic.as_bytes() {
        hash ^= u32::from(*byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    format!("{hash:08x}")
}

/// What `stdquiz check` prints when a bank is clean.
#[derive(Debug, Clone, Default)]
pub struct BankSummary {
    pub sets: usize,
    pub questions: usize,
    pub per_kind: BTreeMap<&'static str, usize>,
    pub per_topic: Vec<(String, usize)>,
    pub per_difficulty: BTreeMap<u8, usize>,
    pub with_english: usize,
    pub faq_entries: usize,
}

impl BankSummary {
    pub fn of(bank: &Bank, faq_entries: usize) -> BankSummary {
        let mut summary = BankSummary {
            sets: bank.sets().len(),
            questions: bank.questions().len(),
            faq_entries,
            ..Default::default()
        };
        for q in bank.questions() {
            *summary.per_kind.entry(kind_name(q.kind)).or_default() += 1;
            *summary.per_difficulty.entry(q.difficulty).or_default() += 1;
            if q.prompt_en.is_some() {
                summary.with_english += 1;
            }
        }
        summary.per_topic = bank.topics().into_iter().map(|(t, _, n)| (t, n)).collect();
        summary
    }
}

fn kind_name(kind: Kind) -> &'static str {
    kind.as_str()
}

/// Everything read from a set of paths: valid sets, knowledge entries and all problems.
#[derive(Debug, Default)]
pub struct LoadReport {
    pub sets: Vec<(SetInfo, Vec<Question>)>,
    /// Canonical records of the valid sets, as read (for import and export).
    pub files: Vec<SetFile>,
    pub faq: Vec<(String, Vec<FaqRecord>)>,
    pub problems: Vec<Problem>,
}

impl LoadReport {
    pub fn bank(&self) -> Bank {
        Bank::from_sets(self.sets.clone())
    }
}

/// Loads every bank file under `dir` (recursively). A missing directory is an empty bank.
pub fn load_dir(dir: &Path) -> LoadReport {
    if !dir.exists() {
        return LoadReport::default();
    }
    load_paths(&[dir.to_path_buf()])
}

/// Loads files and directories, validating each file and checking ids across files.
pub fn load_paths(paths: &[PathBuf]) -> LoadReport {
    let mut report = LoadReport::default();
    let mut files = Vec::new();
    for path in paths {
        collect_files(path, &mut files, &mut report.problems);
    }
    let mut owner: HashMap<String, String> = HashMap::new();
    for path in files {
        let name = path.display().to_string();
        let Some(format) = Format::from_path(&path) else {
            continue;
        };
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) => {
                report.problems.push(Problem {
                    file: name,
                    line: None,
                    question: None,
                    message: format!("cannot read: {e}"),
                });
                continue;
            }
        };
        let parsed = match formats::parse_bytes(&name, format, &bytes) {
            Ok(parsed) => parsed,
            Err(problems) => {
                report.problems.extend(problems);
                continue;
            }
        };
        add_parsed(&mut report, &mut owner, &name, parsed);
    }
    report
}

fn add_parsed(
    report: &mut LoadReport,
    owner: &mut HashMap<String, String>,
    name: &str,
    parsed: ParsedFile,
) {
    let decode_clean = parsed.problems.is_empty();
    report.problems.extend(parsed.problems);
    let sets = match parsed.content {
        Content::Faq(mut entries) => {
            for (index, entry) in entries.iter_mut().enumerate() {
                entry.line = super::record::Locate::line(&parsed.places, index, None);
            }
            report.faq.push((name.to_string(), entries));
            return;
        }
        Content::Set(file) => vec![(file, parsed.places)],
        Content::Sets(sets) => sets,
    };
    for (file, places) in sets {
        let (questions, problems) = validate_set(&file.set, &file.questions, &places);
        let mut clean = decode_clean && problems.is_empty();
        report.problems.extend(problems);
        for (index, q) in questions.iter().enumerate() {
            if let Some(other) = owner.insert(q.id.clone(), name.to_string()) {
                clean = false;
                report.problems.push(Problem {
                    file: name.to_string(),
                    line: super::record::Locate::line(&places, index, Some("id")),
                    question: Some(q.id.clone()),
                    message: format!("duplicate id `{}`: also used in {other}", q.id),
                });
            }
        }
        if clean {
            report
                .sets
                .push((set_info(&file, &questions, name), questions));
            report.files.push(file);
        }
    }
}

pub fn set_info(file: &SetFile, questions: &[Question], origin: &str) -> SetInfo {
    SetInfo {
        id: file.set.id.clone(),
        title: file.set.title.clone(),
        title_en: file.set.title_en.clone(),
        topic: file
            .set
            .topic
            .clone()
            .unwrap_or_else(|| file.set.title.clone()),
        topic_en: file.set.topic_en.clone(),
        origin: origin.to_string(),
        question_ids: questions.iter().map(|q| q.id.clone()).collect(),
    }
}

fn collect_files(path: &Path, files: &mut Vec<PathBuf>, problems: &mut Vec<Problem>) {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = match std::fs::read_dir(path) {
            Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(e) => {
                problems.push(Problem {
                    file: path.display().to_string(),
                    line: None,
                    question: None,
                    message: format!("cannot read directory: {e}"),
                });
                return;
            }
        };
        entries.sort();
        for entry in entries {
            if entry.is_dir() || Format::from_bank_path(&entry).is_some() {
                collect_files(&entry, files, problems);
            }
        }
    } else if path.exists() {
        if Format::from_path(path).is_none() {
            problems.push(Problem {
                file: path.display().to_string(),
                line: None,
                question: None,
                message: "unknown file type (use .toml, .json, .csv, .xlsx or .txt)".into(),
            });
            return;
        }
        files.push(path.to_path_buf());
    } else {
        problems.push(Problem {
            file: path.display().to_string(),
            line: None,
            question: None,
            message: "no such file or directory".into(),
        });
    }
}
