//! Turning typed text and button actions into service requests (shared by both adapters).
//! Callback data itself is [`Action`]'s business.

use super::action::{Action, BadData, Menu};
use crate::engine::{Event, Lang};
use crate::service::Request;

/// Parses a line the user typed. `bot_name` strips `/cmd@botname` in groups.
pub fn parse_text(text: &str, bot_name: Option<&str>) -> Request {
    let trimmed = text.trim();
    let Some(rest) = trimmed.strip_prefix('/') else {
        return match alias(trimmed) {
            Some(request) => request,
            None => Request::Event(Event::Text(trimmed.to_string())),
        };
    };
    let (head, args) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let args = args.trim();
    let command = match head.split_once('@') {
        Some((command, target)) => {
            if bot_name.is_some_and(|name| !name.eq_ignore_ascii_case(target)) {
                return Request::UnknownCommand(head.to_string());
            }
            command
        }
        None => head,
    };
    let arg = || (!args.is_empty()).then(|| args.to_string());
    match command.to_ascii_lowercase().as_str() {
        "start" => match crate::campaign::parse_start_payload(args) {
            Some(id) => Request::Campaign(id.to_string()),
            None => Request::Event(Event::Start),
        },
        "campaign" | "竞答" => match arg() {
            Some(id) => Request::Campaign(id.trim_start_matches("c-").to_string()),
            None => Request::Event(Event::Help),
        },
        "source" | "出处" => match arg() {
            Some(text) => Request::SetSource(text),
            None => Request::UnknownCommand("source".into()),
        },
        "poster" => match arg() {
            Some(id) => Request::Poster(id.trim_start_matches("c-").to_string()),
            None => Request::UnknownCommand("poster".into()),
        },
        "report" | "报告" => {
            Request::Report(arg().map(|id| id.trim_start_matches("c-").to_string()))
        }
        "verify" | "验证" => match arg() {
            Some(code) => Request::Verify(code),
            None => Request::UnknownCommand("verify".into()),
        },
        "join" => match arg() {
            Some(code) => Request::Join(code),
            None => Request::UnknownCommand("join".into()),
        },
        "help" => Request::Event(Event::Help),
        "quiz" => quiz_request(args),
        "stats" => Request::Event(Event::Stats),
        "stop" => Request::Event(Event::Stop),
        "skip" => Request::Event(Event::Skip),
        "daily" => Request::Event(Event::Daily),
        "challenge" => Request::Event(Event::Challenge),
        "review" => Request::Event(Event::Review),
        "top" => match arg() {
            Some(id) => Request::CampaignTop(id.trim_start_matches("c-").to_string()),
            None => Request::Top,
        },
        "topics" => Request::Topics { page: 0 },
        "name" => Request::Event(Event::SetName(args.to_string())),
        "lang" => match Lang::parse(args) {
            Some(lang) => Request::Event(Event::SetLang(lang)),
            None => Request::UnknownCommand(format!("lang {args}")),
        },
        "ask" => match arg() {
            Some(text) => Request::Ask(text),
            None => Request::Event(Event::Help),
        },
        "faq" => match arg() {
            Some(id) => Request::ShowFaq(id),
            None => Request::Event(Event::Help),
        },
        _ => Request::UnknownCommand(head.to_string()),
    }
}

/// `/quiz`, `/quiz 5` (five questions), `/quiz 标准化法`, `/quiz 标准化法 5`.
/// A number on its own is always a count; topics are picked by name or by their buttons.
fn quiz_request(args: &str) -> Request {
    let words: Vec<&str> = args.split_whitespace().collect();
    let (topic, length) = match words.as_slice() {
        [] => (None, None),
        [.., last] if last.parse::<usize>().is_ok() => {
            let topic = words[..words.len() - 1].join(" ");
            ((!topic.is_empty()).then_some(topic), last.parse().ok())
        }
        _ => (Some(words.join(" ")), None),
    };
    Request::Event(Event::Quiz { topic, length })
}

/// Plain-text shortcuts a phone user may type instead of a command.
fn alias(text: &str) -> Option<Request> {
    let request = match text {
        "开始答题" | "答题" | "练习" | "开始练习" => Request::Event(Event::Quiz {
            topic: None,
            length: None,
        }),
        "每日一题" => Request::Event(Event::Daily),
        "挑战答题" | "挑战" => Request::Event(Event::Challenge),
        "错题本" | "复习" | "错题复习" => Request::Event(Event::Review),
        "排行榜" => Request::Top,
        "我的成绩" | "统计" | "成绩" => Request::Event(Event::Stats),
        "帮助" | "菜单" => Request::Event(Event::Help),
        "结束" | "结束答题" | "退出答题" => Request::Event(Event::Stop),
        "跳过" => Request::Event(Event::Skip),
        _ => return None,
    };
    Some(request)
}

/// Parses button data. Anything we would not have produced is [`Request::Forged`].
pub fn parse_callback(data: &str) -> Request {
    match Action::parse(data) {
        Ok(action) => request_for(action),
        Err(BadData) => Request::Forged,
    }
}

/// What pressing a button asks of the service.
pub fn request_for(action: Action) -> Request {
    match action {
        Action::Choose {
            session,
            question,
            option,
        } => Request::Event(Event::Choose {
            session,
            question,
            option,
        }),
        Action::Toggle {
            session,
            question,
            option,
        } => Request::Event(Event::Toggle {
            session,
            question,
            option,
        }),
        Action::Submit { session, question } => Request::Event(Event::Submit { session, question }),
        Action::Faq(id) => Request::ShowFaq(id),
        Action::QuizTopic(key) => Request::Event(Event::QuizTopic { key }),
        Action::TopicsPage(page) => Request::Topics {
            page: usize::from(page),
        },
        Action::Menu(menu) => match menu {
            Menu::Quiz => Request::Event(Event::Quiz {
                topic: None,
                length: None,
            }),
            Menu::Daily => Request::Event(Event::Daily),
            Menu::Challenge => Request::Event(Event::Challenge),
            Menu::Review => Request::Event(Event::Review),
            Menu::Stats => Request::Event(Event::Stats),
            Menu::Top => Request::Top,
            Menu::Topics => Request::Topics { page: 0 },
        },
        Action::ConfirmImport(token) => Request::ConfirmImport(token),
        Action::CancelImport(token) => Request::CancelImport(token),
        Action::CampaignStart(id) => Request::CampaignStart(id),
        Action::CampaignTop(id) => Request::CampaignTop(id),
        Action::ConfirmJoin(code) => Request::ConfirmJoin(code),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiz_arguments() {
        assert_eq!(
            parse_text("/quiz", None),
            Request::Event(Event::Quiz {
                topic: None,
                length: None
            })
        );
        assert_eq!(
            parse_text("/quiz 标准化法 5", None),
            Request::Event(Event::Quiz {
                topic: Some("标准化法".into()),
                length: Some(5)
            })
        );
        assert_eq!(
            parse_text("/quiz@stdquiz_bot", Some("stdquiz_bot")),
            Request::Event(Event::Quiz {
                topic: None,
                length: None
            })
        );
        assert_eq!(
            parse_text("/quiz@other_bot", Some("stdquiz_bot")),
            Request::UnknownCommand("quiz@other_bot".into())
        );
    }

    #[test]
    fn a_lone_number_is_a_count() {
        assert_eq!(
            parse_text("/quiz 5", None),
            Request::Event(Event::Quiz {
                topic: None,
                length: Some(5)
            })
        );
    }

    #[test]
    fn forged_and_old_callbacks_are_recognised() {
        assert_eq!(parse_callback("1a:1:law-001:x"), Request::Forged);
        assert_eq!(parse_callback("zzz"), Request::Forged);
        assert_eq!(parse_callback("a:7:law-001:2"), Request::Forged);
        assert_eq!(
            parse_callback("1a:7:law-001:2"),
            Request::Event(Event::Choose {
                session: 7,
                question: "law-001".into(),
                option: 2
            })
        );
    }
}
