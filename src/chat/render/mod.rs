//! Every user-facing sentence, in Chinese (default) or English, and the buttons under it.
//!
//! One file per reply family: `quiz` (questions, feedback, summaries), `learning` (daily,
//! challenge, review, stats, boards), `qa` (智慧问答), `import` (chat imports), `menu`
//! (welcome, help, topics, commands) and `notice` (what the transports say on their own:
//! media, groups, downloads, failures). [`turn`] is the one reply path both adapters use.

mod campaign;
mod import;
mod learning;
mod menu;
pub mod notice;
mod qa;
mod quiz;
mod report;

use super::action::Action;
use crate::engine::{Lang, Reply};
use crate::service::{Content, Response, Turn};
use crate::text::truncate_utf16;

/// Telegram's message limit (4096 UTF-16 units), minus a margin.
const MAX_TEXT: usize = 4000;

#[derive(Debug, Clone, PartialEq)]
pub struct Button {
    pub label: String,
    pub action: Action,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Message {
    pub text: String,
    pub buttons: Vec<Vec<Button>>,
    /// Replace the message whose button was pressed (feedback, selection changes).
    pub edit_source: bool,
    /// A heading for the next message (a quiz's title before its first question): sent as
    /// part of it, so a turn costs one message less.
    pub heads_next: bool,
    /// A file sent with the text as its caption.
    pub attachment: Option<Attachment>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Attachment {
    pub kind: AttachmentKind,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttachmentKind {
    Photo,
    Document,
}

/// Telegram's caption limit (1024), minus a margin.
const MAX_CAPTION: usize = 1000;

impl Message {
    fn text(text: String) -> Message {
        Message {
            text: truncate_utf16(&text, MAX_TEXT),
            ..Default::default()
        }
    }

    fn with_buttons(text: String, buttons: Vec<Vec<Button>>) -> Message {
        Message {
            text: truncate_utf16(&text, MAX_TEXT),
            buttons,
            ..Default::default()
        }
    }

    fn editing(text: String, buttons: Vec<Vec<Button>>) -> Message {
        Message {
            edit_source: true,
            ..Message::with_buttons(text, buttons)
        }
    }
}

/// How the request came in: a button press answers short complaints in a toast.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Typed,
    Button,
}

/// A turn as a transport delivers it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Outgoing {
    /// Shown on the pressed button (Telegram's callback answer).
    pub toast: Option<String>,
    pub messages: Vec<Message>,
}

/// The one reply path: a finished turn to a toast and messages, as few as possible.
pub fn turn(turn: &Turn, content: &Content, origin: Origin) -> Outgoing {
    let mut outgoing = Outgoing::default();
    let mut toasts = Vec::new();
    let mut heading: Option<String> = None;
    for response in &turn.responses {
        if origin == Origin::Button && is_toast(response) {
            toasts.extend(
                render(response, content, turn.lang)
                    .into_iter()
                    .map(|m| m.text),
            );
            continue;
        }
        for mut message in render(response, content, turn.lang) {
            if let Some(head) = heading.take() {
                message.text = truncate_utf16(&format!("{head}\n\n{}", message.text), MAX_TEXT);
            }
            if message.heads_next {
                heading = Some(message.text);
                continue;
            }
            outgoing.messages.push(message);
        }
    }
    if let Some(head) = heading {
        outgoing.messages.push(Message::text(head));
    }
    outgoing.toast = (!toasts.is_empty()).then(|| toasts.join("\n"));
    outgoing
}

/// Replies shown as a toast on the pressed button rather than as a message.
fn is_toast(response: &Response) -> bool {
    matches!(
        response,
        Response::Engine(Reply::Stale | Reply::Invalid | Reply::EmptySelection)
    )
}

/// One response as messages in `lang`.
pub fn render(response: &Response, content: &Content, lang: Lang) -> Vec<Message> {
    match response {
        Response::Engine(reply) => render_reply(reply, content, lang),
        Response::Feedback { feedback, related } => {
            vec![quiz::feedback(feedback, related.as_deref(), content, lang)]
        }
        Response::ChallengeOver {
            score,
            best,
            new_best,
            rank,
        } => vec![learning::challenge_over(
            *score,
            *best,
            *new_best,
            rank.as_ref(),
            lang,
        )],
        Response::Answer { matches, english } => qa::answer(matches, *english, content, lang),
        Response::Faq(id) => vec![qa::faq(id, content, lang)],
        Response::Abstain {
            query,
            redirect,
            suggestions,
        } => vec![qa::abstain(query, *redirect, suggestions, content, lang)],
        Response::SmallTalk { kind, english } => {
            let lang = if *english { Lang::En } else { lang };
            vec![qa::small_talk(*kind, lang)]
        }
        Response::Topics { topics, page } => vec![menu::topics(topics, *page, content, lang)],
        Response::UnknownCommand(command) => vec![menu::unknown_command(command, lang)],
        Response::NotAdmin => vec![import::not_admin(lang)],
        Response::AdminOnly => vec![Message::text(tr(
            lang,
            "这个命令只有管理员可以使用。",
            "Only administrators can use this command.",
        ))],
        Response::Poster {
            campaign,
            link,
            png,
        } => vec![campaign::poster(campaign, link, png, lang)],
        Response::ImportProblems {
            file_name,
            problems,
        } => vec![import::problems(file_name, problems, lang)],
        Response::ImportPreview { token, plan } => vec![import::preview(*token, plan, lang)],
        Response::Imported { plan } => vec![import::imported(plan, lang)],
        Response::ImportCancelled => vec![import::cancelled(lang)],
        Response::ImportExpired => vec![import::expired(lang)],
        Response::SourceNotNeeded => vec![Message::text(tr(
            lang,
            "待确认的导入中每道题都已注明出处，无需 /source。",
            "Every question of the pending import already cites its source; /source is not needed.",
        ))],
        Response::CampaignCard(card) => vec![campaign::card(card, lang)],
        Response::CampaignResult(outcome) => vec![campaign::result(outcome, lang)],
        Response::CampaignBoards {
            report,
            people,
            orgs,
        } => vec![campaign::boards(report, people, orgs, lang)],
        Response::UnknownCampaign(id) => vec![campaign::unknown(id, lang)],
        Response::OpenCampaigns(campaigns) => vec![campaign::open_campaigns(campaigns, lang)],
        Response::Joined(org) => vec![campaign::joined(org, lang)],
        Response::JoinAlready(org) => vec![campaign::already(org, lang)],
        Response::JoinMove { from, to } => vec![campaign::confirm_move(from, to, lang)],
        Response::JoinUnknown(code) => vec![campaign::join_unknown(code, lang)],
        Response::CampaignPreview { token, plan } => {
            vec![campaign::campaign_preview(*token, plan, lang)]
        }
        Response::CampaignImported(c) => vec![campaign::campaign_imported(c, lang)],
        Response::OrgsPreview {
            token,
            file_name,
            added,
            changed,
            unchanged,
            total,
            ignored_columns,
            sample,
        } => vec![campaign::orgs_preview(
            *token,
            file_name,
            (*added, *changed, *unchanged, *total),
            ignored_columns,
            sample,
            lang,
        )],
        Response::OrgsImported { total } => vec![campaign::orgs_imported(*total, lang)],
        Response::Verified(certificate) => vec![report::verified(certificate, lang)],
        Response::VerifyUnknown(code) => vec![report::verify_unknown(code, lang)],
        Response::CampaignReport(book) => report::campaign_report(book, lang),
        Response::BankReport(book) => report::bank_report(book, content, lang),
    }
}

fn render_reply(reply: &Reply, content: &Content, lang: Lang) -> Vec<Message> {
    let text = |zh: &str, en: &str| vec![Message::text(tr(lang, zh, en))];
    match reply {
        Reply::Welcome => vec![menu::welcome(lang)],
        Reply::Help => vec![menu::help(lang)],
        Reply::QuizStarted { mode, topic, total } => {
            vec![quiz::started(
                *mode,
                topic.as_deref(),
                *total,
                content,
                lang,
            )]
        }
        Reply::Question(view) | Reply::Selection(view) => {
            let edit = matches!(reply, Reply::Selection(_));
            vec![quiz::question(view, edit, content, lang)]
        }
        Reply::Feedback(feedback) => vec![quiz::feedback(feedback, None, content, lang)],
        Reply::Summary(summary) => vec![quiz::summary(summary, content, lang)],
        Reply::UnknownTopic { query } => vec![menu::unknown_topic(query, content, lang)],
        Reply::NoQuestions { .. } => text(
            "题库暂时没有可用的题目，请管理员导入题目后再试。",
            "There are no questions to serve yet; ask an administrator to import a set.",
        ),
        Reply::NoSession => text(
            "当前没有进行中的答题。发送 /quiz 开始练习。",
            "No quiz is running. Send /quiz to start.",
        ),
        Reply::Stale => text(
            "这道题已经作答或已过期，不会重复计分。请回答最新的题目。",
            "That question was already answered or has expired; it is not counted again. \
             Please answer the latest question.",
        ),
        Reply::Invalid => text(
            "无法识别这个按钮（可能来自旧版本），请使用最新消息中的按钮。",
            "That button is not recognised (perhaps from an older version); \
             please use the buttons on the latest message.",
        ),
        Reply::AnswerFormat { kind, options } => {
            vec![quiz::answer_format(*kind, *options, lang)]
        }
        Reply::EmptySelection => text(
            "请先选择至少一个选项，再按“提交”。",
            "Select at least one option, then press Submit.",
        ),
        // The service turns these into knowledge-base answers before they get here.
        Reply::NotAnAnswer(_) => Vec::new(),
        Reply::DailyAlready { streak, best } => vec![learning::daily_already(*streak, *best, lang)],
        Reply::DailyDone {
            streak,
            best,
            bonus,
        } => vec![learning::daily_done(*streak, *best, *bonus, lang)],
        Reply::ChallengeOver {
            score,
            best,
            new_best,
        } => vec![learning::challenge_over(
            *score, *best, *new_best, None, lang,
        )],
        Reply::ReviewEmpty { next_due, cards } => {
            vec![learning::review_empty(*next_due, *cards, lang)]
        }
        Reply::Stats(stats) => vec![learning::stats(stats, content, lang)],
        Reply::Top(top) => vec![learning::top(top, lang)],
        Reply::NameSet(name) => vec![Message::text(if lang.is_en() {
            format!("Your leaderboard name is now “{name}”.")
        } else {
            format!("排行榜昵称已设为「{name}」。")
        })],
        Reply::NameInvalid => text(
            "用法：/name 昵称（1-20个字，不以 / 开头）。",
            "Usage: /name NAME (1-20 characters, not starting with /).",
        ),
        Reply::LangSet(Lang::Zh) => text("已切换为中文。", "已切换为中文。"),
        Reply::LangSet(Lang::En) => text("Language set to English.", "Language set to English."),
        // The service records the attempt and answers with its result.
        Reply::AttemptOver(_) => Vec::new(),
        Reply::CampaignInProgress => vec![campaign::in_progress(lang)],
    }
}

fn tr(lang: Lang, zh: &str, en: &str) -> String {
    if lang.is_en() {
        en.to_string()
    } else {
        zh.to_string()
    }
}

fn button(label: impl Into<String>, action: Action) -> Button {
    Button {
        label: label.into(),
        action,
    }
}

/// The display letter of an option position (A, B, C...).
pub fn letter(position: usize) -> char {
    (b'A' + position.min(25) as u8) as char
}

/// A topic's name in the user's language.
fn topic_name(content: &Content, topic: &str, en: bool) -> String {
    if en {
        if let Some((_, Some(topic_en), _)) = content
            .bank
            .topics()
            .into_iter()
            .find(|(t, _, _)| t == topic)
        {
            return topic_en;
        }
    }
    topic.to_string()
}

/// A name people chose, as a board row shows it: cleaned (see `text::clean_name`), short,
/// and in corner brackets so that it cannot pass for a row of its own.
fn safe_name(name: &str) -> String {
    format!("「{}」", crate::text::clean_name(name, 20))
}

/// "2026-10-14 09:00 (UTC+8)": times are shown in Asia/Shanghai.
fn format_time(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix + 8 * 3600, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
        + " (UTC+8)"
}
