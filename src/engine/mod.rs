//! The pure engine: events in, replies and an updated [`UserRecord`] out.
//!
//! No I/O, no clock, no global RNG: `now` (unix seconds) and the RNG are passed in.
//! Everything a user can do wrong (a stale button, a forged id, an answer with no quiz
//! running) is a [`Reply`], never an error.

mod learning;
mod quiz;
mod state;

pub use learning::{
    challenge_rank, day_key, leaderboards, stats_view, week_days, Board, BoardRow, Rank, StatsView,
    TopView, ACCURACY_BOARD_MIN_ANSWERS, DAILY_POINT_CAP, POINTS_SCHEME_VERSION,
};
pub use state::{
    CampaignTag, Card, DailyState, DayTally, Lang, Mode, QuestionProgress, Session, SessionResult,
    Tally, UserRecord,
};

use rand::Rng;

use crate::bank::Bank;

/// Questions in a practice quiz unless the user asks for another number.
pub const DEFAULT_QUIZ_LENGTH: usize = 10;
pub const MAX_QUIZ_LENGTH: usize = 50;

#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Start,
    Help,
    Quiz {
        topic: Option<String>,
        length: Option<usize>,
    },
    /// A topic button: a practice quiz on the topic with this key (`bank::topic_key`).
    QuizTopic {
        key: String,
    },
    /// A tap on an option button (single, judge: 0 = true, 1 = false).
    Choose {
        session: u32,
        question: String,
        option: usize,
    },
    /// A tap on a multi-choice toggle button.
    Toggle {
        session: u32,
        question: String,
        option: usize,
    },
    /// The multi-choice submit button.
    Submit {
        session: u32,
        question: String,
    },
    /// Typed text: an answer to the current question, or something else.
    Text(String),
    Skip,
    Stop,
    Stats,
    Daily,
    Challenge,
    Review,
    SetName(String),
    SetLang(Lang),
    /// Starts a campaign attempt on questions the service drew, or resumes the one running.
    StartCampaign {
        tag: CampaignTag,
        questions: Vec<String>,
    },
}

/// How a user answered, as shown back in feedback.
#[derive(Debug, Clone, PartialEq)]
pub enum Given {
    Choice(Vec<usize>),
    Judge(bool),
    Text(String),
    Skipped,
}

#[derive(Debug, Clone, PartialEq)]
pub struct QuestionView {
    pub session: u32,
    pub mode: Mode,
    pub question: String,
    /// 0-based position and the total (None in challenge mode, which has no end).
    pub index: usize,
    pub total: Option<usize>,
    pub order: Vec<usize>,
    pub selected: Vec<usize>,
    /// Missed often enough to be shown with its explanation first.
    pub hard: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Feedback {
    pub question: String,
    pub mode: Mode,
    pub given: Given,
    /// None when skipped.
    pub correct: Option<bool>,
    /// Display order of the options as the user saw them.
    pub order: Vec<usize>,
    pub points: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub mode: Mode,
    pub correct: u32,
    pub answered: u32,
    pub skipped: u32,
    pub total: usize,
    pub seconds: i64,
    pub points: u32,
    /// (topic, correct, answered) in first-seen order.
    pub per_topic: Vec<(String, u32, u32)>,
    pub finished: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    Welcome,
    Help,
    QuizStarted {
        mode: Mode,
        /// The topic; in campaign mode, the campaign id.
        topic: Option<String>,
        total: usize,
    },
    Question(QuestionView),
    /// The multi-choice selection changed; the keyboard should be redrawn.
    Selection(QuestionView),
    Feedback(Feedback),
    Summary(Summary),
    UnknownTopic {
        query: String,
    },
    NoQuestions {
        topic: Option<String>,
    },
    NoSession,
    /// A button from a question that is no longer current (double tap, old message, other user).
    Stale,
    /// Callback data that cannot have come from us.
    Invalid,
    /// Text while a choice question waits, that looked like an answer but was not valid.
    AnswerFormat {
        kind: crate::bank::Kind,
        options: usize,
    },
    /// Submit pressed on a multi-choice question with nothing selected.
    EmptySelection,
    /// Typed text that is not an answer: the service asks the knowledge base (智慧问答).
    NotAnAnswer(String),
    DailyAlready {
        streak: u32,
        best: u32,
    },
    DailyDone {
        streak: u32,
        best: u32,
        bonus: u32,
    },
    /// The challenge ended; the service adds the rank among all users.
    ChallengeOver {
        score: u32,
        best: u32,
        new_best: bool,
    },
    ReviewEmpty {
        next_due: Option<i64>,
        cards: usize,
    },
    Stats(StatsView),
    Top(TopView),
    NameSet(String),
    NameInvalid,
    LangSet(Lang),
    /// A campaign attempt ended (finished, or stopped early): the service records it.
    AttemptOver(AttemptOver),
    /// Another quiz was asked for while a campaign attempt runs; it goes on.
    CampaignInProgress,
}

/// A campaign attempt as it ended.
#[derive(Debug, Clone, PartialEq)]
pub struct AttemptOver {
    pub tag: CampaignTag,
    /// Question ids as drawn.
    pub questions: Vec<String>,
    /// (question, correct, chosen option identities) in the order answered; skips are wrong.
    pub answers: Vec<(String, bool, Vec<usize>)>,
    pub started_at: i64,
    pub finished_at: i64,
    /// Every question was answered (not stopped early).
    pub finished: bool,
}

/// One answer as it goes into the append-only log.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AnswerLog {
    pub user: i64,
    pub question: String,
    pub topic: String,
    pub mode: Mode,
    pub correct: bool,
    pub points: u32,
    pub scheme: u32,
    pub at: i64,
    pub session: u32,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    pub replies: Vec<Reply>,
    pub log: Vec<AnswerLog>,
    /// Whether the user record changed and must be saved.
    pub changed: bool,
}

/// Applies one event to one user's record.
pub fn handle(
    bank: &Bank,
    user: &mut UserRecord,
    event: Event,
    now: i64,
    rng: &mut impl Rng,
) -> Outcome {
    let mut out = Outcome::default();
    match event {
        Event::Start => out.replies.push(Reply::Welcome),
        Event::Help => out.replies.push(Reply::Help),
        Event::Quiz { topic, length } => {
            quiz::start_practice(bank, user, topic, length, now, rng, &mut out)
        }
        Event::QuizTopic { key } => match bank.topic_by_key(&key) {
            Some(topic) => quiz::start_practice(bank, user, Some(topic), None, now, rng, &mut out),
            // The topic is gone (an import renamed it): show the topics there are now.
            None => out.replies.push(Reply::UnknownTopic { query: key }),
        },
        Event::Choose {
            session,
            question,
            option,
        } => quiz::on_button(
            bank,
            user,
            session,
            &question,
            quiz::Press::Choose(option),
            now,
            rng,
            &mut out,
        ),
        Event::Toggle {
            session,
            question,
            option,
        } => quiz::on_button(
            bank,
            user,
            session,
            &question,
            quiz::Press::Toggle(option),
            now,
            rng,
            &mut out,
        ),
        Event::Submit { session, question } => quiz::on_button(
            bank,
            user,
            session,
            &question,
            quiz::Press::Submit,
            now,
            rng,
            &mut out,
        ),
        Event::Text(text) => quiz::on_text(bank, user, text, now, rng, &mut out),
        Event::Skip => quiz::skip(bank, user, now, rng, &mut out),
        Event::Stop => quiz::stop(bank, user, now, &mut out),
        Event::Stats => out.replies.push(Reply::Stats(stats_view(bank, user, now))),
        Event::Daily => learning::start_daily(bank, user, now, rng, &mut out),
        Event::Challenge => learning::start_challenge(bank, user, now, rng, &mut out),
        Event::Review => learning::start_review(bank, user, now, rng, &mut out),
        Event::SetName(name) => learning::set_name(user, &name, &mut out),
        Event::StartCampaign { tag, questions } => {
            quiz::start_campaign(bank, user, tag, questions, now, rng, &mut out)
        }
        Event::SetLang(lang) => {
            user.lang = Some(lang);
            out.changed = true;
            out.replies.push(Reply::LangSet(lang));
        }
    }
    out
}
