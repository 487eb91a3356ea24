//! Engine transcripts: a seeded RNG, an injected clock, and the replies rendered as
//! the user would read them.

use rand::rngs::StdRng;
use rand::SeedableRng;
use stdquiz::bank::formats::{parse_bytes, Content as FileContent, Format};
use stdquiz::bank::{validate_set, Bank};
use stdquiz::chat::render::render;
use stdquiz::engine::{self, Event, Lang, Mode, Reply, UserRecord};
use stdquiz::qa::KnowledgeBase;
use stdquiz::service::{Content, Response};

const BANK: &str = r#"
[set]
id = "t"
title = "测试"
topic = "世界标准日"
topic_en = "World Standards Day"

[[question]]
id = "t-single"
kind = "single"
difficulty = 1
prompt = "世界标准日是哪一天？"
options = ["10月14日", "5月20日", "3月15日"]
answer = "A"
explanation = "纪念1946年10月14日伦敦会议。"
source = "世界标准日资料"

[[question]]
id = "t-multi"
kind = "multi"
difficulty = 2
prompt = "哪些是三大国际标准化组织？"
options = ["ISO", "IEC", "ITU", "WTO"]
answer = "ABC"
explanation = "ISO、IEC、ITU。"
source = "ISO/IEC/ITU"

[[question]]
id = "t-judge"
kind = "judge"
difficulty = 3
prompt = "ISO成立于1947年。"
answer = "true"
explanation = "1947年2月23日。"
source = "ISO"

[[question]]
id = "t-fill"
kind = "fill"
topic = "标准化法"
difficulty = 2
prompt = "自我声明公开规定在《标准化法》第____条。"
accepted = ["二十七", "27"]
explanation = "第二十七条。"
source = "《标准化法》第二十七条"
"#;

fn bank() -> Bank {
    let parsed = parse_bytes("t.toml", Format::Toml, BANK.as_bytes()).expect("fixture parses");
    let FileContent::Set(file) = parsed.content else {
        panic!("a set")
    };
    let (questions, problems) = validate_set(&file.set, &file.questions, &parsed.places);
    assert!(problems.is_empty(), "{problems:?}");
    Bank::from_sets(vec![(
        stdquiz::bank::set_info_for(&file, &questions, "t.toml"),
        questions,
    )])
}

/// 2026-10-14 09:00 Asia/Shanghai (a Wednesday).
const T0: i64 = 1_791_939_600;
const MINUTE: i64 = 60;
const DAY: i64 = 86_400;

struct Chat {
    content: Content,
    user: UserRecord,
    rng: StdRng,
    now: i64,
    replies: Vec<Reply>,
}

impl Chat {
    fn new(id: i64) -> Chat {
        Chat {
            content: Content {
                bank: bank(),
                kb: KnowledgeBase::default(),
                problems: Vec::new(),
                campaigns: Vec::new(),
                orgs: Vec::new(),
            },
            user: UserRecord::new(id, T0),
            rng: StdRng::seed_from_u64(7),
            now: T0,
            replies: Vec::new(),
        }
    }

    /// Sends an event and returns the transcript of what the bot says.
    fn send(&mut self, event: Event) -> String {
        let outcome = engine::handle(
            &self.content.bank,
            &mut self.user,
            event,
            self.now,
            &mut self.rng,
        );
        self.replies = outcome.replies.clone();
        outcome
            .replies
            .iter()
            .flat_map(|r| render(&Response::Engine(r.clone()), &self.content, Lang::Zh))
            .map(|m| m.text)
            .collect::<Vec<_>>()
            .join("\n---\n")
    }

    fn say(&mut self, text: &str) -> String {
        self.send(Event::Text(text.into()))
    }

    fn current(&self) -> (u32, String, Vec<usize>) {
        let s = self.user.session.as_ref().expect("a session is running");
        (
            s.id,
            s.current().expect("a current question").to_string(),
            s.order.clone(),
        )
    }

    /// The display letter of option identity `identity` of the current question.
    fn letter_of(&self, identity: usize) -> char {
        let (_, _, order) = self.current();
        (b'A' + order.iter().position(|&o| o == identity).unwrap() as u8) as char
    }

    /// Answers the current question correctly by typing, whatever its kind.
    fn answer_right(&mut self) -> String {
        let (_, id, _) = self.current();
        let text = match id.as_str() {
            "t-single" => self.letter_of(0).to_string(),
            "t-multi" => [0, 1, 2].iter().map(|&i| self.letter_of(i)).collect(),
            "t-judge" => "对".into(),
            _ => "27".into(),
        };
        self.say(&text)
    }

    fn answer_wrong(&mut self) -> String {
        let (_, id, _) = self.current();
        let text = match id.as_str() {
            "t-single" => self.letter_of(1).to_string(),
            "t-multi" => self.letter_of(3).to_string(),
            "t-judge" => "错".into(),
            _ => "第二十六".into(),
        };
        self.say(&text)
    }
}

#[test]
fn a_practice_quiz_with_every_kind_ends_with_a_summary() {
    let mut chat = Chat::new(1);
    let opening = chat.send(Event::Quiz {
        topic: None,
        length: Some(4),
    });
    assert!(
        opening.starts_with("📝 开始练习：全部知识点，共 4 题。"),
        "{opening}"
    );
    assert!(opening.contains("第 1/4 题"), "{opening}");
    chat.now += 30;
    let reply = chat.answer_right();
    assert!(reply.starts_with("✅ 回答正确"), "{reply}");
    assert!(
        reply.contains("解析：") && reply.contains("出处："),
        "{reply}"
    );
    assert!(reply.contains("第 2/4 题"), "{reply}");
    chat.now += 30;
    let reply = chat.answer_wrong();
    assert!(reply.starts_with("❌ 回答错误"), "{reply}");
    assert!(reply.contains("正确答案："), "{reply}");
    chat.now += 30;
    chat.answer_right();
    chat.now += 30;
    let end = chat.answer_right();
    assert!(
        end.contains("🎯 练习结束\n得分：答对 3/4 题 (75%)\n用时：2分0秒"),
        "{end}"
    );
    assert!(end.contains("各知识点："), "{end}");
    assert!(chat.user.session.is_none());
    assert_eq!((chat.user.answered, chat.user.correct), (4, 3));
}

#[test]
fn stale_repeated_and_forged_buttons_never_change_the_score() {
    let mut chat = Chat::new(1);
    chat.send(Event::Quiz {
        topic: Some("世界标准日".into()),
        length: Some(3),
    });
    let (session, question, _) = chat.current();
    // Answer whatever comes first through its button, then tap the same button again.
    let press = match question.as_str() {
        "t-single" => Event::Choose {
            session,
            question: question.clone(),
            option: 0,
        },
        "t-judge" => Event::Choose {
            session,
            question: question.clone(),
            option: 0,
        },
        _ => {
            chat.send(Event::Toggle {
                session,
                question: question.clone(),
                option: 0,
            });
            Event::Submit {
                session,
                question: question.clone(),
            }
        }
    };
    chat.send(press.clone());
    let answered = chat.user.answered;
    assert_eq!(answered, 1);
    assert!(chat.send(press).contains("已经作答或已过期"));
    assert_eq!(chat.user.answered, answered, "a double tap is counted once");
    let (session, question, _) = chat.current();
    assert!(chat
        .send(Event::Choose {
            session: session + 1,
            question: question.clone(),
            option: 0
        })
        .contains("已经作答或已过期"));
    let forged = chat.send(Event::Choose {
        session,
        question: question.clone(),
        option: 99,
    });
    assert!(forged.contains("无法识别这个按钮"), "{forged}");
    assert!(chat
        .send(Event::Choose {
            session,
            question: "t-nonexistent".into(),
            option: 0
        })
        .contains("已经作答或已过期"));
    assert_eq!(chat.user.answered, answered);
}

#[test]
fn multi_choice_toggles_then_submits_by_option_identity() {
    let mut chat = Chat::new(1);
    chat.user.progress.insert(
        "t-single".into(),
        stdquiz::engine::QuestionProgress {
            seen: 1,
            correct: 1,
            last_correct: true,
            ..Default::default()
        },
    );
    chat.send(Event::Quiz {
        topic: Some("世界标准日".into()),
        length: Some(1),
    });
    // Unseen questions come first; keep skipping until the multi question is current.
    while chat.current().1 != "t-multi" {
        chat.send(Event::Quiz {
            topic: Some("世界标准日".into()),
            length: Some(1),
        });
    }
    let (session, question, _) = chat.current();
    assert!(chat
        .send(Event::Submit {
            session,
            question: question.clone()
        })
        .contains("请先选择至少一个选项"));
    for option in [0, 1, 3, 2] {
        chat.send(Event::Toggle {
            session,
            question: question.clone(),
            option,
        });
    }
    let redraw = chat.send(Event::Toggle {
        session,
        question: question.clone(),
        option: 3,
    });
    assert_eq!(redraw.matches('☑').count(), 3, "{redraw}");
    let reply = chat.send(Event::Submit { session, question });
    assert!(reply.starts_with("✅ 回答正确"), "{reply}");
}

#[test]
fn practice_prefers_unseen_and_missed_questions() {
    let mut chat = Chat::new(1);
    chat.send(Event::Quiz {
        topic: None,
        length: Some(2),
    });
    let first_two: Vec<String> = chat.user.session.as_ref().unwrap().questions.clone();
    chat.answer_right();
    chat.answer_right();
    chat.send(Event::Quiz {
        topic: None,
        length: Some(2),
    });
    let next_two = chat.user.session.as_ref().unwrap().questions.clone();
    assert!(
        next_two.iter().all(|q| !first_two.contains(q)),
        "{first_two:?} then {next_two:?}"
    );
}

#[test]
fn typed_text_that_is_not_an_answer_goes_to_the_question_answerer() {
    let mut chat = Chat::new(1);
    chat.send(Event::Quiz {
        topic: Some("标准化法".into()),
        length: Some(1),
    });
    assert_eq!(chat.current().1, "t-fill");
    chat.say("GB/T是什么意思？");
    assert!(matches!(chat.replies.as_slice(), [Reply::NotAnAnswer(_)]));
    assert_eq!(chat.user.answered, 0);
    let reply = chat.say("２７");
    assert!(
        reply.starts_with("✅"),
        "full-width digits are folded: {reply}"
    );
}

#[test]
fn unknown_topics_list_the_real_ones() {
    let mut chat = Chat::new(1);
    let reply = chat.send(Event::Quiz {
        topic: Some("天气".into()),
        length: None,
    });
    assert!(
        reply.contains("没有找到知识点「天气」") && reply.contains("1. 世界标准日"),
        "{reply}"
    );
    assert!(chat
        .send(Event::Quiz {
            topic: Some("world standards day".into()),
            length: Some(1)
        })
        .contains("开始练习：世界标准日"));
}

#[test]
fn the_daily_question_is_shared_answerable_once_and_builds_a_streak() {
    let mut alice = Chat::new(1);
    let mut bob = Chat::new(2);
    bob.rng = StdRng::seed_from_u64(99);
    alice.send(Event::Daily);
    bob.send(Event::Daily);
    assert_eq!(
        alice.current().1,
        bob.current().1,
        "same question for everyone that day"
    );
    let first = alice.answer_right();
    assert!(first.contains("已连续打卡 1 天"), "{first}");
    assert!(alice
        .send(Event::Daily)
        .contains("今天的每日一题已经答过了"));
    let answered = alice.user.answered;
    alice.now += DAY;
    alice.send(Event::Daily);
    let second = alice.answer_wrong();
    assert!(second.contains("已连续打卡 2 天"), "{second}");
    assert_eq!(alice.user.answered, answered + 1);
    // Skip a day: the streak starts again.
    alice.now += 2 * DAY;
    alice.send(Event::Daily);
    assert!(alice
        .answer_right()
        .contains("已连续打卡 1 天（最佳 2 天）"));
}

#[test]
fn the_daily_day_turns_at_midnight_in_shanghai() {
    let mut chat = Chat::new(1);
    // 23:59 Shanghai on 2026-10-14 is 15:59 UTC.
    chat.now = T0 + 14 * 3600 + 59 * MINUTE;
    chat.send(Event::Daily);
    chat.answer_right();
    chat.now += 2 * MINUTE; // 00:01 the next day in Shanghai, still 10-14 in UTC
    let reply = chat.send(Event::Daily);
    assert!(!reply.contains("已经答过了"), "a new Shanghai day: {reply}");
    assert!(chat.answer_right().contains("已连续打卡 2 天"));
}

#[test]
fn a_challenge_runs_to_the_first_mistake_and_keeps_the_best() {
    let mut chat = Chat::new(1);
    let opening = chat.send(Event::Challenge);
    assert!(
        opening.contains("挑战答题") && opening.contains("第 1 题"),
        "{opening}"
    );
    chat.answer_right();
    chat.answer_right();
    let end = chat.answer_wrong();
    assert!(
        end.contains("🏁 挑战结束：连续答对 2 题。刷新个人纪录！"),
        "{end}"
    );
    assert_eq!(chat.user.challenge_best, 2);
    chat.send(Event::Challenge);
    let end = chat.answer_wrong();
    assert!(end.contains("连续答对 0 题。个人最佳 2 题"), "{end}");
    assert_eq!(chat.user.challenge_best, 2);
}

#[test]
fn missed_questions_come_back_on_a_spaced_schedule_until_learned() {
    let mut chat = Chat::new(1);
    chat.send(Event::Quiz {
        topic: Some("标准化法".into()),
        length: Some(1),
    });
    chat.answer_wrong();
    let early = chat.send(Event::Review);
    assert!(
        early.contains("暂时没有到期的错题") && early.contains("2026-10-14 09:10"),
        "{early}"
    );
    // Recalled on schedule: 10 minutes, then 1, 6 and 15 days; the next interval passes 30 days.
    for wait in [10 * MINUTE, DAY, 6 * DAY, 15 * DAY] {
        chat.now += wait;
        let opening = chat.send(Event::Review);
        assert!(opening.contains("错题复习：1 题到期"), "{opening}");
        chat.answer_right();
    }
    assert!(chat.user.cards.is_empty(), "learned: {:?}", chat.user.cards);
    assert!(chat.send(Event::Review).contains("错题本是空的"));
}

#[test]
fn questions_missed_four_times_show_their_explanation_first() {
    let mut chat = Chat::new(1);
    for _ in 0..4 {
        chat.send(Event::Quiz {
            topic: Some("标准化法".into()),
            length: Some(1),
        });
        chat.answer_wrong();
    }
    chat.now += 11 * MINUTE;
    let review = chat.send(Event::Review);
    assert!(
        review.contains("易错题，先看解析：第二十七条。"),
        "{review}"
    );
}

#[test]
fn points_follow_difficulty_and_the_daily_cap() {
    let mut chat = Chat::new(1);
    chat.send(Event::Quiz {
        topic: None,
        length: Some(4),
    });
    for _ in 0..4 {
        chat.answer_right();
    }
    // 10 + 20 + 30 + 20 by difficulty.
    assert_eq!(chat.user.days.values().map(|d| d.points).sum::<u32>(), 80);
    for _ in 0..10 {
        chat.send(Event::Quiz {
            topic: None,
            length: Some(4),
        });
        for _ in 0..4 {
            chat.answer_right();
        }
    }
    assert_eq!(
        chat.user.days.values().map(|d| d.points).sum::<u32>(),
        engine::DAILY_POINT_CAP
    );
}

#[test]
fn leaderboards_share_ranks_on_ties_and_show_my_rank_outside_the_top_ten() {
    let mut users = Vec::new();
    for id in 1..=12 {
        let mut chat = Chat::new(id);
        chat.send(Event::SetName(format!("用户{id:02}")));
        chat.send(Event::Quiz {
            topic: Some("世界标准日".into()),
            length: Some(1),
        });
        // Users 1 and 2 tie at the top; the rest answer wrong; user 12 answers nothing right.
        if id <= 2 {
            chat.answer_right();
        } else {
            chat.answer_wrong();
        }
        users.push(chat.user);
    }
    let top = engine::leaderboards(&users, 12, T0);
    assert_eq!(top.all_time.rows[0].rank, 1);
    assert_eq!(top.all_time.rows[1].rank, 1, "a tie shares the rank");
    assert_eq!(top.all_time.rows[2].rank, 3);
    assert_eq!(top.all_time.rows.len(), 10);
    let mine = top
        .all_time
        .mine
        .expect("my row is shown below the top ten");
    assert!(
        mine.me && mine.name == "用户12" && mine.rank == 3,
        "{mine:?}"
    );
}

#[test]
fn the_week_board_resets_on_monday_in_shanghai() {
    let mut chat = Chat::new(1);
    chat.send(Event::Quiz {
        topic: Some("世界标准日".into()),
        length: Some(1),
    });
    chat.answer_right();
    let users = vec![chat.user.clone()];
    let wednesday = engine::leaderboards(&users, 1, T0);
    assert!(wednesday.week.rows[0].value > 0);
    // Sunday 23:59 Shanghai is still the same week; Monday 00:00 is a new one.
    let sunday_late = T0 + 4 * DAY + 14 * 3600 + 59 * MINUTE;
    assert!(engine::leaderboards(&users, 1, sunday_late).week.rows[0].value > 0);
    let monday = sunday_late + MINUTE;
    assert_eq!(
        engine::leaderboards(&users, 1, monday).week.rows[0].value,
        0
    );
    assert!(engine::leaderboards(&users, 1, monday).all_time.rows[0].value > 0);
}

#[test]
fn stop_and_skip_are_safe_without_a_quiz() {
    let mut chat = Chat::new(1);
    assert!(chat.send(Event::Stop).contains("当前没有进行中的答题"));
    assert!(chat.send(Event::Skip).contains("当前没有进行中的答题"));
    chat.send(Event::Quiz {
        topic: None,
        length: Some(2),
    });
    let skipped = chat.send(Event::Skip);
    assert!(skipped.starts_with("⏭ 已跳过"), "{skipped}");
    let stopped = chat.send(Event::Stop);
    assert!(
        stopped.contains("⏹ 已结束本次答题") && stopped.contains("跳过 1 题"),
        "{stopped}"
    );
    assert_eq!(chat.user.answered, 0);
    assert!(matches!(chat.replies.last(), Some(Reply::Summary(s)) if s.mode == Mode::Practice));
}

#[test]
fn a_late_answer_with_no_quiz_running_says_so() {
    let mut chat = Chat::new(1);
    assert!(chat.say("B").contains("当前没有进行中的答题"));
    assert!(chat.say("对").contains("当前没有进行中的答题"));
    chat.say("GB/T是什么");
    assert!(matches!(chat.replies.as_slice(), [Reply::NotAnAnswer(_)]));
}

#[test]
fn display_names_lose_direction_controls_and_line_breaks() {
    let mut chat = Chat::new(1);
    chat.send(Event::SetName("\u{202e}ecila\u{200b}".into()));
    assert_eq!(chat.user.name.as_deref(), Some("ecila"));
    chat.send(Event::SetName("小王\n 1. 👉 Boss — 999".into()));
    assert_eq!(chat.user.name.as_deref(), Some("小王 1. 👉 Boss — 999"));
    chat.send(Event::SetName("\u{202e}\u{200f}".into()));
    assert_eq!(
        chat.user.name.as_deref(),
        Some("小王 1. 👉 Boss — 999"),
        "a name of invisible characters only is refused"
    );
}
