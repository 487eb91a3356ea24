//! What the transports say on their own, outside any service turn: media they cannot
//! read, group chats, file downloads, failures, and the terminal's own prompts.

use super::tr;
use crate::engine::Lang;

pub fn media_not_understood(lang: Lang) -> String {
    tr(
        lang,
        "我只能处理文字消息和题库文件。发送 /help 查看可用命令。",
        "I can only handle text messages and question files. Send /help to see what I can do.",
    )
}

pub fn group_redirect(lang: Lang) -> String {
    tr(
        lang,
        "请在私聊中和我答题、提问：点下面的按钮打开对话。",
        "Let's play in a private chat: tap the button below to open it.",
    )
}

pub fn group_redirect_button(username: &str, lang: Lang) -> String {
    if lang.is_en() {
        format!("💬 Chat with @{username}")
    } else {
        format!("💬 私聊 @{username}")
    }
}

pub fn file_too_large(mebibytes: f64, limit_mebibytes: usize, lang: Lang) -> String {
    if lang.is_en() {
        format!(
            "The file is too large ({mebibytes:.1} MB; the limit is {limit_mebibytes} MB) \
             and was not downloaded. Split it and send the parts."
        )
    } else {
        format!(
            "文件太大（{mebibytes:.1} MB），上限为 {limit_mebibytes} MB，未下载。请拆分后重新发送。"
        )
    }
}

pub fn download_failed(lang: Lang) -> String {
    tr(
        lang,
        "文件下载失败，请重新发送。",
        "The file could not be downloaded; please send it again.",
    )
}

pub fn failure(lang: Lang) -> String {
    tr(
        lang,
        "⚠️ 出了点问题，这条消息没有处理成功，请稍后再试。",
        "⚠️ Something went wrong and this message was not handled; please try again later.",
    )
}

pub fn terminal_quit_hint(lang: Lang) -> String {
    tr(lang, "（输入 /quit 退出）", "(Type /quit to leave.)")
}

pub fn terminal_import_usage(lang: Lang) -> String {
    tr(
        lang,
        "用法：/import 文件路径（.xlsx .csv .txt .toml .json）",
        "Usage: /import PATH (.xlsx .csv .txt .toml .json)",
    )
}

pub fn terminal_cannot_read(path: &str, error: &str, lang: Lang) -> String {
    if lang.is_en() {
        format!("⚠️ Cannot read {path}: {error}")
    } else {
        format!("⚠️ 无法读取 {path}：{error}")
    }
}

pub fn terminal_invalid_utf8(lang: Lang) -> String {
    tr(
        lang,
        "⚠️ 这一行不是有效的 UTF-8 文本（可能是终端编码不对），已忽略。请重新输入。",
        "⚠️ That line is not valid UTF-8 text (perhaps a terminal encoding problem) and was \
         ignored. Please type it again.",
    )
}

/// A file the terminal wrote (a poster): the line is the same in both languages.
pub fn terminal_saved(path: &str) -> String {
    format!("已保存 saved: {path}")
}
