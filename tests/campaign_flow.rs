//! A campaign through the service, as transcripts with an injected clock: the window's
//! edges, attempts and their limit, a restart mid-attempt, versions, the report, bad files.

use rand::rngs::StdRng;
use rand::SeedableRng;
use stdquiz::bank::AnswerKey;
use stdquiz::campaign::Availability;
use stdquiz::chat::render::letter;
use stdquiz::engine::{QuestionView, Reply};
use stdquiz::service::{Request, Response, Service};
use stdquiz::store::Store;

/// 2026-10-08 09:00 and 2026-10-14 23:59:59 in Asia/Shanghai.
const STARTS: i64 = 1_791_421_200;
const ENDS: i64 = 1_791_993_599;
const ALICE: i64 = 11;
const BOB: i64 = 22;

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

fn service(data: &std::path::Path) -> Service {
    let questions = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("questions");
    Service::new(Store::open(data).unwrap(), &questions, vec![]).unwrap()
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
    fn send(&mut self, request: Request, now: i64) -> Vec<Response> {
        self.service
            .handle(self.id, request, now, &mut self.rng)
            .unwrap()
            .responses
    }

    /// Types the right (or a wrong) answer to the question on screen.
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
        self.send(Request::Event(stdquiz::engine::Event::Text(text)), now)
    }

    /// Starts (or resumes) and answers `right` of the questions right, the rest wrong.
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

fn card(replies: &[Response]) -> &stdquiz::service::campaigns::Card {
    match replies {
        [Response::CampaignCard(card)] => card,
        other => panic!("not a card: {other:?}"),
    }
}

fn result(replies: &[Response]) -> &stdquiz::service::campaigns::Outcome {
    replies
        .iter()
        .find_map(|r| match r {
            Response::CampaignResult(outcome) => Some(outcome),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no result: {replies:?}"))
}

#[test]
fn a_campaign_runs_from_its_window_to_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let service = service(dir.path());
    set_up(&service);
    let mut alice = Person {
        service: &service,
        id: ALICE,
        rng: StdRng::seed_from_u64(2),
    };

    // One second before the window: the card says when it opens; Start changes nothing.
    let before = alice.send(Request::Campaign("wsd-2026".into()), STARTS - 1);
    assert_eq!(
        card(&before).availability,
        Availability::NotYet { opens: STARTS }
    );
    let early = alice.send(Request::CampaignStart("wsd-2026".into()), STARTS - 1);
    assert!(question(&early).is_none(), "{early:?}");

    let joined = alice.send(Request::Join("jiaaaa".into()), STARTS);
    assert!(matches!(&joined[..], [Response::Joined(org)] if org.code == "JIAAAA"));

    // The first second of the window: four questions of the pool; 3 right of 4 passes 75.
    let first = alice.take(3, STARTS);
    let outcome = result(&first);
    assert_eq!(
        (outcome.score, outcome.passed, outcome.attempts_left),
        (75, true, 1)
    );
    assert_eq!(
        outcome.rank.as_ref().map(|r| (r.position, r.of)),
        Some((1, 1))
    );

    // The second attempt is worse; the best one counts. A third is refused.
    let second = alice.take(1, STARTS + 60);
    assert_eq!((result(&second).score, result(&second).best), (25, 75));
    let third = alice.send(Request::CampaignStart("wsd-2026".into()), STARTS + 120);
    assert_eq!(card(&third).availability, Availability::NoAttemptsLeft);

    // Bob, in no enterprise, in the last second of the window; one second later it is closed.
    let mut bob = Person {
        service: &service,
        id: BOB,
        rng: StdRng::seed_from_u64(3),
    };
    let bob_result = bob.take(4, ENDS);
    assert_eq!(
        (
            result(&bob_result).score,
            result(&bob_result).rank.as_ref().map(|r| r.position)
        ),
        (100, Some(1))
    );
    let late = bob.send(Request::CampaignStart("wsd-2026".into()), ENDS + 1);
    assert_eq!(card(&late).availability, Availability::Closed);

    let report = service.campaign_report("wsd-2026").unwrap().unwrap();
    let json = serde_json::to_value(&report).unwrap();
    let alice_row = &json["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["user_id"] == ALICE)
        .unwrap();
    assert_eq!(
        (
            &alice_row["attempts"],
            &alice_row["best_score"],
            &alice_row["passed"],
            &alice_row["org"]
        ),
        (
            &serde_json::json!(2),
            &serde_json::json!(75),
            &serde_json::json!(true),
            &serde_json::json!("JIAAAA")
        )
    );
    let bob_row = &json["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["user_id"] == BOB)
        .unwrap();
    assert_eq!(bob_row["org"], serde_json::Value::Null);
    let jia = json["orgs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["code"] == "JIAAAA")
        .unwrap();
    assert_eq!(
        (&jia["participants"], &jia["participation_rate"]),
        (&serde_json::json!(1), &serde_json::json!(0.025))
    );
    let answered: u64 = json["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["answered"].as_u64().unwrap())
        .sum();
    assert_eq!(answered, 12, "three attempts of four questions");
    // Campaign answers count in the normal stats too.
    let stats = alice.send(Request::Event(stdquiz::engine::Event::Stats), ENDS);
    assert!(
        matches!(&stats[..], [Response::Engine(Reply::Stats(s))] if s.answered == 8),
        "{stats:?}"
    );
}

#[test]
fn an_attempt_interrupted_by_a_restart_resumes_where_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let shown = {
        let service = service(dir.path());
        set_up(&service);
        let mut alice = Person {
            service: &service,
            id: ALICE,
            rng: StdRng::seed_from_u64(2),
        };
        let started = alice.send(Request::CampaignStart("wsd-2026".into()), STARTS);
        let view = question(&started).unwrap();
        let next = alice.answer(&view, true, STARTS);
        question(&next).unwrap()
    };
    let service = service(dir.path());
    let mut alice = Person {
        service: &service,
        id: ALICE,
        rng: StdRng::seed_from_u64(9),
    };
    let card_now = alice.send(Request::Campaign("wsd-2026".into()), STARTS + 5);
    assert!(card(&card_now).in_progress);
    let resumed = alice.send(Request::CampaignStart("wsd-2026".into()), STARTS + 5);
    let view = question(&resumed).unwrap();
    assert_eq!(
        (view.question.as_str(), view.index),
        (shown.question.as_str(), 1)
    );
    // A practice quiz does not replace the attempt.
    let practice = alice.send(
        Request::Event(stdquiz::engine::Event::Quiz {
            topic: None,
            length: None,
        }),
        STARTS + 6,
    );
    assert!(
        practice.contains(&Response::Engine(Reply::CampaignInProgress)),
        "{practice:?}"
    );
    let finished = alice.take(3, STARTS + 7);
    assert_eq!(result(&finished).total, 4);
}

#[test]
fn a_reimport_is_a_new_version_and_attempts_keep_theirs() {
    let dir = tempfile::tempdir().unwrap();
    let service = service(dir.path());
    set_up(&service);
    let mut alice = Person {
        service: &service,
        id: ALICE,
        rng: StdRng::seed_from_u64(2),
    };
    alice.take(4, STARTS);
    let changed = CAMPAIGN.replace("questions = 4", "questions = 5");
    let plan = service
        .plan_campaign("wsd.toml", &changed)
        .unwrap()
        .unwrap();
    assert_eq!((plan.replaces, plan.campaign.version), (Some(1), 2));
    service
        .save_campaign(plan.campaign, "test", STARTS)
        .unwrap();
    assert_eq!(service.campaigns()[0].version, 2);
    let second = alice.take(5, STARTS + 10);
    assert_eq!(result(&second).total, 5);
    let report = service.campaign_report("wsd-2026").unwrap().unwrap();
    assert_eq!(report.users[0].attempts, 2);
}

#[test]
fn a_bad_campaign_file_reports_lines_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let service = service(dir.path());
    let bad = CAMPAIGN
        .replace("attempts = 2", "attempts = 0")
        .replace("topics = [\"世界标准日\"]", "topics = [\"没有这个\"]");
    let problems = service
        .plan_campaign("wsd.toml", &bad)
        .unwrap()
        .unwrap_err();
    let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert!(
        text.iter().any(|p| p.starts_with("wsd.toml:7:")),
        "{text:?}"
    );
    assert!(
        text.iter().any(|p| p.starts_with("wsd.toml:8:")),
        "{text:?}"
    );
    assert!(service.campaigns().is_empty());
    let mut rng = StdRng::seed_from_u64(1);
    let orgs = service
        .plan_orgs(
            "orgs.csv",
            "单位名称,职工人数\n甲,很多\n".as_bytes(),
            &mut rng,
        )
        .unwrap()
        .unwrap_err();
    assert!(orgs[0].to_string().starts_with("orgs.csv:2:"), "{orgs:?}");
}
