//! Chat-import replies: refusals, problems with file and line, the preview with its
//! Confirm and Cancel buttons, and the outcome.

use super::{button, tr, Message};
use crate::chat::action::Action;
use crate::engine::Lang;
use crate::text::truncate_chars;

/// Problems listed in one reply; the rest are counted.
const MAX_LISTED_PROBLEMS: usize = 30;

pub(super) fn not_admin(lang: Lang) -> Message {
    Message::text(tr(
        lang,
        "只有管理员可以导入题库，文件未被保存。如需导入请联系管理员。",
        "Only administrators can import question sets; your file was not stored. \
         Please contact an administrator.",
    ))
}

pub(super) fn problems(file_name: &str, problems: &[String], lang: Lang) -> Message {
    let en = lang.is_en();
    let file_name = truncate_chars(file_name, 80);
    let mut text = if en {
        format!(
            "❌ {file_name} was not imported: {} problem(s). Nothing was changed.\n\n",
            problems.len()
        )
    } else {
        format!(
            "❌ {file_name} 未导入：发现 {} 个问题，题库没有任何改动。\n\n",
            problems.len()
        )
    };
    for problem in problems.iter().take(MAX_LISTED_PROBLEMS) {
        text.push_str(&format!("• {}\n", truncate_chars(problem, 300)));
    }
    let more = problems.len().saturating_sub(MAX_LISTED_PROBLEMS);
    if more > 0 {
        text.push_str(&if en {
            format!("… and {more} more.\n")
        } else {
            format!("……另有 {more} 个问题。\n")
        });
    }
    text.push_str(&tr(
        lang,
        "\n请修改后重新发送；可用 stdquiz template 生成模板。",
        "\nFix them and send the file again; `stdquiz template` writes a template.",
    ));
    Message::text(text)
}

pub(super) fn preview(token: u32, plan: &crate::import::ImportPlan, lang: Lang) -> Message {
    let mut text = tr(
        lang,
        "📥 导入预览（尚未保存）\n",
        "📥 Import preview (not saved yet)\n",
    );
    text.push_str(&plan_text(plan, lang));
    if plan.sets.iter().any(|set| set.unsourced > 0) {
        text.push_str(&tr(
            lang,
            "\n未注明出处的题目将显示上面的默认出处；\
             发送 /source 出处 可改为实际出处（如教材或文件名称）。",
            "\nQuestions without a source will show the default above; send /source TEXT to name \
             the real one (a textbook, a document).",
        ));
    }
    Message::with_buttons(text, confirm_buttons(token, lang))
}

/// Confirm and Cancel under any import preview.
pub(super) fn confirm_buttons(token: u32, lang: Lang) -> Vec<Vec<super::Button>> {
    vec![vec![
        button(
            tr(lang, "✅ 确认导入", "✅ Confirm"),
            Action::ConfirmImport(token),
        ),
        button(tr(lang, "✖ 取消", "✖ Cancel"), Action::CancelImport(token)),
    ]]
}

pub(super) fn imported(plan: &crate::import::ImportPlan, lang: Lang) -> Message {
    let mut text = tr(
        lang,
        "✅ 导入完成，已生效。\n",
        "✅ Imported; now being served.\n",
    );
    text.push_str(&plan_text(plan, lang));
    Message::editing(text, Vec::new())
}

pub(super) fn cancelled(lang: Lang) -> Message {
    Message::editing(
        tr(
            lang,
            "已取消导入，题库未改动。",
            "Import cancelled; nothing was changed.",
        ),
        Vec::new(),
    )
}

pub(super) fn expired(lang: Lang) -> Message {
    Message::text(tr(
        lang,
        "这个导入预览已处理或已过期，请重新发送文件。",
        "This import preview was already handled or has expired; send the file again.",
    ))
}

fn plan_text(plan: &crate::import::ImportPlan, lang: Lang) -> String {
    let en = lang.is_en();
    let mut text = String::new();
    for set in &plan.sets {
        let (id, title, version) = (&set.file.set.id, &set.file.set.title, set.version);
        let title = truncate_chars(title, 60);
        let count = set.file.questions.len();
        let (added, changed, unchanged, retired) =
            (set.added, set.changed, set.unchanged, set.newly_retired);
        text.push_str(&if en {
            format!(
                "\nSet {id} “{title}” v{version}: {count} questions \
                 (added {added}, changed {changed}, unchanged {unchanged}, retired {retired})\n"
            )
        } else {
            format!(
                "\n题集 {id}「{title}」第{version}版：共 {count} 题\
                 （新增 {added}，修改 {changed}，未变 {unchanged}，停用 {retired}）\n"
            )
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
    for line in plan.summary_lines() {
        text.push_str(&format!("\n{}", truncate_chars(&line, 300)));
    }
    if !plan.mappings.is_empty() || !plan.warnings.is_empty() {
        text.push('\n');
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
