//! Enterprises (参与单位) and their invitation codes (邀请码): lists read from XLSX (or
//! XLS/ODS), CSV in UTF-8 (with or without BOM) or GBK/GB18030, and the `/join` rule.
//!
//! How a list is read:
//! - The header is the first of the first 10 non-blank rows that names a name column
//!   (单位名称, 企业名称, 单位, name, ...) and a headcount column (职工人数, 人数,
//!   员工人数, headcount, ...); rows above it (a title) and blank rows are skipped.
//!   Optional columns: 街道 (所属街道, street) and 邀请码 (code). Other columns (联系人,
//!   电话...) are ignored and listed in [`OrgImport::ignored_columns`].
//! - Problems name rows as Excel numbers them.
//! - An enterprise is identified by its code. A row with a code keeps it (a row whose
//!   code is already an enterprise's renames that enterprise); a row without one keeps
//!   the code of the listed enterprise with the same name, or gets a new one: six
//!   characters of [`CODE_ALPHABET`] (no 0/O/1/I), unique among all codes.
//! - Enterprises already listed but absent from the file stay ([`OrgImport::merged`]).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::bank::Problem;
use crate::text::{clean_cell, fold_width, normalize_answer};

/// Generated codes use these characters: no 0/O and no 1/I, which readers confuse.
pub const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
pub const CODE_LENGTH: usize = 6;
/// Codes written in the file: 4 to 16 letters and digits.
pub const MIN_CODE_CHARS: usize = 4;
pub const MAX_CODE_CHARS: usize = 16;
/// Enterprise rows in one file.
pub const MAX_ORG_ROWS: usize = 20_000;
pub const MAX_HEADCOUNT: u32 = 1_000_000;
pub const MAX_NAME_CHARS: usize = 100;
/// How far down a sheet the header row is looked for.
const HEADER_SEARCH_ROWS: usize = 10;
/// Rows read at all, blank ones included: beyond this a file is refused unread.
const MAX_TABLE_ROWS: usize = 2 * MAX_ORG_ROWS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Org {
    /// The invitation code, upper case; compare typed codes with [`fold_code`].
    pub code: String,
    pub name: String,
    pub headcount: u32,
    pub street: Option<String>,
}

/// What importing a row does to the stored list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrgChange {
    Added,
    /// Name, headcount or street changed; `before` is the stored enterprise.
    Changed {
        before: Org,
    },
    Unchanged,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgImport {
    /// The file's enterprises in file order, with their codes.
    pub orgs: Vec<Org>,
    /// What each of `orgs` does, aligned with it.
    pub changes: Vec<OrgChange>,
    /// Stored enterprises the file does not name; they are kept.
    pub absent: Vec<Org>,
    /// Header cells naming no known column (ignored).
    pub ignored_columns: Vec<String>,
}

impl OrgImport {
    /// The list to store: the file's enterprises, then the absent ones.
    pub fn merged(&self) -> Vec<Org> {
        self.orgs.iter().chain(&self.absent).cloned().collect()
    }

    pub fn added(&self) -> usize {
        self.count(|c| matches!(c, OrgChange::Added))
    }

    pub fn changed(&self) -> usize {
        self.count(|c| matches!(c, OrgChange::Changed { .. }))
    }

    pub fn unchanged(&self) -> usize {
        self.count(|c| matches!(c, OrgChange::Unchanged))
    }

    fn count(&self, wanted: impl Fn(&OrgChange) -> bool) -> usize {
        self.changes.iter().filter(|c| wanted(c)).count()
    }
}

/// What `/join CODE` does for a person whose enterprise is `current` (a code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Join<'a> {
    /// No enterprise has this code.
    Unknown,
    /// The person is already in this enterprise.
    Already(&'a Org),
    /// The person had no (listed) enterprise: joining needs no confirmation.
    Joined(&'a Org),
    /// The person is in another enterprise: ask before moving.
    Move { from: &'a Org, to: &'a Org },
}

/// Decides a `/join`: codes are matched ignoring case, width, spaces and dashes, with
/// 0/O and 1/I taken as the same character.
pub fn join<'a>(orgs: &'a [Org], current: Option<&str>, typed: &str) -> Join<'a> {
    let Some(to) = find_org(orgs, typed) else {
        return Join::Unknown;
    };
    match current.and_then(|code| find_org(orgs, code)) {
        Some(from) if from.code == to.code => Join::Already(to),
        Some(from) => Join::Move { from, to },
        None => Join::Joined(to),
    }
}

/// The enterprise with this code, compared with [`fold_code`].
pub fn find_org<'a>(orgs: &'a [Org], typed: &str) -> Option<&'a Org> {
    let wanted = fold_code(typed);
    if wanted.is_empty() {
        return None;
    }
    orgs.iter().find(|org| code_matches(&org.code, &wanted))
}

/// Whether a stored code folds to `folded`, without allocating for ASCII codes.
fn code_matches(code: &str, folded: &str) -> bool {
    if !code.is_ascii() {
        return fold_code(code) == folded;
    }
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' => '1',
            other => other,
        })
        .eq(folded.chars())
}

/// A code as compared: half-width, upper case, without spaces and dashes, with O read
/// as 0 and I as 1.
pub fn fold_code(code: &str) -> String {
    // Stored codes are ASCII: skip the Unicode width folding for them.
    let folded: Cow<'_, str> = if code.is_ascii() {
        Cow::Borrowed(code)
    } else {
        Cow::Owned(fold_width(code))
    };
    folded
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .map(|c| match c {
            'O' => '0',
            'I' => '1',
            other => other,
        })
        .collect()
}

/// A fresh code of [`CODE_LENGTH`] characters of [`CODE_ALPHABET`] whose folded form is
/// not in `taken`.
pub fn generate_code(taken: &HashSet<String>, rng: &mut impl Rng) -> String {
    loop {
        let code: String = (0..CODE_LENGTH)
            .map(|_| CODE_ALPHABET[rng.gen_range(0..CODE_ALPHABET.len())] as char)
            .collect();
        if !taken.contains(&fold_code(&code)) {
            return code;
        }
    }
}

/// Whether a file is an enterprise list (its header names an enterprise and a headcount
/// column), so an upload can be told apart from a question file.
pub fn is_org_list(file_name: &str, bytes: &[u8]) -> bool {
    read_rows(file_name, bytes).is_ok_and(|(_, rows)| find_header(&rows).is_some())
}

/// Parses an enterprise list. `file_name` names the file in problems (and its sheet,
/// `单位.xlsx[Sheet1]:5`); `existing` is the stored list, whose codes are kept.
/// Every problem is reported; nothing is returned on any problem.
pub fn parse_orgs(
    file_name: &str,
    bytes: &[u8],
    existing: &[Org],
    rng: &mut impl Rng,
) -> Result<OrgImport, Vec<Problem>> {
    let (file, rows) = read_rows(file_name, bytes)?;
    let problem = |line: Option<usize>, message: String| Problem {
        file: file.clone(),
        line,
        question: None,
        message,
    };
    let Some(header_index) = find_header(&rows) else {
        return Err(vec![problem(
            None,
            "no header row found: name the columns 单位名称, 职工人数 and optionally 街道, 邀请码 \
             (name, headcount, street, code)"
                .into(),
        )]);
    };
    let header = &rows[header_index];
    let mut problems = Vec::new();
    let mut columns: HashMap<Column, usize> = HashMap::new();
    let mut ignored_columns = Vec::new();
    for (index, cell) in header.cells.iter().enumerate() {
        let text = clean_cell(cell);
        if text.is_empty() {
            continue;
        }
        match column(&text) {
            Some(Column::Ignored) => {}
            Some(col) => {
                if columns.insert(col, index).is_some() {
                    problems.push(problem(
                        Some(header.number),
                        format!("column `{text}` appears twice"),
                    ));
                }
            }
            None => ignored_columns.push(text),
        }
    }
    let body: Vec<&Row> = rows[header_index + 1..]
        .iter()
        .filter(|row| !is_blank(row))
        .collect();
    if body.len() > MAX_ORG_ROWS {
        problems.push(problem(
            None,
            format!(
                "{} enterprise rows: at most {MAX_ORG_ROWS} in one file",
                body.len()
            ),
        ));
        return Err(problems);
    }
    if body.is_empty() {
        problems.push(problem(
            None,
            "the table has a header but no enterprise rows".into(),
        ));
        return Err(problems);
    }

    // Each row read on its own; rows with a name are kept for the duplicate checks
    // (any problem stops the import before they are used).
    let mut rows_read: Vec<(usize, Org, bool)> = Vec::new();
    for row in body {
        let cell = |col: Column| {
            columns
                .get(&col)
                .and_then(|&i| row.cells.get(i))
                .map(|c| clean_cell(c))
                .unwrap_or_default()
        };
        let name = cell(Column::Name);
        if name.is_empty() {
            problems.push(problem(Some(row.number), "单位名称 is blank".into()));
        } else if name.chars().count() > MAX_NAME_CHARS {
            problems.push(problem(
                Some(row.number),
                format!("单位名称 is longer than {MAX_NAME_CHARS} characters"),
            ));
        }
        let headcount = match parse_headcount(&cell(Column::Headcount)) {
            Ok(headcount) => headcount,
            Err(message) => {
                problems.push(problem(Some(row.number), message));
                0
            }
        };
        let written_code = cell(Column::Code);
        let code = fold_width(&written_code).to_uppercase();
        let has_code = !code.is_empty();
        if has_code && !valid_written_code(&code) {
            problems.push(problem(
                Some(row.number),
                format!(
                    "邀请码 `{written_code}` must be {MIN_CODE_CHARS} to {MAX_CODE_CHARS} letters and digits (or blank to generate one)"
                ),
            ));
        }
        let street = Some(cell(Column::Street)).filter(|s| !s.is_empty());
        let code_ok = has_code && valid_written_code(&code);
        if !name.is_empty() {
            rows_read.push((
                row.number,
                Org {
                    code,
                    name,
                    headcount,
                    street,
                },
                code_ok,
            ));
        }
    }

    // Duplicates within the file.
    let mut names: HashMap<String, usize> = HashMap::new();
    let mut codes: HashMap<String, usize> = HashMap::new();
    for (number, org, has_code) in &rows_read {
        if let Some(first) = names.insert(name_key(&org.name), *number) {
            problems.push(problem(
                Some(*number),
                format!("enterprise `{}` is listed twice (row {first})", org.name),
            ));
            names.insert(name_key(&org.name), first);
        }
        if *has_code {
            if let Some(first) = codes.insert(fold_code(&org.code), *number) {
                problems.push(problem(
                    Some(*number),
                    format!("邀请码 `{}` is used twice (row {first})", org.code),
                ));
                codes.insert(fold_code(&org.code), first);
            }
        }
    }

    // Against the stored list: rows with codes claim their enterprises first.
    let mut by_code: HashMap<String, &Org> = HashMap::new();
    let mut by_name: HashMap<String, &Org> = HashMap::new();
    for org in existing {
        by_code.entry(fold_code(&org.code)).or_insert(org);
        by_name.entry(name_key(&org.name)).or_insert(org);
    }
    let mut claimed: HashSet<&str> = HashSet::new();
    let mut recoded: HashSet<usize> = HashSet::new();
    let mut matched: Vec<Option<&Org>> = vec![None; rows_read.len()];
    for (index, (number, org, has_code)) in rows_read.iter().enumerate() {
        if !has_code {
            continue;
        }
        if let Some(&stored) = by_code.get(&fold_code(&org.code)) {
            claimed.insert(&stored.code);
            matched[index] = Some(stored);
            continue;
        }
        if let Some(stored) = by_name.get(&name_key(&org.name)) {
            recoded.insert(*number);
            problems.push(problem(
                Some(*number),
                format!(
                    "`{}` already has 邀请码 {}: write {} or leave it blank (a new code would leave its members behind)",
                    org.name, stored.code, stored.code
                ),
            ));
        }
    }
    for (index, (_, org, has_code)) in rows_read.iter().enumerate() {
        if *has_code {
            continue;
        }
        match by_name.get(&name_key(&org.name)) {
            Some(&stored) if !claimed.contains(stored.code.as_str()) => {
                claimed.insert(&stored.code);
                matched[index] = Some(stored);
            }
            _ => {}
        }
    }
    let absent: Vec<Org> = existing
        .iter()
        .filter(|e| !claimed.contains(e.code.as_str()))
        .cloned()
        .collect();
    let absent_by_name: HashMap<String, &Org> =
        absent.iter().map(|a| (name_key(&a.name), a)).collect();
    for (number, org, _) in rows_read.iter().filter(|r| !recoded.contains(&r.0)) {
        if let Some(other) = absent_by_name.get(&name_key(&org.name)) {
            problems.push(problem(
                Some(*number),
                format!(
                    "`{}` is the name of the listed enterprise with 邀请码 {}; write that code on this row",
                    org.name, other.code
                ),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }

    let mut taken: HashSet<String> = existing
        .iter()
        .map(|e| fold_code(&e.code))
        .chain(codes.keys().cloned())
        .collect();
    let mut orgs = Vec::with_capacity(rows_read.len());
    let mut changes = Vec::with_capacity(rows_read.len());
    for ((_, mut org, has_code), stored) in rows_read.into_iter().zip(matched) {
        match stored {
            Some(stored) => {
                if !has_code {
                    org.code = stored.code.clone();
                }
                changes.push(if org == *stored {
                    OrgChange::Unchanged
                } else {
                    OrgChange::Changed {
                        before: stored.clone(),
                    }
                });
            }
            None => {
                if !has_code {
                    org.code = generate_code(&taken, rng);
                    taken.insert(fold_code(&org.code));
                }
                changes.push(OrgChange::Added);
            }
        }
        orgs.push(org);
    }
    Ok(OrgImport {
        orgs,
        changes,
        absent,
        ignored_columns,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Column {
    Name,
    Headcount,
    Street,
    Code,
    /// Known but unused, such as 序号 or 备注.
    Ignored,
}

/// One table row: its number as Excel shows it, and its cells as text.
#[derive(Debug, Clone)]
struct Row {
    number: usize,
    cells: Vec<String>,
}

fn column(text: &str) -> Option<Column> {
    let mut folded: String = fold_width(text)
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace() && !"_-*·.:：()（）[]【】<>《》\"'".contains(*c))
        .collect();
    for note in ["必填", "选填", "可选", "optional", "required"] {
        folded = folded.replace(note, "");
    }
    let col = match folded.as_str() {
        "单位名称" | "企业名称" | "单位" | "企业" | "公司名称" | "公司" | "名称" | "name"
        | "orgname" | "organization" | "organisation" | "enterprise" | "company" => Column::Name,
        "职工人数" | "人数" | "员工人数" | "职工数" | "员工数" | "在职人数" | "在职职工人数"
        | "headcount" | "employees" | "staff" => Column::Headcount,
        "街道" | "所属街道" | "街镇" | "所属街镇" | "street" | "subdistrict" => {
            Column::Street
        }
        "邀请码" | "邀请代码" | "code" | "invitecode" | "invitationcode" => Column::Code,
        "序号" | "备注" | "no" | "note" | "notes" | "remark" | "remarks" => Column::Ignored,
        _ => return None,
    };
    Some(col)
}

fn find_header(rows: &[Row]) -> Option<usize> {
    rows.iter()
        .enumerate()
        .filter(|(_, row)| !is_blank(row))
        .take(HEADER_SEARCH_ROWS)
        .find(|(_, row)| {
            let columns: Vec<Option<Column>> = row.cells.iter().map(|c| column(c)).collect();
            columns.contains(&Some(Column::Name)) && columns.contains(&Some(Column::Headcount))
        })
        .map(|(index, _)| index)
}

fn is_blank(row: &Row) -> bool {
    row.cells.iter().all(|c| clean_cell(c).is_empty())
}

/// Names are compared ignoring width, case, spaces and punctuation, so
/// `某某（上海）有限公司` and `某某(上海)有限公司` are one enterprise.
fn name_key(name: &str) -> String {
    normalize_answer(name)
}

fn valid_written_code(code: &str) -> bool {
    (MIN_CODE_CHARS..=MAX_CODE_CHARS).contains(&code.chars().count())
        && code.chars().all(|c| c.is_ascii_alphanumeric())
}

/// A positive whole number: `120`, `1,200`, `120人`, `120.0` (as some sheets store it).
fn parse_headcount(cell: &str) -> Result<u32, String> {
    let folded: String = fold_width(cell)
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ',' && *c != '，')
        .collect();
    let folded = folded.strip_suffix('人').unwrap_or(&folded);
    if folded.is_empty() {
        return Err("职工人数 is blank".into());
    }
    let number = folded
        .parse::<u64>()
        .ok()
        .or_else(|| {
            folded
                .parse::<f64>()
                .ok()
                .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f < 1e12)
                .map(|f| f as u64)
        })
        .ok_or_else(|| format!("职工人数 `{}` is not a whole number", cell.trim()))?;
    if number == 0 || number > u64::from(MAX_HEADCOUNT) {
        return Err(format!(
            "职工人数 {number} is out of range 1 to {MAX_HEADCOUNT}"
        ));
    }
    Ok(number as u32)
}

/// The rows of a workbook's first sheet with a header (or of a CSV), and the name used
/// in problems.
fn read_rows(file_name: &str, bytes: &[u8]) -> Result<(String, Vec<Row>), Vec<Problem>> {
    let problem = |message: String| {
        vec![Problem {
            file: file_name.to_string(),
            line: None,
            question: None,
            message,
        }]
    };
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(problem("empty file: it lists no enterprises".into()));
    }
    let zip = bytes.starts_with(b"PK\x03\x04");
    let ole = bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]);
    if !zip && !ole {
        let text = crate::bank::formats::decode_text(bytes).map_err(problem)?;
        return Ok((file_name.to_string(), csv_rows(file_name, &text)?));
    }
    // Read within the import bounds (declared ranges, unpacked sizes, rows, cells).
    let sheets = crate::bank::formats::read_workbook(bytes).map_err(problem)?;
    let mut first = None;
    for (sheet, rows) in sheets {
        let file = format!("{file_name}[{sheet}]");
        if rows.len() > MAX_TABLE_ROWS {
            return Err(too_many_rows(&file));
        }
        let rows: Vec<Row> = rows
            .into_iter()
            .map(|(number, cells)| Row { number, cells })
            .collect();
        if find_header(&rows).is_some() {
            return Ok((file, rows));
        }
        first.get_or_insert((file, rows));
    }
    first.ok_or_else(|| problem("the workbook has no sheets".into()))
}

/// CSV rows numbered as Excel numbers them (see `bank::formats::numbered_records`).
fn csv_rows(file_name: &str, text: &str) -> Result<Vec<Row>, Vec<Problem>> {
    let mut rows = Vec::new();
    for result in crate::bank::formats::numbered_records(text) {
        let (number, record) = result.map_err(|e| {
            vec![Problem {
                file: file_name.to_string(),
                line: e.position().map(|p| p.line() as usize),
                question: None,
                message: format!("unreadable CSV: {e}"),
            }]
        })?;
        rows.push(Row {
            number,
            cells: record.iter().map(str::to_string).collect(),
        });
        if rows.len() > MAX_TABLE_ROWS {
            return Err(too_many_rows(file_name));
        }
    }
    Ok(rows)
}

fn too_many_rows(file: &str) -> Vec<Problem> {
    vec![Problem {
        file: file.to_string(),
        line: None,
        question: None,
        message: format!(
            "more than {MAX_TABLE_ROWS} rows: at most {MAX_ORG_ROWS} enterprises in one file"
        ),
    }]
}
