//! The handler tree: messages, button presses and blocks become service requests.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use teloxide::dispatching::UpdateHandler;
use teloxide::prelude::*;
use teloxide::types::{
    ChatMemberUpdated, Document, InlineKeyboardButton, InlineKeyboardMarkup, Me, MessageKind, User,
};

use super::delivery::{self, Destination};
use super::Api;
use crate::chat::command::{parse_callback, parse_text};
use crate::chat::render::{self, notice, Message as Rendered, Origin, Outgoing};
use crate::engine::Lang;
use crate::import::MAX_UPLOAD_BYTES;
use crate::service::{Incoming, Request, Service};

pub(super) type HandlerError = Box<dyn std::error::Error + Send + Sync>;
type HandlerResult = Result<(), HandlerError>;

/// Messages, button presses and my_chat_member (blocks). Anything else, edited messages
/// included, goes to the dispatcher's default handler and is ignored.
pub(super) fn schema<B: Api>() -> UpdateHandler<HandlerError> {
    dptree::entry()
        .branch(Update::filter_message().endpoint(on_message::<B>))
        .branch(Update::filter_callback_query().endpoint(on_callback::<B>))
        .branch(Update::filter_my_chat_member().endpoint(on_my_chat_member))
}

/// A message in a private chat. Text goes to `parse_text` whether it is a command, a typed
/// answer or a question: the service decides.
///
/// ```text
/// user: /quiz 世界标准日 3
/// bot:  📝 开始练习：世界标准日，共 3 题。
/// bot:  第 1/3 题【填空】★ 世界标准日是每年的____。（填空：直接输入答案；/skip 跳过）
/// user: 10月14日
/// bot:  ✅ 回答正确 ... 解析：... 出处：...
/// bot:  第 2/3 题【单选】★★ ...                       [A] [B] [C] [D]
/// user: GB/T 是什么意思？                             (not an answer: the knowledge base answers)
/// bot:  💡 GB/T 里的 T 是什么意思？ ...
/// user: (a sticker)
/// bot:  我只能处理文字消息和题库文件。...             (at most once a minute)
/// ```
async fn on_message<B: Api>(
    bot: B,
    update: Update,
    message: Message,
    me: Me,
    service: Arc<Service>,
    notices: Arc<Notices>,
) -> HandlerResult {
    let started = Instant::now();
    // Channel posts and anonymous group admins have no user to keep progress for.
    let Some(from) = message.from.as_ref() else {
        return Ok(());
    };
    let Some(user_id) = user_id(from) else {
        return Ok(());
    };
    let hint = Lang::from_code(from.language_code.as_deref());
    let to = Destination {
        user_id,
        chat: message.chat.id,
        source: None,
    };
    let update = Some(i64::from(update.id.0));
    let incoming = |request| Incoming {
        user_id,
        update,
        hint,
        request,
    };
    let kind = if !message.chat.is_private() {
        if !on_group_message(&bot, &service, &to, &message, &me, hint).await {
            return Ok(());
        }
        "group"
    } else if let Some(text) = message.text() {
        let request = parse_text(text, me.user.username.as_deref());
        handle(&bot, &service, &to, incoming(request)).await;
        if text.trim_start().starts_with('/') {
            "command"
        } else {
            "text"
        }
    } else if let Some(document) = message.document() {
        let file_name = document
            .file_name
            .clone()
            .unwrap_or_else(|| "upload".into());
        let request = match download_for(&bot, &service, user_id, document).await {
            Ok(bytes) => Request::Upload { file_name, bytes },
            Err(problem) => {
                let text = problem.text(&file_name, user_id, hint);
                delivery::deliver(&bot, &service, &to, vec![plain(text)]).await;
                log_handled(user_id, "document", started);
                return Ok(());
            }
        };
        handle(&bot, &service, &to, incoming(request)).await;
        "document"
    } else if matches!(message.kind, MessageKind::Common(_) | MessageKind::Dice(_)) {
        // Photos, stickers, voice, locations...: say once what the bot understands.
        if notices.should_tell(user_id, Instant::now()) {
            let text = notice::media_not_understood(hint);
            delivery::deliver(&bot, &service, &to, vec![plain(text)]).await;
        }
        "media"
    } else {
        // Service messages (pins, members joining...): nothing to say.
        return Ok(());
    };
    log_handled(user_id, kind, started);
    Ok(())
}

/// A button press. Every query is answered so the client stops its spinner; a stale,
/// forged or someone else's button gets a short toast instead of a message.
///
/// ```text
/// bot:  第 2/4 题【多选】...                 [☐ A] [☐ B] [☐ C] [☐ D] [✅ 提交]
/// user: (taps ☐ A)
/// bot:  (the same message, redrawn)          [☑ A] [☐ B] [☐ C] [☐ D] [✅ 提交]
/// user: (taps ✅ 提交)
/// bot:  (the question becomes) ✅ 回答正确 ... 解析：...
/// bot:  第 3/4 题【判断】...                 [✔ 正确] [✘ 错误]
/// user: (taps [✔ 正确] twice, quickly)
/// bot:  (the question becomes) ✅ 回答正确 ...
/// bot:  (toast, for the second tap) 这道题已经作答或已过期，不会重复计分。...
/// ```
async fn on_callback<B: Api>(
    bot: B,
    update: Update,
    query: CallbackQuery,
    service: Arc<Service>,
) -> HandlerResult {
    let started = Instant::now();
    let Some(user_id) = user_id(&query.from) else {
        delivery::answer_callback(&bot, &query.id, None).await;
        return Ok(());
    };
    let hint = Lang::from_code(query.from.language_code.as_deref());
    // Buttons only ever go to a user's private chat, whose id is the user's id. A press
    // anywhere else is someone else's keyboard (a group, a forwarded message).
    let chat = query.message.as_ref().map(|message| message.chat().id);
    let own = chat == Some(ChatId(user_id));
    let request = match query.data.as_deref() {
        Some(data) if own => parse_callback(data),
        Some(_) => Request::NotYours,
        None => Request::Forged,
    };
    let incoming = Incoming {
        user_id,
        update: Some(i64::from(update.id.0)),
        hint,
        request,
    };
    let outgoing = match run(&service, incoming, Origin::Button).await {
        Ok(outgoing) => outgoing,
        Err(e) => {
            tracing::error!(user = user_id, kind = "button", error = %e, "request failed");
            Outgoing {
                toast: Some(notice::failure(hint)),
                messages: Vec::new(),
            }
        }
    };
    delivery::answer_callback(&bot, &query.id, outgoing.toast).await;
    if let (Some(chat), false) = (chat, outgoing.messages.is_empty()) {
        let source = query.regular_message().map(|message| message.id);
        let to = Destination {
            user_id,
            chat,
            source,
        };
        delivery::deliver(&bot, &service, &to, outgoing.messages).await;
    }
    log_handled(user_id, "button", started);
    Ok(())
}

/// A user blocks or unblocks the bot. Telegram sends my_chat_member for private chats only
/// then; a block marks the user inactive (`active: false` in the progress export), their
/// progress stays.
///
/// ```text
/// user: (blocks the bot)            my_chat_member: member -> kicked   => inactive
/// user: (unblocks it, sends /start) my_chat_member: kicked -> member; the next request
///                                   makes the user active again (the service does that)
/// ```
async fn on_my_chat_member(
    update: Update,
    member: ChatMemberUpdated,
    service: Arc<Service>,
) -> HandlerResult {
    let started = Instant::now();
    if !member.chat.is_private() {
        tracing::info!(
            chat = member.chat.id.0,
            "membership changed in a group; nothing to do"
        );
        return Ok(());
    }
    let Some(user_id) = user_id(&member.from) else {
        return Ok(());
    };
    if !member.new_chat_member.is_banned() {
        log_handled(user_id, "unblocked", started);
        return Ok(());
    }
    delivery::mark_inactive(&service, user_id, Some(i64::from(update.id.0))).await;
    log_handled(user_id, "blocked", started);
    Ok(())
}

/// Group chats: the bot does not play in groups. A quiz is one user's session, buttons in a
/// group could be pressed by anyone, and typed answers or questions would flood the group.
/// A command addressed to the bot gets one short reply with a button that opens the private
/// chat; everything else in a group is ignored. Returns whether the message was for us.
///
/// ```text
/// alice (in a group): /quiz@stdquiz_bot
/// bot:   请在私聊中和我答题、提问：点下面的按钮打开对话。    [💬 私聊 @stdquiz_bot]
/// alice (in a group): 大家好                                 (ignored)
/// alice (in a group): /quiz@other_bot                        (ignored: not for us)
/// ```
async fn on_group_message<B: Api>(
    bot: &B,
    service: &Arc<Service>,
    to: &Destination,
    message: &Message,
    me: &Me,
    hint: Lang,
) -> bool {
    let Some(text) = message.text() else {
        return false;
    };
    let Some(command) = text.trim_start().strip_prefix('/') else {
        return false;
    };
    let head = command.split_whitespace().next().unwrap_or_default();
    let username = me.user.username.as_deref().unwrap_or_default();
    if let Some((_, target)) = head.split_once('@') {
        if !target.eq_ignore_ascii_case(username) {
            return false;
        }
    }
    let text = notice::group_redirect(hint);
    let label = notice::group_redirect_button(username, hint);
    let markup = reqwest::Url::parse(&format!("https://t.me/{username}"))
        .ok()
        .map(|link| InlineKeyboardMarkup::new([[InlineKeyboardButton::url(label, link)]]));
    delivery::send_text(bot, service, to, text, markup).await;
    true
}

/// A file. Administrators' files are downloaded and previewed; confirming imports them.
///
/// ```text
/// admin: (sends law-2025.toml)
/// bot:   📥 导入预览（尚未保存）题集 law「标准化法」第2版：共 40 题（新增 3 ...）
///                                                     [✅ 确认导入] [✖ 取消]
/// admin: (taps ✅ 确认导入)
/// bot:   (the preview becomes) ✅ 导入完成，已生效。...
/// user:  (sends a file)
/// bot:   只有管理员可以导入题库，文件未被保存。...
/// ```
///
/// Files from other users are not downloaded: the service refuses the upload (NotAdmin)
/// whatever its bytes. Files over [`MAX_UPLOAD_BYTES`] are refused from their announced size.
async fn download_for<B: Api>(
    bot: &B,
    service: &Service,
    user_id: i64,
    document: &Document,
) -> Result<Vec<u8>, DownloadProblem> {
    if !service.is_admin(user_id) {
        return Ok(Vec::new());
    }
    download(bot, document).await
}

enum DownloadProblem {
    TooLarge(u64),
    Failed(String),
}

impl DownloadProblem {
    fn text(&self, file_name: &str, user_id: i64, lang: Lang) -> String {
        match self {
            DownloadProblem::TooLarge(size) => {
                notice::file_too_large(mebibytes(*size), MAX_UPLOAD_BYTES / 1024 / 1024, lang)
            }
            DownloadProblem::Failed(e) => {
                tracing::error!(user = user_id, file = %file_name, error = %e, "download failed");
                notice::download_failed(lang)
            }
        }
    }
}

/// getFile, then the file itself, refusing anything announced as too large.
async fn download<B: Api>(bot: &B, document: &Document) -> Result<Vec<u8>, DownloadProblem> {
    // Telegram always announces the size; u32::MAX is teloxide's "not given".
    let too_large = |size: u32| size != u32::MAX && size as usize > MAX_UPLOAD_BYTES;
    if too_large(document.file.size) {
        return Err(DownloadProblem::TooLarge(u64::from(document.file.size)));
    }
    let file = bot
        .get_file(document.file.id.clone())
        .await
        .map_err(|e| DownloadProblem::Failed(e.to_string()))?;
    if too_large(file.meta.size) {
        return Err(DownloadProblem::TooLarge(u64::from(file.meta.size)));
    }
    let mut bytes = Vec::new();
    bot.download_file(&file.path, &mut bytes)
        .await
        .map_err(|e| DownloadProblem::Failed(e.to_string()))?;
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(DownloadProblem::TooLarge(bytes.len() as u64));
    }
    Ok(bytes)
}

/// One request end to end for a message: service, render, send.
async fn handle<B: Api>(bot: &B, service: &Arc<Service>, to: &Destination, incoming: Incoming) {
    let hint = incoming.hint;
    let messages = match run(service, incoming, Origin::Typed).await {
        Ok(outgoing) => outgoing.messages,
        Err(e) => {
            tracing::error!(user = to.user_id, error = %e, "request failed");
            vec![plain(notice::failure(hint))]
        }
    };
    delivery::deliver(bot, service, to, messages).await;
}

/// Calls the service on a blocking thread (sled flushes before it returns) and renders
/// the turn through the one reply path both adapters share.
async fn run(
    service: &Arc<Service>,
    incoming: Incoming,
    origin: Origin,
) -> Result<Outgoing, String> {
    let service = Arc::clone(service);
    let outcome = tokio::task::spawn_blocking(move || {
        let now = chrono::Utc::now().timestamp();
        let turn = service.handle_update(incoming, now, &mut rand::thread_rng())?;
        Ok::<_, crate::service::ServiceError>(render::turn(&turn, &service.content(), origin))
    })
    .await;
    match outcome {
        Ok(Ok(outgoing)) => Ok(outgoing),
        Ok(Err(e)) => Err(e.to_string()),
        Err(e) => Err(format!("the request panicked or was cancelled: {e}")),
    }
}

/// Users recently told that only text and files are understood: an album of photos is
/// many messages, and one notice is enough.
#[derive(Default)]
pub(super) struct Notices(Mutex<HashMap<i64, Instant>>);

impl Notices {
    const QUIET: Duration = Duration::from_secs(60);

    fn should_tell(&self, user_id: i64, now: Instant) -> bool {
        let mut told = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if told.len() > 10_000 {
            told.retain(|_, at| now.duration_since(*at) < Self::QUIET);
        }
        match told.get(&user_id) {
            Some(at) if now.duration_since(*at) < Self::QUIET => false,
            _ => {
                told.insert(user_id, now);
                true
            }
        }
    }
}

/// Telegram user ids are positive and below 2^52; anything else is not a user we serve.
fn user_id(user: &User) -> Option<i64> {
    i64::try_from(user.id.0).ok()
}

fn log_handled(user_id: i64, kind: &'static str, started: Instant) {
    tracing::info!(
        user = user_id,
        kind,
        ms = started.elapsed().as_millis() as u64,
        "update handled"
    );
}

fn plain(text: String) -> Rendered {
    Rendered {
        text,
        ..Default::default()
    }
}

fn mebibytes(bytes: u64) -> f64 {
    bytes as f64 / 1024.0 / 1024.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_notices_are_rate_limited_per_user() {
        let notices = Notices::default();
        let start = Instant::now();
        assert!(notices.should_tell(1, start));
        assert!(!notices.should_tell(1, start + Duration::from_secs(5)));
        assert!(notices.should_tell(2, start + Duration::from_secs(5)));
        assert!(notices.should_tell(1, start + Notices::QUIET + Duration::from_secs(1)));
    }
}
