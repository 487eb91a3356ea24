//! The Telegram adapter under load: `cargo bench --bench telegram_load`.
//!
//! Simulated users take a quiz concurrently through the fake Bot API server
//! (tests/support/fake_bot_api.rs): the real dispatcher, real long polling, the shipped
//! questions/, a fresh sled store that commits and flushes every answer. Each user waits for
//! the bot's reply before the next step, like a person: `/quiz`, ten answers (buttons, typed
//! fill-ins, toggle + submit for multi-choice), `/stats`.
//!
//! Reported: updates handled per second (all updates / wall time) and the latency from an
//! update's delivery (the getUpdates response that carries it) to the bot's first request in
//! reply (answerCallbackQuery for a press, sendMessage for text).
//!
//! 1. Unthrottled (`BotConfig::throttle = false`): the handler path itself.
//! 2. Throttled (production): teloxide's `Throttle` holds sends to Telegram's limits (30
//!    messages per second overall, one per second per chat), so throughput is bounded by
//!    Telegram, not by the bot; a short run shows the plateau.
//!
//! A one-user run shows the latency of an update without queueing.
//! `TELEGRAM_LOAD_USERS` overrides the number of users of the unthrottled run (default 1000).

#[path = "../tests/support/fake_bot_api.rs"]
mod fake_bot_api;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use fake_bot_api::{Call, FakeBotApi, TestUser, TOKEN};
use stdquiz::chat::telegram::{run_bot, BotConfig, Shutdown};
use stdquiz::service::Service;
use stdquiz::store::Store;

struct Figures {
    users: usize,
    updates: usize,
    /// Answers in the store's log afterwards (each counted once).
    answers: usize,
    seconds: f64,
    latencies: Vec<Duration>,
}

impl Figures {
    fn print(&self, title: &str) {
        let mut latencies = self.latencies.clone();
        latencies.sort();
        let at = |q: f64| {
            let index = ((latencies.len() as f64 * q).ceil() as usize).saturating_sub(1);
            latencies
                .get(index)
                .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
        };
        println!("{title}");
        println!("  users                 {}", self.users);
        println!("  updates handled       {}", self.updates);
        println!("  answers recorded      {}", self.answers);
        println!("  wall time             {:.2} s", self.seconds);
        println!(
            "  updates per second    {:.0}",
            self.updates as f64 / self.seconds
        );
        println!(
            "  latency ms            p50 {:.1}  p90 {:.1}  p99 {:.1}  max {:.1}  ({} samples)",
            at(0.50),
            at(0.90),
            at(0.99),
            at(1.0),
            latencies.len()
        );
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let users = std::env::var("TELEGRAM_LOAD_USERS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1000);
    runtime.block_on(async {
        let figures = run(users, false, |user| quizzes(user, 1)).await;
        figures.print("Unthrottled, saturated: /quiz, 10 answers, /stats per user, all at once");
        let figures = run(1, false, |user| quizzes(user, 5)).await;
        figures.print("Unthrottled, one user: the same script five times, no queueing");
        let figures = run(300, true, help).await;
        figures.print("Throttled (production limits): one /help per user");
    });
}

/// Runs `users` simulated users through `script` against a fresh bot; returns the figures.
async fn run<F, Fut>(users: usize, throttle: bool, script: F) -> Figures
where
    F: Fn(TestUser) -> Fut,
    Fut: std::future::Future<Output = usize> + Send + 'static,
{
    let api = FakeBotApi::start().await;
    let data = tempfile::tempdir().expect("a temporary directory");
    let questions = Path::new(env!("CARGO_MANIFEST_DIR")).join("questions");
    let store = Store::open(data.path()).expect("store");
    let service = Arc::new(Service::new(store, &questions, Vec::new()).expect("service"));
    let mut config = BotConfig::new(TOKEN);
    config.api_url = Some(api.url());
    config.throttle = throttle;
    let shutdown = Shutdown::new();
    let bot = tokio::spawn(run_bot(service.clone(), config, shutdown.clone()));
    // Warm up: the bot is polling once it has set its commands.
    api.wait_for_call("setMyCommands", |call| call.is("setMyCommands"))
        .await;
    let before = api.latencies().len();

    let started = Instant::now();
    let tasks: Vec<_> = (0..users)
        .map(|n| tokio::spawn(script(api.user(10_000 + n as i64, "zh-hans"))))
        .collect();
    let mut updates = 0;
    for task in tasks {
        updates += task.await.expect("a simulated user");
    }
    let seconds = started.elapsed().as_secs_f64();

    shutdown.trigger();
    bot.await.expect("bot task").expect("clean stop");
    let latencies = api.latencies().split_off(before);
    let answers = service.answers().expect("the answer log").len();
    Figures {
        users,
        updates,
        answers,
        seconds,
        latencies,
    }
}

/// `rounds` times: `/quiz`, answer every question (the first button; multi-choice: toggle
/// then submit; fill-in: a typed guess), then `/stats`. Returns the number of updates sent.
async fn quizzes(mut user: TestUser, rounds: usize) -> usize {
    let mut updates = 0;
    for _ in 0..rounds {
        updates += quiz(&mut user).await;
    }
    updates
}

async fn quiz(user: &mut TestUser) -> usize {
    let mut updates = 1;
    user.say("/quiz");
    let mut message = next_question_or_summary(user).await;
    while !message.text().contains("练习结束") {
        let buttons = message.buttons();
        match buttons.first().map(|(_, data)| data.clone()) {
            Some(data) if data.starts_with("t:") => {
                user.press(&message, &data);
                wait_for(user, "editMessageText").await;
                let submit = buttons
                    .iter()
                    .find(|(_, data)| data.starts_with("s:"))
                    .expect("submit")
                    .1
                    .clone();
                user.press(&message, &submit);
                updates += 2;
            }
            Some(data) => {
                user.press(&message, &data);
                updates += 1;
            }
            None => {
                user.say("不知道");
                updates += 1;
            }
        }
        message = next_question_or_summary(user).await;
    }
    user.say("/stats");
    wait_for(user, "sendMessage").await;
    updates + 1
}

async fn help(mut user: TestUser) -> usize {
    user.say("/help");
    wait_for(&mut user, "sendMessage").await;
    1
}

async fn next_question_or_summary(user: &mut TestUser) -> Call {
    loop {
        let call = wait_for(user, "sendMessage").await;
        if call.text().starts_with("第 ") || call.text().contains("练习结束") {
            return call;
        }
    }
}

async fn wait_for(user: &mut TestUser, method: &str) -> Call {
    loop {
        let call = user.next().await;
        if call.is(method) {
            return call;
        }
    }
}
