//! The canonical TOML format (and JSON with the same shape).

use serde::Deserialize;

use super::{Content, ParsedFile, Places, RecordPlace};
use crate::bank::record::{FaqRecord, Problem, QuestionRecord, SetFile, SetHeader};
use crate::text::line_of_offset;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    set: Option<SetHeader>,
    #[serde(default)]
    question: Vec<toml::Spanned<toml::Table>>,
    #[serde(default)]
    entry: Vec<toml::Spanned<toml::Table>>,
}

pub fn parse(name: &str, text: &str) -> Result<ParsedFile, Vec<Problem>> {
    let problem = |line: Option<usize>, question: Option<String>, message: String| Problem {
        file: name.to_string(),
        line,
        question,
        message,
    };
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_of_offset(text, s.start));
        vec![problem(line, None, e.message().trim().to_string())]
    })?;
    let mut problems = Vec::new();
    let mut places = Places { file: name.to_string(), records: Vec::new() };
    let tables = if raw.entry.is_empty() { &raw.question } else { &raw.entry };
    if !raw.entry.is_empty() && !raw.question.is_empty() {
        problems.push(problem(None, None, "a file holds either [[question]] or [[entry]] tables, not both".into()));
    }
    for spanned in tables {
        let span = spanned.span();
        let body = &text[span.start.min(text.len())..span.end.min(text.len())];
        let base = line_of_offset(text, span.start);
        let mut place = RecordPlace { line: Some(base), ..Default::default() };
        for key in spanned.get_ref().keys() {
            if let Some(offset) = key_offset(body, key) {
                place.fields.insert(key.clone(), line_of_offset(text, span.start + offset));
            }
        }
        places.records.push(place);
    }
    let mut decode_problems = |index: usize, table: &toml::Table, err: toml::de::Error| {
        let message = err.message().trim().to_string();
        let field = table.keys().find(|k| message.contains(&format!("`{k}`"))).cloned();
        let line = field
            .as_deref()
            .and_then(|f| places.records[index].fields.get(f).copied())
            .or(places.records[index].line);
        let id = table.get("id").and_then(|v| v.as_str()).map(str::to_string);
        problems.push(problem(line, id, message));
    };
    let content = if raw.entry.is_empty() {
        let Some(set) = raw.set else {
            return Err(vec![problem(Some(1), None, "missing [set] table with id and title".into())]);
        };
        let mut questions = Vec::new();
        for (index, spanned) in raw.question.iter().enumerate() {
            let table = spanned.get_ref();
            match QuestionRecord::deserialize(toml::Value::Table(table.clone())) {
                Ok(record) => questions.push(record),
                Err(err) => {
                    decode_problems(index, table, err);
                    questions.push(QuestionRecord::default());
                }
            }
        }
        Content::Set(SetFile { set, questions })
    } else {
        let mut entries = Vec::new();
        for (index, spanned) in raw.entry.iter().enumerate() {
            let table = spanned.get_ref();
            match FaqRecord::deserialize(toml::Value::Table(table.clone())) {
                Ok(record) => entries.push(record),
                Err(err) => {
                    decode_problems(index, table, err);
                    entries.push(FaqRecord::default());
                }
            }
        }
        Content::Faq(entries)
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(ParsedFile { content, places })
}

/// JSON with the same shape as the TOML: `{"set": {...}, "question": [...]}` or `{"entry": [...]}`.
pub fn parse_json(name: &str, text: &str) -> Result<ParsedFile, Vec<Problem>> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct JsonFile {
        set: Option<SetHeader>,
        #[serde(default)]
        question: Vec<QuestionRecord>,
        #[serde(default)]
        entry: Vec<FaqRecord>,
    }
    let raw: JsonFile = serde_json::from_str(text).map_err(|e| {
        vec![Problem { file: name.to_string(), line: Some(e.line()), question: None, message: e.to_string() }]
    })?;
    let content = match (raw.set, raw.entry.is_empty()) {
        (_, false) => Content::Faq(raw.entry),
        (Some(set), true) => Content::Set(SetFile { set, questions: raw.question }),
        (None, true) => {
            return Err(vec![Problem { file: name.to_string(), line: None, question: None, message: "missing \"set\" object with id and title".into() }]);
        }
    };
    Ok(ParsedFile { content, places: Places { file: name.to_string(), records: Vec::new() } })
}

/// Byte offset of `key = ...` at the start of a line within a table body.
fn key_offset(body: &str, key: &str) -> Option<usize> {
    let mut offset = 0;
    for line in body.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix(key) {
            if rest.trim_start().starts_with('=') {
                return Some(offset + (line.len() - trimmed.len()));
            }
        }
        offset += line.len();
    }
    None
}
