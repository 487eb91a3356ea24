//! Importing a 10,000-question XLSX: `cargo bench --bench import_xlsx`.
//!
//! Generates the workbook with rust_xlsxwriter (untimed), then times each stage an admin
//! import goes through: parse (calamine + mapping to records), validate, the whole
//! `import::plan` (parse + validate + compare with the bank), `import::apply` into a
//! fresh store, and a re-import plan against the bank that now serves the 10,000.
//! Each stage runs several times; the median and the minimum are printed.

use std::time::{Duration, Instant};

use rust_xlsxwriter::Workbook;
use stdquiz::bank::formats::{parse_bytes, Content, Format};
use stdquiz::bank::{validate_set, Bank};
use stdquiz::import::{apply, plan, MAX_UPLOAD_BYTES};
use stdquiz::store::Store;

const QUESTIONS: usize = 10_000;
const RUNS: usize = 5;
const NAME: &str = "bench-10k.xlsx";

fn main() {
    let started = Instant::now();
    let bytes = workbook();
    println!(
        "workbook: {QUESTIONS} questions, {} KiB (upload limit {} KiB), generated in {:.2} s",
        bytes.len() / 1024,
        MAX_UPLOAD_BYTES / 1024,
        started.elapsed().as_secs_f64()
    );

    let parse = time(|| {
        parse_bytes(NAME, Format::Xlsx, &bytes).expect("the workbook parses");
    });
    let parsed = parse_bytes(NAME, Format::Xlsx, &bytes).expect("the workbook parses");
    let Content::Set(set) = &parsed.content else {
        panic!("one set expected")
    };
    let validate = time(|| {
        let (questions, problems) = validate_set(&set.set, &set.questions, &parsed.places);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(questions.len(), QUESTIONS);
    });
    let files = vec![(NAME.to_string(), bytes.clone())];
    let whole = time(|| {
        let plan = plan(&files, &[], &Bank::default()).expect("a clean plan");
        assert_eq!(plan.question_count(), QUESTIONS);
    });
    let plan_now = plan(&files, &[], &Bank::default()).expect("a clean plan");
    let apply_time = time(|| {
        let dir = tempfile::tempdir().expect("a temp dir");
        let store = Store::open(dir.path()).expect("a store");
        apply(&store, &plan_now, "bench", 0).expect("applied");
    });

    let dir = tempfile::tempdir().expect("a temp dir");
    let questions_dir = dir.path().join("questions");
    std::fs::create_dir(&questions_dir).expect("a questions dir");
    let store = Store::open(&dir.path().join("data")).expect("a store");
    apply(&store, &plan_now, "bench", 0).expect("applied");
    let served = stdquiz::service::load_content(&questions_dir, &store).expect("content");
    let current = store.imported_sets().expect("imported sets");
    let reimport = time(|| {
        let plan = plan(&files, &current, &served.bank).expect("a clean plan");
        assert_eq!(plan.sets[0].unchanged, QUESTIONS);
    });

    println!("stage                                  median      min   ({RUNS} runs)");
    report("parse (calamine + rows to records)", &parse);
    report("validate_set", &validate);
    report("import::plan (parse+validate+plan)", &whole);
    report("import::apply into a new store", &apply_time);
    report("re-import plan (10,000 unchanged)", &reimport);
    let total = median(&whole) + median(&apply_time);
    println!("plan + apply, median: {:.3} s", total.as_secs_f64());
}

/// A workbook with the template's Chinese header and the four kinds in turn.
fn workbook() -> Vec<u8> {
    let header = [
        "编号",
        "题型",
        "题干",
        "选项A",
        "选项B",
        "选项C",
        "选项D",
        "答案",
        "解析",
        "知识点",
        "难度",
        "出处",
        "标签",
        "题干_en",
    ];
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (column, name) in header.iter().enumerate() {
        sheet.write_string(0, column as u16, *name).expect("header");
    }
    for i in 0..QUESTIONS {
        let row = (i + 1) as u32;
        let n = i + 1;
        let cells: Vec<String> = match i % 4 {
            0 => vec![
                "单选".into(),
                format!("第{n}题：现行《标准化法》自何时起施行？"),
                "1989年4月1日".into(),
                "2017年11月4日".into(),
                "2018年1月1日".into(),
                "2019年10月1日".into(),
                "C".into(),
            ],
            1 => vec![
                "多选".into(),
                format!("第{n}题：根据《标准化法》第二条，下列属于我国标准种类的有哪些？"),
                "国家标准".into(),
                "团体标准".into(),
                "企业标准".into(),
                "部门标准".into(),
                "ABC".into(),
            ],
            2 => vec![
                "判断".into(),
                format!("第{n}题：行业标准和地方标准都是推荐性标准。"),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                "正确".into(),
            ],
            _ => vec![
                "填空".into(),
                format!("第{n}题：世界标准日是每年的____。"),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                "10月14日|十月十四日|re:^(10|十)月(14|十四)[日号]?$".into(),
            ],
        };
        let mut row_cells = vec![format!("bench-{n:05}")];
        row_cells.extend(cells);
        row_cells.extend([
            "现行《标准化法》把标准分为国家标准、行业标准、地方标准、团体标准和企业标准五类，自2018年1月1日起施行。".to_string(),
            if i % 2 == 0 { "标准化法".to_string() } else { "世界标准日".to_string() },
            (i % 3 + 1).to_string(),
            "《中华人民共和国标准化法》（2017年修订）第二条".to_string(),
            "标准化法|练习".to_string(),
            format!("Question {n}: an English prompt for the bilingual bank."),
        ]);
        for (column, cell) in row_cells.iter().enumerate() {
            if !cell.is_empty() {
                sheet.write_string(row, column as u16, cell).expect("cell");
            }
        }
    }
    workbook.save_to_buffer().expect("the workbook")
}

fn time(mut stage: impl FnMut()) -> Vec<Duration> {
    (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            stage();
            started.elapsed()
        })
        .collect()
}

fn median(runs: &[Duration]) -> Duration {
    let mut sorted = runs.to_vec();
    sorted.sort();
    sorted[sorted.len() / 2]
}

fn report(stage: &str, runs: &[Duration]) {
    let min = runs.iter().min().copied().unwrap_or_default();
    println!(
        "{stage:<38} {:>7.3} s {:>7.3} s",
        median(runs).as_secs_f64(),
        min.as_secs_f64()
    );
}
