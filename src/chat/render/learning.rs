//! Learning-loop replies: the daily question, challenge, review deck, stats and boards.

use super::{format_time, topic_name, tr, Message};
use crate::engine::{Board, Lang, Rank, StatsView, TopView, DAILY_POINT_CAP};
use crate::service::Content;

pub(super) fn daily_already(streak: u32, best: u32, lang: Lang) -> Message {
    Message::text(if lang.is_en() {
        format!(
            "You have already answered today's question. \
             Streak: {streak} day(s) (best {best}). Come back tomorrow!"
        )
    } else {
        format!("今天的每日一题已经答过了。连续打卡 {streak} 天（最佳 {best} 天），明天再来！")
    })
}

pub(super) fn daily_done(streak: u32, best: u32, bonus: u32, lang: Lang) -> Message {
    let text = match (lang.is_en(), bonus > 0) {
        (true, true) => format!(
            "📅 Streak: {streak} day(s) in a row (best {best}). Streak bonus +{bonus} points."
        ),
        (true, false) => format!("📅 Streak: {streak} day(s) in a row (best {best})."),
        (false, true) => {
            format!("📅 已连续打卡 {streak} 天（最佳 {best} 天）。连续奖励 +{bonus} 分。")
        }
        (false, false) => format!("📅 已连续打卡 {streak} 天（最佳 {best} 天）。"),
    };
    Message::with_buttons(text, super::menu::menu_buttons(lang))
}

pub(super) fn challenge_over(
    score: u32,
    best: u32,
    new_best: bool,
    rank: Option<&Rank>,
    lang: Lang,
) -> Message {
    let en = lang.is_en();
    let rank_text = match (rank, en) {
        (Some(r), true) => format!(" Rank {} of {}.", r.position, r.of),
        (Some(r), false) => format!("排名第 {} / {} 人。", r.position, r.of),
        (None, _) => String::new(),
    };
    let text = if en {
        let record = if new_best {
            " New personal best! 🎉"
        } else {
            ""
        };
        format!(
            "🏁 Challenge over: {score} correct in a row.{record} \
             Personal best: {best}.{rank_text}"
        )
    } else {
        let record = if new_best {
            "刷新个人纪录！🎉 "
        } else {
            ""
        };
        format!("🏁 挑战结束：连续答对 {score} 题。{record}个人最佳 {best} 题。{rank_text}")
    };
    Message::with_buttons(text, super::menu::menu_buttons(lang))
}

pub(super) fn review_empty(next_due: Option<i64>, cards: usize, lang: Lang) -> Message {
    Message::text(match (next_due, lang.is_en()) {
        (Some(due), false) => format!(
            "暂时没有到期的错题。错题本共 {cards} 题，下一题将于 {} 到期。",
            format_time(due)
        ),
        (Some(due), true) => format!(
            "Nothing is due. Your review deck has {cards} question(s); the next is due {}.",
            format_time(due)
        ),
        (None, false) => "错题本是空的：答错的题会按间隔重复的安排回到这里。".to_string(),
        (None, true) => "Your review deck is empty: questions you miss come back here \
                         on a spaced schedule."
            .to_string(),
    })
}

pub(super) fn stats(stats: &StatsView, content: &Content, lang: Lang) -> Message {
    Message::text(stats_text(stats, content, lang))
}

pub(super) fn top(top: &TopView, lang: Lang) -> Message {
    Message::text(top_text(top, lang))
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
            "📊 Your progress\nAnswered: {} · Correct: {} · Accuracy: {}%\n\
             Daily streak: {} day(s) (best {})\nChallenge best: {}\n\
             Points: {} total, {} this week (cap {DAILY_POINT_CAP}/day)\nReview: {} due",
            stats.answered,
            stats.correct,
            accuracy,
            stats.streak,
            stats.best_streak,
            stats.challenge_best,
            stats.points_total,
            stats.points_week,
            stats.review_due
        )
    } else {
        format!(
            "📊 我的成绩\n已答 {} 题 · 答对 {} 题 · 正确率 {}%\n\
             每日一题连续 {} 天（最佳 {} 天）\n挑战最佳：{} 题\n\
             积分：累计 {}，本周 {}（每日上限 {DAILY_POINT_CAP}）\n错题待复习：{} 题",
            stats.answered,
            stats.correct,
            accuracy,
            stats.streak,
            stats.best_streak,
            stats.challenge_best,
            stats.points_total,
            stats.points_week,
            stats.review_due
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
            super::safe_name(&r.name),
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
