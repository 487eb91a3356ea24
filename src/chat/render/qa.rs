//! 智慧问答 replies: an answer with its source and related questions, an entry shown on
//! its own, and an honest "no answer" (with a pointer when the subject belongs elsewhere).

use super::{button, tr, Message, MAX_TEXT};
use crate::chat::action::Action;
use crate::engine::Lang;
use crate::qa::scope::Redirect;
use crate::qa::{Entry, Match, SmallTalk};
use crate::service::Content;
use crate::text::{truncate_chars, truncate_utf16};

pub(super) fn answer(
    matches: &[Match],
    english: bool,
    content: &Content,
    lang: Lang,
) -> Vec<Message> {
    let lang = if english { Lang::En } else { lang };
    let en = lang.is_en();
    let Some(best) = matches.first().and_then(|m| content.kb.get(&m.id)) else {
        return Vec::new();
    };
    let mut text = entry_text(best, lang);
    let related: Vec<&Entry> = matches
        .iter()
        .skip(1)
        .filter_map(|m| content.kb.get(&m.id))
        .collect();
    if !related.is_empty() {
        text.push_str(&tr(lang, "\n\n相关问题：", "\n\nRelated questions:"));
    }
    let buttons = related
        .iter()
        .map(|e| {
            let label = truncate_chars(e.question_in(en), 40);
            vec![button(label, Action::Faq(e.id.clone()))]
        })
        .collect();
    vec![Message::with_buttons(text, buttons)]
}

pub(super) fn faq(id: &str, content: &Content, lang: Lang) -> Message {
    match content.kb.get(id) {
        Some(entry) => Message::text(entry_text(entry, lang)),
        None => Message::text(tr(
            lang,
            "这个问题已不在知识库中。",
            "That entry is no longer in the knowledge base.",
        )),
    }
}

pub(super) fn abstain(
    query: &str,
    redirect: Option<&Redirect>,
    suggestions: &[String],
    content: &Content,
    lang: Lang,
) -> Message {
    let en = lang.is_en() || crate::qa::is_english_query(query);
    let lang = if en { Lang::En } else { lang };
    let close: Vec<&Entry> = suggestions
        .iter()
        .filter_map(|id| content.kb.get(id))
        .take(3)
        .collect();
    if redirect.is_none() && !close.is_empty() {
        return did_you_mean(query, &close, lang);
    }
    let query = truncate_chars(query, 60);
    let mut text = match (redirect, en) {
        (Some(r), true) => format!(
            "“{query}” is about {}, which this standards knowledge base does not cover.\n{}\n\n\
             I have noted the question for the administrators.",
            r.topic_en, r.hint_en
        ),
        (Some(r), false) => format!(
            "「{query}」涉及{}，不在标准化知识库的范围内。\n{}\n\n问题已记录，供管理员参考。",
            r.topic, r.hint
        ),
        (None, true) => format!(
            "Sorry, I have no reliable answer to “{query}” yet. \
             I have noted the question for the administrators.\n\n\
             Try rephrasing it, ask about a topic below, or practise with /quiz."
        ),
        (None, false) => format!(
            "抱歉，关于「{query}」暂时没有可靠的答案，已记录下来请管理员补充。\n\n\
             可以换个说法再问，或从下面的知识点开始 /quiz 练习。"
        ),
    };
    text.push('\n');
    Message::with_buttons(text, super::menu::topic_buttons(content, lang))
}

/// Nothing answered, but something is close: up to three "你是不是想问…" buttons.
fn did_you_mean(query: &str, close: &[&Entry], lang: Lang) -> Message {
    let en = lang.is_en();
    let query = truncate_chars(query, 60);
    let text = if en {
        format!(
            "I am not sure I have an answer to “{query}”. Did you mean one of these? \
             (The question is noted for the administrators.)"
        )
    } else {
        format!("关于「{query}」没有把握给出准确答案。你是不是想问：（问题已记录，供管理员参考）")
    };
    let buttons = close
        .iter()
        .map(|e| {
            let label = truncate_chars(e.question_in(en), 40);
            vec![button(label, Action::Faq(e.id.clone()))]
        })
        .collect();
    Message::with_buttons(text, buttons)
}

/// A greeting, thanks or "are you there": what the bot can do, never logged as a question.
pub(super) fn small_talk(kind: SmallTalk, lang: Lang) -> Message {
    let opening = match (kind, lang.is_en()) {
        (SmallTalk::Greeting, false) => "你好！",
        (SmallTalk::Greeting, true) => "Hello!",
        (SmallTalk::Presence, false) => "在的！",
        (SmallTalk::Presence, true) => "I am here!",
        (SmallTalk::Thanks, false) => "不客气！",
        (SmallTalk::Thanks, true) => "You are welcome!",
        (SmallTalk::Goodbye, false) => "再见，欢迎常来练习！",
        (SmallTalk::Goodbye, true) => "Goodbye, come back for the daily question!",
        (SmallTalk::About, false) => "我是标准化知识问答机器人。",
        (SmallTalk::About, true) => "I am the standards-literacy quiz and Q&A bot.",
        (SmallTalk::Acknowledgement, false) => "好的。",
        (SmallTalk::Acknowledgement, true) => "OK.",
    };
    let rest = tr(
        lang,
        "你可以直接问我标准化问题（如“什么是团体标准”“GB/T是什么意思”），\
         或发送 /quiz 练习、/daily 每日一题、/challenge 挑战答题。",
        "Ask me about standardization (\"what is an association standard?\", \
         \"what does GB/T mean?\"), or send /quiz to practise, /daily for the question of the \
         day, /challenge for a challenge.",
    );
    let gap = if lang.is_en() { " " } else { "" };
    Message::with_buttons(
        format!("{opening}{gap}{rest}"),
        super::menu::menu_buttons(lang),
    )
}

fn entry_text(entry: &Entry, lang: Lang) -> String {
    let en = lang.is_en();
    let text = format!(
        "💡 {}\n\n{}\n\n{}{}",
        entry.question_in(en),
        entry.answer_in(en),
        tr(lang, "出处：", "Source: "),
        entry.source
    );
    truncate_utf16(&text, MAX_TEXT)
}
