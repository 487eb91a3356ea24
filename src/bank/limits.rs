//! Bounds on what one imported file may make the importer do, checked before anything
//! large is allocated: upload size, unpacked size of a workbook's zip entries, rows,
//! columns and cells read, questions per file, and problems reported. Also the caps on
//! the names imported content brings into replies (topics, titles, tags).

use std::fmt;
use std::io::{Read, Seek};

/// Upload size limit (the file as sent).
pub const MAX_UPLOAD_BYTES: usize = 5 * 1024 * 1024;
/// Unpacked size of one zip entry of a workbook (a sheet, the shared strings).
pub const MAX_ENTRY_BYTES: u64 = 40 * 1024 * 1024;
/// Unpacked size of all zip entries of a workbook together.
pub const MAX_UNPACKED_BYTES: u64 = 80 * 1024 * 1024;
/// Entries in a workbook's zip archive.
pub const MAX_ZIP_ENTRIES: usize = 2_000;
/// Rows with content read from one file (all sheets together), header and titles included.
pub const MAX_ROWS: usize = 20_000;
/// Columns a sheet may declare or fill (the template uses 31).
pub const MAX_COLUMNS: usize = 64;
/// Cells a sheet may declare (rows × columns of its `<dimension>`). Sheets are read
/// cell by cell, never as a dense range, so this only refuses the absurd (`A1:XFD1048576`)
/// and lets through a template formatted down to row 65536.
pub const MAX_DECLARED_CELLS: u64 = 10_000_000;
/// Cells an ODS or XLS sheet may span from its first to its last cell with content
/// (calamine builds these sheets as dense ranges).
pub const MAX_DENSE_CELLS: u64 = (MAX_ROWS as u64) * (MAX_COLUMNS as u64);
/// Cells with content read from one file.
pub const MAX_CELLS: usize = 400_000;
/// Shared strings in a workbook (calamine keeps every one in memory as it opens the file).
pub const MAX_SHARED_STRINGS: usize = MAX_CELLS;
/// Questions (or knowledge entries) in one file.
pub const MAX_QUESTIONS: usize = 10_000;
/// Sheets read from one workbook.
pub const MAX_SHEETS: usize = 50;
/// Problems listed for one import; the rest are counted in one last line.
pub const MAX_REPORTED_PROBLEMS: usize = 50;

/// Characters of a topic (知识点) name: it is a button label and a line of `/topics`.
pub const MAX_TOPIC_CHARS: usize = 30;
/// Characters of an English topic name (Latin letters are half as wide on a button).
pub const MAX_TOPIC_EN_CHARS: usize = 2 * MAX_TOPIC_CHARS;
/// Characters of a set title (题集名称).
pub const MAX_TITLE_CHARS: usize = 60;
/// Characters of one tag.
pub const MAX_TAG_CHARS: usize = 30;
/// Tags on one question.
pub const MAX_TAGS: usize = 10;
/// Characters of one option of a choice question.
pub const MAX_OPTION_CHARS: usize = 300;
/// Characters of a set-level source (出处) given with `--source` or in the chat preview.
pub const MAX_SOURCE_CHARS: usize = 200;
/// Distinct topics one import may bring (the `/topics` keyboard is paginated, but a
/// file with hundreds of topics is nearly always a shifted column).
pub const MAX_TOPICS_PER_IMPORT: usize = 100;

/// Why a file was refused before it was parsed. `Display` gives Chinese, then English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LimitError {
    /// The file as sent is larger than [`MAX_UPLOAD_BYTES`].
    Upload { bytes: usize },
    /// A zip entry unpacks (or says it unpacks) to more than [`MAX_ENTRY_BYTES`].
    Entry { entry: String, bytes: u64 },
    /// The entries together unpack to more than [`MAX_UNPACKED_BYTES`].
    Unpacked { bytes: u64 },
    /// More than [`MAX_ZIP_ENTRIES`] entries.
    Entries { entries: usize },
    /// A sheet declares a range larger than the limits (`<dimension ref="A1:XFD1048576">`).
    Declared {
        sheet: String,
        range: String,
        rows: u64,
        columns: u64,
    },
    /// An ODS or XLS sheet whose cells span more than [`MAX_DENSE_CELLS`] (these readers
    /// expand a sheet into a dense range).
    Extent {
        sheet: String,
        rows: u64,
        columns: u64,
    },
    /// More than [`MAX_ROWS`] rows with content.
    Rows { sheet: String },
    /// A cell with content beyond column [`MAX_COLUMNS`].
    Columns { sheet: String, row: usize },
    /// More than [`MAX_CELLS`] cells with content.
    Cells { sheet: String },
    /// More than [`MAX_QUESTIONS`] questions or entries.
    Questions,
    /// More than [`MAX_SHARED_STRINGS`] shared strings.
    SharedStrings,
    /// More than [`MAX_SHEETS`] sheets.
    Sheets { sheets: usize },
}

impl fmt::Display for LimitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mib = |bytes: u64| bytes as f64 / 1024.0 / 1024.0;
        match self {
            LimitError::Upload { bytes } => write!(
                f,
                "文件大小 {:.1} MB，超过 {} MB 的上限，请拆分后分别导入 / the file is {:.1} MB, over the {} MB limit: split it into several files",
                mib(*bytes as u64),
                MAX_UPLOAD_BYTES / 1024 / 1024,
                mib(*bytes as u64),
                MAX_UPLOAD_BYTES / 1024 / 1024
            ),
            LimitError::Entry { entry, bytes } => write!(
                f,
                "工作簿内的 {entry} 解压后达 {:.0} MB 以上，超过 {} MB 的上限，未读取 / the workbook part {entry} unpacks to {:.0} MB or more, over the {} MB limit; not read",
                mib(*bytes),
                MAX_ENTRY_BYTES / 1024 / 1024,
                mib(*bytes),
                MAX_ENTRY_BYTES / 1024 / 1024
            ),
            LimitError::Unpacked { bytes } => write!(
                f,
                "工作簿解压后达 {:.0} MB 以上，超过 {} MB 的上限，未读取 / the workbook unpacks to {:.0} MB or more, over the {} MB limit; not read",
                mib(*bytes),
                MAX_UNPACKED_BYTES / 1024 / 1024,
                mib(*bytes),
                MAX_UNPACKED_BYTES / 1024 / 1024
            ),
            LimitError::Entries { entries } => write!(
                f,
                "工作簿含 {entries} 个部件，超过 {MAX_ZIP_ENTRIES} 的上限，未读取 / the workbook has {entries} parts, over the limit of {MAX_ZIP_ENTRIES}; not read"
            ),
            LimitError::Declared {
                sheet,
                range,
                rows,
                columns,
            } => write!(
                f,
                "工作表 {sheet} 声明的范围 {range}（{rows} 行 × {columns} 列）超过 {MAX_DECLARED_CELLS} 个单元格的上限，未读取；请只保留题目所在的行列后另存 / sheet {sheet} declares the range {range} ({rows} rows × {columns} columns), over the limit of {MAX_DECLARED_CELLS} cells; not read: keep only the rows and columns of the questions and save it again"
            ),
            LimitError::Extent {
                sheet,
                rows,
                columns,
            } => write!(
                f,
                "工作表 {sheet} 的数据区域达 {rows} 行 × {columns} 列，超过 {MAX_DENSE_CELLS} 个单元格的上限，未读取；请删除远处的单元格后另存 / sheet {sheet} spans {rows} rows × {columns} columns, over the limit of {MAX_DENSE_CELLS} cells; not read: delete the far-away cells and save it again"
            ),
            LimitError::Rows { sheet } => write!(
                f,
                "{sheet} 的有内容行超过 {MAX_ROWS} 行的上限，已停止读取；请拆分后分别导入 / {sheet} has more than {MAX_ROWS} rows with content, the limit; reading stopped: split it into several files"
            ),
            LimitError::Columns { sheet, row } => write!(
                f,
                "{sheet} 第 {row} 行在第 {MAX_COLUMNS} 列之后还有内容，超过列数上限，已停止读取 / {sheet} row {row} has content beyond column {MAX_COLUMNS}, the limit; reading stopped"
            ),
            LimitError::Cells { sheet } => write!(
                f,
                "{sheet} 有内容的单元格超过 {MAX_CELLS} 个的上限，已停止读取；请拆分后分别导入 / {sheet} has more than {MAX_CELLS} cells with content, the limit; reading stopped: split it into several files"
            ),
            LimitError::Questions => write!(
                f,
                "一个文件最多 {MAX_QUESTIONS} 道题（或条目），请拆分后分别导入 / one file holds at most {MAX_QUESTIONS} questions (or entries): split it into several files"
            ),
            LimitError::SharedStrings => write!(
                f,
                "工作簿的共享字符串超过 {MAX_SHARED_STRINGS} 个的上限，未读取 / the workbook has more than {MAX_SHARED_STRINGS} shared strings, the limit; not read"
            ),
            LimitError::Sheets { sheets } => write!(
                f,
                "工作簿有 {sheets} 个工作表，超过 {MAX_SHEETS} 个的上限，未读取 / the workbook has {sheets} sheets, over the limit of {MAX_SHEETS}; not read"
            ),
        }
    }
}

impl std::error::Error for LimitError {}

/// Checks a zip archive (XLSX, ODS) before a reader opens it: the number of entries,
/// each entry's declared size, and then each entry's real unpacked size, counted while
/// inflating into nothing, so an archive that lies about its sizes is caught too.
/// Returns `Ok(())` for an archive that is not a zip at all: the reader then says so.
pub fn check_zip<R: Read + Seek>(reader: R) -> Result<(), LimitError> {
    let Ok(mut archive) = zip::ZipArchive::new(reader) else {
        return Ok(());
    };
    if archive.len() > MAX_ZIP_ENTRIES {
        return Err(LimitError::Entries {
            entries: archive.len(),
        });
    }
    let mut declared_total: u64 = 0;
    for index in 0..archive.len() {
        let Ok(entry) = archive.by_index_raw(index) else {
            continue;
        };
        let size = entry.size();
        if size > MAX_ENTRY_BYTES {
            return Err(LimitError::Entry {
                entry: entry.name().to_string(),
                bytes: size,
            });
        }
        declared_total = declared_total.saturating_add(size);
        if declared_total > MAX_UNPACKED_BYTES {
            return Err(LimitError::Unpacked {
                bytes: declared_total,
            });
        }
    }
    let mut real_total: u64 = 0;
    for index in 0..archive.len() {
        let Ok(entry) = archive.by_index(index) else {
            // An unreadable entry (encrypted, unknown method) is the reader's to report.
            continue;
        };
        let name = entry.name().to_string();
        let mut limited = entry.take(MAX_ENTRY_BYTES + 1);
        let mut counter = ElementCounter::new(b"si");
        let unpacked = std::io::copy(&mut limited, &mut counter).unwrap_or(0);
        if name.ends_with("sharedStrings.xml") && counter.count > MAX_SHARED_STRINGS {
            return Err(LimitError::SharedStrings);
        }
        if unpacked > MAX_ENTRY_BYTES {
            return Err(LimitError::Entry {
                entry: name,
                bytes: unpacked,
            });
        }
        real_total += unpacked;
        if real_total > MAX_UNPACKED_BYTES {
            return Err(LimitError::Unpacked { bytes: real_total });
        }
    }
    Ok(())
}

/// Counts the start tags of one element (`<si>`, `<si/>`, `<si ...>`) in XML written
/// through it, across chunk boundaries, keeping nothing else. (A namespace prefix, which
/// no spreadsheet program writes, is not counted; the entry size still bounds such a file.)
struct ElementCounter {
    name: &'static [u8],
    /// The last bytes seen, enough to match a tag split between two writes.
    tail: Vec<u8>,
    count: usize,
}

impl ElementCounter {
    fn new(name: &'static [u8]) -> ElementCounter {
        ElementCounter {
            name,
            tail: Vec::new(),
            count: 0,
        }
    }
}

impl std::io::Write for ElementCounter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // A tag is `name.len() + 2` bytes; the tail kept is one byte shorter, so no tag lies
        // wholly in it and every tag in tail + buf is counted exactly once.
        let width = self.name.len() + 2;
        let mut window = std::mem::take(&mut self.tail);
        window.extend_from_slice(buf);
        self.count += window
            .windows(width)
            .filter(|w| {
                w[0] == b'<'
                    && &w[1..width - 1] == self.name
                    && matches!(w[width - 1], b'>' | b' ' | b'/')
            })
            .count();
        let start = window.len().saturating_sub(width - 1);
        window.drain(..start);
        self.tail = window;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Parses a `<dimension ref>` such as `A1:XFD1048576` (or a single cell `A1`) into
/// (rows, columns). `None` when it cannot be read; a reader then finds the real extent.
pub fn declared_extent(range: &str) -> Option<(u64, u64)> {
    let (start, end) = range.split_once(':').unwrap_or((range, range));
    let (row_start, column_start) = cell_position(start)?;
    let (row_end, column_end) = cell_position(end)?;
    Some((
        row_end.abs_diff(row_start) + 1,
        column_end.abs_diff(column_start) + 1,
    ))
}

/// A range in Excel's notation from 0-based (row, column) corners: `A1:XFD1048576`.
pub fn range_name(start: (u64, u64), end: (u64, u64)) -> String {
    format!(
        "{}{}:{}{}",
        column_name(start.1),
        start.0 + 1,
        column_name(end.1),
        end.0 + 1
    )
}

/// Column letters as Excel shows them: 0 -> A, 26 -> AA.
fn column_name(mut index: u64) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push((b'A' + (index % 26) as u8) as char);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    letters.iter().rev().collect()
}

/// `B12` -> (12, 2); `$B$12` too.
fn cell_position(cell: &str) -> Option<(u64, u64)> {
    let cell = cell.trim().replace('$', "");
    let split = cell.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = cell.split_at(split);
    if letters.is_empty() || letters.len() > 4 || digits.len() > 12 {
        return None;
    }
    let mut column: u64 = 0;
    for c in letters.chars() {
        if !c.is_ascii_alphabetic() {
            return None;
        }
        column = column * 26 + u64::from(c.to_ascii_uppercase() as u8 - b'A' + 1);
    }
    Some((digits.parse().ok()?, column))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_tags_split_across_writes() {
        use std::io::Write;
        let xml = b"<sst><si><t>a</t></si><si/><si ><t/></si><sheet/><sx/></sst>";
        for split in 0..xml.len() {
            let mut counter = ElementCounter::new(b"si");
            counter.write_all(&xml[..split]).unwrap();
            counter.write_all(&xml[split..]).unwrap();
            assert_eq!(counter.count, 3, "split at {split}");
        }
    }

    #[test]
    fn declared_extents() {
        assert_eq!(declared_extent("A1:XFD1048576"), Some((1_048_576, 16_384)));
        assert_eq!(declared_extent("A1"), Some((1, 1)));
        assert_eq!(declared_extent("$B$2:$D$11"), Some((10, 3)));
        assert_eq!(declared_extent("nonsense"), None);
        assert_eq!(range_name((0, 0), (1_048_575, 16_383)), "A1:XFD1048576");
    }
}
