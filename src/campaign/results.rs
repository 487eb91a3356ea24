//! Campaign results: the [`Report`] for scripts (`stdquiz campaign report ID --format
//! json`) and the boards `/top` shows in a campaign.
//!
//! Rules:
//! - Only finished attempts give a best score; the best of all versions counts (highest
//!   score, then the shortest time, then the earliest). `passed` compares it with the
//!   campaign's current pass mark.
//! - A participant is a person with a finished attempt; `users` also lists people
//!   whose only attempts are unfinished (`best_score: null`).
//! - People in no listed enterprise have `org: null` and count in no enterprise row.
//! - Rates are rounded to 4 decimals and averages to 2; ranks compare exact figures.
//!   Tied rows share a rank (1, 1, 3).
//! - Question figures count every recorded answer, finished attempt or not.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;

use super::{Attempt, Campaign, Org};

/// Rows shown on a board; the viewer's own row is added when outside them.
pub const BOARD_SIZE: usize = 10;

/// What the caller knows about a person: the name to show (already chosen by the
/// caller) and the enterprise code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    pub user_id: i64,
    pub name: Option<String>,
    pub org: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub campaign: String,
    pub title: String,
    pub version: u32,
    pub pass_mark: u32,
    /// People with a finished attempt.
    pub participants: usize,
    /// Sum of the listed enterprises' headcounts.
    pub headcount: u64,
    /// Participants in listed enterprises over `headcount`; null without enterprises.
    pub participation_rate: Option<f64>,
    /// Passed over participants; null without participants.
    pub pass_rate: Option<f64>,
    /// Ranked: best score, then time taken; people without a finished attempt last.
    pub users: Vec<UserResult>,
    /// In the order of the enterprise list.
    pub orgs: Vec<OrgResult>,
    /// By question id.
    pub questions: Vec<QuestionResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UserResult {
    pub user_id: i64,
    pub name: String,
    pub org: Option<String>,
    /// Attempts started (finished or not).
    pub attempts: u32,
    /// Percent (0-100) of the best finished attempt.
    pub best_score: Option<u32>,
    pub passed: bool,
    /// 1-based, shared by ties; null without a finished attempt.
    pub rank: Option<usize>,
    /// Seconds the best attempt took.
    pub seconds: Option<i64>,
    /// When the first and the last attempt started.
    pub first_attempt_at: i64,
    pub last_attempt_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrgResult {
    pub code: String,
    pub name: String,
    pub headcount: u32,
    pub participants: usize,
    pub participation_rate: f64,
    pub average_best_score: Option<f64>,
    pub pass_rate: Option<f64>,
    #[serde(skip)]
    best_score_sum: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuestionResult {
    pub id: String,
    pub answered: usize,
    pub correct: usize,
}

/// A board: the first [`BOARD_SIZE`] rows, the viewer's row when outside them, and how
/// many rows there are in all.
#[derive(Debug, Clone, PartialEq)]
pub struct Board<R> {
    pub rows: Vec<R>,
    pub mine: Option<R>,
    pub total: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PersonRow {
    pub rank: usize,
    pub user_id: i64,
    pub name: String,
    pub org: Option<String>,
    pub score: u32,
    pub seconds: i64,
    pub me: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OrgRow {
    pub rank: usize,
    pub code: String,
    pub name: String,
    pub participants: usize,
    pub headcount: u32,
    /// The participation rate (0-1) or the average best score (0-100).
    pub value: f64,
    pub me: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OrgBoards {
    /// Every listed enterprise, by participants / headcount.
    pub by_participation: Board<OrgRow>,
    /// Enterprises with participants, by their average best score.
    pub by_score: Board<OrgRow>,
}

/// The label for a person without a name: `用户****1234`, the id's last four digits.
pub fn mask_id(user_id: i64) -> String {
    format!("用户****{:04}", user_id.unsigned_abs() % 10_000)
}

impl Report {
    /// The report of `campaign` (attempts of other campaigns are ignored).
    pub fn compute(
        campaign: &Campaign,
        orgs: &[Org],
        participants: &[Participant],
        attempts: &[Attempt],
    ) -> Report {
        let known: HashMap<i64, &Participant> =
            participants.iter().map(|p| (p.user_id, p)).collect();
        let listed: HashSet<&str> = orgs.iter().map(|o| o.code.as_str()).collect();
        let mut by_user: BTreeMap<i64, Vec<&Attempt>> = BTreeMap::new();
        let mut questions: BTreeMap<&str, QuestionResult> = BTreeMap::new();
        for attempt in attempts.iter().filter(|a| a.campaign == campaign.id) {
            by_user.entry(attempt.user_id).or_default().push(attempt);
            for answer in &attempt.answers {
                let row = questions
                    .entry(answer.question.as_str())
                    .or_insert_with(|| QuestionResult {
                        id: answer.question.clone(),
                        answered: 0,
                        correct: 0,
                    });
                row.answered += 1;
                row.correct += usize::from(answer.correct);
            }
        }

        let mut users: Vec<UserResult> = by_user
            .into_iter()
            .map(|(user_id, attempts)| {
                let person = known.get(&user_id);
                let org = person
                    .and_then(|p| p.org.as_deref())
                    .filter(|code| listed.contains(code))
                    .map(str::to_string);
                let name = person
                    .and_then(|p| p.name.clone())
                    .unwrap_or_else(|| mask_id(user_id));
                let best = attempts
                    .iter()
                    .filter(|a| a.is_finished())
                    .min_by(|a, b| better(a, b));
                let best_score = best.map(|a| a.score_percent());
                UserResult {
                    user_id,
                    name,
                    org,
                    attempts: attempts.len() as u32,
                    best_score,
                    passed: best_score.is_some_and(|s| s >= campaign.pass_mark),
                    rank: None,
                    seconds: best.and_then(|a| a.seconds()),
                    first_attempt_at: attempts.iter().map(|a| a.started_at).min().unwrap_or(0),
                    last_attempt_at: attempts.iter().map(|a| a.started_at).max().unwrap_or(0),
                }
            })
            .collect();
        users.sort_by(|a, b| person_order(a, b).then_with(|| a.user_id.cmp(&b.user_id)));
        for i in 0..users.len() {
            if users[i].best_score.is_none() {
                break;
            }
            users[i].rank = Some(match i {
                0 => 1,
                _ if person_order(&users[i - 1], &users[i]) == Ordering::Equal => {
                    users[i - 1].rank.unwrap_or(1)
                }
                _ => i + 1,
            });
        }

        // (participants, sum of best scores, passed) per enterprise code.
        let mut tallies: HashMap<&str, (usize, u64, usize)> = HashMap::new();
        for user in &users {
            let (Some(code), Some(best)) = (user.org.as_deref(), user.best_score) else {
                continue;
            };
            let tally = tallies.entry(code).or_default();
            tally.0 += 1;
            tally.1 += u64::from(best);
            tally.2 += usize::from(user.passed);
        }
        let org_rows: Vec<OrgResult> = orgs
            .iter()
            .map(|org| {
                let (count, sum, passed) =
                    tallies.get(org.code.as_str()).copied().unwrap_or_default();
                OrgResult {
                    code: org.code.clone(),
                    name: org.name.clone(),
                    headcount: org.headcount,
                    participants: count,
                    participation_rate: round(count as f64 / f64::from(org.headcount.max(1)), 4),
                    average_best_score: (count > 0).then(|| round(sum as f64 / count as f64, 2)),
                    pass_rate: (count > 0).then(|| round(passed as f64 / count as f64, 4)),
                    best_score_sum: sum,
                }
            })
            .collect();

        let finished: Vec<&UserResult> = users.iter().filter(|u| u.best_score.is_some()).collect();
        let headcount: u64 = orgs.iter().map(|o| u64::from(o.headcount)).sum();
        let in_orgs: usize = org_rows.iter().map(|o| o.participants).sum();
        let passed = finished.iter().filter(|u| u.passed).count();
        Report {
            campaign: campaign.id.clone(),
            title: campaign.title.clone(),
            version: campaign.version,
            pass_mark: campaign.pass_mark,
            participants: finished.len(),
            headcount,
            participation_rate: (headcount > 0)
                .then(|| round(in_orgs as f64 / headcount as f64, 4)),
            pass_rate: (!finished.is_empty())
                .then(|| round(passed as f64 / finished.len() as f64, 4)),
            users,
            orgs: org_rows,
            questions: questions.into_values().collect(),
        }
    }
}

/// People by best score, then by time taken; `me` marks the viewer's row.
pub fn people_board(report: &Report, me: i64) -> Board<PersonRow> {
    let rows = report
        .users
        .iter()
        .filter_map(|u| {
            Some(PersonRow {
                rank: u.rank?,
                user_id: u.user_id,
                name: u.name.clone(),
                org: u.org.clone(),
                score: u.best_score?,
                seconds: u.seconds.unwrap_or(0),
                me: u.user_id == me,
            })
        })
        .collect();
    board(rows, |r: &PersonRow| r.me)
}

/// Enterprises by participation rate and by average best score; `my_org` (a code)
/// marks the viewer's enterprise.
pub fn org_boards(report: &Report, my_org: Option<&str>) -> OrgBoards {
    let row = |org: &OrgResult, value: f64| OrgRow {
        rank: 0,
        code: org.code.clone(),
        name: org.name.clone(),
        participants: org.participants,
        headcount: org.headcount,
        value,
        me: my_org == Some(org.code.as_str()),
    };
    // Exact comparisons: a/b against c/d as a*d against c*b.
    let rate_order = |a: &OrgResult, b: &OrgResult| {
        (b.participants as u64 * u64::from(a.headcount.max(1)))
            .cmp(&(a.participants as u64 * u64::from(b.headcount.max(1))))
    };
    let score_order = |a: &OrgResult, b: &OrgResult| {
        (u128::from(b.best_score_sum) * a.participants as u128)
            .cmp(&(u128::from(a.best_score_sum) * b.participants as u128))
    };
    let ranked = |mut orgs: Vec<&OrgResult>,
                  order: &dyn Fn(&OrgResult, &OrgResult) -> Ordering,
                  value: &dyn Fn(&OrgResult) -> f64| {
        orgs.sort_by(|a, b| {
            order(a, b)
                .then_with(|| b.participants.cmp(&a.participants))
                .then_with(|| a.name.cmp(&b.name))
        });
        let mut rows: Vec<OrgRow> = Vec::with_capacity(orgs.len());
        for (i, org) in orgs.iter().enumerate() {
            let mut r = row(org, value(org));
            r.rank = match i {
                0 => 1,
                _ if order(orgs[i - 1], org) == Ordering::Equal => rows[i - 1].rank,
                _ => i + 1,
            };
            rows.push(r);
        }
        board(rows, |r: &OrgRow| r.me)
    };
    OrgBoards {
        by_participation: ranked(report.orgs.iter().collect(), &rate_order, &|o| {
            o.participation_rate
        }),
        by_score: ranked(
            report.orgs.iter().filter(|o| o.participants > 0).collect(),
            &score_order,
            &|o| o.average_best_score.unwrap_or(0.0),
        ),
    }
}

/// Which of two finished attempts is better: higher score, then shorter, then earlier.
fn better(a: &Attempt, b: &Attempt) -> Ordering {
    b.score_percent()
        .cmp(&a.score_percent())
        .then_with(|| a.seconds().cmp(&b.seconds()))
        .then_with(|| a.started_at.cmp(&b.started_at))
}

/// Board order of people: finished first, best score down, time up. Equal means tied.
fn person_order(a: &UserResult, b: &UserResult) -> Ordering {
    match (a.best_score, b.best_score) {
        (Some(x), Some(y)) => y.cmp(&x).then_with(|| a.seconds.cmp(&b.seconds)),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

fn board<R: Clone>(mut rows: Vec<R>, is_me: impl Fn(&R) -> bool) -> Board<R> {
    let total = rows.len();
    let mine = rows.iter().skip(BOARD_SIZE).find(|r| is_me(r)).cloned();
    rows.truncate(BOARD_SIZE);
    Board { rows, mine, total }
}

fn round(value: f64, decimals: i32) -> f64 {
    let factor = 10f64.powi(decimals);
    (value * factor).round() / factor
}
