//! The terminal chat: the same flows as Telegram on stdin/stdout, interactive or piped.
//!
//! ```text
//! > /quiz 世界标准日 3
//! 📝 开始练习：世界标准日，共 3 题。
//!
//! 第 1/3 题【单选】★ ...
//!   A. ...  B. ...
//! > B
//! ✅ 回答正确 ...
//! > /topics
//! 知识点（...）：
//!   [1] 标准化法  [2] 世界标准日 ...
//! > 2                                  (a number picks a button while no question waits)
//! ```
//!
//! A line that is not valid UTF-8 is reported and skipped; the chat reads on.

use std::io::{BufRead, Write};
use std::path::Path;

use rand::rngs::StdRng;
use rand::SeedableRng;

use super::action::Action;
use super::command::{parse_text, request_for};
use super::render::{self, notice, Message, Origin};
use crate::engine::Lang;
use crate::service::{Incoming, Request, Service};

pub struct TerminalOptions {
    pub user: i64,
    pub lang: Lang,
    /// The local user may import with `/import PATH`.
    pub admin: bool,
}

/// The state of one terminal conversation between lines.
struct Conversation<'a> {
    service: &'a Service,
    options: &'a TerminalOptions,
    rng: StdRng,
    lang: Lang,
    /// Buttons of the last reply that a typed number picks (none while a question waits).
    buttons: Vec<Action>,
}

/// Runs the chat until end of input or `/quit`.
pub fn run(
    service: &Service,
    options: &TerminalOptions,
    mut input: impl BufRead,
    mut output: impl Write,
) -> std::io::Result<()> {
    let interactive = std::io::IsTerminal::is_terminal(&std::io::stdin());
    let mut chat = Conversation {
        service,
        options,
        rng: StdRng::from_entropy(),
        lang: options.lang,
        buttons: Vec::new(),
    };
    let hello = chat.request(Request::Event(crate::engine::Event::Start), Origin::Typed);
    print_messages(&mut output, &hello)?;
    writeln!(output, "{}", notice::terminal_quit_hint(chat.lang))?;
    let mut raw = Vec::new();
    loop {
        if interactive {
            write!(output, "> ")?;
            output.flush()?;
        }
        raw.clear();
        if input.read_until(b'\n', &mut raw)? == 0 {
            break;
        }
        let Ok(line) = std::str::from_utf8(&raw) else {
            writeln!(output, "{}\n", notice::terminal_invalid_utf8(chat.lang))?;
            continue;
        };
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        if matches!(trimmed, "/quit" | "/exit" | "退出") {
            break;
        }
        let messages = chat.line(trimmed);
        print_messages(&mut output, &messages)?;
        output.flush()?;
    }
    service.flush().map_err(std::io::Error::other)?;
    Ok(())
}

impl Conversation<'_> {
    fn line(&mut self, line: &str) -> Vec<Message> {
        // A number picks the n-th button shown last (topics, menus, confirm).
        let picked = line
            .parse::<usize>()
            .ok()
            .and_then(|n| self.buttons.get(n.wrapping_sub(1)).cloned());
        if let Some(action) = picked {
            return self.request(request_for(action), Origin::Button);
        }
        if let Some(path) = line.strip_prefix("/import") {
            return match self.import_request(path.trim()) {
                Ok(request) => self.request(request, Origin::Typed),
                Err(text) => vec![Message {
                    text,
                    ..Default::default()
                }],
            };
        }
        self.request(parse_text(line, None), Origin::Typed)
    }

    fn request(&mut self, request: Request, origin: Origin) -> Vec<Message> {
        let incoming = Incoming {
            user_id: self.options.user,
            update: None,
            hint: self.lang,
            request,
        };
        let now = chrono::Utc::now().timestamp();
        let turn = match self.service.handle_update(incoming, now, &mut self.rng) {
            Ok(turn) => turn,
            Err(e) => {
                tracing::error!(error = %e, "request failed");
                return vec![Message {
                    text: notice::failure(self.lang),
                    ..Default::default()
                }];
            }
        };
        self.lang = turn.lang;
        let outgoing = render::turn(&turn, &self.service.content(), origin);
        // Numbers pick buttons only while no question waits for an answer (a fill-in
        // answer may be a number).
        self.buttons = if turn.awaiting_answer {
            Vec::new()
        } else {
            numbered(&outgoing.messages)
        };
        let mut messages = outgoing.messages;
        if let Some(toast) = outgoing.toast {
            messages.insert(
                0,
                Message {
                    text: toast,
                    ..Default::default()
                },
            );
        }
        messages
    }

    fn import_request(&self, path: &str) -> Result<Request, String> {
        if path.is_empty() {
            return Err(notice::terminal_import_usage(self.lang));
        }
        if !self.options.admin {
            return Ok(Request::Upload {
                file_name: path.to_string(),
                bytes: Vec::new(),
            });
        }
        let bytes = std::fs::read(Path::new(path))
            .map_err(|e| notice::terminal_cannot_read(path, &e.to_string(), self.lang))?;
        Ok(Request::Upload {
            file_name: path.to_string(),
            bytes,
        })
    }
}

/// The buttons a number picks, in the order [`print_messages`] numbers them.
fn numbered(messages: &[Message]) -> Vec<Action> {
    messages
        .iter()
        .flat_map(|m| m.buttons.iter().flatten())
        .filter(|b| !b.action.is_answer() && !matches!(b.action, Action::Faq(_)))
        .map(|b| b.action.clone())
        .collect()
}

/// Prints messages with their buttons as typed hints; attachments are saved as files in
/// the working directory.
pub fn print_messages(output: &mut impl Write, messages: &[Message]) -> std::io::Result<()> {
    let mut number = 0;
    for message in messages {
        writeln!(output, "{}", message.text)?;
        if let Some(attachment) = &message.attachment {
            let path = Path::new(&attachment.file_name);
            match std::fs::write(path, &attachment.bytes) {
                Ok(()) => writeln!(
                    output,
                    "  📎 {}",
                    notice::terminal_saved(&path.display().to_string())
                )?,
                Err(e) => writeln!(output, "  ⚠️ {}: {e}", path.display())?,
            }
        }
        let mut hints = Vec::new();
        for button in message.buttons.iter().flatten() {
            match &button.action {
                action if action.is_answer() => continue,
                Action::Faq(id) => hints.push(format!("  /faq {id}  {}", button.label)),
                _ => {
                    number += 1;
                    hints.push(format!("  [{number}] {}", button.label));
                }
            }
        }
        if !hints.is_empty() {
            writeln!(output, "{}", hints.join("\n"))?;
        }
        writeln!(output)?;
    }
    Ok(())
}
