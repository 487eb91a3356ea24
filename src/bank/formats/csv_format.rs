//! CSV (and tab- or semicolon-separated text) with a template header row.

use super::table::{self, Row};
use super::ParsedFile;
use crate::bank::limits::{self, LimitError};
use crate::bank::record::Problem;
use crate::results::workbook::csv_safe;

/// Parses decoded CSV text. The delimiter is whichever of `,`, tab and `;` the first
/// lines use most (Excel writes tabs for "Unicode text" and `;` in some locales).
pub(super) fn parse(name: &str, text: &str) -> Result<ParsedFile, Vec<Problem>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rows = Vec::new();
    let mut content_rows = 0;
    for result in numbered_records(text) {
        let (number, record) = match result {
            Ok(numbered) => numbered,
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize);
                return Err(vec![Problem {
                    file: name.to_string(),
                    line,
                    question: None,
                    message: format!("unreadable CSV: {e}"),
                }]);
            }
        };
        let width = record
            .iter()
            .enumerate()
            .filter(|(_, cell)| !cell.trim().is_empty())
            .last()
            .map_or(0, |(last, _)| last + 1);
        if width > limits::MAX_COLUMNS {
            return Err(limit(
                name,
                LimitError::Columns {
                    sheet: name.to_string(),
                    row: number,
                },
            ));
        }
        if width > 0 {
            content_rows += 1;
            if content_rows > limits::MAX_ROWS {
                return Err(limit(
                    name,
                    LimitError::Rows {
                        sheet: name.to_string(),
                    },
                ));
            }
        }
        rows.push(Row {
            number,
            cells: record.iter().take(width).map(unguard).collect(),
        });
    }
    table::parse_rows(name, name, &rows)
}

/// CSV records with the row number Excel shows for each: a blank line is a row, but a line
/// break inside a quoted cell stays in its row. (The csv reader skips blank lines, so they
/// are counted here from the records' byte positions.)
pub fn numbered_records(
    text: &str,
) -> impl Iterator<Item = Result<(usize, csv::StringRecord), csv::Error>> + '_ {
    let reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter(text))
        .from_reader(text.as_bytes());
    let bytes = text.as_bytes();
    let (mut line, mut counted_to, mut breaks_in_cells) = (1, 0, 0);
    reader.into_records().map(move |result| {
        let record = result?;
        let mut start = record.position().map_or(0, |p| p.byte() as usize);
        while bytes.get(start).is_some_and(|b| matches!(b, b'\r' | b'\n')) {
            start += 1;
        }
        line += bytes[counted_to..start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        counted_to = start;
        let number = line - breaks_in_cells;
        breaks_in_cells += record
            .iter()
            .map(|cell| cell.matches('\n').count())
            .sum::<usize>();
        Ok((number, record))
    })
}

fn limit(name: &str, error: LimitError) -> Vec<Problem> {
    vec![Problem {
        file: name.to_string(),
        line: None,
        question: None,
        message: error.to_string(),
    }]
}

/// Writes rows as UTF-8 CSV with a byte-order mark, so Excel shows the Chinese correctly.
pub(super) fn write(rows: &[Vec<String>]) -> Result<Vec<u8>, String> {
    let mut writer = csv::Writer::from_writer("\u{feff}".as_bytes().to_vec());
    for row in rows {
        let row = row.iter().map(|cell| csv_safe(cell).into_owned());
        writer.write_record(row).map_err(|e| e.to_string())?;
    }
    writer.into_inner().map_err(|e| e.to_string())
}

/// A cell as written before [`csv_safe`] guarded it: `'=1+1` reads back as `=1+1`, so an
/// exported bank imports unchanged. (A `'` before other text is kept.)
fn unguard(cell: &str) -> String {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest.to_string(),
        _ => cell.to_string(),
    }
}

/// The delimiter of a CSV: whichever of tab and `;` the first lines use more than `,`, else `,`.
pub fn delimiter(text: &str) -> u8 {
    let head: Vec<&str> = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .take(10)
        .collect();
    let count = |c: char| {
        head.iter()
            .map(|line| line.matches(c).count())
            .sum::<usize>()
    };
    [b'\t', b';']
        .into_iter()
        .filter(|&d| count(d as char) > count(','))
        .max_by_key(|&d| count(d as char))
        .unwrap_or(b',')
}
