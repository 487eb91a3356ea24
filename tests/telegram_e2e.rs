//! The Telegram adapter end to end: the real dispatcher and real long polling against a
//! fake Bot API server on loopback (tests/support/fake_bot_api.rs). Each test reads as a
//! chat transcript; the right answers come from the bank and the buttons the bot sent.

#[path = "support/fake_bot_api.rs"]
mod fake_bot_api;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use fake_bot_api::{Call, Failure, FakeBotApi, TestUser, BOT_USERNAME, PATIENCE, TOKEN};
use stdquiz::bank::{AnswerKey, Bank, Kind, Question};
use stdquiz::chat::action::{Action, Menu};
use stdquiz::chat::telegram::{run_bot, BotConfig, BotError, Shutdown};
use stdquiz::service::Service;
use stdquiz::store::{Store, StoreError};

/// One question of each kind, so a four-question quiz meets them all.
const SET: &str = r#"
[set]
id = "e2e"
title = "端到端测试"
title_en = "End to end"
topic = "测试"
topic_en = "Testing"

[[question]]
id = "e2e-single"
kind = "single"
difficulty = 1
prompt = "世界标准日是每年的哪一天？"
options = ["10月14日", "3月15日", "6月1日", "12月25日"]
answer = "A"
explanation = "世界标准日是每年10月14日。"
source = "ISO、IEC、ITU 资料"

[[question]]
id = "e2e-multi"
kind = "multi"
difficulty = 2
prompt = "下列哪些是国际标准化机构？"
options = ["ISO", "IEC", "ITU", "FIFA"]
answer = "ABC"
explanation = "ISO、IEC、ITU 是三大国际标准化机构。"
source = "ISO、IEC、ITU 资料"

[[question]]
id = "e2e-judge"
kind = "judge"
difficulty = 1
prompt = "推荐性国家标准的代号是 GB/T。"
answer = "true"
explanation = "GB/T 是推荐性国家标准的代号。"
source = "《国家标准管理办法》"

[[question]]
id = "e2e-fill"
kind = "fill"
difficulty = 1
prompt = "国际标准化组织的英文缩写是____。"
accepted = ["ISO"]
explanation = "International Organization for Standardization，简称 ISO。"
source = "ISO 资料"
"#;

/// What an administrator uploads: a new set of one question.
const UPLOAD: &str = r#"
[set]
id = "upload"
title = "上传测试"
topic = "上传"

[[question]]
id = "upload-001"
kind = "judge"
prompt = "管理员确认导入后，新题立即可以练习。"
answer = "true"
explanation = "确认后题库重新加载。"
source = "stdquiz 管理员说明"
"#;

const ALICE: i64 = 1001;
const BOB: i64 = 2002;

struct Fixture {
    _dir: tempfile::TempDir,
    questions: PathBuf,
    data: PathBuf,
    bank: Bank,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let questions = dir.path().join("questions");
    std::fs::create_dir_all(&questions).expect("questions dir");
    std::fs::write(questions.join("e2e.toml"), SET).expect("write the set");
    let report = stdquiz::bank::load_dir(&questions);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let data = dir.path().join("data");
    Fixture {
        bank: report.bank(),
        questions,
        data,
        _dir: dir,
    }
}

/// A bot running in this process on the fixture's data directory.
struct Running {
    service: Arc<Service>,
    shutdown: Shutdown,
    task: tokio::task::JoinHandle<Result<(), BotError>>,
}

async fn start(api: &FakeBotApi, fixture: &Fixture, admins: Vec<i64>, throttle: bool) -> Running {
    let store = open_store(&fixture.data).await;
    let service = Arc::new(Service::new(store, &fixture.questions, admins).expect("service"));
    let mut config = BotConfig::new(TOKEN);
    config.api_url = Some(api.url());
    config.throttle = throttle;
    let shutdown = Shutdown::new();
    let task = tokio::spawn(run_bot(service.clone(), config, shutdown.clone()));
    Running {
        service,
        shutdown,
        task,
    }
}

impl Running {
    /// Stops polling, lets updates in flight finish, and waits for the store to be flushed.
    async fn stop(self) {
        self.shutdown.trigger();
        let stopped = tokio::time::timeout(PATIENCE, self.task)
            .await
            .expect("the bot stops in time");
        stopped.expect("the bot task").expect("a clean stop");
    }

    fn progress(&self, user: i64) -> stdquiz::export::ProgressRow {
        let rows = self.service.progress_rows().expect("progress rows");
        rows.into_iter()
            .find(|row| row.user_id == user)
            .unwrap_or_else(|| panic!("no progress for {user}"))
    }

    /// Whether the store knows the user and counts them as active.
    fn active(&self, user: i64) -> Option<bool> {
        let rows = self.service.progress_rows().expect("progress rows");
        rows.into_iter()
            .find(|row| row.user_id == user)
            .map(|row| row.active)
    }
}

/// Opens the store, waiting while a stopped bot in this process still holds its lock.
async fn open_store(data: &Path) -> Store {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        match Store::open(data) {
            Ok(store) => return store,
            Err(StoreError::Locked(_)) if tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(e) => panic!("{e}"),
        }
    }
}

/// Polls a condition on the store until it holds.
async fn eventually(what: &str, condition: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while !condition() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn init_logs() {
    let filter =
        tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_test_writer()
        .try_init();
}

/// The question a message shows: from its buttons' data, or (fill-in) from its prompt.
fn question_of<'a>(bank: &'a Bank, message: &Call) -> &'a Question {
    let from_buttons =
        message
            .buttons()
            .into_iter()
            .find_map(|(_, data)| match Action::parse(&data).ok()? {
                Action::Choose { question, .. }
                | Action::Toggle { question, .. }
                | Action::Submit { question, .. } => bank.get(&question),
                _ => None,
            });
    from_buttons
        .or_else(|| {
            bank.questions()
                .iter()
                .find(|q| message.text().contains(&q.prompt))
        })
        .unwrap_or_else(|| panic!("not a question: {}", message.text()))
}

/// Callback data of the option buttons (choose or toggle) for these option identities.
fn option_buttons(message: &Call, identities: &[usize]) -> Vec<String> {
    message
        .buttons()
        .into_iter()
        .map(|(_, data)| data)
        .filter(|data| match Action::parse(data) {
            Ok(Action::Choose { option, .. } | Action::Toggle { option, .. }) => {
                identities.contains(&option)
            }
            _ => false,
        })
        .collect()
}

/// Whether callback data is this action.
fn is(data: &str, wanted: impl Fn(&Action) -> bool) -> bool {
    Action::parse(data).is_ok_and(|action| wanted(&action))
}

/// Answers the question in `message` (right or wrong) the way a user would: buttons for
/// choices (toggling a wrong option on and off first for multi-choice), typing for fill-in.
/// Returns the feedback the question turned into.
async fn answer(user: &mut TestUser, bank: &Bank, message: &Call, right: bool) -> Call {
    let question = question_of(bank, message);
    match (&question.key, question.kind) {
        (AnswerKey::Choice(key), Kind::Multi) => {
            let wrong: Vec<usize> = (0..question.options.len())
                .filter(|i| !key.contains(i))
                .collect();
            let decoy = option_buttons(message, &wrong[..1]).remove(0);
            for _ in 0..2 {
                user.press(message, &decoy);
                user.expect("answerCallbackQuery").await;
                let redrawn = user.expect("editMessageText").await;
                assert_eq!(
                    redrawn.message_id(),
                    message.message_id(),
                    "a toggle redraws the question"
                );
            }
            let picks = if right { key.clone() } else { wrong.clone() };
            for toggle in option_buttons(message, &picks) {
                user.press(message, &toggle);
                user.expect("answerCallbackQuery").await;
                let redrawn = user.expect("editMessageText").await;
                assert!(
                    redrawn
                        .buttons()
                        .iter()
                        .any(|(label, _)| label.starts_with('☑')),
                    "{:?}",
                    redrawn.buttons()
                );
            }
            let submit = message
                .buttons()
                .into_iter()
                .find(|(_, data)| is(data, |a| matches!(a, Action::Submit { .. })))
                .expect("a submit button")
                .1;
            user.press(message, &submit);
        }
        (AnswerKey::Choice(key), _) => {
            let pick = if right {
                key[0]
            } else {
                (0..question.options.len())
                    .find(|i| !key.contains(i))
                    .unwrap_or(0)
            };
            user.press(message, &option_buttons(message, &[pick])[0]);
        }
        (AnswerKey::Judge(value), _) => {
            let pick = if *value == right { 0 } else { 1 };
            user.press(message, &option_buttons(message, &[pick])[0]);
        }
        (AnswerKey::Fill { accepted, .. }, _) => {
            user.say(if right {
                &accepted[0]
            } else {
                "完全不对的答案"
            });
            let feedback = user.expect("sendMessage").await;
            assert_verdict(&feedback, right);
            return feedback;
        }
    }
    let answered = user.expect("answerCallbackQuery").await;
    assert!(
        answered.params.get("text").is_none(),
        "a counted answer has no toast: {}",
        answered.params
    );
    let feedback = user.expect("editMessageText").await;
    assert_eq!(
        feedback.message_id(),
        message.message_id(),
        "the question turns into its feedback"
    );
    assert!(
        feedback
            .buttons()
            .iter()
            .all(|(_, data)| is(data, |a| matches!(a, Action::Faq(_)))),
        "only related-question buttons stay"
    );
    assert_verdict(&feedback, right);
    feedback
}

fn assert_verdict(feedback: &Call, right: bool) {
    let verdict = if right {
        "✅ 回答正确"
    } else {
        "❌ 回答错误"
    };
    assert!(
        feedback.text().starts_with(verdict),
        "expected {verdict}: {}",
        feedback.text()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_quiz_with_every_kind_of_question() {
    init_logs();
    let api = FakeBotApi::start().await;
    let fixture = fixture();
    let bot = start(&api, &fixture, Vec::new(), false).await;
    let mut alice = api.user(ALICE, "zh-hans");

    alice.say("/start");
    let welcome = alice.expect("sendMessage").await;
    assert!(
        welcome.text().contains("标准化知识问答机器人"),
        "{}",
        welcome.text()
    );
    assert!(
        welcome
            .buttons()
            .iter()
            .any(|(_, data)| is(data, |a| *a == Action::Menu(Menu::Quiz))),
        "the menu comes with /start"
    );

    alice.say("/quiz");
    // The heading and the first question arrive as one message.
    let mut message = alice.expect("sendMessage").await;
    assert!(message.text().contains("共 4 题"), "{}", message.text());
    let mut kinds = Vec::new();
    for n in 1..=4 {
        assert!(
            message.text().contains(&format!("第 {n}/4 题")),
            "{}",
            message.text()
        );
        let question = question_of(&fixture.bank, &message);
        kinds.push(question.kind);
        // Everything right except the judge question.
        answer(
            &mut alice,
            &fixture.bank,
            &message,
            question.kind != Kind::Judge,
        )
        .await;
        message = alice.expect("sendMessage").await;
    }
    kinds.sort_by_key(|kind| kind.as_str());
    assert_eq!(kinds, [Kind::Fill, Kind::Judge, Kind::Multi, Kind::Single]);
    assert!(
        message.text().contains("🎯 练习结束") && message.text().contains("答对 3/4 题"),
        "{}",
        message.text()
    );

    alice.say("/stats");
    let stats = alice.expect("sendMessage").await;
    assert!(
        stats.text().contains("已答 4 题 · 答对 3 题"),
        "{}",
        stats.text()
    );
    assert!(alice.unread().is_empty());

    // The command menu was set for Chinese (default) and English.
    let menus = api.calls_to("setMyCommands");
    assert_eq!(menus.len(), 2);
    assert!(menus[0].params.get("language_code").is_none());
    assert_eq!(menus[1].params["language_code"], "en");
    let commands: Vec<&str> = menus[1].params["commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["command"].as_str().unwrap())
        .collect();
    assert_eq!(
        commands,
        [
            "start",
            "help",
            "quiz",
            "daily",
            "challenge",
            "review",
            "stats",
            "top",
            "topics",
            "ask",
            "join",
            "campaign",
            "verify",
            "name",
            "lang",
            "skip",
            "stop"
        ]
    );
    // Polling asks for exactly what the handler tree handles, blocks included.
    let allowed = api
        .calls_to("getUpdates")
        .into_iter()
        .find_map(|call| call.params.get("allowed_updates").cloned());
    let allowed = allowed.expect("allowed_updates on the first poll");
    for kind in ["message", "callback_query", "my_chat_member"] {
        assert!(
            allowed
                .as_array()
                .unwrap()
                .contains(&serde_json::json!(kind)),
            "{allowed}"
        );
    }

    bot.stop().await;
    api.assert_calls_match_spec();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_mid_quiz_continues_where_the_user_left_off() {
    init_logs();
    let api = FakeBotApi::start().await;
    let fixture = fixture();
    let mut alice = api.user(ALICE, "zh-hans");

    let bot = start(&api, &fixture, Vec::new(), false).await;
    alice.say("/quiz");
    let mut message = alice.expect("sendMessage").await;
    for _ in 0..2 {
        answer(&mut alice, &fixture.bank, &message, true).await;
        message = alice.expect("sendMessage").await;
    }
    bot.stop().await;

    // A new process on the same data: the third question's buttons still work.
    let bot = start(&api, &fixture, Vec::new(), false).await;
    for n in 3..=4 {
        assert!(
            message.text().contains(&format!("第 {n}/4 题")),
            "{}",
            message.text()
        );
        answer(&mut alice, &fixture.bank, &message, true).await;
        message = alice.expect("sendMessage").await;
    }
    assert!(message.text().contains("答对 4/4 题"), "{}", message.text());
    alice.say("/stats");
    assert!(alice
        .expect("sendMessage")
        .await
        .text()
        .contains("已答 4 题 · 答对 4 题"));
    let progress = bot.progress(ALICE);
    assert_eq!((progress.answered, progress.correct), (4, 4));
    bot.stop().await;
    api.assert_calls_match_spec();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_forged_and_foreign_buttons_are_answered_and_never_counted() {
    init_logs();
    let api = FakeBotApi::start().await;
    let fixture = fixture();
    let bot = start(&api, &fixture, Vec::new(), false).await;
    let mut alice = api.user(ALICE, "zh-hans");
    let mut bob = api.user(BOB, "en");

    alice.say("/quiz");
    let mut question = alice.expect("sendMessage").await;
    while question_of(&fixture.bank, &question).kind != Kind::Single
        && question_of(&fixture.bank, &question).kind != Kind::Judge
    {
        alice.say("/skip");
        alice.expect("sendMessage").await;
        question = alice.expect("sendMessage").await;
    }
    let right = option_buttons(
        &question,
        &[match &question_of(&fixture.bank, &question).key {
            AnswerKey::Choice(key) => key[0],
            _ => 0,
        }],
    )
    .remove(0);

    // Bob presses Alice's button: a toast for him, nothing counted.
    let message = api
        .calls_to("sendMessage")
        .iter()
        .find(|c| c.message_id() == question.message_id())
        .cloned()
        .unwrap();
    let foreign = bob.press_message(stored_message(&message), &right);
    let toast = alice.expect("answerCallbackQuery").await;
    assert_eq!(toast.params["callback_query_id"], foreign);
    assert!(
        toast.params["text"].as_str().unwrap().contains("expired"),
        "Bob reads English: {}",
        toast.params
    );

    // Forged data: recognised and refused.
    for data in [
        "zzz",
        "a:1:e2e-single:0",
        "1a:999:e2e-single:x",
        &"1t:1:".repeat(20),
    ] {
        let id = alice.press(&question, data);
        let answered = alice.expect("answerCallbackQuery").await;
        assert_eq!(answered.params["callback_query_id"], id);
        assert!(
            answered.params["text"]
                .as_str()
                .is_some_and(|text| !text.is_empty()),
            "{}",
            answered.params
        );
    }

    // A double tap: both presses answered, the answer counted once.
    let first = alice.press(&question, &right);
    let second = alice.press(&question, &right);
    let answered = alice.expect("answerCallbackQuery").await;
    assert_eq!(answered.params["callback_query_id"], first);
    assert!(answered.params.get("text").is_none());
    assert_verdict(&alice.expect("editMessageText").await, true);
    alice.expect("sendMessage").await; // the next question
    let again = alice.expect("answerCallbackQuery").await;
    assert_eq!(again.params["callback_query_id"], second);
    assert!(
        again.params["text"]
            .as_str()
            .unwrap()
            .contains("不会重复计分"),
        "{}",
        again.params
    );
    assert!(alice.unread().is_empty());

    let progress = bot.progress(ALICE);
    assert_eq!((progress.answered, progress.correct), (1, 1));
    assert!(bot
        .service
        .progress_rows()
        .unwrap()
        .iter()
        .all(|row| row.user_id != BOB));
    // Every callback query got exactly one answer (the fake refuses a second).
    assert!(api.calls_to("answerCallbackQuery").iter().all(Call::ok));
    bot.stop().await;
    api.assert_calls_match_spec();
}

/// The message as the fake server holds it now (for pressing as another user).
fn stored_message(sent: &Call) -> serde_json::Value {
    sent.outcome.clone().expect("a sent message")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocking_the_bot_marks_the_user_inactive() {
    init_logs();
    let api = FakeBotApi::start().await;
    let fixture = fixture();
    let bot = start(&api, &fixture, Vec::new(), false).await;
    let mut alice = api.user(ALICE, "zh-hans");
    let mut bob = api.user(BOB, "en");

    alice.say("/start");
    alice.expect("sendMessage").await;
    alice.block();
    eventually("Alice inactive", || bot.active(ALICE) == Some(false)).await;

    // Bob blocked the bot without telling: the 403 on send marks him inactive too.
    api.fail_next("sendMessage", BOB, Failure::Blocked);
    bob.say("/help");
    let refused = bob.expect("sendMessage").await;
    assert_eq!(
        refused.outcome.clone().unwrap_err(),
        "Forbidden: bot was blocked by the user"
    );
    eventually("Bob inactive", || bot.active(BOB) == Some(false)).await;

    // The bot carries on; a user who comes back is active again.
    bob.say("/help");
    assert!(bob
        .expect("sendMessage")
        .await
        .text()
        .starts_with("Commands:"));
    assert_eq!(bot.active(BOB), Some(true));
    assert_eq!(bot.active(ALICE), Some(false));
    bot.stop().await;
    api.assert_calls_match_spec();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_chats_get_a_link_to_the_private_chat() {
    init_logs();
    let api = FakeBotApi::start().await;
    let fixture = fixture();
    let bot = start(&api, &fixture, Vec::new(), false).await;
    let mut member = api.in_group(ALICE, -4004);

    member.say(&format!("/quiz@{BOT_USERNAME}"));
    let pointer = member.expect("sendMessage").await;
    assert!(pointer.text().contains("私聊"), "{}", pointer.text());
    assert_eq!(
        pointer.buttons()[0].1,
        format!("https://t.me/{BOT_USERNAME}")
    );

    member.say("大家好，今天世界标准日！");
    member.say("/quiz@some_other_bot");
    member.say("/help");
    let again = member.expect("sendMessage").await;
    assert_eq!(again.text(), pointer.text(), "only /help got a reply");
    assert!(member.unread().is_empty());
    assert!(
        bot.service.progress_rows().unwrap().is_empty(),
        "no quiz in the group"
    );
    bot.stop().await;
    api.assert_calls_match_spec();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn media_edits_unknown_commands_and_long_texts() {
    init_logs();
    let api = FakeBotApi::start().await;
    let fixture = fixture();
    let bot = start(&api, &fixture, Vec::new(), false).await;
    let mut alice = api.user(ALICE, "zh-hans");

    alice.send(serde_json::json!({ "sticker": { "file_id": "CAACAgIAAxk", "file_unique_id": "AgADsticker", "type": "regular",
                                               "width": 512, "height": 512, "is_animated": false, "is_video": false } }));
    let notice = alice.expect("sendMessage").await;
    assert!(
        notice.text().contains("我只能处理文字消息和题库文件"),
        "{}",
        notice.text()
    );
    // More media within a minute, and an edited message: silence.
    alice.send(serde_json::json!({ "photo": [{ "file_id": "AgACAgIAAxk", "file_unique_id": "AQADphoto", "width": 90, "height": 90 }] }));
    alice.send(serde_json::json!({ "voice": { "file_id": "AwACAgIAAxk", "file_unique_id": "AgADvoice", "duration": 3 } }));
    alice.edit("/quiz");

    alice.say("/frobnicate");
    let unknown = alice.expect("sendMessage").await;
    assert!(unknown.text().contains("/frobnicate"), "{}", unknown.text());

    let long = "标准".repeat(3000);
    alice.say(&long);
    let reply = alice.expect("sendMessage").await;
    assert!(reply.ok(), "{:?}", reply.outcome);
    assert!(
        reply.text().chars().count() < 4096 && reply.text().contains('…'),
        "the echo is truncated"
    );
    assert!(alice.unread().is_empty());
    bot.stop().await;
    api.assert_calls_match_spec();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_are_refused_for_users_and_previewed_for_admins() {
    init_logs();
    let api = FakeBotApi::start().await;
    let fixture = fixture();
    let bot = start(&api, &fixture, vec![ALICE], false).await;
    let mut admin = api.user(ALICE, "zh-hans");
    let mut bob = api.user(BOB, "zh-hans");

    // Not an admin: refused, and the file is not even downloaded.
    let document = api.add_document("upload.toml", UPLOAD.as_bytes().to_vec());
    bob.send(serde_json::json!({ "document": document }));
    let refused = bob.expect("sendMessage").await;
    assert!(
        refused.text().contains("只有管理员可以导入题库"),
        "{}",
        refused.text()
    );
    assert!(api.calls_to("getFile").is_empty() && api.downloads().is_empty());

    // Too large: refused from the announced size, before any download.
    admin.send(
        serde_json::json!({ "document": api.announced_document("huge.xlsx", 6 * 1024 * 1024) }),
    );
    let too_large = admin.expect("sendMessage").await;
    assert!(
        too_large.text().contains("文件太大"),
        "{}",
        too_large.text()
    );
    assert!(api.calls_to("getFile").is_empty());

    // An admin's file: downloaded, previewed, confirmed, served.
    admin.send(serde_json::json!({ "document": document }));
    let preview = admin.expect("sendMessage").await;
    assert!(
        preview.text().starts_with("📥 导入预览"),
        "{}",
        preview.text()
    );
    assert_eq!(api.downloads().len(), 1);
    admin.press(&preview, &preview.button("✅ 确认导入"));
    admin.expect("answerCallbackQuery").await;
    let imported = admin.expect("editMessageText").await;
    assert!(
        imported.text().starts_with("✅ 导入完成"),
        "{}",
        imported.text()
    );
    assert!(
        imported.params.get("reply_markup").is_none(),
        "the confirm buttons are gone"
    );

    admin.say("/quiz 上传");
    let question = admin.expect("sendMessage").await;
    assert!(
        question.text().contains("管理员确认导入后"),
        "{}",
        question.text()
    );
    bot.stop().await;
    api.assert_calls_match_spec();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flood_waits_are_honoured_with_throttling_on() {
    init_logs();
    let api = FakeBotApi::start().await;
    let fixture = fixture();
    let bot = start(&api, &fixture, Vec::new(), true).await;
    let mut alice = api.user(ALICE, "zh-hans");

    // A 429 on a send: Throttle waits and sends again.
    api.fail_next("sendMessage", ALICE, Failure::RetryAfter(1));
    alice.say("/quiz");
    let limited = alice.expect("sendMessage").await;
    assert!(limited.outcome.is_err());
    let mut question = alice.expect("sendMessage").await;
    assert!(question.ok() && question.at.duration_since(limited.at) >= Duration::from_secs(1));
    while question_of(&fixture.bank, &question).kind == Kind::Fill {
        alice.say("/skip");
        alice.expect("sendMessage").await;
        question = alice.expect("sendMessage").await;
    }

    // A 429 on an edit: the adapter waits and edits once more.
    api.fail_next("editMessageText", ALICE, Failure::RetryAfter(1));
    let data = question.buttons()[0].1.clone();
    alice.press(&question, &data);
    alice.expect("answerCallbackQuery").await;
    let limited = alice.expect("editMessageText").await;
    assert!(limited.outcome.is_err());
    let edited = alice.expect("editMessageText").await;
    assert!(edited.ok() && edited.at.duration_since(limited.at) >= Duration::from_secs(1));
    bot.stop().await;
    api.assert_calls_match_spec();
}

fn stdquiz() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_stdquiz"));
    command.current_dir(env!("CARGO_MANIFEST_DIR"));
    for variable in [
        "TELOXIDE_TOKEN",
        "TELOXIDE_API_URL",
        "TELOXIDE_PROXY",
        "STDQUIZ_ADMINS",
    ] {
        command.env_remove(variable);
    }
    command
}

/// A `stdquiz serve` process; killed if the test fails before it is stopped.
struct Serve(Option<Child>);

impl Serve {
    fn spawn(api: &FakeBotApi, fixture: &Fixture, log: &Path) -> Serve {
        Serve::spawn_with_admins(api, fixture, log, "")
    }

    fn spawn_with_admins(api: &FakeBotApi, fixture: &Fixture, log: &Path, admins: &str) -> Serve {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .expect("log file");
        let child = stdquiz()
            .args(["serve", "--data"])
            .arg(&fixture.data)
            .arg("--questions")
            .arg(&fixture.questions)
            .env("TELOXIDE_TOKEN", TOKEN)
            .env("TELOXIDE_API_URL", api.url())
            .env("STDQUIZ_ADMINS", admins)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("spawn stdquiz serve");
        Serve(Some(child))
    }

    /// kill -9: no chance to flush or finish anything.
    async fn kill(mut self) {
        let mut child = self.0.take().expect("running");
        child.kill().expect("SIGKILL");
        wait_exit(child).await;
    }

    /// SIGTERM, then the exit status.
    async fn terminate(mut self) -> std::process::ExitStatus {
        let child = self.0.take().expect("running");
        let sent = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .expect("kill -TERM");
        assert!(sent.success());
        wait_exit(child).await
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

async fn wait_exit(mut child: Child) -> std::process::ExitStatus {
    let waited = tokio::task::spawn_blocking(move || child.wait());
    tokio::time::timeout(PATIENCE, waited)
        .await
        .expect("the process exits in time")
        .unwrap()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_survives_kill_9_and_counts_every_answer_once() {
    init_logs();
    let api = FakeBotApi::start().await;
    let fixture = fixture();
    let log = fixture.data.with_extension("log");
    let mut alice = api.user(ALICE, "zh-hans");

    let serve = Serve::spawn(&api, &fixture, &log);
    alice.say("/quiz");
    let mut message = alice.expect("sendMessage").await;
    for right in [true, false] {
        answer(&mut alice, &fixture.bank, &message, right).await;
        message = alice.expect("sendMessage").await;
    }
    // The bot has polled past every update it answered; then it dies without warning.
    api.wait_confirmed().await;
    serve.kill().await;

    let serve = Serve::spawn(&api, &fixture, &log);
    for _ in 3..=4 {
        answer(&mut alice, &fixture.bank, &message, true).await;
        message = alice.expect("sendMessage").await;
    }
    assert!(message.text().contains("答对 3/4 题"), "{}", message.text());

    // SIGTERM: a clean stop.
    let status = serve.terminate().await;
    assert!(status.success(), "exit {status}; log in {}", log.display());
    let log_text = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        log_text.contains("SIGTERM received") && log_text.contains("store flushed"),
        "{log_text}"
    );

    let output = stdquiz()
        .args(["export", "progress", "--format", "json", "--data"])
        .arg(&fixture.data)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let rows: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON progress");
    let alice_row = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["user_id"] == ALICE)
        .expect("Alice's row");
    assert_eq!(
        (
            alice_row["answered"].as_u64(),
            alice_row["correct"].as_u64()
        ),
        (Some(4), Some(3)),
        "{alice_row}"
    );
    api.assert_calls_match_spec();
}

#[test]
fn a_missing_or_malformed_token_is_one_line_and_exit_code_2() {
    let data = tempfile::tempdir().unwrap();
    for token in [None, Some("not-a-token"), Some("123:")] {
        let mut command = stdquiz();
        command.args(["serve", "--data"]).arg(data.path());
        if let Some(token) = token {
            command.env("TELOXIDE_TOKEN", token);
        }
        let output = command.output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{token:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{token:?}: {stderr}");
        assert!(stderr.contains("TELOXIDE_TOKEN"), "{stderr}");
    }
}

/// Telegram re-delivers updates a dead bot had not confirmed. Each kind of update (a
/// multi-choice toggle, a question for the knowledge base, an upload, a block) is applied
/// before the kill and delivered again to the next process, which must change nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_of_update_is_applied_once_across_a_kill_9() {
    init_logs();
    let api = FakeBotApi::start().await;
    let fixture = fixture();
    let log = fixture.data.with_extension("log");
    let mut alice = api.user(ALICE, "zh-hans");
    let mut bob = api.user(BOB, "zh-hans");
    const ADMIN: i64 = 3003;
    let mut admin = api.user(ADMIN, "zh-hans");
    let serve = Serve::spawn_with_admins(&api, &fixture, &log, &ADMIN.to_string());

    // A multi-choice toggle.
    alice.say("/quiz");
    let mut question = alice.expect("sendMessage").await;
    while question_of(&fixture.bank, &question).kind != Kind::Multi {
        alice.say("/skip");
        alice.expect("sendMessage").await;
        question = alice.expect("sendMessage").await;
    }
    let toggle = option_buttons(&question, &[0]).remove(0);
    alice.press(&question, &toggle);
    let toggled = api.last_update_id();
    alice.expect("answerCallbackQuery").await;
    alice.expect("editMessageText").await;

    // A question nobody answered, logged once for admins.
    alice.say("公司年假有几天");
    let asked = api.last_update_id();
    alice.expect("sendMessage").await;

    // An upload: one preview.
    let document = api.add_document("upload.toml", UPLOAD.as_bytes().to_vec());
    admin.send(serde_json::json!({ "document": document }));
    let uploaded = api.last_update_id();
    let preview = admin.expect("sendMessage").await;
    assert!(preview.text().contains("导入预览"), "{}", preview.text());

    // A block, then the user comes back.
    let blocked = bob.block();
    bob.unblock();
    bob.say("/start");
    bob.expect("sendMessage").await;

    api.wait_confirmed().await;
    serve.kill().await;

    let serve = Serve::spawn_with_admins(&api, &fixture, &log, &ADMIN.to_string());
    for update in [toggled, asked, uploaded, blocked] {
        api.redeliver(update);
    }
    api.wait_confirmed().await;
    // The re-delivered press is answered (its spinner may still turn), with nothing else.
    let again = alice.expect("answerCallbackQuery").await;
    assert!(again.params.get("text").is_none(), "{}", again.params);
    // The toggle was not flipped back: submitting answers with the one option chosen.
    let submit = question
        .buttons()
        .into_iter()
        .find(|(_, data)| is(data, |a| matches!(a, Action::Submit { .. })))
        .expect("a submit button")
        .1;
    alice.press(&question, &submit);
    let answered = alice.expect("answerCallbackQuery").await;
    assert!(answered.params.get("text").is_none(), "{}", answered.params);
    let feedback = alice.expect("editMessageText").await;
    let given = feedback
        .text()
        .lines()
        .find(|line| line.starts_with("你的答案："))
        .unwrap_or_default()
        .to_string();
    let option_zero = &question_of(&fixture.bank, &question).options[0];
    assert!(
        given.ends_with(option_zero.as_str()) && !given.contains('；'),
        "exactly the one toggled option: {given}"
    );
    assert!(
        alice.unread().is_empty(),
        "no reply to re-delivered updates"
    );
    assert!(admin.unread().is_empty(), "no second preview");
    assert!(bob.unread().is_empty());
    let status = serve.terminate().await;
    assert!(status.success(), "exit {status}; log in {}", log.display());

    let export = |what: &str| -> serde_json::Value {
        let output = stdquiz()
            .args(["export", what, "--format", "json", "--data"])
            .arg(&fixture.data)
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        serde_json::from_slice(&output.stdout).expect("JSON")
    };
    let unanswered = export("unanswered");
    assert_eq!(unanswered[0]["count"], 1, "{unanswered}");
    let progress = export("progress");
    let bob_row = progress
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["user_id"] == BOB)
        .expect("Bob's row");
    assert_eq!(
        bob_row["active"], true,
        "the old block was not applied again"
    );
}

const CAMPAIGN: &str = r#"[campaign]
id = "e2e-camp"
title = "端到端竞答"
starts = "2020-01-01 00:00"
ends = "2099-12-31 23:59"
questions = 4
attempts = 1
pass_mark = 75
"#;

/// An organizer's campaign over the fake Bot API: the admin uploads the definition and the
/// enterprise list (preview, Confirm), an employee opens the deep link, joins, takes part
/// with the buttons, reads the boards; the admin gets the QR poster, which decodes to the link.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_campaign_from_upload_to_poster() {
    init_logs();
    let api = FakeBotApi::start().await;
    let fixture = fixture();
    const ADMIN: i64 = 3003;
    let bot = start(&api, &fixture, vec![ADMIN], false).await;
    let mut admin = api.user(ADMIN, "zh-hans");
    let mut alice = api.user(ALICE, "zh-hans");

    let document = api.add_document("e2e-camp.toml", CAMPAIGN.as_bytes().to_vec());
    admin.send(serde_json::json!({ "document": document }));
    let preview = admin.expect("sendMessage").await;
    assert!(
        preview.text().contains("竞答活动预览"),
        "{}",
        preview.text()
    );
    admin.press(&preview, &preview.button("✅ 确认导入"));
    admin.expect("answerCallbackQuery").await;
    let saved = admin.expect("editMessageText").await;
    assert!(
        saved.text().contains("e2e-camp 第 1 版已保存"),
        "{}",
        saved.text()
    );

    let list = "企业名单\n单位名称,职工人数,街道\n上海甲公司,8,新华路街道\n上海乙公司,20,\n";
    let document = api.add_document("单位.csv", list.as_bytes().to_vec());
    admin.send(serde_json::json!({ "document": document }));
    let preview = admin.expect("sendMessage").await;
    assert!(preview.text().contains("新增 2"), "{}", preview.text());
    admin.press(&preview, &preview.button("✅ 确认导入"));
    admin.expect("answerCallbackQuery").await;
    assert!(admin
        .expect("editMessageText")
        .await
        .text()
        .contains("共 2 家"));
    let code = bot
        .service
        .orgs()
        .into_iter()
        .find(|o| o.name == "上海甲公司")
        .unwrap()
        .code;

    alice.say("/start c-e2e-camp");
    let card = alice.expect("sendMessage").await;
    assert!(
        card.text().contains("端到端竞答") && card.text().contains("未加入"),
        "{}",
        card.text()
    );
    alice.say(&format!("/join {}", code.to_lowercase()));
    assert!(alice
        .expect("sendMessage")
        .await
        .text()
        .contains("已加入「上海甲公司」"));

    alice.press(&card, &card.button("▶ 开始答题"));
    alice.expect("answerCallbackQuery").await;
    let mut message = alice.expect("sendMessage").await;
    assert!(message.text().contains("共 4 题"), "{}", message.text());
    for _ in 0..4 {
        answer(&mut alice, &fixture.bank, &message, true).await;
        message = alice.expect("sendMessage").await;
    }
    assert!(
        message.text().contains("得分：100 分") && message.text().contains("已通过"),
        "{}",
        message.text()
    );
    alice.say("/top e2e-camp");
    let boards = alice.expect("sendMessage").await;
    assert!(
        boards.text().contains("「上海甲公司」 — 12.5% (1/8)"),
        "{}",
        boards.text()
    );

    alice.say("/poster e2e-camp");
    assert!(alice
        .expect("sendMessage")
        .await
        .text()
        .contains("只有管理员"));
    admin.say("/poster e2e-camp");
    let photo = admin.expect("sendPhoto").await;
    assert!(photo.ok(), "{}", photo.params);
    let upload = api.uploads().pop().expect("the poster");
    let image = image::load_from_memory(&upload.bytes)
        .expect("a PNG")
        .to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(image);
    let (_, link) = prepared.detect_grids()[0].decode().expect("a QR code");
    assert_eq!(
        link,
        format!("https://t.me/{BOT_USERNAME}?start=c-e2e-camp")
    );

    let report = bot.service.campaign_report("e2e-camp").unwrap().unwrap();
    assert_eq!(
        (report.users[0].best_score, report.users[0].org.as_deref()),
        (Some(100), Some(code.as_str()))
    );
    bot.stop().await;
    api.assert_calls_match_spec();
}

/// `/report ID` over the fake Bot API while the bot runs: a summary, the participation
/// chart (sendPhoto) and the workbook (sendDocument); a pass brings a certificate whose
/// code `/verify` confirms.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_and_verify_while_the_bot_runs() {
    use calamine::Reader;
    init_logs();
    let api = FakeBotApi::start().await;
    let fixture = fixture();
    const ADMIN: i64 = 3003;
    let bot = start(&api, &fixture, vec![ADMIN], false).await;
    let now = chrono::Utc::now().timestamp();
    let plan = bot
        .service
        .plan_campaign("e2e-camp.toml", CAMPAIGN)
        .unwrap()
        .unwrap();
    bot.service
        .save_campaign(plan.campaign, "test", now)
        .unwrap();
    let list = "单位名称,职工人数\n上海甲公司,8\n";
    let orgs = bot
        .service
        .plan_orgs("orgs.csv", list.as_bytes(), &mut rand::thread_rng())
        .unwrap()
        .unwrap();
    bot.service.save_orgs(&orgs.merged()).unwrap();
    let code = bot.service.orgs()[0].code.clone();
    let mut admin = api.user(ADMIN, "zh-hans");
    let mut alice = api.user(ALICE, "zh-hans");
    let mut bob = api.user(BOB, "zh-hans");

    alice.say(&format!("/join {code}"));
    alice.expect("sendMessage").await;
    alice.say("/start c-e2e-camp");
    let card = alice.expect("sendMessage").await;
    alice.press(&card, &card.button("▶ 开始答题"));
    alice.expect("answerCallbackQuery").await;
    let mut message = alice.expect("sendMessage").await;
    for _ in 0..4 {
        answer(&mut alice, &fixture.bank, &message, true).await;
        message = alice.expect("sendMessage").await;
    }
    let result = message.text().to_string();
    assert!(result.contains("参赛证明"), "{result}");
    let verification = result
        .split("验证码：")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("a verification code")
        .to_string();

    bob.say(&format!("/verify {verification}"));
    let verified = bob.expect("sendMessage").await;
    assert!(
        verified.text().contains("真实有效") && verified.text().contains("端到端竞答"),
        "{}",
        verified.text()
    );
    bob.say("/verify 23456-789AB");
    assert!(bob
        .expect("sendMessage")
        .await
        .text()
        .contains("没有验证码"));

    alice.say("/report e2e-camp");
    assert!(alice
        .expect("sendMessage")
        .await
        .text()
        .contains("只有管理员"));
    admin.say("/report e2e-camp");
    let summary = admin.expect("sendMessage").await;
    assert!(
        summary.text().contains("参与率 12.5%"),
        "{}",
        summary.text()
    );
    let photo = admin.expect("sendPhoto").await;
    assert!(photo.ok(), "{}", photo.params);
    let document = admin.expect("sendDocument").await;
    assert!(document.ok(), "{}", document.params);
    let uploads = api.uploads();
    let png = uploads
        .iter()
        .find(|u| u.file_name == "report-e2e-camp.png")
        .unwrap_or_else(|| {
            panic!(
                "the chart: {:?}",
                uploads
                    .iter()
                    .map(|u| (&u.method, &u.file_name))
                    .collect::<Vec<_>>()
            )
        });
    assert!(png.bytes.starts_with(b"\x89PNG"));
    let xlsx = uploads
        .iter()
        .find(|u| u.file_name == "report-e2e-camp.xlsx")
        .expect("the workbook");
    let mut workbook: calamine::Xlsx<_> =
        calamine::Xlsx::new(std::io::Cursor::new(xlsx.bytes.clone())).unwrap();
    let people = workbook.worksheet_range("人员").unwrap();
    assert_eq!(
        people.get_value((1, 1)),
        Some(&calamine::Data::Float(ALICE as f64))
    );
    assert_eq!(
        people.get_value((1, 6)),
        Some(&calamine::Data::Float(100.0))
    );

    // The bot still answers afterwards.
    admin.say("/report");
    assert!(admin
        .expect("sendMessage")
        .await
        .text()
        .contains("题库使用情况"));
    admin.expect("sendPhoto").await;
    admin.expect("sendDocument").await;
    bot.stop().await;
    api.assert_calls_match_spec();
}
