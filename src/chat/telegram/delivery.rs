//! Sending rendered messages: keyboards, editing the pressed message, flood waits and
//! users who blocked the bot.

use std::sync::Arc;

use teloxide::payloads::{
    AnswerCallbackQuerySetters, EditMessageTextSetters, SendDocumentSetters, SendMessageSetters,
    SendPhotoSetters,
};
use teloxide::prelude::*;
use teloxide::types::{
    CallbackQueryId, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, MessageId,
};
use teloxide::{ApiError, RequestError};

use super::Api;
use crate::chat::render::{Attachment, AttachmentKind, Button, Message as Rendered};
use crate::engine::Lang;
use crate::service::{Incoming, Request, Service};
use crate::text::truncate_utf16;

/// Telegram shows at most 200 characters in a callback answer.
const MAX_TOAST_CHARS: usize = 190;

/// Where an update's replies go.
pub(super) struct Destination {
    pub user_id: i64,
    pub chat: ChatId,
    /// The message whose button was pressed, when the update was a button press.
    pub source: Option<MessageId>,
}

/// Sends rendered messages in order. A message marked `edit_source` replaces the message
/// whose button was pressed (its keyboard too: removed, or replaced by the new buttons);
/// without such a message it is sent as a new one. Stops at the first failure.
pub(super) async fn deliver<B: Api>(
    bot: &B,
    service: &Arc<Service>,
    to: &Destination,
    messages: Vec<Rendered>,
) {
    let mut source = to.source;
    for message in messages {
        let markup = keyboard(&message.buttons);
        if let Some(attachment) = message.attachment {
            if let Err(e) = send_file(bot, to.chat, attachment, message.text, markup).await {
                failed(service, to, e).await;
                return;
            }
            continue;
        }
        let result = match (message.edit_source, source) {
            (true, Some(id)) => {
                source = None;
                edit(bot, to.chat, id, message.text, markup).await
            }
            _ => send(bot, to.chat, message.text, markup).await,
        };
        if let Err(e) = result {
            failed(service, to, e).await;
            return;
        }
    }
}

/// Sends one text with any keyboard (e.g. a link button).
pub(super) async fn send_text<B: Api>(
    bot: &B,
    service: &Arc<Service>,
    to: &Destination,
    text: String,
    markup: Option<InlineKeyboardMarkup>,
) {
    if let Err(e) = send(bot, to.chat, text, markup).await {
        failed(service, to, e).await;
    }
}

/// answerCallbackQuery, with a short toast when there is something to say.
pub(super) async fn answer_callback<B: Api>(bot: &B, id: &CallbackQueryId, toast: Option<String>) {
    let request = bot.answer_callback_query(id.clone());
    let request = match toast {
        Some(text) => request.text(truncate_utf16(&text, MAX_TOAST_CHARS)),
        None => request,
    };
    if let Err(e) = request.await {
        tracing::warn!(callback = %id, error = %e, "answerCallbackQuery failed");
    }
}

/// Marks a user inactive (they blocked the bot), on a blocking thread: the store is sled.
/// `update` is the my_chat_member update that said so, if any, so it is applied once.
pub(super) async fn mark_inactive(service: &Arc<Service>, user_id: i64, update: Option<i64>) {
    let service = Arc::clone(service);
    let now = chrono::Utc::now().timestamp();
    let incoming = Incoming {
        user_id,
        update,
        hint: Lang::Zh,
        request: Request::Blocked,
    };
    let outcome = tokio::task::spawn_blocking(move || {
        service.handle_update(incoming, now, &mut rand::thread_rng())
    })
    .await;
    match outcome {
        Ok(Ok(_)) => tracing::info!(user = user_id, "user blocked the bot; marked inactive"),
        Ok(Err(e)) => tracing::error!(user = user_id, error = %e, "cannot mark the user inactive"),
        Err(e) => tracing::error!(user = user_id, error = %e, "marking the user inactive panicked"),
    }
}

fn keyboard(buttons: &[Vec<Button>]) -> Option<InlineKeyboardMarkup> {
    if buttons.is_empty() {
        return None;
    }
    let rows = buttons.iter().map(|row| {
        row.iter().map(|button| {
            InlineKeyboardButton::callback(button.label.clone(), button.action.encode())
        })
    });
    Some(InlineKeyboardMarkup::new(rows))
}

/// sendMessage. A throttled bot already waits out 429s; an unthrottled one retries once.
async fn send<B: Api>(
    bot: &B,
    chat: ChatId,
    text: String,
    markup: Option<InlineKeyboardMarkup>,
) -> Result<(), RequestError> {
    let request = || {
        let request = bot.send_message(chat, text.clone());
        match &markup {
            Some(markup) => request.reply_markup(markup.clone()),
            None => request,
        }
    };
    match request().await {
        Err(RequestError::RetryAfter(wait)) => {
            tracing::warn!(
                chat = chat.0,
                seconds = wait.seconds(),
                "flood wait on sendMessage; retrying once"
            );
            tokio::time::sleep(wait.duration()).await;
            request().await.map(drop)
        }
        result => result.map(drop),
    }
}

/// sendPhoto or sendDocument, the text as its caption.
async fn send_file<B: Api>(
    bot: &B,
    chat: ChatId,
    attachment: Attachment,
    caption: String,
    markup: Option<InlineKeyboardMarkup>,
) -> Result<(), RequestError> {
    let file = InputFile::memory(attachment.bytes).file_name(attachment.file_name);
    match attachment.kind {
        AttachmentKind::Photo => {
            let request = bot.send_photo(chat, file).caption(caption);
            match markup {
                Some(markup) => request.reply_markup(markup).await.map(drop),
                None => request.await.map(drop),
            }
        }
        AttachmentKind::Document => {
            let request = bot.send_document(chat, file).caption(caption);
            match markup {
                Some(markup) => request.reply_markup(markup).await.map(drop),
                None => request.await.map(drop),
            }
        }
    }
}

/// editMessageText without a keyboard removes it; with one, replaces it. A 429 is waited
/// out and retried once; a message that cannot be edited any more gets a new message.
async fn edit<B: Api>(
    bot: &B,
    chat: ChatId,
    id: MessageId,
    text: String,
    markup: Option<InlineKeyboardMarkup>,
) -> Result<(), RequestError> {
    let request = || {
        let request = bot.edit_message_text(chat, id, text.clone());
        match &markup {
            Some(markup) => request.reply_markup(markup.clone()),
            None => request,
        }
    };
    let result = match request().await {
        Err(RequestError::RetryAfter(wait)) => {
            tracing::warn!(
                chat = chat.0,
                seconds = wait.seconds(),
                "flood wait on editMessageText; retrying once"
            );
            tokio::time::sleep(wait.duration()).await;
            request().await
        }
        result => result,
    };
    match result {
        Ok(_) | Err(RequestError::Api(ApiError::MessageNotModified)) => Ok(()),
        Err(RequestError::Api(ApiError::MessageToEditNotFound | ApiError::MessageCantBeEdited)) => {
            send(bot, chat, text, markup).await
        }
        Err(e) => Err(e),
    }
}

/// A failed send: a user who blocked the bot (403) is marked inactive, anything else logged.
async fn failed(service: &Arc<Service>, to: &Destination, error: RequestError) {
    let private = to.chat == ChatId(to.user_id);
    match error {
        RequestError::Api(ApiError::BotBlocked | ApiError::UserDeactivated) if private => {
            mark_inactive(service, to.user_id, None).await;
        }
        e => {
            let (user, chat) = (to.user_id, to.chat.0);
            tracing::error!(user, chat, error = %e, "sending a reply failed")
        }
    }
}
