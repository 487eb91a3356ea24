//! A fake Telegram Bot API server on loopback, for the end-to-end tests and the load benchmark.
//!
//! It answers the methods the bot uses with complete Telegram objects (teloxide rejects
//! incomplete ones), hands out updates by real long polling (offset confirms, timeout waits),
//! answers errors as Telegram does (4xx JSON, never 5xx: teloxide sleeps 10 s on a 5xx), and
//! records every request. Simulated users push updates and read the bot's replies to their
//! chat in order, like a transcript:
//!
//! ```text
//! let mut alice = api.user(1001, "zh");
//! alice.say("/start");
//! let welcome = alice.expect("sendMessage").await;
//! ```
#![allow(dead_code)] // Each test binary uses a different part of this file.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};
use tokio::sync::{mpsc, watch, Notify};

pub const TOKEN: &str = "123:abc";
pub const BOT_ID: i64 = 123;
pub const BOT_USERNAME: &str = "stdquiz_test_bot";
/// How long a test waits for the bot before failing with what it saw.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// One request the bot made, with the server's answer.
#[derive(Debug, Clone)]
pub struct Call {
    /// The method as sent (teloxide sends PascalCase: `SendMessage`).
    pub method: String,
    pub params: Value,
    /// The `result`, or the error description.
    pub outcome: Result<Value, String>,
    pub at: Instant,
}

impl Call {
    pub fn is(&self, method: &str) -> bool {
        self.method.eq_ignore_ascii_case(method)
    }

    pub fn ok(&self) -> bool {
        self.outcome.is_ok()
    }

    pub fn text(&self) -> &str {
        self.params["text"].as_str().unwrap_or_default()
    }

    /// The message sent or edited.
    pub fn message_id(&self) -> i64 {
        match &self.outcome {
            Ok(message) => message["message_id"].as_i64().unwrap_or_default(),
            Err(_) => self.params["message_id"].as_i64().unwrap_or_default(),
        }
    }

    /// The inline keyboard, row by row: (label, callback data or url).
    pub fn keyboard(&self) -> Vec<Vec<(String, String)>> {
        let rows = self.params["reply_markup"]["inline_keyboard"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        rows.iter()
            .map(|row| {
                row.as_array()
                    .into_iter()
                    .flatten()
                    .map(|button| {
                        let target = button["callback_data"]
                            .as_str()
                            .or(button["url"].as_str())
                            .unwrap_or_default();
                        (
                            button["text"].as_str().unwrap_or_default().to_string(),
                            target.to_string(),
                        )
                    })
                    .collect()
            })
            .collect()
    }

    pub fn buttons(&self) -> Vec<(String, String)> {
        self.keyboard().into_iter().flatten().collect()
    }

    /// The callback data of the button whose label is `label`.
    pub fn button(&self, label: &str) -> String {
        self.buttons()
            .into_iter()
            .find(|(text, _)| text == label)
            .map(|(_, data)| data)
            .unwrap_or_else(|| panic!("no button {label:?} in {:?}", self.buttons()))
    }
}

/// An error the next matching request gets instead of its result.
#[derive(Debug, Clone, Copy)]
pub enum Failure {
    /// 403 Forbidden: bot was blocked by the user.
    Blocked,
    /// 429 Too Many Requests with `retry_after` seconds.
    RetryAfter(u32),
}

pub struct FakeBotApi {
    shared: Arc<Shared>,
    address: SocketAddr,
    server: tokio::task::JoinHandle<()>,
}

struct Shared {
    inner: Mutex<Inner>,
    /// Wakes long polls when an update is queued.
    updates: Notify,
    /// Bumped on every request, for waits on a condition.
    version: watch::Sender<u64>,
}

#[derive(Default)]
struct Inner {
    next_update_id: i64,
    next_message_id: i64,
    next_callback_id: u64,
    next_file_id: u64,
    /// Unconfirmed updates: (id, update, chat, delivered yet).
    queue: VecDeque<(i64, Value, Option<i64>, bool)>,
    /// Files the bot sent (sendPhoto, sendDocument).
    uploads: Vec<Upload>,
    /// Every update ever queued, by id, for re-delivery.
    history: HashMap<i64, (Value, Option<i64>)>,
    chats: HashMap<i64, Value>,
    messages: HashMap<(i64, i64), Value>,
    /// Callback query id -> (chat, answered).
    callbacks: HashMap<String, (Option<i64>, bool)>,
    files: HashMap<String, (String, Vec<u8>)>,
    failures: Vec<(String, i64, Failure)>,
    calls: Vec<Call>,
    downloads: Vec<String>,
    subscribers: HashMap<i64, mpsc::UnboundedSender<Call>>,
    /// Chat -> when its last update was handed to the bot, until the bot's first reply.
    awaiting: HashMap<i64, Instant>,
    latencies: Vec<Duration>,
}

impl FakeBotApi {
    pub async fn start() -> FakeBotApi {
        let shared = Arc::new(Shared {
            inner: Mutex::new(Inner {
                next_update_id: 1,
                next_message_id: 1,
                ..Default::default()
            }),
            updates: Notify::new(),
            version: watch::Sender::new(0),
        });
        let app = Router::new()
            .route("/{bot}/{method}", post(api).get(api))
            .route("/file/{bot}/{*path}", get(file))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        let address = listener.local_addr().expect("local address");
        let server = tokio::spawn(async move {
            axum::serve(listener, app)
                .await
                .expect("fake Bot API server");
        });
        FakeBotApi {
            shared,
            address,
            server,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// A user in a private chat with the bot (chat id = user id).
    pub fn user(&self, id: i64, language_code: &str) -> TestUser {
        let from = json!({ "id": id, "is_bot": false, "first_name": format!("User{id}"), "language_code": language_code });
        let chat = json!({ "id": id, "type": "private", "first_name": format!("User{id}") });
        self.member(from, chat)
    }

    /// A user writing in a group chat the bot is in.
    pub fn in_group(&self, id: i64, group: i64) -> TestUser {
        let from = json!({ "id": id, "is_bot": false, "first_name": format!("User{id}"), "language_code": "zh-hans" });
        let chat = json!({ "id": group, "type": "group", "title": "标准化爱好者" });
        self.member(from, chat)
    }

    fn member(&self, from: Value, chat: Value) -> TestUser {
        let (sender, receiver) = mpsc::unbounded_channel();
        let chat_id = chat["id"].as_i64().unwrap_or_default();
        {
            let mut inner = self.shared.lock();
            inner.chats.insert(chat_id, chat.clone());
            inner.subscribers.insert(chat_id, sender);
        }
        TestUser {
            shared: self.shared.clone(),
            from,
            chat,
            replies: receiver,
        }
    }

    /// Every request so far.
    pub fn calls(&self) -> Vec<Call> {
        self.shared.lock().calls.clone()
    }

    pub fn calls_to(&self, method: &str) -> Vec<Call> {
        self.shared
            .lock()
            .calls
            .iter()
            .filter(|call| call.is(method))
            .cloned()
            .collect()
    }

    /// File paths the bot downloaded.
    pub fn downloads(&self) -> Vec<String> {
        self.shared.lock().downloads.clone()
    }

    /// From update delivery to the bot's first reply request, per update.
    pub fn latencies(&self) -> Vec<Duration> {
        self.shared.lock().latencies.clone()
    }

    /// The next `method` request for `chat` fails with `failure`.
    pub fn fail_next(&self, method: &str, chat: i64, failure: Failure) {
        self.shared
            .lock()
            .failures
            .push((method.to_ascii_lowercase(), chat, failure));
    }

    /// Stores a file for getFile and download; returns the `document` object for a message.
    pub fn add_document(&self, file_name: &str, bytes: Vec<u8>) -> Value {
        let mut inner = self.shared.lock();
        inner.next_file_id += 1;
        let n = inner.next_file_id;
        let id = format!("BQACAgIAAxkBAAI{n}");
        let size = bytes.len();
        inner
            .files
            .insert(id.clone(), (format!("documents/file_{n}.bin"), bytes));
        json!({ "file_id": id, "file_unique_id": format!("AgAD{n}"), "file_name": file_name,
                "mime_type": "application/octet-stream", "file_size": size })
    }

    /// A document Telegram announces as `size` bytes, never downloadable.
    pub fn announced_document(&self, file_name: &str, size: u64) -> Value {
        json!({ "file_id": "BQACAgIAAxkBAAI-huge", "file_unique_id": "AgAD-huge", "file_name": file_name,
                "mime_type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "file_size": size })
    }

    /// Queues an update again with its original id, as Telegram does after a bot died
    /// before confirming it. A fresh process (no offset yet) receives it.
    pub fn redeliver(&self, update_id: i64) {
        {
            let mut inner = self.shared.lock();
            let (update, chat) = inner.history[&update_id].clone();
            inner.queue.push_front((update_id, update, chat, true));
        }
        self.shared.updates.notify_waiters();
        self.shared.version.send_modify(|v| *v += 1);
    }

    /// Files the bot sent, oldest first.
    pub fn uploads(&self) -> Vec<Upload> {
        self.shared.lock().uploads.clone()
    }

    /// The id of the last update queued.
    pub fn last_update_id(&self) -> i64 {
        self.shared.lock().next_update_id - 1
    }

    /// Waits until the bot has confirmed every queued update (polled past it).
    pub async fn wait_confirmed(&self) {
        self.wait_until("all updates confirmed", |inner| inner.queue.is_empty())
            .await;
    }

    /// Waits until some request satisfies `predicate`.
    pub async fn wait_for_call(&self, what: &str, predicate: impl Fn(&Call) -> bool) -> Call {
        self.wait_until(what, |inner| inner.calls.iter().any(&predicate))
            .await;
        self.shared
            .lock()
            .calls
            .iter()
            .find(|call| predicate(call))
            .cloned()
            .expect("just seen")
    }

    async fn wait_until(&self, what: &str, condition: impl Fn(&Inner) -> bool) {
        let mut version = self.shared.version.subscribe();
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            if condition(&self.shared.lock()) {
                return;
            }
            if tokio::time::timeout_at(deadline, version.changed())
                .await
                .is_err()
            {
                let calls = self.calls();
                let last: Vec<String> = calls
                    .iter()
                    .rev()
                    .take(8)
                    .map(|c| format!("{} {}", c.method, c.params))
                    .collect();
                panic!("timed out waiting for {what}; last requests: {last:#?}");
            }
        }
    }

    /// Checks every request against the Bot API 9.1 spec: the method exists and every
    /// parameter sent is one of its parameters.
    pub fn assert_calls_match_spec(&self) {
        let spec = spec();
        let methods = spec["methods"].as_object().expect("methods in the spec");
        for call in self.calls() {
            let Some((_, method)) = methods
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(&call.method))
            else {
                panic!("{} is not a Bot API 9.1 method", call.method);
            };
            let fields: Vec<&str> = method["fields"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|field| field["name"].as_str())
                .collect();
            for parameter in call
                .params
                .as_object()
                .into_iter()
                .flatten()
                .map(|(name, _)| name)
            {
                assert!(
                    fields.contains(&parameter.as_str()),
                    "{} has no parameter {parameter} (sent {})",
                    call.method,
                    call.params
                );
            }
        }
    }
}

impl Drop for FakeBotApi {
    fn drop(&mut self) {
        self.server.abort();
    }
}

fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/botapi/api-9.1.json"
        );
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        serde_json::from_str(&text).expect("the spec is JSON")
    })
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn push(&self, body: Value, chat: Option<i64>) -> i64 {
        let id = {
            let mut inner = self.lock();
            let id = inner.next_update_id;
            inner.next_update_id += 1;
            let mut update = body;
            update["update_id"] = json!(id);
            inner.history.insert(id, (update.clone(), chat));
            inner.queue.push_back((id, update, chat, false));
            id
        };
        self.updates.notify_waiters();
        self.version.send_modify(|v| *v += 1);
        id
    }
}

/// A file the bot sent.
#[derive(Debug, Clone)]
pub struct Upload {
    pub method: String,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// A simulated Telegram user: sends updates, reads the bot's replies to its chat in order.
pub struct TestUser {
    shared: Arc<Shared>,
    pub from: Value,
    pub chat: Value,
    replies: mpsc::UnboundedReceiver<Call>,
}

impl TestUser {
    pub fn id(&self) -> i64 {
        self.from["id"].as_i64().unwrap_or_default()
    }

    pub fn chat_id(&self) -> i64 {
        self.chat["id"].as_i64().unwrap_or_default()
    }

    /// Sends a text message (commands carry a bot_command entity, as Telegram's do).
    pub fn say(&mut self, text: &str) -> i64 {
        let mut fields = json!({ "text": text });
        if text.starts_with('/') {
            let length = text
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .encode_utf16()
                .count();
            fields["entities"] = json!([{ "type": "bot_command", "offset": 0, "length": length }]);
        }
        self.send(fields)
    }

    /// Sends a message with the given content fields (`document`, `sticker`, `photo`...).
    pub fn send(&mut self, content: Value) -> i64 {
        let message = self.new_message(content);
        self.shared
            .push(json!({ "message": message }), Some(self.chat_id()))
    }

    /// Edits an earlier message of this user.
    pub fn edit(&mut self, text: &str) -> i64 {
        let mut message = self.new_message(json!({ "text": text }));
        message["edit_date"] = json!(now());
        self.shared
            .push(json!({ "edited_message": message }), Some(self.chat_id()))
    }

    /// Presses a button of a message the bot sent or edited (as it is now).
    pub fn press(&mut self, on: &Call, data: &str) -> String {
        let chat = on.params["chat_id"].as_i64().unwrap_or_default();
        let message = self
            .shared
            .lock()
            .messages
            .get(&(chat, on.message_id()))
            .cloned();
        let message =
            message.unwrap_or_else(|| panic!("no message {} in chat {chat}", on.message_id()));
        self.press_message(message, data)
    }

    /// Presses a button on `message` with any data: forged, stale, someone else's.
    pub fn press_message(&mut self, message: Value, data: &str) -> String {
        let chat = message["chat"]["id"].as_i64();
        let id = {
            let mut inner = self.shared.lock();
            inner.next_callback_id += 1;
            let id = format!("{}{:06}", self.id(), inner.next_callback_id);
            inner.callbacks.insert(id.clone(), (chat, false));
            id
        };
        let query = json!({ "id": id, "from": self.from, "message": message,
                            "chat_instance": format!("-{}", self.chat_id().unsigned_abs()), "data": data });
        self.shared.push(json!({ "callback_query": query }), chat);
        id
    }

    /// The user blocks the bot (my_chat_member: member -> kicked).
    pub fn block(&mut self) -> i64 {
        self.membership("member", "kicked")
    }

    /// The user unblocks the bot (my_chat_member: kicked -> member).
    pub fn unblock(&mut self) -> i64 {
        self.membership("kicked", "member")
    }

    fn membership(&mut self, old: &str, new: &str) -> i64 {
        let bot = bot_user();
        let mut new_member = json!({ "user": bot, "status": new });
        if new == "kicked" {
            new_member["until_date"] = json!(0);
        }
        let update = json!({ "my_chat_member": {
            "chat": self.chat, "from": self.from, "date": now(),
            "old_chat_member": { "user": bot, "status": old },
            "new_chat_member": new_member,
        }});
        self.shared.push(update, Some(self.chat_id()))
    }

    /// The next request the bot made for this chat (sendMessage, editMessageText,
    /// answerCallbackQuery), failed ones included.
    pub async fn next(&mut self) -> Call {
        match tokio::time::timeout(PATIENCE, self.replies.recv()).await {
            Ok(Some(call)) => call,
            Ok(None) => panic!("the fake server stopped"),
            Err(_) => {
                let calls = self.shared.lock().calls.clone();
                let last: Vec<String> = calls
                    .iter()
                    .rev()
                    .take(6)
                    .map(|c| format!("{} {} -> {:?}", c.method, c.params, c.outcome))
                    .collect();
                panic!(
                    "chat {} got no reply within {PATIENCE:?}; last requests: {last:#?}",
                    self.chat_id()
                )
            }
        }
    }

    /// The next request for this chat, which must be `method`.
    pub async fn expect(&mut self, method: &str) -> Call {
        let call = self.next().await;
        assert!(
            call.is(method),
            "expected {method}, got {} {}",
            call.method,
            call.params
        );
        call
    }

    /// Replies that arrived and were not read yet.
    pub fn unread(&mut self) -> Vec<Call> {
        let mut calls = Vec::new();
        while let Ok(call) = self.replies.try_recv() {
            calls.push(call);
        }
        calls
    }

    fn new_message(&mut self, content: Value) -> Value {
        let message_id = {
            let mut inner = self.shared.lock();
            inner.next_message_id += 1;
            inner.next_message_id
        };
        let mut message = json!({ "message_id": message_id, "from": self.from, "chat": self.chat, "date": now() });
        for (key, value) in content.as_object().into_iter().flatten() {
            message[key] = value.clone();
        }
        message
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

fn bot_user() -> Value {
    json!({ "id": BOT_ID, "is_bot": true, "first_name": "标准化知识问答", "username": BOT_USERNAME })
}

/// A Telegram error: HTTP status = error_code, always 4xx.
struct ApiError {
    code: u16,
    description: String,
    retry_after: Option<u32>,
}

fn bad_request(description: &str) -> ApiError {
    ApiError {
        code: 400,
        description: format!("Bad Request: {description}"),
        retry_after: None,
    }
}

async fn api(
    State(shared): State<Arc<Shared>>,
    Path((bot, method)): Path<(String, String)>,
    request: axum::extract::Request,
) -> Response {
    let multipart = request
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("multipart/form-data"));
    let params = if multipart {
        multipart_params(&shared, &method, request).await
    } else {
        let body = axum::body::to_bytes(request.into_body(), usize::MAX)
            .await
            .unwrap_or_default();
        if body.is_empty() {
            json!({})
        } else {
            serde_json::from_slice(&body)
                .unwrap_or_else(|_| json!({ "unparsable_body": String::from_utf8_lossy(&body) }))
        }
    };
    let outcome = if bot != format!("bot{TOKEN}") {
        Err(ApiError {
            code: 401,
            description: "Unauthorized".into(),
            retry_after: None,
        })
    } else if method.eq_ignore_ascii_case("getUpdates") {
        get_updates(&shared, &params).await
    } else {
        answer(&mut shared.lock(), &method, &params)
    };
    let call = Call {
        method: method.clone(),
        params,
        outcome: outcome
            .as_ref()
            .map(Clone::clone)
            .map_err(|e| e.description.clone()),
        at: Instant::now(),
    };
    record(&shared, call);
    match outcome {
        Ok(result) => (
            StatusCode::OK,
            axum::Json(json!({ "ok": true, "result": result })),
        )
            .into_response(),
        Err(error) => {
            let mut body =
                json!({ "ok": false, "error_code": error.code, "description": error.description });
            if let Some(seconds) = error.retry_after {
                body["parameters"] = json!({ "retry_after": seconds });
            }
            let status = StatusCode::from_u16(error.code).unwrap_or(StatusCode::BAD_REQUEST);
            (status, axum::Json(body)).into_response()
        }
    }
}

/// A multipart request (a file upload): text fields become parameters (JSON where they
/// parse as JSON, as teloxide sends `reply_markup`), files are kept for [`FakeBotApi::uploads`]
/// and stand in the parameters as `{"file_name", "size"}`.
async fn multipart_params(shared: &Shared, method: &str, request: axum::extract::Request) -> Value {
    use axum::extract::FromRequest;
    let mut params = json!({});
    let Ok(mut form) = axum::extract::Multipart::from_request(request, &()).await else {
        return json!({ "unparsable_body": "multipart" });
    };
    while let Ok(Some(field)) = form.next_field().await {
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(str::to_string);
        let bytes = field.bytes().await.unwrap_or_default().to_vec();
        match file_name {
            Some(file_name) => {
                params[&name] = json!({ "file_name": file_name, "size": bytes.len() });
                shared.lock().uploads.push(Upload {
                    method: method.to_string(),
                    file_name,
                    bytes,
                });
            }
            None => {
                let text = String::from_utf8_lossy(&bytes).into_owned();
                params[&name] = serde_json::from_str(&text).unwrap_or(Value::String(text));
            }
        }
    }
    // `photo = "attach://NAME"` refers to the file sent as the field NAME.
    let Some(fields) = params.as_object_mut() else {
        return params;
    };
    let attached: Vec<(String, String)> = fields
        .iter()
        .filter_map(|(name, value)| {
            let target = value.as_str()?.strip_prefix("attach://")?;
            Some((name.clone(), target.to_string()))
        })
        .collect();
    for (name, target) in attached {
        if let Some(file) = fields.remove(&target) {
            fields.insert(name, file);
        }
    }
    params
}

fn record(shared: &Shared, call: Call) {
    {
        let mut inner = shared.lock();
        let chat = match call.method.to_ascii_lowercase().as_str() {
            "sendmessage" | "editmessagetext" | "sendphoto" | "senddocument" => {
                call.params["chat_id"].as_i64()
            }
            "answercallbackquery" => call.params["callback_query_id"]
                .as_str()
                .and_then(|id| inner.callbacks.get(id))
                .and_then(|(chat, _)| *chat),
            _ => None,
        };
        if let Some(chat) = chat {
            if let Some(delivered) = inner.awaiting.remove(&chat) {
                inner.latencies.push(call.at.duration_since(delivered));
            }
            if let Some(subscriber) = inner.subscribers.get(&chat) {
                let _ = subscriber.send(call.clone());
            }
        }
        inner.calls.push(call);
    }
    shared.version.send_modify(|v| *v += 1);
}

/// Long polling: confirm updates below `offset`, then return pending ones, waiting up to
/// `timeout` seconds for the first.
async fn get_updates(shared: &Shared, params: &Value) -> Result<Value, ApiError> {
    let offset = params["offset"].as_i64().unwrap_or(0);
    let limit = params["limit"].as_u64().unwrap_or(100).clamp(1, 100) as usize;
    let timeout = Duration::from_secs(params["timeout"].as_u64().unwrap_or(0));
    let deadline = tokio::time::Instant::now() + timeout;
    // Telegram confirms when the request arrives, not when it returns: a long poll left
    // waiting by a killed bot must not confirm updates queued again later.
    if offset > 0 {
        shared.lock().queue.retain(|(id, ..)| *id >= offset);
    }
    loop {
        let notified = shared.updates.notified();
        {
            let mut inner = shared.lock();
            let now = Instant::now();
            let mut batch = Vec::new();
            let mut first_deliveries = Vec::new();
            for (_, update, chat, delivered) in inner.queue.iter_mut().take(limit) {
                batch.push(update.clone());
                if !*delivered {
                    *delivered = true;
                    first_deliveries.extend(*chat);
                }
            }
            for chat in first_deliveries {
                inner.awaiting.insert(chat, now);
            }
            if !batch.is_empty() {
                return Ok(Value::Array(batch));
            }
        }
        if tokio::time::timeout_at(deadline, notified).await.is_err() {
            return Ok(json!([]));
        }
    }
}

fn answer(inner: &mut Inner, method: &str, params: &Value) -> Result<Value, ApiError> {
    let lower = method.to_ascii_lowercase();
    let chat = params["chat_id"].as_i64().unwrap_or_default();
    if let Some(position) = inner
        .failures
        .iter()
        .position(|(m, c, _)| *m == lower && *c == chat)
    {
        let (_, _, failure) = inner.failures.remove(position);
        return Err(match failure {
            Failure::Blocked => ApiError {
                code: 403,
                description: "Forbidden: bot was blocked by the user".into(),
                retry_after: None,
            },
            Failure::RetryAfter(seconds) => ApiError {
                code: 429,
                description: format!("Too Many Requests: retry after {seconds}"),
                retry_after: Some(seconds),
            },
        });
    }
    match lower.as_str() {
        "getme" => {
            let mut me = bot_user();
            for (key, value) in [
                ("can_join_groups", true),
                ("can_read_all_group_messages", false),
                ("supports_inline_queries", false),
                ("can_connect_to_business", false),
                ("has_main_web_app", false),
            ] {
                me[key] = json!(value);
            }
            Ok(me)
        }
        "getwebhookinfo" => Ok(
            json!({ "url": "", "has_custom_certificate": false, "pending_update_count": inner.queue.len() }),
        ),
        "deletewebhook" => Ok(json!(true)),
        "setmycommands" => match params["commands"].as_array() {
            Some(commands) if !commands.is_empty() && commands.len() <= 100 => Ok(json!(true)),
            _ => Err(bad_request("commands must be a non-empty array")),
        },
        "sendmessage" => {
            let Some(chat_object) = inner.chats.get(&chat).cloned() else {
                return Err(bad_request("chat not found"));
            };
            check_text_and_keyboard(params)?;
            inner.next_message_id += 1;
            let mut message = json!({ "message_id": inner.next_message_id, "from": bot_user(), "chat": chat_object,
                                      "date": now(), "text": params["text"] });
            if params["reply_markup"].is_object() {
                message["reply_markup"] = params["reply_markup"].clone();
            }
            inner
                .messages
                .insert((chat, inner.next_message_id), message.clone());
            Ok(message)
        }
        "sendphoto" | "senddocument" => {
            let Some(chat_object) = inner.chats.get(&chat).cloned() else {
                return Err(bad_request("chat not found"));
            };
            let field = if lower == "sendphoto" {
                "photo"
            } else {
                "document"
            };
            let Some(file_name) = params[field]["file_name"].as_str() else {
                return Err(bad_request("there is no file in the request"));
            };
            inner.next_message_id += 1;
            inner.next_file_id += 1;
            let file = json!({ "file_id": format!("sent{}", inner.next_file_id),
                               "file_unique_id": format!("u-sent{}", inner.next_file_id),
                               "file_size": params[field]["size"] });
            let mut message = json!({ "message_id": inner.next_message_id, "from": bot_user(),
                                      "chat": chat_object, "date": now() });
            if params["caption"].is_string() {
                message["caption"] = params["caption"].clone();
            }
            if field == "photo" {
                let mut size = file;
                size["width"] = json!(1200);
                size["height"] = json!(1400);
                message["photo"] = json!([size]);
            } else {
                let mut document = file;
                document["file_name"] = json!(file_name);
                message["document"] = document;
            }
            Ok(message)
        }
        "editmessagetext" => {
            check_text_and_keyboard(params)?;
            let message_id = params["message_id"].as_i64().unwrap_or_default();
            let Some(message) = inner.messages.get_mut(&(chat, message_id)) else {
                return Err(bad_request("message to edit not found"));
            };
            let markup = params.get("reply_markup").cloned().filter(Value::is_object);
            if message["text"] == params["text"] && message.get("reply_markup").cloned() == markup {
                return Err(bad_request("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"));
            }
            message["text"] = params["text"].clone();
            message["edit_date"] = json!(now());
            match markup {
                Some(markup) => message["reply_markup"] = markup,
                None => {
                    if let Some(object) = message.as_object_mut() {
                        object.remove("reply_markup");
                    }
                }
            }
            Ok(message.clone())
        }
        "answercallbackquery" => {
            let id = params["callback_query_id"].as_str().unwrap_or_default();
            if params["text"]
                .as_str()
                .is_some_and(|text| text.chars().count() > 200)
            {
                return Err(bad_request("MESSAGE_TOO_LONG"));
            }
            match inner.callbacks.get_mut(id) {
                Some((_, answered)) if !*answered => {
                    *answered = true;
                    Ok(json!(true))
                }
                _ => Err(bad_request(
                    "query is too old and response timeout expired or query ID is invalid",
                )),
            }
        }
        "getfile" => {
            let id = params["file_id"].as_str().unwrap_or_default();
            match inner.files.get(id) {
                Some((path, bytes)) => {
                    Ok(json!({ "file_id": id, "file_unique_id": format!("u-{id}"),
                                                  "file_size": bytes.len(), "file_path": path }))
                }
                None => Err(bad_request("invalid file_id")),
            }
        }
        _ => Err(ApiError {
            code: 404,
            description: "Not Found: method not found".into(),
            retry_after: None,
        }),
    }
}

/// Telegram's limits on what the bot sends: 1-4096 characters, callback data 1-64 bytes.
fn check_text_and_keyboard(params: &Value) -> Result<(), ApiError> {
    let text = params["text"].as_str().unwrap_or_default();
    if text.trim().is_empty() {
        return Err(bad_request("message text is empty"));
    }
    if text.encode_utf16().count() > 4096 {
        return Err(bad_request("message is too long"));
    }
    let rows = params["reply_markup"]["inline_keyboard"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for button in rows.iter().filter_map(Value::as_array).flatten() {
        if let Some(data) = button["callback_data"].as_str() {
            if data.is_empty() || data.len() > 64 {
                return Err(bad_request("BUTTON_DATA_INVALID"));
            }
        }
    }
    Ok(())
}

async fn file(
    State(shared): State<Arc<Shared>>,
    Path((bot, path)): Path<(String, String)>,
) -> Response {
    let mut inner = shared.lock();
    if bot != format!("bot{TOKEN}") {
        return (StatusCode::UNAUTHORIZED, "Unauthorized").into_response();
    }
    let bytes = inner
        .files
        .values()
        .find(|(stored, _)| *stored == path)
        .map(|(_, bytes)| bytes.clone());
    match bytes {
        Some(bytes) => {
            inner.downloads.push(path);
            (StatusCode::OK, bytes).into_response()
        }
        None => (StatusCode::NOT_FOUND, "Not Found").into_response(),
    }
}
