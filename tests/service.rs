//! The service end to end (no transport): chat imports, Q&A, related entries, restarts.

use rand::rngs::StdRng;
use rand::SeedableRng;
use stdquiz::engine::{Event, Lang};
use stdquiz::service::{Incoming, Request, Response, Service};
use stdquiz::store::Store;

const ADMIN: i64 = 100;
const EMPLOYEE: i64 = 200;
const NOW: i64 = 1_791_939_600;

const SET: &str = r#"[set]
id = "campaign"
title = "世界标准日活动题"

[[question]]
id = "wsd-x1"
kind = "judge"
prompt = "世界标准日是每年10月14日。"
answer = "对"
explanation = "纪念1946年10月14日伦敦会议。"
source = "世界标准日资料"
"#;

fn service(data: &std::path::Path) -> Service {
    let questions = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("questions");
    Service::new(Store::open(data).unwrap(), &questions, vec![ADMIN]).unwrap()
}

/// The employee's record as `export progress` shows it.
fn row(service: &Service) -> stdquiz::export::ProgressRow {
    let rows = service.progress_rows().unwrap();
    rows.into_iter().find(|r| r.user_id == EMPLOYEE).unwrap()
}

fn answered(service: &Service) -> u32 {
    row(service).answered
}

fn active(service: &Service) -> bool {
    row(service).active
}

/// The employee's request as Telegram update 500.
fn redelivered(request: Request) -> Incoming {
    Incoming {
        user_id: EMPLOYEE,
        update: Some(500),
        hint: Lang::Zh,
        request,
    }
}

fn upload(
    service: &Service,
    user: i64,
    name: &str,
    bytes: &[u8],
    rng: &mut StdRng,
) -> Vec<Response> {
    service
        .handle(
            user,
            Request::Upload {
                file_name: name.into(),
                bytes: bytes.to_vec(),
            },
            NOW,
            rng,
        )
        .unwrap()
        .responses
}

#[test]
fn an_admin_previews_then_confirms_an_upload_once() {
    let dir = tempfile::tempdir().unwrap();
    let service = service(dir.path());
    let mut rng = StdRng::seed_from_u64(1);
    let before = service.content().bank.questions().len();

    let refused = upload(
        &service,
        EMPLOYEE,
        "campaign.toml",
        SET.as_bytes(),
        &mut rng,
    );
    assert_eq!(refused, vec![Response::NotAdmin]);
    assert!(
        service.imported_sets().unwrap().is_empty(),
        "nothing stored for a non-admin"
    );

    let preview = upload(&service, ADMIN, "campaign.toml", SET.as_bytes(), &mut rng);
    let [Response::ImportPreview { token, plan }] = preview.as_slice() else {
        panic!("{preview:?}")
    };
    assert_eq!((plan.sets[0].added, plan.sets[0].version), (1, 1));
    assert_eq!(
        service.content().bank.questions().len(),
        before,
        "a preview changes nothing"
    );

    // Someone else's tap on Confirm does nothing.
    assert_eq!(
        service
            .handle(EMPLOYEE, Request::ConfirmImport(*token), NOW, &mut rng,)
            .unwrap()
            .responses,
        vec![Response::NotAdmin]
    );
    let done = service
        .handle(ADMIN, Request::ConfirmImport(*token), NOW, &mut rng)
        .unwrap()
        .responses;
    assert!(
        matches!(done.as_slice(), [Response::Imported { .. }]),
        "{done:?}"
    );
    let again = service
        .handle(ADMIN, Request::ConfirmImport(*token), NOW, &mut rng)
        .unwrap()
        .responses;
    assert_eq!(
        again,
        vec![Response::ImportExpired],
        "a double tap imports once"
    );
    assert_eq!(service.content().bank.questions().len(), before + 1);
    assert!(service.content().bank.get("wsd-x1").is_some());

    // Imported sets survive a restart.
    drop(service);
    let service = self::service(dir.path());
    assert!(service.content().bank.get("wsd-x1").is_some());
}

#[test]
fn a_broken_upload_is_reported_with_lines_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let service = service(dir.path());
    let mut rng = StdRng::seed_from_u64(1);
    let broken = SET.replace("answer = \"对\"", "answer = \"也许\"");
    let reply = upload(
        &service,
        ADMIN,
        "campaign.toml",
        broken.as_bytes(),
        &mut rng,
    );
    let [Response::ImportProblems { problems, .. }] = reply.as_slice() else {
        panic!("{reply:?}")
    };
    assert!(
        problems[0].starts_with("campaign.toml:9: question wsd-x1: judge answer `也许`"),
        "{problems:?}"
    );
    let unknown = upload(&service, ADMIN, "photo.jpg", b"\xff\xd8", &mut rng);
    assert!(
        matches!(&unknown[0], Response::ImportProblems { problems, .. } if problems[0].contains("unknown file type")),
        "{unknown:?}"
    );
    assert!(service.imported_sets().unwrap().is_empty());
}

#[test]
fn cancel_discards_the_preview() {
    let dir = tempfile::tempdir().unwrap();
    let service = service(dir.path());
    let mut rng = StdRng::seed_from_u64(1);
    let preview = upload(&service, ADMIN, "campaign.toml", SET.as_bytes(), &mut rng);
    let [Response::ImportPreview { token, .. }] = preview.as_slice() else {
        panic!()
    };
    assert_eq!(
        service
            .handle(ADMIN, Request::CancelImport(*token), NOW, &mut rng,)
            .unwrap()
            .responses,
        vec![Response::ImportCancelled]
    );
    assert_eq!(
        service
            .handle(ADMIN, Request::ConfirmImport(*token), NOW, &mut rng,)
            .unwrap()
            .responses,
        vec![Response::ImportExpired]
    );
    assert!(service.content().bank.get("wsd-x1").is_none());
}

#[test]
fn plain_text_is_answered_or_logged_as_unanswered() {
    let dir = tempfile::tempdir().unwrap();
    let service = service(dir.path());
    let mut rng = StdRng::seed_from_u64(1);
    let reply = service
        .handle(
            EMPLOYEE,
            Request::Event(Event::Text("企业标准现在还用备案吗".into())),
            NOW,
            &mut rng,
        )
        .unwrap()
        .responses;
    let [Response::Answer { matches, .. }] = reply.as_slice() else {
        panic!("{reply:?}")
    };
    assert!(matches[0].answer.contains("自我声明公开"), "{matches:?}");
    let reply = service
        .handle(
            EMPLOYEE,
            Request::Ask("公司年假有几天".into()),
            NOW,
            &mut rng,
        )
        .unwrap()
        .responses;
    assert!(
        matches!(reply.as_slice(), [Response::Abstain { .. }]),
        "{reply:?}"
    );
    assert_eq!(service.unanswered().unwrap()[0].text, "公司年假有几天");
}

#[test]
fn a_wrong_answer_offers_the_closest_knowledge_entry() {
    let dir = tempfile::tempdir().unwrap();
    let service = service(dir.path());
    let mut rng = StdRng::seed_from_u64(3);
    let mut offered = 0;
    for _ in 0..5 {
        service
            .handle(
                EMPLOYEE,
                Request::Event(Event::Quiz {
                    topic: Some("codes".into()),
                    length: Some(5),
                }),
                NOW,
                &mut rng,
            )
            .unwrap();
        for _ in 0..5 {
            // "Z" is never a valid letter, so choice questions refuse it; answer fill/judge wrongly.
            for text in ["错", "不知道", "A"] {
                let replies = service
                    .handle(
                        EMPLOYEE,
                        Request::Event(Event::Text(text.into())),
                        NOW,
                        &mut rng,
                    )
                    .unwrap()
                    .responses;
                for r in &replies {
                    if let Response::Feedback { feedback, related } = r {
                        if feedback.correct == Some(false) && related.is_some() {
                            offered += 1;
                        }
                    }
                }
            }
        }
    }
    assert!(offered > 0, "some missed question offered a related entry");
}

#[test]
fn a_blocked_user_is_marked_inactive_and_comes_back_active() {
    let dir = tempfile::tempdir().unwrap();
    let service = service(dir.path());
    let mut rng = StdRng::seed_from_u64(1);
    service
        .handle(EMPLOYEE, Request::Event(Event::Start), NOW, &mut rng)
        .unwrap();
    let blocked = service
        .handle(EMPLOYEE, Request::Blocked, NOW, &mut rng)
        .unwrap();
    assert!(blocked.responses.is_empty(), "a block gets no reply");
    assert!(!active(&service));
    service
        .handle(EMPLOYEE, Request::Event(Event::Stats), NOW, &mut rng)
        .unwrap();
    assert!(active(&service));
}

#[test]
fn a_redelivered_update_is_applied_once() {
    let dir = tempfile::tempdir().unwrap();
    let service = service(dir.path());
    let mut rng = StdRng::seed_from_u64(1);
    service
        .handle(
            EMPLOYEE,
            Request::Event(Event::Quiz {
                topic: Some("wsd".into()),
                length: Some(3),
            }),
            NOW,
            &mut rng,
        )
        .unwrap();
    let answer = || Request::Event(Event::Text("A".into()));
    let first = service
        .handle_update(redelivered(answer()), NOW, &mut rng)
        .unwrap()
        .responses;
    let before = answered(&service);
    let again = service
        .handle_update(redelivered(answer()), NOW, &mut rng)
        .unwrap()
        .responses;
    assert!(!first.is_empty());
    assert!(again.is_empty(), "a re-delivered update gets no reply");
    assert_eq!(answered(&service), before, "and changes nothing");
}

/// A paste from an exam platform has no 出处: the preview says so, `/source` names the real
/// one, and learners see it after Confirm.
#[test]
fn a_paste_without_sources_gets_the_source_the_admin_names() {
    let dir = tempfile::tempdir().unwrap();
    let service = service(dir.path());
    let mut rng = StdRng::seed_from_u64(1);
    let paste = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/import/wenjuanxing-paste.txt"),
    )
    .unwrap();
    let preview = upload(&service, ADMIN, "测验.txt", &paste, &mut rng);
    let [Response::ImportPreview { plan, .. }] = preview.as_slice() else {
        panic!("{preview:?}")
    };
    assert!(plan.sets[0].unsourced > 0, "{:?}", plan.warnings);
    let named = service
        .handle(
            ADMIN,
            Request::SetSource("《标准化法》培训教材".into()),
            NOW,
            &mut rng,
        )
        .unwrap()
        .responses;
    let [Response::ImportPreview { token, .. }] = named.as_slice() else {
        panic!("{named:?}")
    };
    service
        .handle(ADMIN, Request::ConfirmImport(*token), NOW, &mut rng)
        .unwrap();
    let content = service.content();
    let imported: Vec<_> = content
        .bank
        .questions()
        .iter()
        .filter(|q| q.prompt.contains("我国标准种类"))
        .collect();
    assert!(!imported.is_empty());
    assert!(imported.iter().all(|q| q.source == "《标准化法》培训教材"));
    let again = service
        .handle(EMPLOYEE, Request::SetSource("随便".into()), NOW, &mut rng)
        .unwrap()
        .responses;
    assert_eq!(again, vec![Response::AdminOnly]);
}

#[test]
fn greetings_get_a_friendly_reply_and_are_not_logged() {
    let dir = tempfile::tempdir().unwrap();
    let service = service(dir.path());
    let mut rng = StdRng::seed_from_u64(1);
    for text in ["你好", "谢谢", "在吗", "hi", "thanks"] {
        let reply = service
            .handle(
                EMPLOYEE,
                Request::Event(Event::Text(text.into())),
                NOW,
                &mut rng,
            )
            .unwrap()
            .responses;
        assert!(
            matches!(reply.as_slice(), [Response::SmallTalk { .. }]),
            "{text}: {reply:?}"
        );
    }
    assert!(service.unanswered().unwrap().is_empty());
    let short = service
        .handle(EMPLOYEE, Request::Ask("ISO".into()), NOW, &mut rng)
        .unwrap()
        .responses;
    assert!(
        matches!(short.as_slice(), [Response::Answer { matches, .. }] if matches[0].answer.contains("国际标准化组织")),
        "{short:?}"
    );
}

/// However many topics imports bring, /topics and every "no answer" reply stay within
/// Telegram's limits: a page of topic buttons with Next and Previous.
#[test]
fn many_topics_are_paged() {
    use stdquiz::chat::action::Action;
    use stdquiz::chat::render::{self, Origin};
    let dir = tempfile::tempdir().unwrap();
    let service = service(dir.path());
    let mut rng = StdRng::seed_from_u64(1);
    for part in 0..2 {
        let mut csv = String::from("题型,题干,答案,解析,出处,知识点\n");
        for n in 0..70 {
            let topic = format!("导入主题{part}-{n:02}{}", "长".repeat(20));
            csv.push_str(&format!(
                "判断,第{part}-{n}题：标准日是10月14日。,对,见资料。,资料,{topic}\n"
            ));
        }
        let preview = upload(
            &service,
            ADMIN,
            &format!("topics{part}.csv"),
            csv.as_bytes(),
            &mut rng,
        );
        let [Response::ImportPreview { token, .. }] = preview.as_slice() else {
            panic!("{preview:?}")
        };
        service
            .handle(ADMIN, Request::ConfirmImport(*token), NOW, &mut rng)
            .unwrap();
    }
    let topics = service.content().bank.topics().len();
    assert!(topics > 140, "{topics} topics");
    for page in [0, 5, 1000] {
        let turn = service
            .handle(EMPLOYEE, Request::Topics { page }, NOW, &mut rng)
            .unwrap();
        let out = render::turn(&turn, &service.content(), Origin::Typed);
        let message = &out.messages[0];
        let buttons: Vec<_> = message.buttons.iter().flatten().collect();
        assert!(
            buttons.len() <= 14,
            "page {page}: {} buttons",
            buttons.len()
        );
        assert!(message.text.encode_utf16().count() <= 4096);
        let nav: Vec<_> = buttons
            .iter()
            .filter(|b| matches!(b.action, Action::TopicsPage(_)))
            .collect();
        assert!(!nav.is_empty(), "page {page} can move on");
        assert!(
            buttons.iter().all(|b| b.label.chars().count() <= 25),
            "labels are capped"
        );
    }
}
