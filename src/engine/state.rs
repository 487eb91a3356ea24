//! Per-user state the engine reads and updates; the store persists it as one record.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn parse(raw: &str) -> Option<Lang> {
        match raw.trim().to_lowercase().as_str() {
            "zh" | "cn" | "zh-cn" | "zh-hans" | "中文" | "汉语" | "chinese" => Some(Lang::Zh),
            "en" | "english" | "英文" | "英语" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language for a Telegram `language_code`: Chinese unless it says English.
    pub fn from_code(code: Option<&str>) -> Lang {
        match code {
            Some(c) if c.to_lowercase().starts_with("en") => Lang::En,
            _ => Lang::Zh,
        }
    }

    pub fn is_en(self) -> bool {
        self == Lang::En
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Practice,
    Daily,
    Challenge,
    Review,
    /// An attempt at a campaign (知识竞答); see [`CampaignTag`].
    Campaign,
}

/// Which campaign attempt a session is.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CampaignTag {
    pub campaign: String,
    pub version: u32,
    /// 1-based among the person's attempts at this campaign.
    pub number: u32,
}

/// Everything the bot keeps about one user.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct UserRecord {
    pub id: i64,
    /// The language the user chose with /lang; None follows their client.
    pub lang: Option<Lang>,
    /// Display name for leaderboards, set with /name.
    pub name: Option<String>,
    /// The invitation code of the enterprise the user joined with /join.
    pub org: Option<String>,
    /// True once the user blocked the bot (a 403 or my_chat_member); their next request
    /// makes them active again.
    pub inactive: bool,
    pub session: Option<Session>,
    pub answered: u32,
    pub correct: u32,
    pub progress: BTreeMap<String, QuestionProgress>,
    pub topics: BTreeMap<String, Tally>,
    /// Activity per Asia/Shanghai calendar day (YYYY-MM-DD).
    pub days: BTreeMap<String, DayTally>,
    pub first_seen: i64,
    pub last_active: i64,
    pub daily: DailyState,
    pub challenge_best: u32,
    /// Spaced-repetition cards of missed questions, by question id.
    pub cards: BTreeMap<String, Card>,
    pub next_session_id: u32,
    /// Ids of the last transport updates applied (Telegram re-delivers an update whose
    /// receipt it did not see before a crash); kept short.
    pub recent_updates: Vec<i64>,
}

#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct Tally {
    pub answered: u32,
    pub correct: u32,
}

#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct DayTally {
    pub answered: u32,
    pub correct: u32,
    /// Points from answers that day (before the daily cap is applied, capped at award time).
    pub points: u32,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct QuestionProgress {
    pub seen: u32,
    pub correct: u32,
    pub wrong: u32,
    pub last_correct: bool,
    pub last_at: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct DailyState {
    /// The last day (YYYY-MM-DD, Asia/Shanghai) the daily question was answered.
    pub last_date: Option<String>,
    pub streak: u32,
    pub best_streak: u32,
}

/// An SM-2 card: when a missed question comes back.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Card {
    pub due: i64,
    pub interval_days: f64,
    pub ease: f64,
    pub reps: u32,
    pub lapses: u32,
}

/// A quiz in progress. Questions are referred to by id, options by identity.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Session {
    pub id: u32,
    pub mode: Mode,
    pub topic: Option<String>,
    pub questions: Vec<String>,
    pub index: usize,
    /// Display order of the current question's options (option identities).
    pub order: Vec<usize>,
    /// Options toggled so far on the current multi-choice question.
    pub selected: Vec<usize>,
    pub results: Vec<SessionResult>,
    pub started_at: i64,
    /// The Asia/Shanghai day a daily session belongs to.
    #[serde(default)]
    pub day: Option<String>,
    /// The campaign attempt this session is, in [`Mode::Campaign`].
    #[serde(default)]
    pub campaign: Option<CampaignTag>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SessionResult {
    pub question: String,
    pub topic: String,
    /// None when skipped.
    pub correct: Option<bool>,
    pub points: u32,
    /// Option identities chosen (choice questions), for item analysis.
    #[serde(default)]
    pub chosen: Vec<usize>,
}

impl Session {
    pub fn current(&self) -> Option<&str> {
        self.questions.get(self.index).map(String::as_str)
    }
}

impl UserRecord {
    pub fn new(id: i64, now: i64) -> UserRecord {
        UserRecord {
            id,
            first_seen: now,
            last_active: now,
            next_session_id: 1,
            ..Default::default()
        }
    }
}
