//! Organizer results as files: a campaign's workbook (概览, 单位, 人员, 题目分析 and, after
//! the prize draw, 中奖名单), the 人员 sheet as CSV, the PNG chart `/report ID` sends, and
//! the whole bank's use per topic for `/report` alone.
//!
//! The sheets are built from the same [`Report`] that `campaign report --format json`
//! prints, so every figure agrees with it to the unit (rates as the report rounds them).
//! Item analysis ([`crate::results::item_analysis`]) runs over every recorded attempt:
//! each attempt is one response set ranked by its own score, so the answered and correct
//! counts are the report's question figures, and the discrimination index compares the
//! upper and lower 27% of attempt scores.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDateTime;

use super::{Content, Response, Service, ServiceError};
use crate::bank::AnswerKey;
use crate::campaign::{Attempt, Report};
use crate::engine::{AnswerLog, Lang};
use crate::results::item_analysis::{self, Flag, Item, ItemStats};
use crate::results::workbook::{
    csv_safe, write_workbook, Cell, ChartKind, ChartSpec, Sheet, WorkbookError,
};

/// Everything a campaign's workbook, CSV and chart show.
#[derive(Debug, Clone, PartialEq)]
pub struct CampaignBook {
    pub report: Report,
    /// Per question, in the order of `report.questions`.
    pub items: Vec<ItemStats>,
    /// The question text per id (empty when the question is no longer served).
    pub prompts: BTreeMap<String, String>,
    /// Per day (Asia/Shanghai, `YYYY-MM-DD`): people who finished an attempt, attempts.
    pub days: Vec<(String, usize, usize)>,
    /// The prize draw's winners, once drawn.
    pub winners: Vec<WinnerRow>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WinnerRow {
    pub rank: usize,
    pub user_id: i64,
    pub name: String,
    /// The enterprise's code.
    pub org: Option<String>,
}

/// The whole bank's use per topic, from the answer log.
#[derive(Debug, Clone, PartialEq)]
pub struct BankBook {
    pub topics: Vec<TopicUse>,
    /// Answers in the log.
    pub answered: usize,
    /// People who answered at least once.
    pub people: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TopicUse {
    pub topic: String,
    pub topic_en: Option<String>,
    pub answered: usize,
    pub correct: usize,
    pub people: usize,
}

impl TopicUse {
    /// Correct over answered, rounded to 4 decimals; None without answers.
    pub fn accuracy(&self) -> Option<f64> {
        (self.answered > 0).then(|| round4(self.correct as f64 / self.answered as f64))
    }
}

impl CampaignBook {
    /// Builds the book from the report and the stored attempts it was computed from.
    pub fn build(
        report: Report,
        attempts: &[Attempt],
        content: &Content,
        winners: Vec<WinnerRow>,
    ) -> CampaignBook {
        let mut items = BTreeMap::new();
        let mut prompts = BTreeMap::new();
        for question in &report.questions {
            let item = match content.bank.get(&question.id) {
                Some(q) => {
                    prompts.insert(question.id.clone(), q.prompt.clone());
                    match &q.key {
                        AnswerKey::Choice(key) => Item {
                            key: key.clone(),
                            option_count: q.options.len(),
                        },
                        _ => Item {
                            key: Vec::new(),
                            option_count: 0,
                        },
                    }
                }
                None => {
                    prompts.insert(question.id.clone(), String::new());
                    let most = attempts
                        .iter()
                        .flat_map(|a| &a.answers)
                        .filter(|a| a.question == question.id)
                        .flat_map(|a| a.chosen.iter().map(|c| c + 1))
                        .max()
                        .unwrap_or(0);
                    Item {
                        key: Vec::new(),
                        option_count: most,
                    }
                }
            };
            items.insert(question.id.clone(), item);
        }
        let mine: Vec<&Attempt> = attempts
            .iter()
            .filter(|a| a.campaign == report.campaign)
            .collect();
        let mut responses = Vec::new();
        let mut totals = HashMap::new();
        for (index, attempt) in mine.iter().enumerate() {
            let person = index as i64;
            totals.insert(person, f64::from(attempt.score_percent()));
            for answer in &attempt.answers {
                responses.push(item_analysis::Response {
                    person,
                    question: answer.question.clone(),
                    chosen: answer.chosen.clone(),
                    correct: answer.correct,
                });
            }
        }
        let items = item_analysis::analyse(&responses, &totals, &items);
        let mut days: BTreeMap<String, (BTreeSet<i64>, usize)> = BTreeMap::new();
        for attempt in &mine {
            let Some(end) = attempt.finished_at else {
                continue;
            };
            let day = shanghai(end).format("%Y-%m-%d").to_string();
            let entry = days.entry(day).or_default();
            entry.0.insert(attempt.user_id);
            entry.1 += 1;
        }
        CampaignBook {
            report,
            items,
            prompts,
            days: days
                .into_iter()
                .map(|(day, (people, attempts))| (day, people.len(), attempts))
                .collect(),
            winners,
        }
    }

    /// The sheets: 概览, 单位, 人员, 题目分析, and 中奖名单 once drawn.
    pub fn sheets(&self, lang: Lang) -> Vec<Sheet> {
        let en = lang.is_en();
        let t = |zh: &str, english: &str| if en { english } else { zh }.to_string();
        let r = &self.report;
        let optional_percent = |v: Option<f64>| v.map_or(Cell::Empty, Cell::Percent);

        // 概览: the figures in columns A-B, the days in C-E (charted).
        let metrics: Vec<(String, Cell)> = vec![
            (t("活动编号", "Campaign"), Cell::Text(r.campaign.clone())),
            (t("活动名称", "Title"), Cell::Text(r.title.clone())),
            (t("版本", "Version"), Cell::Number(f64::from(r.version))),
            (
                t("及格线", "Pass mark"),
                Cell::Number(f64::from(r.pass_mark)),
            ),
            (
                t("参与人数", "Participants"),
                Cell::Number(r.participants as f64),
            ),
            (t("职工总数", "Headcount"), Cell::Number(r.headcount as f64)),
            (
                t("参与率", "Participation rate"),
                optional_percent(r.participation_rate),
            ),
            (t("通过率", "Pass rate"), optional_percent(r.pass_rate)),
            (
                t("通过人数", "Passed"),
                Cell::Number(r.users.iter().filter(|u| u.passed).count() as f64),
            ),
            (
                t("答题次数", "Attempts"),
                Cell::Number(r.users.iter().map(|u| f64::from(u.attempts)).sum()),
            ),
            (
                t("中奖人数", "Winners"),
                Cell::Number(self.winners.len() as f64),
            ),
        ];
        let rows = metrics.len().max(self.days.len());
        let overview_rows: Vec<Vec<Cell>> = (0..rows)
            .map(|i| {
                let (label, value) = metrics.get(i).map_or((Cell::Empty, Cell::Empty), |(l, v)| {
                    (Cell::Text(l.clone()), v.clone())
                });
                let (day, people, attempts) = self.days.get(i).map_or(
                    (Cell::Empty, Cell::Empty, Cell::Empty),
                    |(d, p, a)| {
                        (
                            Cell::Text(d.clone()),
                            Cell::Number(*p as f64),
                            Cell::Number(*a as f64),
                        )
                    },
                );
                vec![label, value, day, people, attempts]
            })
            .collect();
        let overview = Sheet {
            name: t("概览", "Overview"),
            headers: vec![
                t("指标", "Figure"),
                t("数值", "Value"),
                t("日期", "Day"),
                t("当日参与人数", "People that day"),
                t("当日答题次数", "Attempts that day"),
            ],
            rows: overview_rows,
            chart: (!self.days.is_empty()).then(|| ChartSpec {
                kind: ChartKind::Column,
                title: t("每日参与人数", "Participation per day"),
                category_col: 2,
                value_col: 3,
            }),
        };

        let orgs = Sheet {
            name: t("单位", "Enterprises"),
            headers: vec![
                t("邀请码", "Code"),
                t("单位名称", "Enterprise"),
                t("职工人数", "Headcount"),
                t("参与人数", "Participants"),
                t("参与率", "Participation rate"),
                t("平均最好成绩", "Average best score"),
                t("通过率", "Pass rate"),
            ],
            rows: r
                .orgs
                .iter()
                .map(|o| {
                    vec![
                        Cell::Text(o.code.clone()),
                        Cell::Text(o.name.clone()),
                        Cell::Number(f64::from(o.headcount)),
                        Cell::Number(o.participants as f64),
                        Cell::Percent(o.participation_rate),
                        o.average_best_score.map_or(Cell::Empty, Cell::Number),
                        optional_percent(o.pass_rate),
                    ]
                })
                .collect(),
            chart: Some(ChartSpec {
                kind: ChartKind::Bar,
                title: t("各单位参与率", "Participation by enterprise"),
                category_col: 1,
                value_col: 4,
            }),
        };

        let org_names: HashMap<&str, &str> = r
            .orgs
            .iter()
            .map(|o| (o.code.as_str(), o.name.as_str()))
            .collect();
        let yes_no = |b: bool| Cell::Text(if b { t("是", "yes") } else { t("否", "no") });
        let people = Sheet {
            name: t("人员", "People"),
            headers: people_headers(en),
            rows: r
                .users
                .iter()
                .map(|u| {
                    let org = u.org.as_deref();
                    vec![
                        u.rank.map_or(Cell::Empty, |v| Cell::Number(v as f64)),
                        Cell::Number(u.user_id as f64),
                        Cell::Text(u.name.clone()),
                        org.map_or(Cell::Empty, |c| Cell::Text(c.to_string())),
                        org.and_then(|c| org_names.get(c))
                            .map_or(Cell::Empty, |n| Cell::Text(n.to_string())),
                        Cell::Number(f64::from(u.attempts)),
                        u.best_score
                            .map_or(Cell::Empty, |v| Cell::Number(f64::from(v))),
                        yes_no(u.passed),
                        u.seconds.map_or(Cell::Empty, |v| Cell::Number(v as f64)),
                        Cell::DateTime(shanghai(u.first_attempt_at)),
                        Cell::DateTime(shanghai(u.last_attempt_at)),
                    ]
                })
                .collect(),
            chart: None,
        };

        let options = self
            .items
            .iter()
            .map(|i| i.option_picks.len())
            .max()
            .unwrap_or(0);
        let mut headers = vec![
            t("题号", "Question"),
            t("题目", "Prompt"),
            t("作答次数", "Answered"),
            t("答对次数", "Correct"),
            t("正确率", "Accuracy"),
            t("区分度", "Discrimination"),
        ];
        for option in 0..options {
            let letter = letter(option);
            headers.push(if en {
                format!("Picked {letter}")
            } else {
                format!("选 {letter}")
            });
        }
        headers.push(t("提示", "Flags"));
        let questions = Sheet {
            name: t("题目分析", "Questions"),
            headers,
            rows: self
                .items
                .iter()
                .map(|item| {
                    let mut row = vec![
                        Cell::Text(item.question.clone()),
                        Cell::Text(
                            self.prompts
                                .get(&item.question)
                                .cloned()
                                .unwrap_or_default(),
                        ),
                        Cell::Number(item.answered as f64),
                        Cell::Number(item.correct as f64),
                        item.accuracy
                            .map_or(Cell::Empty, |a| Cell::Percent(round4(a))),
                        item.discrimination
                            .map_or(Cell::Empty, |d| Cell::Number(round4(d))),
                    ];
                    for option in 0..options {
                        row.push(match item.option_picks.get(option) {
                            Some(n) => Cell::Number(*n as f64),
                            None => Cell::Empty,
                        });
                    }
                    let flags: Vec<String> = item
                        .flags
                        .iter()
                        .map(|flag| match flag {
                            Flag::LowAccuracy => t("正确率低于 30%", "accuracy under 30%"),
                            Flag::DistractorBeatsKey { option } => {
                                let letter = letter(*option);
                                if en {
                                    format!("wrong option {letter} picked more than the key")
                                } else {
                                    format!("错误选项 {letter} 比正确答案选得多")
                                }
                            }
                        })
                        .collect();
                    row.push(if flags.is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text(flags.join(if en { "; " } else { "；" }))
                    });
                    row
                })
                .collect(),
            chart: None,
        };

        let mut sheets = vec![overview, orgs, people, questions];
        if !self.winners.is_empty() {
            sheets.push(Sheet {
                name: t("中奖名单", "Winners"),
                headers: vec![
                    t("名次", "Rank"),
                    t("用户ID", "User id"),
                    t("姓名", "Name"),
                    t("邀请码", "Code"),
                    t("单位名称", "Enterprise"),
                ],
                rows: self
                    .winners
                    .iter()
                    .map(|w| {
                        let org = w.org.as_deref();
                        vec![
                            Cell::Number(w.rank as f64),
                            Cell::Number(w.user_id as f64),
                            Cell::Text(w.name.clone()),
                            org.map_or(Cell::Empty, |c| Cell::Text(c.to_string())),
                            org.and_then(|c| org_names.get(c))
                                .map_or(Cell::Empty, |n| Cell::Text(n.to_string())),
                        ]
                    })
                    .collect(),
                chart: None,
            });
        }
        sheets
    }

    /// The workbook as XLSX bytes.
    pub fn xlsx(&self, lang: Lang) -> Result<Vec<u8>, WorkbookError> {
        write_workbook(&self.sheets(lang))
    }

    /// The 人员 sheet as CSV (UTF-8 with a byte-order mark, so Excel reads the Chinese),
    /// every text cell through [`csv_safe`].
    pub fn people_csv(&self, lang: Lang) -> String {
        let sheet = self
            .sheets(lang)
            .into_iter()
            .nth(2)
            .expect("the 人员 sheet is the third");
        sheet_csv(&sheet)
    }

    /// The file name of the workbook: `report-ID.xlsx`.
    pub fn file_name(&self) -> String {
        format!("report-{}.xlsx", self.report.campaign)
    }

    /// A PNG of the participation rate per enterprise, highest first (at most
    /// [`crate::graphics::MAX_BARS`]). A name the embedded font cannot draw shows its code.
    pub fn chart_png(&self, lang: Lang) -> Vec<u8> {
        let mut orgs: Vec<_> = self.report.orgs.iter().collect();
        orgs.sort_by(|a, b| {
            b.participation_rate
                .total_cmp(&a.participation_rate)
                .then_with(|| a.name.cmp(&b.name))
        });
        orgs.truncate(crate::graphics::MAX_BARS);
        let labels: Vec<String> = orgs
            .iter()
            .map(|o| drawable(&o.name).unwrap_or_else(|| o.code.clone()))
            .collect();
        let values: Vec<f64> = orgs.iter().map(|o| o.participation_rate * 100.0).collect();
        let title = if lang.is_en() {
            format!("{} · participation by enterprise", self.report.title)
        } else {
            format!("{} · 各单位参与率", self.report.title)
        };
        let title = drawable(&title).unwrap_or_else(|| self.report.campaign.clone());
        crate::graphics::bar_chart_png(&title, &labels, &values, "%")
    }
}

impl BankBook {
    /// Use and accuracy per topic from the answer log; topics in the bank's order, then
    /// topics only the log knows.
    pub fn build(answers: &[AnswerLog], content: &Content) -> BankBook {
        let mut tallies: HashMap<&str, (usize, usize, BTreeSet<i64>)> = HashMap::new();
        let mut people = BTreeSet::new();
        for answer in answers {
            let tally = tallies.entry(answer.topic.as_str()).or_default();
            tally.0 += 1;
            tally.1 += usize::from(answer.correct);
            tally.2.insert(answer.user);
            people.insert(answer.user);
        }
        let mut topics: Vec<TopicUse> = Vec::new();
        for (topic, topic_en, _) in content.bank.topics() {
            let (answered, correct, who) = tallies.remove(topic.as_str()).unwrap_or_default();
            topics.push(TopicUse {
                topic,
                topic_en,
                answered,
                correct,
                people: who.len(),
            });
        }
        let mut rest: Vec<_> = tallies.into_iter().collect();
        rest.sort_by(|a, b| a.0.cmp(b.0));
        for (topic, (answered, correct, who)) in rest {
            topics.push(TopicUse {
                topic: topic.to_string(),
                topic_en: None,
                answered,
                correct,
                people: who.len(),
            });
        }
        BankBook {
            topics,
            answered: answers.len(),
            people: people.len(),
        }
    }

    /// One sheet, 知识点: per topic answered, correct, accuracy, people, with a bar chart.
    pub fn sheets(&self, lang: Lang) -> Vec<Sheet> {
        let en = lang.is_en();
        let t = |zh: &str, english: &str| if en { english } else { zh }.to_string();
        vec![Sheet {
            name: t("知识点", "Topics"),
            headers: vec![
                t("知识点", "Topic"),
                t("作答次数", "Answered"),
                t("答对次数", "Correct"),
                t("正确率", "Accuracy"),
                t("人数", "People"),
            ],
            rows: self
                .topics
                .iter()
                .map(|topic| {
                    vec![
                        Cell::Text(topic_label(topic, en)),
                        Cell::Number(topic.answered as f64),
                        Cell::Number(topic.correct as f64),
                        topic.accuracy().map_or(Cell::Empty, Cell::Percent),
                        Cell::Number(topic.people as f64),
                    ]
                })
                .collect(),
            chart: Some(ChartSpec {
                kind: ChartKind::Bar,
                title: t("各知识点正确率", "Accuracy per topic"),
                category_col: 0,
                value_col: 3,
            }),
        }]
    }

    pub fn xlsx(&self, lang: Lang) -> Result<Vec<u8>, WorkbookError> {
        write_workbook(&self.sheets(lang))
    }

    /// A PNG of the accuracy per topic (topics with answers, at most 30).
    pub fn chart_png(&self, lang: Lang) -> Vec<u8> {
        let en = lang.is_en();
        let used: Vec<&TopicUse> = self
            .topics
            .iter()
            .filter(|t| t.answered > 0)
            .take(crate::graphics::MAX_BARS)
            .collect();
        let labels: Vec<String> = used
            .iter()
            .map(|t| {
                let label = topic_label(t, en);
                drawable(&label).unwrap_or_else(|| t.topic_en.clone().unwrap_or(label))
            })
            .collect();
        let values: Vec<f64> = used
            .iter()
            .map(|t| t.accuracy().unwrap_or(0.0) * 100.0)
            .collect();
        let title = if en {
            "Accuracy per topic"
        } else {
            "各知识点正确率"
        };
        crate::graphics::bar_chart_png(title, &labels, &values, "%")
    }
}

impl Service {
    /// A campaign's workbook data, or None when there is no such campaign.
    pub fn campaign_book(&self, id: &str) -> Result<Option<CampaignBook>, ServiceError> {
        let content = self.content();
        let Some(report) = self.report_for(&content, id, None)? else {
            return Ok(None);
        };
        let attempts = self.store.attempts(&report.campaign)?;
        let winners = self.winner_rows(&report)?;
        Ok(Some(CampaignBook::build(
            report, &attempts, &content, winners,
        )))
    }

    /// The whole bank's use per topic.
    pub fn bank_book(&self) -> Result<BankBook, ServiceError> {
        Ok(BankBook::build(&self.store.answers()?, &self.content()))
    }

    /// An admin's `/report [ID]`.
    pub(super) fn report(
        &self,
        content: &Content,
        admin: i64,
        id: Option<&str>,
    ) -> Result<Response, ServiceError> {
        if !self.is_admin(admin) {
            return Ok(Response::AdminOnly);
        }
        match id {
            None => Ok(Response::BankReport(Box::new(self.bank_book()?))),
            Some(id) => match content.campaign(id) {
                None => Ok(Response::UnknownCampaign(id.to_string())),
                Some(campaign) => match self.campaign_book(&campaign.id)? {
                    Some(book) => Ok(Response::CampaignReport(Box::new(book))),
                    None => Ok(Response::UnknownCampaign(id.to_string())),
                },
            },
        }
    }

    /// The stored draw's winners with their names, once drawn.
    fn winner_rows(&self, report: &Report) -> Result<Vec<WinnerRow>, ServiceError> {
        let Some(result) = self
            .store
            .draw(&report.campaign)?
            .and_then(|draw| draw.result)
        else {
            return Ok(Vec::new());
        };
        let names: HashMap<i64, &str> = report
            .users
            .iter()
            .map(|u| (u.user_id, u.name.as_str()))
            .collect();
        Ok(result
            .drawn
            .iter()
            .map(|(rank, user_id, org)| WinnerRow {
                rank: *rank,
                user_id: *user_id,
                name: names
                    .get(user_id)
                    .map_or_else(|| crate::campaign::mask_id(*user_id), |n| n.to_string()),
                org: org.clone(),
            })
            .collect())
    }
}

fn people_headers(en: bool) -> Vec<String> {
    let headers: [(&str, &str); 11] = [
        ("排名", "Rank"),
        ("用户ID", "User id"),
        ("姓名", "Name"),
        ("邀请码", "Code"),
        ("单位名称", "Enterprise"),
        ("答题次数", "Attempts"),
        ("最好成绩", "Best score"),
        ("是否通过", "Passed"),
        ("用时（秒）", "Seconds"),
        ("首次答题", "First attempt"),
        ("最后答题", "Last attempt"),
    ];
    headers
        .iter()
        .map(|(zh, english)| if en { english } else { zh }.to_string())
        .collect()
}

/// One sheet as CSV with a BOM; text through [`csv_safe`], dates as `YYYY-MM-DD HH:MM`.
pub fn sheet_csv(sheet: &Sheet) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let header: Vec<String> = sheet
        .headers
        .iter()
        .map(|h| csv_safe(h).into_owned())
        .collect();
    let _ = writer.write_record(&header);
    for row in &sheet.rows {
        let record: Vec<String> = row
            .iter()
            .map(|cell| match cell {
                Cell::Empty => String::new(),
                Cell::Text(text) => csv_safe(text).into_owned(),
                Cell::Number(n) => n.to_string(),
                Cell::Percent(f) => f.to_string(),
                Cell::DateTime(d) => d.format("%Y-%m-%d %H:%M").to_string(),
            })
            .collect();
        let _ = writer.write_record(&record);
    }
    let bytes = writer.into_inner().unwrap_or_default();
    format!("\u{feff}{}", String::from_utf8_lossy(&bytes))
}

/// `text` if the embedded font draws every character of it.
fn drawable(text: &str) -> Option<String> {
    text.chars()
        .all(|c| c.is_whitespace() || crate::graphics::font::has_glyph(c))
        .then(|| text.to_string())
}

fn topic_label(topic: &TopicUse, en: bool) -> String {
    match (&topic.topic_en, en) {
        (Some(english), true) => english.clone(),
        _ => topic.topic.clone(),
    }
}

/// Unix seconds as a date and time in Asia/Shanghai (UTC+8, no daylight saving).
fn shanghai(unix: i64) -> NaiveDateTime {
    chrono::DateTime::from_timestamp(unix + 8 * 3600, 0)
        .unwrap_or_default()
        .naive_utc()
}

/// The display letter of an option identity (A, B, C...).
fn letter(option: usize) -> char {
    (b'A' + option.min(25) as u8) as char
}

fn round4(value: f64) -> f64 {
    (value * 10_000.0).round() / 10_000.0
}
