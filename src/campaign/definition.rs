//! Campaign definitions: the `[campaign]` TOML an organizer imports, parsed into a
//! [`Campaign`] that cannot be invalid, with every problem reported at its line.
//!
//! ```toml
//! [campaign]
//! id = "wsd-2026"                    # [a-z0-9-], at most 40: the deep link is c-<id>
//! title = "2026年世界标准日知识竞答"
//! title_en = "World Standards Day 2026 quiz"    # optional
//! starts = "2026-10-08 09:00"        # Asia/Shanghai; or "…:SS", or a TOML datetime
//! ends = "2026-10-14 23:59"          # without seconds: through 23:59:59
//! questions = 10                     # per attempt, 1..=50 (default 10)
//! topics = ["世界标准日", "标准化法"]  # optional pool; default: the whole bank
//! attempts = 3                       # per person, 1..=20 (default 1); the best counts
//! pass_mark = 80                     # percent, 1..=100 (default 60)
//!
//! [campaign.reminders]               # optional
//! at_start = true                    # default true
//! days_before_end = [1]              # default [1]; each 1..=30
//! ```

use std::collections::BTreeMap;

use chrono::{FixedOffset, NaiveDate, NaiveDateTime, TimeZone};
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::bank::{Problem, Question};
use crate::text::{fold_width, line_of_offset, normalize_answer};

/// Asia/Shanghai is UTC+8 all year (no DST since 1991).
pub const SHANGHAI_OFFSET_SECONDS: i32 = 8 * 3600;
pub const MAX_ID_CHARS: usize = 40;
pub const MAX_TITLE_CHARS: usize = 100;
pub const MAX_QUESTIONS: usize = 50;
pub const MAX_ATTEMPTS: u32 = 20;
pub const MAX_REMINDER_DAYS: u32 = 30;
pub const DEFAULT_QUESTIONS: usize = 10;
pub const DEFAULT_ATTEMPTS: u32 = 1;
pub const DEFAULT_PASS_MARK: u32 = 60;
/// The deep-link payload prefix: `https://t.me/<bot>?start=c-<id>`.
pub const START_PREFIX: &str = "c-";

const KEYS: &[&str] = &[
    "id",
    "title",
    "title_en",
    "starts",
    "ends",
    "questions",
    "topics",
    "attempts",
    "pass_mark",
    "reminders",
];
const REMINDER_KEYS: &[&str] = &["at_start", "days_before_end"];

/// A validated campaign. Times are unix seconds; the window is inclusive at both ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Campaign {
    pub id: String,
    /// 1 when parsed; the store sets one more than the stored version on re-import.
    pub version: u32,
    pub title: String,
    pub title_en: Option<String>,
    pub starts: i64,
    pub ends: i64,
    /// Questions per attempt.
    pub questions: usize,
    /// Topic names as the bank spells them (Chinese); empty means the whole bank.
    pub topics: Vec<String>,
    /// Attempts per person; the best finished one counts.
    pub attempts: u32,
    /// Percent needed to pass, 1..=100.
    pub pass_mark: u32,
    pub reminders: Reminders,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reminders {
    pub at_start: bool,
    /// Sorted, without duplicates.
    pub days_before_end: Vec<u32>,
}

impl Default for Reminders {
    fn default() -> Reminders {
        Reminders {
            at_start: true,
            days_before_end: vec![1],
        }
    }
}

/// Why a reminder is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReminderKind {
    Start,
    DaysBeforeEnd(u32),
}

impl Campaign {
    pub fn title_in(&self, english: bool) -> &str {
        match (&self.title_en, english) {
            (Some(en), true) => en,
            _ => &self.title,
        }
    }

    /// The `start` payload of the campaign's deep link, `c-<id>` (at most 42 bytes).
    pub fn start_payload(&self) -> String {
        format!("{START_PREFIX}{}", self.id)
    }

    /// The questions an attempt draws from: the campaign's topics, or the whole bank.
    pub fn pool<'a>(&self, questions: &'a [Question]) -> Vec<&'a Question> {
        questions
            .iter()
            .filter(|q| self.topics.is_empty() || self.topics.contains(&q.topic))
            .collect()
    }

    /// When reminders are due, in time order: at the start (if asked) and the given days
    /// before the end (those that fall after the start). The caller remembers which it sent.
    pub fn reminder_times(&self) -> Vec<(i64, ReminderKind)> {
        let mut times = Vec::new();
        if self.reminders.at_start {
            times.push((self.starts, ReminderKind::Start));
        }
        for &days in &self.reminders.days_before_end {
            let at = self.ends - i64::from(days) * 86_400;
            if at > self.starts {
                times.push((at, ReminderKind::DaysBeforeEnd(days)));
            }
        }
        times.sort_by_key(|(at, _)| *at);
        times
    }
}

/// The campaign id in a `/start` payload `c-<id>`, if it is one.
pub fn parse_start_payload(payload: &str) -> Option<&str> {
    payload
        .trim()
        .strip_prefix(START_PREFIX)
        .filter(|id| valid_id(id))
}

/// `YYYY-MM-DD HH:MM` in Asia/Shanghai, as campaign cards show times.
pub fn shanghai_time(unix: i64) -> String {
    let offset = FixedOffset::east_opt(SHANGHAI_OFFSET_SECONDS).expect("UTC+8 is a valid offset");
    match offset.timestamp_opt(unix, 0).single() {
        Some(time) => time.format("%Y-%m-%d %H:%M").to_string(),
        None => unix.to_string(),
    }
}

/// Parses a campaign file. `topics` are the bank's topics with their English names and
/// question counts, as [`crate::bank::Bank::topics`] returns them: topic names are
/// resolved against them and the pool must hold at least `questions` questions.
/// Every problem is reported, each with its line; nothing is returned on any problem.
pub fn parse(
    file_name: &str,
    text: &str,
    topics: &[(String, Option<String>, usize)],
) -> Result<Campaign, Vec<Problem>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut fields = Fields {
        file: file_name,
        text,
        problems: Vec::new(),
    };
    let top: BTreeMap<Spanned<String>, serde::de::IgnoredAny> =
        toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_of_offset(text, s.start));
            vec![fields.problem(line, e.message().trim().to_string())]
        })?;
    for key in top.keys() {
        if key.get_ref() != "campaign" {
            let line = fields.line(key.span().start);
            fields.push(
                Some(line),
                format!(
                    "unknown top-level key `{}`: the file holds one [campaign] table",
                    key.get_ref()
                ),
            );
        }
    }
    let document: Document = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_of_offset(text, s.start));
        vec![fields.problem(line, e.message().trim().to_string())]
    })?;
    let Some(table) = document.campaign else {
        fields.push(
            Some(1),
            "missing [campaign] table with id, title, starts and ends".into(),
        );
        return Err(fields.problems);
    };
    let header_line = fields.line(table.span().start);
    let table = table.into_inner();
    let entries: BTreeMap<String, (usize, toml::Value)> = table
        .into_iter()
        .map(|(key, value)| {
            let line = fields.line(key.span().start);
            (key.into_inner(), (line, value.into_inner()))
        })
        .collect();
    for (key, (line, _)) in &entries {
        if !KEYS.contains(&key.as_str()) {
            fields.push(
                Some(*line),
                format!("unknown key `{key}`; known keys: {}", KEYS.join(", ")),
            );
        }
    }
    let get = |key: &str| entries.get(key).map(|(line, value)| (*line, value));

    let id = fields.required_string(get("id"), "id", header_line);
    if let Some((line, id)) = &id {
        if !valid_id(id) {
            fields.push(
                Some(*line),
                format!(
                    "id `{id}` must be 1 to {MAX_ID_CHARS} characters of a-z, 0-9 and - (it goes into the deep link c-<id>)"
                ),
            );
        }
    }
    let title = fields.required_string(get("title"), "title", header_line);
    let title_en = fields.optional_string(get("title_en"), "title_en");
    for (key, value) in [("title", title.as_ref()), ("title_en", title_en.as_ref())] {
        if let Some((line, value)) = value {
            if value.is_empty() {
                fields.push(Some(*line), format!("`{key}` is empty"));
            } else if value.chars().count() > MAX_TITLE_CHARS {
                fields.push(
                    Some(*line),
                    format!("`{key}` is longer than {MAX_TITLE_CHARS} characters"),
                );
            }
        }
    }
    let starts = fields.time(get("starts"), "starts", header_line, false);
    let ends = fields.time(get("ends"), "ends", header_line, true);
    if let (Some((_, starts)), Some((line, ends))) = (starts, ends) {
        if ends <= starts {
            fields.push(
                Some(line),
                format!(
                    "ends ({}) must be after starts ({})",
                    shanghai_time(ends),
                    shanghai_time(starts)
                ),
            );
        }
    }
    let questions = fields.integer(
        get("questions"),
        "questions",
        (1, MAX_QUESTIONS as i64),
        DEFAULT_QUESTIONS as i64,
        header_line,
    );
    let attempts = fields.integer(
        get("attempts"),
        "attempts",
        (1, i64::from(MAX_ATTEMPTS)),
        i64::from(DEFAULT_ATTEMPTS),
        header_line,
    );
    let pass_mark = fields.integer(
        get("pass_mark"),
        "pass_mark",
        (1, 100),
        i64::from(DEFAULT_PASS_MARK),
        header_line,
    );
    let chosen_topics = fields.topics(get("topics"), topics);
    if let (Some((line, count)), Some(chosen)) = (questions, &chosen_topics) {
        let pool: usize = if chosen.is_empty() {
            topics.iter().map(|t| t.2).sum()
        } else {
            topics
                .iter()
                .filter(|t| chosen.contains(&t.0))
                .map(|t| t.2)
                .sum()
        };
        if pool < count as usize {
            let scope = if chosen.is_empty() {
                "the whole bank".to_string()
            } else {
                format!("topics {}", chosen.join(", "))
            };
            fields.push(
                Some(line),
                format!("questions = {count} but the pool ({scope}) holds only {pool} questions"),
            );
        }
    }
    let reminders = match get("reminders") {
        None => Some(Reminders::default()),
        Some((_, toml::Value::Table(_))) => fields.reminders(),
        Some((line, other)) => {
            fields.push(
                Some(line),
                format!("`reminders` must be a table, not {}", other.type_str()),
            );
            None
        }
    };
    if !fields.problems.is_empty() {
        fields.problems.sort_by_key(|p| p.line);
        return Err(fields.problems);
    }
    match (
        id,
        title,
        starts,
        ends,
        questions,
        attempts,
        pass_mark,
        chosen_topics,
        reminders,
    ) {
        (
            Some((_, id)),
            Some((_, title)),
            Some((_, starts)),
            Some((_, ends)),
            Some((_, questions)),
            Some((_, attempts)),
            Some((_, pass_mark)),
            Some(topics),
            Some(reminders),
        ) => Ok(Campaign {
            id,
            version: 1,
            title,
            title_en: title_en.map(|(_, t)| t),
            starts,
            ends,
            questions: questions as usize,
            topics,
            attempts: attempts as u32,
            pass_mark: pass_mark as u32,
            reminders,
        }),
        _ => Err(vec![fields.problem(None, "incomplete campaign".into())]),
    }
}

/// Whether `id` is 1 to 40 characters of `a-z`, `0-9` and `-`.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_CHARS
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

type SpannedTable = BTreeMap<Spanned<String>, Spanned<toml::Value>>;

/// The `[campaign]` table with the place of every key (unknown top-level tables are
/// found by a first pass over the top-level keys).
#[derive(Deserialize)]
struct Document {
    campaign: Option<Spanned<SpannedTable>>,
}

/// A third pass for the places of the keys in `[campaign.reminders]`.
#[derive(Deserialize)]
struct RemindersDocument {
    campaign: Option<RemindersCampaign>,
}

#[derive(Deserialize)]
struct RemindersCampaign {
    reminders: Option<SpannedTable>,
}

/// Reads typed values, collecting problems with their lines.
struct Fields<'a> {
    file: &'a str,
    text: &'a str,
    problems: Vec<Problem>,
}

type Entry<'v> = Option<(usize, &'v toml::Value)>;

impl Fields<'_> {
    fn problem(&self, line: Option<usize>, message: String) -> Problem {
        Problem {
            file: self.file.to_string(),
            line,
            question: None,
            message,
        }
    }

    fn push(&mut self, line: Option<usize>, message: String) {
        let problem = self.problem(line, message);
        self.problems.push(problem);
    }

    fn line(&self, offset: usize) -> usize {
        line_of_offset(self.text, offset)
    }

    fn wrong_type(&mut self, line: usize, key: &str, wanted: &str, value: &toml::Value) {
        self.push(
            Some(line),
            format!("`{key}` must be {wanted}, not {}", value.type_str()),
        );
    }

    fn optional_string(&mut self, entry: Entry<'_>, key: &str) -> Option<(usize, String)> {
        let (line, value) = entry?;
        match value {
            toml::Value::String(s) => Some((line, s.trim().to_string())),
            other => {
                self.wrong_type(line, key, "a string", other);
                None
            }
        }
    }

    fn required_string(
        &mut self,
        entry: Entry<'_>,
        key: &str,
        header_line: usize,
    ) -> Option<(usize, String)> {
        if entry.is_none() {
            self.push(Some(header_line), format!("missing key `{key}`"));
        }
        self.optional_string(entry, key)
    }

    /// An integer in `min..=max`, or `default` placed at `header_line` when the key is absent.
    fn integer(
        &mut self,
        entry: Entry<'_>,
        key: &str,
        range: (i64, i64),
        default: i64,
        header_line: usize,
    ) -> Option<(usize, i64)> {
        let (min, max) = range;
        let Some((line, value)) = entry else {
            return Some((header_line, default));
        };
        let toml::Value::Integer(number) = value else {
            self.wrong_type(line, key, "a whole number", value);
            return None;
        };
        if !(min..=max).contains(number) {
            self.push(
                Some(line),
                format!("`{key}` = {number} is out of range {min} to {max}"),
            );
            return None;
        }
        Some((line, *number))
    }

    /// A required time in Asia/Shanghai. With `end_of_minute`, a time given without
    /// seconds means the last second of that minute.
    fn time(
        &mut self,
        entry: Entry<'_>,
        key: &str,
        header_line: usize,
        end_of_minute: bool,
    ) -> Option<(usize, i64)> {
        let Some((line, value)) = entry else {
            self.push(
                Some(header_line),
                format!("missing key `{key}` (a time such as \"2026-10-08 09:00\", Asia/Shanghai)"),
            );
            return None;
        };
        let parsed = match value {
            toml::Value::String(s) => parse_time_text(s, end_of_minute),
            toml::Value::Datetime(datetime) => parse_datetime(datetime),
            other => {
                self.wrong_type(line, key, "a time such as \"2026-10-08 09:00\"", other);
                return None;
            }
        };
        match parsed {
            Ok(unix) => Some((line, unix)),
            Err(message) => {
                self.push(Some(line), format!("`{key}`: {message}"));
                None
            }
        }
    }

    /// The pool's topics resolved to the bank's names; `Some(vec![])` for the whole bank.
    fn topics(
        &mut self,
        entry: Entry<'_>,
        bank: &[(String, Option<String>, usize)],
    ) -> Option<Vec<String>> {
        let Some((line, value)) = entry else {
            return Some(Vec::new());
        };
        let toml::Value::Array(items) = value else {
            self.wrong_type(line, "topics", "a list of topic names", value);
            return None;
        };
        let mut resolved = Vec::new();
        let mut ok = true;
        for item in items {
            let Some(name) = item.as_str() else {
                self.wrong_type(line, "topics", "a list of topic names", item);
                ok = false;
                continue;
            };
            let wanted = normalize_answer(name);
            let found = bank.iter().find(|(zh, en, _)| {
                normalize_answer(zh) == wanted
                    || en
                        .as_deref()
                        .is_some_and(|en| normalize_answer(en) == wanted)
            });
            match found {
                Some((zh, _, _)) if !resolved.contains(zh) => resolved.push(zh.clone()),
                Some(_) => {}
                None => {
                    let known: Vec<&str> = bank.iter().map(|t| t.0.as_str()).collect();
                    self.push(
                        Some(line),
                        format!(
                            "unknown topic `{name}`; known topics: {}",
                            if known.is_empty() {
                                "(the bank is empty)".to_string()
                            } else {
                                known.join(", ")
                            }
                        ),
                    );
                    ok = false;
                }
            }
        }
        if ok && items.is_empty() {
            self.push(
                Some(line),
                "`topics` is empty: leave the key out to use the whole bank".into(),
            );
            ok = false;
        }
        ok.then_some(resolved)
    }

    fn reminders(&mut self) -> Option<Reminders> {
        let document: RemindersDocument = toml::from_str(self.text).ok()?;
        let table = document.campaign?.reminders?;
        let mut reminders = Reminders::default();
        let mut ok = true;
        for (key, value) in table {
            let line = self.line(key.span().start);
            let value = value.into_inner();
            match key.get_ref().as_str() {
                "at_start" => match value {
                    toml::Value::Boolean(b) => reminders.at_start = b,
                    other => {
                        self.wrong_type(line, "at_start", "true or false", &other);
                        ok = false;
                    }
                },
                "days_before_end" => match day_list(&value) {
                    Some(days) => reminders.days_before_end = days,
                    None => {
                        self.push(
                            Some(line),
                            format!(
                                "`days_before_end` must be a list of whole numbers 1 to {MAX_REMINDER_DAYS}, e.g. [3, 1]"
                            ),
                        );
                        ok = false;
                    }
                },
                other => {
                    self.push(
                        Some(line),
                        format!(
                            "unknown key `{other}` in [campaign.reminders]; known keys: {}",
                            REMINDER_KEYS.join(", ")
                        ),
                    );
                    ok = false;
                }
            }
        }
        ok.then_some(reminders)
    }
}

fn day_list(value: &toml::Value) -> Option<Vec<u32>> {
    let mut days = Vec::new();
    for item in value.as_array()? {
        let day = item.as_integer()?;
        if !(1..=i64::from(MAX_REMINDER_DAYS)).contains(&day) {
            return None;
        }
        days.push(day as u32);
    }
    days.sort_unstable();
    days.dedup();
    Some(days)
}

/// `YYYY-MM-DD HH:MM[:SS]` (also with `T` or `/`, full-width digits and colons) in
/// Asia/Shanghai, to unix seconds.
fn parse_time_text(raw: &str, end_of_minute: bool) -> Result<i64, String> {
    let folded = fold_width(raw).replace('/', "-").replace('T', " ");
    let folded = folded.split_whitespace().collect::<Vec<_>>().join(" ");
    let with_seconds = NaiveDateTime::parse_from_str(&folded, "%Y-%m-%d %H:%M:%S");
    let time = match with_seconds {
        Ok(time) => time,
        Err(_) => match NaiveDateTime::parse_from_str(&folded, "%Y-%m-%d %H:%M") {
            Ok(time) if end_of_minute => time + chrono::Duration::seconds(59),
            Ok(time) => time,
            Err(_) => {
                let hint = if NaiveDate::parse_from_str(&folded, "%Y-%m-%d").is_ok() {
                    ": add a time of day"
                } else {
                    ""
                };
                return Err(format!(
                    "`{raw}` is not a time \"YYYY-MM-DD HH:MM\" (Asia/Shanghai){hint}"
                ));
            }
        },
    };
    Ok(shanghai_to_unix(time))
}

fn parse_datetime(datetime: &toml::value::Datetime) -> Result<i64, String> {
    let (Some(date), Some(time)) = (datetime.date, datetime.time) else {
        return Err(format!(
            "`{datetime}` needs both a date and a time of day, e.g. 2026-10-08T09:00:00"
        ));
    };
    let naive = NaiveDate::from_ymd_opt(
        i32::from(date.year),
        u32::from(date.month),
        u32::from(date.day),
    )
    .and_then(|d| {
        d.and_hms_opt(
            u32::from(time.hour),
            u32::from(time.minute),
            u32::from(time.second),
        )
    })
    .ok_or_else(|| format!("`{datetime}` is not a valid date and time"))?;
    let offset_seconds = match datetime.offset {
        None => return Ok(shanghai_to_unix(naive)),
        Some(toml::value::Offset::Z) => 0,
        Some(toml::value::Offset::Custom { minutes }) => i64::from(minutes) * 60,
    };
    Ok(naive.and_utc().timestamp() - offset_seconds)
}

fn shanghai_to_unix(time: NaiveDateTime) -> i64 {
    time.and_utc().timestamp() - i64::from(SHANGHAI_OFFSET_SECONDS)
}
