//! Campaign rules: the campaign TOML, enterprise lists and codes, drawing questions,
//! the window, and the report with figures computed by hand.

use std::collections::{BTreeMap, HashSet};

use rand::rngs::StdRng;
use rand::SeedableRng;
use stdquiz::bank::{AnswerKey, Kind, Problem, Question};
use stdquiz::campaign::attempt::difficulty_mix;
use stdquiz::campaign::orgs::{find_org, CODE_ALPHABET, CODE_LENGTH, MAX_ORG_ROWS};
use stdquiz::campaign::{
    availability, draw_questions, fold_code, join, mask_id, org_boards, parse, parse_orgs,
    parse_start_payload, people_board, shanghai_time, Attempt, AttemptAnswer, Availability,
    Campaign, Join, Org, OrgChange, Participant, Recorded, ReminderKind, Reminders, Report,
};

/// 2026-10-08 09:00 Asia/Shanghai.
const STARTS: i64 = 1_791_421_200;
/// 2026-10-14 23:59:59 Asia/Shanghai.
const ENDS: i64 = 1_791_993_599;
const DAY: i64 = 86_400;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/campaign/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The bank's topics as `Bank::topics` returns them.
fn topics() -> Vec<(String, Option<String>, usize)> {
    vec![
        ("世界标准日".into(), Some("World Standards Day".into()), 12),
        ("标准化法".into(), Some("Standardization Law".into()), 30),
        ("企业标准".into(), None, 4),
    ]
}

/// Problems as `line: message` (line 0 when there is none), for compact assertions.
fn lines(problems: &[Problem]) -> Vec<(usize, String)> {
    problems
        .iter()
        .map(|p| (p.line.unwrap_or(0), p.message.clone()))
        .collect()
}

fn check_problems(problems: &[Problem], expected: &[(usize, &str)]) {
    let got = lines(problems);
    assert_eq!(
        got.len(),
        expected.len(),
        "expected {expected:#?}\ngot {got:#?}"
    );
    for ((line, message), (want_line, want_part)) in got.iter().zip(expected) {
        assert_eq!(line, want_line, "{message}");
        assert!(
            message.contains(want_part),
            "line {line}: `{message}` lacks `{want_part}`"
        );
    }
}

fn campaign_text(body: &str) -> String {
    format!("[campaign]\nid = \"t\"\ntitle = \"测试\"\nstarts = \"2026-10-08 09:00\"\nends = \"2026-10-14 23:59\"\n{body}")
}

// ------------------------------------------------------------------ definition

#[test]
fn the_example_campaign_parses() {
    let text = String::from_utf8(fixture("wsd-2026.toml")).unwrap();
    let campaign = parse("wsd-2026.toml", &text, &topics()).expect("the fixture is valid");
    assert_eq!(
        campaign,
        Campaign {
            id: "wsd-2026".into(),
            version: 1,
            title: "2026年世界标准日知识竞答".into(),
            title_en: Some("World Standards Day 2026 quiz".into()),
            starts: STARTS,
            ends: ENDS,
            questions: 10,
            // An English topic name resolves to the bank's Chinese one.
            topics: vec!["世界标准日".into(), "标准化法".into()],
            attempts: 3,
            pass_mark: 80,
            reminders: Reminders {
                at_start: false,
                days_before_end: vec![1, 3],
            },
        }
    );
    assert_eq!(campaign.start_payload(), "c-wsd-2026");
    assert_eq!(parse_start_payload("c-wsd-2026"), Some("wsd-2026"));
    assert_eq!(parse_start_payload("c-WSD"), None);
    assert_eq!(parse_start_payload("wsd-2026"), None);
    assert_eq!(shanghai_time(campaign.starts), "2026-10-08 09:00");
    assert_eq!(shanghai_time(campaign.ends), "2026-10-14 23:59");
    assert_eq!(campaign.title_in(true), "World Standards Day 2026 quiz");
    assert_eq!(
        campaign.reminder_times(),
        vec![
            (ENDS - 3 * DAY, ReminderKind::DaysBeforeEnd(3)),
            (ENDS - DAY, ReminderKind::DaysBeforeEnd(1)),
        ]
    );
    // The campaign is stored as JSON and read back unchanged.
    let json = serde_json::to_string(&campaign).unwrap();
    assert_eq!(serde_json::from_str::<Campaign>(&json).unwrap(), campaign);
}

#[test]
fn defaults_apply_when_optional_keys_are_left_out() {
    let campaign = parse("t.toml", &campaign_text(""), &topics()).unwrap();
    assert_eq!(campaign.questions, 10);
    assert_eq!(campaign.attempts, 1);
    assert_eq!(campaign.pass_mark, 60);
    assert!(campaign.topics.is_empty(), "the whole bank");
    assert_eq!(campaign.title_en, None);
    assert_eq!(campaign.reminders, Reminders::default());
    assert_eq!(
        campaign.reminder_times(),
        vec![
            (STARTS, ReminderKind::Start),
            (ENDS - DAY, ReminderKind::DaysBeforeEnd(1)),
        ]
    );
}

#[test]
fn every_problem_is_reported_with_its_line() {
    let text = String::from_utf8(fixture("bad.toml")).unwrap();
    let problems = parse("bad.toml", &text, &topics()).unwrap_err();
    assert!(problems.iter().all(|p| p.file == "bad.toml"));
    check_problems(
        &problems,
        &[
            (
                2,
                "id `WSD 2026` must be 1 to 40 characters of a-z, 0-9 and -",
            ),
            (
                5,
                "ends (2026-10-08 23:59) must be after starts (2026-10-14 09:00)",
            ),
            (6, "`questions` = 80 is out of range 1 to 50"),
            (
                7,
                "unknown topic `计量`; known topics: 世界标准日, 标准化法, 企业标准",
            ),
            (8, "`attempts` = 0 is out of range 1 to 20"),
            (9, "`pass_mark` must be a whole number, not string"),
            (10, "unknown key `colour`"),
            (
                13,
                "`days_before_end` must be a list of whole numbers 1 to 30",
            ),
            (14, "unknown key `sound` in [campaign.reminders]"),
        ],
    );
    // Printed as the CLI prints them.
    assert_eq!(
        problems[6].to_string(),
        "bad.toml:10: unknown key `colour`; known keys: id, title, title_en, starts, ends, questions, topics, attempts, pass_mark, reminders"
    );
}

#[test]
fn missing_keys_are_reported_at_the_table_header() {
    let text = "# a comment\n\n[campaign]\nid = \"x\"\n";
    let problems = parse("t.toml", text, &topics()).unwrap_err();
    check_problems(
        &problems,
        &[
            (3, "missing key `title`"),
            (3, "missing key `starts`"),
            (3, "missing key `ends`"),
        ],
    );
    let problems = parse("t.toml", "title = \"x\"\n", &topics()).unwrap_err();
    check_problems(
        &problems,
        &[
            (1, "unknown top-level key `title`"),
            (1, "missing [campaign] table"),
        ],
    );
    let problems = parse("t.toml", "# nothing\n", &topics()).unwrap_err();
    check_problems(&problems, &[(1, "missing [campaign] table")]);
    let problems = parse("t.toml", &campaign_text("[other]\nx = 1\n"), &topics()).unwrap_err();
    check_problems(&problems, &[(6, "unknown top-level key `other`")]);
}

#[test]
fn a_toml_syntax_error_names_its_line() {
    let problems = parse("t.toml", &campaign_text("questions = = 3\n"), &topics()).unwrap_err();
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].line, Some(6), "{}", problems[0]);
}

#[test]
fn a_pool_smaller_than_an_attempt_is_refused() {
    let text = campaign_text("questions = 10\ntopics = [\"企业标准\"]\n");
    let problems = parse("t.toml", &text, &topics()).unwrap_err();
    check_problems(
        &problems,
        &[(
            6,
            "questions = 10 but the pool (topics 企业标准) holds only 4 questions",
        )],
    );
    // The default of 10 questions against a bank of 4 is reported at the header.
    let small = vec![("企业标准".to_string(), None, 4)];
    let problems = parse("t.toml", &campaign_text(""), &small).unwrap_err();
    check_problems(&problems, &[(1, "the pool (the whole bank) holds only 4")]);
    assert!(parse("t.toml", &campaign_text("questions = 4\n"), &small).is_ok());
}

#[test]
fn times_in_every_accepted_form_are_asia_shanghai() {
    let at = |starts: &str| {
        let text = format!("[campaign]\nid = \"t\"\ntitle = \"t\"\nstarts = {starts}\nends = \"2026-10-14 23:59\"\n");
        parse("t.toml", &text, &topics()).map(|c| c.starts)
    };
    assert_eq!(at("\"2026-10-08 09:00\""), Ok(STARTS));
    assert_eq!(at("\"2026-10-08 09:00:30\""), Ok(STARTS + 30));
    assert_eq!(at("\"2026/10/08 09:00\""), Ok(STARTS));
    assert_eq!(at("\"２０２６-１０-０８ ０９：００\""), Ok(STARTS));
    assert_eq!(at("2026-10-08T09:00:00"), Ok(STARTS), "a local datetime");
    assert_eq!(at("2026-10-08 09:00:00"), Ok(STARTS), "TOML allows a space");
    assert_eq!(at("2026-10-08T01:00:00Z"), Ok(STARTS));
    assert_eq!(at("2026-10-08T10:00:00+09:00"), Ok(STARTS));
    let problems = at("\"2026-10-08\"").unwrap_err();
    check_problems(&problems, &[(4, "add a time of day")]);
    let problems = at("2026-10-08").unwrap_err();
    check_problems(&problems, &[(4, "needs both a date and a time")]);
    let problems = at("\"next monday\"").unwrap_err();
    check_problems(&problems, &[(4, "is not a time \"YYYY-MM-DD HH:MM\"")]);
    let problems = at("20261008").unwrap_err();
    check_problems(&problems, &[(4, "must be a time such as")]);
}

#[test]
fn ids_must_fit_the_deep_link() {
    let with_id = |id: &str| {
        let text = format!("[campaign]\nid = \"{id}\"\ntitle = \"t\"\nstarts = \"2026-10-08 09:00\"\nends = \"2026-10-14 23:59\"\n");
        parse("t.toml", &text, &topics()).map(|c| c.start_payload())
    };
    let longest = "a".repeat(40);
    assert_eq!(with_id(&longest), Ok(format!("c-{longest}")));
    assert!(with_id(&"a".repeat(41)).is_err());
    assert!(with_id("").is_err());
    assert!(with_id("wsd_2026").is_err());
    assert!(with_id("标准日").is_err());
}

// ------------------------------------------------------------------ enterprises

fn seeded(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

fn assert_generated(code: &str) {
    assert_eq!(code.len(), CODE_LENGTH, "{code}");
    assert!(
        code.bytes().all(|b| CODE_ALPHABET.contains(&b)),
        "{code} uses a character outside the alphabet"
    );
    assert!(!code.contains(['0', 'O', '1', 'I']), "{code}");
}

#[test]
fn a_csv_with_a_bom_a_title_row_and_blank_rows_reads() {
    let import = parse_orgs(
        "单位.csv",
        &fixture("orgs-title-row.csv"),
        &[],
        &mut seeded(1),
    )
    .expect("the fixture is valid");
    let names: Vec<(&str, u32, Option<&str>)> = import
        .orgs
        .iter()
        .map(|o| (o.name.as_str(), o.headcount, o.street.as_deref()))
        .collect();
    assert_eq!(
        names,
        vec![
            ("上海某某标准技术有限公司", 120, Some("新华路街道")),
            ("上海某某检测有限公司", 1200, Some("虹桥街道")),
            ("长宁某某食品厂", 35, None),
        ]
    );
    assert_eq!(import.ignored_columns, vec!["联系人".to_string()]);
    assert_eq!(import.added(), 3);
    assert!(import.absent.is_empty());
    for org in &import.orgs {
        assert_generated(&org.code);
    }
    let codes: HashSet<&str> = import.orgs.iter().map(|o| o.code.as_str()).collect();
    assert_eq!(codes.len(), 3);
}

#[test]
fn a_gbk_csv_as_chinese_excel_saves_it_reads() {
    let text = "单位名称,职工人数,街道,邀请码\r\n上海某某标准技术有限公司,120,新华路街道,K7QX2P\r\n长宁某某食品厂,35,,\r\n";
    let (bytes, _, errors) = encoding_rs::GBK.encode(text);
    assert!(!errors);
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "really GBK, not UTF-8"
    );
    let import = parse_orgs("单位.csv", &bytes, &[], &mut seeded(2)).unwrap();
    assert_eq!(import.orgs[0].name, "上海某某标准技术有限公司");
    assert_eq!(import.orgs[0].code, "K7QX2P", "a written code is kept");
    assert_eq!(import.orgs[0].street.as_deref(), Some("新华路街道"));
    assert_eq!(import.orgs[1].name, "长宁某某食品厂");
    assert_generated(&import.orgs[1].code);

    // Excel's "Unicode text" is UTF-16 with a BOM and tabs.
    let tabbed = text.replace(',', "\t");
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(tabbed.encode_utf16().flat_map(u16::to_le_bytes));
    let import = parse_orgs("单位.txt", &utf16, &[], &mut seeded(2)).unwrap();
    assert_eq!(import.orgs[0].code, "K7QX2P");
    assert_eq!(import.orgs[0].street.as_deref(), Some("新华路街道"));
}

#[test]
fn an_xlsx_with_a_title_row_reads_and_names_excel_rows() {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("名单").unwrap();
    sheet
        .write_string(0, 0, "2026年世界标准日参与单位")
        .unwrap();
    for (c, header) in ["序号", "单位名称", "职工人数", "街道"].iter().enumerate() {
        sheet.write_string(2, c as u16, *header).unwrap();
    }
    sheet.write_number(3, 0, 1).unwrap();
    sheet
        .write_string(3, 1, "上海某某标准技术有限公司")
        .unwrap();
    sheet.write_number(3, 2, 120).unwrap();
    sheet.write_string(3, 3, "新华路街道").unwrap();
    sheet.write_number(4, 0, 2).unwrap();
    sheet.write_string(4, 1, "上海某某检测有限公司").unwrap();
    sheet.write_number(4, 2, 45).unwrap();
    let good = workbook.save_to_buffer().unwrap();
    let import = parse_orgs("单位.xlsx", &good, &[], &mut seeded(3)).unwrap();
    assert_eq!(import.orgs.len(), 2);
    assert_eq!(import.orgs[0].headcount, 120);
    assert_eq!(import.orgs[1].street, None);
    assert!(import.ignored_columns.is_empty(), "序号 is known");

    sheet_with_bad_row(&mut workbook);
    let bad = workbook.save_to_buffer().unwrap();
    let problems = parse_orgs("单位.xlsx", &bad, &[], &mut seeded(3)).unwrap_err();
    check_problems(&problems, &[(6, "职工人数 `12.5` is not a whole number")]);
    assert_eq!(problems[0].file, "单位.xlsx[名单]");
}

fn sheet_with_bad_row(workbook: &mut rust_xlsxwriter::Workbook) {
    let sheet = workbook.worksheet_from_index(0).unwrap();
    sheet.write_string(5, 1, "长宁某某食品厂").unwrap();
    sheet.write_number(5, 2, 12.5).unwrap();
}

#[test]
fn bad_rows_are_all_reported_with_their_row_numbers() {
    let problems =
        parse_orgs("bad.csv", &fixture("orgs-bad.csv"), &[], &mut seeded(4)).unwrap_err();
    check_problems(
        &problems,
        &[
            (3, "单位名称 is blank"),
            (4, "职工人数 `abc` is not a whole number"),
            (5, "职工人数 0 is out of range 1 to 1000000"),
            (6, "职工人数 `-5` is not a whole number"),
            (7, "邀请码 `AB` must be 4 to 16 letters and digits"),
            (8, "is listed twice (row 7)"),
            // A blank line is a row too, as Excel numbers them.
            (11, "邀请码 `QQQQ22` is used twice (row 10)"),
        ],
    );
}

#[test]
fn a_table_without_a_header_or_rows_is_refused() {
    let problems =
        parse_orgs("x.csv", "名字,多少\n甲,1\n".as_bytes(), &[], &mut seeded(5)).unwrap_err();
    check_problems(&problems, &[(0, "no header row found")]);
    let problems = parse_orgs(
        "x.csv",
        "单位名称,职工人数\n\n".as_bytes(),
        &[],
        &mut seeded(5),
    )
    .unwrap_err();
    check_problems(&problems, &[(0, "no enterprise rows")]);
    let problems = parse_orgs("x.csv", b"  \n", &[], &mut seeded(5)).unwrap_err();
    check_problems(&problems, &[(0, "empty file")]);
    let problems = parse_orgs(
        "x.xlsx",
        b"PK\x03\x04 not really a zip",
        &[],
        &mut seeded(5),
    )
    .unwrap_err();
    check_problems(&problems, &[(0, "cannot read the workbook")]);
}

#[test]
fn a_list_longer_than_the_bound_is_refused() {
    let mut text = String::from("单位名称,职工人数\n");
    for i in 0..=MAX_ORG_ROWS {
        text.push_str(&format!("单位{i},10\n"));
    }
    let problems = parse_orgs("big.csv", text.as_bytes(), &[], &mut seeded(6)).unwrap_err();
    check_problems(&problems, &[(0, "20001 enterprise rows: at most 20000")]);
}

fn stored() -> Vec<Org> {
    let org = |code: &str, name: &str, headcount: u32| Org {
        code: code.into(),
        name: name.into(),
        headcount,
        street: None,
    };
    vec![
        org("K7QX2P", "上海某某标准技术有限公司", 120),
        org("M3RT9W", "上海某某检测有限公司", 45),
        org("ACME01", "长宁某某食品厂", 35),
    ]
}

#[test]
fn re_importing_keeps_codes_by_name_and_keeps_absent_enterprises() {
    let existing = stored();
    let text =
        "单位名称,职工人数\n上海某某检测有限公司,50\n上海某某标准技术有限公司,120\n新单位,8\n";
    for seed in 0..20 {
        let import = parse_orgs("单位.csv", text.as_bytes(), &existing, &mut seeded(seed)).unwrap();
        assert_eq!(import.orgs[0].code, "M3RT9W");
        assert_eq!(
            import.changes[0],
            OrgChange::Changed {
                before: existing[1].clone()
            }
        );
        assert_eq!(import.orgs[1].code, "K7QX2P");
        assert_eq!(import.changes[1], OrgChange::Unchanged);
        assert_eq!(import.changes[2], OrgChange::Added);
        assert_generated(&import.orgs[2].code);
        assert!(!["K7QX2P", "M3RT9W", "ACME01"].contains(&import.orgs[2].code.as_str()));
        assert_eq!(import.absent, vec![existing[2].clone()]);
        assert_eq!(
            (import.added(), import.changed(), import.unchanged()),
            (1, 1, 1)
        );
        let merged = import.merged();
        assert_eq!(merged.len(), 4);
        assert_eq!(merged[3].code, "ACME01");
    }
}

#[test]
fn a_written_code_renames_and_a_new_code_for_a_listed_name_is_refused() {
    let existing = stored();
    let rename = "单位名称,职工人数,邀请码\n长宁某某食品有限公司,35,acme01\n";
    let import = parse_orgs("单位.csv", rename.as_bytes(), &existing, &mut seeded(7)).unwrap();
    assert_eq!(import.orgs[0].code, "ACME01");
    assert!(
        matches!(&import.changes[0], OrgChange::Changed { before } if before.name == "长宁某某食品厂")
    );
    assert_eq!(import.absent.len(), 2);

    let recode = "单位名称,职工人数,邀请码\n长宁某某食品厂,35,ZZZZ99\n";
    let problems =
        parse_orgs("单位.csv", recode.as_bytes(), &existing, &mut seeded(7)).unwrap_err();
    check_problems(
        &problems,
        &[(2, "`长宁某某食品厂` already has 邀请码 ACME01")],
    );

    // A rename may not take the name of another listed enterprise.
    let clash = "单位名称,职工人数,邀请码\n上海某某检测有限公司,35,ACME01\n";
    let problems = parse_orgs("单位.csv", clash.as_bytes(), &existing, &mut seeded(7)).unwrap_err();
    check_problems(&problems, &[(2, "listed enterprise with 邀请码 M3RT9W")]);
}

#[test]
fn generated_codes_are_unique_in_a_large_list() {
    let mut text = String::from("单位名称,职工人数\n");
    for i in 0..5_000 {
        text.push_str(&format!("单位{i},10\n"));
    }
    let import = parse_orgs("big.csv", text.as_bytes(), &stored(), &mut seeded(8)).unwrap();
    let mut folded: HashSet<String> = stored().iter().map(|o| fold_code(&o.code)).collect();
    for org in &import.orgs {
        assert_generated(&org.code);
        assert!(folded.insert(fold_code(&org.code)), "{} twice", org.code);
    }
    assert_eq!(folded.len(), 5_003);
}

#[test]
fn typed_codes_fold_case_width_and_look_alike_characters() {
    let orgs = stored();
    assert_eq!(
        find_org(&orgs, "k7qx2p").map(|o| o.code.as_str()),
        Some("K7QX2P")
    );
    assert_eq!(
        find_org(&orgs, " Ｋ７ＱＸ２Ｐ ").map(|o| o.code.as_str()),
        Some("K7QX2P")
    );
    assert_eq!(
        find_org(&orgs, "acmeoi").map(|o| o.code.as_str()),
        Some("ACME01")
    );
    assert_eq!(
        find_org(&orgs, "ACME-01").map(|o| o.code.as_str()),
        Some("ACME01")
    );
    assert_eq!(find_org(&orgs, "K7QX2"), None);
    assert_eq!(find_org(&orgs, ""), None);
    assert_eq!(fold_code("io-OI 10"), "100110");
}

#[test]
fn joining_asks_before_moving_to_another_enterprise() {
    let orgs = stored();
    assert_eq!(join(&orgs, None, "nope"), Join::Unknown);
    assert_eq!(join(&orgs, None, "k7qx2p"), Join::Joined(&orgs[0]));
    assert_eq!(
        join(&orgs, Some("K7QX2P"), "k7qx2p"),
        Join::Already(&orgs[0])
    );
    assert_eq!(
        join(&orgs, Some("K7QX2P"), "m3rt9w"),
        Join::Move {
            from: &orgs[0],
            to: &orgs[1]
        }
    );
    // An enterprise no longer listed is left without asking.
    assert_eq!(
        join(&orgs, Some("GONE22"), "m3rt9w"),
        Join::Joined(&orgs[1])
    );
}

// ------------------------------------------------------------------ attempts

fn question(id: &str, topic: &str, difficulty: u8) -> Question {
    Question {
        id: id.into(),
        set: "t".into(),
        topic: topic.into(),
        topic_en: None,
        difficulty,
        kind: Kind::Judge,
        prompt: format!("{id}?"),
        prompt_en: None,
        options: Vec::new(),
        options_en: None,
        key: AnswerKey::Judge(true),
        explanation: "。".into(),
        explanation_en: None,
        source: "《标准化法》".into(),
        tags: Vec::new(),
    }
}

/// 10 easy, 6 medium and 4 hard questions, plus 5 of another topic.
fn bank_questions() -> Vec<Question> {
    let mut questions = Vec::new();
    for (difficulty, n) in [(1, 10), (2, 6), (3, 4)] {
        for i in 0..n {
            questions.push(question(
                &format!("d{difficulty}-{i:02}"),
                "世界标准日",
                difficulty,
            ));
        }
    }
    for i in 0..5 {
        questions.push(question(&format!("law-{i}"), "标准化法", 3));
    }
    questions
}

fn test_campaign() -> Campaign {
    let text =
        campaign_text("questions = 10\ntopics = [\"世界标准日\"]\nattempts = 3\npass_mark = 80\n");
    parse("t.toml", &text, &topics()).unwrap()
}

#[test]
fn everyone_draws_the_same_difficulty_mix_in_their_own_order() {
    let questions = bank_questions();
    let campaign = test_campaign();
    let pool = campaign.pool(&questions);
    assert_eq!(pool.len(), 20, "only the campaign's topic");
    assert_eq!(
        difficulty_mix(&pool, 10),
        BTreeMap::from([(1, 5), (2, 3), (3, 2)])
    );
    let mut draws = HashSet::new();
    for seed in 0..50 {
        let drawn = draw_questions(&pool, 10, &mut seeded(seed));
        assert_eq!(drawn.len(), 10);
        assert_eq!(drawn.iter().collect::<HashSet<_>>().len(), 10, "no repeats");
        let mut mix = BTreeMap::new();
        for id in &drawn {
            let q = pool.iter().find(|q| &q.id == id).expect("from the pool");
            *mix.entry(q.difficulty).or_insert(0) += 1;
        }
        assert_eq!(mix, BTreeMap::from([(1, 5), (2, 3), (3, 2)]), "seed {seed}");
        draws.insert(drawn);
    }
    assert!(draws.len() > 45, "draws differ per person: {}", draws.len());
    // The draw depends on the seed, not on the order the pool came in.
    let mut reversed = pool.clone();
    reversed.reverse();
    assert_eq!(
        draw_questions(&pool, 10, &mut seeded(9)),
        draw_questions(&reversed, 10, &mut seeded(9))
    );
}

#[test]
fn the_mix_uses_largest_remainders() {
    // 3 easy, 3 medium, 1 hard, 5 questions: 15/7, 15/7, 5/7 -> 2, 2, 1.
    let questions: Vec<Question> = [1, 1, 1, 2, 2, 2, 3]
        .iter()
        .enumerate()
        .map(|(i, &d)| question(&format!("q{i}"), "t", d))
        .collect();
    let pool: Vec<&Question> = questions.iter().collect();
    assert_eq!(
        difficulty_mix(&pool, 5),
        BTreeMap::from([(1, 2), (2, 2), (3, 1)])
    );
    // Equal remainders go to the lower difficulty: 2 of 4 and 2 of 4, 1 question.
    assert_eq!(
        difficulty_mix(&pool[1..5], 1),
        BTreeMap::from([(1, 1), (2, 0)])
    );
    assert_eq!(
        difficulty_mix(&pool, 7),
        BTreeMap::from([(1, 3), (2, 3), (3, 1)])
    );
    assert_eq!(
        draw_questions(&pool, 20, &mut seeded(1)).len(),
        7,
        "at most the pool"
    );
    assert!(draw_questions(&[], 5, &mut seeded(1)).is_empty());
}

#[test]
fn the_window_and_the_attempt_limit() {
    let campaign = test_campaign();
    assert_eq!(
        availability(&campaign, STARTS - 1, 0),
        Availability::NotYet { opens: STARTS }
    );
    assert_eq!(
        availability(&campaign, STARTS, 0),
        Availability::Open { left: 3 }
    );
    assert_eq!(
        availability(&campaign, ENDS, 2),
        Availability::Open { left: 1 }
    );
    assert_eq!(
        availability(&campaign, ENDS, 3),
        Availability::NoAttemptsLeft
    );
    assert_eq!(
        availability(&campaign, ENDS, 7),
        Availability::NoAttemptsLeft
    );
    assert_eq!(availability(&campaign, ENDS + 1, 0), Availability::Closed);
    assert_eq!(availability(&campaign, ENDS + 1, 3), Availability::Closed);
}

#[test]
fn an_attempt_goes_question_by_question_and_ignores_stale_answers() {
    let questions = bank_questions();
    let campaign = test_campaign();
    let pool = campaign.pool(&questions);
    let mut attempt =
        Attempt::start(&campaign, 42, 1, &pool, STARTS + 100, &mut seeded(3)).expect("a pool");
    assert_eq!(attempt.questions.len(), 10);
    assert_eq!((attempt.version, attempt.number), (1, 1));
    let first = attempt.current().unwrap().to_string();
    let second = attempt.questions[1].clone();
    assert_eq!(
        attempt.record(&second, true, vec![], STARTS + 110),
        Recorded::Stale
    );
    assert_eq!(
        attempt.record(&first, true, vec![0], STARTS + 110),
        Recorded::Next(second.clone())
    );
    assert_eq!(
        attempt.record(&first, true, vec![0], STARTS + 111),
        Recorded::Stale,
        "a second tap"
    );
    for (i, id) in attempt.questions.clone().iter().enumerate().skip(1) {
        let outcome = attempt.record(id, i < 7, vec![], STARTS + 100 + 10 * i as i64 + 10);
        let expected = match attempt.questions.get(i + 1) {
            Some(next) => Recorded::Next(next.clone()),
            None => Recorded::Finished,
        };
        assert_eq!(outcome, expected);
    }
    assert!(attempt.is_finished());
    assert_eq!(attempt.current(), None);
    assert_eq!(attempt.correct(), 7);
    assert_eq!(attempt.score_percent(), 70);
    assert!(!attempt.passed(80));
    assert!(attempt.passed(70));
    assert_eq!(attempt.seconds(), Some(100));
    assert_eq!(
        attempt.record(&first, true, vec![], STARTS + 500),
        Recorded::Stale
    );

    // A stored attempt reads back and resumes where it was.
    let mut resumed = Attempt::start(&campaign, 42, 2, &pool, STARTS, &mut seeded(4)).unwrap();
    assert_eq!(
        Attempt::start(&campaign, 42, 2, &[], STARTS, &mut seeded(4)),
        None,
        "nothing to draw from"
    );
    let id = resumed.current().unwrap().to_string();
    resumed.record(&id, true, vec![], STARTS + 5);
    let json = serde_json::to_string(&resumed).unwrap();
    let back: Attempt = serde_json::from_str(&json).unwrap();
    assert_eq!(back, resumed);
    assert_eq!(back.current(), Some(resumed.questions[1].as_str()));
}

#[test]
fn scores_round_down_so_passing_is_exact() {
    let mut attempt = attempt_with(1, 7, 5, 5, Some(60));
    assert_eq!(attempt.score_percent(), 71, "5/7 = 71.4%");
    assert!(attempt.passed(71));
    assert!(!attempt.passed(72));
    attempt.questions.truncate(5);
    assert_eq!(attempt.score_percent(), 100);
    let mut stopped = attempt_with(1, 10, 3, 3, None);
    assert!(!stopped.passed(10), "unfinished attempts never pass");
    stopped.finish(STARTS + 30);
    assert_eq!(
        stopped.score_percent(),
        30,
        "unanswered questions count as wrong"
    );
    assert_eq!(stopped.current(), None);
}

// ------------------------------------------------------------------ report

/// An attempt with `total` questions q01.., `answered` of them answered, the first
/// `correct` correctly; finished after `seconds` when given.
fn attempt_with(
    user_id: i64,
    total: usize,
    answered: usize,
    correct: usize,
    seconds: Option<i64>,
) -> Attempt {
    let questions: Vec<String> = (1..=total).map(|i| format!("q{i:02}")).collect();
    let started_at = STARTS + user_id * 1_000;
    Attempt {
        user_id,
        campaign: "t".into(),
        version: 1,
        number: 1,
        answers: questions[..answered]
            .iter()
            .enumerate()
            .map(|(i, q)| AttemptAnswer {
                question: q.clone(),
                correct: i < correct,
                chosen: vec![],
            })
            .collect(),
        questions,
        started_at,
        finished_at: seconds.map(|s| started_at + s),
    }
}

fn report_orgs() -> Vec<Org> {
    let org = |code: &str, name: &str, headcount: u32| Org {
        code: code.into(),
        name: name.into(),
        headcount,
        street: None,
    };
    vec![
        org("AAAA22", "甲公司", 4),
        org("BBBB33", "乙公司", 10),
        org("CCCC44", "丙公司", 5),
    ]
}

/// The made-up campaign (10 questions, pass mark 80):
///
/// | user | org | attempts (correct/answered, seconds) | best | passed | rank |
/// | 1 张三 | 甲 | 6/10 300 s; 9/10 200 s | 90, 200 s | yes | 1 |
/// | 2 李四 | 甲 | 7/10 150 s | 70 | no | 5 |
/// | 3 (no name) | 乙 | 8/10 400 s; v2 4/4 unfinished | 80, 400 s | yes | 3 |
/// | 4 王五 | none | 8/10 400 s | 80, 400 s | yes | 3 (tie) |
/// | 5 赵六 | 乙 | 2/3 unfinished | none | no | none |
/// | 6 孙七 | unknown code | 5/10 100 s | 50 | no | 6 |
/// | 7 周八 | 乙 | 9/10 300 s | 90, 300 s | yes | 2 |
///
/// 甲: 2 of 4 took part (0.5), average (90 + 70) / 2 = 80, 1 of 2 passed (0.5).
/// 乙: 2 of 10 (0.2), average (80 + 90) / 2 = 85, 2 of 2 passed (1.0).
/// 丙: 0 of 5. Totals: 6 participants; 4 of them in listed enterprises of 19 people
/// (0.2105); 4 of 6 passed (0.6667).
fn report() -> Report {
    let person = |user_id: i64, name: Option<&str>, org: Option<&str>| Participant {
        user_id,
        name: name.map(str::to_string),
        org: org.map(str::to_string),
    };
    let participants = vec![
        person(1, Some("张三"), Some("AAAA22")),
        person(2, Some("李四"), Some("AAAA22")),
        person(3, None, Some("BBBB33")),
        person(4, Some("王五"), None),
        person(5, Some("赵六"), Some("BBBB33")),
        person(6, Some("孙七"), Some("ZZZZ99")),
        person(7, Some("周八"), Some("BBBB33")),
        person(8, Some("没来"), Some("CCCC44")),
    ];
    let mut second = attempt_with(1, 10, 10, 9, Some(200));
    second.number = 2;
    second.started_at += 5_000;
    second.finished_at = Some(second.started_at + 200);
    let mut unfinished_v2 = attempt_with(3, 10, 4, 4, None);
    unfinished_v2.version = 2;
    unfinished_v2.number = 2;
    unfinished_v2.started_at += 3 * DAY;
    let mut elsewhere = attempt_with(1, 10, 10, 10, Some(10));
    elsewhere.campaign = "other".into();
    let attempts = vec![
        attempt_with(1, 10, 10, 6, Some(300)),
        second,
        attempt_with(2, 10, 10, 7, Some(150)),
        attempt_with(3, 10, 10, 8, Some(400)),
        unfinished_v2,
        attempt_with(4, 10, 10, 8, Some(400)),
        attempt_with(5, 10, 3, 2, None),
        attempt_with(6, 10, 10, 5, Some(100)),
        attempt_with(7, 10, 10, 9, Some(300)),
        elsewhere,
    ];
    let mut campaign = test_campaign();
    campaign.version = 2;
    Report::compute(&campaign, &report_orgs(), &participants, &attempts)
}

#[test]
fn report_figures_match_the_hand_computed_ones() {
    let report = report();
    assert_eq!(report.campaign, "t");
    assert_eq!(report.version, 2);
    assert_eq!(report.participants, 6);
    assert_eq!(report.headcount, 19);
    assert_eq!(report.participation_rate, Some(0.2105));
    assert_eq!(report.pass_rate, Some(0.6667));

    type Row<'a> = (
        i64,
        &'a str,
        Option<&'a str>,
        u32,
        Option<u32>,
        bool,
        Option<usize>,
        Option<i64>,
    );
    let users: Vec<Row> = report
        .users
        .iter()
        .map(|u| {
            (
                u.user_id,
                u.name.as_str(),
                u.org.as_deref(),
                u.attempts,
                u.best_score,
                u.passed,
                u.rank,
                u.seconds,
            )
        })
        .collect();
    assert_eq!(
        users,
        vec![
            (
                1,
                "张三",
                Some("AAAA22"),
                2,
                Some(90),
                true,
                Some(1),
                Some(200)
            ),
            (
                7,
                "周八",
                Some("BBBB33"),
                1,
                Some(90),
                true,
                Some(2),
                Some(300)
            ),
            (
                3,
                "用户****0003",
                Some("BBBB33"),
                2,
                Some(80),
                true,
                Some(3),
                Some(400)
            ),
            (4, "王五", None, 1, Some(80), true, Some(3), Some(400)),
            (
                2,
                "李四",
                Some("AAAA22"),
                1,
                Some(70),
                false,
                Some(5),
                Some(150)
            ),
            (6, "孙七", None, 1, Some(50), false, Some(6), Some(100)),
            (5, "赵六", Some("BBBB33"), 1, None, false, None, None),
        ]
    );
    let first = &report.users[0];
    assert_eq!(first.first_attempt_at, STARTS + 1_000);
    assert_eq!(first.last_attempt_at, STARTS + 6_000);

    type OrgFigures<'a> = (&'a str, usize, f64, Option<f64>, Option<f64>);
    let orgs: Vec<OrgFigures> = report
        .orgs
        .iter()
        .map(|o| {
            (
                o.code.as_str(),
                o.participants,
                o.participation_rate,
                o.average_best_score,
                o.pass_rate,
            )
        })
        .collect();
    assert_eq!(
        orgs,
        vec![
            ("AAAA22", 2, 0.5, Some(80.0), Some(0.5)),
            ("BBBB33", 2, 0.2, Some(85.0), Some(1.0)),
            ("CCCC44", 0, 0.0, None, None),
        ]
    );

    let questions: Vec<(&str, usize, usize)> = report
        .questions
        .iter()
        .map(|q| (q.id.as_str(), q.answered, q.correct))
        .collect();
    assert_eq!(questions.len(), 10);
    // 9 attempts of this campaign answered q01-q03; 7 (the finished ones) reached q05.
    assert_eq!(questions[0], ("q01", 9, 9));
    assert_eq!(questions[2], ("q03", 9, 8));
    assert_eq!(questions[4], ("q05", 7, 7));
    assert_eq!(questions[6], ("q07", 7, 5));
    assert_eq!(questions[9], ("q10", 7, 0));
}

#[test]
fn the_report_json_has_the_documented_shape() {
    let json = serde_json::to_value(report()).unwrap();
    assert_eq!(json["campaign"], "t");
    assert_eq!(json["participation_rate"], 0.2105);
    let user = &json["users"][0];
    assert_eq!(
        user,
        &serde_json::json!({
            "user_id": 1, "name": "张三", "org": "AAAA22", "attempts": 2, "best_score": 90,
            "passed": true, "rank": 1, "seconds": 200,
            "first_attempt_at": STARTS + 1_000, "last_attempt_at": STARTS + 6_000,
        })
    );
    assert_eq!(json["users"][3]["org"], serde_json::Value::Null);
    assert_eq!(json["users"][6]["best_score"], serde_json::Value::Null);
    assert_eq!(
        json["orgs"][1],
        serde_json::json!({
            "code": "BBBB33", "name": "乙公司", "headcount": 10, "participants": 2,
            "participation_rate": 0.2, "average_best_score": 85.0, "pass_rate": 1.0,
        })
    );
    assert_eq!(
        json["questions"][0],
        serde_json::json!({"id": "q01", "answered": 9, "correct": 9})
    );
}

#[test]
fn boards_rank_people_and_enterprises_with_shared_ranks() {
    let report = report();
    let people = people_board(&report, 4);
    let rows: Vec<(usize, &str, u32, i64, bool)> = people
        .rows
        .iter()
        .map(|r| (r.rank, r.name.as_str(), r.score, r.seconds, r.me))
        .collect();
    assert_eq!(
        rows,
        vec![
            (1, "张三", 90, 200, false),
            (2, "周八", 90, 300, false),
            (3, "用户****0003", 80, 400, false),
            (3, "王五", 80, 400, true),
            (5, "李四", 70, 150, false),
            (6, "孙七", 50, 100, false),
        ]
    );
    assert_eq!((people.total, people.mine.clone()), (6, None));

    let boards = org_boards(&report, Some("BBBB33"));
    let by_rate: Vec<(usize, &str, f64, bool)> = boards
        .by_participation
        .rows
        .iter()
        .map(|r| (r.rank, r.code.as_str(), r.value, r.me))
        .collect();
    assert_eq!(
        by_rate,
        vec![
            (1, "AAAA22", 0.5, false),
            (2, "BBBB33", 0.2, true),
            (3, "CCCC44", 0.0, false)
        ]
    );
    let by_score: Vec<(usize, &str, f64)> = boards
        .by_score
        .rows
        .iter()
        .map(|r| (r.rank, r.code.as_str(), r.value))
        .collect();
    assert_eq!(by_score, vec![(1, "BBBB33", 85.0), (2, "AAAA22", 80.0)]);
}

#[test]
fn a_viewer_outside_the_top_ten_gets_their_own_row_and_equal_rates_tie() {
    let campaign = test_campaign();
    // Twelve people; person i answers 12 - i of 10... capped: scores 100, 90, ... down.
    let attempts: Vec<Attempt> = (1..=12)
        .map(|i| attempt_with(i, 10, 10, (12 - i as usize).min(10), Some(60)))
        .collect();
    // Two enterprises with 1 of 2 and 2 of 4 taking part: equal rates share rank 1.
    let orgs = vec![
        Org {
            code: "SMAL22".into(),
            name: "小".into(),
            headcount: 2,
            street: None,
        },
        Org {
            code: "BIGG33".into(),
            name: "大".into(),
            headcount: 4,
            street: None,
        },
    ];
    let participants: Vec<Participant> = (1..=12)
        .map(|i| Participant {
            user_id: i,
            name: None,
            org: match i {
                1 => Some("SMAL22".into()),
                2 | 3 => Some("BIGG33".into()),
                _ => None,
            },
        })
        .collect();
    let report = Report::compute(&campaign, &orgs, &participants, &attempts);
    let board = people_board(&report, 12);
    assert_eq!(board.rows.len(), 10);
    assert_eq!(board.total, 12);
    // Persons 1 and 2 both score 100 (12 - 1 and 12 - 2 capped at 10): a shared first place.
    assert_eq!(
        (board.rows[0].rank, board.rows[1].rank, board.rows[2].rank),
        (1, 1, 3)
    );
    let mine = board.mine.expect("the viewer's row");
    assert_eq!(
        (mine.rank, mine.name.as_str(), mine.score, mine.me),
        (12, "用户****0012", 0, true)
    );
    assert!(people_board(&report, 3).mine.is_none(), "already shown");

    let boards = org_boards(&report, None);
    let ranks: Vec<(usize, &str)> = boards
        .by_participation
        .rows
        .iter()
        .map(|r| (r.rank, r.code.as_str()))
        .collect();
    // Equal rates: the one with more participants is listed first, both rank 1.
    assert_eq!(ranks, vec![(1, "BIGG33"), (1, "SMAL22")]);
    assert_eq!(mask_id(-987_654_321), "用户****4321");
    assert_eq!(mask_id(7), "用户****0007");
}
