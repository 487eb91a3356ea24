//! The canonical record form of a set (what TOML and JSON files hold and what every
//! other format is mapped to), and the one validator that turns records into questions.

use std::collections::{HashMap, HashSet};
use std::fmt;

use regex::Regex;
use serde::{Deserialize, Serialize};

use super::limits::{
    MAX_OPTION_CHARS, MAX_TAGS, MAX_TAG_CHARS, MAX_TITLE_CHARS, MAX_TOPIC_CHARS, MAX_TOPIC_EN_CHARS,
};
use super::model::{AnswerKey, Kind, Question};
use crate::text::{clean_cell, normalize_answer};

/// Telegram's limit for one message.
pub const MAX_MESSAGE_CHARS: usize = 4096;
/// Room left for the question header, the option letters and the feedback frame.
const RENDER_OVERHEAD_CHARS: usize = 300;
const MAX_ID_LEN: usize = 40;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SetFile {
    pub set: SetHeader,
    #[serde(default, rename = "question")]
    pub questions: Vec<QuestionRecord>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SetHeader {
    pub id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title_en: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic_en: Option<String>,
}

/// A question as written in a file, before validation. Every field is optional here
/// so that a missing one becomes a reported problem rather than a parse failure.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct QuestionRecord {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub difficulty: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<AnswerField>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accepted: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub patterns: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt_en: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options_en: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation_en: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum AnswerField {
    Bool(bool),
    Text(String),
}

impl AnswerField {
    pub fn as_text(&self) -> String {
        match self {
            AnswerField::Bool(b) => b.to_string(),
            AnswerField::Text(t) => t.clone(),
        }
    }
}

/// A knowledge-base entry as written in a file.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FaqRecord {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    #[serde(default)]
    pub question: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alternates: Vec<String>,
    #[serde(default)]
    pub answer: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    #[serde(default)]
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question_en: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer_en: Option<String>,
    /// Where the entry starts in its file (not stored), for problems.
    #[serde(skip)]
    pub line: Option<usize>,
}

/// One problem found in an input file, with its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    /// Line (text formats) or row (spreadsheets), 1-based.
    pub line: Option<usize>,
    pub question: Option<String>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, &self.question) {
            (Some(line), Some(id)) => write!(
                f,
                "{}:{}: question {}: {}",
                self.file, line, id, self.message
            ),
            (Some(line), None) => write!(f, "{}:{}: {}", self.file, line, self.message),
            (None, Some(id)) => write!(f, "{}: question {}: {}", self.file, id, self.message),
            (None, None) => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// Where a record came from: the file name, and a way to find the line of a field.
pub trait Locate {
    fn file(&self) -> &str;
    /// Line of `field` in record `index`, or of the record itself when `field` is None.
    fn line(&self, index: usize, field: Option<&str>) -> Option<usize>;
    /// The file of record `index` (a set gathered from several sheets names each).
    fn file_of(&self, _index: usize) -> &str {
        self.file()
    }
}

/// Validates every record of a set and reports every problem at once.
pub fn validate_set(
    header: &SetHeader,
    records: &[QuestionRecord],
    locate: &dyn Locate,
) -> (Vec<Question>, Vec<Problem>) {
    let mut problems = Vec::new();
    let mut questions = Vec::new();
    let mut seen_ids: HashSet<String> = HashSet::new();
    if !valid_id(&header.id) {
        problems.push(Problem {
            file: locate.file().to_string(),
            line: None,
            question: None,
            message: format!(
                "set id `{}` must be 1-{MAX_ID_LEN} letters, digits, '-', '_' or '.'",
                header.id
            ),
        });
    }
    if records.is_empty() {
        problems.push(Problem {
            file: locate.file().to_string(),
            line: None,
            question: None,
            message: "the file holds no questions".into(),
        });
    }
    for (what, value, max) in [
        ("set title (题集名称)", Some(&header.title), MAX_TITLE_CHARS),
        (
            "English set title",
            header.title_en.as_ref(),
            2 * MAX_TITLE_CHARS,
        ),
        ("set topic (知识点)", header.topic.as_ref(), MAX_TOPIC_CHARS),
        (
            "English set topic",
            header.topic_en.as_ref(),
            MAX_TOPIC_EN_CHARS,
        ),
    ] {
        if let Some(message) = too_long(what, value.map(String::as_str), max) {
            problems.push(Problem {
                file: locate.file().to_string(),
                line: None,
                question: None,
                message,
            });
        }
    }
    let mut first_of: HashMap<String, usize> = HashMap::new();
    for (index, record) in records.iter().enumerate() {
        let given = record
            .id
            .as_deref()
            .map(clean_cell)
            .filter(|id| !id.is_empty());
        let derived = given.is_none();
        let id = given.unwrap_or_else(|| derived_id(&header.id, record));
        let mut report = |field: Option<&str>, message: String| {
            problems.push(Problem {
                file: locate.file_of(index).to_string(),
                line: locate
                    .line(index, field)
                    .or_else(|| locate.line(index, None)),
                question: Some(id.clone()),
                message,
            })
        };
        if !seen_ids.insert(id.clone()) {
            let first = first_of
                .get(&id)
                .and_then(|&i| locate.line(i, None))
                .map_or(String::new(), |line| format!(" at line {line}"));
            if derived {
                report(
                    None,
                    format!("the same question (stem and options) as the one{first}: remove one of them"),
                );
            } else {
                report(
                    Some("id"),
                    format!("duplicate id `{id}` (ids must be unique; first used{first})"),
                );
            }
        }
        first_of.entry(id.clone()).or_insert(index);
        match build_question(header, &id, record) {
            Ok(question) => questions.push(question),
            Err(errors) => {
                for (field, message) in errors {
                    report(field, message);
                }
            }
        }
    }
    (questions, problems)
}

type FieldErrors = Vec<(Option<&'static str>, String)>;

fn build_question(
    header: &SetHeader,
    id: &str,
    r: &QuestionRecord,
) -> Result<Question, FieldErrors> {
    let mut errors: FieldErrors = Vec::new();
    if !valid_id(id) {
        errors.push((
            Some("id"),
            format!("id `{id}` must be 1-{MAX_ID_LEN} letters, digits, '-', '_' or '.'"),
        ));
    }
    let kind = match r.kind.as_deref().map(str::trim) {
        None | Some("") => {
            errors.push((
                Some("kind"),
                "missing kind (single, multi, judge or fill / 单选, 多选, 判断, 填空)".into(),
            ));
            None
        }
        Some(raw) => {
            let kind = Kind::parse(raw);
            if kind.is_none() {
                errors.push((Some("kind"), format!("unknown kind `{raw}` (use single, multi, judge or fill / 单选, 多选, 判断, 填空)")));
            }
            kind
        }
    };
    let prompt = non_empty(r.prompt.as_deref());
    if prompt.is_none() {
        errors.push((Some("prompt"), "empty prompt (题干)".into()));
    }
    let difficulty = r.difficulty.unwrap_or(2);
    if !(1..=3).contains(&difficulty) {
        errors.push((
            Some("difficulty"),
            format!("difficulty {difficulty} is out of range 1-3"),
        ));
    }
    let explanation = non_empty(r.explanation.as_deref());
    if explanation.is_none() {
        errors.push((Some("explanation"), "missing explanation (解析)".into()));
    }
    let source = non_empty(r.source.as_deref());
    if source.is_none() {
        errors.push((
            Some("source"),
            "missing source (出处): cite the law article or standard clause".into(),
        ));
    }
    let options: Vec<String> = r.options.iter().map(|o| clean_cell(o)).collect();
    let options_en: Option<Vec<String>> = r
        .options_en
        .as_ref()
        .map(|v| v.iter().map(|o| clean_cell(o)).collect::<Vec<_>>())
        .filter(|v| v.iter().any(|o| !o.is_empty()));
    let key = kind.and_then(|kind| build_key(kind, r, &options, &mut errors));
    if let (Some(en), Some(Kind::Single | Kind::Multi)) = (&options_en, kind) {
        if en.len() != options.len() {
            errors.push((
                Some("options_en"),
                format!(
                    "options_en has {} entries but options has {}",
                    en.len(),
                    options.len()
                ),
            ));
        }
    }
    for (field, value) in [
        ("prompt", r.prompt.as_deref()),
        ("explanation", r.explanation.as_deref()),
        ("prompt_en", r.prompt_en.as_deref()),
        ("explanation_en", r.explanation_en.as_deref()),
        ("source", r.source.as_deref()),
    ] {
        let chars = value.map_or(0, |v| v.chars().count());
        if chars > MAX_MESSAGE_CHARS {
            errors.push((Some(field), format!("{field} has {chars} characters, over Telegram's {MAX_MESSAGE_CHARS}-character message limit")));
        }
    }
    if let Some(message) = too_long("topic (知识点)", r.topic.as_deref(), MAX_TOPIC_CHARS) {
        errors.push((Some("topic"), message));
    }
    if let Some((i, option)) = options
        .iter()
        .enumerate()
        .find(|(_, o)| o.chars().count() > MAX_OPTION_CHARS)
    {
        errors.push((
            Some("options"),
            format!(
                "option {} has {} characters; an option holds at most {MAX_OPTION_CHARS}",
                letter(i),
                option.chars().count()
            ),
        ));
    }
    let tags: Vec<&String> = r.tags.iter().filter(|t| !t.trim().is_empty()).collect();
    if tags.len() > MAX_TAGS {
        errors.push((
            Some("tags"),
            format!("{} tags; a question holds at most {MAX_TAGS}", tags.len()),
        ));
    }
    if let Some(tag) = tags.iter().find(|t| t.chars().count() > MAX_TAG_CHARS) {
        errors.push((
            Some("tags"),
            format!(
                "tag `{}` has {} characters; a tag holds at most {MAX_TAG_CHARS}",
                crate::text::truncate_chars(tag, 20),
                tag.chars().count()
            ),
        ));
    }
    let rendered = [
        r.prompt.as_deref(),
        r.explanation.as_deref(),
        r.source.as_deref(),
    ]
    .iter()
    .map(|v| v.map_or(0, |v| v.chars().count()))
    .sum::<usize>()
        + options.iter().map(|o| o.chars().count() + 4).sum::<usize>()
        + RENDER_OVERHEAD_CHARS;
    if rendered > MAX_MESSAGE_CHARS {
        errors.push((Some("prompt"), format!("question with options, explanation and source takes about {rendered} characters, over Telegram's {MAX_MESSAGE_CHARS}-character message limit")));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let (Some(kind), Some(key), Some(prompt), Some(explanation), Some(source)) =
        (kind, key, prompt, explanation, source)
    else {
        return Err(vec![(None, "incomplete question".into())]);
    };
    let topic = non_empty(r.topic.as_deref())
        .or_else(|| header.topic.clone())
        .unwrap_or_else(|| header.title.clone());
    let topic_en = if r.topic.is_some() && r.topic != header.topic {
        None
    } else {
        header.topic_en.clone()
    };
    Ok(Question {
        id: id.to_string(),
        set: header.id.clone(),
        topic,
        topic_en,
        difficulty: difficulty as u8,
        kind,
        prompt,
        prompt_en: non_empty(r.prompt_en.as_deref()),
        options: if matches!(kind, Kind::Single | Kind::Multi) {
            options
        } else {
            Vec::new()
        },
        options_en: if matches!(kind, Kind::Single | Kind::Multi) {
            options_en
        } else {
            None
        },
        key,
        explanation,
        explanation_en: non_empty(r.explanation_en.as_deref()),
        source,
        tags: r
            .tags
            .iter()
            .map(|t| clean_cell(t))
            .filter(|t| !t.is_empty())
            .collect(),
    })
}

fn build_key(
    kind: Kind,
    r: &QuestionRecord,
    options: &[String],
    errors: &mut FieldErrors,
) -> Option<AnswerKey> {
    let answer = r
        .answer
        .as_ref()
        .map(AnswerField::as_text)
        .map(|a| clean_cell(&a))
        .filter(|a| !a.is_empty());
    match kind {
        Kind::Single | Kind::Multi => {
            if !(2..=8).contains(&options.len()) {
                errors.push((
                    Some("options"),
                    format!(
                        "{} options given; choice questions need 2 to 8",
                        options.len()
                    ),
                ));
            }
            let mut seen = HashSet::new();
            for (i, option) in options.iter().enumerate() {
                if option.is_empty() {
                    errors.push((Some("options"), format!("option {} is empty", letter(i))));
                } else if !seen.insert(normalize_answer(option)) {
                    errors.push((
                        Some("options"),
                        format!("duplicate option {}: `{option}`", letter(i)),
                    ));
                }
            }
            let Some(answer) = answer else {
                errors.push((Some("answer"), "missing answer (答案)".into()));
                return None;
            };
            let Some(letters) = parse_choice_letters(&answer) else {
                errors.push((
                    Some("answer"),
                    format!("answer `{answer}` is not option letters such as B or ACD"),
                ));
                return None;
            };
            if let Some(&bad) = letters.iter().find(|&&i| i >= options.len()) {
                errors.push((
                    Some("answer"),
                    format!(
                        "answer letter {} is out of range: there are only {} options (A-{})",
                        letter(bad),
                        options.len(),
                        letter(options.len().saturating_sub(1))
                    ),
                ));
                return None;
            }
            if kind == Kind::Single && letters.len() != 1 {
                errors.push((Some("answer"), format!("single-choice answer `{answer}` must be exactly one letter (use kind multi for several)")));
                return None;
            }
            if kind == Kind::Multi && letters.len() < 2 {
                errors.push((
                    Some("answer"),
                    format!("multi-choice answer `{answer}` needs at least 2 correct letters"),
                ));
                return None;
            }
            Some(AnswerKey::Choice(letters))
        }
        Kind::Judge => {
            let Some(answer) = answer else {
                errors.push((
                    Some("answer"),
                    "missing answer (答案): use true or false (正确/错误)".into(),
                ));
                return None;
            };
            if let Some(value) = parse_judge(&answer) {
                return Some(AnswerKey::Judge(value));
            }
            // Spreadsheets often write a judge question as options 正确/错误 with answer A/B.
            let via_option = parse_choice_letters(&answer)
                .filter(|l| l.len() == 1)
                .and_then(|l| options.get(l[0]))
                .and_then(|o| parse_judge(o));
            match via_option {
                Some(value) => Some(AnswerKey::Judge(value)),
                None => {
                    errors.push((
                        Some("answer"),
                        format!(
                            "judge answer `{answer}` is not true/false (正确/错误, 对/错, √/×)"
                        ),
                    ));
                    None
                }
            }
        }
        Kind::Fill => {
            let mut accepted: Vec<String> = r
                .accepted
                .iter()
                .map(|a| clean_cell(a))
                .filter(|a| !a.is_empty())
                .collect();
            let mut patterns_src: Vec<String> = r
                .patterns
                .iter()
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty())
                .collect();
            if let Some(answer) = &answer {
                // Accepted answers are separated by `|`; a `re:` pattern runs to the next
                // `|re:`, so it may use `|` itself: `10月14日|re:^(10|十)月(14|十四)日$`.
                let mut in_pattern = false;
                for part in answer.split('|') {
                    let trimmed = part.trim();
                    if let Some(pattern) = trimmed.strip_prefix("re:") {
                        patterns_src.push(pattern.trim_start().to_string());
                        in_pattern = true;
                    } else if let Some(pattern) = patterns_src.last_mut().filter(|_| in_pattern) {
                        pattern.push('|');
                        pattern.push_str(part);
                    } else if !trimmed.is_empty() {
                        accepted.push(trimmed.to_string());
                    }
                }
            }
            if accepted.is_empty() && patterns_src.is_empty() {
                errors.push((
                    Some("accepted"),
                    "fill question without accepted answers or patterns".into(),
                ));
                return None;
            }
            let mut patterns = Vec::new();
            for pattern in &patterns_src {
                match Regex::new(pattern) {
                    Ok(re) => patterns.push(re),
                    Err(e) => errors.push((
                        Some("patterns"),
                        format!("invalid regex `{pattern}`: {}", first_line(&e.to_string())),
                    )),
                }
            }
            accepted.dedup();
            Some(AnswerKey::Fill { accepted, patterns })
        }
    }
}

/// Parses `B`, `ACD`, `A,C,D`, `Ａ、Ｃ` into sorted, de-duplicated option indices.
pub fn parse_choice_letters(answer: &str) -> Option<Vec<usize>> {
    let mut letters = Vec::new();
    for c in crate::text::fold_width(answer).chars() {
        match c {
            'A'..='Z' => letters.push(c as usize - 'A' as usize),
            'a'..='z' => letters.push(c as usize - 'a' as usize),
            ',' | '，' | '、' | ' ' | ';' | '；' | '/' | '|' | '.' => {}
            _ => return None,
        }
    }
    letters.sort_unstable();
    letters.dedup();
    (!letters.is_empty()).then_some(letters)
}

/// Parses the many spellings of true/false used in Chinese exam files.
pub fn parse_judge(answer: &str) -> Option<bool> {
    match crate::text::fold_width(answer).to_lowercase().as_str() {
        "true" | "t" | "正确" | "对" | "√" | "✓" | "✔" | "是" | "yes" | "y" | "right" | "1" => {
            Some(true)
        }
        "false" | "f" | "错误" | "错" | "×" | "✗" | "✘" | "x" | "否" | "no" | "n" | "wrong"
        | "0" => Some(false),
        _ => None,
    }
}

pub(crate) fn letter(index: usize) -> char {
    (b'A' + index.min(25) as u8) as char
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// A problem when `value` has more than `max` characters (its start is quoted).
fn too_long(what: &str, value: Option<&str>, max: usize) -> Option<String> {
    let chars = value?.chars().count();
    (chars > max).then(|| {
        format!(
            "{what} `{}` has {chars} characters; the limit is {max} (it is shown on buttons and in lists)",
            crate::text::truncate_chars(value.unwrap_or(""), 20)
        )
    })
}

fn non_empty(value: Option<&str>) -> Option<String> {
    value.map(clean_cell).filter(|v| !v.is_empty())
}

fn first_line(text: &str) -> String {
    text.lines()
        .rfind(|l| !l.trim().is_empty())
        .unwrap_or(text)
        .trim()
        .to_string()
}

/// A stable id for a record that has none: the set id plus a hash of the whole question
/// (stem and options, compared as answers are: ignoring width, case, spaces and
/// punctuation), so that distinct questions sharing a stem such as 下列说法正确的是（ ）
/// get distinct ids and re-importing the same file keeps each id and its progress.
pub(crate) fn derived_id(set_id: &str, record: &QuestionRecord) -> String {
    let mut text = normalize_answer(record.prompt.as_deref().unwrap_or(""));
    for option in &record.options {
        text.push('\u{1f}');
        text.push_str(&normalize_answer(option));
    }
    id_from_hash(set_id, &text)
}

/// The id derived from the stem alone, as imports did before [`derived_id`]; sets stored
/// then hold records without ids, and this keeps theirs.
pub(crate) fn stem_derived_id(set_id: &str, record: &QuestionRecord) -> String {
    id_from_hash(
        set_id,
        &normalize_answer(record.prompt.as_deref().unwrap_or("")),
    )
}

fn id_from_hash(set_id: &str, text: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.as_bytes() {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    let prefix: String = set_id.chars().take(MAX_ID_LEN - 9).collect();
    format!("{prefix}-{:08x}", (hash >> 32) as u32 ^ hash as u32)
}
