//! File formats: each parser maps its input to the canonical records of
//! [`crate::bank::record`] plus a locator that knows each record's line or row.

mod table;
mod toml_format;

pub use table::{write_sets_csv, write_sets_xlsx, write_template};

use std::collections::HashMap;
use std::path::Path;

use super::record::{FaqRecord, Locate, Problem, SetFile};

/// A parsed input file: a quiz set or a batch of knowledge-base entries.
#[derive(Debug, Clone)]
pub enum Content {
    Set(SetFile),
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
}

impl Format {
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "toml" => Some(Format::Toml),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}

/// Parses one file's bytes. `name` is used in problem reports and, for formats
/// without a set header, to derive the set id.
pub fn parse_bytes(name: &str, format: Format, bytes: &[u8]) -> Result<ParsedFile, Vec<Problem>> {
    let problem = |line: Option<usize>, message: String| Problem {
        file: name.to_string(),
        line,
        question: None,
        message,
    };
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(vec![problem(None, "empty file: it holds no questions".into())]);
    }
    match format {
        Format::Toml | Format::Json => {
            let text = match std::str::from_utf8(bytes) {
                Ok(text) => text.strip_prefix('\u{feff}').unwrap_or(text),
                Err(e) => {
                    let line = crate::text::line_of_offset(&String::from_utf8_lossy(&bytes[..e.valid_up_to()]), usize::MAX);
                    return Err(vec![problem(Some(line), format!("invalid UTF-8 at byte {}: save the file as UTF-8", e.valid_up_to()))]);
                }
            };
            match format {
                Format::Toml => toml_format::parse(name, text),
                _ => toml_format::parse_json(name, text),
            }
        }
    }
}
