//! 智慧问答 replies: an answer with its source and related questions, an entry shown on
//! its own, and an honest "no answer" (with a pointer when the subject belongs elsewhere).

use super::{button, tr, Message, MAX_TEXT};
use crate::chat::action::Action;
use crate::engine::Lang;
use crate::qa::scope::Redirect;
use crate::qa::{Entry, Match};
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
    content: &Content,
    lang: Lang,
) -> Message {
    let en = lang.is_en() || crate::qa::is_english_query(query);
    let lang = if en { Lang::En } else { lang };
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
