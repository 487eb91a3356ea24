//! Campaign replies (知识竞答): the card with its Start button, the result of an attempt,
//! the boards, `/join`, and the organizer's import previews.

use super::{
    button, format_time, safe_name, tr, Attachment, AttachmentKind, Button, Message, MAX_TEXT,
};
use crate::campaign::{Availability, Board, Campaign, Org, OrgBoards, OrgRow, PersonRow};
use crate::chat::action::Action;
use crate::engine::Lang;
use crate::service::campaigns::{CampaignPlan, Card, Outcome};
use crate::text::{truncate_chars, truncate_utf16};

pub(super) fn card(card: &Card, lang: Lang) -> Message {
    let en = lang.is_en();
    let c = &card.campaign;
    let window = format!("{} – {}", format_time(c.starts), format_time(c.ends));
    let left = c.attempts.saturating_sub(card.attempts_used);
    let mut text = if en {
        format!(
            "🏁 {}\nOpen: {window}\n{} questions · {} attempt(s), the best counts · pass mark {}%\n\
             Attempts left: {left}",
            c.title_in(true),
            c.questions,
            c.attempts,
            c.pass_mark
        )
    } else {
        format!(
            "🏁 {}\n时间：{window}\n\
             每次 {} 题 · 可答 {} 次（取最好成绩）· {} 分及格\n剩余次数：{left}",
            c.title, c.questions, c.attempts, c.pass_mark
        )
    };
    if let Some(best) = card.best {
        text.push_str(&if en {
            format!("\nYour best so far: {best}%")
        } else {
            format!("\n你的最好成绩：{best} 分")
        });
    }
    text.push_str(&match (&card.org, en) {
        (Some(org), false) => format!("\n所在单位：{}", truncate_chars(&org.name, 40)),
        (Some(org), true) => format!("\nEnterprise: {}", truncate_chars(&org.name, 40)),
        (None, false) => "\n所在单位：未加入（发送 /join 邀请码 加入，成绩计入单位）".to_string(),
        (None, true) => {
            "\nEnterprise: none yet (send /join CODE so your score counts for it)".to_string()
        }
    });
    let start = |label_zh: &str, label_en: &str| {
        vec![vec![
            button(
                tr(lang, label_zh, label_en),
                Action::CampaignStart(c.id.clone()),
            ),
            button(
                tr(lang, "🏆 排行榜", "🏆 Boards"),
                Action::CampaignTop(c.id.clone()),
            ),
        ]]
    };
    let (note, buttons) = match card.availability {
        _ if card.in_progress => (
            tr(
                lang,
                "\n\n你有一次答题尚未完成。",
                "\n\nYou have an attempt under way.",
            ),
            start("▶ 继续答题", "▶ Continue"),
        ),
        Availability::Open { .. } => (String::new(), start("▶ 开始答题", "▶ Start")),
        Availability::NotYet { opens } => (
            if en {
                format!("\n\nIt opens {}.", format_time(opens))
            } else {
                format!("\n\n活动将于 {} 开始，届时再来。", format_time(opens))
            },
            Vec::new(),
        ),
        Availability::Closed => (
            tr(
                lang,
                "\n\n活动已结束，感谢关注。",
                "\n\nThe campaign has closed.",
            ),
            vec![vec![button(
                tr(lang, "🏆 排行榜", "🏆 Boards"),
                Action::CampaignTop(c.id.clone()),
            )]],
        ),
        Availability::NoAttemptsLeft => (
            tr(
                lang,
                "\n\n答题次数已用完，成绩取最好的一次。",
                "\n\nYou have used every attempt; your best one counts.",
            ),
            vec![vec![button(
                tr(lang, "🏆 排行榜", "🏆 Boards"),
                Action::CampaignTop(c.id.clone()),
            )]],
        ),
    };
    text.push_str(&note);
    Message::with_buttons(text, buttons)
}

/// The heading of an attempt, sent with its first question.
pub(super) fn started(campaign: Option<&Campaign>, total: usize, lang: Lang) -> String {
    let title = campaign.map_or("", |c| c.title_in(lang.is_en()));
    if lang.is_en() {
        format!("🏁 {title}: {total} questions. Answer each one; your score comes at the end.")
    } else {
        format!("🏁 {title}：共 {total} 题，逐题作答，答完公布成绩。")
    }
}

pub(super) fn result(outcome: &Outcome, lang: Lang) -> Message {
    let en = lang.is_en();
    let c = &outcome.campaign;
    let verdict = match (outcome.passed, en) {
        (true, false) => "已通过 ✅",
        (true, true) => "passed ✅",
        (false, false) => "未达及格线",
        (false, true) => "below the pass mark",
    };
    let mut text = if en {
        format!(
            "🏁 {}\nScore: {}% ({}/{}), {verdict} (pass mark {}%)",
            c.title_in(true),
            outcome.score,
            outcome.correct,
            outcome.total,
            c.pass_mark
        )
    } else {
        format!(
            "🏁 {}\n得分：{} 分（答对 {}/{}），{verdict}（及格线 {} 分）",
            c.title, outcome.score, outcome.correct, outcome.total, c.pass_mark
        )
    };
    if outcome.stopped {
        text.push_str(&tr(
            lang,
            "\n本次提前结束，未答的题按答错计。",
            "\nStopped early: unanswered questions count as wrong.",
        ));
    }
    text.push_str(&if en {
        format!("\nBest: {}%", outcome.best)
    } else {
        format!("\n最好成绩：{} 分", outcome.best)
    });
    if let Some(rank) = &outcome.rank {
        text.push_str(&if en {
            format!(" · rank {} of {}", rank.position, rank.of)
        } else {
            format!(" · 排名第 {} / {} 人", rank.position, rank.of)
        });
    }
    text.push_str(&if en {
        format!("\nAttempts left: {}", outcome.attempts_left)
    } else {
        format!("\n剩余次数：{}", outcome.attempts_left)
    });
    if let Some(certificate) = &outcome.certificate {
        text.push_str(&super::report::certificate_note(certificate, lang));
    }
    let mut row = vec![button(
        tr(lang, "🏆 排行榜", "🏆 Boards"),
        Action::CampaignTop(c.id.clone()),
    )];
    if outcome.attempts_left > 0 {
        row.push(button(
            tr(lang, "🔁 再答一次", "🔁 Try again"),
            Action::CampaignStart(c.id.clone()),
        ));
    }
    Message::with_buttons(text, vec![row])
}

pub(super) fn boards(
    report: &crate::campaign::Report,
    people: &Board<PersonRow>,
    orgs: &OrgBoards,
    lang: Lang,
) -> Message {
    let en = lang.is_en();
    let mut text = if en {
        format!(
            "🏆 {} — {} participant(s)\n",
            report.title, report.participants
        )
    } else {
        format!("🏆 {} · 参与 {} 人\n", report.title, report.participants)
    };
    text.push_str(&tr(
        lang,
        "\n个人（最好成绩，用时）：\n",
        "\nPeople (best score, time):\n",
    ));
    push_rows(&mut text, people, lang, |r| {
        let seconds = if en {
            format!("{}s", r.seconds)
        } else {
            format!("{}秒", r.seconds)
        };
        let score = if en {
            format!("{}%", r.score)
        } else {
            format!("{} 分", r.score)
        };
        (
            r.rank,
            r.me,
            safe_name(&r.name),
            format!("{score} · {seconds}"),
        )
    });
    if !orgs.by_participation.rows.is_empty() {
        text.push_str(&tr(
            lang,
            "\n单位参与率：\n",
            "\nEnterprises by participation:\n",
        ));
        push_rows(&mut text, &orgs.by_participation, lang, |r| {
            let rate = format!(
                "{:.1}% ({}/{})",
                r.value * 100.0,
                r.participants,
                r.headcount
            );
            (r.rank, r.me, safe_name(&r.name), rate)
        });
        text.push_str(&tr(
            lang,
            "\n单位平均分：\n",
            "\nEnterprises by average best score:\n",
        ));
        push_rows(&mut text, &orgs.by_score, lang, |r: &OrgRow| {
            (r.rank, r.me, safe_name(&r.name), format!("{:.1}", r.value))
        });
    }
    Message::text(truncate_utf16(&text, MAX_TEXT))
}

fn push_rows<R>(
    text: &mut String,
    board: &Board<R>,
    lang: Lang,
    row: impl Fn(&R) -> (usize, bool, String, String),
) {
    if board.rows.is_empty() {
        text.push_str(&tr(lang, "（暂无）\n", "(nobody yet)\n"));
    }
    let line = |r: &R| {
        let (rank, me, name, value) = row(r);
        let pointer = if me { "👉 " } else { "" };
        format!("{pointer}{rank}. {name} — {value}\n")
    };
    for r in &board.rows {
        text.push_str(&line(r));
    }
    if let Some(mine) = &board.mine {
        text.push_str("…\n");
        text.push_str(&line(mine));
    }
}

/// Campaigns open now, under `/top`: a button for each one's boards.
pub(super) fn open_campaigns(campaigns: &[Campaign], lang: Lang) -> Message {
    let buttons: Vec<Vec<Button>> = campaigns
        .iter()
        .take(10)
        .map(|c| {
            let label = format!("🏆 {}", truncate_chars(c.title_in(lang.is_en()), 30));
            vec![button(label, Action::CampaignTop(c.id.clone()))]
        })
        .collect();
    let text = tr(
        lang,
        "进行中的竞答活动排行榜：",
        "Boards of the campaigns running now:",
    );
    Message::with_buttons(text, buttons)
}

pub(super) fn unknown(id: &str, lang: Lang) -> Message {
    let id = truncate_chars(id, 40);
    Message::text(if lang.is_en() {
        format!("There is no campaign “{id}”. Check the link or the id with the organizer.")
    } else {
        format!("没有找到竞答活动「{id}」，请向组织方核对链接或活动编号。")
    })
}

pub(super) fn in_progress(lang: Lang) -> Message {
    Message::text(tr(
        lang,
        "你正在参加竞答，请先答完本次（或发送 /stop 交卷），再开始其他练习。",
        "You are in the middle of a campaign attempt: finish it (or send /stop to hand it in) \
         before starting another quiz.",
    ))
}

pub(super) fn joined(org: &Org, lang: Lang) -> Message {
    let name = truncate_chars(&org.name, 60);
    Message::text(if lang.is_en() {
        format!("✅ You joined {name}. Your campaign results count for it.")
    } else {
        format!("✅ 已加入「{name}」，竞答成绩将计入该单位。")
    })
}

pub(super) fn already(org: &Org, lang: Lang) -> Message {
    let name = truncate_chars(&org.name, 60);
    Message::text(if lang.is_en() {
        format!("You are already in {name}.")
    } else {
        format!("你已在「{name}」中，无需重复加入。")
    })
}

pub(super) fn confirm_move(from: &Org, to: &Org, lang: Lang) -> Message {
    let (from_name, to_name) = (truncate_chars(&from.name, 40), truncate_chars(&to.name, 40));
    let text = if lang.is_en() {
        format!("You are in {from_name}. Move to {to_name}? Your results then count for it.")
    } else {
        format!("你目前在「{from_name}」。确定改为加入「{to_name}」吗？之后的成绩将计入新单位。")
    };
    let buttons = vec![vec![button(
        tr(lang, "✅ 确认更换单位", "✅ Move"),
        Action::ConfirmJoin(to.code.clone()),
    )]];
    Message::with_buttons(text, buttons)
}

pub(super) fn join_unknown(code: &str, lang: Lang) -> Message {
    let code = truncate_chars(code, 20);
    Message::text(if lang.is_en() {
        format!(
            "No enterprise has the invitation code “{code}”. Check it with your organizer \
             (codes have no 0/O or 1/I) and send /join CODE again."
        )
    } else {
        format!(
            "没有邀请码为「{code}」的单位。\
             请向组织方核对（邀请码不含 0/O、1/I），再发送 /join 邀请码。"
        )
    })
}

pub(super) fn campaign_preview(token: u32, plan: &CampaignPlan, lang: Lang) -> Message {
    let en = lang.is_en();
    let c = &plan.campaign;
    let topics = if c.topics.is_empty() {
        tr(lang, "全部知识点", "all topics")
    } else {
        c.topics.join("、")
    };
    let version = match (plan.replaces, en) {
        (Some(old), false) => format!(
            "替换第 {old} 版为第 {} 版（已答的成绩保留原版本）",
            c.version
        ),
        (Some(old), true) => format!("replaces v{old} with v{} (attempts keep theirs)", c.version),
        (None, false) => "新活动".to_string(),
        (None, true) => "a new campaign".to_string(),
    };
    let text = if en {
        format!(
            "📥 Campaign preview (not saved yet)\n{} ({}), {version}\n{} – {}\n\
             {} questions from {} ({} in the pool) · {} attempt(s) · pass mark {}%\n\
             Deep link payload: {}",
            c.title_in(true),
            c.id,
            format_time(c.starts),
            format_time(c.ends),
            c.questions,
            topics,
            plan.pool,
            c.attempts,
            c.pass_mark,
            c.start_payload()
        )
    } else {
        format!(
            "📥 竞答活动预览（尚未保存）\n{}（{}），{version}\n{} – {}\n\
             每次 {} 题，出自{}（题池 {} 题）· 可答 {} 次 · {} 分及格\n深度链接参数：{}",
            c.title,
            c.id,
            format_time(c.starts),
            format_time(c.ends),
            c.questions,
            topics,
            plan.pool,
            c.attempts,
            c.pass_mark,
            c.start_payload()
        )
    };
    Message::with_buttons(text, super::import::confirm_buttons(token, lang))
}

pub(super) fn campaign_imported(campaign: &Campaign, lang: Lang) -> Message {
    let text = if lang.is_en() {
        format!(
            "✅ Campaign {} v{} saved. Send /poster {} for its QR poster.",
            campaign.id, campaign.version, campaign.id
        )
    } else {
        format!(
            "✅ 竞答活动 {} 第 {} 版已保存。发送 /poster {} 获取二维码海报。",
            campaign.id, campaign.version, campaign.id
        )
    };
    Message::editing(text, Vec::new())
}

#[allow(clippy::too_many_arguments)]
pub(super) fn orgs_preview(
    token: u32,
    file_name: &str,
    counts: (usize, usize, usize, usize),
    ignored_columns: &[String],
    sample: &[Org],
    lang: Lang,
) -> Message {
    let en = lang.is_en();
    let (added, changed, unchanged, total) = counts;
    let file_name = truncate_chars(file_name, 60);
    let mut text = if en {
        format!(
            "📥 Enterprise list preview (not saved yet): {file_name}\n\
             {added} added, {changed} changed, {unchanged} unchanged; {total} listed after import"
        )
    } else {
        format!(
            "📥 单位名单预览（尚未保存）：{file_name}\n\
             新增 {added}，修改 {changed}，未变 {unchanged}；导入后共 {total} 家"
        )
    };
    if !ignored_columns.is_empty() {
        let columns = truncate_chars(&ignored_columns.join("、"), 100);
        text.push_str(&if en {
            format!("\nIgnored columns: {columns}")
        } else {
            format!("\n已忽略的列：{columns}")
        });
    }
    for org in sample {
        let name = truncate_chars(&org.name, 30);
        text.push_str(&format!("\n{} · {name} · {}", org.code, org.headcount));
    }
    Message::with_buttons(text, super::import::confirm_buttons(token, lang))
}

pub(super) fn orgs_imported(total: usize, lang: Lang) -> Message {
    let text = if lang.is_en() {
        format!(
            "✅ Enterprise list saved: {total} enterprises. `stdquiz org list` prints the codes."
        )
    } else {
        format!("✅ 单位名单已保存，共 {total} 家。运行 stdquiz org list 可导出邀请码。")
    };
    Message::editing(text, Vec::new())
}

pub(super) fn poster(campaign: &Campaign, link: &str, png: &[u8], lang: Lang) -> Message {
    let text = if lang.is_en() {
        format!(
            "🖼 Poster for {}: print it, or share the link:\n{link}",
            campaign.title_in(true)
        )
    } else {
        format!(
            "🖼 {} 海报：可打印张贴，或直接转发链接：\n{link}",
            campaign.title
        )
    };
    Message {
        text: truncate_utf16(&text, super::MAX_CAPTION),
        attachment: Some(Attachment {
            kind: AttachmentKind::Photo,
            file_name: format!("poster-{}.png", campaign.id),
            bytes: png.to_vec(),
        }),
        ..Default::default()
    }
}
