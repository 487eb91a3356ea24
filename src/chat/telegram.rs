//! The Telegram adapter: long polling with teloxide, the same flows as the terminal chat.
//!
//! Every update becomes a [`Request`](crate::service::Request), goes through
//! [`Service::handle`] on a blocking thread (the store is sled and flushes before it
//! returns), and every response is rendered by [`render`](super::render::render) and sent.
//! Quiz rules, wording and callback data live elsewhere; this module only moves updates in
//! and messages out. It is the only module that imports teloxide.
//!
//! Updates of one chat are handled in order, different chats in parallel (teloxide's
//! default distribution by chat). Sends go through teloxide's `Throttle` adaptor, which
//! keeps to Telegram's limits and honours `429 retry_after`.
//!
//! ```text
//! $ TELOXIDE_TOKEN=123:abc STDQUIZ_ADMINS=42 stdquiz serve --data data --questions questions
//! INFO stdquiz::chat::telegram: polling as @stdquiz_bot (123)
//! INFO stdquiz::chat::telegram: update handled user=42 kind="command" ms=3
//! ^C
//! INFO stdquiz::chat::telegram: stopped; store flushed
//! ```

mod delivery;
mod handlers;

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use teloxide::adaptors::throttle::Limits;
use teloxide::net::Download;
use teloxide::prelude::*;
use teloxide::types::BotCommand;
use teloxide::update_listeners::Polling;
use teloxide::{DownloadError, RequestError};
use tokio::sync::watch;

use crate::service::Service;
use crate::store::Store;

/// Telegram's overall limit for a bot, in messages per second.
pub const DEFAULT_SEND_RATE: u32 = 30;

/// How to reach Telegram and how to behave there.
#[derive(Debug, Clone)]
pub struct BotConfig {
    pub token: String,
    /// A self-hosted or fake Bot API server; `None` is api.telegram.org.
    pub api_url: Option<String>,
    /// Keep sends within Telegram's published limits with teloxide's `Throttle`: about one
    /// message per second in a private chat, 20 per minute in a supergroup, and
    /// [`BotConfig::send_rate`] per second overall. Off in the load benchmark (and with
    /// `serve --send-rate 0`, for a self-hosted Bot API server).
    pub throttle: bool,
    /// Messages per second overall when throttled (Telegram allows about 30).
    pub send_rate: u32,
    /// How long one getUpdates call may wait for updates.
    pub polling_timeout: Duration,
    /// Stop on SIGINT and SIGTERM (the `serve` command). Tests stop through [`Shutdown`].
    pub handle_signals: bool,
}

impl BotConfig {
    /// Production settings for a token: throttled, 10 s long polling, no signal handling.
    pub fn new(token: impl Into<String>) -> BotConfig {
        BotConfig {
            token: token.into(),
            api_url: None,
            throttle: true,
            send_rate: DEFAULT_SEND_RATE,
            polling_timeout: Duration::from_secs(10),
            handle_signals: false,
        }
    }

    /// `TELOXIDE_TOKEN` and `TELOXIDE_API_URL`, checked by [`crate::config`].
    pub fn from_env() -> Result<BotConfig, String> {
        let mut config = BotConfig::new(crate::config::telegram_token()?);
        config.api_url = crate::config::telegram_api_url()?;
        config.handle_signals = true;
        Ok(config)
    }
}

/// Asks a running bot to stop: polling ends, updates in flight finish, the store is flushed.
#[derive(Clone)]
pub struct Shutdown(Arc<watch::Sender<bool>>);

impl Default for Shutdown {
    fn default() -> Shutdown {
        Shutdown(Arc::new(watch::Sender::new(false)))
    }
}

impl Shutdown {
    pub fn new() -> Shutdown {
        Shutdown::default()
    }

    /// Requests the stop; [`run_bot`] returns once the bot has stopped. Idempotent.
    pub fn trigger(&self) {
        self.0.send_replace(true);
    }

    async fn triggered(&self) {
        let mut receiver = self.0.subscribe();
        // An error means every sender is gone, which cannot happen while `self` lives.
        let _ = receiver.wait_for(|stop| *stop).await;
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BotError {
    #[error("invalid TELOXIDE_API_URL `{0}`")]
    ApiUrl(String),
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
    #[error("Telegram rejected the bot token (getMe: {0}); check TELOXIDE_TOKEN")]
    Rejected(RequestError),
    #[error("cannot reach the Telegram Bot API (getMe: {0})")]
    Unreachable(RequestError),
    #[error("cannot flush the store: {0}")]
    Flush(String),
}

/// `stdquiz serve`: reads the environment, opens the store and runs until SIGINT or SIGTERM.
///
/// Configuration problems (no token, a malformed token or URL, an unusable data directory)
/// print one line and exit with code 2.
pub fn serve(data: &Path, questions: &Path, send_rate: u32) -> ExitCode {
    let mut config = match BotConfig::from_env() {
        Ok(config) => config,
        Err(message) => return fail(message),
    };
    config.throttle = send_rate > 0;
    config.send_rate = send_rate;
    let admins = match crate::config::admins_from_env() {
        Ok(admins) => admins,
        Err(message) => return fail(message),
    };
    let store = match Store::open(data) {
        Ok(store) => store,
        Err(e) => return fail(e),
    };
    let service = match Service::new(store, questions, admins) {
        Ok(service) => Arc::new(service),
        Err(e) => return fail(e),
    };
    for problem in &service.content().problems {
        tracing::warn!(%problem, "skipped while loading the bank (run `stdquiz check`)");
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => return fail(format!("cannot start the async runtime: {e}")),
    };
    match runtime.block_on(run_bot(service, config, Shutdown::new())) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e @ (BotError::ApiUrl(_) | BotError::Rejected(_))) => fail(e),
        Err(e) => {
            eprintln!("stdquiz: {e}");
            ExitCode::FAILURE
        }
    }
}

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("stdquiz: {message}");
    ExitCode::from(2)
}

/// Runs the bot until `shutdown` is triggered (or a signal, see [`BotConfig::handle_signals`]),
/// then lets updates in flight finish and flushes the store.
pub async fn run_bot(
    service: Arc<Service>,
    config: BotConfig,
    shutdown: Shutdown,
) -> Result<(), BotError> {
    let client = teloxide::net::default_reqwest_settings()
        .build()
        .map_err(|e| BotError::Client(e.to_string()))?;
    let mut bot = Bot::with_client(config.token.clone(), client);
    if let Some(url) = &config.api_url {
        let url = reqwest::Url::parse(url).map_err(|_| BotError::ApiUrl(url.clone()))?;
        bot = bot.set_api_url(url);
    }
    if config.throttle {
        let limits = send_limits(config.send_rate);
        dispatch(bot.throttle(limits), service, &config, shutdown).await
    } else {
        dispatch(bot, service, &config, shutdown).await
    }
}

/// Telegram's limits for `Throttle`. Private chats allow about one message a second
/// (teloxide's default of 20 a minute per chat is the group limit, and held a fast
/// quiz-taker back for up to 29 s); supergroups 20 a minute; `send_rate` overall.
fn send_limits(send_rate: u32) -> Limits {
    Limits {
        messages_per_sec_chat: 1,
        messages_per_min_chat: 60,
        messages_per_min_channel_or_supergroup: 20,
        messages_per_sec_overall: send_rate.max(1),
    }
}

/// What the handlers need from a bot: teloxide's `Bot`, throttled in production or not.
trait Api:
    Requester<Err = RequestError, GetUpdates: Send>
    + for<'dst> Download<Err<'dst> = DownloadError>
    + Clone
    + Send
    + Sync
    + 'static
{
}

impl<B> Api for B where
    B: Requester<Err = RequestError, GetUpdates: Send>
        + for<'dst> Download<Err<'dst> = DownloadError>
        + Clone
        + Send
        + Sync
        + 'static
{
}

async fn dispatch<B: Api>(
    bot: B,
    service: Arc<Service>,
    config: &BotConfig,
    shutdown: Shutdown,
) -> Result<(), BotError> {
    let me = bot.get_me().await.map_err(|e| match e {
        RequestError::Api(teloxide::ApiError::InvalidToken) => BotError::Rejected(e),
        e => BotError::Unreachable(e),
    })?;
    let username = me.user.username.clone().unwrap_or_default();
    tracing::info!("polling as @{username} ({})", me.user.id);
    service.set_bot_username(&username);
    set_commands(&bot).await;

    let mut listener = Polling::builder(bot.clone())
        .timeout(config.polling_timeout)
        .delete_webhook()
        .await
        .build();
    let stop_polling = teloxide::update_listeners::UpdateListener::stop_token(&mut listener);
    let mut dispatcher = Dispatcher::builder(bot, handlers::schema::<B>())
        .dependencies(dptree::deps![
            service.clone(),
            Arc::new(handlers::Notices::default())
        ])
        .default_handler(|update| async move {
            tracing::debug!(
                update_id = update.id.0,
                "ignored an update the bot does not handle"
            );
        })
        .build();

    // The dispatcher's ShutdownToken stops it between updates; stopping the listener as well
    // covers a stop requested while an update is being queued, which the token alone can miss.
    let shutdown_token = dispatcher.shutdown_token();
    let handle_signals = config.handle_signals;
    let watcher = tokio::spawn(async move {
        wait_for_stop(&shutdown, handle_signals).await;
        tracing::info!("stopping: finishing updates in flight");
        stop_polling.stop();
        let _ = shutdown_token.shutdown();
    });

    let listener_errors = LoggingErrorHandler::with_custom_text("getUpdates failed");
    let outcome = dispatcher
        .try_dispatch_with_listener(listener, listener_errors)
        .await;
    watcher.abort();
    drop(dispatcher);
    if let Err(e) = outcome {
        return Err(BotError::Unreachable(e));
    }
    let flushed =
        tokio::task::spawn_blocking(move || service.flush().map_err(|e| e.to_string())).await;
    match flushed {
        Ok(Ok(())) => {
            tracing::info!("stopped; store flushed");
            Ok(())
        }
        Ok(Err(e)) => Err(BotError::Flush(e)),
        Err(e) => Err(BotError::Flush(e.to_string())),
    }
}

async fn wait_for_stop(shutdown: &Shutdown, handle_signals: bool) {
    if !handle_signals {
        return shutdown.triggered().await;
    }
    tokio::select! {
        () = shutdown.triggered() => {}
        () = signal(Signal::Interrupt) => tracing::info!("SIGINT received"),
        () = signal(Signal::Terminate) => tracing::info!("SIGTERM received"),
    }
}

enum Signal {
    Interrupt,
    Terminate,
}

/// Resolves when the signal arrives; never, if it cannot be listened for (logged).
async fn signal(which: Signal) {
    let result = match which {
        Signal::Interrupt => tokio::signal::ctrl_c().await,
        #[cfg(unix)]
        Signal::Terminate => {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut stream) => {
                    stream.recv().await;
                    Ok(())
                }
                Err(e) => Err(e),
            }
        }
        #[cfg(not(unix))]
        Signal::Terminate => std::future::pending().await,
    };
    if let Err(e) = result {
        tracing::error!(error = %e, "cannot listen for a stop signal");
        std::future::pending::<()>().await;
    }
}

/// The command menu: Chinese by default, English for clients set to English.
const COMMANDS: [(&str, &str, &str); 17] = [
    ("start", "开始 · 介绍", "Start and introduction"),
    ("help", "全部命令", "All commands"),
    (
        "quiz",
        "开始练习 [知识点] [题数]",
        "Practise [topic] [count]",
    ),
    ("daily", "每日一题", "Question of the day"),
    (
        "challenge",
        "挑战答题（答错即止）",
        "Challenge: until the first mistake",
    ),
    ("review", "错题本复习", "Review your mistakes"),
    ("stats", "我的成绩", "Your progress"),
    ("top", "排行榜", "Leaderboards"),
    ("topics", "知识点列表", "List topics"),
    (
        "ask",
        "智慧问答：/ask 问题",
        "Ask a question: /ask QUESTION",
    ),
    (
        "join",
        "加入单位：/join 邀请码",
        "Join your enterprise: /join CODE",
    ),
    (
        "campaign",
        "竞答活动：/campaign 活动编号",
        "A campaign: /campaign ID",
    ),
    (
        "verify",
        "核验参赛证明：/verify 验证码",
        "Check a certificate: /verify CODE",
    ),
    ("name", "设置排行榜昵称", "Set your leaderboard name"),
    ("lang", "切换语言 zh|en", "Language zh|en"),
    ("skip", "跳过本题", "Skip this question"),
    ("stop", "结束答题", "End the quiz"),
];

/// setMyCommands for both languages; a failure only costs the menu, so it is logged.
async fn set_commands<B: Api>(bot: &B) {
    let zh = COMMANDS
        .iter()
        .map(|(command, zh, _)| BotCommand::new(*command, *zh));
    if let Err(e) = bot.set_my_commands(zh).await {
        tracing::warn!(error = %e, "setMyCommands (zh) failed");
    }
    let en = COMMANDS
        .iter()
        .map(|(command, _, en)| BotCommand::new(*command, *en));
    if let Err(e) = bot.set_my_commands(en).language_code("en").await {
        tracing::warn!(error = %e, "setMyCommands (en) failed");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_chats_get_one_message_a_second_and_the_rate_is_a_setting() {
        let limits = send_limits(DEFAULT_SEND_RATE);
        assert_eq!(
            (limits.messages_per_sec_chat, limits.messages_per_min_chat),
            (1, 60)
        );
        assert_eq!(limits.messages_per_min_channel_or_supergroup, 20);
        assert_eq!(limits.messages_per_sec_overall, 30);
        assert_eq!(send_limits(100).messages_per_sec_overall, 100);
    }
}
