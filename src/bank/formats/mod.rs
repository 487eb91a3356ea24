//! File formats: each parser maps its input to the canonical records of
//! [`crate::bank::record`] plus a locator that knows each record's line or row.

mod csv_format;
mod paste_format;
mod table;
mod toml_format;
mod xlsx_format;

pub use table::{write_sets_csv, write_sets_xlsx, write_template};

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

use super::record::{FaqRecord, Locate, Problem, SetFile};

/// A parsed input file: a quiz set, several quiz sets, or a batch of knowledge-base entries.
#[derive(Debug, Clone)]
pub enum Content {
    Set(SetFile),
    /// Several sets from one file (a spreadsheet with a 题集 column, a JSON array of
    /// sets), each with its own places; [`ParsedFile::places`] then only names the file.
    Sets(Vec<(SetFile, Places)>),
    Faq(Vec<FaqRecord>),
}

#[derive(Debug, Clone)]
pub struct ParsedFile {
    pub content: Content,
    pub places: Places,
    /// Problems found while decoding records that were still read (e.g. an unknown field).
    pub problems: Vec<Problem>,
}

/// Where each record (and, when known, each of its fields) sits in the input.
#[derive(Debug, Clone, Default)]
pub struct Places {
    pub file: String,
    pub records: Vec<RecordPlace>,
}

#[derive(Debug, Clone, Default)]
pub struct RecordPlace {
    pub line: Option<usize>,
    pub fields: HashMap<String, usize>,
}

impl Locate for Places {
    fn file(&self) -> &str {
        &self.file
    }

    fn line(&self, index: usize, field: Option<&str>) -> Option<usize> {
        let place = self.records.get(index)?;
        field
            .and_then(|f| place.fields.get(f).copied())
            .or(place.line)
    }
}

/// Formats an admin can hand in, chosen by file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Toml,
    Json,
    /// Comma-, semicolon- or tab-separated, with a template header row.
    Csv,
    Xlsx,
    /// The plain text that Chinese exam platforms copy out (.txt, .md).
    Paste,
}

impl Format {
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "toml" => Some(Format::Toml),
            "json" => Some(Format::Json),
            "csv" | "tsv" => Some(Format::Csv),
            "xlsx" | "xlsm" => Some(Format::Xlsx),
            "txt" | "md" | "markdown" => Some(Format::Paste),
            _ => None,
        }
    }

    /// The format of a file met while walking a bank directory. Like [`Format::from_path`],
    /// but Markdown (documentation such as `FORMAT.md`), hidden files and Excel lock files
    /// (`~$name.xlsx`) are skipped; they are still read when named explicitly.
    pub fn from_bank_path(path: &Path) -> Option<Format> {
        let name = path.file_name()?.to_str()?;
        if name.starts_with('.') || name.starts_with("~$") {
            return None;
        }
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        if matches!(ext.as_str(), "md" | "markdown") {
            return None;
        }
        Format::from_path(path)
    }
}

/// Parses one file's bytes. `name` is used in problem reports and, for formats
/// without a set header, to derive the set id and title from the file stem.
pub fn parse_bytes(name: &str, format: Format, bytes: &[u8]) -> Result<ParsedFile, Vec<Problem>> {
    let problem = |line: Option<usize>, message: String| Problem {
        file: name.to_string(),
        line,
        question: None,
        message,
    };
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(vec![problem(
            None,
            "empty file: it holds no questions".into(),
        )]);
    }
    match format {
        Format::Toml | Format::Json => {
            let text = match std::str::from_utf8(bytes) {
                Ok(text) => text.strip_prefix('\u{feff}').unwrap_or(text),
                Err(e) => {
                    let line = crate::text::line_of_offset(
                        &String::from_utf8_lossy(&bytes[..e.valid_up_to()]),
                        usize::MAX,
                    );
                    return Err(vec![problem(
                        Some(line),
                        format!(
                            "invalid UTF-8 at byte {}: save the file as UTF-8",
                            e.valid_up_to()
                        ),
                    )]);
                }
            };
            match format {
                Format::Toml => toml_format::parse(name, text),
                _ if text.trim_start().starts_with('[') => parse_json_sets(name, text),
                _ => toml_format::parse_json(name, text),
            }
        }
        Format::Csv => {
            let text = decode_text(bytes).map_err(|message| vec![problem(None, message)])?;
            csv_format::parse(name, &text)
        }
        Format::Xlsx => xlsx_format::parse(name, bytes),
        Format::Paste => {
            let text = decode_text(bytes).map_err(|message| vec![problem(None, message)])?;
            paste_format::parse(name, &text)
        }
    }
}

/// An array of sets, `[{"set": {...}, "question": [...]}, ...]`: what
/// `stdquiz export bank --format json` writes.
fn parse_json_sets(name: &str, text: &str) -> Result<ParsedFile, Vec<Problem>> {
    let problem = |line: Option<usize>, message: String| Problem {
        file: name.to_string(),
        line,
        question: None,
        message,
    };
    let sets: Vec<SetFile> =
        serde_json::from_str(text).map_err(|e| vec![problem(Some(e.line()), e.to_string())])?;
    if sets.is_empty() {
        return Err(vec![problem(None, "empty array: it holds no sets".into())]);
    }
    let places = Places {
        file: name.to_string(),
        records: Vec::new(),
    };
    let sets = sets.into_iter().map(|set| (set, places.clone())).collect();
    Ok(ParsedFile {
        content: Content::Sets(sets),
        places,
        problems: Vec::new(),
    })
}

/// Text as Excel and Notepad save it: UTF-8 with or without BOM, UTF-16 with BOM
/// ("Unicode text"), or else GB18030 (which covers GBK and GB2312).
fn decode_text(bytes: &[u8]) -> Result<Cow<'_, str>, String> {
    if let Some((encoding, bom_length)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom_length..]);
        if had_errors {
            return Err(format!("the file starts with a {} byte-order mark but is not valid {0}: save it again as CSV UTF-8", encoding.name()));
        }
        return Ok(text);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(Cow::Borrowed(text));
    }
    encoding_rs::GB18030
        .decode_without_bom_handling_and_without_replacement(bytes)
        .ok_or_else(|| {
            "the file is neither UTF-8 nor GBK/GB18030 text: save it as \"CSV UTF-8\"".to_string()
        })
}

/// The file stem of `name` (without any `[sheet]` suffix), e.g. `题库` for `/tmp/题库.csv`.
fn file_stem(name: &str) -> String {
    Path::new(name)
        .file_stem()
        .and_then(|s| s.to_str())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "imported".to_string())
}

/// A set id derived from a file name: the stem lowercased, anything but `[a-z0-9]`
/// turned into `-`, falling back to `imported` (e.g. for an all-Chinese name).
fn set_id_from_name(name: &str) -> String {
    let mut id = String::new();
    for c in file_stem(name).chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            id.push(c);
        } else if !id.is_empty() && !id.ends_with('-') {
            id.push('-');
        }
    }
    let id: String = id.chars().take(32).collect();
    let id = id.trim_matches('-');
    if id.is_empty() {
        "imported".to_string()
    } else {
        id.to_string()
    }
}
