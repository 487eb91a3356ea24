//! Quiz replies: a quiz's heading, questions with their buttons, feedback, summaries.

use super::{button, letter, topic_name, tr, Button, Message, MAX_TEXT};
use crate::bank::{AnswerKey, Kind, Question};
use crate::chat::action::Action;
use crate::engine::{Feedback, Given, Lang, Mode, QuestionView, Summary};
use crate::service::Content;
use crate::text::{truncate_chars, truncate_utf16};

/// The heading of a quiz; it is sent as part of the first question.
pub(super) fn started(
    mode: Mode,
    topic: Option<&str>,
    total: usize,
    content: &Content,
    lang: Lang,
) -> Message {
    let en = lang.is_en();
    if mode == Mode::Campaign {
        let campaign = topic.and_then(|id| content.campaign(id));
        let text = super::campaign::started(campaign, total, lang);
        return Message {
            heads_next: true,
            ..Message::text(text)
        };
    }
    let topic = topic
        .map(|t| topic_name(content, t, en))
        .unwrap_or_else(|| tr(lang, "全部知识点", "all topics"));
    let text = match (mode, en) {
        (Mode::Practice, false) => format!("📝 开始练习：{topic}，共 {total} 题。"),
        (Mode::Practice, true) => format!("📝 Practice: {topic}, {total} questions."),
        (Mode::Daily, false) => "📅 每日一题".to_string(),
        (Mode::Daily, true) => "📅 Question of the day".to_string(),
        (Mode::Challenge, false) => "🏆 挑战答题：一直答到第一次答错为止，加油！".to_string(),
        (Mode::Challenge, true) => "🏆 Challenge: keep going until your first mistake!".to_string(),
        (Mode::Review, false) => format!("📒 错题复习：{total} 题到期。"),
        (Mode::Review, true) => format!("📒 Review: {total} questions due."),
        (Mode::Campaign, _) => String::new(),
    };
    Message {
        heads_next: true,
        ..Message::text(text)
    }
}

/// A question with its answer buttons; `edit` redraws the pressed message (a toggle).
pub(super) fn question(view: &QuestionView, edit: bool, content: &Content, lang: Lang) -> Message {
    let Some(question) = content.bank.get(&view.question) else {
        return Message::text(tr(
            lang,
            "这道题已停用。",
            "This question has been retired.",
        ));
    };
    let text = question_text(question, view, lang);
    let buttons = question_buttons(question, view, lang);
    if edit {
        Message::editing(text, buttons)
    } else {
        Message::with_buttons(text, buttons)
    }
}

/// The question becomes its feedback; a missed one offers the closest knowledge entry.
pub(super) fn feedback(
    feedback: &Feedback,
    related: Option<&str>,
    content: &Content,
    lang: Lang,
) -> Message {
    let en = lang.is_en();
    let Some(question) = content.bank.get(&feedback.question) else {
        return Message::editing(
            tr(lang, "这道题已停用。", "This question has been retired."),
            Vec::new(),
        );
    };
    let mut buttons = Vec::new();
    if let Some(entry) = related.and_then(|id| content.kb.get(id)) {
        let label = format!("💡 {}", truncate_chars(entry.question_in(en), 36));
        buttons.push(vec![button(label, Action::Faq(entry.id.clone()))]);
    }
    Message::editing(feedback_text(question, feedback, lang), buttons)
}

pub(super) fn summary(summary: &Summary, content: &Content, lang: Lang) -> Message {
    Message::with_buttons(
        summary_text(summary, content, lang),
        super::menu::menu_buttons(lang),
    )
}

/// Typed text that looked like an answer to a choice question but was not a valid one.
pub(super) fn answer_format(kind: Kind, options: usize, lang: Lang) -> Message {
    let last = letter(options.saturating_sub(1));
    Message::text(match (kind, lang.is_en()) {
        (Kind::Multi, false) => format!("请输入 A-{last} 中的字母作答，如 AC。"),
        (Kind::Multi, true) => format!("Type letters between A and {last}, e.g. AC."),
        (_, false) => format!("这是单选题，请输入 A-{last} 中的一个字母。"),
        (_, true) => format!("Single choice: type one letter between A and {last}."),
    })
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
    let choose = |option: usize| Action::Choose {
        session: view.session,
        question: question.id.clone(),
        option,
    };
    let toggle = |option: usize| Action::Toggle {
        session: view.session,
        question: question.id.clone(),
        option,
    };
    match question.kind {
        Kind::Single => view
            .order
            .iter()
            .enumerate()
            .map(|(p, &i)| button(letter(p).to_string(), choose(i)))
            .collect::<Vec<_>>()
            .chunks(4)
            .map(|c| c.to_vec())
            .collect(),
        Kind::Judge => vec![vec![
            button(format!("✔ {}", judge_label(true, lang)), choose(0)),
            button(format!("✘ {}", judge_label(false, lang)), choose(1)),
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
                    button(format!("{mark} {}", letter(p)), toggle(i))
                })
                .collect::<Vec<_>>()
                .chunks(4)
                .map(|c| c.to_vec())
                .collect();
            rows.push(vec![button(
                tr(lang, "✅ 提交", "✅ Submit"),
                Action::Submit {
                    session: view.session,
                    question: question.id.clone(),
                },
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
