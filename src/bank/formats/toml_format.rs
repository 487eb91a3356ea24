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
    let mut places = Places {
        file: name.to_string(),
        records: Vec::new(),
    };
    let tables = if raw.entry.is_empty() {
        &raw.question
    } else {
        &raw.entry
    };
    if !raw.entry.is_empty() && !raw.question.is_empty() {
        problems.push(problem(
            None,
            None,
            "a file holds either [[question]] or [[entry]] tables, not both".into(),
        ));
    }
    for spanned in tables {
        let span = spanned.span();
        let body = &text[span.start.min(text.len())..span.end.min(text.len())];
        let base = line_of_offset(text, span.start);
        let mut place = RecordPlace {
            line: Some(base),
            ..Default::default()
        };
        for key in spanned.get_ref().keys() {
            if let Some(offset) = key_offset(body, key) {
                place
                    .fields
                    .insert(key.clone(), line_of_offset(text, span.start + offset));
            }
        }
        places.records.push(place);
    }
    let content = if raw.entry.is_empty() {
        let Some(set) = raw.set else {
            return Err(vec![problem(
                Some(1),
                None,
                "missing [set] table with id and title".into(),
            )]);
        };
        let (questions, kept) =
            decode_all::<QuestionRecord>(&raw.question, &places, name, &mut problems);
        places.records = kept;
        Content::Set(SetFile { set, questions })
    } else {
        let (entries, kept) = decode_all::<FaqRecord>(&raw.entry, &places, name, &mut problems);
        places.records = kept;
        Content::Faq(entries)
    };
    Ok(ParsedFile {
        content,
        places,
        problems,
        mappings: Vec::new(),
    })
}

/// Decodes each table, reporting and dropping unknown or mistyped fields so the rest of
/// the record is still validated. Returns the records and their places, aligned.
fn decode_all<T: serde::de::DeserializeOwned>(
    tables: &[toml::Spanned<toml::Table>],
    places: &Places,
    name: &str,
    problems: &mut Vec<Problem>,
) -> (Vec<T>, Vec<RecordPlace>) {
    let mut records = Vec::new();
    let mut kept = Vec::new();
    for (index, spanned) in tables.iter().enumerate() {
        let mut table = spanned.get_ref().clone();
        let place = &places.records[index];
        let id = table.get("id").and_then(|v| v.as_str()).map(str::to_string);
        loop {
            match T::deserialize(toml::Value::Table(table.clone())) {
                Ok(record) => {
                    records.push(record);
                    kept.push(place.clone());
                    break;
                }
                Err(err) => {
                    let message = err.message().trim().to_string();
                    let field = offending_field(&message, &table);
                    let line = field
                        .as_deref()
                        .and_then(|f| place.fields.get(f).copied())
                        .or(place.line);
                    problems.push(Problem {
                        file: name.to_string(),
                        line,
                        question: id.clone(),
                        message,
                    });
                    match field {
                        Some(field) => {
                            table.remove(&field);
                        }
                        None => break,
                    }
                }
            }
        }
    }
    (records, kept)
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
        vec![Problem {
            file: name.to_string(),
            line: Some(e.line()),
            question: None,
            message: e.to_string(),
        }]
    })?;
    let content = match (raw.set, raw.entry.is_empty()) {
        (_, false) => Content::Faq(raw.entry),
        (Some(set), true) => Content::Set(SetFile {
            set,
            questions: raw.question,
        }),
        (None, true) => {
            return Err(vec![Problem {
                file: name.to_string(),
                line: None,
                question: None,
                message: "missing \"set\" object with id and title".into(),
            }]);
        }
    };
    Ok(ParsedFile {
        content,
        places: Places {
            file: name.to_string(),
            records: Vec::new(),
        },
        problems: Vec::new(),
        mappings: Vec::new(),
    })
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

/// The field a decode error is about: `unknown field `x``, else the first key it names.
fn offending_field(message: &str, table: &toml::Table) -> Option<String> {
    if let Some(rest) = message.strip_prefix("unknown field `") {
        return rest
            .split('`')
            .next()
            .map(str::to_string)
            .filter(|f| table.contains_key(f));
    }
    let named = message.split('`').nth(1)?;
    table.contains_key(named).then(|| named.to_string())
}
