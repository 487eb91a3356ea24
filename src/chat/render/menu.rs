//! The welcome, help and main-menu replies, the topic list with its buttons (a page at a
//! time, however many topics an import brings), and replies to unknown commands.

use super::{button, tr, Button, Message, MAX_TEXT};
use crate::bank::topic_key;
use crate::chat::action::{Action, Menu};
use crate::engine::Lang;
use crate::service::Content;
use crate::text::{truncate_chars, truncate_utf16};

/// Topic buttons on one page (two a row).
const TOPICS_PER_PAGE: usize = 12;
/// Longest topic name shown on a button and in the list.
const MAX_TOPIC_LABEL: usize = 24;

pub(super) fn welcome(lang: Lang) -> Message {
    let text = tr(
        lang,
        "👋 你好！我是标准化知识问答机器人。\n\n\
         我可以陪你练习标准化知识（《标准化法》、标准的种类与代号、自我声明公开、ISO/IEC/ITU、\
         世界标准日等），每题都有解析和出处；也可以直接向我提问。\n\n\
         我保存的数据：你的用户编号、答题记录和成绩、语言偏好和你设置的昵称，\
         只用于练习进度和排行榜，不保存其他个人信息。\n\n\
         发送 /quiz 开始练习，/help 查看全部命令。",
        "👋 Hello! I am the standards-literacy quiz and Q&A bot.\n\n\
         Practise standardization knowledge (the Standardization Law, kinds and codes of \
         standards, self-declaration, ISO/IEC/ITU, World Standards Day...) with explanations \
         and sources, or just ask me a question.\n\n\
         What I keep: your user id, your answers and scores, your language and the display \
         name you set, only for your progress and the leaderboards.\n\n\
         Send /quiz to start, /help for all commands.",
    );
    Message::with_buttons(text, menu_buttons(lang))
}

pub(super) fn help(lang: Lang) -> Message {
    let text = tr(
        lang,
        "可用命令：\n\
         /quiz 开始练习（默认10题）；/quiz 5 练5题；/quiz 知识点 [题数] 练某个知识点\n\
         /topics 查看知识点\n/daily 每日一题\n/challenge 挑战答题（答错即止）\n\
         /review 错题本复习\n/stats 我的成绩\n/top 排行榜\n/name 昵称 设置排行榜显示名\n\
         /ask 问题 智慧问答（也可直接发送问题）\n/skip 跳过本题  /stop 结束答题\n\
         /join 邀请码 加入所在单位  /campaign 活动编号 参加竞答活动\n\
         /verify 验证码 核验参赛证明\n\
         /lang zh|en 切换语言\n\n\
         作答：单选、判断点按钮；多选点选后按“提交”；也可直接输入字母（如 B 或 ACD）、对/错，\
         填空题直接输入答案。",
        "Commands:\n\
         /quiz practise (10 questions); /quiz 5 five questions; /quiz TOPIC [count] one topic\n\
         /topics list topics\n/daily the daily question\n\
         /challenge answer until the first mistake\n/review your mistakes, spaced out\n\
         /stats your progress\n/top leaderboards\n/name NAME your leaderboard name\n\
         /ask QUESTION ask about standardization (or just type it)\n\
         /skip skip a question  /stop end the quiz\n\
         /join CODE join your enterprise  /campaign ID take part in a campaign\n\
         /verify CODE check a certificate\n\
         /lang zh|en language\n\n\
         Answer with the buttons (multi-choice: toggle, then Submit), or type letters \
         (B, ACD), true/false, or the fill-in text.",
    );
    Message::with_buttons(text, menu_buttons(lang))
}

pub(super) fn menu_buttons(lang: Lang) -> Vec<Vec<Button>> {
    let item = |zh: &str, en: &str, menu: Menu| button(tr(lang, zh, en), Action::Menu(menu));
    vec![
        vec![
            item("📝 开始练习", "📝 Practice", Menu::Quiz),
            item("📅 每日一题", "📅 Daily", Menu::Daily),
        ],
        vec![
            item("🏆 挑战答题", "🏆 Challenge", Menu::Challenge),
            item("📒 错题本", "📒 Review", Menu::Review),
        ],
        vec![
            item("📊 我的成绩", "📊 My stats", Menu::Stats),
            item("🥇 排行榜", "🥇 Leaderboard", Menu::Top),
        ],
        vec![item("📚 知识点", "📚 Topics", Menu::Topics)],
    ]
}

/// The topic list with question counts; page `page` of the topic buttons.
pub(super) fn topics(
    topics: &[(String, Option<String>, usize)],
    page: usize,
    content: &Content,
    lang: Lang,
) -> Message {
    if topics.is_empty() {
        return Message::text(tr(
            lang,
            "题库暂时为空，请管理员导入题目。",
            "The question bank is empty; ask an administrator to import questions.",
        ));
    }
    let mut text = tr(
        lang,
        "知识点（点按钮开始练习，或发送 /quiz 知识点名称）：\n",
        "Topics (tap a button, or send /quiz TOPIC NAME):\n",
    );
    for (i, (topic, topic_en, count)) in topics.iter().enumerate() {
        let name = if lang.is_en() {
            topic_en.as_deref().unwrap_or(topic)
        } else {
            topic
        };
        text.push_str(&format!(
            "{}. {} ({count})\n",
            i + 1,
            truncate_chars(name, MAX_TOPIC_LABEL)
        ));
    }
    Message::with_buttons(
        truncate_utf16(&text, MAX_TEXT),
        topic_page(content, page, lang),
    )
}

/// The first page of topic buttons, under replies that suggest practising.
pub(super) fn topic_buttons(content: &Content, lang: Lang) -> Vec<Vec<Button>> {
    topic_page(content, 0, lang)
}

fn topic_page(content: &Content, page: usize, lang: Lang) -> Vec<Vec<Button>> {
    let topics = content.bank.topics();
    let pages = topics.len().div_ceil(TOPICS_PER_PAGE).max(1);
    let page = page.min(pages - 1);
    let mut rows: Vec<Vec<Button>> = topics
        .iter()
        .skip(page * TOPICS_PER_PAGE)
        .take(TOPICS_PER_PAGE)
        .map(|(topic, topic_en, _)| {
            let name = match (lang.is_en(), topic_en) {
                (true, Some(en)) => en,
                _ => topic,
            };
            let label = truncate_chars(name, MAX_TOPIC_LABEL);
            button(label, Action::QuizTopic(topic_key(topic)))
        })
        .collect::<Vec<_>>()
        .chunks(2)
        .map(<[Button]>::to_vec)
        .collect();
    if pages > 1 {
        let mut nav = Vec::new();
        if page > 0 {
            let label = tr(lang, "◀ 上一页", "◀ Previous");
            nav.push(button(label, Action::TopicsPage(page as u16 - 1)));
        }
        if page + 1 < pages {
            let label = tr(lang, "下一页 ▶", "Next ▶");
            nav.push(button(label, Action::TopicsPage(page as u16 + 1)));
        }
        rows.push(nav);
    }
    rows
}

pub(super) fn unknown_topic(query: &str, content: &Content, lang: Lang) -> Message {
    let mut message = topics(&content.bank.topics(), 0, content, lang);
    let query = truncate_chars(query, 30);
    message.text = if lang.is_en() {
        format!("No topic matches “{query}”.\n\n{}", message.text)
    } else {
        format!("没有找到知识点「{query}」。\n\n{}", message.text)
    };
    message.text = truncate_utf16(&message.text, MAX_TEXT);
    message
}

pub(super) fn unknown_command(command: &str, lang: Lang) -> Message {
    let command = truncate_chars(command, 30);
    Message::text(if lang.is_en() {
        format!("Unknown command /{command}. Send /help to see what I can do.")
    } else {
        format!("没有 /{command} 这个命令。发送 /help 查看可用命令。")
    })
}
