//! Spreadsheet tables (CSV and XLSX share them): header recognition, rows to canonical
//! records, and the rows written for templates and bank exports.
//!
//! How a table is read:
//! - The header is the first of the first 10 non-blank rows that names a 题干 (or 问题)
//!   column and at least one other known column; rows above it (a title) are skipped.
//!   Header names are compared trimmed and ignoring case, width, spaces, `_`, `-`, `*` and
//!   brackets, so `选项 A`, `A选项`, `option_a`, `Option A` and `选项Ａ` are one column.
//!   A `_en` / `英文` suffix marks the English column (`题干_en`, `选项A_en`, `解析_en`).
//! - 问题 + 答案 without 题干, 题型, 选项 or 解析 make a knowledge-base table.
//! - Blank rows are skipped; problems name rows as Excel numbers them (header = row 1
//!   when it is the first row).
//! - Only 知识点 and 题集 carry down: a blank cell there takes the value of the row above,
//!   which is how merged cells read. Every other blank cell stays blank; a blank 答案 is
//!   reported by the validator, never guessed.
//! - Without a 题集 column (or with a blank one on the first row) the set id is the file
//!   stem made of `[a-z0-9-]` (`imported` when nothing is left) and the title the stem.
//! - Several 题集 values make several sets; sheets of one set (a sheet per kind) are merged.
//! - Unknown columns are ignored and listed in the [`ColumnMapping`] a dry run prints.
//! - A blank or absent 题型 takes the kind of a heading row (`二、多选题`), a title row
//!   above the header or the sheet's name, else is inferred from the options and answer.
//! - 出处 may be absent: the import gives such rows the set-level source.

use std::collections::HashMap;
use std::path::Path;

use super::{
    csv_format, file_stem, heading_kind, infer_kind, set_id_from_name, xlsx_format, ColumnMapping,
    Content, ParsedFile, Places, RecordPlace,
};
use crate::bank::record::{AnswerField, FaqRecord, Problem, QuestionRecord, SetFile, SetHeader};
use crate::bank::{parse_judge, Kind};
use crate::text::{clean_cell, fold_width};

/// Choice questions hold at most this many options (选项A..选项H).
const MAX_OPTIONS: usize = 8;
/// How far down a sheet the header row is looked for.
const HEADER_SEARCH_ROWS: usize = 10;

/// One spreadsheet row: its number as Excel shows it, and its cells as text.
#[derive(Debug, Clone)]
pub(super) struct Row {
    pub number: usize,
    pub cells: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TableKind {
    Quiz,
    Faq,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Column {
    Set,
    SetTitle,
    SetTitleEn,
    Id,
    Kind,
    Prompt,
    PromptEn,
    Option(usize),
    OptionEn(usize),
    Answer,
    Explanation,
    ExplanationEn,
    Topic,
    TopicEn,
    Difficulty,
    Source,
    Tags,
    Question,
    QuestionEn,
    Alternates,
    Keywords,
    AnswerEn,
    /// Known but unused, such as 序号 or 备注.
    Ignored,
}

impl Column {
    /// The template's name of the column, as a dry run shows the mapping (`题目 → 题干`).
    fn label(self) -> String {
        let text = match self {
            Column::Set => "题集",
            Column::SetTitle => "题集名称",
            Column::SetTitleEn => "题集名称_en",
            Column::Id => "编号",
            Column::Kind => "题型",
            Column::Prompt => "题干",
            Column::PromptEn => "题干_en",
            Column::Option(i) => return format!("选项{}", letter(i)),
            Column::OptionEn(i) => return format!("选项{}_en", letter(i)),
            Column::Answer => "答案",
            Column::Explanation => "解析",
            Column::ExplanationEn => "解析_en",
            Column::Topic => "知识点",
            Column::TopicEn => "知识点_en",
            Column::Difficulty => "难度",
            Column::Source => "出处",
            Column::Tags => "标签",
            Column::Question => "问题",
            Column::QuestionEn => "问题_en",
            Column::Alternates => "相似问法",
            Column::Keywords => "关键词",
            Column::AnswerEn => "答案_en",
            Column::Ignored => "(ignored)",
        };
        text.to_string()
    }
}

/// Writes a template with one example row per kind (or two knowledge entries).
pub fn write_template(out: &Path, xlsx: bool, faq: bool) -> Result<(), String> {
    let (sheet, rows) = if faq {
        ("知识库", faq_template())
    } else {
        ("题库", quiz_template())
    };
    let bytes = if xlsx {
        xlsx_format::write(sheet, &rows)?
    } else {
        csv_format::write(&rows)?
    };
    std::fs::write(out, bytes).map_err(|e| e.to_string())
}

/// The bank as CSV (UTF-8 with BOM so Excel reads the Chinese), one row per question.
pub fn write_sets_csv(sets: &[SetFile]) -> Result<Vec<u8>, String> {
    csv_format::write(&set_rows(sets)?)
}

/// The bank as an XLSX workbook, one row per question.
pub fn write_sets_xlsx(sets: &[SetFile]) -> Result<Vec<u8>, String> {
    xlsx_format::write("题库", &set_rows(sets)?)
}

/// Whether `rows` has a recognisable header in its first rows.
pub(super) fn has_header(rows: &[Row]) -> bool {
    find_header(rows).is_some()
}

/// One sheet of a workbook: its name and its rows with content.
#[derive(Debug, Clone)]
pub(super) struct Sheet {
    pub name: String,
    pub rows: Vec<Row>,
}

/// Maps a table to records. `name` is the file as given (for the set id and title),
/// `file` the name used in problems (with `[sheet]` for workbooks).
pub(super) fn parse_rows(name: &str, file: &str, rows: &[Row]) -> Result<ParsedFile, Vec<Problem>> {
    parse_table(name, file, None, rows)
}

/// Maps every sheet that has a header; sheets without one (notes, instructions) are
/// skipped. Quiz sheets of the same set (one sheet per kind is common) make one set.
pub(super) fn parse_sheets(name: &str, sheets: &[Sheet]) -> Result<ParsedFile, Vec<Problem>> {
    let readable: Vec<&Sheet> = sheets.iter().filter(|s| has_header(&s.rows)).collect();
    let Some(first) = readable.first().copied().or(sheets.first()) else {
        return Err(vec![Problem {
            file: name.to_string(),
            line: None,
            question: None,
            message: "the workbook has no sheets".into(),
        }]);
    };
    let first_file = format!("{name}[{}]", first.name);
    if readable.is_empty() {
        // No sheet has a header: let the first one report what it lacks.
        return parse_table(name, &first_file, Some(&first.name), &first.rows);
    }
    let mut errors = Vec::new();
    let mut problems = Vec::new();
    let mut mappings = Vec::new();
    let mut sets: Vec<(SetFile, Places)> = Vec::new();
    let mut faq: Vec<FaqRecord> = Vec::new();
    let mut faq_places = Places {
        file: first_file.clone(),
        records: Vec::new(),
    };
    let (mut quiz_sheets, mut faq_sheets) = (Vec::new(), Vec::new());
    for sheet in readable {
        let file = format!("{name}[{}]", sheet.name);
        let parsed = match parse_table(name, &file, Some(&sheet.name), &sheet.rows) {
            Ok(parsed) => parsed,
            Err(more) => {
                errors.extend(more);
                continue;
            }
        };
        problems.extend(parsed.problems);
        mappings.extend(parsed.mappings);
        let parts = match parsed.content {
            Content::Faq(entries) => {
                faq_sheets.push(sheet.name.clone());
                faq.extend(entries);
                faq_places.records.extend(parsed.places.records);
                continue;
            }
            Content::Set(set) => vec![(set, parsed.places)],
            Content::Sets(parts) => parts,
        };
        quiz_sheets.push(sheet.name.clone());
        for (set, places) in parts {
            match sets.iter_mut().find(|(s, _)| s.set.id == set.set.id) {
                Some((existing, existing_places)) => {
                    existing.questions.extend(set.questions);
                    existing_places.records.extend(places.records);
                }
                None => sets.push((set, places)),
            }
        }
    }
    if !quiz_sheets.is_empty() && !faq_sheets.is_empty() {
        errors.push(Problem {
            file: name.to_string(),
            line: None,
            question: None,
            message: format!(
                "sheets {} hold quiz questions and sheets {} knowledge entries: import them as two files",
                quiz_sheets.join(", "),
                faq_sheets.join(", ")
            ),
        });
    }
    if !errors.is_empty() {
        errors.extend(problems);
        return Err(errors);
    }
    if !faq.is_empty() {
        return Ok(ParsedFile {
            content: Content::Faq(faq),
            places: faq_places,
            problems,
            mappings,
        });
    }
    if sets.len() == 1 {
        let (set, places) = sets.remove(0);
        return Ok(ParsedFile {
            content: Content::Set(set),
            places,
            problems,
            mappings,
        });
    }
    Ok(ParsedFile {
        content: Content::Sets(sets),
        places: Places {
            file: first_file,
            records: Vec::new(),
        },
        problems,
        mappings,
    })
}

/// One table: the header is looked for in its first rows; rows above it may name the
/// kind of what follows (`一、单项选择题`), and so may the sheet's name (`判断题`).
fn parse_table(
    name: &str,
    file: &str,
    sheet: Option<&str>,
    rows: &[Row],
) -> Result<ParsedFile, Vec<Problem>> {
    let problem = |line: Option<usize>, message: String| Problem {
        file: file.to_string(),
        line,
        question: None,
        message,
    };
    let Some((header_index, kind)) = find_header(rows) else {
        return Err(vec![problem(
            None,
            "no header row found: the first row should name the columns, e.g. 题型, 题干, 选项A, 答案, 解析, 出处 \
             (or 编号, 问题, 答案, 出处 for knowledge entries); run `stdquiz template` for a template"
                .into(),
        )]);
    };
    let header = &rows[header_index];
    let body = &rows[header_index + 1..];
    let (columns, mut mapping) = map_header(header, body, kind, &problem)?;
    mapping.file = name.to_string();
    mapping.sheet = sheet.map(str::to_string);
    let hint = rows[..header_index]
        .iter()
        .rev()
        .find_map(|row| row.cells.iter().find_map(|c| heading_kind(c)))
        .or_else(|| sheet.and_then(heading_kind));
    let in_sheet = sheet.map(|_| file);
    let mut parsed = match kind {
        TableKind::Quiz => quiz_records(name, file, &columns, body, hint, in_sheet),
        TableKind::Faq => faq_records(file, &columns, body, in_sheet),
    }?;
    parsed.mappings.push(mapping);
    Ok(parsed)
}

/// Reads a difficulty cell: 1-3, 易/中/难 (简单/中等/困难, easy/medium/hard) or stars.
/// `Ok(None)` for a blank cell; out-of-range numbers are left to the validator.
pub(super) fn parse_difficulty(cell: &str) -> Result<Option<i64>, String> {
    let folded = fold_width(cell).to_lowercase();
    if folded.is_empty() {
        return Ok(None);
    }
    if let Ok(number) = folded.parse::<f64>() {
        if number.fract() == 0.0 && number.abs() < 1e6 {
            return Ok(Some(number as i64));
        }
    }
    let level = match folded.as_str() {
        "易" | "简单" | "容易" | "低" | "easy" => 1,
        "中" | "中等" | "一般" | "适中" | "medium" | "normal" => 2,
        "难" | "困难" | "较难" | "高" | "hard" | "difficult" => 3,
        stars if stars.contains('★') && stars.chars().all(|c| c == '★' || c == '☆') => {
            stars.chars().filter(|&c| c == '★').count() as i64
        }
        _ => {
            return Err(format!(
                "difficulty `{}` is not 1, 2 or 3 (易/中/难)",
                cell.trim()
            ))
        }
    };
    Ok(Some(level))
}

/// Splits a `|`-separated list cell (tags, alternates, keywords).
fn split_list(cell: &str) -> Vec<String> {
    cell.split(['|', '｜'])
        .map(clean_cell)
        .filter(|s| !s.is_empty())
        .collect()
}

/// Column letter as Excel shows it: 0 -> A, 26 -> AA.
fn column_letter(mut index: usize) -> String {
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

fn find_header(rows: &[Row]) -> Option<(usize, TableKind)> {
    rows.iter()
        .enumerate()
        .filter(|(_, row)| row.cells.iter().any(|c| !clean_cell(c).is_empty()))
        .take(HEADER_SEARCH_ROWS)
        .find_map(|(index, row)| classify(&row.cells).map(|kind| (index, kind)))
}

/// Quiz when any header is quiz-only (题型, 题干, 选项, 解析, ...); knowledge base when
/// it names 问题 and nothing quiz-only.
fn classify(cells: &[String]) -> Option<TableKind> {
    let quiz: Vec<Option<Column>> = cells.iter().map(|c| column(c, TableKind::Quiz)).collect();
    let faq: Vec<Option<Column>> = cells.iter().map(|c| column(c, TableKind::Faq)).collect();
    let quiz_only = quiz
        .iter()
        .zip(&faq)
        .any(|(q, f)| q.is_some_and(|q| q != Column::Ignored) && f.is_none());
    let known = |columns: &[Option<Column>]| {
        columns
            .iter()
            .filter(|c| c.is_some_and(|c| c != Column::Ignored))
            .count()
    };
    if !quiz_only && faq.contains(&Some(Column::Question)) && known(&faq) >= 2 {
        return Some(TableKind::Faq);
    }
    if quiz.contains(&Some(Column::Prompt)) && known(&quiz) >= 2 {
        return Some(TableKind::Quiz);
    }
    None
}

/// Column index of each header cell, and the mapping shown by a dry run. Unknown
/// columns are ignored (and listed); duplicate and missing required columns are problems.
fn map_header(
    header: &Row,
    body: &[Row],
    kind: TableKind,
    problem: &dyn Fn(Option<usize>, String) -> Problem,
) -> Result<(HashMap<Column, usize>, ColumnMapping), Vec<Problem>> {
    let mut problems = Vec::new();
    let mut columns: HashMap<Column, usize> = HashMap::new();
    let mut mapping = ColumnMapping::default();
    let width = body
        .iter()
        .map(|r| r.cells.len())
        .max()
        .unwrap_or(0)
        .max(header.cells.len());
    for index in 0..width {
        let text = clean_cell(header.cells.get(index).map_or("", String::as_str));
        let place = column_letter(index);
        if text.is_empty() {
            if let Some(row) = body.iter().find(|r| {
                r.cells
                    .get(index)
                    .is_some_and(|c| !clean_cell(c).is_empty())
            }) {
                problems.push(problem(
                    Some(row.number),
                    format!("column {place} has a value but no header"),
                ));
            }
            continue;
        }
        match column(&text, kind) {
            None | Some(Column::Ignored) => mapping.ignored.push(text),
            Some(col) => {
                if let Some(first) = columns.insert(col, index) {
                    problems.push(problem(
                        Some(header.number),
                        format!(
                            "column `{text}` (column {place}) repeats column {}",
                            column_letter(first)
                        ),
                    ));
                }
                mapping.understood.push((text, col.label()));
            }
        }
    }
    let required: &[(Column, &str)] = match kind {
        TableKind::Quiz => &[
            (Column::Prompt, "题干"),
            (Column::Answer, "答案"),
            (Column::Explanation, "解析"),
        ],
        TableKind::Faq => &[
            (Column::Id, "编号"),
            (Column::Question, "问题"),
            (Column::Answer, "答案"),
            (Column::Source, "出处"),
        ],
    };
    let read = mapping.describe();
    for (col, label) in required {
        if !columns.contains_key(col) {
            problems.push(problem(
                Some(header.number),
                format!("missing required column {label} (header read as: {read})"),
            ));
        }
    }
    if problems.is_empty() {
        Ok((columns, mapping))
    } else {
        Err(problems)
    }
}

/// The column a header names, if any: as written (`选项（A）`, `选项B（英文）`), else
/// without its bracketed notes (`正确答案（多选用逗号隔开）`).
fn column(text: &str, kind: TableKind) -> Option<Column> {
    static NOTE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"[（(\[【][^）)\]】]*[）)\]】]").expect("valid regex")
    });
    if let Some(col) = named_column(text, kind) {
        return Some(col);
    }
    let without_note = NOTE.replace_all(text, "");
    if without_note.trim().is_empty() {
        return None;
    }
    named_column(&without_note, kind)
}

fn named_column(text: &str, kind: TableKind) -> Option<Column> {
    let mut folded: String = fold_width(text)
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace() && !"_-*·.:：()（）[]【】<>《》\"'".contains(*c))
        .collect();
    for note in ["必填", "选填", "可选", "optional", "required"] {
        folded = folded.replace(note, "");
    }
    if let Some(col) = base_column(&folded, kind) {
        return Some(col);
    }
    let base = folded
        .strip_suffix("english")
        .or_else(|| folded.strip_suffix("英文"))
        .or_else(|| folded.strip_suffix("en"))
        .or_else(|| folded.strip_prefix("英文"))?;
    match base_column(base, kind)? {
        Column::Prompt => Some(Column::PromptEn),
        Column::Option(i) => Some(Column::OptionEn(i)),
        Column::Explanation => Some(Column::ExplanationEn),
        Column::Topic if kind == TableKind::Quiz => Some(Column::TopicEn),
        Column::SetTitle => Some(Column::SetTitleEn),
        Column::Question => Some(Column::QuestionEn),
        Column::Answer if kind == TableKind::Faq => Some(Column::AnswerEn),
        _ => None,
    }
}

fn base_column(base: &str, kind: TableKind) -> Option<Column> {
    let shared = match base {
        "编号" | "id" => Some(Column::Id),
        "知识点" | "考点" | "分类" | "章节" | "所属章节" | "知识点名称" | "题目分类"
        | "试题分类" | "所属分类" | "topic" | "category" | "chapter" => Some(Column::Topic),
        "出处" | "来源" | "依据" | "参考依据" | "出题依据" | "题目来源" | "试题来源" | "source"
        | "reference" => Some(Column::Source),
        "序号" | "题号" | "备注" | "分值" | "分数" | "得分" | "no" | "note" | "notes"
        | "remark" | "remarks" | "score" | "points" => Some(Column::Ignored),
        _ => None,
    };
    if shared.is_some() {
        return shared;
    }
    if kind == TableKind::Faq {
        return match base {
            "问题" | "标准问题" | "标准问法" | "question" => Some(Column::Question),
            "相似问法" | "相似问题" | "相似问" | "同义问法" | "alternates" | "alternate"
            | "similar" => Some(Column::Alternates),
            "答案" | "回答" | "answer" => Some(Column::Answer),
            "关键词" | "关键字" | "keywords" | "keyword" => Some(Column::Keywords),
            _ => None,
        };
    }
    let col = match base {
        "题集" | "题库" | "set" | "setid" => Column::Set,
        "题集名称" | "题集标题" | "题库名称" | "settitle" | "setname" => {
            Column::SetTitle
        }
        "题目编号" | "试题编号" | "questionid" => Column::Id,
        "题型" | "类型" | "题目类型" | "试题类型" | "题型名称" | "kind" | "type"
        | "questiontype" => Column::Kind,
        "题干" | "题目" | "试题" | "问题" | "题目内容" | "试题内容" | "题目名称" | "试题题干"
        | "题目题干" | "question" | "prompt" | "stem" => Column::Prompt,
        "答案" | "正确答案" | "标准答案" | "参考答案" | "answer" | "correctanswer" | "key" => {
            Column::Answer
        }
        "解析" | "答案解析" | "试题解析" | "题目解析" | "解答" | "答案说明" | "explanation"
        | "analysis" => Column::Explanation,
        "难度" | "难易度" | "难易程度" | "difficulty" | "level" => Column::Difficulty,
        "标签" | "tags" | "tag" => Column::Tags,
        _ => return option_column(base),
    };
    Some(col)
}

/// `选项a`, `a选项`, `optiona` or a bare `a` (A..H).
fn option_column(base: &str) -> Option<Column> {
    let letter = base
        .strip_prefix("选项")
        .or_else(|| base.strip_prefix("option"))
        .or_else(|| base.strip_suffix("选项"))
        .unwrap_or(base);
    let mut chars = letter.chars();
    match (chars.next(), chars.next()) {
        (Some(c @ 'a'..='h'), None) => Some(Column::Option(c as usize - 'a' as usize)),
        _ => None,
    }
}

/// Reads cells of one row by column.
struct Cells<'a> {
    row: &'a Row,
    columns: &'a HashMap<Column, usize>,
}

impl Cells<'_> {
    /// The trimmed cell, with Windows line breaks made `\n`.
    fn text(&self, col: Column) -> String {
        let Some(&index) = self.columns.get(&col) else {
            return String::new();
        };
        let cell = self.row.cells.get(index).map(String::as_str).unwrap_or("");
        clean_cell(&cell.replace("\r\n", "\n"))
    }

    fn optional(&self, col: Column) -> Option<String> {
        Some(self.text(col)).filter(|t| !t.is_empty())
    }

    /// Option cells A.. up to the last non-blank one.
    fn options(&self, english: bool) -> Vec<String> {
        let mut options: Vec<String> = (0..MAX_OPTIONS)
            .map(|i| {
                self.text(if english {
                    Column::OptionEn(i)
                } else {
                    Column::Option(i)
                })
            })
            .collect();
        while options.last().is_some_and(String::is_empty) {
            options.pop();
        }
        options
    }
}

/// A row that holds only a heading naming a kind (`二、多项选择题（每题2分）`).
fn section_row(row: &Row) -> Option<Kind> {
    let mut filled = row.cells.iter().filter(|c| !clean_cell(c).is_empty());
    let only = filled.next()?;
    if filled.next().is_some() {
        return None;
    }
    heading_kind(only)
}

/// A 1-5 difficulty (as some platforms grade) on the 1-3 scale: 1-2 easy, 3 medium, 4-5 hard.
fn from_five_point(level: i64) -> i64 {
    match level {
        1 | 2 => 1,
        3 => 2,
        4 | 5 => 3,
        other => other,
    }
}

fn is_blank(row: &Row) -> bool {
    row.cells.iter().all(|c| clean_cell(c).is_empty())
}

/// One set being gathered from the rows that name it.
struct SetPart {
    id: String,
    from_name: bool,
    title: Option<String>,
    title_en: Option<String>,
    /// (topic, English topic) of each row, for the set header.
    topics: Vec<(Option<String>, Option<String>)>,
    records: Vec<QuestionRecord>,
    places: Vec<RecordPlace>,
}

/// Quiz rows to records. `hint` is the kind named above the header or by the sheet;
/// a row holding only a heading such as `二、多选题` names the kind of the rows below.
/// A blank 题型 (or none at all) takes that kind, else is inferred from the options and
/// the answer. `in_sheet` names the sheet of every record, for sets merged from sheets.
fn quiz_records(
    name: &str,
    file: &str,
    columns: &HashMap<Column, usize>,
    body: &[Row],
    hint: Option<Kind>,
    in_sheet: Option<&str>,
) -> Result<ParsedFile, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut parts: Vec<SetPart> = Vec::new();
    let mut set_above: Option<String> = None;
    let mut topic_above: (Option<String>, Option<String>) = (None, None);
    let mut section = hint;
    let five_point = body.iter().any(|row| {
        let cells = Cells { row, columns };
        matches!(
            parse_difficulty(&cells.text(Column::Difficulty)),
            Ok(Some(4 | 5))
        )
    });
    for row in body.iter().filter(|r| !is_blank(r)) {
        if let Some(kind) = section_row(row) {
            section = Some(kind);
            continue;
        }
        let cells = Cells { row, columns };
        let set_cell = cells.optional(Column::Set).or_else(|| set_above.clone());
        set_above.clone_from(&set_cell);
        let topic = match cells.optional(Column::Topic) {
            Some(topic) => (Some(topic), cells.optional(Column::TopicEn)),
            None => (
                topic_above.0.clone(),
                cells
                    .optional(Column::TopicEn)
                    .or_else(|| topic_above.1.clone()),
            ),
        };
        topic_above.clone_from(&topic);
        let difficulty = match parse_difficulty(&cells.text(Column::Difficulty)) {
            Ok(difficulty) if five_point => difficulty.map(from_five_point),
            Ok(difficulty) => difficulty,
            Err(message) => {
                problems.push(Problem {
                    file: file.to_string(),
                    line: Some(row.number),
                    question: cells.optional(Column::Id),
                    message,
                });
                None
            }
        };
        let options_en = cells.options(true);
        let options = cells.options(false);
        let answer = cells.optional(Column::Answer);
        let kind = cells.optional(Column::Kind).or_else(|| {
            let kind =
                section.unwrap_or_else(|| infer_kind(&options, answer.as_deref().unwrap_or("")));
            Some(kind.as_str().to_string())
        });
        let record = QuestionRecord {
            id: cells.optional(Column::Id),
            kind,
            topic: topic.0.clone(),
            difficulty,
            prompt: cells.optional(Column::Prompt),
            options,
            answer: answer.map(AnswerField::Text),
            explanation: cells.optional(Column::Explanation),
            source: cells.optional(Column::Source),
            prompt_en: cells.optional(Column::PromptEn),
            options_en: (!options_en.is_empty()).then_some(options_en),
            explanation_en: cells.optional(Column::ExplanationEn),
            tags: split_list(&cells.text(Column::Tags)),
            ..Default::default()
        };
        let (id, from_name) = match set_cell {
            Some(id) => (id, false),
            None => (set_id_from_name(name), true),
        };
        let index = match parts.iter().position(|p| p.id == id) {
            Some(index) => index,
            None => {
                parts.push(SetPart {
                    id,
                    from_name,
                    title: None,
                    title_en: None,
                    topics: Vec::new(),
                    records: Vec::new(),
                    places: Vec::new(),
                });
                parts.len() - 1
            }
        };
        let part = &mut parts[index];
        part.title = part
            .title
            .take()
            .or_else(|| cells.optional(Column::SetTitle));
        part.title_en = part
            .title_en
            .take()
            .or_else(|| cells.optional(Column::SetTitleEn));
        part.topics.push(topic);
        part.records.push(record);
        part.places.push(RecordPlace {
            line: Some(row.number),
            file: in_sheet.map(str::to_string),
            ..Default::default()
        });
    }
    if parts.is_empty() {
        return Err(vec![Problem {
            file: file.to_string(),
            line: None,
            question: None,
            message: "the table has a header but no question rows".into(),
        }]);
    }
    let sets: Vec<(SetFile, Places)> = parts
        .into_iter()
        .map(|part| set_file(name, file, part))
        .collect();
    let places = Places {
        file: file.to_string(),
        records: Vec::new(),
    };
    let content = match <[_; 1]>::try_from(sets) {
        Ok([(set, places)]) => {
            return Ok(ParsedFile {
                content: Content::Set(set),
                places,
                problems,
                mappings: Vec::new(),
            })
        }
        Err(sets) => Content::Sets(sets),
    };
    Ok(ParsedFile {
        content,
        places,
        problems,
        mappings: Vec::new(),
    })
}

/// The set header: the title from 题集名称 (else the file stem or the set id), and the
/// topic of the first row that names an English topic (else of the first row).
fn set_file(name: &str, file: &str, part: SetPart) -> (SetFile, Places) {
    let (topic, topic_en) = part
        .topics
        .iter()
        .find(|(topic, en)| topic.is_some() && en.is_some())
        .or_else(|| part.topics.first())
        .cloned()
        .unwrap_or_default();
    let title = part.title.unwrap_or_else(|| {
        if part.from_name {
            file_stem(name)
        } else {
            part.id.clone()
        }
    });
    let header = SetHeader {
        id: part.id,
        title,
        title_en: part.title_en,
        topic,
        topic_en,
    };
    let places = Places {
        file: file.to_string(),
        records: part.places,
    };
    (
        SetFile {
            set: header,
            questions: part.records,
        },
        places,
    )
}

fn faq_records(
    file: &str,
    columns: &HashMap<Column, usize>,
    body: &[Row],
    in_sheet: Option<&str>,
) -> Result<ParsedFile, Vec<Problem>> {
    let mut entries = Vec::new();
    let mut places = Places {
        file: file.to_string(),
        records: Vec::new(),
    };
    let mut topic_above: Option<String> = None;
    for row in body.iter().filter(|r| !is_blank(r)) {
        let cells = Cells { row, columns };
        let topic = cells
            .optional(Column::Topic)
            .or_else(|| topic_above.clone());
        topic_above.clone_from(&topic);
        entries.push(FaqRecord {
            id: cells.optional(Column::Id),
            topic,
            question: cells.text(Column::Question),
            alternates: split_list(&cells.text(Column::Alternates)),
            answer: cells.text(Column::Answer),
            keywords: split_list(&cells.text(Column::Keywords)),
            source: cells.text(Column::Source),
            question_en: cells.optional(Column::QuestionEn),
            answer_en: cells.optional(Column::AnswerEn),
            line: Some(row.number),
        });
        places.records.push(RecordPlace {
            line: Some(row.number),
            file: in_sheet.map(str::to_string),
            ..Default::default()
        });
    }
    if entries.is_empty() {
        return Err(vec![Problem {
            file: file.to_string(),
            line: None,
            question: None,
            message: "the table has a header but no entry rows".into(),
        }]);
    }
    Ok(ParsedFile {
        content: Content::Faq(entries),
        places,
        problems: Vec::new(),
        mappings: Vec::new(),
    })
}

// ---------------------------------------------------------------- writing

/// The header written by templates and exports (every column the reader knows).
fn quiz_header() -> Vec<String> {
    let mut header: Vec<String> = ["编号", "题型", "题干"].map(String::from).to_vec();
    header.extend((0..MAX_OPTIONS).map(|i| format!("选项{}", letter(i))));
    header.extend(
        [
            "答案",
            "解析",
            "知识点",
            "难度",
            "出处",
            "标签",
            "题集",
            "题集名称",
            "题干_en",
        ]
        .map(String::from),
    );
    header.extend((0..MAX_OPTIONS).map(|i| format!("选项{}_en", letter(i))));
    header.extend(["解析_en", "知识点_en", "题集名称_en"].map(String::from));
    header
}

fn letter(index: usize) -> char {
    (b'A' + index as u8) as char
}

fn set_rows(sets: &[SetFile]) -> Result<Vec<Vec<String>>, String> {
    let mut rows = vec![quiz_header()];
    for set in sets {
        for record in &set.questions {
            rows.push(quiz_row(&set.set, record, true)?);
        }
    }
    Ok(rows)
}

/// One question as a row of [`quiz_header`]; `with_set` fills 题集 and 题集名称.
fn quiz_row(
    set: &SetHeader,
    record: &QuestionRecord,
    with_set: bool,
) -> Result<Vec<String>, String> {
    let id = record.id.clone().unwrap_or_default();
    let too_many = |n: usize| {
        format!("question {id}: {n} options; a spreadsheet row holds at most {MAX_OPTIONS}")
    };
    if record.options.len() > MAX_OPTIONS {
        return Err(too_many(record.options.len()));
    }
    let options_en = record.options_en.clone().unwrap_or_default();
    if options_en.len() > MAX_OPTIONS {
        return Err(too_many(options_en.len()));
    }
    let kind = record.kind.as_deref().and_then(Kind::parse);
    let topic = record
        .topic
        .clone()
        .or_else(|| set.topic.clone())
        .unwrap_or_default();
    let topic_en = if Some(&topic) == set.topic.as_ref() {
        set.topic_en.clone().unwrap_or_default()
    } else {
        String::new()
    };
    let cell = |value: &Option<String>| value.clone().unwrap_or_default();
    let mut row = vec![
        id.clone(),
        kind.map_or_else(|| cell(&record.kind), |k| k.label_zh().to_string()),
        cell(&record.prompt),
    ];
    row.extend((0..MAX_OPTIONS).map(|i| record.options.get(i).cloned().unwrap_or_default()));
    row.extend([
        answer_cell(&id, kind, record)?,
        cell(&record.explanation),
        topic,
        record.difficulty.map(|d| d.to_string()).unwrap_or_default(),
        cell(&record.source),
        record.tags.join("|"),
        if with_set {
            set.id.clone()
        } else {
            String::new()
        },
        if with_set {
            set.title.clone()
        } else {
            String::new()
        },
        cell(&record.prompt_en),
    ]);
    row.extend((0..MAX_OPTIONS).map(|i| options_en.get(i).cloned().unwrap_or_default()));
    row.extend([
        cell(&record.explanation_en),
        topic_en,
        if with_set {
            cell(&set.title_en)
        } else {
            String::new()
        },
    ]);
    Ok(row)
}

/// The 答案 cell: letters for choice, 正确/错误 for judge, and for fill the accepted
/// answers then the patterns, `a|b|re:pattern` (a pattern runs to the next `|re:`).
fn answer_cell(id: &str, kind: Option<Kind>, record: &QuestionRecord) -> Result<String, String> {
    let answer = record
        .answer
        .as_ref()
        .map(AnswerField::as_text)
        .unwrap_or_default();
    match kind {
        Some(Kind::Judge) => Ok(match parse_judge(&answer) {
            Some(true) => "正确".to_string(),
            Some(false) => "错误".to_string(),
            None => answer,
        }),
        Some(Kind::Fill) => {
            let mut parts: Vec<String> = Vec::new();
            if !answer.trim().is_empty() {
                parts.push(answer.trim().to_string());
            }
            for accepted in &record.accepted {
                if accepted.contains(['|', '｜']) || accepted.trim_start().starts_with("re:") {
                    return Err(format!("question {id}: accepted answer `{accepted}` cannot be written in a 答案 cell (it holds `|` or starts with `re:`)"));
                }
                parts.push(accepted.clone());
            }
            parts.extend(record.patterns.iter().map(|p| format!("re:{p}")));
            Ok(parts.join("|"))
        }
        _ => Ok(answer),
    }
}

fn quiz_template() -> Vec<Vec<String>> {
    let set = SetHeader::default();
    let text = |s: &str| Some(s.to_string());
    let list = |items: &[&str]| items.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let law = "《中华人民共和国标准化法》（2017年修订）";
    let examples = [
        QuestionRecord {
            kind: text("单选"),
            topic: text("标准化法"),
            difficulty: Some(1),
            prompt: text("现行《中华人民共和国标准化法》自何时起施行？"),
            options: list(&["1989年4月1日", "2017年11月4日", "2018年1月1日", "2019年10月1日"]),
            answer: Some(AnswerField::Text("C".into())),
            explanation: text("现行《标准化法》于2017年11月4日修订通过，自2018年1月1日起施行；1989年4月1日是原《标准化法》的施行日期。"),
            source: Some(format!("{law}第四十五条")),
            prompt_en: text("When did the current Standardization Law of the PRC take effect?"),
            options_en: Some(list(&["1 April 1989", "4 November 2017", "1 January 2018", "1 October 2019"])),
            explanation_en: text("The revised law was adopted on 4 November 2017 and took effect on 1 January 2018; 1 April 1989 is when the original law took effect."),
            tags: list(&["日期"]),
            ..Default::default()
        },
        QuestionRecord {
            kind: text("多选"),
            topic: text("标准化法"),
            difficulty: Some(2),
            prompt: text("根据《标准化法》第二条，下列属于我国标准种类的有哪些？"),
            options: list(&["国家标准", "团体标准", "企业标准", "部门标准"]),
            answer: Some(AnswerField::Text("ABC".into())),
            explanation: text("《标准化法》第二条把标准分为国家标准、行业标准、地方标准、团体标准和企业标准五类，没有“部门标准”。"),
            source: Some(format!("{law}第二条")),
            tags: list(&["标准种类"]),
            ..Default::default()
        },
        QuestionRecord {
            kind: text("判断"),
            topic: text("标准化法"),
            difficulty: Some(2),
            prompt: text("行业标准和地方标准都是推荐性标准。"),
            answer: Some(AnswerField::Text("正确".into())),
            explanation: text("《标准化法》第二条：国家标准分为强制性标准、推荐性标准，行业标准、地方标准是推荐性标准。只有国家标准可以是强制性的。"),
            source: Some(format!("{law}第二条")),
            tags: list(&["强制性标准", "推荐性标准"]),
            ..Default::default()
        },
        QuestionRecord {
            kind: text("填空"),
            topic: text("世界标准日"),
            difficulty: Some(1),
            prompt: text("世界标准日是每年的____。"),
            answer: Some(AnswerField::Text("10月14日|十月十四日|re:^(10|十)月(14|十四)[日号]?$".into())),
            explanation: text("世界标准日是每年10月14日，纪念1946年10月14日25国代表在伦敦聚会、决定成立国际标准化组织（ISO）。"),
            source: text("ISO、IEC、ITU世界标准日资料"),
            prompt_en: text("World Standards Day falls on ____ every year."),
            explanation_en: text("World Standards Day is 14 October, commemorating the London meeting of delegates from 25 countries on 14 October 1946 that decided to create ISO."),
            tags: list(&["日期"]),
            ..Default::default()
        },
    ];
    let mut rows = vec![quiz_header()];
    rows.extend(
        examples
            .iter()
            .map(|record| quiz_row(&set, record, false).expect("the template examples fit a row")),
    );
    rows
}

fn faq_template() -> Vec<Vec<String>> {
    let header = [
        "编号",
        "知识点",
        "问题",
        "相似问法",
        "答案",
        "关键词",
        "出处",
        "问题_en",
        "答案_en",
    ];
    let rows = [
        [
            "faq-example-001",
            "世界标准日",
            "世界标准日是哪一天？",
            "标准日是几月几号|10月14日是什么节日",
            "世界标准日是每年的10月14日，纪念1946年10月14日25个国家的代表在伦敦聚会、决定成立国际标准化组织（ISO）。不要与5月20日的世界计量日混淆。",
            "世界标准日|10月14日|ISO",
            "ISO、IEC、ITU世界标准日资料",
            "When is World Standards Day?",
            "World Standards Day is on 14 October every year. It commemorates 14 October 1946, when delegates from 25 countries met in London and decided to create ISO. Do not confuse it with World Metrology Day on 20 May.",
        ],
        [
            "faq-example-002",
            "标准化法",
            "我国的标准分为哪几类？",
            "标准有哪几种|标准化法 标准分类",
            "《标准化法》第二条把标准分为五类：国家标准、行业标准、地方标准、团体标准和企业标准。国家标准分为强制性标准和推荐性标准，行业标准和地方标准是推荐性标准。",
            "标准分类|五类|强制性标准|推荐性标准",
            "《中华人民共和国标准化法》（2017年修订）第二条",
            "What kinds of standards does Chinese law define?",
            "Article 2 of the Standardization Law defines five kinds: national, industry, local, association and enterprise standards. National standards are mandatory or recommended; industry and local standards are recommended.",
        ],
    ];
    let mut table = vec![header.map(String::from).to_vec()];
    table.extend(rows.iter().map(|row| row.map(String::from).to_vec()));
    table
}
