//! One person's attempt at a campaign: drawing its questions, recording answers, the
//! score, and whether a new attempt may start now.
//!
//! ```text
//! user: (opens t.me/<bot>?start=c-wsd-2026 on 7 October)
//! bot:  opens 2026-10-08 09:00                      availability -> NotYet
//! user: (on 9 October, 0 of 3 attempts used)        availability -> Open { left: 3 }
//! bot:  question 1 of 10 ...                        Attempt::start, current()
//! user: B                                           record(.., correct, [1], now) -> Next
//! ...                                               record(..) -> Finished
//! bot:  80%, passed; best 80%; rank 3 of 41         score_percent, passed, Report
//! ```

use std::collections::BTreeMap;

use rand::seq::SliceRandom;
use rand::Rng;
use serde::{Deserialize, Serialize};

use super::Campaign;
use crate::bank::Question;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    pub user_id: i64,
    pub campaign: String,
    /// The campaign version the attempt was drawn from.
    pub version: u32,
    /// 1-based among the person's attempts at this campaign.
    pub number: u32,
    /// Question ids in the order asked.
    pub questions: Vec<String>,
    /// In the order answered; the next question is `questions[answers.len()]`.
    pub answers: Vec<AttemptAnswer>,
    pub started_at: i64,
    pub finished_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttemptAnswer {
    pub question: String,
    pub correct: bool,
    /// Option identities chosen; empty for judge and fill answers and skips.
    pub chosen: Vec<usize>,
}

/// What recording an answer did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    /// Recorded; this question comes next.
    Next(String),
    /// Recorded, and it was the last question.
    Finished,
    /// Not recorded: the question is not the current one (a stale button) or the
    /// attempt is over.
    Stale,
}

/// Whether a person may start an attempt now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Availability {
    /// Before `starts`.
    NotYet { opens: i64 },
    /// After `ends`.
    Closed,
    /// The window is open but every attempt is used.
    NoAttemptsLeft,
    /// An attempt may start; `left` counts it.
    Open { left: u32 },
}

/// Checks the window (inclusive at both ends) and the attempts used (started ones,
/// finished or not, of any version). An attempt already running is resumed, not started,
/// so the service lets it finish even past `ends`.
pub fn availability(campaign: &Campaign, now: i64, attempts_used: u32) -> Availability {
    if now < campaign.starts {
        return Availability::NotYet {
            opens: campaign.starts,
        };
    }
    if now > campaign.ends {
        return Availability::Closed;
    }
    match campaign.attempts.checked_sub(attempts_used) {
        Some(left) if left > 0 => Availability::Open { left },
        _ => Availability::NoAttemptsLeft,
    }
}

/// How many questions of each difficulty an attempt of `count` questions draws from
/// `pool`: proportional to the pool (largest remainders, ties to the lower difficulty).
/// It depends only on how many questions of each difficulty the pool holds, so everyone
/// gets the same mix.
pub fn difficulty_mix(pool: &[&Question], count: usize) -> BTreeMap<u8, usize> {
    let mut sizes: BTreeMap<u8, usize> = BTreeMap::new();
    for question in pool {
        *sizes.entry(question.difficulty).or_default() += 1;
    }
    let total = pool.len();
    let count = count.min(total);
    if total == 0 {
        return BTreeMap::new();
    }
    let mut mix: BTreeMap<u8, usize> = sizes
        .iter()
        .map(|(&difficulty, &size)| (difficulty, size * count / total))
        .collect();
    let mut remainders: Vec<(usize, u8)> = sizes
        .iter()
        .map(|(&difficulty, &size)| (size * count % total, difficulty))
        .collect();
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let missing = count - mix.values().sum::<usize>();
    for (_, difficulty) in remainders.into_iter().take(missing) {
        *mix.entry(difficulty).or_default() += 1;
    }
    mix
}

/// Draws `count` question ids (all of the pool if it is smaller): the per-difficulty
/// counts of [`difficulty_mix`], the questions within each difficulty and their order
/// chosen with `rng`, so each person gets their own draw.
pub fn draw_questions(pool: &[&Question], count: usize, rng: &mut impl Rng) -> Vec<String> {
    let mix = difficulty_mix(pool, count);
    let mut drawn = Vec::with_capacity(count.min(pool.len()));
    for (&difficulty, &wanted) in &mix {
        let mut candidates: Vec<&str> = pool
            .iter()
            .filter(|q| q.difficulty == difficulty)
            .map(|q| q.id.as_str())
            .collect();
        // Sorted first so the draw depends on the seed, not on the pool's order.
        candidates.sort_unstable();
        candidates.dedup();
        drawn.extend(
            candidates
                .choose_multiple(rng, wanted)
                .map(|id| id.to_string()),
        );
    }
    drawn.shuffle(rng);
    drawn
}

impl Attempt {
    /// A new attempt drawn from `pool` (see [`Campaign::pool`]); `number` is one more
    /// than the attempts the person has started. None when the pool is empty (the bank
    /// lost the campaign's topics since the import).
    pub fn start(
        campaign: &Campaign,
        user_id: i64,
        number: u32,
        pool: &[&Question],
        now: i64,
        rng: &mut impl Rng,
    ) -> Option<Attempt> {
        if pool.is_empty() {
            return None;
        }
        Some(Attempt {
            user_id,
            campaign: campaign.id.clone(),
            version: campaign.version,
            number,
            questions: draw_questions(pool, campaign.questions, rng),
            answers: Vec::new(),
            started_at: now,
            finished_at: None,
        })
    }

    /// The question to ask now, or None when the attempt is over.
    pub fn current(&self) -> Option<&str> {
        if self.finished_at.is_some() {
            return None;
        }
        self.questions.get(self.answers.len()).map(String::as_str)
    }

    pub fn is_finished(&self) -> bool {
        self.finished_at.is_some()
    }

    /// Records the answer to the current question (a skip is `correct: false` with no
    /// options) and finishes the attempt after the last one.
    pub fn record(
        &mut self,
        question: &str,
        correct: bool,
        chosen: Vec<usize>,
        now: i64,
    ) -> Recorded {
        if self.current() != Some(question) {
            return Recorded::Stale;
        }
        self.answers.push(AttemptAnswer {
            question: question.to_string(),
            correct,
            chosen,
        });
        match self.current() {
            Some(next) => Recorded::Next(next.to_string()),
            None => {
                self.finished_at = Some(now);
                Recorded::Finished
            }
        }
    }

    /// Ends the attempt now (the person stopped); unanswered questions count as wrong.
    pub fn finish(&mut self, now: i64) {
        if self.finished_at.is_none() {
            self.finished_at = Some(now);
        }
    }

    pub fn correct(&self) -> usize {
        self.answers.iter().filter(|a| a.correct).count()
    }

    /// Correct answers as a whole percentage of the questions drawn, rounded down, so
    /// `score_percent() >= pass_mark` exactly when the attempt reached the pass mark.
    pub fn score_percent(&self) -> u32 {
        match self.questions.len() {
            0 => 0,
            total => (self.correct() * 100 / total) as u32,
        }
    }

    pub fn passed(&self, pass_mark: u32) -> bool {
        self.is_finished() && self.score_percent() >= pass_mark
    }

    /// Seconds from start to finish, for finished attempts.
    pub fn seconds(&self) -> Option<i64> {
        self.finished_at.map(|end| (end - self.started_at).max(0))
    }
}
