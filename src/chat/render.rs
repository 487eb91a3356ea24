//! Responses to text and buttons, in Chinese (default) or English.

use crate::bank::{AnswerKey, Kind, Question};
use crate::engine::{
    Board, Feedback, Given, Lang, Mode, QuestionView, Reply, StatsView, Summary, TopView,
    DAILY_POINT_CAP,
};
use crate::service::{Content, Response};
use crate::text::{truncate_chars, truncate_utf16};

/// Telegram's message limit, minus a margin.
const MAX_TEXT: usize = 4000;

#[derive(Debug, Clone, PartialEq)]
pub struct Button {
    pub label: String,
    pub data: String,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Message {
    pub text: String,
    pub buttons: Vec<Vec<Button>>,
    /// Replace the message whose button was pressed (feedback, selection changes).
    pub edit_source: bool,
}

impl Message {
    fn text(text: String) -> Message {
        Message {
            text: truncate_utf16(&text, MAX_TEXT),
            ..Default::default()
        }
    }
}

fn tr(lang: Lang, zh: &str, en: &str) -> String {
    if lang.is_en() {
        en.to_string()
    } else {
        zh.to_string()
    }
}

fn button(label: impl Into<String>, data: String) -> Button {
    Button {
        label: label.into(),
        data,
    }
}

pub fn letter(position: usize) -> char {
    (b'A' + position.min(25) as u8) as char
}

pub fn render(response: &Response, content: &Content, lang: Lang) -> Vec<Message> {
    let en = lang.is_en();
    match response {
        Response::Engine(reply) => render_reply(reply, content, lang),
        Response::Answer { matches, english } => {
            let en = en || *english;
            let lang = if en { Lang::En } else { lang };
            let Some(best) = matches.first().and_then(|m| content.kb.get(&m.id)) else { return Vec::new() };
            let mut text = format!("💡 {}\n\n{}\n\n{}{}", best.question_in(en), best.answer_in(en), tr(lang, "出处：", "Source: "), best.source);
            let related: Vec<_> = matches.iter().skip(1).filter_map(|m| content.kb.get(&m.id)).collect();
            if !related.is_empty() {
                text.push_str(&tr(lang, "\n\n相关问题：", "\n\nRelated questions:"));
            }
            let buttons = related
                .iter()
                .map(|e| vec![button(truncate_chars(e.question_in(en), 40), format!("f:{}", e.id))])
                .collect();
            vec![Message { text: truncate_utf16(&text, MAX_TEXT), buttons, edit_source: false }]
        }
        Response::Faq(id) => match content.kb.get(id) {
            Some(e) => vec![Message::text(format!("💡 {}\n\n{}\n\n{}{}", e.question_in(en), e.answer_in(en), tr(lang, "出处：", "Source: "), e.source))],
            None => vec![Message::text(tr(lang, "这个问题已不在知识库中。", "That entry is no longer in the knowledge base."))],
        },
        Response::Abstain { query, redirect } => {
            let en = en || crate::qa::is_english_query(query);
            let lang = if en { Lang::En } else { lang };
            let query = truncate_chars(query, 60);
            let mut text = match (redirect, en) {
                (Some(r), true) => format!("“{query}” is about {}, which this standards knowledge base does not cover.\n{}\n\nI have noted the question for the administrators.", r.topic_en, r.hint_en),
                (Some(r), false) => format!("「{query}」涉及{}，不在标准化知识库的范围内。\n{}\n\n问题已记录，供管理员参考。", r.topic, r.hint),
                (None, true) => format!("Sorry, I have no reliable answer to “{query}” yet. I have noted the question for the administrators.\n\nTry rephrasing it, ask about a topic below, or practise with /quiz."),
                (None, false) => format!("抱歉，关于「{query}」暂时没有可靠的答案，已记录下来请管理员补充。\n\n可以换个说法再问，或从下面的知识点开始 /quiz 练习。"),
            };
            text.push('\n');
            let buttons = topic_buttons(content, lang);
            vec![Message { text, buttons, edit_source: false }]
        }
        Response::Topics(topics) => {
            if topics.is_empty() {
                return vec![Message::text(tr(lang, "题库暂时为空，请管理员导入题目。", "The question bank is empty; ask an administrator to import questions."))];
            }
            let mut text = tr(lang, "知识点（发送 /quiz 编号 或点按钮开始练习）：\n", "Topics (send /quiz NUMBER or tap a button):\n");
            for (i, (topic, topic_en, count)) in topics.iter().enumerate() {
                let name = if en { topic_en.as_deref().unwrap_or(topic) } else { topic };
                text.push_str(&format!("{}. {} ({})\n", i + 1, name, count));
            }
            vec![Message { text, buttons: topic_buttons(content, lang), edit_source: false }]
        }
        Response::UnknownCommand(command) => vec![Message::text(if en {
            format!("Unknown command /{}. Send /help to see what I can do.", truncate_chars(command, 30))
        } else {
            format!("没有 /{} 这个命令。发送 /help 查看可用命令。", truncate_chars(command, 30))
        })],
        Response::NotAdmin => vec![Message::text(tr(lang, "只有管理员可以导入题库，文件未被保存。如需导入请联系管理员。", "Only administrators can import question sets; your file was not stored. Please contact an administrator."))],
        Response::ImportProblems { file_name, problems } => {
            let mut text = if en {
                format!("❌ {file_name} was not imported: {} problem(s). Nothing was changed.\n\n", problems.len())
            } else {
                format!("❌ {file_name} 未导入：发现 {} 个问题，题库没有任何改动。\n\n", problems.len())
            };
            for p in problems.iter().take(30) {
                text.push_str(&format!("• {}\n", p));
            }
            if problems.len() > 30 {
                text.push_str(&if en { format!("… and {} more.\n", problems.len() - 30) } else { format!("……另有 {} 个问题。\n", problems.len() - 30) });
            }
            text.push_str(&tr(lang, "\n请修改后重新发送；可用 stdquiz template 生成模板。", "\nFix them and send the file again; `stdquiz template` writes a template."));
            vec![Message::text(text)]
        }
        Response::ImportPreview { token, plan } => {
            let mut text = tr(lang, "📥 导入预览（尚未保存）\n", "📥 Import preview (not saved yet)\n");
            text.push_str(&plan_text(plan, lang));
            let buttons = vec![vec![
                button(tr(lang, "✅ 确认导入", "✅ Confirm"), format!("ic:{token}")),
                button(tr(lang, "✖ 取消", "✖ Cancel"), format!("ix:{token}")),
            ]];
            vec![Message { text: truncate_utf16(&text, MAX_TEXT), buttons, edit_source: false }]
        }
        Response::Imported { plan } => {
            let mut text = tr(lang, "✅ 导入完成，已生效。\n", "✅ Imported; now being served.\n");
            text.push_str(&plan_text(plan, lang));
            vec![Message { text: truncate_utf16(&text, MAX_TEXT), buttons: Vec::new(), edit_source: true }]
        }
        Response::ImportCancelled => vec![Message { text: tr(lang, "已取消导入，题库未改动。", "Import cancelled; nothing was changed."), buttons: Vec::new(), edit_source: true }],
        Response::ImportExpired => vec![Message::text(tr(lang, "这个导入预览已处理或已过期，请重新发送文件。", "This import preview was already handled or has expired; send the file again."))],
    }
}

fn plan_text(plan: &crate::import::ImportPlan, lang: Lang) -> String {
    let en = lang.is_en();
    let mut text = String::new();
    for set in &plan.sets {
        text.push_str(&if en {
            format!("\nSet {} “{}” v{}: {} questions (added {}, changed {}, unchanged {}, retired {})\n", set.file.set.id, set.file.set.title, set.version, set.file.questions.len(), set.added, set.changed, set.unchanged, set.newly_retired)
        } else {
            format!("\n题集 {}「{}」第{}版：共 {} 题（新增 {}，修改 {}，未变 {}，停用 {}）\n", set.file.set.id, set.file.set.title, set.version, set.file.questions.len(), set.added, set.changed, set.unchanged, set.newly_retired)
        });
        let kinds: Vec<String> = set
            .per_kind
            .iter()
            .map(|(k, n)| format!("{} {}", crate::import::kind_label(k, en), n))
            .collect();
        text.push_str(&format!(
            "{}{}\n",
            tr(lang, "题型：", "Kinds: "),
            kinds.join(", ")
        ));
        let topics: Vec<String> = set
            .per_topic
            .iter()
            .map(|(t, n)| format!("{t} {n}"))
            .collect();
        text.push_str(&format!(
            "{}{}\n",
            tr(lang, "知识点：", "Topics: "),
            topics.join(", ")
        ));
        if let Some(record) = set.file.questions.first() {
            text.push_str(&format!(
                "{}{}\n",
                tr(lang, "样题：", "Sample: "),
                truncate_chars(record.prompt.as_deref().unwrap_or(""), 200)
            ));
        }
    }
    for batch in &plan.faq {
        text.push_str(&if en {
            format!(
                "\nKnowledge entries “{}”: {}\n",
                batch.name,
                batch.entries.len()
            )
        } else {
            format!(
                "\n知识库条目「{}」：{} 条\n",
                batch.name,
                batch.entries.len()
            )
        });
    }
    text
}

fn topic_buttons(content: &Content, lang: Lang) -> Vec<Vec<Button>> {
    let topics = content.bank.topics();
    topics
        .iter()
        .enumerate()
        .map(|(i, (topic, topic_en, _))| {
            let name = if lang.is_en() {
                topic_en.as_deref().unwrap_or(topic)
            } else {
                topic
            };
            button(truncate_chars(name, 24), format!("q:{}", i + 1))
        })
        .collect::<Vec<_>>()
        .chunks(2)
        .map(|c| c.to_vec())
        .collect()
}

fn menu_buttons(lang: Lang) -> Vec<Vec<Button>> {
    vec![
        vec![
            button(tr(lang, "📝 开始练习", "📝 Practice"), "m:quiz".into()),
            button(tr(lang, "📅 每日一题", "📅 Daily"), "m:daily".into()),
        ],
        vec![
            button(
                tr(lang, "🏆 挑战答题", "🏆 Challenge"),
                "m:challenge".into(),
            ),
            button(tr(lang, "📒 错题本", "📒 Review"), "m:review".into()),
        ],
        vec![
            button(tr(lang, "📊 我的成绩", "📊 My stats"), "m:stats".into()),
            button(tr(lang, "🥇 排行榜", "🥇 Leaderboard"), "m:top".into()),
        ],
        vec![button(
            tr(lang, "📚 知识点", "📚 Topics"),
            "m:topics".into(),
        )],
    ]
}

fn help_text(lang: Lang) -> String {
    tr(
        lang,
        "可用命令：\n/quiz [知识点] [题数] 开始练习（默认10题）\n/topics 查看知识点\n/daily 每日一题\n/challenge 挑战答题（答错即止）\n/review 错题本复习\n/stats 我的成绩\n/top 排行榜\n/name 昵称 设置排行榜显示名\n/ask 问题 智慧问答（也可直接发送问题）\n/skip 跳过本题  /stop 结束答题\n/lang zh|en 切换语言\n\n作答：单选、判断点按钮；多选点选后按“提交”；也可直接输入字母（如 B 或 ACD）、对/错，填空题直接输入答案。",
        "Commands:\n/quiz [topic] [count] practise (10 questions by default)\n/topics list topics\n/daily the daily question\n/challenge answer until the first mistake\n/review your mistakes, spaced out\n/stats your progress\n/top leaderboards\n/name NAME your leaderboard name\n/ask QUESTION ask about standardization (or just type it)\n/skip skip a question  /stop end the quiz\n/lang zh|en language\n\nAnswer with the buttons (multi-choice: toggle, then Submit), or type letters (B, ACD), true/false, or the fill-in text.",
    )
}

fn render_reply(reply: &Reply, content: &Content, lang: Lang) -> Vec<Message> {
    let en = lang.is_en();
    let text = |zh: &str, en_text: &str| vec![Message::text(tr(lang, zh, en_text))];
    match reply {
        Reply::Welcome => vec![Message {
            text: tr(
                lang,
                "👋 你好！我是标准化知识问答机器人。\n\n我可以陪你练习标准化知识（《标准化法》、标准的种类与代号、自我声明公开、ISO/IEC/ITU、世界标准日等），每题都有解析和出处；也可以直接向我提问。\n\n我保存的数据：你的用户编号、答题记录和成绩、语言偏好和你设置的昵称，只用于练习进度和排行榜，不保存其他个人信息。\n\n发送 /quiz 开始练习，/help 查看全部命令。",
                "👋 Hello! I am the standards-literacy quiz and Q&A bot.\n\nPractise standardization knowledge (the Standardization Law, kinds and codes of standards, self-declaration, ISO/IEC/ITU, World Standards Day...) with explanations and sources, or just ask me a question.\n\nWhat I keep: your user id, your answers and scores, your language and the display name you set, only for your progress and the leaderboards.\n\nSend /quiz to start, /help for all commands.",
            ),
            buttons: menu_buttons(lang),
            edit_source: false,
        }],
        Reply::Help => vec![Message { text: help_text(lang), buttons: menu_buttons(lang), edit_source: false }],
        Reply::QuizStarted { mode, topic, total } => {
            let topic = topic.as_deref().map(|t| topic_name(content, t, en)).unwrap_or_else(|| tr(lang, "全部知识点", "all topics"));
            vec![Message::text(match (mode, en) {
                (Mode::Practice, false) => format!("📝 开始练习：{topic}，共 {total} 题。"),
                (Mode::Practice, true) => format!("📝 Practice: {topic}, {total} questions."),
                (Mode::Daily, false) => "📅 每日一题".to_string(),
                (Mode::Daily, true) => "📅 Question of the day".to_string(),
                (Mode::Challenge, false) => "🏆 挑战答题：一直答到第一次答错为止，加油！".to_string(),
                (Mode::Challenge, true) => "🏆 Challenge: keep going until your first mistake!".to_string(),
                (Mode::Review, false) => format!("📒 错题复习：{total} 题到期。"),
                (Mode::Review, true) => format!("📒 Review: {total} questions due."),
            })]
        }
        Reply::Question(view) | Reply::Selection(view) => {
            let Some(question) = content.bank.get(&view.question) else { return text("这道题已停用。", "This question has been retired.") };
            vec![Message {
                text: question_text(question, view, lang),
                buttons: question_buttons(question, view, lang),
                edit_source: matches!(reply, Reply::Selection(_)),
            }]
        }
        Reply::Feedback(feedback) => {
            let Some(question) = content.bank.get(&feedback.question) else { return Vec::new() };
            let mut buttons = Vec::new();
            if let Some(entry) = feedback.related.as_deref().and_then(|id| content.kb.get(id)) {
                buttons.push(vec![button(format!("💡 {}", truncate_chars(entry.question_in(en), 36)), format!("f:{}", entry.id))]);
            }
            vec![Message { text: truncate_utf16(&feedback_text(question, feedback, lang), MAX_TEXT), buttons, edit_source: true }]
        }
        Reply::Summary(summary) => vec![Message { text: summary_text(summary, content, lang), buttons: menu_buttons(lang), edit_source: false }],
        Reply::UnknownTopic { query } => {
            let mut message = render(&Response::Topics(content.bank.topics()), content, lang).remove(0);
            message.text = if en { format!("No topic matches “{}”.\n\n{}", truncate_chars(query, 30), message.text) } else { format!("没有找到知识点「{}」。\n\n{}", truncate_chars(query, 30), message.text) };
            vec![message]
        }
        Reply::NoQuestions { .. } => text("题库暂时没有可用的题目，请管理员导入题目后再试。", "There are no questions to serve yet; ask an administrator to import a set."),
        Reply::NoSession => text("当前没有进行中的答题。发送 /quiz 开始练习。", "No quiz is running. Send /quiz to start."),
        Reply::Stale => text("这道题已经作答或已过期，不会重复计分。请回答最新的题目。", "That question was already answered or has expired; it is not counted again. Please answer the latest question."),
        Reply::Invalid => text("无法识别这个按钮，请使用最新消息中的按钮。", "That button is not recognised; please use the buttons on the latest message."),
        Reply::AnswerFormat { kind, options } => {
            let last = letter(options.saturating_sub(1));
            vec![Message::text(match (kind, en) {
                (Kind::Multi, false) => format!("请输入 A-{last} 中的字母作答，如 AC。"),
                (Kind::Multi, true) => format!("Type letters between A and {last}, e.g. AC."),
                (_, false) => format!("这是单选题，请输入 A-{last} 中的一个字母。"),
                (_, true) => format!("Single choice: type one letter between A and {last}."),
            })]
        }
        Reply::EmptySelection => text("请先选择至少一个选项，再按“提交”。", "Select at least one option, then press Submit."),
        Reply::NotAnAnswer(_) => Vec::new(),
        Reply::DailyAlready { streak, best } => vec![Message::text(if en {
            format!("You have already answered today's question. Streak: {streak} day(s) (best {best}). Come back tomorrow!")
        } else {
            format!("今天的每日一题已经答过了。连续打卡 {streak} 天（最佳 {best} 天），明天再来！")
        })],
        Reply::DailyDone { streak, best, bonus } => vec![Message { text: if en {
            format!("📅 Streak: {streak} day(s) in a row (best {best}).{}", if *bonus > 0 { format!(" Streak bonus +{bonus} points.") } else { String::new() })
        } else {
            format!("📅 已连续打卡 {streak} 天（最佳 {best} 天）。{}", if *bonus > 0 { format!("连续奖励 +{bonus} 分。") } else { String::new() })
        }, buttons: menu_buttons(lang), edit_source: false }],
        Reply::ChallengeOver { score, best, new_best, rank } => {
            let rank_text = rank.as_ref().map(|r| if en { format!(" Rank {} of {}.", r.position, r.of) } else { format!("排名第 {} / {} 人。", r.position, r.of) }).unwrap_or_default();
            vec![Message { text: if en {
                format!("🏁 Challenge over: {score} correct in a row.{} Personal best: {best}.{rank_text}", if *new_best { " New personal best! 🎉" } else { "" })
            } else {
                format!("🏁 挑战结束：连续答对 {score} 题。{}个人最佳 {best} 题。{rank_text}", if *new_best { "刷新个人纪录！🎉 " } else { "" })
            }, buttons: menu_buttons(lang), edit_source: false }]
        }
        Reply::ReviewEmpty { next_due, cards } => vec![Message::text(match (next_due, en) {
            (Some(due), false) => format!("暂时没有到期的错题。错题本共 {cards} 题，下一题将于 {} 到期。", format_time(*due)),
            (Some(due), true) => format!("Nothing is due. Your review deck has {cards} question(s); the next is due {}.", format_time(*due)),
            (None, false) => "错题本是空的：答错的题会按间隔重复的安排回到这里。".to_string(),
            (None, true) => "Your review deck is empty: questions you miss come back here on a spaced schedule.".to_string(),
        })],
        Reply::Stats(stats) => vec![Message::text(stats_text(stats, content, lang))],
        Reply::Top(top) => vec![Message::text(top_text(top, lang))],
        Reply::NameSet(name) => vec![Message::text(if en { format!("Your leaderboard name is now “{name}”.") } else { format!("排行榜昵称已设为「{name}」。") })],
        Reply::NameInvalid => text("用法：/name 昵称（1-20个字，不以 / 开头）。", "Usage: /name NAME (1-20 characters, not starting with /)."),
        Reply::LangSet(Lang::Zh) => text("已切换为中文。", "已切换为中文。"),
        Reply::LangSet(Lang::En) => text("Language set to English.", "Language set to English."),
    }
}

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

fn kind_label(kind: Kind, lang: Lang) -> String {
    tr(
        lang,
        kind.label_zh(),
        match kind {
            Kind::Single => "single choice",
            Kind::Multi => "multiple choice",
            Kind::Judge => "true or false",
            Kind::Fill => "fill in the blank",
        },
    )
}

fn option_text(question: &Question, identity: usize, lang: Lang) -> String {
    match question.kind {
        Kind::Judge => judge_label(identity == 0, lang),
        _ => question.option_in(identity, lang.is_en()).to_string(),
    }
}

fn judge_label(value: bool, lang: Lang) -> String {
    match value {
        true => tr(lang, "正确", "True"),
        false => tr(lang, "错误", "False"),
    }
}

fn question_text(question: &Question, view: &QuestionView, lang: Lang) -> String {
    let en = lang.is_en();
    let counter = match (view.total, en) {
        (Some(total), false) => format!("第 {}/{} 题", view.index + 1, total),
        (Some(total), true) => format!("Question {}/{}", view.index + 1, total),
        (None, false) => format!("第 {} 题", view.index + 1),
        (None, true) => format!("Question {}", view.index + 1),
    };
    let mut text = format!(
        "{counter}【{}】{}\n",
        kind_label(question.kind, lang),
        "★".repeat(question.difficulty as usize)
    );
    if view.hard {
        text.push_str(&format!(
            "⚠️ {}{}\n\n",
            tr(
                lang,
                "易错题，先看解析：",
                "Often missed; read the explanation first: "
            ),
            question.explanation_in(en)
        ));
    }
    text.push_str(question.prompt_in(en));
    text.push('\n');
    if matches!(question.kind, Kind::Single | Kind::Multi) {
        for (position, &identity) in view.order.iter().enumerate() {
            let mark = if view.selected.contains(&identity) {
                "☑ "
            } else {
                ""
            };
            text.push_str(&format!(
                "\n{mark}{}. {}",
                letter(position),
                question.option_in(identity, en)
            ));
        }
        text.push('\n');
    }
    text.push_str(match (question.kind, en) {
        (Kind::Multi, false) => "\n（多选：点选后按“提交”，或输入字母如 AC）",
        (Kind::Multi, true) => "\n(Multiple choice: toggle, then Submit, or type letters like AC)",
        (Kind::Fill, false) => "\n（填空：直接输入答案；/skip 跳过）",
        (Kind::Fill, true) => "\n(Type your answer; /skip to skip)",
        (Kind::Judge, false) => "\n（判断：点按钮，或输入 对/错）",
        (Kind::Judge, true) => "\n(Tap a button, or type T/F)",
        (Kind::Single, _) => "",
    });
    truncate_utf16(&text, MAX_TEXT)
}

fn question_buttons(question: &Question, view: &QuestionView, lang: Lang) -> Vec<Vec<Button>> {
    let prefix =
        |kind: &str, identity: usize| format!("{kind}:{}:{}:{identity}", view.session, question.id);
    match question.kind {
        Kind::Single => view
            .order
            .iter()
            .enumerate()
            .map(|(p, &i)| button(letter(p).to_string(), prefix("a", i)))
            .collect::<Vec<_>>()
            .chunks(4)
            .map(|c| c.to_vec())
            .collect(),
        Kind::Judge => vec![vec![
            button(format!("✔ {}", judge_label(true, lang)), prefix("a", 0)),
            button(format!("✘ {}", judge_label(false, lang)), prefix("a", 1)),
        ]],
        Kind::Multi => {
            let mut rows: Vec<Vec<Button>> = view
                .order
                .iter()
                .enumerate()
                .map(|(p, &i)| {
                    let mark = if view.selected.contains(&i) {
                        "☑"
                    } else {
                        "☐"
                    };
                    button(format!("{mark} {}", letter(p)), prefix("t", i))
                })
                .collect::<Vec<_>>()
                .chunks(4)
                .map(|c| c.to_vec())
                .collect();
            rows.push(vec![button(
                tr(lang, "✅ 提交", "✅ Submit"),
                format!("s:{}:{}", view.session, question.id),
            )]);
            rows
        }
        Kind::Fill => Vec::new(),
    }
}

/// The correct answer as the user saw it: display letters plus texts.
fn correct_text(question: &Question, order: &[usize], lang: Lang) -> String {
    match &question.key {
        AnswerKey::Choice(key) => {
            let mut parts: Vec<(usize, String)> = key
                .iter()
                .map(|&i| {
                    let position = order.iter().position(|&o| o == i).unwrap_or(i);
                    (
                        position,
                        format!(
                            "{}. {}",
                            letter(position),
                            question.option_in(i, lang.is_en())
                        ),
                    )
                })
                .collect();
            parts.sort();
            parts
                .into_iter()
                .map(|(_, t)| t)
                .collect::<Vec<_>>()
                .join(list_separator(lang))
        }
        AnswerKey::Judge(value) => judge_label(*value, lang),
        // In English, prefer an accepted answer written in Latin script.
        AnswerKey::Fill { accepted, patterns } => accepted
            .iter()
            .find(|a| lang.is_en() && a.chars().any(|c| c.is_ascii_alphabetic()))
            .or(accepted.first())
            .cloned()
            .or_else(|| patterns.first().map(|p| p.as_str().to_string()))
            .unwrap_or_default(),
    }
}

fn list_separator(lang: Lang) -> &'static str {
    if lang.is_en() {
        "; "
    } else {
        "；"
    }
}

fn given_text(question: &Question, given: &Given, order: &[usize], lang: Lang) -> String {
    match given {
        Given::Choice(chosen) => {
            let mut positions: Vec<(usize, usize)> = chosen
                .iter()
                .map(|&i| (order.iter().position(|&o| o == i).unwrap_or(i), i))
                .collect();
            positions.sort();
            positions
                .iter()
                .map(|&(p, i)| format!("{}. {}", letter(p), option_text(question, i, lang)))
                .collect::<Vec<_>>()
                .join(list_separator(lang))
        }
        Given::Judge(value) => judge_label(*value, lang),
        Given::Text(text) => truncate_chars(text, 100),
        Given::Skipped => tr(lang, "（跳过）", "(skipped)"),
    }
}

fn feedback_text(question: &Question, feedback: &Feedback, lang: Lang) -> String {
    let en = lang.is_en();
    let verdict = match feedback.correct {
        Some(true) => tr(lang, "✅ 回答正确", "✅ Correct"),
        Some(false) => tr(lang, "❌ 回答错误", "❌ Wrong"),
        None => tr(lang, "⏭ 已跳过", "⏭ Skipped"),
    };
    let points = if feedback.points > 0 {
        format!("  +{}", feedback.points)
    } else {
        String::new()
    };
    let mut text = format!("{verdict}{points}\n\n{}\n", question.prompt_in(en));
    if feedback.correct != Some(true) || matches!(question.kind, Kind::Multi | Kind::Fill) {
        text.push_str(&format!(
            "\n{}{}",
            tr(lang, "你的答案：", "Your answer: "),
            given_text(question, &feedback.given, &feedback.order, lang)
        ));
    }
    text.push_str(&format!(
        "\n{}{}",
        tr(lang, "正确答案：", "Correct answer: "),
        correct_text(question, &feedback.order, lang)
    ));
    text.push_str(&format!(
        "\n\n{}{}",
        tr(lang, "解析：", "Explanation: "),
        question.explanation_in(en)
    ));
    text.push_str(&format!(
        "\n{}{}",
        tr(lang, "出处：", "Source: "),
        question.source
    ));
    text
}

fn format_duration(seconds: i64, lang: Lang) -> String {
    let (m, s) = (seconds / 60, seconds % 60);
    match (m, lang.is_en()) {
        (0, false) => format!("{s}秒"),
        (0, true) => format!("{s}s"),
        (_, false) => format!("{m}分{s}秒"),
        (_, true) => format!("{m}m {s}s"),
    }
}

fn format_time(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix + 8 * 3600, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
        + " (UTC+8)"
}

fn summary_text(summary: &Summary, content: &Content, lang: Lang) -> String {
    let en = lang.is_en();
    let head = match (summary.finished, en) {
        (true, false) => "🎯 练习结束",
        (true, true) => "🎯 Quiz complete",
        (false, false) => "⏹ 已结束本次答题",
        (false, true) => "⏹ Quiz stopped",
    };
    let mut text = if en {
        format!(
            "{head}\nScore: {}/{} correct",
            summary.correct, summary.answered
        )
    } else {
        format!(
            "{head}\n得分：答对 {}/{} 题",
            summary.correct, summary.answered
        )
    };
    if summary.skipped > 0 {
        text.push_str(&if en {
            format!(", {} skipped", summary.skipped)
        } else {
            format!("，跳过 {} 题", summary.skipped)
        });
    }
    if let Some(percent) = (summary.correct * 100).checked_div(summary.answered) {
        text.push_str(&format!(" ({percent}%)"));
    }
    text.push_str(&format!(
        "\n{}{}",
        tr(lang, "用时：", "Time: "),
        format_duration(summary.seconds, lang)
    ));
    text.push_str(&format!(
        "\n{}{}",
        tr(lang, "积分：+", "Points: +"),
        summary.points
    ));
    if !summary.per_topic.is_empty() {
        text.push_str(&tr(lang, "\n\n各知识点：", "\n\nBy topic:"));
        for (topic, correct, answered) in &summary.per_topic {
            text.push_str(&format!(
                "\n· {} {}/{}",
                topic_name(content, topic, en),
                correct,
                answered
            ));
        }
    }
    if summary.correct < summary.answered {
        text.push_str(&tr(
            lang,
            "\n\n答错的题已加入错题本，稍后用 /review 复习。",
            "\n\nMissed questions were added to your review deck: /review later.",
        ));
    }
    text
}

fn bar(correct: u32, answered: u32) -> String {
    if answered == 0 {
        return "░░░░░░░░░░".to_string();
    }
    let filled = (correct * 10 / answered) as usize;
    format!("{}{}", "█".repeat(filled), "░".repeat(10 - filled))
}

fn stats_text(stats: &StatsView, content: &Content, lang: Lang) -> String {
    let en = lang.is_en();
    let accuracy = (stats.correct * 100)
        .checked_div(stats.answered)
        .unwrap_or(0);
    let mut text = if en {
        format!(
            "📊 Your progress\nAnswered: {} · Correct: {} · Accuracy: {}%\nDaily streak: {} day(s) (best {})\nChallenge best: {}\nPoints: {} total, {} this week (cap {DAILY_POINT_CAP}/day)\nReview: {} due",
            stats.answered, stats.correct, accuracy, stats.streak, stats.best_streak, stats.challenge_best, stats.points_total, stats.points_week, stats.review_due
        )
    } else {
        format!(
            "📊 我的成绩\n已答 {} 题 · 答对 {} 题 · 正确率 {}%\n每日一题连续 {} 天（最佳 {} 天）\n挑战最佳：{} 题\n积分：累计 {}，本周 {}（每日上限 {DAILY_POINT_CAP}）\n错题待复习：{} 题",
            stats.answered, stats.correct, accuracy, stats.streak, stats.best_streak, stats.challenge_best, stats.points_total, stats.points_week, stats.review_due
        )
    };
    text.push_str(&tr(
        lang,
        "\n\n知识点掌握（答对/已答）：",
        "\n\nMastery by topic (correct/answered):",
    ));
    for (topic, correct, answered, _) in &stats.topics {
        text.push_str(&format!(
            "\n{} {}/{} {}",
            bar(*correct, *answered),
            correct,
            answered,
            topic_name(content, topic, en)
        ));
    }
    text.push_str(&tr(lang, "\n\n本周答题：", "\n\nThis week:"));
    let names_zh = ["一", "二", "三", "四", "五", "六", "日"];
    let names_en = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    for (i, (_, answered)) in stats.week.iter().enumerate() {
        let name = if en {
            names_en[i].to_string()
        } else {
            format!("周{}", names_zh[i])
        };
        text.push_str(&format!(
            "\n{name} {}",
            if *answered > 0 {
                format!("{} {answered}", "▇".repeat((*answered).min(20) as usize))
            } else {
                "·".to_string()
            }
        ));
    }
    if stats.in_session {
        text.push_str(&tr(
            lang,
            "\n\n你有一场答题正在进行，直接作答即可继续。",
            "\n\nA quiz is in progress: answer to continue.",
        ));
    }
    text
}

fn board_text(title: &str, board: &Board, lang: Lang, percent: bool) -> String {
    let mut text = format!("{title}\n");
    if board.rows.is_empty() {
        text.push_str(&tr(lang, "（暂无）\n", "(nobody yet)\n"));
    }
    let row = |r: &crate::engine::BoardRow| {
        let value = match (percent, r.detail) {
            (true, Some((c, a))) => format!("{}.{}% ({c}/{a})", r.value / 10, r.value % 10),
            _ => r.value.to_string(),
        };
        format!(
            "{}{}. {} — {}\n",
            if r.me { "👉 " } else { "" },
            r.rank,
            r.name,
            value
        )
    };
    for r in &board.rows {
        text.push_str(&row(r));
    }
    if let Some(mine) = &board.mine {
        text.push_str("…\n");
        text.push_str(&row(mine));
    }
    text
}

fn top_text(top: &TopView, lang: Lang) -> String {
    let mut text = board_text(
        &tr(lang, "🥇 本周积分榜", "🥇 This week (points)"),
        &top.week,
        lang,
        false,
    );
    text.push('\n');
    text.push_str(&board_text(
        &tr(lang, "🏅 总积分榜", "🏅 All time (points)"),
        &top.all_time,
        lang,
        false,
    ));
    text.push('\n');
    text.push_str(&board_text(
        &tr(
            lang,
            &format!(
                "🎯 正确率榜（至少答 {} 题）",
                crate::engine::ACCURACY_BOARD_MIN_ANSWERS
            ),
            &format!(
                "🎯 Accuracy (at least {} answers)",
                crate::engine::ACCURACY_BOARD_MIN_ANSWERS
            ),
        ),
        &top.accuracy,
        lang,
        true,
    ));
    if !top.has_name {
        text.push_str(&tr(
            lang,
            "\n用 /name 昵称 设置你在榜单上显示的名字。",
            "\nSet your leaderboard name with /name NAME.",
        ));
    }
    text
}
