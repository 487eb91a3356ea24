//! The extent of ODS and XLS sheets, measured from the file before calamine expands
//! them into dense ranges (it builds every sheet of these formats when it opens them).
//!
//! - ODS: `content.xml` is streamed; repeated rows and cells (`number-rows-repeated`,
//!   `number-columns-repeated`) are counted, not expanded, the way calamine will expand
//!   them: from the first to the last row with content, up to the last cell with content.
//! - XLS: the `Workbook` stream's BIFF records are walked; each sheet's `DIMENSIONS`
//!   record (calamine reserves that many cells) and the positions of its cell records
//!   (calamine allocates the rectangle between the extreme ones) are checked.

use std::io::{BufReader, Cursor, Read};

use quick_xml::events::{BytesStart, Event};

use crate::bank::limits::{self, LimitError};

/// Checks every table of an ODS file. A file that is not a readable ODS passes: the
/// reader then reports it.
pub(super) fn check_ods(bytes: &[u8]) -> Result<(), LimitError> {
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(());
    };
    let Ok(content) = archive.by_name("content.xml") else {
        return Ok(());
    };
    let mut reader = quick_xml::Reader::from_reader(BufReader::new(content));
    let mut buf = Vec::new();
    let mut table = OdsTable::default();
    let mut totals = (0u64, 0u64);
    loop {
        buf.clear();
        let (event, empty) = match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => (e, false),
            Ok(Event::Empty(e)) => (e, true),
            Ok(Event::End(e)) => {
                match e.name().as_ref() {
                    b"table:table-row" => table.end_row(&mut totals)?,
                    b"table:table" => table.end_table()?,
                    _ => {}
                }
                continue;
            }
            Ok(Event::Eof) | Err(_) => return Ok(()),
            Ok(_) => continue,
        };
        match event.name().as_ref() {
            b"table:table" => {
                table = OdsTable {
                    name: attribute(&event, b"table:name").unwrap_or_default(),
                    ..Default::default()
                };
            }
            b"table:table-row" => {
                let repeat = repeat(&event, b"table:number-rows-repeated");
                if empty {
                    table.row = table.row.saturating_add(repeat);
                } else {
                    table.start_row(repeat);
                }
            }
            b"table:table-cell" | b"table:covered-table-cell" => {
                let repeat = repeat(&event, b"table:number-columns-repeated");
                let content = !empty
                    || attribute(&event, b"office:value-type").is_some()
                    || attribute(&event, b"table:formula").is_some();
                table.cell(repeat, content);
            }
            _ => {}
        }
    }
}

#[derive(Default)]
struct OdsTable {
    name: String,
    /// Expanded index of the next row.
    row: u64,
    row_repeat: u64,
    /// Expanded index of the next cell in the current row.
    column: u64,
    /// Expanded width of the current row up to its last cell with content.
    row_width: u64,
    row_cells: u64,
    first_content_row: Option<u64>,
    last_content_row: u64,
    width: u64,
}

impl OdsTable {
    fn start_row(&mut self, repeat: u64) {
        self.row_repeat = repeat;
        self.column = 0;
        self.row_width = 0;
        self.row_cells = 0;
    }

    fn cell(&mut self, repeat: u64, content: bool) {
        self.column = self.column.saturating_add(repeat);
        if content {
            self.row_width = self.column;
            self.row_cells = self.row_cells.saturating_add(repeat);
        }
    }

    fn end_row(&mut self, (rows, cells): &mut (u64, u64)) -> Result<(), LimitError> {
        if self.row_width > 0 {
            self.first_content_row.get_or_insert(self.row);
            self.last_content_row = self.row.saturating_add(self.row_repeat - 1);
            self.width = self.width.max(self.row_width);
            *rows = rows.saturating_add(self.row_repeat);
            *cells = cells.saturating_add(self.row_cells.saturating_mul(self.row_repeat));
            if self.row_width > limits::MAX_COLUMNS as u64 {
                return Err(LimitError::Columns {
                    sheet: self.name.clone(),
                    row: usize::try_from(self.row + 1).unwrap_or(usize::MAX),
                });
            }
            if *rows > limits::MAX_ROWS as u64 {
                return Err(LimitError::Rows {
                    sheet: self.name.clone(),
                });
            }
            if *cells > limits::MAX_CELLS as u64 {
                return Err(LimitError::Cells {
                    sheet: self.name.clone(),
                });
            }
        }
        self.row = self.row.saturating_add(self.row_repeat);
        self.row_repeat = 1;
        Ok(())
    }

    fn end_table(&mut self) -> Result<(), LimitError> {
        let Some(first) = self.first_content_row else {
            return Ok(());
        };
        let rows = self.last_content_row - first + 1;
        check_dense(&self.name, rows, self.width)
    }
}

fn check_dense(sheet: &str, rows: u64, columns: u64) -> Result<(), LimitError> {
    if rows.saturating_mul(columns) > limits::MAX_DENSE_CELLS {
        return Err(LimitError::Extent {
            sheet: sheet.to_string(),
            rows,
            columns,
        });
    }
    Ok(())
}

fn attribute(event: &BytesStart<'_>, name: &[u8]) -> Option<String> {
    let attribute = event.try_get_attribute(name).ok()??;
    Some(String::from_utf8_lossy(&attribute.value).into_owned())
}

fn repeat(event: &BytesStart<'_>, name: &[u8]) -> u64 {
    attribute(event, name)
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(1)
        .max(1)
}

/// Checks every sheet of an XLS (BIFF8 or BIFF5) workbook. A file that is not a
/// readable compound file passes: the reader then reports it.
pub(super) fn check_xls(bytes: &[u8]) -> Result<(), LimitError> {
    let Ok(mut file) = cfb::CompoundFile::open(Cursor::new(bytes)) else {
        return Ok(());
    };
    let mut stream = Vec::new();
    let opened = file
        .open_stream("/Workbook")
        .or_else(|_| file.open_stream("/Book"));
    let Ok(opened) = opened else {
        return Ok(());
    };
    // The stream is no larger than the upload it sits in; read at most that much.
    let limit = bytes.len() as u64 + 1;
    if opened.take(limit).read_to_end(&mut stream).is_err() {
        return Ok(());
    }
    let mut sheet = XlsSheet::default();
    let mut sheet_number = 0;
    let mut cells: u64 = 0;
    let mut offset = 0;
    let mut names: std::collections::HashMap<usize, String> = std::collections::HashMap::new();
    while offset + 4 <= stream.len() {
        let record_at = offset;
        let kind = u16::from_le_bytes([stream[offset], stream[offset + 1]]);
        let length = usize::from(u16::from_le_bytes([stream[offset + 2], stream[offset + 3]]));
        let data = &stream[offset + 4..(offset + 4 + length).min(stream.len())];
        offset += 4 + length;
        let u16_at = |at: usize| {
            data.get(at..at + 2)
                .map(|b| u32::from(u16::from_le_bytes([b[0], b[1]])))
        };
        let u32_at = |at: usize| {
            data.get(at..at + 4)
                .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        };
        match kind {
            // BOF: a new substream (the globals, then one per sheet).
            0x0809 => {
                sheet_number += 1;
                sheet = XlsSheet {
                    name: names
                        .remove(&record_at)
                        .unwrap_or_else(|| format!("#{}", sheet_number - 1)),
                    ..Default::default()
                };
            }
            // BOUNDSHEET: where a sheet's BOF is, and its name.
            0x0085 => {
                if let (Some(at), Some(name)) = (u32_at(0), sheet_name(data)) {
                    names.insert(at as usize, name);
                }
            }
            // EOF of a sheet.
            0x000A => sheet.finish()?,
            // DIMENSIONS: calamine reserves rows × columns cells.
            0x0200 => {
                let (first_row, last_row, first_column, last_column) = match data.len() {
                    10 => (u16_at(0), u16_at(2), u16_at(4), u16_at(6)),
                    _ => (u32_at(0), u32_at(4), u16_at(8), u16_at(10)),
                };
                if let (Some(fr), Some(lr), Some(fc), Some(lc)) =
                    (first_row, last_row, first_column, last_column)
                {
                    let rows = u64::from(lr.saturating_sub(fr));
                    let columns = u64::from(lc.saturating_sub(fc));
                    if rows.saturating_mul(columns) > limits::MAX_DECLARED_CELLS {
                        return Err(LimitError::Declared {
                            sheet: sheet.name.clone(),
                            range: limits::range_name(
                                (u64::from(fr), u64::from(fc)),
                                (u64::from(lr.max(1) - 1), u64::from(lc.max(1) - 1)),
                            ),
                            rows,
                            columns,
                        });
                    }
                }
            }
            // Cell records: row, column first.
            0x0203 | 0x0204 | 0x0205 | 0x027E | 0x00FD | 0x0006 | 0x00D6 => {
                if let (Some(row), Some(column)) = (u16_at(0), u16_at(2)) {
                    sheet.cell(row, column);
                    cells += 1;
                }
            }
            // MULRK: row, first column, then 6 bytes per cell, then the last column.
            0x00BD => {
                if let (Some(row), Some(first), Some(last)) =
                    (u16_at(0), u16_at(2), u16_at(data.len().saturating_sub(2)))
                {
                    sheet.cell(row, first);
                    sheet.cell(row, last.max(first));
                    cells += u64::from(last.saturating_sub(first)) + 1;
                }
            }
            _ => {}
        }
        if cells > limits::MAX_CELLS as u64 {
            return Err(LimitError::Cells {
                sheet: sheet.name.clone(),
            });
        }
    }
    sheet.finish()
}

/// The name in a BOUNDSHEET record: a length, a flag (1: UTF-16, 0: Latin-1), the text.
fn sheet_name(data: &[u8]) -> Option<String> {
    let length = usize::from(*data.get(6)?);
    let text = data.get(8..)?;
    match data.get(7)? {
        1 => {
            let units: Vec<u16> = text
                .chunks_exact(2)
                .take(length)
                .map(|b| u16::from_le_bytes([b[0], b[1]]))
                .collect();
            Some(String::from_utf16_lossy(&units))
        }
        _ => Some(text.iter().take(length).map(|&b| char::from(b)).collect()),
    }
}

#[derive(Default)]
struct XlsSheet {
    name: String,
    bounds: Option<(u32, u32, u32, u32)>,
}

impl XlsSheet {
    fn cell(&mut self, row: u32, column: u32) {
        self.bounds = Some(match self.bounds {
            None => (row, row, column, column),
            Some((r0, r1, c0, c1)) => (r0.min(row), r1.max(row), c0.min(column), c1.max(column)),
        });
    }

    fn finish(&mut self) -> Result<(), LimitError> {
        let Some((r0, r1, c0, c1)) = self.bounds.take() else {
            return Ok(());
        };
        check_dense(&self.name, u64::from(r1 - r0) + 1, u64::from(c1 - c0) + 1)
    }
}
