//! Workbooks: XLSX (and ODS, XLS) read with calamine, XLSX written with rust_xlsxwriter.
//!
//! Reading is bounded before anything large is allocated (see [`crate::bank::limits`]):
//! the zip entries' unpacked sizes are checked first, an XLSX sheet is read cell by cell
//! (never as a dense range sized by its `<dimension>`), and an ODS sheet's extent is
//! measured from its repeated rows and cells before calamine expands them.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use calamine::{Data, Ods, Reader, Xls, Xlsx, XlsxError};
use rust_xlsxwriter::{Format, Workbook};

use super::table::{self, Row, Sheet};
use super::ParsedFile;
use crate::bank::limits::{self, LimitError};
use crate::bank::record::Problem;

/// The workbook kinds calamine reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Xlsx,
    Ods,
    Xls,
}

/// Parses every sheet that has a recognisable header (sheets of one set are merged).
/// Problems name the sheet, e.g. `题库.xlsx[Sheet1]:5`.
pub(super) fn parse(name: &str, bytes: &[u8], kind: Kind) -> Result<ParsedFile, Vec<Problem>> {
    let problem = |message: String| {
        vec![Problem {
            file: name.to_string(),
            line: None,
            question: None,
            message,
        }]
    };
    let sheets = match kind {
        Kind::Xlsx => read_xlsx(bytes),
        Kind::Ods => read_ods(bytes),
        Kind::Xls => read_xls(bytes),
    }
    .map_err(|e| problem(e.to_string()))?;
    if sheets.is_empty() {
        return Err(problem("the workbook has no sheets".into()));
    }
    table::parse_sheets(name, &sheets)
}

/// A sheet's name and its rows as (Excel row number, cell texts).
pub type WorkbookSheet = (String, Vec<(usize, Vec<String>)>);

/// Every sheet of a workbook as (sheet name, rows as (Excel row number, cells)), read
/// within the same bounds as question files. An ODS is told from an XLSX by its
/// `mimetype` entry; an OLE file is XLS.
pub fn read_workbook(bytes: &[u8]) -> Result<Vec<WorkbookSheet>, String> {
    let sheets = if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        read_xls(bytes)
    } else if bytes
        .windows(39)
        .take(200)
        .any(|w| w == b"mimetypeapplication/vnd.oasis.opendocu")
    {
        read_ods(bytes)
    } else {
        read_xlsx(bytes)
    };
    let sheets = sheets.map_err(|e| e.to_string())?;
    Ok(sheets
        .into_iter()
        .map(|sheet| {
            let rows = sheet
                .rows
                .into_iter()
                .map(|r| (r.number, r.cells))
                .collect();
            (sheet.name, rows)
        })
        .collect())
}

/// Why a workbook could not be read.
#[derive(Debug)]
enum ReadError {
    Limit(LimitError),
    Unreadable(String),
    Sheet(String, String),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Limit(e) => write!(f, "{e}"),
            ReadError::Unreadable(e) => write!(
                f,
                "cannot read the workbook ({e}): is it an .xlsx, .xls or .ods file saved by Excel, WPS or LibreOffice?"
            ),
            ReadError::Sheet(sheet, e) => write!(f, "cannot read sheet {sheet}: {e}"),
        }
    }
}

impl From<LimitError> for ReadError {
    fn from(e: LimitError) -> ReadError {
        ReadError::Limit(e)
    }
}

/// Counts what a workbook's sheets hold, against the limits for the whole file.
#[derive(Default)]
struct Budget {
    rows: usize,
    cells: usize,
}

/// Sparse rows of one sheet: row index (0-based) to (column, text) of non-blank cells.
struct SheetCells {
    name: String,
    rows: BTreeMap<u32, Vec<(u32, String)>>,
}

impl SheetCells {
    fn new(name: &str) -> SheetCells {
        SheetCells {
            name: name.to_string(),
            rows: BTreeMap::new(),
        }
    }

    /// Adds a non-blank cell, refusing the sheet once a limit is passed.
    fn add(
        &mut self,
        budget: &mut Budget,
        (row, column): (u32, u32),
        text: String,
    ) -> Result<(), LimitError> {
        if text.trim().is_empty() {
            return Ok(());
        }
        if column as usize >= limits::MAX_COLUMNS {
            return Err(LimitError::Columns {
                sheet: self.name.clone(),
                row: row as usize + 1,
            });
        }
        budget.cells += 1;
        if budget.cells > limits::MAX_CELLS {
            return Err(LimitError::Cells {
                sheet: self.name.clone(),
            });
        }
        let cells = self.rows.entry(row).or_default();
        if cells.is_empty() {
            budget.rows += 1;
            if budget.rows > limits::MAX_ROWS {
                return Err(LimitError::Rows {
                    sheet: self.name.clone(),
                });
            }
        }
        cells.push((column, text));
        Ok(())
    }

    fn into_sheet(self) -> Sheet {
        let rows = self
            .rows
            .into_iter()
            .map(|(row, mut cells)| {
                cells.sort_by_key(|(column, _)| *column);
                let width = cells.last().map_or(0, |(column, _)| *column as usize + 1);
                let mut texts = vec![String::new(); width];
                for (column, text) in cells {
                    texts[column as usize] = text;
                }
                Row {
                    number: row as usize + 1,
                    cells: texts,
                }
            })
            .collect();
        Sheet {
            name: self.name,
            rows,
        }
    }
}

fn read_xlsx(bytes: &[u8]) -> Result<Vec<Sheet>, ReadError> {
    limits::check_zip(Cursor::new(bytes))?;
    let mut workbook: Xlsx<_> =
        Xlsx::new(Cursor::new(bytes)).map_err(|e| ReadError::Unreadable(e.to_string()))?;
    let names = workbook.sheet_names();
    if names.len() > limits::MAX_SHEETS {
        return Err(LimitError::Sheets {
            sheets: names.len(),
        }
        .into());
    }
    let mut budget = Budget::default();
    let mut sheets = Vec::new();
    for name in names {
        let mut reader = match workbook.worksheet_cells_reader(&name) {
            Ok(reader) => reader,
            // A chart sheet holds no cells.
            Err(XlsxError::NotAWorksheet(_)) => continue,
            Err(e) => return Err(ReadError::Sheet(name, e.to_string())),
        };
        let declared = reader.dimensions();
        let rows = u64::from(declared.end.0.abs_diff(declared.start.0)) + 1;
        let columns = u64::from(declared.end.1.abs_diff(declared.start.1)) + 1;
        if rows.saturating_mul(columns) > limits::MAX_DECLARED_CELLS {
            return Err(LimitError::Declared {
                sheet: name,
                range: limits::range_name(
                    (u64::from(declared.start.0), u64::from(declared.start.1)),
                    (u64::from(declared.end.0), u64::from(declared.end.1)),
                ),
                rows,
                columns,
            }
            .into());
        }
        let mut cells = SheetCells::new(&name);
        loop {
            let cell = match reader.next_cell() {
                Ok(Some(cell)) => cell,
                Ok(None) => break,
                Err(e) => return Err(ReadError::Sheet(name, e.to_string())),
            };
            let text = cell_text(&Data::from(cell.get_value().clone()));
            cells.add(&mut budget, cell.get_position(), text)?;
        }
        sheets.push(cells.into_sheet());
    }
    Ok(sheets)
}

fn read_ods(bytes: &[u8]) -> Result<Vec<Sheet>, ReadError> {
    limits::check_zip(Cursor::new(bytes))?;
    super::extent::check_ods(bytes)?;
    let mut workbook: Ods<_> =
        Ods::new(Cursor::new(bytes)).map_err(|e| ReadError::Unreadable(e.to_string()))?;
    dense_sheets(&mut workbook)
}

fn read_xls(bytes: &[u8]) -> Result<Vec<Sheet>, ReadError> {
    super::extent::check_xls(bytes)?;
    let mut workbook: Xls<_> =
        Xls::new(Cursor::new(bytes)).map_err(|e| ReadError::Unreadable(e.to_string()))?;
    dense_sheets(&mut workbook)
}

/// Sheets of a reader that builds dense ranges (ODS, XLS), once their extent is known
/// to be within the limits.
fn dense_sheets<RS, R>(workbook: &mut R) -> Result<Vec<Sheet>, ReadError>
where
    RS: Read + std::io::Seek,
    R: Reader<RS>,
    R::Error: std::fmt::Display,
{
    let names = workbook.sheet_names();
    if names.len() > limits::MAX_SHEETS {
        return Err(LimitError::Sheets {
            sheets: names.len(),
        }
        .into());
    }
    let mut budget = Budget::default();
    let mut sheets = Vec::new();
    for name in names {
        let range = workbook
            .worksheet_range(&name)
            .map_err(|e| ReadError::Sheet(name.clone(), e.to_string()))?;
        let mut cells = SheetCells::new(&name);
        let (first_row, first_column) = range.start().unwrap_or((0, 0));
        for (r, row) in range.rows().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let position = (first_row + r as u32, first_column + c as u32);
                cells.add(&mut budget, position, cell_text(cell))?;
            }
        }
        sheets.push(cells.into_sheet());
    }
    Ok(sheets)
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

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}
