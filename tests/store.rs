//! Store round trips and restarts in temporary directories.

use stdquiz::campaign::Attempt;
use stdquiz::engine::{AnswerLog, Mode, UserRecord};
use stdquiz::store::{Commit, Store, StoreError};

fn attempt(user_id: i64, number: u32) -> Attempt {
    Attempt {
        user_id,
        campaign: "wsd".into(),
        version: 1,
        number,
        questions: vec!["wsd-001".into()],
        answers: Vec::new(),
        started_at: 1,
        finished_at: Some(2),
    }
}

fn answer(user: i64, question: &str, correct: bool) -> AnswerLog {
    AnswerLog {
        user,
        question: question.into(),
        topic: "标准化法".into(),
        mode: Mode::Practice,
        correct,
        points: 10,
        scheme: 1,
        at: 1,
        session: 1,
    }
}

#[test]
fn users_and_answers_survive_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        let mut user = UserRecord::new(42, 1000);
        user.answered = 2;
        user.name = Some("小王".into());
        let answers = [answer(42, "law-001", true), answer(42, "law-002", false)];
        let unanswered = [("什么是标准".to_string(), "什么是标准？".to_string())];
        store
            .commit(&Commit {
                user: &user,
                answers: &answers,
                unanswered: &unanswered,
                attempts: &[attempt(42, 1), attempt(42, 2), attempt(7, 1)],
                certificates: &[],
                now: 1000,
            })
            .unwrap();
        store
            .commit(&Commit::user(&UserRecord::new(-7, 1000)))
            .unwrap();
    }
    let store = Store::open(dir.path()).unwrap();
    let user = store.load_user(42).unwrap().expect("saved");
    assert_eq!((user.answered, user.name.as_deref()), (2, Some("小王")));
    assert_eq!(
        store
            .answers()
            .unwrap()
            .iter()
            .map(|a| a.question.as_str())
            .collect::<Vec<_>>(),
        ["law-001", "law-002"]
    );
    assert_eq!(
        store
            .users()
            .unwrap()
            .iter()
            .map(|u| u.id)
            .collect::<Vec<_>>(),
        [-7, 42],
        "ids in order, negatives first"
    );
    assert!(store.load_user(43).unwrap().is_none());
    let numbers = |attempts: Vec<Attempt>| -> Vec<(i64, u32)> {
        attempts.iter().map(|a| (a.user_id, a.number)).collect()
    };
    assert_eq!(
        numbers(store.attempts_of("wsd", 42).unwrap()),
        [(42, 1), (42, 2)]
    );
    assert_eq!(
        numbers(store.attempts("wsd").unwrap()),
        [(7, 1), (42, 1), (42, 2)],
        "a campaign's attempts, by user then number"
    );
    assert!(
        store.attempts("ws").unwrap().is_empty(),
        "ids are not prefixes"
    );
    let logged = store.unanswered().unwrap();
    assert_eq!(
        (logged[0].text.as_str(), logged[0].count),
        ("什么是标准？", 1),
        "the unanswered question went in with the same commit"
    );
}

#[test]
fn a_second_open_of_the_same_directory_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let _first = Store::open(dir.path()).unwrap();
    let second = Store::open(dir.path());
    let Err(error) = second else {
        panic!("a second open must fail")
    };
    assert!(matches!(error, StoreError::Locked(_)), "{error:?}");
    assert!(
        error
            .to_string()
            .contains("in use by another stdquiz process"),
        "{error}"
    );
}

#[test]
fn unanswered_questions_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    store.record_unanswered("天气", "天气？", 1).unwrap();
    store.record_unanswered("天气", "天气", 2).unwrap();
    let rows = store.unanswered().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].count, rows[0].first_at, rows[0].last_at),
        (2, 1, 2)
    );
}

#[test]
fn a_confirm_token_is_taken_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let pending = stdquiz::store::PendingImport {
        token: 9,
        file_name: "a.csv".into(),
        sets: Vec::new(),
        faq: Vec::new(),
        created_at: 0,
        campaign: None,
        orgs: None,
    };
    store.put_pending(5, &pending).unwrap();
    assert!(store.take_pending(5, 8).unwrap().is_none(), "wrong token");
    assert!(store.take_pending(5, 9).unwrap().is_some());
    assert!(
        store.take_pending(5, 9).unwrap().is_none(),
        "a double tap imports once"
    );
}
