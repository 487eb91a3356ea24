//! Plain tables to an XLSX workbook with native Excel charts, and a guard for CSV cells.
//!
//! Text is always written as a string cell, never as a formula: a participant named
//! `=HYPERLINK(...)` or `+1-2` stays text (formula injection). In CSV there are no cell
//! types, so [`csv_safe`] prefixes such text with `'` the way OWASP recommends; spreadsheet
//! programs show the rest of the text and treat it as a string.

use std::borrow::Cow;
use std::collections::HashSet;

use chrono::{Datelike, NaiveDateTime, Timelike};
use rust_xlsxwriter::{Chart, ChartType, ExcelDateTime, Format, Workbook, XlsxError};

use crate::text::truncate_chars;

/// Excel's limit on the characters in one cell; longer text is cut with `…`.
pub const MAX_CELL_CHARS: usize = 32_767;

/// One worksheet: a header row, then `rows`, and optionally a chart of two columns.
#[derive(Clone, Debug, PartialEq)]
pub struct Sheet {
    pub name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    pub chart: Option<ChartSpec>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    /// A fraction shown as a percentage: 0.853 shows as 85.3%.
    Percent(f64),
    DateTime(NaiveDateTime),
}

/// A chart of `value_col` against `category_col` (0-based column indices) over the rows
/// up to the last one with a category, placed to the right of the table.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartSpec {
    pub kind: ChartKind,
    pub title: String,
    pub category_col: usize,
    pub value_col: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChartKind {
    /// Horizontal bars: best for long names.
    Bar,
    /// Vertical columns.
    Column,
    Line,
}

#[derive(Debug, thiserror::Error)]
pub enum WorkbookError {
    #[error("无法生成 Excel 文件 / cannot write the workbook: {0}")]
    Xlsx(#[from] XlsxError),
    #[error("图表引用了不存在的列 {0} / the chart refers to missing column {0}")]
    ChartColumn(usize),
}

/// The workbook as XLSX bytes. Sheet names are made valid for Excel: the characters
/// `[]:*?/\` become `_`, names are cut to 31 characters, an empty name becomes `Sheet`,
/// and repeated names get ` (2)`, ` (3)`...
pub fn write_workbook(sheets: &[Sheet]) -> Result<Vec<u8>, WorkbookError> {
    let mut workbook = Workbook::new();
    let header_format = Format::new().set_bold();
    let percent_format = Format::new().set_num_format("0.0%");
    let datetime_format = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    let mut used_names = HashSet::new();
    for sheet in sheets {
        let name = sheet_name(&sheet.name, &mut used_names);
        let worksheet = workbook.add_worksheet();
        worksheet.set_name(&name)?;
        for (col, header) in sheet.headers.iter().enumerate() {
            worksheet.write_string_with_format(0, col as u16, header, &header_format)?;
        }
        for (index, row) in sheet.rows.iter().enumerate() {
            let row_number = index as u32 + 1;
            for (col, cell) in row.iter().enumerate() {
                let col = col as u16;
                match cell {
                    Cell::Empty => {}
                    Cell::Text(text) => {
                        let text = truncate_chars(text, MAX_CELL_CHARS);
                        worksheet.write_string(row_number, col, text)?;
                    }
                    Cell::Number(number) => {
                        worksheet.write_number(row_number, col, *number)?;
                    }
                    Cell::Percent(fraction) => {
                        worksheet.write_number_with_format(
                            row_number,
                            col,
                            *fraction,
                            &percent_format,
                        )?;
                    }
                    Cell::DateTime(datetime) => {
                        worksheet.write_datetime_with_format(
                            row_number,
                            col,
                            excel_datetime(datetime)?,
                            &datetime_format,
                        )?;
                    }
                }
            }
        }
        if !sheet.headers.is_empty() {
            worksheet.set_freeze_panes(1, 0)?;
        }
        worksheet.autofit();
        let Some(spec) = &sheet.chart else { continue };
        if sheet.rows.is_empty() {
            continue;
        }
        let width = sheet
            .headers
            .len()
            .max(sheet.rows.iter().map(Vec::len).max().unwrap_or(0));
        for col in [spec.category_col, spec.value_col] {
            if col >= width {
                return Err(WorkbookError::ChartColumn(col));
            }
        }
        // Up to the last row with a category, so a short table beside a longer one
        // charts no blank categories.
        let last_row = sheet
            .rows
            .iter()
            .rposition(|row| !matches!(row.get(spec.category_col), None | Some(Cell::Empty)))
            .map_or(0, |index| index as u32 + 1);
        if last_row == 0 {
            continue;
        }
        let mut chart = Chart::new(match spec.kind {
            ChartKind::Bar => ChartType::Bar,
            ChartKind::Column => ChartType::Column,
            ChartKind::Line => ChartType::Line,
        });
        let category_col = spec.category_col as u16;
        let value_col = spec.value_col as u16;
        let series = chart.add_series();
        series
            .set_categories((name.as_str(), 1, category_col, last_row, category_col))
            .set_values((name.as_str(), 1, value_col, last_row, value_col));
        if let Some(header) = sheet.headers.get(spec.value_col) {
            series.set_name(header);
        }
        chart.title().set_name(&spec.title);
        chart.legend().set_hidden();
        if spec.kind == ChartKind::Bar {
            // Excel draws the first category at the bottom; list the rows top down.
            chart.y_axis().set_reverse();
            let height = (20 * sheet.rows.len() as u32 + 100).clamp(288, 1200);
            chart.set_height(height);
        }
        chart.set_width(640);
        worksheet.insert_chart(1, (width + 1) as u16, &chart)?;
    }
    Ok(workbook.save_to_buffer()?)
}

/// `text` made safe for a CSV cell opened in a spreadsheet: text starting with `=`,
/// `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so it is never run as
/// a formula. Other text is returned as it is. (Negative numbers written as text, such
/// as `-3`, get the prefix too; write numbers as numbers.)
pub fn csv_safe(text: &str) -> Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

fn excel_datetime(datetime: &NaiveDateTime) -> Result<ExcelDateTime, XlsxError> {
    let year = u16::try_from(datetime.year()).unwrap_or(0);
    let seconds = f64::from(datetime.second()) + f64::from(datetime.nanosecond()) / 1e9;
    ExcelDateTime::from_ymd(year, datetime.month() as u8, datetime.day() as u8)?.and_hms(
        datetime.hour() as u16,
        datetime.minute() as u8,
        seconds.min(59.999),
    )
}

fn sheet_name(wanted: &str, used: &mut HashSet<String>) -> String {
    let cleaned: String = wanted
        .trim()
        .trim_matches('\'')
        .chars()
        .map(|c| {
            if "[]:*?/\\".contains(c) || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    let base = if cleaned.is_empty() || cleaned.eq_ignore_ascii_case("history") {
        "Sheet".to_string()
    } else {
        cleaned
    };
    let mut number = 1;
    loop {
        let suffix = if number == 1 {
            String::new()
        } else {
            format!(" ({number})")
        };
        let room = 31 - suffix.chars().count();
        let cut: String = base.chars().take(room).collect();
        let name = format!("{}{suffix}", cut.trim_end_matches('\''));
        if used.insert(name.to_lowercase()) {
            return name;
        }
        number += 1;
    }
}
