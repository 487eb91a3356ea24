//! The plain text that Chinese exam platforms copy out (.txt, .md): numbered stems,
//! lettered options, then labelled 答案 / 解析 / 出处 / 知识点 / 难度 lines.
//!
//! ```text
//! 一、单项选择题                       <- optional section: sets the kind of what follows
//! 1. 现行《标准化法》自何时起施行？     <- also 1、 1． （1） 第1题, or 【单选题】 without a number
//! A. 1989年4月1日  B. 2018年1月1日     <- one or several options per line: A. A、 A． A: （A）
//! 答案：B                              <- also 【答案】 正确答案： 参考答案：
//! 解析：……                             <- also 【解析】 答案解析：; unlabelled lines after 答案 join it
//! 出处：……  知识点：……  难度：易        <- also 来源： 考点： 【出处】
//! ```
//!
//! The kind: a tag in the stem (`[单选]`, `（多选题）`) or a 题型： line, else the section
//! heading, else inferred: options with one answer letter -> single, several -> multi,
//! options 正确/错误 or an answer 对/错/正确/错误/√/× without options -> judge, else fill.
//! The set id and title come from the file stem.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use super::table::parse_difficulty;
use super::{
    file_stem, heading_kind, infer_kind, set_id_from_name, Content, ParsedFile, Places, RecordPlace,
};
use crate::bank::limits::{self, LimitError};
use crate::bank::record::{AnswerField, Problem, QuestionRecord, SetFile, SetHeader};
use crate::bank::Kind;
use crate::text::fold_width;

static QUESTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:第\s*(\d+)\s*题\s*[.、．:：]?|[（(]\s*(\d+)\s*[）)]|(\d+)\s*[.、．:：)）])\s*(.*)$",
    )
    .expect("valid regex")
});
static KIND_TAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[\[【(（]\s*([^\]】)）\s]{1,8})\s*[\]】)）]").expect("valid regex")
});
static SECTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[一二三四五六七八九十]+\s*[、.．]\s*([^（(，,\s]+)").expect("valid regex")
});
static OPTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|\s)(?:[（(]\s*([A-HＡ-Ｈ])\s*[）)]|([A-HＡ-Ｈ])\s*[.、．:：)）])\s*")
        .expect("valid regex")
});
const LABELS: &str = "正确答案|参考答案|标准答案|答案解析|试题解析|答案|解析|解答|分析|出处|来源|依据|知识点|考点|难度|题型|answer|explanation|analysis|source|topic|difficulty|kind";
static LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)^(?:【\s*({LABELS})\s*】\s*[:：]?|({LABELS})\s*[:：])\s*"
    ))
    .expect("valid regex")
});
static INLINE_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)(?:【\s*(?:{LABELS})\s*】|\s(?:{LABELS})\s*[:：])"
    ))
    .expect("valid regex")
});

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Dotted,
    Bracketed,
    Ordinal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Prompt,
    Option,
    Answer,
    Explanation,
    Source,
    Topic,
    Other,
}

/// A question being read, with the line of each part.
#[derive(Debug, Default)]
struct Draft {
    line: usize,
    number: Option<usize>,
    /// From a tag in the stem or a 题型 line.
    explicit_kind: Option<Kind>,
    section_kind: Option<Kind>,
    prompt: Vec<String>,
    options: Vec<(usize, String)>,
    answer: Option<String>,
    explanation: Vec<String>,
    source: Option<String>,
    topic: Option<String>,
    difficulty: Option<i64>,
    fields: HashMap<String, usize>,
    open: Option<Field>,
}

pub(super) fn parse(name: &str, text: &str) -> Result<ParsedFile, Vec<Problem>> {
    let mut reader = Reader {
        name,
        problems: Vec::new(),
        drafts: Vec::new(),
        current: None,
        style: None,
        section_kind: None,
    };
    for (index, raw) in text.lines().enumerate() {
        reader.line(index + 1, raw);
        let read = reader.drafts.len() + usize::from(reader.current.is_some());
        if read > limits::MAX_QUESTIONS {
            return Err(vec![Problem {
                file: name.to_string(),
                line: Some(index + 1),
                question: None,
                message: LimitError::Questions.to_string(),
            }]);
        }
    }
    reader.finish_question();
    let Reader {
        problems, drafts, ..
    } = reader;
    if drafts.is_empty() {
        return Err(vec![Problem {
            file: name.to_string(),
            line: None,
            question: None,
            message: "no numbered questions found: write each question as `1. 题干`, options as `A. ...`, then `答案：`".into(),
        }]);
    }
    let header = SetHeader {
        id: set_id_from_name(name),
        title: file_stem(name),
        ..Default::default()
    };
    let mut places = Places {
        file: name.to_string(),
        records: Vec::new(),
    };
    let mut questions = Vec::new();
    for draft in drafts {
        places.records.push(RecordPlace {
            line: Some(draft.line),
            fields: draft.fields.clone(),
            file: None,
        });
        questions.push(draft.into_record());
    }
    Ok(ParsedFile {
        content: Content::Set(SetFile {
            set: header,
            questions,
        }),
        places,
        problems,
        mappings: Vec::new(),
    })
}

struct Reader<'a> {
    name: &'a str,
    problems: Vec<Problem>,
    drafts: Vec<Draft>,
    current: Option<Draft>,
    style: Option<Style>,
    section_kind: Option<Kind>,
}

impl Reader<'_> {
    fn line(&mut self, number: usize, raw: &str) {
        let (text, heading) = strip_markdown(raw);
        if text.is_empty() {
            return;
        }
        let section = SECTION
            .captures(&text)
            .and_then(|c| Kind::parse(&c[1]))
            .or_else(|| heading.then(|| heading_kind(&text)).flatten());
        if let Some(kind) = section {
            self.finish_question();
            self.section_kind = Some(kind);
            return;
        }
        if self.try_question(number, &text) {
            return;
        }
        if heading || self.current.is_none() {
            // A title or a preamble line before the first question.
            return;
        }
        if self.try_label(number, &text) || self.try_options(number, &text) {
            return;
        }
        self.continue_text(number, &text);
    }

    /// Starts a question at a numbered line, or at a line that opens with a kind tag.
    fn try_question(&mut self, line: usize, text: &str) -> bool {
        let (tag, rest) = match leading_kind_tag(text) {
            Some((kind, rest)) => (Some(kind), rest),
            None => (None, text),
        };
        let numbered = QUESTION.captures(rest).and_then(|c| {
            let (style, digits) = match (c.get(1), c.get(2), c.get(3)) {
                (Some(d), _, _) => (Style::Ordinal, d.as_str()),
                (_, Some(d), _) => (Style::Bracketed, d.as_str()),
                (_, _, Some(d)) => (Style::Dotted, d.as_str()),
                _ => return None,
            };
            Some((
                style,
                digits.parse::<usize>().ok()?,
                c.get(4).map_or("", |m| m.as_str()).to_string(),
            ))
        });
        let (number, stem) = match numbered {
            Some((style, number, stem)) if tag.is_some() || self.starts_question(style, number) => {
                self.style.get_or_insert(style);
                (Some(number), stem)
            }
            _ if tag.is_some() => (None, rest.to_string()),
            _ => return false,
        };
        self.finish_question();
        let (tag_in_stem, stem) = match tag {
            Some(kind) => (Some(kind), stem),
            None => take_kind_tag(&stem),
        };
        let mut draft = Draft {
            line,
            number,
            explicit_kind: tag_in_stem,
            section_kind: self.section_kind,
            open: Some(Field::Prompt),
            ..Default::default()
        };
        draft.fields.insert("prompt".into(), line);
        draft.fields.insert("kind".into(), line);
        if !stem.is_empty() {
            draft.prompt.push(stem);
        }
        self.current = Some(draft);
        true
    }

    /// Whether a numbered line opens a new question rather than continuing the current
    /// one (an explanation may enumerate points `1.` `2.` too).
    fn starts_question(&self, style: Style, number: usize) -> bool {
        if self.style.is_some_and(|s| s != style) {
            return false;
        }
        // After a section heading numbering may restart: there is no current question then.
        let Some(current) = &self.current else {
            return true;
        };
        let previous = current.number.unwrap_or(0);
        if number == previous + 1 {
            return true;
        }
        if current.answer.is_none() {
            return false;
        }
        match current.open {
            Some(Field::Explanation) => number > previous,
            _ => true,
        }
    }

    fn try_label(&mut self, line: usize, text: &str) -> bool {
        let Some(found) = LABEL.captures(text) else {
            return false;
        };
        let label = found
            .get(1)
            .or_else(|| found.get(2))
            .map_or("", |m| m.as_str())
            .to_lowercase();
        let rest = &text[found.get(0).map_or(0, |m| m.end())..];
        // Several labels on one line: 答案：B 解析：……
        let (value, more) = match INLINE_LABEL.find(rest) {
            Some(m) => (rest[..m.start()].trim(), Some(rest[m.start()..].trim())),
            None => (rest.trim(), None),
        };
        self.set_label(line, &label, value);
        if let Some(more) = more {
            if !self.try_label(line, more) {
                self.continue_text(line, more);
            }
        }
        true
    }

    fn set_label(&mut self, line: usize, label: &str, value: &str) {
        let name = self.name.to_string();
        let Some(draft) = self.current.as_mut() else {
            return;
        };
        let problem = |message: String| Problem {
            file: name.clone(),
            line: Some(line),
            question: None,
            message,
        };
        let value = value.to_string();
        match label {
            "正确答案" | "参考答案" | "标准答案" | "答案" | "answer" => {
                if draft.answer.is_some() {
                    self.problems.push(problem(format!(
                        "a second answer line for the question at line {}",
                        draft.line
                    )));
                    return;
                }
                draft.set_answer(line, &value);
                draft.open = Some(Field::Answer);
            }
            "答案解析" | "试题解析" | "解析" | "解答" | "分析" | "explanation" | "analysis" =>
            {
                draft.explanation.push(value);
                draft.fields.entry("explanation".into()).or_insert(line);
                draft.open = Some(Field::Explanation);
            }
            "出处" | "来源" | "依据" | "source" => {
                draft.source = Some(value);
                draft.fields.insert("source".into(), line);
                draft.open = Some(Field::Source);
            }
            "知识点" | "考点" | "topic" => {
                draft.topic = Some(value);
                draft.fields.insert("topic".into(), line);
                draft.open = Some(Field::Topic);
            }
            "难度" | "difficulty" => {
                match parse_difficulty(&value) {
                    Ok(difficulty) => draft.difficulty = difficulty,
                    Err(message) => self.problems.push(problem(message)),
                }
                draft.fields.insert("difficulty".into(), line);
                draft.open = Some(Field::Other);
            }
            _ => {
                match Kind::parse(&value) {
                    Some(kind) => draft.explicit_kind = Some(kind),
                    None => self.problems.push(problem(format!(
                        "unknown kind `{value}` (use 单选, 多选, 判断 or 填空)"
                    ))),
                }
                draft.fields.insert("kind".into(), line);
                draft.open = Some(Field::Other);
            }
        }
    }

    /// Option lines: `A. 甲`, or several on one line `A. 甲  B. 乙  C. 丙`.
    fn try_options(&mut self, line: usize, text: &str) -> bool {
        let name = self.name;
        let Some(draft) = self.current.as_mut() else {
            return false;
        };
        if draft.answer.is_some() || OPTION.find(text).is_none_or(|m| m.start() != 0) {
            return false;
        }
        // The answer may follow the last option on its line: `D. 丁  答案：B`.
        let (text, label) = match INLINE_LABEL.find(text) {
            Some(m) => (&text[..m.start()], Some(text[m.start()..].trim())),
            None => (text, None),
        };
        let mut starts: Vec<(usize, usize, usize)> = Vec::new();
        for captures in OPTION.captures_iter(text) {
            let (Some(whole), Some(letter)) =
                (captures.get(0), captures.get(1).or_else(|| captures.get(2)))
            else {
                continue;
            };
            let index = option_index(letter.as_str());
            if starts.last().is_none_or(|&(last, _, _)| index == last + 1) {
                starts.push((index, whole.start(), whole.end()));
            }
        }
        for (i, &(index, _, body_start)) in starts.iter().enumerate() {
            let end = starts
                .get(i + 1)
                .map_or(text.len(), |&(_, next_start, _)| next_start);
            let option = text[body_start..end].trim().to_string();
            if draft.options.iter().any(|(existing, _)| *existing == index) {
                self.problems.push(Problem {
                    file: name.to_string(),
                    line: Some(line),
                    question: None,
                    message: format!("option {} appears twice", (b'A' + index as u8) as char),
                });
                continue;
            }
            draft.options.push((index, option));
        }
        draft.fields.entry("options".into()).or_insert(line);
        draft.open = Some(Field::Option);
        if let Some(label) = label {
            self.try_label(line, label);
        }
        true
    }

    fn continue_text(&mut self, line: usize, text: &str) {
        let Some(draft) = self.current.as_mut() else {
            return;
        };
        match draft.open {
            Some(Field::Prompt) | None => draft.prompt.push(text.to_string()),
            Some(Field::Option) => {
                if let Some((_, option)) = draft.options.last_mut() {
                    option.push_str(text);
                }
            }
            // `【答案】` alone on its line: the answer is the next line.
            Some(Field::Answer) if draft.answer.as_deref() == Some("") => {
                draft.set_answer(line, text)
            }
            Some(Field::Source) => {
                if let Some(source) = draft.source.as_mut() {
                    source.push_str(text);
                }
            }
            // Unlabelled text after the answer is the explanation.
            Some(Field::Answer | Field::Explanation | Field::Topic | Field::Other) => {
                draft.explanation.push(text.to_string());
                draft.fields.entry("explanation".into()).or_insert(line);
                draft.open = Some(Field::Explanation);
            }
        }
    }

    fn finish_question(&mut self) {
        if let Some(draft) = self.current.take() {
            self.drafts.push(draft);
        }
    }
}

impl Draft {
    /// The answer without brackets around it (`（B）`, `【A】`), placed for all its fields.
    fn set_answer(&mut self, line: usize, text: &str) {
        self.answer = Some(
            text.trim_matches(|c| "()（）[]【】 ".contains(c))
                .to_string(),
        );
        for field in ["answer", "accepted", "patterns"] {
            self.fields.insert(field.into(), line);
        }
    }

    fn into_record(self) -> QuestionRecord {
        let kind = self.kind();
        let width = self.options.iter().map(|(i, _)| i + 1).max().unwrap_or(0);
        let mut options = vec![String::new(); width];
        for (index, text) in self.options {
            options[index] = text;
        }
        let joined = |lines: Vec<String>| {
            Some(lines.join("\n").trim().to_string()).filter(|t| !t.is_empty())
        };
        QuestionRecord {
            kind: Some(kind.as_str().to_string()),
            topic: self.topic.filter(|t| !t.is_empty()),
            difficulty: self.difficulty,
            prompt: joined(self.prompt),
            options,
            answer: self.answer.filter(|a| !a.is_empty()).map(AnswerField::Text),
            explanation: joined(self.explanation),
            source: self.source.filter(|s| !s.is_empty()),
            ..Default::default()
        }
    }

    fn kind(&self) -> Kind {
        if let Some(kind) = self.explicit_kind.or(self.section_kind) {
            return kind;
        }
        let options: Vec<String> = self.options.iter().map(|(_, o)| o.clone()).collect();
        infer_kind(&options, self.answer.as_deref().unwrap_or(""))
    }
}

fn option_index(letter: &str) -> usize {
    let c = fold_width(letter).chars().next().unwrap_or('A');
    (c as usize).saturating_sub('A' as usize)
}

/// A kind tag at the start of the line (`【单选题】1. ...`), and the rest.
fn leading_kind_tag(text: &str) -> Option<(Kind, &str)> {
    let found = KIND_TAG.captures(text)?;
    let whole = found.get(0)?;
    if whole.start() != 0 {
        return None;
    }
    let kind = tag_kind(&found[1])?;
    Some((kind, text[whole.end()..].trim_start()))
}

/// The kind a bracketed tag names; one-letter kinds (`(F)`) are option letters here.
fn tag_kind(tag: &str) -> Option<Kind> {
    if tag.chars().count() < 2 {
        return None;
    }
    Kind::parse(tag)
}

/// Removes the first kind tag from a stem (`[单选]`, `（多选题）`).
fn take_kind_tag(stem: &str) -> (Option<Kind>, String) {
    for found in KIND_TAG.captures_iter(stem) {
        if let (Some(kind), Some(whole)) = (tag_kind(&found[1]), found.get(0)) {
            let rest = format!("{}{}", &stem[..whole.start()], &stem[whole.end()..]);
            return (Some(kind), rest.trim().to_string());
        }
    }
    (None, stem.to_string())
}

/// Trims a line and drops Markdown decoration (`#`, `>`, list bullets, `**`, `\.`).
/// Also says whether the line was a heading.
fn strip_markdown(raw: &str) -> (String, bool) {
    let mut text = crate::text::clean_cell(raw);
    let heading = text.starts_with('#');
    text = text.trim_start_matches('#').trim_start().to_string();
    for prefix in ["> ", "- ", "* ", "+ "] {
        if let Some(rest) = text.strip_prefix(prefix) {
            text = rest.trim_start().to_string();
        }
    }
    let text = text
        .replace("**", "")
        .replace("\\.", ".")
        .replace("\\*", "*");
    (text.trim().to_string(), heading)
}
