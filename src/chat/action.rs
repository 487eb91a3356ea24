//! Button actions: the one owner of callback data.
//!
//! Render builds buttons from [`Action`]s, the Telegram adapter encodes them into callback
//! data and parses them back, the terminal picks them by number; nothing else reads or
//! writes callback strings. Encoded data is a version digit, a tag and `:`-separated fields,
//! at most [`MAX_CALLBACK_BYTES`] (Telegram's limit) for every id the validators accept
//! (question and entry ids are at most 40 ASCII characters). Data from an older version or
//! that we never produce parses to [`BadData`], which the service answers as a stale button.
//!
//! ```text
//! 1a:7:law-001:2   choose option identity 2 of law-001 in session 7
//! 1t:7:law-003:0   toggle a multi-choice option     1s:7:law-003   submit it
//! 1f:faq-law-002   show a knowledge entry           1q:3fa9c2d1    quiz on a topic (its key)
//! 1p:2            page 3 of the topic list
//! 1cs:wsd-2026     start a campaign attempt        1ct:wsd-2026   its boards
//! 1j:K7M2QX        confirm joining an enterprise
//! 1m:daily         a menu shortcut                  1ic:42 / 1ix:42  confirm / cancel import 42
//! ```

/// Telegram's limit on callback data.
pub const MAX_CALLBACK_BYTES: usize = 64;

/// The version digit every encoded action starts with; bump it when a layout changes.
const VERSION: char = '1';

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// An option button of a single-choice or true/false question (judge: 0 true, 1 false).
    Choose {
        session: u32,
        question: String,
        option: usize,
    },
    /// A multi-choice toggle.
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
    /// A related knowledge entry.
    Faq(String),
    /// A practice quiz on a topic, by the topic's key (see `Bank::topic_key`).
    QuizTopic(String),
    /// A page of the topic list.
    TopicsPage(u16),
    Menu(Menu),
    ConfirmImport(u32),
    CancelImport(u32),
    /// Start (or resume) an attempt at a campaign, by its id.
    CampaignStart(String),
    /// A campaign's boards.
    CampaignTop(String),
    /// Confirm moving to the enterprise with this invitation code.
    ConfirmJoin(String),
}

/// The main-menu shortcuts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Menu {
    Quiz,
    Daily,
    Challenge,
    Review,
    Stats,
    Top,
    Topics,
}

impl Menu {
    const ALL: [(Menu, &'static str); 7] = [
        (Menu::Quiz, "quiz"),
        (Menu::Daily, "daily"),
        (Menu::Challenge, "challenge"),
        (Menu::Review, "review"),
        (Menu::Stats, "stats"),
        (Menu::Top, "top"),
        (Menu::Topics, "topics"),
    ];

    fn name(self) -> &'static str {
        Menu::ALL
            .iter()
            .find(|(menu, _)| *menu == self)
            .map_or("", |(_, name)| name)
    }

    fn from_name(name: &str) -> Option<Menu> {
        Menu::ALL
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(menu, _)| *menu)
    }
}

/// Callback data that no current version of the bot produces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadData;

impl Action {
    /// The callback data for this action.
    pub fn encode(&self) -> String {
        let body = match self {
            Action::Choose {
                session,
                question,
                option,
            } => format!("a:{session}:{question}:{option}"),
            Action::Toggle {
                session,
                question,
                option,
            } => format!("t:{session}:{question}:{option}"),
            Action::Submit { session, question } => format!("s:{session}:{question}"),
            Action::Faq(id) => format!("f:{id}"),
            Action::QuizTopic(key) => format!("q:{key}"),
            Action::TopicsPage(page) => format!("p:{page}"),
            Action::Menu(menu) => format!("m:{}", menu.name()),
            Action::ConfirmImport(token) => format!("ic:{token}"),
            Action::CancelImport(token) => format!("ix:{token}"),
            Action::CampaignStart(id) => format!("cs:{id}"),
            Action::CampaignTop(id) => format!("ct:{id}"),
            Action::ConfirmJoin(code) => format!("j:{code}"),
        };
        format!("{VERSION}{body}")
    }

    /// Parses callback data; anything we would not have produced is [`BadData`].
    pub fn parse(data: &str) -> Result<Action, BadData> {
        if data.len() > MAX_CALLBACK_BYTES {
            return Err(BadData);
        }
        let body = data.strip_prefix(VERSION).ok_or(BadData)?;
        let parts: Vec<&str> = body.split(':').collect();
        let number = |s: &str| canonical(s).and_then(|s| s.parse::<u32>().map_err(|_| BadData));
        let option = |s: &str| {
            canonical(s).and_then(|s| s.parse::<u8>().map(usize::from).map_err(|_| BadData))
        };
        let id = |s: &str| valid_id(s).then(|| s.to_string()).ok_or(BadData);
        match parts.as_slice() {
            ["a", session, question, choice] => Ok(Action::Choose {
                session: number(session)?,
                question: id(question)?,
                option: option(choice)?,
            }),
            ["t", session, question, choice] => Ok(Action::Toggle {
                session: number(session)?,
                question: id(question)?,
                option: option(choice)?,
            }),
            ["s", session, question] => Ok(Action::Submit {
                session: number(session)?,
                question: id(question)?,
            }),
            ["f", entry] => Ok(Action::Faq(id(entry)?)),
            ["q", key] => Ok(Action::QuizTopic(id(key)?)),
            ["p", page] => canonical(page)?
                .parse()
                .map(Action::TopicsPage)
                .map_err(|_| BadData),
            ["m", menu] => Menu::from_name(menu).map(Action::Menu).ok_or(BadData),
            ["ic", token] => Ok(Action::ConfirmImport(number(token)?)),
            ["ix", token] => Ok(Action::CancelImport(number(token)?)),
            ["cs", campaign] => Ok(Action::CampaignStart(id(campaign)?)),
            ["ct", campaign] => Ok(Action::CampaignTop(id(campaign)?)),
            ["j", code] => Ok(Action::ConfirmJoin(id(code)?)),
            _ => Err(BadData),
        }
    }

    /// Whether the action answers the current question (the terminal types these instead).
    pub fn is_answer(&self) -> bool {
        matches!(
            self,
            Action::Choose { .. } | Action::Toggle { .. } | Action::Submit { .. }
        )
    }
}

/// A number as `encode` writes it: digits, no sign, no leading zero; so parsing and
/// encoding are inverses.
fn canonical(digits: &str) -> Result<&str, BadData> {
    let plain = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    match plain && (digits == "0" || !digits.starts_with('0')) {
        true => Ok(digits),
        false => Err(BadData),
    }
}

/// The ids the validators accept: 1–40 ASCII letters, digits, '-', '_' or '.'.
fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 40
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_and_forged_data_is_bad() {
        for data in [
            "a:7:law-001:2",
            "1a:7:law-001:x",
            "1a:7:law 001:2",
            "1a:99999999999:law-001:2",
            "1m:nothing",
            "1zz",
            "",
            "1",
            "1f:",
            "1ic:-1",
            "1ic:+1",
            "1p:07",
        ] {
            assert_eq!(Action::parse(data), Err(BadData), "{data:?}");
        }
        assert_eq!(Action::parse(&"1a:1:".repeat(20)), Err(BadData));
    }

    #[test]
    fn encodes_the_documented_layout() {
        let action = Action::Choose {
            session: 7,
            question: "law-001".into(),
            option: 2,
        };
        assert_eq!(action.encode(), "1a:7:law-001:2");
        assert_eq!(Action::parse("1a:7:law-001:2"), Ok(action));
        assert_eq!(Action::Menu(Menu::Daily).encode(), "1m:daily");
    }
}
