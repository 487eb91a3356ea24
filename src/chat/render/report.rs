//! Organizer results in chat: `/report ID` (a summary, the participation chart, the
//! workbook), `/report` (the bank per topic), certificates (参赛证明) and `/verify CODE`.

use super::{format_time, tr, Attachment, AttachmentKind, Message, MAX_CAPTION};
use crate::engine::Lang;
use crate::results::certificate::normalize;
use crate::service::report::{BankBook, CampaignBook};
use crate::service::Content;
use crate::store::Certificate;
use crate::text::{truncate_chars, truncate_utf16};

/// The printed form of a stored code, `7KQ4M-XC9PT`.
fn printed(code: &str) -> String {
    normalize(code).map_or_else(|| code.to_string(), |c| c.to_string())
}

/// The lines a passing result adds: the certificate and how to check it.
pub(super) fn certificate_note(certificate: &Certificate, lang: Lang) -> String {
    let code = printed(&certificate.code);
    if lang.is_en() {
        format!(
            "\n\n📜 Certificate of participation (参赛证明)\nVerification code: {code}\n\
             Anyone can check it with /verify {code}"
        )
    } else {
        format!("\n\n📜 参赛证明\n验证码：{code}\n任何人都可以发送 /verify {code} 核验。")
    }
}

pub(super) fn verified(certificate: &Certificate, lang: Lang) -> Message {
    let name = truncate_chars(&certificate.name, 40);
    let title = truncate_chars(&certificate.title, 80);
    let code = printed(&certificate.code);
    let date = format_time(certificate.date);
    Message::text(if lang.is_en() {
        format!(
            "✅ Certificate {code} is genuine.\nName: {name}\nCampaign: {title} ({})\n\
             Score: {}%\nDate: {date}",
            certificate.campaign, certificate.score
        )
    } else {
        format!(
            "✅ 参赛证明 {code} 真实有效。\n姓名：{name}\n\
             活动：{title}（{}）\n成绩：{} 分\n日期：{date}",
            certificate.campaign, certificate.score
        )
    })
}

pub(super) fn verify_unknown(code: &str, lang: Lang) -> Message {
    let code = truncate_chars(code, 20);
    Message::text(if lang.is_en() {
        format!(
            "❌ No certificate has the code “{code}”. Check it (codes have ten characters \
             and no 0/O or 1/I) and try again."
        )
    } else {
        format!(
            "❌ 没有验证码为「{code}」的参赛证明。请核对（验证码共 10 位，不含 0/O、1/I）后重试。"
        )
    })
}

fn percent(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_string(), |v| format!("{:.1}%", v * 100.0))
}

/// `/report ID`: the summary, the chart of participation by enterprise, the workbook.
pub(super) fn campaign_report(book: &CampaignBook, lang: Lang) -> Vec<Message> {
    let en = lang.is_en();
    let r = &book.report;
    let passed = r.users.iter().filter(|u| u.passed).count();
    let flagged = book.items.iter().filter(|i| !i.flags.is_empty()).count();
    let title = truncate_chars(&r.title, 80);
    let mut text = if en {
        format!(
            "📊 {title} ({}) v{}\nParticipants: {} of {} employees · participation {}\n\
             Passed: {passed} · pass rate {} (pass mark {}%)\nQuestions answered: {} · \
             flagged for review: {flagged}",
            r.campaign,
            r.version,
            r.participants,
            r.headcount,
            percent(r.participation_rate),
            percent(r.pass_rate),
            r.pass_mark,
            r.questions.len()
        )
    } else {
        format!(
            "📊 {title}（{}）第 {} 版\n参与：{} 人 / 职工 {} 人 · 参与率 {}\n\
             通过：{passed} 人 · 通过率 {}（及格线 {} 分）\n涉及题目：{} 道 · 需复核：{flagged} 道",
            r.campaign,
            r.version,
            r.participants,
            r.headcount,
            percent(r.participation_rate),
            percent(r.pass_rate),
            r.pass_mark,
            r.questions.len()
        )
    };
    let mut top: Vec<_> = r.orgs.iter().filter(|o| o.participants > 0).collect();
    top.sort_by(|a, b| b.participation_rate.total_cmp(&a.participation_rate));
    for org in top.iter().take(5) {
        text.push_str(&format!(
            "\n· {} {} ({}/{})",
            truncate_chars(&org.name, 30),
            percent(Some(org.participation_rate)),
            org.participants,
            org.headcount
        ));
    }
    if !book.winners.is_empty() {
        text.push_str(&if en {
            format!(
                "\nPrize draw: {} winner(s), listed in the workbook",
                book.winners.len()
            )
        } else {
            format!("\n抽奖：已抽出 {} 名，名单见工作簿", book.winners.len())
        });
    }
    let chart_caption = tr(lang, "各单位参与率", "Participation by enterprise");
    let chart = Message {
        text: chart_caption,
        attachment: Some(Attachment {
            kind: AttachmentKind::Photo,
            file_name: format!("report-{}.png", r.campaign),
            bytes: book.chart_png(lang),
        }),
        ..Default::default()
    };
    let mut messages = vec![Message::text(text), chart];
    messages.push(workbook_message(
        book.xlsx(lang),
        book.file_name(),
        tr(
            lang,
            "📎 完整结果工作簿：概览、单位、人员、题目分析",
            "📎 The full workbook: overview, enterprises, people, question analysis",
        ),
        lang,
    ));
    messages
}

/// `/report`: the bank's use and accuracy per topic.
pub(super) fn bank_report(book: &BankBook, _content: &Content, lang: Lang) -> Vec<Message> {
    let en = lang.is_en();
    let mut text = if en {
        format!(
            "📊 The question bank: {} answer(s) by {} people",
            book.answered, book.people
        )
    } else {
        format!(
            "📊 题库使用情况：共作答 {} 次，{} 人",
            book.answered, book.people
        )
    };
    for topic in book.topics.iter().filter(|t| t.answered > 0).take(15) {
        let name = match (&topic.topic_en, en) {
            (Some(english), true) => english.as_str(),
            _ => topic.topic.as_str(),
        };
        text.push_str(&if en {
            format!(
                "\n· {}: {} answer(s), accuracy {}",
                truncate_chars(name, 30),
                topic.answered,
                percent(topic.accuracy())
            )
        } else {
            format!(
                "\n· {}：作答 {} 次，正确率 {}",
                truncate_chars(name, 30),
                topic.answered,
                percent(topic.accuracy())
            )
        });
    }
    let chart = Message {
        text: tr(lang, "各知识点正确率", "Accuracy per topic"),
        attachment: Some(Attachment {
            kind: AttachmentKind::Photo,
            file_name: "report-bank.png".to_string(),
            bytes: book.chart_png(lang),
        }),
        ..Default::default()
    };
    vec![
        Message::text(text),
        chart,
        workbook_message(
            book.xlsx(lang),
            "report-bank.xlsx".to_string(),
            tr(lang, "📎 各知识点统计工作簿", "📎 The workbook per topic"),
            lang,
        ),
    ]
}

fn workbook_message(
    bytes: Result<Vec<u8>, crate::results::workbook::WorkbookError>,
    file_name: String,
    caption: String,
    lang: Lang,
) -> Message {
    match bytes {
        Ok(bytes) => Message {
            text: truncate_utf16(&caption, MAX_CAPTION),
            attachment: Some(Attachment {
                kind: AttachmentKind::Document,
                file_name,
                bytes,
            }),
            ..Default::default()
        },
        Err(e) => Message::text(if lang.is_en() {
            format!("The workbook could not be written: {e}")
        } else {
            format!("工作簿生成失败：{e}")
        }),
    }
}
