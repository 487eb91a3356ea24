//! The terminal chat: the same flows as Telegram on stdin/stdout, interactive or piped.
//!
//! ```text
//! > /quiz 世界标准日 3
//! 📝 开始练习：世界标准日，共 3 题。
//! 第 1/3 题【单选】★ ...
//!   A. ...  B. ...
//!   [A] [B] [C] [D]
//! > B
//! ✅ 回答正确 ...
//! ```

use std::io::{BufRead, Write};
use std::path::Path;

use rand::rngs::StdRng;
use rand::SeedableRng;

use super::command::parse_text;
use super::render::{render, Message};
use crate::engine::Lang;
use crate::service::{Request, Service};

pub struct TerminalOptions {
    pub user: i64,
    pub lang: Lang,
    /// The local user may import with `/import PATH`.
    pub admin: bool,
}

/// Runs the chat until end of input or `/quit`.
pub fn run(
    service: &Service,
    options: &TerminalOptions,
    input: impl BufRead,
    mut output: impl Write,
) -> std::io::Result<()> {
    let mut rng = StdRng::from_entropy();
    let interactive = std::io::IsTerminal::is_terminal(&std::io::stdin());
    let hello = handle_line(service, options, "/start", &mut rng);
    print_messages(&mut output, &hello)?;
    writeln!(
        output,
        "{}",
        if service.lang_of(options.user, options.lang).is_en() {
            "(Type /quit to leave.)"
        } else {
            "（输入 /quit 退出）"
        }
    )?;
    let mut last_buttons: Vec<(String, String)> = Vec::new();
    for line in input.lines() {
        if interactive {
            write!(output, "> ")?;
            output.flush()?;
        }
        let line = line?;
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        if matches!(trimmed, "/quit" | "/exit" | "退出") {
            break;
        }
        // A number picks the n-th button shown last (topics, related questions).
        let request_line = trimmed
            .parse::<usize>()
            .ok()
            .and_then(|n| {
                last_buttons
                    .get(n.wrapping_sub(1))
                    .map(|(_, data)| format!("\u{1}{data}"))
            })
            .unwrap_or_else(|| trimmed.to_string());
        let messages = handle_line(service, options, &request_line, &mut rng);
        // Numbers pick buttons only while no question waits for an answer (a fill-in
        // answer may be a number).
        let waiting = service
            .store()
            .load_user(options.user)
            .ok()
            .flatten()
            .is_some_and(|u| u.session.is_some());
        last_buttons = if waiting {
            Vec::new()
        } else {
            messages
                .iter()
                .flat_map(|m| m.buttons.iter().flatten())
                .filter(|b| !is_answer_button(&b.data) && !b.data.starts_with("f:"))
                .map(|b| (b.label.clone(), b.data.clone()))
                .collect()
        };
        print_messages(&mut output, &messages)?;
        output.flush()?;
    }
    service.store().flush().map_err(std::io::Error::other)?;
    Ok(())
}

fn handle_line(
    service: &Service,
    options: &TerminalOptions,
    line: &str,
    rng: &mut StdRng,
) -> Vec<Message> {
    let lang = service.lang_of(options.user, options.lang);
    let request = if let Some(data) = line.strip_prefix('\u{1}') {
        super::command::parse_callback(data)
    } else if let Some(path) = line.strip_prefix("/import") {
        match import_request(options, path.trim()) {
            Ok(request) => request,
            Err(message) => {
                return vec![Message {
                    text: message,
                    ..Default::default()
                }]
            }
        }
    } else {
        parse_text(line, None)
    };
    let now = chrono::Utc::now().timestamp();
    match service.handle(options.user, request, now, rng) {
        Ok(responses) => {
            let lang = service.lang_of(options.user, lang);
            let content = service.content();
            responses
                .iter()
                .flat_map(|r| render(r, &content, lang))
                .collect()
        }
        Err(e) => {
            tracing::error!(error = %e, "request failed");
            vec![Message {
                text: format!("⚠️ {e}"),
                ..Default::default()
            }]
        }
    }
}

fn import_request(options: &TerminalOptions, path: &str) -> Result<Request, String> {
    if path.is_empty() {
        return Err("用法 / usage: /import PATH  (.xlsx .csv .txt .toml .json)".into());
    }
    if !options.admin {
        return Ok(Request::Upload {
            file_name: path.to_string(),
            bytes: Vec::new(),
        });
    }
    let bytes = std::fs::read(Path::new(path))
        .map_err(|e| format!("⚠️ 无法读取 {path}: {e} / cannot read {path}: {e}"))?;
    Ok(Request::Upload {
        file_name: path.to_string(),
        bytes,
    })
}

fn is_answer_button(data: &str) -> bool {
    data.starts_with("a:") || data.starts_with("t:") || data.starts_with("s:")
}

/// Prints messages with their buttons as typed hints.
pub fn print_messages(output: &mut impl Write, messages: &[Message]) -> std::io::Result<()> {
    let mut numbered = 0;
    for message in messages {
        writeln!(output, "{}", message.text)?;
        let mut hints = Vec::new();
        for button in message.buttons.iter().flatten() {
            if is_answer_button(&button.data) {
                continue;
            }
            if let Some(id) = button.data.strip_prefix("f:") {
                hints.push(format!("  /faq {id}  {}", button.label));
                continue;
            }
            numbered += 1;
            hints.push(format!("  [{numbered}] {}", button.label));
        }
        if !hints.is_empty() {
            writeln!(output, "{}", hints.join("\n"))?;
        }
        writeln!(output)?;
    }
    Ok(())
}
