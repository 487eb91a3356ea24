//! File formats: each parser maps its input to the canonical records of
//! [`crate::bank::record`] plus a locator that knows each record's line or row.

mod csv_format;
mod extent;
mod paste_format;
mod table;
mod toml_format;
mod xlsx_format;

pub use csv_format::{delimiter, numbered_records};
pub use table::{write_sets_csv, write_sets_xlsx, write_template};
pub use xlsx_format::read_workbook;

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;

use super::limits::{self, LimitError};
use super::model::Kind;
use super::record::{parse_choice_letters, FaqRecord, Locate, Problem, SetFile};

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
    /// How each table's header was understood (spreadsheets only).
    pub mappings: Vec<ColumnMapping>,
}

/// How the header of one table (a CSV file or a sheet) was read, for the dry run:
/// `题目 → 题干`, and the columns left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnMapping {
    pub file: String,
    pub sheet: Option<String>,
    /// (header as written, the template column it is read as).
    pub understood: Vec<(String, String)>,
    /// Headers read as nothing (unknown, or known but unused such as 序号).
    pub ignored: Vec<String>,
}

impl ColumnMapping {
    /// `题目 → 题干, 答案, 解析; ignored: 序号, 作者` (a header read as itself is not repeated).
    pub fn describe(&self) -> String {
        let understood: Vec<String> = self
            .understood
            .iter()
            .map(|(header, column)| {
                if header == column {
                    header.clone()
                } else {
                    format!("{header} → {column}")
                }
            })
            .collect();
        let mut text = understood.join(", ");
        if !self.ignored.is_empty() {
            text.push_str("; ignored: ");
            text.push_str(&self.ignored.join(", "));
        }
        text
    }
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
    /// The file (or `file[sheet]`) of this record when it differs from the places' file,
    /// as in a set gathered from several sheets.
    pub file: Option<String>,
}

impl Locate for Places {
    fn file(&self) -> &str {
        &self.file
    }

    fn file_of(&self, index: usize) -> &str {
        self.records
            .get(index)
            .and_then(|place| place.file.as_deref())
            .unwrap_or(&self.file)
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
    /// Excel 97-2003 workbooks.
    Xls,
    /// OpenDocument spreadsheets (LibreOffice, WPS).
    Ods,
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
            "xls" => Some(Format::Xls),
            "ods" => Some(Format::Ods),
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
            if let Err(e) = check_record_count(text) {
                return Err(vec![problem(None, e.to_string())]);
            }
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
        Format::Xlsx => xlsx_format::parse(name, bytes, xlsx_format::Kind::Xlsx),
        Format::Xls => xlsx_format::parse(name, bytes, xlsx_format::Kind::Xls),
        Format::Ods => xlsx_format::parse(name, bytes, xlsx_format::Kind::Ods),
        Format::Paste => {
            let text = decode_text(bytes).map_err(|message| vec![problem(None, message)])?;
            paste_format::parse(name, &text)
        }
    }
}

/// Refuses a TOML or JSON file with far more tables or objects than one file may hold
/// questions, before each is decoded into a record (a few bytes of `{},` each).
fn check_record_count(text: &str) -> Result<(), LimitError> {
    let tables = text
        .lines()
        .filter(|line| line.trim_start().starts_with("[["))
        .count();
    let objects = text.bytes().filter(|&b| b == b'{').count();
    if tables + objects > 4 * limits::MAX_QUESTIONS {
        return Err(LimitError::Questions);
    }
    Ok(())
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
        mappings: Vec::new(),
    })
}

/// The kind a heading names: a section (`一、单项选择题（每题1分）`), a title row above a
/// table, or a sheet name (`判断题`). One-letter names do not count.
fn heading_kind(text: &str) -> Option<Kind> {
    static HEADING: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|第[一二三四五六七八九十\d]+(?:部分|节|大题)\s*[、.．:：]?|\d+\s*[、.．])?\s*([^（(，,:：\s\d]{2,})",
        )
        .expect("valid regex")
    });
    let found = HEADING.captures(text.trim())?;
    Kind::parse(&found[1])
}

/// The kind of a question that does not say: options with one answer letter make a
/// single choice, several a multiple choice, options 正确/错误 a judge question; without
/// options an answer 对/错/正确/错误/√/× makes a judge question, anything else a fill-in.
fn infer_kind(options: &[String], answer: &str) -> Kind {
    let options: Vec<&String> = options.iter().filter(|o| !o.trim().is_empty()).collect();
    if !options.is_empty() {
        if options.len() == 2 && options.iter().all(|o| judge_word(o)) {
            return Kind::Judge;
        }
        return match parse_choice_letters(answer) {
            Some(letters) if letters.len() >= 2 => Kind::Multi,
            _ => Kind::Single,
        };
    }
    if judge_word(answer) {
        Kind::Judge
    } else {
        Kind::Fill
    }
}

/// The words that make an option-less question a judge question (a narrower list than
/// the validator accepts, so that a fill answer such as `1` or `是` stays a fill answer).
fn judge_word(text: &str) -> bool {
    let folded = crate::text::fold_width(text).to_lowercase();
    matches!(
        folded.trim_end_matches(['。', '.']),
        "对" | "错" | "正确" | "错误" | "√" | "×" | "✓" | "✔" | "✗" | "✘" | "true" | "false"
    )
}

/// Text as Excel and Notepad save it: UTF-8 with or without BOM, UTF-16 with BOM
/// ("Unicode text"), or else GB18030 (which covers GBK and GB2312).
pub fn decode_text(bytes: &[u8]) -> Result<Cow<'_, str>, String> {
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
