//! Results from plain inputs: item analysis on a hand-computed set, verification codes,
//! the auditable draw (with a vector recomputed independently in Python), workbooks.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{Cursor, Read};

use calamine::{Data, Reader, Xlsx};
use chrono::NaiveDate;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use stdquiz::results::certificate::{self, VerificationCode, ALPHABET};
use stdquiz::results::draw::{self, DrawError, Entrant, Winner};
use stdquiz::results::item_analysis::{analyse, Flag, Item, ItemStats, Response};
use stdquiz::results::workbook::{
    csv_safe, write_workbook, Cell, ChartKind, ChartSpec, Sheet, WorkbookError,
};

// ---------------------------------------------------------------- item analysis

fn response(person: i64, question: &str, chosen: &[usize], correct: bool) -> Response {
    Response {
        person,
        question: question.to_string(),
        chosen: chosen.to_vec(),
        correct,
    }
}

fn item(key: &[usize], option_count: usize) -> Item {
    Item {
        key: key.to_vec(),
        option_count,
    }
}

fn check_stats(stats: &ItemStats, answered: usize, correct: usize, accuracy: Option<f64>) {
    assert_eq!(stats.answered, answered, "{}", stats.question);
    assert_eq!(stats.correct, correct, "{}", stats.question);
    match (stats.accuracy, accuracy) {
        (Some(got), Some(want)) => assert!((got - want).abs() < 1e-12, "{}", stats.question),
        (got, want) => assert_eq!(got, want, "{}", stats.question),
    }
}

fn assert_close(got: Option<f64>, want: f64) {
    let got = got.expect("a discrimination index");
    assert!((got - want).abs() < 1e-12, "got {got}, want {want}");
}

/// Ten ranked people; totals 10, 9, 8, 8, 6, 5, 4, 3, 3, 3. Groups of round(0.27 × 10)
/// = 3: the upper group is 1, 2 and half each of 3 and 4 (tied at 8); the lower group
/// is 8, 9, 10. Person 11 has no total.
fn totals() -> HashMap<i64, f64> {
    [10.0, 9.0, 8.0, 8.0, 6.0, 5.0, 4.0, 3.0, 3.0, 3.0]
        .into_iter()
        .enumerate()
        .map(|(index, total)| (index as i64 + 1, total))
        .collect()
}

#[test]
fn item_analysis_matches_the_hand_computed_figures() {
    let mut responses = Vec::new();
    // q1, key A: right for 1, 2, 3, 5, 6, 8; 4, 7 and 10 pick B, 9 picks C.
    for person in 1..=10 {
        let chosen = match person {
            4 | 7 | 10 => 1,
            9 => 2,
            _ => 0,
        };
        responses.push(response(person, "q1", &[chosen], chosen == 0));
    }
    // q2, key C: right only for 9 and 10; 4 picks D, the rest B.
    for person in 1..=10 {
        let chosen = match person {
            9 | 10 => 2,
            4 => 3,
            _ => 1,
        };
        responses.push(response(person, "q2", &[chosen], chosen == 2));
    }
    // q3, fill in the blank: right for 1, 3 and 11 (no total); 1 answers again, ignored.
    for (person, correct) in [(1, true), (3, true), (5, false), (7, false), (9, false)] {
        responses.push(response(person, "q3", &[], correct));
    }
    responses.push(response(11, "q3", &[], true));
    responses.push(response(1, "q3", &[], false));
    // q4, key A and C: only person 1 right.
    responses.push(response(1, "q4", &[0, 2], true));
    responses.push(response(2, "q4", &[0, 1], false));
    responses.push(response(3, "q4", &[1, 0], false));
    responses.push(response(4, "q4", &[1, 2, 2], false));
    // A question that is not analysed.
    responses.push(response(1, "retired", &[0], true));

    let items: BTreeMap<String, Item> = [
        ("q1", item(&[0], 4)),
        ("q2", item(&[2], 4)),
        ("q3", item(&[], 0)),
        ("q4", item(&[0, 2], 4)),
        ("q5", item(&[1], 3)),
    ]
    .into_iter()
    .map(|(id, item)| (id.to_string(), item))
    .collect();

    let stats = analyse(&responses, &totals(), &items);
    let ids: Vec<&str> = stats.iter().map(|s| s.question.as_str()).collect();
    assert_eq!(ids, ["q1", "q2", "q3", "q4", "q5"]);

    // q1: p_upper = (1 + 1 + ½·(1 + 0)) / 3 = 5/6, p_lower = (1 + 0 + 0) / 3 = 1/3.
    check_stats(&stats[0], 10, 6, Some(0.6));
    assert_close(stats[0].discrimination, 5.0 / 6.0 - 1.0 / 3.0);
    assert_eq!(stats[0].option_picks, [6, 3, 1, 0]);
    assert_eq!(stats[0].flags, []);

    // q2: nobody in the upper group right, 9 and 10 in the lower group: D = −2/3.
    check_stats(&stats[1], 10, 2, Some(0.2));
    assert_close(stats[1].discrimination, -2.0 / 3.0);
    assert_eq!(stats[1].option_picks, [0, 7, 2, 1]);
    assert_eq!(
        stats[1].flags,
        [Flag::LowAccuracy, Flag::DistractorBeatsKey { option: 1 }]
    );

    // q3: six first answers, three right; five ranked people are too few for D.
    check_stats(&stats[2], 6, 3, Some(0.5));
    assert_eq!(stats[2].discrimination, None);
    assert_eq!(stats[2].option_picks, Vec::<usize>::new());
    assert_eq!(stats[2].flags, []);

    // q4: A 3, B 3, C 2 (a repeated pick counts once); B beats the key option C.
    check_stats(&stats[3], 4, 1, Some(0.25));
    assert_eq!(stats[3].option_picks, [3, 3, 2, 0]);
    assert_eq!(
        stats[3].flags,
        [Flag::LowAccuracy, Flag::DistractorBeatsKey { option: 1 }]
    );

    // q5: nobody answered.
    check_stats(&stats[4], 0, 0, None);
    assert_eq!(stats[4].discrimination, None);
    assert_eq!(stats[4].option_picks, [0, 0, 0]);
    assert_eq!(stats[4].flags, []);
}

#[test]
fn discrimination_does_not_depend_on_response_order_and_is_zero_when_all_tie() {
    let items: BTreeMap<String, Item> = [("q".to_string(), item(&[0], 2))].into();
    let mut responses: Vec<Response> = (1..=10)
        .map(|person| response(person, "q", &[usize::from(person > 4)], person <= 4))
        .collect();
    let forward = analyse(&responses, &totals(), &items);
    responses.reverse();
    let backward = analyse(&responses, &totals(), &items);
    assert_eq!(forward, backward);
    // Upper: 1, 2 right, 3 and 4 (tied) right: 1. Lower: 8, 9, 10 wrong: 0.
    assert_close(forward[0].discrimination, 1.0);

    let level: HashMap<i64, f64> = (1..=10).map(|person| (person, 5.0)).collect();
    let tied = analyse(&responses, &level, &items);
    assert_close(tied[0].discrimination, 0.0);
}

// ------------------------------------------------------------ verification codes

fn codes(seed: u64, count: usize) -> Vec<VerificationCode> {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    (0..count)
        .map(|_| VerificationCode::generate(&mut rng))
        .collect()
}

#[test]
fn verification_codes_are_ten_unambiguous_characters_that_read_back() {
    let generated = codes(7, 500);
    let unique: HashSet<&str> = generated.iter().map(VerificationCode::as_str).collect();
    assert_eq!(unique.len(), generated.len());
    for code in &generated {
        let text = code.as_str();
        assert_eq!(text.len(), 10);
        assert!(text.bytes().all(|b| ALPHABET.contains(&b)), "{text}");
        assert!(!text.contains(['0', 'O', '1', 'I']), "{text}");
        let printed = code.to_string();
        assert_eq!(printed.len(), 11);
        assert_eq!(&printed[5..6], "-");
        assert_eq!(certificate::normalize(&printed).as_ref(), Some(code));
        let typed = format!("  {} {} ", &text[..5].to_lowercase(), &text[5..]);
        assert_eq!(certificate::normalize(&typed).as_ref(), Some(code));
    }
    assert_ne!(codes(7, 1), codes(8, 1), "codes come from the RNG");
}

#[test]
fn every_mistyped_character_is_caught() {
    for code in codes(11, 50) {
        let text = code.as_str().as_bytes().to_vec();
        for position in 0..text.len() {
            for &replacement in ALPHABET.iter() {
                if replacement == text[position] {
                    continue;
                }
                let mut typo = text.clone();
                typo[position] = replacement;
                let typo = String::from_utf8(typo).unwrap();
                assert_eq!(certificate::normalize(&typo), None, "{typo}");
            }
        }
    }
}

#[test]
fn swapped_neighbours_are_caught_unless_they_are_2_and_z() {
    let value = |b: u8| ALPHABET.iter().position(|a| *a == b).unwrap() as i64;
    let mut swaps = 0;
    for code in codes(13, 200) {
        let text = code.as_str().as_bytes().to_vec();
        for position in 0..text.len() - 1 {
            if text[position] == text[position + 1] {
                continue;
            }
            let mut swapped = text.clone();
            swapped.swap(position, position + 1);
            let swapped = String::from_utf8(swapped).unwrap();
            // The first and last characters of the alphabet weigh the same doubled or not.
            let first_and_last = (value(text[position]) - value(text[position + 1])).abs() == 31;
            swaps += 1;
            let caught = certificate::normalize(&swapped).is_none();
            assert_eq!(caught, !first_and_last, "{swapped}");
        }
    }
    assert!(swaps > 1500);
}

#[test]
fn typed_codes_are_folded_or_refused() {
    let code = &codes(17, 1)[0];
    let text = code.as_str();
    let full_width: String = text
        .chars()
        .map(|c| char::from_u32(c as u32 - 0x21 + 0xFF01).unwrap())
        .collect();
    assert_eq!(certificate::normalize(&full_width).as_ref(), Some(code));
    assert_eq!(
        certificate::normalize(&format!("{}—{}", &text[..5], &text[5..])).as_ref(),
        Some(code)
    );
    assert_eq!(certificate::normalize(&text[..9]), None);
    assert_eq!(certificate::normalize(&format!("{text}2")), None);
    for look_alike in ["0", "O", "1", "I"] {
        let typo = format!("{}{}", look_alike, &text[1..]);
        assert_eq!(certificate::normalize(&typo), None, "{typo}");
    }
    assert_eq!(certificate::normalize(""), None);
}

// ------------------------------------------------------------------------- draw

const SEED_HEX: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
const COMMITMENT: &str = "630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd";

/// Users 101–120; user id mod 4 gives 甲公司, 乙公司, 丙公司 or no organisation.
fn entrants() -> Vec<Entrant> {
    (101..=120)
        .map(|user_id| Entrant {
            user_id,
            org: match user_id % 4 {
                0 => Some("甲公司".to_string()),
                1 => Some("乙公司".to_string()),
                2 => Some("丙公司".to_string()),
                _ => None,
            },
        })
        .collect()
}

fn user_ids(winners: &[Winner]) -> Vec<i64> {
    winners.iter().map(|winner| winner.user_id).collect()
}

fn seed() -> [u8; 32] {
    draw::seed_from_hex(SEED_HEX).unwrap()
}

/// The expected winners were computed with the Python snippet in `results::draw`'s
/// documentation (the `cryptography` package's ChaCha20), not with this code.
#[test]
fn a_known_draw_is_reproduced() {
    assert_eq!(draw::commitment_of(&seed()), COMMITMENT);
    let five = draw::run(&seed(), COMMITMENT, &entrants(), 5, None).unwrap();
    assert_eq!(user_ids(&five), [114, 104, 110, 111, 116]);
    let ranks: Vec<usize> = five.iter().map(|winner| winner.rank).collect();
    assert_eq!(ranks, [1, 2, 3, 4, 5]);
    assert_eq!(five[0].org.as_deref(), Some("丙公司"));

    let capped = draw::run(&seed(), COMMITMENT, &entrants(), 8, Some(1)).unwrap();
    assert_eq!(user_ids(&capped), [114, 119, 112, 101, 115, 103, 111, 107]);
    let two_each = draw::run(&seed(), COMMITMENT, &entrants(), 12, Some(2)).unwrap();
    assert_eq!(
        user_ids(&two_each),
        [114, 104, 110, 116, 115, 113, 111, 103, 101, 119, 107]
    );

    let everyone = draw::run(&seed(), COMMITMENT, &entrants(), 30, None).unwrap();
    assert_eq!(
        user_ids(&everyone),
        [
            114, 104, 110, 111, 116, 108, 120, 101, 102, 112, 109, 106, 107, 119, 118, 117, 113,
            103, 105, 115
        ]
    );
}

#[test]
fn the_draw_is_deterministic_and_ignores_list_order() {
    let mut shuffled = entrants();
    shuffled.reverse();
    shuffled.swap(3, 11);
    let first = draw::run(&seed(), COMMITMENT, &entrants(), 6, Some(2)).unwrap();
    let second = draw::run(&seed(), COMMITMENT, &shuffled, 6, Some(2)).unwrap();
    assert_eq!(first, second);
    assert_eq!(
        draw::verify(&seed(), COMMITMENT, &shuffled, 6, Some(2), &first),
        Ok(true)
    );
    let mut tampered = first.clone();
    tampered[0].user_id = 999;
    assert_eq!(
        draw::verify(&seed(), COMMITMENT, &entrants(), 6, Some(2), &tampered),
        Ok(false)
    );
}

#[test]
fn a_seed_that_does_not_match_the_commitment_is_refused() {
    let mut wrong = seed();
    wrong[31] ^= 1;
    assert_eq!(
        draw::run(&wrong, COMMITMENT, &entrants(), 3, None),
        Err(DrawError::SeedDoesNotMatchCommitment)
    );
    assert_eq!(
        draw::verify(&wrong, COMMITMENT, &entrants(), 3, None, &[]),
        Err(DrawError::SeedDoesNotMatchCommitment)
    );
    let upper = COMMITMENT.to_uppercase();
    assert!(draw::run(&seed(), &upper, &entrants(), 3, None).is_ok());
}

#[test]
fn the_cap_per_organisation_is_respected_for_any_seed() {
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    for _ in 0..50 {
        let (seed, commitment) = draw::commit(&mut rng);
        assert_eq!(draw::seed_from_hex(&draw::seed_to_hex(&seed)), Some(seed));
        let winners = draw::run(&seed, &commitment, &entrants(), 12, Some(2)).unwrap();
        // 3 organisations × 2 + the 5 entrants without one.
        assert_eq!(winners.len(), 11);
        let mut per_org: HashMap<&str, usize> = HashMap::new();
        for winner in &winners {
            if let Some(org) = &winner.org {
                *per_org.entry(org).or_default() += 1;
            }
        }
        assert!(per_org.values().all(|count| *count == 2), "{per_org:?}");
        let unique: HashSet<i64> = user_ids(&winners).into_iter().collect();
        assert_eq!(unique.len(), winners.len());
    }
}

#[test]
fn bad_draw_inputs_are_errors() {
    let mut doubled = entrants();
    doubled.push(doubled[4].clone());
    assert_eq!(
        draw::run(&seed(), COMMITMENT, &doubled, 3, None),
        Err(DrawError::DuplicateEntrant(105))
    );
    assert_eq!(
        draw::run(&seed(), COMMITMENT, &entrants(), 3, Some(0)),
        Err(DrawError::ZeroCap)
    );
    assert_eq!(draw::run(&seed(), COMMITMENT, &[], 3, None), Ok(Vec::new()));
    assert_eq!(draw::seed_from_hex("abc"), None);
    assert_eq!(draw::seed_from_hex(&"zz".repeat(32)), None);
}

// ---------------------------------------------------------------------- workbook

const DANGEROUS: [&str; 7] = [
    "=1+1",
    "+SUM(A1:A2)",
    "-2+3",
    "@cmd",
    "\t=1",
    "\r=1",
    "=HYPERLINK(\"http://127.0.0.1/\",\"点我\")",
];

fn text(value: &str) -> Cell {
    Cell::Text(value.to_string())
}

fn results_sheet() -> Sheet {
    let when = NaiveDate::from_ymd_opt(2025, 10, 14)
        .unwrap()
        .and_hms_opt(9, 30, 0)
        .unwrap();
    let mut rows: Vec<Vec<Cell>> = DANGEROUS
        .iter()
        .enumerate()
        .map(|(index, name)| {
            vec![
                text(name),
                Cell::Number(index as f64 * 10.0),
                Cell::Percent(0.5),
                Cell::DateTime(when),
            ]
        })
        .collect();
    rows.push(vec![
        text("上海某某标准化研究院有限公司"),
        Cell::Number(95.5),
        Cell::Empty,
        text(&"长".repeat(40_000)),
    ]);
    Sheet {
        name: "企业/排名".to_string(),
        headers: ["单位", "平均分", "参与率", "时间"]
            .map(String::from)
            .to_vec(),
        rows,
        chart: Some(ChartSpec {
            kind: ChartKind::Bar,
            title: "各单位平均分".to_string(),
            category_col: 0,
            value_col: 1,
        }),
    }
}

fn zip_entry(bytes: &[u8], name: &str) -> Option<String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut file = archive.by_name(name).ok()?;
    let mut text = String::new();
    file.read_to_string(&mut text).unwrap();
    Some(text)
}

#[test]
fn text_cells_are_never_formulas() {
    let bytes = write_workbook(&[results_sheet()]).unwrap();
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    assert_eq!(workbook.sheet_names(), ["企业_排名"]);
    let formulas = workbook.worksheet_formula("企业_排名").unwrap();
    assert!(formulas
        .used_cells()
        .all(|(_, _, formula)| formula.is_empty()));
    let range = workbook.worksheet_range("企业_排名").unwrap();
    for (index, name) in DANGEROUS.iter().enumerate() {
        let row = index as u32 + 1;
        assert_eq!(
            range.get_value((row, 0)),
            Some(&Data::String(name.to_string()))
        );
        assert_eq!(
            range.get_value((row, 1)),
            Some(&Data::Float(index as f64 * 10.0))
        );
        assert_eq!(range.get_value((row, 2)), Some(&Data::Float(0.5)));
        let Some(Data::DateTime(when)) = range.get_value((row, 3)) else {
            panic!("row {row} has no date");
        };
        // 2025-10-14 09:30 is day 45,944 after 1899-12-30, plus 9.5 / 24 of a day.
        assert!(when.is_datetime());
        assert!((when.as_f64() - (45_944.0 + 9.5 / 24.0)).abs() < 1e-6);
    }
    assert_eq!(
        range.get_value((0, 1)),
        Some(&Data::String("平均分".to_string()))
    );
    let Some(Data::String(long)) = range.get_value((8, 3)) else {
        panic!("no long text");
    };
    assert_eq!(long.chars().count(), 32_767);
    assert!(long.ends_with('…'));
}

/// The check above can fail: a real formula is seen by calamine.
#[test]
fn calamine_sees_a_formula_when_there_is_one() {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    workbook
        .add_worksheet()
        .write_formula(0, 0, "=1+1")
        .unwrap();
    let bytes = workbook.save_to_buffer().unwrap();
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    let formulas = workbook.worksheet_formula("Sheet1").unwrap();
    assert!(formulas
        .used_cells()
        .any(|(_, _, formula)| !formula.is_empty()));
}

#[test]
fn charts_are_native_excel_charts() {
    let mut trend = Sheet {
        name: "趋势".to_string(),
        headers: vec!["日期".to_string(), "参与人数".to_string()],
        rows: (1..=5)
            .map(|day| {
                vec![
                    text(&format!("10-{day:02}")),
                    Cell::Number(f64::from(day * 7)),
                ]
            })
            .collect(),
        chart: Some(ChartSpec {
            kind: ChartKind::Line,
            title: "每日参与".to_string(),
            category_col: 0,
            value_col: 1,
        }),
    };
    let bytes = write_workbook(&[results_sheet(), trend.clone()]).unwrap();
    let bar = zip_entry(&bytes, "xl/charts/chart1.xml").expect("chart1.xml");
    assert!(bar.contains("<c:barChart>"), "{bar}");
    assert!(bar.contains("各单位平均分"));
    assert!(bar.contains("企业_排名!$A$2:$A$9"), "{bar}");
    let line = zip_entry(&bytes, "xl/charts/chart2.xml").expect("chart2.xml");
    assert!(line.contains("<c:lineChart>"));

    trend.chart = None;
    let bytes = write_workbook(&[trend.clone()]).unwrap();
    assert_eq!(zip_entry(&bytes, "xl/charts/chart1.xml"), None);

    trend.chart = Some(ChartSpec {
        kind: ChartKind::Column,
        title: "x".to_string(),
        category_col: 0,
        value_col: 5,
    });
    assert!(matches!(
        write_workbook(&[trend]),
        Err(WorkbookError::ChartColumn(5))
    ));
}

#[test]
fn sheet_names_are_made_valid_and_unique() {
    let sheet = |name: &str| Sheet {
        name: name.to_string(),
        headers: vec!["a".to_string()],
        rows: vec![],
        chart: None,
    };
    let long = "上海市某某区某某街道某某标准化技术服务有限公司第一分公司第二营业部";
    let bytes = write_workbook(&[
        sheet("汇总"),
        sheet("汇总"),
        sheet("[a]:b?"),
        sheet(""),
        sheet(long),
    ])
    .unwrap();
    let workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    let names = workbook.sheet_names();
    assert_eq!(names[..4], ["汇总", "汇总 (2)", "_a__b_", "Sheet"]);
    assert_eq!(names[4].chars().count(), 31);
    assert!(long.starts_with(&names[4]));
}

#[test]
fn csv_cells_that_could_run_as_formulas_are_prefixed() {
    for dangerous in DANGEROUS {
        assert_eq!(csv_safe(dangerous), format!("'{dangerous}"));
    }
    for plain in ["上海标准化研究院", "GB/T 1.1", "95.5", "", " =1", "a=b"] {
        assert_eq!(csv_safe(plain), plain);
    }
}
