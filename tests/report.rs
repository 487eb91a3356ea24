//! Organizer results through the service with an injected clock: the workbook read back
//! and checked against the JSON report figure by figure, item analysis on a made-up set,
//! certificates and `/verify`, the prize draw, and formula-safe CSV.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use calamine::{Data, Reader, Xlsx};
use rand::rngs::StdRng;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use serde_json::Value;
use stdquiz::bank::AnswerKey;
use stdquiz::campaign::{Attempt, AttemptAnswer, Participant, Report};
use stdquiz::chat::render::{self, letter, Origin};
use stdquiz::engine::{Event, Lang, QuestionView, Reply};
use stdquiz::service::draw::DrawRefusal;
use stdquiz::service::report::CampaignBook;
use stdquiz::service::{Request, Response, Service};
use stdquiz::store::Store;

/// 2026-10-08 09:00 and 2026-10-14 23:59:59 in Asia/Shanghai.
const STARTS: i64 = 1_791_421_200;
const ENDS: i64 = 1_791_993_599;
const DAY: i64 = 86_400;

const CAMPAIGN: &str = r#"[campaign]
id = "wsd-2026"
title = "2026年世界标准日知识竞答"
starts = "2026-10-08 09:00"
ends = "2026-10-14 23:59"
questions = 4
topics = ["世界标准日"]
attempts = 2
pass_mark = 75
"#;

const ORGS: &str = "单位名称,职工人数,邀请码\n上海甲公司,40,JIAAAA\n上海乙公司,10,YIBBBB\n";
const ADMIN: i64 = 1;

fn service(data: &std::path::Path) -> Service {
    let questions = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("questions");
    Service::new(Store::open(data).unwrap(), &questions, vec![ADMIN]).unwrap()
}

fn set_up(service: &Service) {
    let plan = service
        .plan_campaign("wsd.toml", CAMPAIGN)
        .unwrap()
        .unwrap();
    service
        .save_campaign(plan.campaign, "test", STARTS)
        .unwrap();
    let mut rng = StdRng::seed_from_u64(1);
    let orgs = service
        .plan_orgs("orgs.csv", ORGS.as_bytes(), &mut rng)
        .unwrap()
        .unwrap();
    service.save_orgs(&orgs.merged()).unwrap();
}

struct Person<'a> {
    service: &'a Service,
    id: i64,
    rng: StdRng,
}

impl Person<'_> {
    fn new(service: &Service, id: i64) -> Person<'_> {
        Person {
            service,
            id,
            rng: StdRng::seed_from_u64(id as u64),
        }
    }

    fn send(&mut self, request: Request, now: i64) -> Vec<Response> {
        self.service
            .handle(self.id, request, now, &mut self.rng)
            .unwrap()
            .responses
    }

    fn answer(&mut self, view: &QuestionView, right: bool, now: i64) -> Vec<Response> {
        let content = self.service.content();
        let question = content.bank.get(&view.question).unwrap();
        let text = match (&question.key, right) {
            (AnswerKey::Choice(key), true) => key
                .iter()
                .map(|i| letter(view.order.iter().position(|o| o == i).unwrap()))
                .collect::<String>(),
            (AnswerKey::Choice(key), false) => {
                let wrong = (0..question.options.len())
                    .find(|i| !key.contains(i))
                    .unwrap();
                letter(view.order.iter().position(|o| *o == wrong).unwrap()).to_string()
            }
            (AnswerKey::Judge(value), _) => if *value == right { "对" } else { "错" }.into(),
            (AnswerKey::Fill { accepted, .. }, true) => accepted[0].clone(),
            (AnswerKey::Fill { .. }, false) => "完全不对的答案".into(),
        };
        self.send(Request::Event(Event::Text(text)), now)
    }

    fn take(&mut self, right: usize, now: i64) -> Vec<Response> {
        let mut replies = self.send(Request::CampaignStart("wsd-2026".into()), now);
        let mut answered = 0;
        while let Some(view) = question(&replies) {
            replies = self.answer(&view, answered < right, now);
            answered += 1;
        }
        replies
    }
}

fn question(replies: &[Response]) -> Option<QuestionView> {
    replies.iter().find_map(|r| match r {
        Response::Engine(Reply::Question(view)) => Some(view.clone()),
        _ => None,
    })
}

fn outcome(replies: &[Response]) -> &stdquiz::service::campaigns::Outcome {
    replies
        .iter()
        .find_map(|r| match r {
            Response::CampaignResult(outcome) => Some(outcome),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no result: {replies:?}"))
}

/// Six people over three days: names, enterprises and scores of 100, 75, 50, 25, 100.
fn populate(service: &Service) {
    let people: [(i64, &str, Option<&str>, usize, i64); 6] = [
        (11, "小王", Some("JIAAAA"), 4, 0),
        (22, "=1+1", Some("JIAAAA"), 3, 0),
        (33, "李四", Some("YIBBBB"), 2, 1),
        (44, "@赵六", Some("YIBBBB"), 1, 1),
        (55, "钱七", None, 4, 2),
        (66, "孙八", Some("JIAAAA"), 0, 2),
    ];
    for (id, name, org, right, day) in people {
        let now = STARTS + 3600 + day * DAY;
        let mut person = Person::new(service, id);
        person.send(Request::Event(Event::SetName(name.into())), now);
        if let Some(code) = org {
            person.send(Request::Join(code.into()), now);
        }
        person.take(right, now + 60);
    }
    // A second, better attempt for 李四.
    Person::new(service, 33).take(3, STARTS + 3 * DAY);
}

fn zip_entry(bytes: &[u8], name: &str) -> Option<String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut file = archive.by_name(name).ok()?;
    let mut text = String::new();
    file.read_to_string(&mut text).unwrap();
    Some(text)
}

fn num(value: &Value) -> Option<f64> {
    value.as_f64()
}

fn cell_f64(data: Option<&Data>) -> Option<f64> {
    match data {
        Some(Data::Float(f)) => Some(*f),
        Some(Data::Int(i)) => Some(*i as f64),
        Some(Data::Empty) | None => None,
        other => panic!("not a number: {other:?}"),
    }
}

fn cell_text(data: Option<&Data>) -> Option<String> {
    match data {
        Some(Data::String(s)) => Some(s.clone()),
        Some(Data::Empty) | None => None,
        other => panic!("not text: {other:?}"),
    }
}

#[test]
fn the_workbook_agrees_with_the_json_report_figure_by_figure() {
    let dir = tempfile::tempdir().unwrap();
    let service = service(dir.path());
    set_up(&service);
    populate(&service);
    let report = service.campaign_report("wsd-2026").unwrap().unwrap();
    let json = serde_json::to_value(&report).unwrap();
    let book = service.campaign_book("wsd-2026").unwrap().unwrap();
    let bytes = book.xlsx(Lang::Zh).unwrap();
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes.clone())).unwrap();
    assert_eq!(workbook.sheet_names(), ["概览", "单位", "人员", "题目分析"]);
    for sheet in workbook.sheet_names() {
        let formulas = workbook.worksheet_formula(&sheet).unwrap();
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "{sheet}"
        );
    }

    // 概览: the figures by label.
    let overview = workbook.worksheet_range("概览").unwrap();
    let figures: HashMap<String, Option<f64>> = (1..overview.height() as u32)
        .filter_map(|row| {
            let label = cell_text(overview.get_value((row, 0)))?;
            let value = match overview.get_value((row, 1)) {
                Some(Data::String(_)) => None,
                other => cell_f64(other),
            };
            Some((label, value))
        })
        .collect();
    assert_eq!(figures["参与人数"], num(&json["participants"]));
    assert_eq!(figures["职工总数"], num(&json["headcount"]));
    assert_eq!(figures["参与率"], num(&json["participation_rate"]));
    assert_eq!(figures["通过率"], num(&json["pass_rate"]));
    assert_eq!(figures["及格线"], num(&json["pass_mark"]));
    assert_eq!(figures["参与人数"], Some(6.0));
    assert_eq!(figures["职工总数"], Some(50.0));
    // Five of the six are in listed enterprises: 5 / 50.
    assert_eq!(figures["参与率"], Some(0.1));
    // 小王 100, =1+1 75, 李四 75 (second attempt), 钱七 100 pass: 4 / 6.
    assert_eq!(figures["通过率"], Some(0.6667));
    // Participation per day: the days in C and D, charted.
    let days: Vec<(String, f64)> = (1..overview.height() as u32)
        .filter_map(|row| {
            Some((
                cell_text(overview.get_value((row, 2)))?,
                cell_f64(overview.get_value((row, 3)))?,
            ))
        })
        .collect();
    assert_eq!(
        days,
        [
            ("2026-10-08".to_string(), 2.0),
            ("2026-10-09".to_string(), 2.0),
            ("2026-10-10".to_string(), 2.0),
            ("2026-10-11".to_string(), 1.0),
        ]
    );

    // 单位: one row per enterprise, in the report's order.
    let orgs = workbook.worksheet_range("单位").unwrap();
    let json_orgs = json["orgs"].as_array().unwrap();
    assert_eq!(orgs.height() - 1, json_orgs.len());
    for (index, org) in json_orgs.iter().enumerate() {
        let row = index as u32 + 1;
        assert_eq!(
            cell_text(orgs.get_value((row, 0))).as_deref(),
            org["code"].as_str()
        );
        assert_eq!(
            cell_text(orgs.get_value((row, 1))).as_deref(),
            org["name"].as_str()
        );
        assert_eq!(cell_f64(orgs.get_value((row, 2))), num(&org["headcount"]));
        assert_eq!(
            cell_f64(orgs.get_value((row, 3))),
            num(&org["participants"])
        );
        assert_eq!(
            cell_f64(orgs.get_value((row, 4))),
            num(&org["participation_rate"])
        );
        assert_eq!(
            cell_f64(orgs.get_value((row, 5))),
            num(&org["average_best_score"])
        );
        assert_eq!(cell_f64(orgs.get_value((row, 6))), num(&org["pass_rate"]));
    }

    // 人员: one row per person, in rank order.
    let people = workbook.worksheet_range("人员").unwrap();
    let json_users = json["users"].as_array().unwrap();
    assert_eq!(people.height() - 1, json_users.len());
    for (index, user) in json_users.iter().enumerate() {
        let row = index as u32 + 1;
        assert_eq!(cell_f64(people.get_value((row, 0))), num(&user["rank"]));
        assert_eq!(cell_f64(people.get_value((row, 1))), num(&user["user_id"]));
        assert_eq!(
            cell_text(people.get_value((row, 2))).as_deref(),
            user["name"].as_str()
        );
        assert_eq!(
            cell_text(people.get_value((row, 3))).as_deref(),
            user["org"].as_str()
        );
        assert_eq!(cell_f64(people.get_value((row, 5))), num(&user["attempts"]));
        assert_eq!(
            cell_f64(people.get_value((row, 6))),
            num(&user["best_score"])
        );
        let passed = if user["passed"].as_bool().unwrap() {
            "是"
        } else {
            "否"
        };
        assert_eq!(
            cell_text(people.get_value((row, 7))).as_deref(),
            Some(passed)
        );
        assert_eq!(cell_f64(people.get_value((row, 8))), num(&user["seconds"]));
        let Some(Data::DateTime(first)) = people.get_value((row, 9)) else {
            panic!("no first attempt time");
        };
        // Excel days since 1899-12-30, in Asia/Shanghai.
        let unix = user["first_attempt_at"].as_i64().unwrap() + 8 * 3600;
        let want = unix as f64 / 86_400.0 + 25_569.0;
        assert!((first.as_f64() - want).abs() < 1e-6);
    }
    // The name `=1+1` is a string cell, not a formula.
    assert!((1..people.height() as u32)
        .any(|row| people.get_value((row, 2)) == Some(&Data::String("=1+1".into()))));

    // 题目分析: answered and correct per question as the report counts them.
    let questions = workbook.worksheet_range("题目分析").unwrap();
    let json_questions = json["questions"].as_array().unwrap();
    assert_eq!(questions.height() - 1, json_questions.len());
    for (index, q) in json_questions.iter().enumerate() {
        let row = index as u32 + 1;
        assert_eq!(
            cell_text(questions.get_value((row, 0))).as_deref(),
            q["id"].as_str()
        );
        assert_eq!(cell_f64(questions.get_value((row, 2))), num(&q["answered"]));
        assert_eq!(cell_f64(questions.get_value((row, 3))), num(&q["correct"]));
        let accuracy = q["correct"].as_f64().unwrap() / q["answered"].as_f64().unwrap();
        let got = cell_f64(questions.get_value((row, 4))).unwrap();
        assert!((got - accuracy).abs() < 1e-4);
    }

    // Native charts: participation per day and by enterprise.
    let day_chart = zip_entry(&bytes, "xl/charts/chart1.xml").expect("chart1.xml");
    assert!(day_chart.contains("<c:barChart>"));
    assert!(day_chart.contains("每日参与人数"));
    assert!(day_chart.contains("$C$2:$C$5"), "{day_chart}");
    let org_chart = zip_entry(&bytes, "xl/charts/chart2.xml").expect("chart2.xml");
    assert!(org_chart.contains("各单位参与率"));

    // English headers with --lang en.
    let english = book.xlsx(Lang::En).unwrap();
    let workbook: Xlsx<_> = Xlsx::new(Cursor::new(english)).unwrap();
    assert_eq!(
        workbook.sheet_names(),
        ["Overview", "Enterprises", "People", "Questions"]
    );

    // The CSV of the 人员 sheet: the same rows, formula-like text prefixed.
    let csv = book.people_csv(Lang::Zh);
    assert!(csv.starts_with('\u{feff}'));
    assert!(csv.contains(",'=1+1,"), "{csv}");
    assert!(csv.contains(",'@赵六,"), "{csv}");
    assert_eq!(csv.lines().count(), json_users.len() + 1);
}

/// Ten attempts at two made-up choice questions whose answers are known.
#[test]
fn item_analysis_on_a_made_up_result_set() {
    let dir = tempfile::tempdir().unwrap();
    let service = service(dir.path());
    set_up(&service);
    let content = service.content();
    let campaign = content.campaign("wsd-2026").unwrap().clone();
    let choices: Vec<_> = content
        .bank
        .questions()
        .iter()
        .filter(|q| matches!(&q.key, AnswerKey::Choice(k) if k.len() == 1) && q.options.len() == 4)
        .take(2)
        .collect();
    let (easy, hard) = (choices[0], choices[1]);
    let key = |q: &stdquiz::bank::Question| match &q.key {
        AnswerKey::Choice(k) => k[0],
        _ => unreachable!(),
    };
    let wrong = |q: &stdquiz::bank::Question| (0..4).find(|o| *o != key(q)).unwrap();
    // People 1-10: everyone gets `easy` right except 9 and 10; only 1 and 2 get `hard`
    // right, the others all pick the same wrong option.
    let attempts: Vec<Attempt> = (1..=10)
        .map(|person| {
            let easy_right = person <= 8;
            let hard_right = person <= 2;
            let answer = |q: &stdquiz::bank::Question, right: bool| AttemptAnswer {
                question: q.id.clone(),
                correct: right,
                chosen: vec![if right { key(q) } else { wrong(q) }],
            };
            Attempt {
                user_id: person,
                campaign: campaign.id.clone(),
                version: campaign.version,
                number: 1,
                questions: vec![easy.id.clone(), hard.id.clone()],
                answers: vec![answer(easy, easy_right), answer(hard, hard_right)],
                started_at: STARTS,
                finished_at: Some(STARTS + 100),
            }
        })
        .collect();
    let participants: Vec<Participant> = (1..=10)
        .map(|id| Participant {
            user_id: id,
            name: None,
            org: None,
        })
        .collect();
    let report = Report::compute(&campaign, &[], &participants, &attempts);
    let book = CampaignBook::build(report, &attempts, &content, Vec::new());
    let find = |id: &str| book.items.iter().find(|i| i.question == id).unwrap();
    let easy_stats = find(&easy.id);
    assert_eq!((easy_stats.answered, easy_stats.correct), (10, 8));
    assert_eq!(easy_stats.accuracy, Some(0.8));
    assert_eq!(easy_stats.option_picks[key(easy)], 8);
    assert_eq!(easy_stats.option_picks[wrong(easy)], 2);
    assert!(easy_stats.flags.is_empty());
    // Scores: 1-2 100, 3-8 50, 9-10 0. Groups of round(2.7) = 3: upper 1, 2 and one
    // third of the 50s (all right on easy), lower 9, 10 and a third of the 50s.
    // easy: upper 3/3, lower (0 + 0 + 1/3·... ) -> 1 - (1/3)/3.
    let d = easy_stats.discrimination.unwrap();
    assert!((d - (1.0 - 1.0 / 3.0)).abs() < 1e-9, "{d}");
    let hard_stats = find(&hard.id);
    assert_eq!(hard_stats.accuracy, Some(0.2));
    assert_eq!(hard_stats.option_picks[wrong(hard)], 8);
    assert_eq!(
        hard_stats.flags,
        [
            stdquiz::results::item_analysis::Flag::LowAccuracy,
            stdquiz::results::item_analysis::Flag::DistractorBeatsKey {
                option: wrong(hard)
            }
        ]
    );
    // The flags reach the sheet.
    let sheets = book.sheets(Lang::Zh);
    let questions = &sheets[3];
    let row = questions
        .rows
        .iter()
        .find(|r| r[0] == stdquiz::results::workbook::Cell::Text(hard.id.clone()))
        .unwrap();
    let stdquiz::results::workbook::Cell::Text(flags) = row.last().unwrap() else {
        panic!("no flags");
    };
    assert!(flags.contains("正确率低于 30%"), "{flags}");
    assert!(
        flags.contains(&format!("错误选项 {}", letter(wrong(hard)))),
        "{flags}"
    );
}

#[test]
fn a_pass_gets_a_certificate_that_verify_confirms() {
    let dir = tempfile::tempdir().unwrap();
    let service = service(dir.path());
    set_up(&service);
    let now = STARTS + 3600;
    let mut alice = Person::new(&service, 11);
    alice.send(Request::Event(Event::SetName("小王".into())), now);
    let failed = alice.take(1, now);
    assert_eq!(outcome(&failed).certificate, None);
    let passed = alice.take(4, now + 600);
    let certificate = outcome(&passed).certificate.clone().expect("a certificate");
    assert_eq!(certificate.name, "小王");
    assert_eq!(certificate.score, 100);
    assert_eq!(certificate.campaign, "wsd-2026");
    assert_eq!(certificate.date, now + 600);
    let code = stdquiz::results::certificate::normalize(&certificate.code)
        .unwrap()
        .to_string();
    // The result message shows it.
    let turn = stdquiz::service::Turn {
        lang: Lang::Zh,
        responses: passed.clone(),
        awaiting_answer: false,
    };
    let shown = render::turn(&turn, &service.content(), Origin::Typed);
    assert!(shown
        .messages
        .iter()
        .any(|m| m.text.contains("参赛证明") && m.text.contains(&code)));

    // Anyone can verify it, typed in lower case.
    let mut bob = Person::new(&service, 22);
    let replies = bob.send(
        stdquiz::chat::command::parse_text(&format!("/verify {}", code.to_lowercase()), None),
        now,
    );
    assert_eq!(replies, [Response::Verified(certificate.clone())]);
    let text = &render::render(&replies[0], &service.content(), Lang::Zh)[0].text;
    assert!(text.contains("小王") && text.contains("100 分") && text.contains("2026年世界标准日"));
    assert_eq!(service.verify(&code).unwrap(), Some(certificate.clone()));

    // An unknown but well-formed code, and garbage, are unknown.
    let other = stdquiz::results::certificate::VerificationCode::generate(
        &mut ChaCha20Rng::seed_from_u64(99),
    );
    assert_ne!(other.as_str(), certificate.code);
    for typed in [other.to_string(), "hello".to_string()] {
        let replies = bob.send(Request::Verify(typed.clone()), now);
        assert_eq!(replies, [Response::VerifyUnknown(typed)]);
    }

    // A second pass keeps the first certificate.
    let mut carol = Person::new(&service, 33);
    let first = outcome(&carol.take(4, now)).certificate.clone().unwrap();
    let again = outcome(&carol.take(4, now + 60))
        .certificate
        .clone()
        .unwrap();
    assert_eq!(first, again);
    assert_ne!(first.code, certificate.code);

    // It survives a restart.
    drop(service);
    let service = self::service(dir.path());
    assert_eq!(service.verify(&code).unwrap(), Some(certificate));
}

#[test]
fn the_draw_is_committed_run_after_the_close_and_verifiable() {
    let dir = tempfile::tempdir().unwrap();
    let service = service(dir.path());
    set_up(&service);
    assert_eq!(
        service.draw_run("wsd-2026", 2, None, ENDS + 1).unwrap(),
        Err(DrawRefusal::NotCommitted)
    );
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let (draw, new) = service
        .draw_commit("wsd-2026", STARTS, &mut rng)
        .unwrap()
        .unwrap();
    assert!(new);
    assert_eq!(draw.commitment.len(), 64);
    let seed = stdquiz::results::draw::seed_from_hex(&draw.seed).unwrap();
    assert_eq!(
        stdquiz::results::draw::commitment_of(&seed),
        draw.commitment
    );
    // A second commit changes nothing.
    let (again, new) = service
        .draw_commit("wsd-2026", STARTS + 1, &mut rng)
        .unwrap()
        .unwrap();
    assert!(!new);
    assert_eq!(again, draw);
    populate(&service);

    assert_eq!(
        service.draw_run("wsd-2026", 2, None, ENDS).unwrap(),
        Err(DrawRefusal::NotClosed { ends: ENDS })
    );
    let drawn = service
        .draw_run("wsd-2026", 2, Some(1), ENDS + 1)
        .unwrap()
        .unwrap();
    assert!(drawn.new);
    assert_eq!(drawn.winners.len(), 2);
    // Eligible: 11, 22, 33 and 55 passed; at most one per enterprise.
    let ids: Vec<i64> = drawn.winners.iter().map(|w| w.user_id).collect();
    assert!(
        ids.iter().all(|id| [11, 22, 33, 55].contains(id)),
        "{ids:?}"
    );
    let orgs: Vec<_> = drawn.winners.iter().filter_map(|w| w.org.clone()).collect();
    let mut unique = orgs.clone();
    unique.dedup();
    assert_eq!(orgs.len(), unique.len());
    assert_eq!(drawn.draw.result.as_ref().unwrap().eligible, 4);

    // A second run shows the stored result, even with other numbers.
    let second = service
        .draw_run("wsd-2026", 3, None, ENDS + 99)
        .unwrap()
        .unwrap();
    assert!(!second.new);
    assert_eq!(second.winners, drawn.winners);

    // Verify recomputes the same winners; a wrong seed is refused.
    let verified = service
        .draw_verify("wsd-2026", &draw.seed)
        .unwrap()
        .unwrap();
    assert!(verified.matches);
    assert_eq!(verified.recomputed, verified.stored);
    let wrong = "00".repeat(32);
    assert_eq!(
        service.draw_verify("wsd-2026", &wrong).unwrap(),
        Err(DrawRefusal::Draw(
            stdquiz::results::draw::DrawError::SeedDoesNotMatchCommitment
        ))
    );
    assert_eq!(
        service.draw_verify("wsd-2026", "not hex").unwrap(),
        Err(DrawRefusal::BadSeed)
    );
    // The draw is deterministic from the seed: the pure draw agrees.
    let entrants: Vec<_> = [11i64, 22, 33, 55]
        .iter()
        .map(|id| stdquiz::results::draw::Entrant {
            user_id: *id,
            org: match id {
                11 | 22 => Some("JIAAAA".to_string()),
                33 => Some("YIBBBB".to_string()),
                _ => None,
            },
        })
        .collect();
    let pure = stdquiz::results::draw::run(&seed, &draw.commitment, &entrants, 2, Some(1)).unwrap();
    assert_eq!(pure.iter().map(|w| w.user_id).collect::<Vec<_>>(), ids);

    // Winners appear in the report's workbook.
    let book = service.campaign_book("wsd-2026").unwrap().unwrap();
    assert_eq!(book.winners, drawn.winners);
    let bytes = book.xlsx(Lang::Zh).unwrap();
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    let winners = workbook.worksheet_range("中奖名单").unwrap();
    assert_eq!(winners.height(), 3);
    assert_eq!(cell_f64(winners.get_value((1, 1))), Some(ids[0] as f64));

    // A commit after the close is refused for a campaign without one.
    let other = CAMPAIGN.replace("wsd-2026", "late-2026");
    let plan = service.plan_campaign("late.toml", &other).unwrap().unwrap();
    service
        .save_campaign(plan.campaign, "test", STARTS)
        .unwrap();
    assert_eq!(
        service
            .draw_commit("late-2026", ENDS + 1, &mut rng)
            .unwrap(),
        Err(DrawRefusal::AlreadyClosed)
    );
}

#[test]
fn report_is_for_admins_and_sends_a_summary_a_chart_and_the_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let service = service(dir.path());
    set_up(&service);
    populate(&service);
    let mut rng = StdRng::seed_from_u64(3);
    let refused = service
        .handle(11, Request::Report(Some("wsd-2026".into())), ENDS, &mut rng)
        .unwrap();
    assert_eq!(refused.responses, [Response::AdminOnly]);
    let turn = service
        .handle(
            ADMIN,
            stdquiz::chat::command::parse_text("/report wsd-2026", None),
            ENDS,
            &mut rng,
        )
        .unwrap();
    let out = render::turn(&turn, &service.content(), Origin::Typed);
    assert_eq!(out.messages.len(), 3, "{:?}", out.messages);
    assert!(
        out.messages[0].text.contains("参与率 10.0%"),
        "{}",
        out.messages[0].text
    );
    let photo = out.messages[1].attachment.as_ref().unwrap();
    assert_eq!(photo.kind, render::AttachmentKind::Photo);
    assert!(photo.bytes.starts_with(b"\x89PNG"));
    let document = out.messages[2].attachment.as_ref().unwrap();
    assert_eq!(document.kind, render::AttachmentKind::Document);
    assert_eq!(document.file_name, "report-wsd-2026.xlsx");
    assert!(document.bytes.starts_with(b"PK"));

    // The whole bank, per topic.
    let turn = service
        .handle(ADMIN, Request::Report(None), ENDS, &mut rng)
        .unwrap();
    let out = render::turn(&turn, &service.content(), Origin::Typed);
    assert_eq!(out.messages.len(), 3);
    assert!(
        out.messages[0].text.contains("世界标准日"),
        "{}",
        out.messages[0].text
    );
    let document = out.messages[2].attachment.as_ref().unwrap();
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(document.bytes.clone())).unwrap();
    assert_eq!(workbook.sheet_names(), ["知识点"]);
    let range = workbook.worksheet_range("知识点").unwrap();
    let row = (1..range.height() as u32)
        .find(|r| range.get_value((*r, 0)) == Some(&Data::String("世界标准日".into())))
        .unwrap();
    let answers = service.answers().unwrap();
    let on_topic: Vec<_> = answers.iter().filter(|a| a.topic == "世界标准日").collect();
    assert_eq!(
        cell_f64(range.get_value((row, 1))),
        Some(on_topic.len() as f64)
    );
    let correct = on_topic.iter().filter(|a| a.correct).count();
    assert_eq!(cell_f64(range.get_value((row, 2))), Some(correct as f64));
}

#[test]
fn progress_and_bank_csv_exports_are_formula_safe() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        let mut user = stdquiz::engine::UserRecord::new(7, STARTS);
        user.name = Some("=1+1".into());
        store.commit(&stdquiz::store::Commit::user(&user)).unwrap();
        let csv = stdquiz::export::progress(&store, true).unwrap();
        assert!(csv.contains(",'=1+1,"), "{csv}");
        let json = stdquiz::export::progress(&store, false).unwrap();
        assert!(
            json.contains("\"=1+1\""),
            "JSON keeps the name as it is: {json}"
        );
    }

    // The bank: a prompt and an option that look like formulas are guarded in CSV, stay
    // plain strings in XLSX, and import back unchanged.
    let paths = stdquiz::cli::Paths {
        data: dir.path().to_path_buf(),
        questions: std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("questions"),
    };
    let mut sets = stdquiz::export::served_sets(&paths).unwrap();
    sets.truncate(1);
    let record = &mut sets[0].questions[0];
    record.prompt = Some("=1+1 等于几？".into());
    let csv = stdquiz::bank::formats::write_sets_csv(&sets).unwrap();
    let text = String::from_utf8(csv.clone()).unwrap();
    assert!(text.contains("'=1+1 等于几？"), "{text}");
    let parsed =
        stdquiz::bank::formats::parse_bytes("bank.csv", stdquiz::bank::formats::Format::Csv, &csv)
            .unwrap();
    let back = match parsed.content {
        stdquiz::bank::formats::Content::Set(set) => set,
        stdquiz::bank::formats::Content::Sets(sets) => sets.into_iter().next().unwrap().0,
        _ => panic!("not a set"),
    };
    assert_eq!(back.questions[0].prompt.as_deref(), Some("=1+1 等于几？"));

    let xlsx = stdquiz::bank::formats::write_sets_xlsx(&sets).unwrap();
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(xlsx)).unwrap();
    let name = workbook.sheet_names()[0].clone();
    let formulas = workbook.worksheet_formula(&name).unwrap();
    assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()));
    let range = workbook.worksheet_range(&name).unwrap();
    assert!(range
        .used_cells()
        .any(|(_, _, cell)| cell == &Data::String("=1+1 等于几？".into())));
}
