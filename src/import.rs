//! Importing admin files as new versions of sets: validate everything, compare with
//! what is served, then write all sets of one import in one store transaction.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use crate::bank::formats::{self, ColumnMapping, Content, Format, Places};
use crate::bank::limits::{self, LimitError};
use crate::bank::{
    derived_id, stem_derived_id, validate_set, Bank, FaqRecord, Kind, Problem, Question, SetFile,
    SetInfo,
};
use crate::qa::KnowledgeBase;
use crate::store::{Store, StoreError, StoredFaq, StoredSet};
use crate::text::{clean_cell, normalize_answer};

/// Upload size limit for chat imports (see [`crate::bank::limits`] for the others).
pub use crate::bank::limits::MAX_UPLOAD_BYTES;

/// Choices an admin makes for one import.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// The source (出处) shown for questions whose file names none (`--source`, or chosen
    /// in the chat preview). Without it: `导入文件 NAME（未注明出处）`.
    pub source: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ImportPlan {
    pub sets: Vec<SetPlan>,
    pub faq: Vec<FaqPlan>,
    /// How each table's header was read (`题目 → 题干`) and which columns were ignored.
    pub mappings: Vec<ColumnMapping>,
    /// What imports but deserves a look, e.g. rows without a source, counted per set.
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SetPlan {
    pub file: SetFile,
    pub version: u32,
    pub added: usize,
    pub changed: usize,
    pub unchanged: usize,
    /// Ids served before and absent now (plus ones retired by earlier versions).
    pub retired: Vec<String>,
    pub newly_retired: usize,
    pub per_kind: BTreeMap<&'static str, usize>,
    pub per_topic: BTreeMap<String, usize>,
    /// The first question, shown as a sample in the preview.
    pub sample: Option<String>,
    /// The file this set came from, as named in the import.
    pub origin: String,
    /// The set-level source given to `unsourced` questions that cite none.
    pub source: Option<String>,
    pub unsourced: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FaqPlan {
    pub name: String,
    pub entries: Vec<FaqRecord>,
    pub version: u32,
}

impl ImportPlan {
    pub fn set_files(&self) -> Vec<SetFile> {
        self.sets.iter().map(|s| s.file.clone()).collect()
    }

    pub fn faq_batches(&self) -> Vec<(String, Vec<FaqRecord>)> {
        self.faq
            .iter()
            .map(|f| (f.name.clone(), f.entries.clone()))
            .collect()
    }

    pub fn question_count(&self) -> usize {
        self.sets.iter().map(|s| s.file.questions.len()).sum()
    }

    pub fn faq_count(&self) -> usize {
        self.faq.iter().map(|f| f.entries.len()).sum()
    }

    /// Replaces the set-level source of every set that uses one (the admin chose another in
    /// the chat preview): the questions that cited none now cite `source`.
    pub fn set_source(&mut self, source: &str) -> Result<(), String> {
        let source = check_source(source)?;
        for set in &mut self.sets {
            let Some(old) = set.source.replace(source.clone()) else {
                continue;
            };
            replace_source(std::slice::from_mut(&mut set.file), &old, &source)?;
        }
        self.warnings = source_warnings(&self.sets);
        Ok(())
    }

    /// The lines a dry run prints before the per-set summary: the header mapping of every
    /// table, then the warnings.
    pub fn summary_lines(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .mappings
            .iter()
            .map(|m| {
                let place = match &m.sheet {
                    Some(sheet) => format!("{}[{sheet}]", m.file),
                    None => m.file.clone(),
                };
                format!("columns of {place}: {}", m.describe())
            })
            .collect();
        lines.extend(self.warnings.iter().map(|w| format!("warning: {w}")));
        lines
    }
}

/// Reads files from disk for `stdquiz import`.
pub fn read_files(paths: &[impl AsRef<Path>]) -> Result<Vec<(String, Vec<u8>)>, Vec<Problem>> {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        let path = path.as_ref();
        // A file over the limit is refused from its size, never read into memory.
        if let Ok(metadata) = std::fs::metadata(path) {
            let bytes = usize::try_from(metadata.len()).unwrap_or(usize::MAX);
            if metadata.is_file() && bytes > MAX_UPLOAD_BYTES {
                problems.push(Problem {
                    file: path.display().to_string(),
                    line: None,
                    question: None,
                    message: LimitError::Upload { bytes }.to_string(),
                });
                continue;
            }
        }
        match std::fs::read(path) {
            Ok(bytes) => files.push((path.display().to_string(), bytes)),
            Err(e) => problems.push(Problem {
                file: path.display().to_string(),
                line: None,
                question: None,
                message: format!("cannot read: {e}"),
            }),
        }
    }
    if problems.is_empty() {
        Ok(files)
    } else {
        Err(problems)
    }
}

/// Parses and validates uploaded files and plans the new versions. Reports every problem
/// (the first [`limits::MAX_REPORTED_PROBLEMS`], then a count).
pub fn plan(
    files: &[(String, Vec<u8>)],
    current: &[StoredSet],
    bank: &Bank,
) -> Result<ImportPlan, Vec<Problem>> {
    plan_with(files, current, bank, &ImportOptions::default())
}

/// [`plan`] with the admin's choices (a set-level source).
pub fn plan_with(
    files: &[(String, Vec<u8>)],
    current: &[StoredSet],
    bank: &Bank,
    options: &ImportOptions,
) -> Result<ImportPlan, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut sets = Vec::new();
    let mut faq = Vec::new();
    let mut mappings = Vec::new();
    let mut sources: Vec<(String, Option<String>, usize)> = Vec::new();
    let chosen = match options.source.as_deref().map(check_source).transpose() {
        Ok(chosen) => chosen,
        Err(message) => {
            return Err(vec![Problem {
                file: "--source".into(),
                line: None,
                question: None,
                message,
            }])
        }
    };
    for (name, bytes) in files {
        let problem = |message: String| Problem {
            file: name.clone(),
            line: None,
            question: None,
            message,
        };
        if bytes.len() > MAX_UPLOAD_BYTES {
            problems.push(problem(
                LimitError::Upload { bytes: bytes.len() }.to_string(),
            ));
            continue;
        }
        let Some(format) = Format::from_path(Path::new(name)) else {
            problems.push(problem("unknown file type: send .xlsx, .xls, .ods, .csv, .txt, .toml or .json (run `stdquiz template` for a template)".into()));
            continue;
        };
        let parsed = match formats::parse_bytes(name, format, bytes) {
            Ok(parsed) => parsed,
            Err(more) => {
                problems.extend(more);
                continue;
            }
        };
        problems.extend(parsed.problems);
        mappings.extend(parsed.mappings);
        let parts = match parsed.content {
            Content::Set(file) => vec![(file, parsed.places)],
            Content::Sets(parts) => parts,
            Content::Faq(mut entries) => {
                for (index, entry) in entries.iter_mut().enumerate() {
                    entry.line = crate::bank::record::Locate::line(&parsed.places, index, None);
                }
                if entries.len() > limits::MAX_QUESTIONS {
                    problems.push(problem(LimitError::Questions.to_string()));
                    continue;
                }
                let stem = Path::new(name)
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .unwrap_or("faq")
                    .to_string();
                faq.push((stem, entries));
                continue;
            }
        };
        let records: usize = parts.iter().map(|(f, _)| f.questions.len()).sum();
        if records > limits::MAX_QUESTIONS {
            problems.push(problem(LimitError::Questions.to_string()));
            continue;
        }
        for (mut file, places) in parts {
            assign_ids(&mut file, bank);
            let source = chosen.clone().unwrap_or_else(|| default_source(name));
            let unsourced = fill_sources(&mut file, &source);
            sources.push((name.clone(), (unsourced > 0).then_some(source), unsourced));
            let (questions, more) = validate_set(&file.set, &file.questions, &places);
            if more.is_empty() {
                sets.push((file, questions));
            } else {
                sources.pop();
            }
            problems.extend(more);
        }
    }
    let result = match plan_validated(sets, faq, current, bank) {
        Ok(mut plan) if problems.is_empty() => {
            for (set, (origin, source, unsourced)) in plan.sets.iter_mut().zip(sources) {
                set.origin = origin;
                set.source = source;
                set.unsourced = unsourced;
            }
            plan.warnings = source_warnings(&plan.sets);
            plan.mappings = mappings;
            return Ok(plan);
        }
        Ok(_) => problems,
        Err(more) => {
            problems.extend(more);
            problems
        }
    };
    Err(cap_problems(result))
}

/// The first [`limits::MAX_REPORTED_PROBLEMS`] problems and one line counting the rest.
pub fn cap_problems(mut problems: Vec<Problem>) -> Vec<Problem> {
    let total = problems.len();
    if total <= limits::MAX_REPORTED_PROBLEMS {
        return problems;
    }
    let file = problems[limits::MAX_REPORTED_PROBLEMS].file.clone();
    problems.truncate(limits::MAX_REPORTED_PROBLEMS);
    let more = total - limits::MAX_REPORTED_PROBLEMS;
    problems.push(Problem {
        file,
        line: None,
        question: None,
        message: format!(
            "……另有 {more} 个问题未列出（共 {total} 个） / … and {more} more problems not listed ({total} in all)"
        ),
    });
    problems
}

/// The set-level source of questions imported from `file_name` without one, when the admin
/// gave none: `导入文件 题库.xlsx（未注明出处）`.
pub fn default_source(file_name: &str) -> String {
    let file_name = Path::new(file_name)
        .file_name()
        .and_then(|s| s.to_str())
        .unwrap_or(file_name);
    format!("导入文件 {file_name}（未注明出处）")
}

/// Makes the questions of `files` that cite the set-level source `old` cite `new` (for a
/// pending import whose preview the admin answered with another source). Returns how many.
pub fn replace_source(files: &mut [SetFile], old: &str, new: &str) -> Result<usize, String> {
    let new = check_source(new)?;
    let mut replaced = 0;
    for record in files.iter_mut().flat_map(|f| f.questions.iter_mut()) {
        if record.source.as_deref() == Some(old) {
            record.source = Some(new.clone());
            replaced += 1;
        }
    }
    Ok(replaced)
}

/// A set-level source as given: trimmed, not empty, within [`limits::MAX_SOURCE_CHARS`].
fn check_source(source: &str) -> Result<String, String> {
    let source = clean_cell(source);
    let chars = source.chars().count();
    if source.is_empty() {
        return Err("出处不能为空 / the source (出处) is empty".into());
    }
    if chars > limits::MAX_SOURCE_CHARS {
        return Err(format!(
            "出处有 {chars} 个字符，上限为 {} / the source (出处) has {chars} characters; the limit is {}",
            limits::MAX_SOURCE_CHARS,
            limits::MAX_SOURCE_CHARS
        ));
    }
    Ok(source)
}

/// Gives every record without a source the set-level one; returns how many there were.
fn fill_sources(file: &mut SetFile, source: &str) -> usize {
    let mut filled = 0;
    for record in &mut file.questions {
        if record
            .source
            .as_deref()
            .is_none_or(|s| clean_cell(s).is_empty())
        {
            record.source = Some(source.to_string());
            filled += 1;
        }
    }
    filled
}

/// One warning per set whose questions got the set-level source.
fn source_warnings(sets: &[SetPlan]) -> Vec<String> {
    sets.iter()
        .filter_map(|set| {
            let source = set.source.as_ref()?;
            Some(format!(
                "{}（题集 {}）有 {} 题未注明出处，学员将看到出处「{source}」 / {} questions of set {} cite no source (出处); learners see “{source}”",
                set.origin, set.file.set.id, set.unsourced, set.unsourced, set.file.set.id
            ))
        })
        .collect()
}

/// Writes an id into every record that has none, so the stored set never depends on how
/// ids are derived. The id comes from the whole question ([`derived_id`]); a question
/// served under the id its stem alone gave (how imports derived ids before) keeps that
/// id when its stem is unique in the file, so re-importing an old file keeps progress.
fn assign_ids(file: &mut SetFile, bank: &Bank) {
    let set_id = file.set.id.clone();
    let given: HashSet<String> = file
        .questions
        .iter()
        .filter_map(|r| r.id.as_deref().map(clean_cell))
        .filter(|id| !id.is_empty())
        .collect();
    let mut stems: HashMap<String, usize> = HashMap::new();
    for record in &file.questions {
        if !has_id(record) {
            *stems.entry(stem_derived_id(&set_id, record)).or_default() += 1;
        }
    }
    for record in &mut file.questions {
        if has_id(record) {
            continue;
        }
        let old = stem_derived_id(&set_id, record);
        let served_as_old = bank.get(&old).is_some_and(|q| {
            q.set == set_id
                && normalize_answer(&q.prompt)
                    == normalize_answer(record.prompt.as_deref().unwrap_or(""))
        });
        let id = if served_as_old && stems.get(&old) == Some(&1) && !given.contains(&old) {
            old
        } else {
            derived_id(&set_id, record)
        };
        record.id = Some(id);
    }
}

fn has_id(record: &crate::bank::QuestionRecord) -> bool {
    record
        .id
        .as_deref()
        .is_some_and(|id| !clean_cell(id).is_empty())
}

/// Plans already-parsed records (used again at Confirm time, against the state then).
pub fn plan_records(
    files: Vec<SetFile>,
    faq: Vec<(String, Vec<FaqRecord>)>,
    current: &[StoredSet],
    bank: &Bank,
) -> Result<ImportPlan, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut sets = Vec::new();
    for file in files {
        let (validated, more) = validate_file(&file, &file.set.id);
        problems.extend(more);
        if let Some((_, questions)) = validated.into_iter().next() {
            sets.push((file, questions));
        }
    }
    match plan_validated(sets, faq, current, bank) {
        Ok(plan) if problems.is_empty() => Ok(plan),
        Ok(_) => Err(problems),
        Err(more) => {
            problems.extend(more);
            Err(problems)
        }
    }
}

/// Cross-set checks and the plan for validated sets and knowledge batches.
fn plan_validated(
    sets: Vec<(SetFile, Vec<Question>)>,
    faq: Vec<(String, Vec<FaqRecord>)>,
    current: &[StoredSet],
    bank: &Bank,
) -> Result<ImportPlan, Vec<Problem>> {
    let mut problems = Vec::new();
    let importing: HashSet<String> = sets.iter().map(|(f, _)| f.set.id.clone()).collect();
    let mut seen_sets: HashSet<&str> = HashSet::new();
    let mut owner: HashMap<&str, &str> = HashMap::new();
    let mut plans = Vec::new();
    for (file, questions) in &sets {
        let set_id = file.set.id.as_str();
        let problem = |question: Option<String>, message: String| Problem {
            file: set_id.to_string(),
            line: None,
            question,
            message,
        };
        if !seen_sets.insert(set_id) {
            problems.push(problem(None, format!("set `{set_id}` appears twice in this import; merge the files or give them different set ids")));
            continue;
        }
        for q in questions {
            if let Some(other) = owner.insert(&q.id, set_id) {
                problems.push(problem(
                    Some(q.id.clone()),
                    format!("id also used in set {other} of this import"),
                ));
            }
            if let Some(existing) = bank.get(&q.id) {
                if !importing.contains(&existing.set) {
                    problems.push(problem(Some(q.id.clone()), format!("id already used by set `{}`; question ids must be unique across the bank", existing.set)));
                }
            }
        }
        plans.push(plan_set(file, questions, current, bank));
    }
    let topics: HashSet<&str> = sets
        .iter()
        .flat_map(|(_, questions)| questions.iter().map(|q| q.topic.as_str()))
        .collect();
    if topics.len() > limits::MAX_TOPICS_PER_IMPORT {
        problems.push(Problem {
            file: "import".into(),
            line: None,
            question: None,
            message: format!(
                "本次导入有 {} 个知识点，上限为 {}：知识点列是否错位？ / this import has {} topics (知识点), over the limit of {}: is the topic column shifted?",
                topics.len(),
                limits::MAX_TOPICS_PER_IMPORT,
                topics.len(),
                limits::MAX_TOPICS_PER_IMPORT
            ),
        });
    }
    let mut faq_plans = Vec::new();
    for (name, entries) in faq {
        let (_, more) = KnowledgeBase::build(&[(name.clone(), entries.clone())]);
        problems.extend(more);
        faq_plans.push(FaqPlan {
            name,
            entries,
            version: 1,
        });
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(ImportPlan {
        sets: plans,
        faq: faq_plans,
        mappings: Vec::new(),
        warnings: Vec::new(),
    })
}

fn plan_set(file: &SetFile, questions: &[Question], current: &[StoredSet], bank: &Bank) -> SetPlan {
    let stored = current.iter().find(|s| s.file.set.id == file.set.id);
    let previous: HashMap<String, crate::bank::QuestionRecord> = bank
        .questions()
        .iter()
        .filter(|q| q.set == file.set.id)
        .map(|q| (q.id.clone(), q.to_record()))
        .collect();
    let new_ids: HashSet<&str> = questions.iter().map(|q| q.id.as_str()).collect();
    let (mut added, mut changed, mut unchanged) = (0, 0, 0);
    for q in questions {
        match previous.get(&q.id) {
            None => added += 1,
            Some(old) if *old == q.to_record() => unchanged += 1,
            Some(_) => changed += 1,
        }
    }
    let newly: Vec<String> = previous
        .keys()
        .filter(|id| !new_ids.contains(id.as_str()))
        .cloned()
        .collect();
    let mut retired: Vec<String> = stored.map(|s| s.retired.clone()).unwrap_or_default();
    retired.retain(|id| !new_ids.contains(id.as_str()));
    for id in &newly {
        if !retired.contains(id) {
            retired.push(id.clone());
        }
    }
    retired.sort();
    let mut per_kind = BTreeMap::new();
    let mut per_topic = BTreeMap::new();
    for q in questions {
        *per_kind.entry(q.kind.as_str()).or_insert(0) += 1;
        *per_topic.entry(q.topic.clone()).or_insert(0) += 1;
    }
    SetPlan {
        file: file.clone(),
        version: stored.map_or(1, |s| s.version + 1),
        added,
        changed,
        unchanged,
        newly_retired: newly.len(),
        retired,
        per_kind,
        per_topic,
        sample: questions.first().map(|q| q.id.clone()),
        origin: file.set.id.clone(),
        source: None,
        unsourced: 0,
    }
}

/// Validates a stored or parsed set file (no line numbers: records only). Records
/// without an id were stored before imports wrote ids: theirs comes from the stem.
pub fn validate_file(file: &SetFile, name: &str) -> (Vec<(SetInfo, Vec<Question>)>, Vec<Problem>) {
    let places = Places {
        file: name.to_string(),
        records: Vec::new(),
    };
    let mut file = file.clone();
    for record in &mut file.questions {
        if !has_id(record) {
            record.id = Some(stem_derived_id(&file.set.id, record));
        }
    }
    let file = &file;
    let (questions, problems) = validate_set(&file.set, &file.questions, &places);
    if !problems.is_empty() {
        return (Vec::new(), problems);
    }
    let info = crate::bank::set_info_for(file, &questions, name);
    (vec![(info, questions)], problems)
}

/// Writes the plan: every set and knowledge batch lands, or (on error) none does.
pub fn apply(store: &Store, plan: &ImportPlan, by: &str, now: i64) -> Result<(), StoreError> {
    let stored_faq = store.imported_faq()?;
    let sets: Vec<StoredSet> = plan
        .sets
        .iter()
        .map(|s| StoredSet {
            file: s.file.clone(),
            version: s.version,
            imported_at: now,
            imported_by: by.to_string(),
            retired: s.retired.clone(),
        })
        .collect();
    let faq: Vec<StoredFaq> = plan
        .faq
        .iter()
        .map(|f| StoredFaq {
            name: f.name.clone(),
            entries: f.entries.clone(),
            version: stored_faq
                .iter()
                .find(|s| s.name == f.name)
                .map_or(1, |s| s.version + 1),
            imported_at: now,
        })
        .collect();
    store.put_import(&sets, &faq)
}

/// Kinds, used by the preview.
pub fn kind_label(kind: &str, english: bool) -> &'static str {
    match (Kind::parse(kind), english) {
        (Some(k), false) => k.label_zh(),
        (Some(k), true) => k.as_str(),
        (None, _) => "?",
    }
}
