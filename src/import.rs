//! Importing admin files as new versions of sets: validate everything, compare with
//! what is served, then write all sets of one import in one store transaction.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use crate::bank::formats::{self, Content, Format};
use crate::bank::{validate_set, Bank, FaqRecord, Kind, Problem, Question, SetFile, SetInfo};
use crate::qa::KnowledgeBase;
use crate::store::{Store, StoreError, StoredFaq, StoredSet};

/// Upload size limit for chat imports.
pub const MAX_UPLOAD_BYTES: usize = 5 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq)]
pub struct ImportPlan {
    pub sets: Vec<SetPlan>,
    pub faq: Vec<FaqPlan>,
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
}

/// Reads files from disk for `stdquiz import`.
pub fn read_files(paths: &[impl AsRef<Path>]) -> Result<Vec<(String, Vec<u8>)>, Vec<Problem>> {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        let path = path.as_ref();
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

/// Parses and validates uploaded files and plans the new versions. Reports every problem.
pub fn plan(
    files: &[(String, Vec<u8>)],
    current: &[StoredSet],
    bank: &Bank,
) -> Result<ImportPlan, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut sets = Vec::new();
    let mut faq = Vec::new();
    for (name, bytes) in files {
        let problem = |message: String| Problem {
            file: name.clone(),
            line: None,
            question: None,
            message,
        };
        if bytes.len() > MAX_UPLOAD_BYTES {
            problems.push(problem(format!(
                "file is {} bytes; the limit is {} MB",
                bytes.len(),
                MAX_UPLOAD_BYTES / 1024 / 1024
            )));
            continue;
        }
        let Some(format) = Format::from_path(Path::new(name)) else {
            problems.push(problem("unknown file type: send .xlsx, .csv, .txt, .toml or .json (run `stdquiz template` for a template)".into()));
            continue;
        };
        match formats::parse_bytes(name, format, bytes) {
            Ok(parsed) => {
                problems.extend(parsed.problems);
                let parts = match parsed.content {
                    Content::Set(file) => vec![(file, parsed.places)],
                    Content::Sets(parts) => parts,
                    Content::Faq(entries) => {
                        let stem = Path::new(name)
                            .file_stem()
                            .and_then(|s| s.to_str())
                            .unwrap_or("faq")
                            .to_string();
                        faq.push((stem, entries));
                        continue;
                    }
                };
                for (file, places) in parts {
                    let (questions, more) = validate_set(&file.set, &file.questions, &places);
                    if more.is_empty() {
                        sets.push((file, questions));
                    }
                    problems.extend(more);
                }
            }
            Err(more) => problems.extend(more),
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
    }
}

/// Validates a stored or parsed set file (no line numbers: records only).
pub fn validate_file(file: &SetFile, name: &str) -> (Vec<(SetInfo, Vec<Question>)>, Vec<Problem>) {
    let places = formats::Places {
        file: name.to_string(),
        records: Vec::new(),
    };
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
