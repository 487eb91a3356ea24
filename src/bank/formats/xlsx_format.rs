//! XLSX workbooks: read with calamine, written with rust_xlsxwriter.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use rust_xlsxwriter::{Format, Workbook};

use super::table::{self, Row};
use super::ParsedFile;
use crate::bank::record::Problem;

/// Parses the first sheet that has a recognisable header. Problems name the sheet,
/// e.g. `题库.xlsx[Sheet1]:5`.
pub(super) fn parse(name: &str, bytes: &[u8]) -> Result<ParsedFile, Vec<Problem>> {
    let problem = |message: String| {
        vec![Problem {
            file: name.to_string(),
            line: None,
            question: None,
            message,
        }]
    };
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| {
        problem(format!(
            "cannot read the workbook ({e}): is it an .xlsx file saved by Excel or WPS?"
        ))
    })?;
    let sheets = workbook.sheet_names();
    let mut first_rows = None;
    for sheet in &sheets {
        let range = workbook
            .worksheet_range(sheet)
            .map_err(|e| problem(format!("cannot read sheet {sheet}: {e}")))?;
        let rows = sheet_rows(&range);
        if table::has_header(&rows) {
            return table::parse_rows(name, &format!("{name}[{sheet}]"), &rows);
        }
        first_rows.get_or_insert((sheet, rows));
    }
    match first_rows {
        // No sheet has a header: let the first one report what it lacks.
        Some((sheet, rows)) => table::parse_rows(name, &format!("{name}[{sheet}]"), &rows),
        None => Err(problem("the workbook has no sheets".into())),
    }
}

/// Writes rows to a one-sheet workbook: bold, frozen header row and readable widths.
pub(super) fn write(sheet: &str, rows: &[Vec<String>]) -> Result<Vec<u8>, String> {
    let error = |e: rust_xlsxwriter::XlsxError| e.to_string();
    let mut workbook = Workbook::new();
    let worksheet = workbook.add_worksheet();
    worksheet.set_name(sheet).map_err(error)?;
    let bold = Format::new().set_bold();
    for (r, row) in rows.iter().enumerate() {
        let r = u32::try_from(r).map_err(|_| "too many rows for a worksheet".to_string())?;
        for (c, cell) in row.iter().enumerate() {
            let c = u16::try_from(c).map_err(|_| "too many columns for a worksheet".to_string())?;
            if r == 0 {
                worksheet
                    .write_string_with_format(r, c, cell, &bold)
                    .map_err(error)?;
            } else if !cell.is_empty() {
                worksheet.write_string(r, c, cell).map_err(error)?;
            }
        }
    }
    if let Some(header) = rows.first() {
        for (c, name) in header.iter().enumerate() {
            let wide = [
                "题干",
                "解析",
                "出处",
                "答案",
                "问题",
                "相似问法",
                "题干_en",
                "解析_en",
                "答案_en",
            ]
            .contains(&name.as_str());
            worksheet
                .set_column_width(c as u16, if wide { 40 } else { 14 })
                .map_err(error)?;
        }
        worksheet.set_freeze_panes(1, 0).map_err(error)?;
    }
    workbook.save_to_buffer().map_err(error)
}

/// Rows of a sheet with Excel's row numbers; numbers and booleans read as text
/// (`2.0` as `2`, TRUE as `true`).
fn sheet_rows(range: &calamine::Range<Data>) -> Vec<Row> {
    let Some((first_row, first_column)) = range.start() else {
        return Vec::new();
    };
    range
        .rows()
        .enumerate()
        .map(|(i, cells)| {
            let mut texts = vec![String::new(); first_column as usize];
            texts.extend(cells.iter().map(cell_text));
            Row {
                number: first_row as usize + i + 1,
                cells: texts,
            }
        })
        .collect()
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}
