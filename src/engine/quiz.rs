//! Quiz sessions: choosing questions, presenting them, checking answers, summaries.
//!
//! ```text
//! user: /quiz 标准化法
//! bot:  开始练习：标准化法，共 10 题
//! bot:  第 1/10 题 [单选] ...  A. ... B. ...        (buttons A B C D)
//! user: (taps B)
//! bot:  ✅ 回答正确 ... 解析 ... 出处 ...
//! bot:  第 2/10 题 ...
//! ...
//! bot:  练习结束：8/10 ... 用时 3分12秒 ... 各知识点 ...
//! ```

use rand::seq::SliceRandom;
use rand::Rng;

use super::learning;
use super::{
    AnswerLog, AttemptOver, CampaignTag, Feedback, Given, Mode, Outcome, QuestionView, Reply,
    Session, SessionResult, Summary, UserRecord, DEFAULT_QUIZ_LENGTH, MAX_QUIZ_LENGTH,
};
use crate::bank::{parse_choice_letters, parse_judge, Bank, Kind, Question};

pub(super) enum Press {
    Choose(usize),
    Toggle(usize),
    Submit,
}

pub(super) fn start_practice(
    bank: &Bank,
    user: &mut UserRecord,
    topic_query: Option<String>,
    length: Option<usize>,
    now: i64,
    rng: &mut impl Rng,
    out: &mut Outcome,
) {
    let topic = match topic_query
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        None => None,
        Some(query) => match bank.find_topic(query) {
            Some(topic) => Some(topic),
            None => {
                out.replies.push(Reply::UnknownTopic {
                    query: query.to_string(),
                });
                return;
            }
        },
    };
    let length = length
        .unwrap_or(DEFAULT_QUIZ_LENGTH)
        .clamp(1, MAX_QUIZ_LENGTH);
    let pool: Vec<&Question> = bank
        .questions()
        .iter()
        .filter(|q| topic.as_ref().is_none_or(|t| q.topic == *t))
        .collect();
    if pool.is_empty() {
        out.replies.push(Reply::NoQuestions { topic });
        return;
    }
    let picked = pick_preferring_new(user, pool, length, rng);
    begin(
        bank,
        user,
        Mode::Practice,
        topic,
        picked,
        None,
        now,
        rng,
        out,
    );
}

/// Unseen questions and ones last answered wrong come first, each tier shuffled.
fn pick_preferring_new(
    user: &UserRecord,
    pool: Vec<&Question>,
    length: usize,
    rng: &mut impl Rng,
) -> Vec<String> {
    let (mut fresh, mut known): (Vec<&Question>, Vec<&Question>) = pool
        .into_iter()
        .partition(|q| user.progress.get(&q.id).is_none_or(|p| !p.last_correct));
    fresh.shuffle(rng);
    known.shuffle(rng);
    known.sort_by_key(|q| user.progress.get(&q.id).map_or(0, |p| p.last_at));
    fresh
        .into_iter()
        .chain(known)
        .take(length)
        .map(|q| q.id.clone())
        .collect()
}

/// Starts a campaign attempt, or shows the current question of the one already running.
pub(super) fn start_campaign(
    bank: &Bank,
    user: &mut UserRecord,
    tag: CampaignTag,
    questions: Vec<String>,
    now: i64,
    rng: &mut impl Rng,
    out: &mut Outcome,
) {
    let running = user.session.as_ref().and_then(|s| s.campaign.as_ref());
    if running.is_some_and(|t| t.campaign == tag.campaign) {
        present(bank, user, now, rng, out);
        return;
    }
    if questions.is_empty() {
        out.replies.push(Reply::NoQuestions { topic: None });
        return;
    }
    // The heading names the campaign (its id stands where a topic would).
    let heading = Some(tag.campaign.clone());
    begin(
        bank,
        user,
        Mode::Campaign,
        heading,
        questions,
        None,
        now,
        rng,
        out,
    );
    if let Some(session) = user.session.as_mut() {
        session.campaign = Some(tag);
        session.topic = None;
    }
}

fn in_campaign(user: &UserRecord) -> bool {
    user.session
        .as_ref()
        .is_some_and(|s| s.mode == Mode::Campaign)
}

/// Starts a session of the given questions, replacing any running one (but never a
/// campaign attempt, which only ends by being answered or stopped).
#[allow(clippy::too_many_arguments)]
pub(super) fn begin(
    bank: &Bank,
    user: &mut UserRecord,
    mode: Mode,
    topic: Option<String>,
    questions: Vec<String>,
    day: Option<String>,
    now: i64,
    rng: &mut impl Rng,
    out: &mut Outcome,
) {
    if mode != Mode::Campaign && in_campaign(user) {
        out.replies.push(Reply::CampaignInProgress);
        present(bank, user, now, rng, out);
        return;
    }
    let id = user.next_session_id.max(1);
    user.next_session_id = id.wrapping_add(1).max(1);
    let total = questions.len();
    user.session = Some(Session {
        id,
        mode,
        topic: topic.clone(),
        questions,
        index: 0,
        order: Vec::new(),
        selected: Vec::new(),
        results: Vec::new(),
        started_at: now,
        day,
        campaign: None,
    });
    out.changed = true;
    out.replies.push(Reply::QuizStarted { mode, topic, total });
    present(bank, user, now, rng, out);
}

/// Shows the current question with a fresh option order, or ends the session.
fn present(bank: &Bank, user: &mut UserRecord, now: i64, rng: &mut impl Rng, out: &mut Outcome) {
    loop {
        let Some(session) = user.session.as_mut() else {
            return;
        };
        let Some(id) = session.current().map(str::to_string) else {
            return;
        };
        let Some(question) = bank.get(&id) else {
            // Retired since the session began: drop it and move on.
            session.questions.remove(session.index);
            if session.current().is_none() {
                finish(user, true, now, out);
                return;
            }
            continue;
        };
        session.order = match question.kind {
            Kind::Single | Kind::Multi => {
                let mut order: Vec<usize> = (0..question.options.len()).collect();
                order.shuffle(rng);
                order
            }
            Kind::Judge => vec![0, 1],
            Kind::Fill => Vec::new(),
        };
        session.selected.clear();
        let hard = session.mode == Mode::Review
            && user
                .progress
                .get(&id)
                .is_some_and(|p| p.wrong >= learning::HARD_AFTER_MISSES);
        out.replies.push(Reply::Question(view(session, hard)));
        out.changed = true;
        return;
    }
}

fn view(session: &Session, hard: bool) -> QuestionView {
    QuestionView {
        session: session.id,
        mode: session.mode,
        question: session.current().unwrap_or_default().to_string(),
        index: session.index,
        total: (session.mode != Mode::Challenge).then_some(session.questions.len()),
        order: session.order.clone(),
        selected: session.selected.clone(),
        hard,
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn on_button(
    bank: &Bank,
    user: &mut UserRecord,
    session_id: u32,
    question_id: &str,
    press: Press,
    now: i64,
    rng: &mut impl Rng,
    out: &mut Outcome,
) {
    let Some(session) = user.session.as_mut() else {
        out.replies.push(Reply::Stale);
        return;
    };
    if session.id != session_id || session.current() != Some(question_id) {
        out.replies.push(Reply::Stale);
        return;
    }
    let Some(question) = bank.get(question_id) else {
        out.replies.push(Reply::Stale);
        return;
    };
    let given = match (press, question.kind) {
        (Press::Choose(option), Kind::Single) if option < question.options.len() => {
            Given::Choice(vec![option])
        }
        (Press::Choose(option), Kind::Judge) if option < 2 => Given::Judge(option == 0),
        (Press::Toggle(option), Kind::Multi) if option < question.options.len() => {
            match session.selected.iter().position(|&s| s == option) {
                Some(pos) => {
                    session.selected.remove(pos);
                }
                None => session.selected.push(option),
            }
            session.selected.sort_unstable();
            out.changed = true;
            out.replies.push(Reply::Selection(view(session, false)));
            return;
        }
        (Press::Submit, Kind::Multi) => {
            if session.selected.is_empty() {
                out.replies.push(Reply::EmptySelection);
                return;
            }
            Given::Choice(session.selected.clone())
        }
        _ => {
            out.replies.push(Reply::Invalid);
            return;
        }
    };
    grade(bank, user, given, now, rng, out);
}

pub(super) fn on_text(
    bank: &Bank,
    user: &mut UserRecord,
    text: String,
    now: i64,
    rng: &mut impl Rng,
    out: &mut Outcome,
) {
    let Some(question) = user
        .session
        .as_ref()
        .and_then(|s| s.current())
        .and_then(|id| bank.get(id))
    else {
        // "B" or "对" with no quiz running is a late answer, not a question for the Q&A.
        let trimmed = text.trim();
        let looks_like_answer = (trimmed.chars().count() <= 4 && answer_letters(trimmed).is_some())
            || parse_judge(trimmed).is_some();
        out.replies.push(if looks_like_answer {
            Reply::NoSession
        } else {
            Reply::NotAnAnswer(text)
        });
        return;
    };
    let order = user
        .session
        .as_ref()
        .map(|s| s.order.clone())
        .unwrap_or_default();
    let trimmed = text.trim();
    let letters = || answer_letters(trimmed).filter(|_| trimmed.chars().count() <= 16);
    let given = match question.kind {
        Kind::Single | Kind::Multi => {
            let Some(positions) = letters() else {
                out.replies.push(Reply::NotAnAnswer(text));
                return;
            };
            let valid = positions.iter().all(|&p| p < order.len())
                && (question.kind == Kind::Multi || positions.len() == 1);
            if !valid {
                out.replies.push(Reply::AnswerFormat {
                    kind: question.kind,
                    options: order.len(),
                });
                return;
            }
            Given::Choice(positions.iter().map(|&p| order[p]).collect())
        }
        Kind::Judge => match parse_judge(trimmed) {
            Some(value) => Given::Judge(value),
            None => match letters().as_deref() {
                Some([0]) => Given::Judge(true),
                Some([1]) => Given::Judge(false),
                _ => {
                    out.replies.push(Reply::NotAnAnswer(text));
                    return;
                }
            },
        },
        Kind::Fill => {
            if trimmed.is_empty() || trimmed.ends_with('?') || trimmed.ends_with('？') {
                out.replies.push(Reply::NotAnAnswer(text));
                return;
            }
            Given::Text(trimmed.to_string())
        }
    };
    grade(bank, user, given, now, rng, out);
}

/// Letters typed as an answer: only A to H, the letters options can have, so "ISO", "IEC"
/// or "hi" are questions (or greetings) rather than malformed answers.
fn answer_letters(text: &str) -> Option<Vec<usize>> {
    parse_choice_letters(text).filter(|positions| positions.iter().all(|&p| p < MAX_OPTION_LETTERS))
}

/// Options a question can show (A to H).
const MAX_OPTION_LETTERS: usize = 8;

/// Checks the answer to the current question, records it, and moves on.
fn grade(
    bank: &Bank,
    user: &mut UserRecord,
    given: Given,
    now: i64,
    rng: &mut impl Rng,
    out: &mut Outcome,
) {
    let Some(session) = user.session.as_ref() else {
        return;
    };
    let Some(question) = session.current().and_then(|id| bank.get(id)) else {
        return;
    };
    let correct = match &given {
        Given::Choice(chosen) => question.is_correct_choice(chosen),
        Given::Judge(value) => question.is_correct_judge(*value),
        Given::Text(text) => question.is_correct_fill(text),
        Given::Skipped => false,
    };
    let (mode, session_id, order) = (session.mode, session.id, session.order.clone());
    let points = learning::record_answer(user, question, mode, correct, now);
    out.log.push(AnswerLog {
        user: user.id,
        question: question.id.clone(),
        topic: question.topic.clone(),
        mode,
        correct,
        points,
        scheme: super::POINTS_SCHEME_VERSION,
        at: now,
        session: session_id,
    });
    let chosen = match &given {
        Given::Choice(chosen) => chosen.clone(),
        _ => Vec::new(),
    };
    if let Some(session) = user.session.as_mut() {
        session.results.push(SessionResult {
            question: question.id.clone(),
            topic: question.topic.clone(),
            correct: Some(correct),
            points,
            chosen,
        });
        session.index += 1;
    }
    out.changed = true;
    out.replies.push(Reply::Feedback(Feedback {
        question: question.id.clone(),
        mode,
        given,
        correct: Some(correct),
        order,
        points,
    }));
    after_answer(bank, user, mode, correct, now, rng, out);
}

fn after_answer(
    bank: &Bank,
    user: &mut UserRecord,
    mode: Mode,
    correct: bool,
    now: i64,
    rng: &mut impl Rng,
    out: &mut Outcome,
) {
    match mode {
        Mode::Daily => {
            learning::finish_daily(user, correct, now, out);
            user.session = None;
        }
        Mode::Challenge if !correct => learning::finish_challenge(user, out),
        _ => {
            let more = user.session.as_ref().is_some_and(|s| s.current().is_some());
            if more {
                present(bank, user, now, rng, out);
            } else if mode == Mode::Challenge {
                learning::finish_challenge(user, out);
            } else {
                finish(user, true, now, out);
            }
        }
    }
}

pub(super) fn skip(
    bank: &Bank,
    user: &mut UserRecord,
    now: i64,
    rng: &mut impl Rng,
    out: &mut Outcome,
) {
    let Some(session) = user.session.as_mut() else {
        out.replies.push(Reply::NoSession);
        return;
    };
    let Some(id) = session.current().map(str::to_string) else {
        out.replies.push(Reply::NoSession);
        return;
    };
    let mode = session.mode;
    let topic = bank.get(&id).map(|q| q.topic.clone()).unwrap_or_default();
    session.results.push(SessionResult {
        question: id.clone(),
        topic,
        correct: None,
        points: 0,
        chosen: Vec::new(),
    });
    session.index += 1;
    out.changed = true;
    out.replies.push(Reply::Feedback(Feedback {
        question: id,
        mode,
        given: Given::Skipped,
        correct: None,
        order: session.order.clone(),
        points: 0,
    }));
    match mode {
        Mode::Daily => {
            // Skipping the daily question leaves it answerable later today.
            user.session = None;
        }
        Mode::Challenge => learning::finish_challenge(user, out),
        _ => {
            if user.session.as_ref().is_some_and(|s| s.current().is_some()) {
                present(bank, user, now, rng, out);
            } else {
                finish(user, true, now, out);
            }
        }
    }
}

pub(super) fn stop(_bank: &Bank, user: &mut UserRecord, now: i64, out: &mut Outcome) {
    match user.session.as_ref().map(|s| s.mode) {
        None => out.replies.push(Reply::NoSession),
        Some(Mode::Challenge) => learning::finish_challenge(user, out),
        Some(_) => finish(user, false, now, out),
    }
}

/// Ends the session with a summary of what was answered.
pub(super) fn finish(user: &mut UserRecord, finished: bool, now: i64, out: &mut Outcome) {
    let Some(session) = user.session.take() else {
        return;
    };
    out.changed = true;
    if let Some(tag) = session.campaign.clone() {
        out.replies.push(Reply::AttemptOver(AttemptOver {
            tag,
            answers: session
                .results
                .iter()
                .map(|r| {
                    (
                        r.question.clone(),
                        r.correct == Some(true),
                        r.chosen.clone(),
                    )
                })
                .collect(),
            questions: session.questions,
            started_at: session.started_at,
            finished_at: now,
            finished,
        }));
        return;
    }
    out.replies
        .push(Reply::Summary(summarize(&session, finished, now)));
}

fn summarize(session: &Session, finished: bool, now: i64) -> Summary {
    let mut per_topic: Vec<(String, u32, u32)> = Vec::new();
    let (mut correct, mut answered, mut skipped, mut points) = (0, 0, 0, 0);
    for result in &session.results {
        points += result.points;
        let Some(ok) = result.correct else {
            skipped += 1;
            continue;
        };
        answered += 1;
        correct += u32::from(ok);
        match per_topic.iter_mut().find(|(t, _, _)| *t == result.topic) {
            Some(entry) => {
                entry.1 += u32::from(ok);
                entry.2 += 1;
            }
            None => per_topic.push((result.topic.clone(), u32::from(ok), 1)),
        }
    }
    Summary {
        mode: session.mode,
        correct,
        answered,
        skipped,
        total: session.questions.len(),
        seconds: (now - session.started_at).max(0),
        points,
        per_topic,
        finished,
    }
}
