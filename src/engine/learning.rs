//! The learning loop: points, 每日一题, 挑战答题, 错题本 (SM-2 review), stats and leaderboards.
//!
//! Points scheme v1 (stored with every logged answer, so a later scheme never rewrites history):
//! a correct answer earns 10 × difficulty (10/20/30); answer points are capped at
//! [`DAILY_POINT_CAP`] per Asia/Shanghai day; answering the daily question correctly adds a
//! streak bonus of 5 × streak, at most [`STREAK_BONUS_CAP`], outside the cap.

use chrono::{DateTime, Datelike, Duration, NaiveDate};
use rand::seq::SliceRandom;
use rand::Rng;

use super::quiz;
use super::state::Card;
use super::{Mode, Outcome, Reply, UserRecord};
use crate::bank::{Bank, Question};

pub const POINTS_SCHEME_VERSION: u32 = 1;
pub const DAILY_POINT_CAP: u32 = 200;
pub const STREAK_BONUS_CAP: u32 = 50;
/// Streak bonus per day of the daily-question streak.
pub const STREAK_BONUS_PER_DAY: u32 = 5;
/// Misses after which a review question is shown with its explanation first.
pub const HARD_AFTER_MISSES: u32 = 4;
/// Questions per review session.
const REVIEW_BATCH: usize = 10;
/// First review of a missed question, in seconds (a short learning step).
const RELEARN_DELAY: i64 = 10 * 60;
/// A card whose next interval would exceed this many days is considered learned.
const LEARNED_AFTER_DAYS: f64 = 30.0;
/// SM-2: the ease a new card starts with, what a lapse takes off, and its floor.
const INITIAL_EASE: f64 = 2.5;
const EASE_PENALTY: f64 = 0.2;
const MIN_EASE: f64 = 1.3;
/// SM-2: the first two intervals after a lapse, in days; later ones multiply by the ease.
const FIRST_INTERVAL_DAYS: f64 = 1.0;
const SECOND_INTERVAL_DAYS: f64 = 6.0;
/// Points for a correct answer, per difficulty level (scheme v1: 10/20/30).
pub const POINTS_PER_DIFFICULTY: u32 = 10;
/// Minimum answers to appear on the accuracy board.
pub const ACCURACY_BOARD_MIN_ANSWERS: u32 = 10;
const SHANGHAI_OFFSET_SECONDS: i64 = 8 * 3600;
const DAY: i64 = 24 * 3600;

/// The Asia/Shanghai calendar date of a unix time. (Shanghai has had no DST since 1991.)
pub fn shanghai_date(now: i64) -> NaiveDate {
    DateTime::from_timestamp(now + SHANGHAI_OFFSET_SECONDS, 0)
        .map(|t| t.date_naive())
        .unwrap_or_default()
}

pub fn day_key(now: i64) -> String {
    shanghai_date(now).format("%Y-%m-%d").to_string()
}

/// The seven day keys (Monday first) of the Asia/Shanghai week containing `now`.
pub fn week_days(now: i64) -> Vec<String> {
    let date = shanghai_date(now);
    let monday = date - Duration::days(i64::from(date.weekday().num_days_from_monday()));
    (0..7)
        .map(|d| (monday + Duration::days(d)).format("%Y-%m-%d").to_string())
        .collect()
}

/// Updates tallies, progress and review cards for one answer; returns the points earned.
pub(super) fn record_answer(
    user: &mut UserRecord,
    question: &Question,
    mode: Mode,
    correct: bool,
    now: i64,
) -> u32 {
    user.answered += 1;
    user.correct += u32::from(correct);
    user.last_active = now;
    let topic = user.topics.entry(question.topic.clone()).or_default();
    topic.answered += 1;
    topic.correct += u32::from(correct);
    let progress = user.progress.entry(question.id.clone()).or_default();
    progress.seen += 1;
    progress.last_at = now;
    progress.last_correct = correct;
    if correct {
        progress.correct += 1;
    } else {
        progress.wrong += 1;
    }
    let day = user.days.entry(day_key(now)).or_default();
    day.answered += 1;
    day.correct += u32::from(correct);
    let points = if correct {
        let earned = POINTS_PER_DIFFICULTY * u32::from(question.difficulty);
        earned.min(DAILY_POINT_CAP.saturating_sub(day.points))
    } else {
        0
    };
    day.points += points;
    schedule(user, &question.id, mode, correct, now);
    points
}

/// SM-2: a miss (in any mode) lapses the card; a correct review stretches its interval.
fn schedule(user: &mut UserRecord, question_id: &str, mode: Mode, correct: bool, now: i64) {
    if !correct {
        let card = user.cards.entry(question_id.to_string()).or_insert(Card {
            due: now,
            interval_days: 0.0,
            ease: INITIAL_EASE,
            reps: 0,
            lapses: 0,
        });
        card.lapses += 1;
        card.reps = 0;
        card.interval_days = 0.0;
        card.ease = (card.ease - EASE_PENALTY).max(MIN_EASE);
        card.due = now + RELEARN_DELAY;
        return;
    }
    if mode != Mode::Review {
        return;
    }
    let Some(card) = user.cards.get_mut(question_id) else {
        return;
    };
    card.reps += 1;
    card.interval_days = match card.reps {
        1 => FIRST_INTERVAL_DAYS,
        2 => SECOND_INTERVAL_DAYS,
        _ => card.interval_days * card.ease,
    };
    if card.interval_days > LEARNED_AFTER_DAYS {
        user.cards.remove(question_id);
        return;
    }
    card.due = now + (card.interval_days * DAY as f64) as i64;
}

/// The daily question: the same for everyone on a given Asia/Shanghai day.
pub fn daily_question(bank: &Bank, now: i64) -> Option<&Question> {
    let mut ids: Vec<&Question> = bank.questions().iter().collect();
    if ids.is_empty() {
        return None;
    }
    ids.sort_by(|a, b| a.id.cmp(&b.id));
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in day_key(now).as_bytes() {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    Some(ids[(hash % ids.len() as u64) as usize])
}

pub(super) fn start_daily(
    bank: &Bank,
    user: &mut UserRecord,
    now: i64,
    rng: &mut impl Rng,
    out: &mut Outcome,
) {
    let today = day_key(now);
    if user.daily.last_date.as_deref() == Some(today.as_str()) {
        out.replies.push(Reply::DailyAlready {
            streak: current_streak(user, now),
            best: user.daily.best_streak,
        });
        return;
    }
    let Some(question) = daily_question(bank, now) else {
        out.replies.push(Reply::NoQuestions { topic: None });
        return;
    };
    let id = question.id.clone();
    quiz::begin(
        bank,
        user,
        Mode::Daily,
        None,
        vec![id],
        Some(today),
        now,
        rng,
        out,
    );
}

pub(super) fn finish_daily(user: &mut UserRecord, correct: bool, now: i64, out: &mut Outcome) {
    let day = user
        .session
        .as_ref()
        .and_then(|s| s.day.clone())
        .unwrap_or_else(|| day_key(now));
    let yesterday = NaiveDate::parse_from_str(&day, "%Y-%m-%d")
        .map(|d| (d - Duration::days(1)).format("%Y-%m-%d").to_string())
        .unwrap_or_default();
    user.daily.streak = if user.daily.last_date.as_deref() == Some(yesterday.as_str()) {
        user.daily.streak + 1
    } else {
        1
    };
    user.daily.best_streak = user.daily.best_streak.max(user.daily.streak);
    user.daily.last_date = Some(day);
    let bonus = if correct {
        (STREAK_BONUS_PER_DAY * user.daily.streak).min(STREAK_BONUS_CAP)
    } else {
        0
    };
    if bonus > 0 {
        user.days.entry(day_key(now)).or_default().points += bonus;
        if let Some(log) = out.log.last_mut() {
            log.points += bonus;
        }
    }
    out.changed = true;
    out.replies.push(Reply::DailyDone {
        streak: user.daily.streak,
        best: user.daily.best_streak,
        bonus,
    });
}

/// The streak still alive at `now`: the daily question was answered today or yesterday.
pub fn current_streak(user: &UserRecord, now: i64) -> u32 {
    let today = shanghai_date(now);
    let alive = user
        .daily
        .last_date
        .as_deref()
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .is_some_and(|d| (today - d).num_days() <= 1);
    if alive {
        user.daily.streak
    } else {
        0
    }
}

pub(super) fn start_challenge(
    bank: &Bank,
    user: &mut UserRecord,
    now: i64,
    rng: &mut impl Rng,
    out: &mut Outcome,
) {
    let mut ids: Vec<String> = bank.questions().iter().map(|q| q.id.clone()).collect();
    if ids.is_empty() {
        out.replies.push(Reply::NoQuestions { topic: None });
        return;
    }
    ids.shuffle(rng);
    // Easier questions first, so a run climbs in difficulty.
    ids.sort_by_key(|id| bank.get(id).map_or(0, |q| q.difficulty));
    quiz::begin(bank, user, Mode::Challenge, None, ids, None, now, rng, out);
}

pub(super) fn finish_challenge(user: &mut UserRecord, out: &mut Outcome) {
    let Some(session) = user.session.take() else {
        return;
    };
    let score = session
        .results
        .iter()
        .filter(|r| r.correct == Some(true))
        .count() as u32;
    let new_best = score > user.challenge_best;
    user.challenge_best = user.challenge_best.max(score);
    out.changed = true;
    out.replies.push(Reply::ChallengeOver {
        score,
        best: user.challenge_best,
        new_best,
    });
}

pub(super) fn start_review(
    bank: &Bank,
    user: &mut UserRecord,
    now: i64,
    rng: &mut impl Rng,
    out: &mut Outcome,
) {
    let mut due: Vec<(&String, &Card)> = user
        .cards
        .iter()
        .filter(|(id, card)| card.due <= now && bank.get(id).is_some())
        .collect();
    if due.is_empty() {
        let next_due = user
            .cards
            .iter()
            .filter(|(id, _)| bank.get(id).is_some())
            .map(|(_, c)| c.due)
            .min();
        out.replies.push(Reply::ReviewEmpty {
            next_due,
            cards: user.cards.len(),
        });
        return;
    }
    due.sort_by_key(|(_, card)| card.due);
    let ids: Vec<String> = due
        .into_iter()
        .take(REVIEW_BATCH)
        .map(|(id, _)| id.clone())
        .collect();
    quiz::begin(bank, user, Mode::Review, None, ids, None, now, rng, out);
}

pub(super) fn set_name(user: &mut UserRecord, name: &str, out: &mut Outcome) {
    let name = crate::text::clean_name(name, 40);
    let length = name.chars().count();
    if !(1..=20).contains(&length) || name.starts_with('/') {
        out.replies.push(Reply::NameInvalid);
        return;
    }
    user.name = Some(name.clone());
    out.changed = true;
    out.replies.push(Reply::NameSet(name));
}

#[derive(Debug, Clone, PartialEq)]
pub struct StatsView {
    pub answered: u32,
    pub correct: u32,
    pub streak: u32,
    pub best_streak: u32,
    pub challenge_best: u32,
    pub points_total: u32,
    pub points_week: u32,
    /// (topic, correct, answered, questions in bank)
    pub topics: Vec<(String, u32, u32, usize)>,
    /// (day key, answered) Monday to Sunday of this week.
    pub week: Vec<(String, u32)>,
    pub review_due: usize,
    pub in_session: bool,
}

pub fn stats_view(bank: &Bank, user: &UserRecord, now: i64) -> StatsView {
    let mut topics: Vec<(String, u32, u32, usize)> = bank
        .topics()
        .into_iter()
        .map(|(topic, _, count)| {
            let tally = user.topics.get(&topic).copied().unwrap_or_default();
            (topic, tally.correct, tally.answered, count)
        })
        .collect();
    for (topic, tally) in &user.topics {
        if !topics.iter().any(|t| t.0 == *topic) {
            topics.push((topic.clone(), tally.correct, tally.answered, 0));
        }
    }
    let week_keys = week_days(now);
    StatsView {
        answered: user.answered,
        correct: user.correct,
        streak: current_streak(user, now),
        best_streak: user.daily.best_streak,
        challenge_best: user.challenge_best,
        points_total: user.days.values().map(|d| d.points).sum(),
        points_week: week_keys
            .iter()
            .filter_map(|k| user.days.get(k))
            .map(|d| d.points)
            .sum(),
        topics,
        week: week_keys
            .iter()
            .map(|k| (k.clone(), user.days.get(k).map_or(0, |d| d.answered)))
            .collect(),
        review_due: user.cards.values().filter(|c| c.due <= now).count(),
        in_session: user.session.is_some(),
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rank {
    /// 1-based; tied players share a rank.
    pub position: usize,
    pub of: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BoardRow {
    pub rank: usize,
    pub name: String,
    pub value: u32,
    /// Accuracy boards show correct/answered.
    pub detail: Option<(u32, u32)>,
    pub me: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Board {
    pub rows: Vec<BoardRow>,
    /// The user's own row when outside the shown rows.
    pub mine: Option<BoardRow>,
    pub players: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TopView {
    pub week: Board,
    pub all_time: Board,
    pub accuracy: Board,
    pub has_name: bool,
}

/// The name shown on boards: the user's chosen name, or an anonymous label.
pub fn display_name(user: &UserRecord) -> String {
    match &user.name {
        Some(name) => name.clone(),
        None => format!(
            "#{:04}",
            (user.id.unsigned_abs().wrapping_mul(2_654_435_761) >> 7) % 10_000
        ),
    }
}

/// One candidate row: user id, display name, value, optional (correct, answered).
type Candidate = (i64, String, u32, Option<(u32, u32)>);

/// Ranks candidate rows: higher is better, ties share a rank.
fn board(mut rows: Vec<Candidate>, me: i64, shown: usize) -> Board {
    rows.sort_by(|a, b| {
        b.2.cmp(&a.2)
            .then_with(|| a.1.cmp(&b.1))
            .then(a.0.cmp(&b.0))
    });
    let mut ranked = Vec::with_capacity(rows.len());
    let mut rank = 0;
    for (i, (id, name, value, detail)) in rows.iter().enumerate() {
        if i == 0 || rows[i - 1].2 != *value {
            rank = i + 1;
        }
        ranked.push(BoardRow {
            rank,
            name: name.clone(),
            value: *value,
            detail: *detail,
            me: *id == me,
        });
    }
    let players = ranked.len();
    let mine = ranked.iter().skip(shown).find(|r| r.me).cloned();
    ranked.truncate(shown);
    Board {
        rows: ranked,
        mine,
        players,
    }
}

/// Week, all-time and accuracy boards over every user who has answered.
pub fn leaderboards(users: &[UserRecord], me: i64, now: i64) -> TopView {
    let week = week_days(now);
    let players: Vec<&UserRecord> = users.iter().filter(|u| u.answered > 0).collect();
    let points = |u: &UserRecord| u.days.values().map(|d| d.points).sum::<u32>();
    let week_points = |u: &UserRecord| {
        week.iter()
            .filter_map(|k| u.days.get(k))
            .map(|d| d.points)
            .sum::<u32>()
    };
    let week_board = board(
        players
            .iter()
            .filter(|u| week_points(u) > 0 || u.id == me)
            .map(|u| (u.id, display_name(u), week_points(u), None))
            .collect(),
        me,
        10,
    );
    let all_board = board(
        players
            .iter()
            .map(|u| (u.id, display_name(u), points(u), None))
            .collect(),
        me,
        10,
    );
    let accuracy = board(
        players
            .iter()
            .filter(|u| u.answered >= ACCURACY_BOARD_MIN_ANSWERS)
            .map(|u| {
                (
                    u.id,
                    display_name(u),
                    u.correct * 1000 / u.answered.max(1),
                    Some((u.correct, u.answered)),
                )
            })
            .collect(),
        me,
        10,
    );
    let has_name = users.iter().any(|u| u.id == me && u.name.is_some());
    TopView {
        week: week_board,
        all_time: all_board,
        accuracy,
        has_name,
    }
}

/// The user's rank by challenge best among everyone who has played a challenge.
pub fn challenge_rank(users: &[UserRecord], me: i64) -> Option<Rank> {
    let mine = users.iter().find(|u| u.id == me)?.challenge_best;
    let players = users
        .iter()
        .filter(|u| u.challenge_best > 0 || u.id == me)
        .count();
    let better = users.iter().filter(|u| u.challenge_best > mine).count();
    Some(Rank {
        position: better + 1,
        of: players,
    })
}
