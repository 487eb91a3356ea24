//! Admin import formats (CSV, XLSX, paste text, JSON), the template, the bank export
//! round trip, and imports into a store: all problems at once, nothing half-written.

use std::path::{Path, PathBuf};
use std::process::Command;

use stdquiz::bank::formats::{parse_bytes, Content, Format, ParsedFile, Places};
use stdquiz::bank::{
    load_dir, validate_set, AnswerKey, Bank, Kind, Problem, Question, SetFile, SetHeader,
};
use stdquiz::import::{apply, plan, ImportPlan};
use stdquiz::store::Store;

// ---------------------------------------------------------------- helpers

fn parse(name: &str, bytes: &[u8]) -> Result<ParsedFile, Vec<Problem>> {
    let format = Format::from_path(Path::new(name)).expect("a known extension");
    parse_bytes(name, format, bytes)
}

/// The sets of a parsed file with their places.
fn sets_of(parsed: ParsedFile) -> Vec<(SetFile, Places)> {
    match parsed.content {
        Content::Set(set) => vec![(set, parsed.places)],
        Content::Sets(sets) => sets,
        Content::Faq(_) => panic!("a knowledge file, not a quiz set"),
    }
}

/// Every problem a file has: parse, decode and validation.
fn all_problems(name: &str, bytes: &[u8]) -> Vec<Problem> {
    let parsed = match parse(name, bytes) {
        Ok(parsed) => parsed,
        Err(problems) => return problems,
    };
    let mut found = parsed.problems.clone();
    for (set, places) in sets_of(parsed) {
        found.extend(validate_set(&set.set, &set.questions, &places).1);
    }
    found
}

/// Every problem a file has, as the admin reads them.
fn problems(name: &str, bytes: &[u8]) -> Vec<String> {
    all_problems(name, bytes)
        .iter()
        .map(ToString::to_string)
        .collect()
}

/// Parses and validates a file holding quiz sets; panics listing every problem.
fn check_sets(name: &str, bytes: &[u8]) -> Vec<(SetHeader, Vec<Question>)> {
    let parsed = parse(name, bytes).unwrap_or_else(|p| panic!("{}", lines(&p)));
    assert!(parsed.problems.is_empty(), "{}", lines(&parsed.problems));
    sets_of(parsed)
        .into_iter()
        .map(|(set, places)| {
            let (questions, problems) = validate_set(&set.set, &set.questions, &places);
            assert!(problems.is_empty(), "{}", lines(&problems));
            (set.set, questions)
        })
        .collect()
}

fn check_set(name: &str, bytes: &[u8]) -> (SetHeader, Vec<Question>) {
    let mut sets = check_sets(name, bytes);
    assert_eq!(sets.len(), 1, "one set expected");
    sets.remove(0)
}

fn lines(problems: &[Problem]) -> String {
    problems.iter().map(|p| format!("{p}\n")).collect()
}

/// A workbook written the way Excel would store the cells: numbers as numbers,
/// TRUE/FALSE as booleans, everything else as text.
fn xlsx(sheets: &[(&str, &[&[&str]])]) -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    for (name, rows) in sheets {
        let sheet = workbook.add_worksheet();
        sheet.set_name(*name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                if cell.is_empty() {
                    continue;
                }
                if let Ok(number) = cell.parse::<f64>() {
                    sheet.write_number(r, c, number).unwrap();
                } else if *cell == "TRUE" || *cell == "FALSE" {
                    sheet.write_boolean(r, c, *cell == "TRUE").unwrap();
                } else {
                    sheet.write_string(r, c, *cell).unwrap();
                }
            }
        }
    }
    workbook.save_to_buffer().unwrap()
}

fn key_of(question: &Question) -> String {
    match &question.key {
        AnswerKey::Choice(letters) => letters.iter().map(|&i| (b'A' + i as u8) as char).collect(),
        AnswerKey::Judge(value) => value.to_string(),
        AnswerKey::Fill { accepted, patterns } => {
            let patterns: Vec<&str> = patterns.iter().map(|p| p.as_str()).collect();
            format!("{}|re:{}", accepted.join("|"), patterns.join("|re:"))
        }
    }
}

fn stdquiz() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_stdquiz"));
    command.current_dir(env!("CARGO_MANIFEST_DIR"));
    command
}

fn shipped() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("questions")
}

/// The shipped bank as `stdquiz export bank` serves it: one SetFile per set.
fn shipped_sets() -> (Bank, Vec<SetFile>) {
    let report = load_dir(&shipped());
    assert!(report.problems.is_empty(), "{}", lines(&report.problems));
    let bank = report.bank();
    let sets = bank
        .sets()
        .iter()
        .map(|info| SetFile {
            set: SetHeader {
                id: info.id.clone(),
                title: info.title.clone(),
                title_en: info.title_en.clone(),
                topic: Some(info.topic.clone()),
                topic_en: info.topic_en.clone(),
            },
            questions: info
                .question_ids
                .iter()
                .filter_map(|id| bank.get(id))
                .map(|q| q.to_record())
                .collect(),
        })
        .collect();
    (bank, sets)
}

fn plan_files(
    files: &[(&str, &[u8])],
    store: &Store,
    bank: &Bank,
) -> Result<ImportPlan, Vec<Problem>> {
    let files: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|(n, b)| (n.to_string(), b.to_vec()))
        .collect();
    plan(&files, &store.imported_sets().unwrap(), bank)
}

const LAW: &str = "《中华人民共和国标准化法》（2017年修订）";

/// Four questions, one per kind, with the Chinese template header.
fn quiz_csv() -> String {
    format!(
        "编号,题型,题干,选项A,选项B,选项C,选项D,答案,解析,知识点,难度,出处,标签\n\
         law-1,单选,现行《标准化法》自何时起施行？,1989年4月1日,2017年11月4日,2018年1月1日,2019年10月1日,C,2017年修订，2018年1月1日起施行。,标准化法,1,{LAW}第四十五条,日期|施行\n\
         law-2,多选,下列属于我国标准种类的有哪些？,国家标准,团体标准,企业标准,部门标准,\"A,B,C\",第二条规定五类标准，没有部门标准。,标准化法,2,{LAW}第二条,\n\
         law-3,判断,行业标准和地方标准都是推荐性标准。,,,,,对,第二条：行业标准、地方标准是推荐性标准。,标准化法,2,{LAW}第二条,\n\
         ,填空,世界标准日是每年的____。,,,,,10月14日|十月十四日|re:^(10|十)月(14|十四)[日号]?$,纪念1946年10月14日伦敦会议。,世界标准日,1,ISO、IEC、ITU世界标准日资料,\n"
    )
}

// ---------------------------------------------------------------- CSV and XLSX

#[test]
fn csv_with_the_chinese_template_header_reads_every_kind() {
    let (set, questions) = check_set("law-quiz.csv", quiz_csv().as_bytes());
    assert_eq!(
        (set.id.as_str(), set.title.as_str()),
        ("law-quiz", "law-quiz")
    );
    assert_eq!(set.topic.as_deref(), Some("标准化法"));
    let kinds: Vec<Kind> = questions.iter().map(|q| q.kind).collect();
    assert_eq!(kinds, [Kind::Single, Kind::Multi, Kind::Judge, Kind::Fill]);
    let keys: Vec<String> = questions.iter().map(key_of).collect();
    assert_eq!(keys[..3], ["C", "ABC", "true"]);
    assert_eq!(
        keys[3], "10月14日|十月十四日|re:^(10|十)月(14|十四)[日号]?$",
        "a pattern keeps its `|`"
    );
    assert!(questions[3].is_correct_fill("十月十四号"));
    assert_eq!(questions[0].tags, ["日期", "施行"]);
    assert_eq!(questions[0].options.len(), 4);
    assert!(questions[2].options.is_empty());
    assert!(
        questions[3].id.starts_with("law-quiz-"),
        "a derived id: {}",
        questions[3].id
    );
    assert_eq!(questions[3].topic, "世界标准日");
}

#[test]
fn header_variants_name_the_same_columns() {
    let (_, chinese) = check_set("law-quiz.csv", quiz_csv().as_bytes());
    let body: String = quiz_csv().split_once('\n').unwrap().1.to_string();
    for header in [
        "id,kind,question,option_a,option_b,option_c,option_d,answer,explanation,topic,difficulty,source,tags",
        " ID , Type ,Question,Option A,option B,OPTION-C,optionD,Answer,Explanation,Topic,Difficulty,Source,Tags",
        "编号,类型,题目,选项 A,B选项,选项Ｃ,Ｄ,正确答案,答案解析,知识点,难度,来源,标签",
        "*编号,题型（必填）,题干,A,B,C,D,答案,解析,考点,难易度,出处,标签",
    ] {
        let (_, questions) = check_set("law-quiz.csv", format!("{header}\n{body}").as_bytes());
        let records: Vec<_> = questions.iter().map(Question::to_record).collect();
        let expected: Vec<_> = chinese.iter().map(Question::to_record).collect();
        assert_eq!(records, expected, "header: {header}");
    }
}

#[test]
fn english_columns_fill_the_english_text() {
    let csv = "题型,题干,选项A,选项B,答案,解析,出处,题干_en,Option A_en,选项B（英文）,解析_en,知识点,知识点_en\n\
         单选,世界标准日是哪一天？,10月14日,5月20日,A,世界标准日是每年10月14日。,ISO、IEC、ITU世界标准日资料,When is World Standards Day?,14 October,20 May,It is 14 October.,世界标准日,World Standards Day\n";
    let (set, questions) = check_set("wsd.csv", csv.as_bytes());
    let question = &questions[0];
    assert_eq!(
        question.prompt_en.as_deref(),
        Some("When is World Standards Day?")
    );
    assert_eq!(
        question.options_en.as_deref(),
        Some(&["14 October".to_string(), "20 May".to_string()][..])
    );
    assert_eq!(
        question.explanation_en.as_deref(),
        Some("It is 14 October.")
    );
    assert_eq!(set.topic_en.as_deref(), Some("World Standards Day"));
    assert_eq!(question.topic_en.as_deref(), Some("World Standards Day"));
}

#[test]
fn excel_quirks_bom_crlf_blank_rows_spaces_full_width_and_merged_cells() {
    // BOM, CRLF, a blank line, a row of empty cells, trailing spaces, full-width letters,
    // a line break inside a quoted cell, and 知识点 left blank below its first row.
    let csv = format!(
        "\u{feff}题型 ,题干 ,选项A,选项B,选项C,答案 ,解析,知识点,出处\r\n\
         单选  ,现行《标准化法》自何时起施行？  ,2017年11月4日 ,2018年1月1日,1989年4月1日,Ｂ  ,\"2017年修订通过，\r\n2018年1月1日起施行。\",标准化法  ,{LAW}第四十五条 \r\n\
         \r\n\
         ,,,,,,,,\r\n\
         多选,下列属于我国标准种类的有哪些？,国家标准,团体标准,部门标准,\"Ａ，Ｂ\",第二条规定五类标准。,,{LAW}第二条\r\n\
         判断,行业标准都是推荐性标准。,,,,√,第二条：行业标准是推荐性标准。,,{LAW}第二条\r\n\
         判断,强制性标准可以不执行。,,,,,第二条：强制性标准必须执行。,,{LAW}第二条\r\n"
    );
    let parsed = parse("quirks.csv", csv.as_bytes()).unwrap();
    let (set, places) = sets_of(parsed).remove(0);
    let (questions, problems) = validate_set(&set.set, &set.questions, &places);
    assert_eq!(questions.len(), 3);
    assert_eq!(questions[0].prompt, "现行《标准化法》自何时起施行？");
    assert_eq!(questions[0].options[0], "2017年11月4日");
    assert_eq!(key_of(&questions[0]), "B");
    assert_eq!(
        questions[0].explanation,
        "2017年修订通过，\n2018年1月1日起施行。"
    );
    assert_eq!(key_of(&questions[1]), "AB");
    assert_eq!(key_of(&questions[2]), "true");
    assert!(
        questions.iter().all(|q| q.topic == "标准化法"),
        "知识点 carries down"
    );
    // The missing answer is reported, never guessed, at the row Excel shows: the quoted
    // line break stays in row 2 and the blank line is row 3.
    assert_eq!(problems.len(), 1, "{}", lines(&problems));
    assert_eq!(problems[0].line, Some(7));
    assert!(
        problems[0].message.contains("missing answer"),
        "{}",
        problems[0]
    );
}

#[test]
fn gbk_csv_as_chinese_excel_saves_it() {
    let text = quiz_csv();
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(&text);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&bytes).is_err(), "really not UTF-8");
    let (_, questions) = check_set("law-quiz.csv", &bytes);
    let (_, expected) = check_set("law-quiz.csv", quiz_csv().as_bytes());
    assert_eq!(
        questions
            .iter()
            .map(Question::to_record)
            .collect::<Vec<_>>(),
        expected.iter().map(Question::to_record).collect::<Vec<_>>()
    );
    assert_eq!(questions[0].prompt, "现行《标准化法》自何时起施行？");
}

#[test]
fn utf16_tab_separated_text_as_excel_unicode_text() {
    let text = quiz_csv()
        .replace(",\"A,B,C\",", ",ABC,")
        .replace(',', "\t");
    let mut bytes = vec![0xff, 0xfe];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let (_, questions) = check_set("law-quiz.csv", &bytes);
    assert_eq!(questions.len(), 4);
    assert_eq!(key_of(&questions[1]), "ABC");
}

#[test]
fn xlsx_reads_the_first_sheet_with_a_header_and_names_it_in_problems() {
    let notes: &[&[&str]] = &[&["填写说明：每行一题"], &["答案写字母"]];
    let quiz: &[&[&str]] = &[
        &["标准化法练习"],
        &[
            "编号",
            "题型",
            "题干",
            "选项A",
            "选项B",
            "选项C",
            "答案",
            "解析",
            "知识点",
            "难度",
            "出处",
        ],
        &[
            "101",
            "单选",
            "世界标准日是哪一天？",
            "10月14日",
            "5月20日",
            "2月23日",
            "A",
            "纪念1946年伦敦会议。",
            "世界标准日",
            "1",
            "ISO、IEC、ITU世界标准日资料",
        ],
        &[],
        &[
            "102",
            "判断",
            "世界标准日纪念ISO正式成立的日子。",
            "",
            "",
            "",
            "FALSE",
            "ISO于1947年2月23日正式成立。",
            "",
            "2",
            "ISO、IEC、ITU世界标准日资料",
        ],
        &[
            "103",
            "多选",
            "ISO、IEC、ITU中哪些共同发布世界标准日祝词？",
            "ISO",
            "IEC",
            "ITU",
            "ABD",
            "三大组织共同发布。",
            "",
            "3",
            "ISO、IEC、ITU世界标准日资料",
        ],
        &[
            "104",
            "填空",
            "世界计量日是每年的____。",
            "",
            "",
            "",
            "",
            "5月20日是世界计量日。",
            "",
            "很难",
            "",
        ],
    ];
    let bytes = xlsx(&[("说明", notes), ("题库", quiz)]);
    let mut found = problems("练习.xlsx", &bytes);
    found.sort();
    assert_eq!(
        found,
        [
            "练习.xlsx[题库]:6: question 103: answer letter D is out of range: there are only 3 options (A-C)",
            "练习.xlsx[题库]:7: question 104: difficulty `很难` is not 1, 2 or 3 (易/中/难)",
            "练习.xlsx[题库]:7: question 104: fill question without accepted answers or patterns",
            "练习.xlsx[题库]:7: question 104: missing source (出处): cite the law article or standard clause",
        ]
    );
    let fixed: Vec<Vec<&str>> = quiz.iter().take(5).map(|row| row.to_vec()).collect();
    let fixed: Vec<&[&str]> = fixed.iter().map(Vec::as_slice).collect();
    let (set, questions) = check_set("练习.xlsx", &xlsx(&[("说明", notes), ("题库", &fixed)]));
    assert_eq!(
        (set.id.as_str(), set.title.as_str()),
        ("imported", "练习"),
        "a Chinese stem leaves no id characters"
    );
    assert_eq!(questions[0].id, "101", "a number cell reads as an integer");
    assert_eq!(questions[0].difficulty, 1);
    assert_eq!(
        key_of(&questions[1]),
        "false",
        "a boolean cell is a judge answer"
    );
    assert_eq!(
        questions[1].topic, "世界标准日",
        "merged-looking blank 知识点 carries down"
    );
}

#[test]
fn a_set_column_makes_several_sets() {
    let csv = format!(
        "题集,题集名称,编号,题型,题干,选项A,选项B,答案,解析,出处\n\
         law,标准化法,law-1,判断,行业标准都是推荐性标准。,,,正确,第二条。,{LAW}第二条\n\
         ,,law-2,判断,强制性标准必须执行。,,,正确,第二条。,{LAW}第二条\n\
         wsd,世界标准日,wsd-1,单选,世界标准日是哪一天？,10月14日,5月20日,A,纪念1946年伦敦会议。,ISO、IEC、ITU世界标准日资料\n"
    );
    let sets = check_sets("bank.csv", csv.as_bytes());
    let summary: Vec<(String, String, usize)> = sets
        .iter()
        .map(|(h, q)| (h.id.clone(), h.title.clone(), q.len()))
        .collect();
    assert_eq!(
        summary,
        [
            ("law".to_string(), "标准化法".to_string(), 2),
            ("wsd".to_string(), "世界标准日".to_string(), 1)
        ]
    );

    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let plan = plan_files(&[("bank.csv", csv.as_bytes())], &store, &Bank::default()).unwrap();
    assert_eq!(
        plan.sets
            .iter()
            .map(|s| s.file.set.id.as_str())
            .collect::<Vec<_>>(),
        ["law", "wsd"]
    );
}

#[test]
fn knowledge_tables_are_told_from_quiz_sets() {
    let header = [
        "编号",
        "知识点",
        "问题",
        "相似问法",
        "答案",
        "关键词",
        "出处",
        "question_en",
        "answer_en",
    ];
    let rows: &[&[&str]] = &[
        &header,
        &[
            "faq-1",
            "世界标准日",
            "世界标准日是哪一天？",
            "标准日是几月几号|10月14日是什么节日",
            "每年10月14日。",
            "世界标准日|10月14日",
            "ISO、IEC、ITU世界标准日资料",
            "When is World Standards Day?",
            "On 14 October.",
        ],
        &[
            "faq-2",
            "",
            "世界标准日纪念什么？",
            "",
            "1946年10月14日的伦敦会议。",
            "",
            "ISO、IEC、ITU世界标准日资料",
            "",
            "",
        ],
    ];
    let csv: String = rows.iter().map(|r| r.join(",") + "\n").collect();
    for (name, bytes) in [
        ("kb.csv", csv.into_bytes()),
        ("kb.xlsx", xlsx(&[("Sheet1", rows)])),
    ] {
        let parsed = parse(name, &bytes).unwrap();
        let Content::Faq(entries) = parsed.content else {
            panic!("{name}: a knowledge file")
        };
        assert_eq!(entries.len(), 2);
        assert_eq!(
            entries[0].alternates,
            ["标准日是几月几号", "10月14日是什么节日"]
        );
        assert_eq!(entries[0].answer_en.as_deref(), Some("On 14 October."));
        assert_eq!(
            entries[1].topic.as_deref(),
            Some("世界标准日"),
            "知识点 carries down"
        );
        let (kb, problems) = stdquiz::qa::KnowledgeBase::build(&[(name.to_string(), entries)]);
        assert!(problems.is_empty(), "{}", lines(&problems));
        assert_eq!(kb.len(), 2);
    }
}

#[test]
fn a_broken_table_reports_every_problem_with_its_row() {
    let csv = "编号,题型,题干,选项A,选项B,选项C,答案,解析,难度,出处\n\
         q1,单选,世界标准日是哪一天？,10月14日,5月20日,2月23日,,纪念伦敦会议。,1,ISO资料\n\
         q2,单选,世界计量日是哪一天？,10月14日,5月20日,2月23日,E,5月20日。,1,ISO资料\n\
         \n\
         q3,问答,ISO何时成立？,,,,1947年,1947年2月23日。,1,ISO资料\n\
         q4,判断,ISO成立于1946年。,,,,错,1947年正式成立。,很难,ISO资料\n\
         q5,单选,IEC成立于哪一年？,1906年,1906年,1947年,A,1906年。,2,\n";
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let problems =
        plan_files(&[("broken.csv", csv.as_bytes())], &store, &Bank::default()).unwrap_err();
    let mut found: Vec<String> = problems.iter().map(ToString::to_string).collect();
    found.sort();
    assert_eq!(
        found,
        [
            "broken.csv:2: question q1: missing answer (答案)",
            "broken.csv:3: question q2: answer letter E is out of range: there are only 3 options (A-C)",
            "broken.csv:5: question q3: unknown kind `问答` (use single, multi, judge or fill / 单选, 多选, 判断, 填空)",
            "broken.csv:6: question q4: difficulty `很难` is not 1, 2 or 3 (易/中/难)",
            "broken.csv:7: question q5: duplicate option B: `1906年`",
        ]
    );
}

#[test]
fn a_broken_header_reports_missing_columns_with_what_it_read() {
    // An unknown column is ignored (and listed); a missing required one is a problem that
    // says how the header was read.
    let csv = "题目,正确答案,A,作者\n世界标准日是哪一天？,A,10月14日,张三\n";
    let found = problems("header.csv", csv.as_bytes());
    assert_eq!(
        found,
        ["header.csv:1: missing required column 解析 (header read as: 题目 → 题干, 正确答案 → 答案, A → 选项A; ignored: 作者)"]
    );
    let csv = "题型,题干,选项A,选项B,答案,解析,出处\n\
               单选,世界标准日是哪一天？,10月14日,5月20日,A,纪念伦敦会议。,ISO资料,,多出的值\n";
    assert_eq!(
        problems("wide.csv", csv.as_bytes()),
        ["wide.csv:2: column I has a value but no header"]
    );
    let found = problems("none.csv", "a,b,c\n1,2,3\n".as_bytes());
    assert_eq!(found.len(), 1);
    assert!(
        found[0].starts_with("none.csv: no header row found"),
        "{}",
        found[0]
    );
    let found = problems("junk.xlsx", b"PK not really a zip");
    assert!(
        found[0].starts_with("junk.xlsx: cannot read the workbook"),
        "{}",
        found[0]
    );
}

// ---------------------------------------------------------------- paste text

#[test]
fn pasted_exam_text_reads_sections_tags_labels_and_infers_kinds() {
    let bytes = std::fs::read("tests/fixtures/import/law-practice.txt").unwrap();
    let (set, questions) = check_set("tests/fixtures/import/law-practice.txt", &bytes);
    assert_eq!(
        (set.id.as_str(), set.title.as_str()),
        ("law-practice", "law-practice")
    );
    let summary: Vec<(Kind, String)> = questions.iter().map(|q| (q.kind, key_of(q))).collect();
    assert_eq!(
        summary,
        [
            (Kind::Single, "C".to_string()),
            (Kind::Single, "A".to_string()),
            (Kind::Multi, "ABC".to_string()),
            (Kind::Judge, "true".to_string()),
            (
                Kind::Fill,
                "10月14日|十月十四日|re:^(10|十)月(14|十四)[日号]?$".to_string()
            ),
        ]
    );
    let first = &questions[0];
    assert_eq!(first.prompt, "现行《中华人民共和国标准化法》自何时起施行？");
    assert_eq!(
        first.options,
        [
            "1989年4月1日",
            "2017年11月4日",
            "2018年1月1日",
            "2019年10月1日"
        ]
    );
    assert_eq!(
        first.source,
        "《中华人民共和国标准化法》（2017年修订）第四十五条"
    );
    assert_eq!((first.topic.as_str(), first.difficulty), ("标准化法", 1));
    assert_eq!(
        questions[1].options,
        ["10月14日", "5月20日", "2月23日", "6月27日"],
        "options on one line"
    );
    assert_eq!(questions[1].source, "ISO、IEC、ITU世界标准日资料");
    assert_eq!(
        questions[2].explanation,
        "第二条把标准分为国家标准、行业标准、地方标准、团体标准和企业标准五类。\n（1）没有“部门标准”；\n（2）行业标准和地方标准是推荐性标准。",
        "numbered points inside an explanation stay in it"
    );
    assert_eq!(questions[2].difficulty, 2);
    assert_eq!(
        questions[3].prompt, "行业标准和地方标准都是推荐性标准。",
        "the [判断] tag wins over the 多选 section and leaves the stem"
    );
}

#[test]
fn pasted_numbering_and_option_styles() {
    let tail = "答案：B\n解析：2018年1月1日起施行。\n出处：《标准化法》第四十五条\n";
    for (stem, options) in [
        ("1. 现行《标准化法》何时施行？", "A. 2017年\nB. 2018年"),
        ("1、现行《标准化法》何时施行？", "A、2017年 B、2018年"),
        (
            "1．现行《标准化法》何时施行？",
            "A．2017年\u{3000}B．2018年",
        ),
        ("（1）现行《标准化法》何时施行？", "A:2017年\nB:2018年"),
        ("第1题 现行《标准化法》何时施行？", "(A) 2017年  (B) 2018年"),
        (
            "【单选题】现行《标准化法》何时施行？",
            "Ａ．2017年\nＢ．2018年",
        ),
        (
            "1. 现行《标准化法》何时施行？（单选题）",
            "A. 2017年\nB. 2018年",
        ),
    ] {
        let text = format!("{stem}\n{options}\n{tail}");
        let (_, questions) = check_set("styles.txt", text.as_bytes());
        assert_eq!(questions.len(), 1, "{text}");
        let question = &questions[0];
        assert_eq!(question.prompt, "现行《标准化法》何时施行？", "{text}");
        assert_eq!(question.options, ["2017年", "2018年"], "{text}");
        assert_eq!(
            (question.kind, key_of(question)),
            (Kind::Single, "B".to_string()),
            "{text}"
        );
    }
}

#[test]
fn pasted_kinds_are_inferred_from_options_and_answers() {
    let text = "1. 单选题干\nA. 甲\nB. 乙\n答案：A\n解析：说明。\n出处：资料\n\
                2. 多选题干\nA. 甲\nB. 乙\nC. 丙\n答案：AC\n解析：说明。\n出处：资料\n\
                3. 判断题干\n答案：错\n解析：说明。\n出处：资料\n\
                4. 判断题干（选项式）\nA. 正确\nB. 错误\n答案：A\n解析：说明。\n出处：资料\n\
                5. 填空题干____\n答案：1\n解析：说明。\n出处：资料\n";
    let (_, questions) = check_set("kinds.txt", text.as_bytes());
    let kinds: Vec<(Kind, String)> = questions.iter().map(|q| (q.kind, key_of(q))).collect();
    assert_eq!(
        kinds,
        [
            (Kind::Single, "A".to_string()),
            (Kind::Multi, "AC".to_string()),
            (Kind::Judge, "false".to_string()),
            (Kind::Judge, "true".to_string()),
            (Kind::Fill, "1|re:".to_string()),
        ]
    );
}

#[test]
fn pasted_text_problems_name_their_lines() {
    let text = "练习\n\
                1. 世界标准日是哪一天？\n\
                A. 10月14日\n\
                B. 5月20日\n\
                解析：纪念伦敦会议。\n\
                出处：ISO资料\n\
                2. 世界计量日是哪一天？\n\
                A. 10月14日 B. 5月20日\n\
                答案：C\n\
                解析：5月20日。\n\
                难度：很难\n";
    // Derived ids vary with the stem, so compare lines and messages.
    let mut found: Vec<(usize, String)> = all_problems("broken.txt", text.as_bytes())
        .into_iter()
        .map(|p| (p.line.unwrap(), p.message))
        .collect();
    found.sort();
    let expected = [
        (2, "missing answer (答案)"),
        (
            7,
            "missing source (出处): cite the law article or standard clause",
        ),
        (
            9,
            "answer letter C is out of range: there are only 2 options (A-B)",
        ),
        (11, "difficulty `很难` is not 1, 2 or 3 (易/中/难)"),
    ];
    assert_eq!(
        found,
        expected.map(|(line, message)| (line, message.to_string()))
    );
    let found = problems("empty.txt", "只是一些说明文字\n没有题目\n".as_bytes());
    assert_eq!(found.len(), 1);
    assert!(
        found[0].starts_with("empty.txt: no numbered questions found"),
        "{}",
        found[0]
    );
}

#[test]
fn pasted_markdown() {
    let text = "# 标准化法练习\n\n## 一、判断题\n\n**1.** 强制性标准必须执行。\n\n**答案：** 正确\n\n**解析：** 第二条规定强制性标准必须执行。\n\n> 出处：《标准化法》第二条\n\n\
                ## 二、单选题\n\n1\\. 推荐性国家标准由谁制定？\n\n- A. 国务院标准化行政主管部门\n- B. 省级人民政府\n\n【答案】A\n\n【解析】第十一条。\n\n【出处】《标准化法》第十一条\n";
    let (set, questions) = check_set("law-notes.md", text.as_bytes());
    assert_eq!(set.title, "law-notes");
    assert_eq!(questions.len(), 2);
    assert_eq!(
        (questions[0].kind, key_of(&questions[0])),
        (Kind::Judge, "true".to_string())
    );
    assert_eq!(questions[0].source, "《标准化法》第二条");
    assert_eq!(questions[1].prompt, "推荐性国家标准由谁制定？");
    assert_eq!(questions[1].options.len(), 2);
}

#[test]
fn markdown_docs_in_a_bank_directory_are_not_read_as_sets() {
    let report = load_dir(&shipped());
    assert!(shipped().join("FORMAT.md").exists());
    assert!(report.problems.is_empty(), "{}", lines(&report.problems));
}

// ---------------------------------------------------------------- JSON, template, export

#[test]
fn json_array_of_sets_round_trips() {
    let (bank, sets) = shipped_sets();
    let json = serde_json::to_vec_pretty(&sets).unwrap();
    let parsed = check_sets("bank.json", &json);
    assert_eq!(parsed.len(), sets.len());
    for (header, questions) in parsed {
        for question in questions {
            assert_eq!(
                Some(question.to_record()),
                bank.get(&question.id).map(Question::to_record)
            );
        }
        assert!(sets.iter().any(|s| s.set == header));
    }
}

#[test]
fn templates_import_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    for format in ["csv", "xlsx"] {
        let quiz = dir.path().join(format!("stdquiz-template.{format}"));
        let faq = dir.path().join(format!("faq-template.{format}"));
        for (out, extra) in [(&quiz, None), (&faq, Some("--faq"))] {
            let status = stdquiz()
                .args(["template", "--format", format, "--out"])
                .arg(out)
                .args(extra)
                .status()
                .unwrap();
            assert!(status.success());
        }
        let (set, questions) =
            check_set(&quiz.display().to_string(), &std::fs::read(&quiz).unwrap());
        assert_eq!(set.id, "stdquiz-template");
        let kinds: Vec<Kind> = questions.iter().map(|q| q.kind).collect();
        assert_eq!(
            kinds,
            [Kind::Single, Kind::Multi, Kind::Judge, Kind::Fill],
            "{format}"
        );
        assert!(
            questions[3].is_correct_fill("10月14日") && questions[3].is_correct_fill("十月十四号")
        );
        assert!(questions[0].prompt_en.is_some() && questions[0].options_en.is_some());

        let store_dir = tempfile::tempdir().unwrap();
        let store = Store::open(store_dir.path()).unwrap();
        let files = [
            (quiz.to_str().unwrap(), std::fs::read(&quiz).unwrap()),
            (faq.to_str().unwrap(), std::fs::read(&faq).unwrap()),
        ];
        let files: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (*n, b.as_slice())).collect();
        let plan = plan_files(&files, &store, &Bank::default())
            .unwrap_or_else(|p| panic!("{}", lines(&p)));
        assert_eq!(
            (plan.question_count(), plan.faq_count()),
            (4, 2),
            "{format}"
        );
    }
}

#[test]
fn bank_export_round_trips_through_csv_and_xlsx() {
    let (bank, sets) = shipped_sets();
    for (name, bytes) in [
        (
            "bank.csv",
            stdquiz::bank::formats::write_sets_csv(&sets).unwrap(),
        ),
        (
            "bank.xlsx",
            stdquiz::bank::formats::write_sets_xlsx(&sets).unwrap(),
        ),
    ] {
        let parsed = check_sets(name, &bytes);
        let headers: Vec<&SetHeader> = parsed.iter().map(|(h, _)| h).collect();
        let expected: Vec<&SetHeader> = sets.iter().map(|s| &s.set).collect();
        assert_eq!(headers, expected, "{name}: set headers");
        let mut count = 0;
        for (_, questions) in &parsed {
            for question in questions {
                let original = bank
                    .get(&question.id)
                    .unwrap_or_else(|| panic!("{name}: {} not in the bank", question.id));
                assert_eq!(question.to_record(), original.to_record(), "{name}");
                assert_eq!(question.topic_en, original.topic_en, "{name}");
                count += 1;
            }
        }
        assert_eq!(count, bank.questions().len(), "{name}");
    }
}

#[test]
fn an_exported_bank_imports_as_no_change() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (_, sets) = shipped_sets();
    for format in ["csv", "xlsx", "json"] {
        let out = dir.path().join(format!("bank.{format}"));
        let status = stdquiz()
            .args(["export", "bank", "--format", format, "--out"])
            .arg(&out)
            .arg("--data")
            .arg(&data)
            .status()
            .unwrap();
        assert!(status.success());
        let run = stdquiz()
            .args(["import", "--dry-run"])
            .arg(&out)
            .arg("--data")
            .arg(&data)
            .output()
            .unwrap();
        let stdout = String::from_utf8(run.stdout).unwrap();
        assert!(
            run.status.success(),
            "{format}: {stdout}{}",
            String::from_utf8_lossy(&run.stderr)
        );
        let set_lines: Vec<&str> = stdout.lines().filter(|l| l.starts_with("set ")).collect();
        assert_eq!(set_lines.len(), sets.len(), "{format}: {stdout}");
        assert!(
            set_lines
                .iter()
                .all(|l| l.contains("(added 0, changed 0,") && l.ends_with("retired 0)")),
            "{format}: {stdout}"
        );
    }
}

// ---------------------------------------------------------------- into a store

fn demo_csv(rows: &[&str]) -> Vec<u8> {
    let mut csv = String::from("题型,题干,选项A,选项B,答案,解析,出处\n");
    for row in rows {
        csv.push_str(row);
        csv.push('\n');
    }
    csv.into_bytes()
}

const Q1: &str = "单选,世界标准日是哪一天？,10月14日,5月20日,A,纪念1946年伦敦会议。,ISO资料";
const Q2: &str = "判断,世界标准日纪念ISO正式成立。,,,错,ISO于1947年正式成立。,ISO资料";
const Q3: &str = "单选,世界计量日是哪一天？,10月14日,5月20日,B,5月20日是世界计量日。,ISO资料";

#[test]
fn a_broken_file_leaves_the_store_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let (data, questions) = (dir.path().join("data"), dir.path().join("questions"));
    std::fs::create_dir(&questions).unwrap();
    let before = {
        let store = Store::open(&data).unwrap();
        let plan = plan_files(
            &[("demo.csv", &demo_csv(&[Q1, Q2]))],
            &store,
            &Bank::default(),
        )
        .unwrap();
        apply(&store, &plan, "test", 1).unwrap();
        store.imported_sets().unwrap()
    };
    assert_eq!(before.len(), 1);
    // A good new version of demo next to a broken other file: neither lands.
    std::fs::write(dir.path().join("demo.csv"), demo_csv(&[Q1, Q2, Q3])).unwrap();
    std::fs::write(
        dir.path().join("other.csv"),
        demo_csv(&[
            "单选,缺答案的题,甲,乙,,说明。,资料",
            "多选,字母越界,甲,乙,AC,说明。,资料",
        ]),
    )
    .unwrap();
    let run = stdquiz()
        .arg("import")
        .args([dir.path().join("demo.csv"), dir.path().join("other.csv")])
        .arg("--data")
        .arg(&data)
        .arg("--questions")
        .arg(&questions)
        .output()
        .unwrap();
    let stdout = String::from_utf8(run.stdout).unwrap();
    assert_eq!(run.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("other.csv:2: ") && stdout.contains("other.csv:3: "),
        "{stdout}"
    );
    assert!(
        String::from_utf8_lossy(&run.stderr).contains("2 problem(s) found; nothing was imported")
    );
    let store = Store::open(&data).unwrap();
    assert_eq!(store.imported_sets().unwrap(), before);
}

#[test]
fn reimport_replaces_the_set_keeps_ids_and_retires_removed_questions() {
    let dir = tempfile::tempdir().unwrap();
    let questions_dir = dir.path().join("questions");
    std::fs::create_dir(&questions_dir).unwrap();
    let store = Store::open(&dir.path().join("data")).unwrap();
    let first = plan_files(
        &[("demo.csv", &demo_csv(&[Q1, Q2, Q3]))],
        &store,
        &Bank::default(),
    )
    .unwrap();
    apply(&store, &first, "test", 1).unwrap();
    let served = stdquiz::service::load_content(&questions_dir, &store).unwrap();
    let ids: Vec<String> = served
        .bank
        .questions()
        .iter()
        .map(|q| q.id.clone())
        .collect();
    assert_eq!(ids.len(), 3);

    // Version 2: Q1 unchanged, Q2 with a new explanation, Q3 removed.
    let q2_changed = Q2.replace("ISO于1947年正式成立。", "ISO于1947年2月23日正式成立。");
    let second = plan_files(
        &[("demo.csv", &demo_csv(&[Q1, &q2_changed]))],
        &store,
        &served.bank,
    )
    .unwrap();
    let set = &second.sets[0];
    assert_eq!(
        (
            set.version,
            set.added,
            set.changed,
            set.unchanged,
            set.newly_retired
        ),
        (2, 0, 1, 1, 1)
    );
    assert_eq!(set.retired, [ids[2].clone()]);
    apply(&store, &second, "test", 2).unwrap();

    let served = stdquiz::service::load_content(&questions_dir, &store).unwrap();
    let now: Vec<String> = served
        .bank
        .questions()
        .iter()
        .map(|q| q.id.clone())
        .collect();
    assert_eq!(now, ids[..2], "ids are kept");
    assert!(
        served.bank.get(&ids[2]).is_none(),
        "the retired question is no longer served"
    );
    assert_eq!(
        served.bank.get(&ids[1]).unwrap().explanation,
        "ISO于1947年2月23日正式成立。"
    );
    assert_eq!(store.imported_sets().unwrap()[0].retired, [ids[2].clone()]);
}

#[test]
fn dry_run_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (data, questions) = (dir.path().join("data"), dir.path().join("questions"));
    std::fs::create_dir(&questions).unwrap();
    let file = dir.path().join("demo.csv");
    std::fs::write(&file, demo_csv(&[Q1, Q2])).unwrap();
    let run = stdquiz()
        .args(["import", "--dry-run"])
        .arg(&file)
        .arg("--data")
        .arg(&data)
        .arg("--questions")
        .arg(&questions)
        .output()
        .unwrap();
    let stdout = String::from_utf8(run.stdout).unwrap();
    assert!(run.status.success(), "{stdout}");
    assert!(
        stdout.contains("set demo v1: 2 questions (added 2, changed 0, unchanged 0, retired 0)"),
        "{stdout}"
    );
    assert!(stdout.contains("dry run: nothing was written"));
    let store = Store::open(&data).unwrap();
    assert!(store.imported_sets().unwrap().is_empty());
}

#[test]
fn pasted_labels_may_share_a_line_and_stems_may_wrap() {
    let text = "1. 现行《标准化法》\n自何时起施行？\nA. 2017年 B. 2018年 答案：B\n解析：2018年1月1日起施行。 出处：《标准化法》第四十五条\n\
                2. 世界标准日是哪一天？\nA. 10月14日\nB. 5月20日\n【答案】A【解析】纪念1946年伦敦会议。【出处】ISO资料【难度】★★★\n\
                3. 世界计量日是每年的____。\n【答案】\n5月20日\n【解析】\n世界计量日纪念1875年《米制公约》签署。\n【出处】ISO资料\n";
    let (_, questions) = check_set("shared.txt", text.as_bytes());
    assert_eq!(questions.len(), 3);
    assert_eq!(questions[0].prompt, "现行《标准化法》\n自何时起施行？");
    assert_eq!(questions[0].options, ["2017年", "2018年"]);
    assert_eq!(key_of(&questions[0]), "B");
    assert_eq!(questions[0].explanation, "2018年1月1日起施行。");
    assert_eq!(questions[0].source, "《标准化法》第四十五条");
    assert_eq!(key_of(&questions[1]), "A");
    assert_eq!(questions[1].source, "ISO资料");
    assert_eq!(questions[1].difficulty, 3);
    assert_eq!(
        key_of(&questions[2]),
        "5月20日|re:",
        "an answer on the line after 【答案】"
    );
    assert_eq!(
        questions[2].explanation,
        "世界计量日纪念1875年《米制公约》签署。"
    );
}

// ---------------------------------------------------------------- hostile files
//
// Every file here is generated: a minimal XLSX written with the `zip` crate (inline
// strings, no shared strings), an ODS the same way. Each must be refused with a clear
// message, or read, in bounded memory and time: the CLI runs them and its peak resident
// memory is watched.

use std::io::Write as _;

fn zip_file(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        writer.start_file(*name, options).unwrap();
        for chunk in bytes.chunks(1 << 20) {
            writer.write_all(chunk).unwrap();
        }
    }
    writer.finish().unwrap().into_inner()
}

/// A one-sheet workbook around `sheet_data` (the inside of `<sheetData>`).
fn minimal_xlsx(dimension: &str, sheet_data: &[u8]) -> Vec<u8> {
    minimal_xlsx_with(dimension, sheet_data, None)
}

/// The same with a shared-strings part holding `shared_strings` (the inside of `<sst>`).
fn minimal_xlsx_with(dimension: &str, sheet_data: &[u8], shared_strings: Option<&[u8]>) -> Vec<u8> {
    let types = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#;
    let rels = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
    let workbook = r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="题库" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
    let workbook_rels = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;
    let mut sheet = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="{dimension}"/><sheetData>"#
    )
    .into_bytes();
    sheet.extend_from_slice(sheet_data);
    sheet.extend_from_slice(b"</sheetData></worksheet>");
    let Some(strings) = shared_strings else {
        return zip_file(&[
            ("[Content_Types].xml", types.as_bytes()),
            ("_rels/.rels", rels.as_bytes()),
            ("xl/workbook.xml", workbook.as_bytes()),
            ("xl/_rels/workbook.xml.rels", workbook_rels.as_bytes()),
            ("xl/worksheets/sheet1.xml", &sheet),
        ]);
    };
    let types = types.replace("</Types>", r#"<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#);
    let workbook_rels = workbook_rels.replace("</Relationships>", r#"<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#);
    let mut sst = br#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#.to_vec();
    sst.extend_from_slice(strings);
    sst.extend_from_slice(b"</sst>");
    zip_file(&[
        ("[Content_Types].xml", types.as_bytes()),
        ("_rels/.rels", rels.as_bytes()),
        ("xl/workbook.xml", workbook.as_bytes()),
        ("xl/_rels/workbook.xml.rels", workbook_rels.as_bytes()),
        ("xl/sharedStrings.xml", &sst),
        ("xl/worksheets/sheet1.xml", &sheet),
    ])
}

/// One `<row>` of inline-string cells at Excel row `number`.
fn xml_row(number: usize, cells: &[&str]) -> String {
    let mut row = format!(r#"<row r="{number}">"#);
    for (i, cell) in cells.iter().enumerate() {
        let column = (b'A' + i as u8) as char;
        row.push_str(&format!(
            r#"<c r="{column}{number}" t="inlineStr"><is><t>{cell}</t></is></c>"#
        ));
    }
    row.push_str("</row>");
    row
}

/// A header and two good questions, as rows 1-3.
fn good_rows() -> String {
    [
        xml_row(
            1,
            &["题型", "题干", "选项A", "选项B", "答案", "解析", "出处"],
        ),
        xml_row(
            2,
            &[
                "单选",
                "世界标准日是哪一天？",
                "10月14日",
                "5月20日",
                "A",
                "纪念伦敦会议。",
                "ISO资料",
            ],
        ),
        xml_row(
            3,
            &[
                "判断",
                "世界计量日是5月20日。",
                "",
                "",
                "对",
                "纪念《米制公约》。",
                "BIPM资料",
            ],
        ),
    ]
    .concat()
}

/// Runs `stdquiz import --dry-run FILE` and returns (exit code, stdout, peak resident
/// memory in MiB as watched in /proc, seconds).
fn dry_run_measured(dir: &Path, name: &str, bytes: &[u8]) -> (Option<i32>, String, u64, f64) {
    let file = dir.join(name);
    std::fs::write(&file, bytes).unwrap();
    let questions = dir.join("questions");
    std::fs::create_dir_all(&questions).unwrap();
    let mut command = stdquiz();
    command
        .args(["import", "--dry-run"])
        .arg(&file)
        .arg("--data")
        .arg(dir.join(format!("data-{name}")))
        .arg("--questions")
        .arg(&questions);
    run_measured(command)
}

/// Runs a command and returns (exit code, stdout, peak resident memory in MiB as watched
/// in /proc, seconds).
fn run_measured(mut command: Command) -> (Option<i32>, String, u64, f64) {
    let started = std::time::Instant::now();
    let mut child = command
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak_kib = 0;
    let status = loop {
        if let Ok(status) = std::fs::read_to_string(&status_path) {
            if let Some(kib) = status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            {
                peak_kib = peak_kib.max(kib);
            }
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    let mut stdout = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut stdout).unwrap();
    (
        status.code(),
        stdout,
        peak_kib / 1024,
        started.elapsed().as_secs_f64(),
    )
}

/// Peak memory a refused or bounded hostile file may take (the binary alone is ~10 MiB).
const HOSTILE_PEAK_MIB: u64 = 200;

#[test]
fn a_declared_range_of_the_whole_sheet_is_refused_before_anything_is_allocated() {
    let bytes = minimal_xlsx("A1:XFD1048576", good_rows().as_bytes());
    assert!(bytes.len() < 10_000, "{} bytes", bytes.len());
    let found = problems("huge-range.xlsx", &bytes);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains("声明的范围 A1:XFD1048576（1048576 行 × 16384 列）")
            && found[0].contains("declares the range A1:XFD1048576"),
        "{}",
        found[0]
    );
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, peak, seconds) = dry_run_measured(dir.path(), "huge-range.xlsx", &bytes);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(stdout.contains("A1:XFD1048576"), "{stdout}");
    assert!(peak < HOSTILE_PEAK_MIB, "peak {peak} MiB");
    eprintln!("huge declared range: refused, peak {peak} MiB, {seconds:.2} s");
    // A range a template may really declare (formatted down to row 65536) is read.
    let bytes = minimal_xlsx("A1:Z65536", good_rows().as_bytes());
    assert_eq!(check_set("formatted.xlsx", &bytes).1.len(), 2);
}

#[test]
fn two_million_empty_rows_read_in_bounded_memory() {
    let mut data = good_rows();
    for number in 4..2_000_004 {
        data.push_str(&format!(r#"<row r="{number}"/>"#));
    }
    let bytes = minimal_xlsx("A1:G3", data.as_bytes());
    eprintln!(
        "2,000,000 empty rows: {} KiB packed, {} MiB unpacked",
        bytes.len() / 1024,
        data.len() >> 20
    );
    assert_eq!(check_set("empty-rows.xlsx", &bytes).1.len(), 2);
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, peak, seconds) = dry_run_measured(dir.path(), "empty-rows.xlsx", &bytes);
    assert_eq!(code, Some(0), "{stdout}");
    assert!(stdout.contains("2 questions"), "{stdout}");
    assert!(peak < HOSTILE_PEAK_MIB, "peak {peak} MiB");
    eprintln!("2,000,000 empty rows: read, peak {peak} MiB, {seconds:.2} s");
}

#[test]
fn rows_past_the_limit_stop_the_reading_with_one_message() {
    let rows = stdquiz::bank::limits::MAX_ROWS + 10;
    let mut data = good_rows();
    for number in 4..rows + 4 {
        data.push_str(&xml_row(
            number,
            &["单选", &format!("第{number}题"), "甲", "乙", "A"],
        ));
    }
    let bytes = minimal_xlsx("A1:E1", data.as_bytes());
    let found = problems("many-rows.xlsx", &bytes);
    assert_eq!(found.len(), 1, "{:?}", &found[..found.len().min(3)]);
    assert!(
        found[0].contains("有内容行超过 20000 行的上限")
            && found[0].contains("more than 20000 rows"),
        "{}",
        found[0]
    );
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, peak, seconds) = dry_run_measured(dir.path(), "many-rows.xlsx", &bytes);
    assert_eq!(code, Some(1));
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(peak < HOSTILE_PEAK_MIB, "peak {peak} MiB");
    eprintln!("{rows} rows: refused, peak {peak} MiB, {seconds:.2} s");
}

#[test]
fn a_zip_bomb_is_refused_by_its_unpacked_size() {
    // 120 MiB of blanks between two rows: valid XML, a few hundred KiB packed.
    let mut data = good_rows().into_bytes();
    data.resize(data.len() + (120 << 20), b' ');
    let bytes = minimal_xlsx("A1:G3", &data);
    drop(data);
    let bomb = bytes.clone();
    assert!(bytes.len() < stdquiz::import::MAX_UPLOAD_BYTES);
    let found = problems("bomb.xlsx", &bytes);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains("xl/worksheets/sheet1.xml") && found[0].contains("over the 40 MB limit"),
        "{}",
        found[0]
    );
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, peak, seconds) = dry_run_measured(dir.path(), "bomb.xlsx", &bytes);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(peak < HOSTILE_PEAK_MIB, "peak {peak} MiB");
    eprintln!(
        "zip bomb ({} KiB packed, 120 MiB unpacked): refused, peak {peak} MiB, {seconds:.2} s",
        bytes.len() / 1024
    );
    // The same bomb with its headers claiming 1000 bytes: the real size is counted.
    let lying = claim_size(bomb, "xl/worksheets/sheet1.xml", 1000);
    let found = problems("lying.xlsx", &lying);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains("unpacks to 40 MB or more"),
        "{}",
        found[0]
    );
}

/// Rewrites the uncompressed size an archive's local and central headers give `entry`.
fn claim_size(mut bytes: Vec<u8>, entry: &str, size: u32) -> Vec<u8> {
    let u16_at =
        |bytes: &[u8], at: usize| usize::from(u16::from_le_bytes([bytes[at], bytes[at + 1]]));
    let mut at = 0;
    while at + 46 < bytes.len() {
        let (name_at, size_at) = match &bytes[at..at + 4] {
            b"PK\x03\x04" => (at + 30, at + 22),
            b"PK\x01\x02" => (at + 46, at + 24),
            _ => {
                at += 1;
                continue;
            }
        };
        let name_length = u16_at(&bytes, if name_at == at + 30 { at + 26 } else { at + 28 });
        if bytes.get(name_at..name_at + name_length) == Some(entry.as_bytes()) {
            bytes[size_at..size_at + 4].copy_from_slice(&size.to_le_bytes());
        }
        at += 4;
    }
    bytes
}

#[test]
fn a_flood_of_shared_strings_is_refused_before_calamine_loads_them() {
    let limit = stdquiz::bank::limits::MAX_SHARED_STRINGS;
    // A real shared string, used by a cell, then empty ones up to the limit: read.
    let cell = r#"<row r="4"><c r="A4" t="s"><v>0</v></c></row>"#;
    let mut strings = b"<si><t>shared</t></si>".to_vec();
    strings.extend(b"<si/>".repeat(limit - 1));
    let data = format!("{}{cell}", good_rows());
    let bytes = minimal_xlsx_with("A1:G4", data.as_bytes(), Some(&strings));
    assert!(problems("at-limit.xlsx", &bytes)
        .iter()
        .any(|p| p.contains(":4: ")));
    strings.extend(b"<si/>");
    let bytes = minimal_xlsx_with("A1:G4", data.as_bytes(), Some(&strings));
    let found = problems("sst.xlsx", &bytes);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains("more than 400000 shared strings"),
        "{}",
        found[0]
    );
}

#[test]
fn a_file_over_the_upload_limit_is_refused_from_its_size() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.xlsx");
    // 2 GiB of nothing (a sparse file): the CLI must not read it to learn its size.
    std::fs::File::create(&file)
        .unwrap()
        .set_len(2 << 30)
        .unwrap();
    let mut command = stdquiz();
    command
        .args(["import", "--dry-run"])
        .arg(&file)
        .arg("--data")
        .arg(dir.path().join("data"));
    let (code, stdout, peak, _) = run_measured(command);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(
        stdout.contains("文件大小 2048.0 MB，超过 5 MB 的上限"),
        "{stdout}"
    );
    assert!(peak < HOSTILE_PEAK_MIB, "peak {peak} MiB");
}

#[test]
fn a_cell_far_to_the_right_is_refused() {
    let mut data = good_rows();
    data.push_str(r#"<row r="4"><c r="ZZ4" t="inlineStr"><is><t>x</t></is></c></row>"#);
    let found = problems("wide.xlsx", &minimal_xlsx("A1:G3", data.as_bytes()));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains("第 4 行在第 64 列之后还有内容"),
        "{}",
        found[0]
    );
}

/// A minimal ODS whose one table holds `rows` (the inside of `<table:table>`).
fn minimal_ods(rows: &str) -> Vec<u8> {
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="题库">{rows}</table:table></office:spreadsheet></office:body></office:document-content>"#
    );
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    zip_file(&[
        (
            "mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet",
        ),
        ("content.xml", content.as_bytes()),
        ("META-INF/manifest.xml", manifest.as_bytes()),
    ])
}

fn ods_row(cells: &[&str], repeat: usize) -> String {
    let mut row = format!(r#"<table:table-row table:number-rows-repeated="{repeat}">"#);
    for cell in cells {
        if cell.is_empty() {
            row.push_str("<table:table-cell/>");
        } else {
            row.push_str(&format!(
                r#"<table:table-cell office:value-type="string"><text:p>{cell}</text:p></table:table-cell>"#
            ));
        }
    }
    row.push_str("</table:table-row>");
    row
}

#[test]
fn ods_reads_and_its_repeated_rows_are_bounded() {
    let header = ods_row(
        &["题目类型", "题目", "A", "B", "参考答案", "试题解析", "依据"],
        1,
    );
    let question = ods_row(
        &[
            "单选题",
            "世界标准日是哪一天？",
            "10月14日",
            "5月20日",
            "A",
            "纪念伦敦会议。",
            "ISO资料",
        ],
        1,
    );
    // LibreOffice ends a table with its empty rows repeated up to the sheet's end.
    let trailing = r#"<table:table-row table:number-rows-repeated="1048570"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>"#;
    let bytes = minimal_ods(&format!("{header}{question}{trailing}"));
    let (_, questions) = check_set("libre.ods", &bytes);
    assert_eq!(questions.len(), 1);
    assert_eq!(key_of(&questions[0]), "A");

    // One row with content repeated a million times is refused before calamine expands it.
    let repeated = ods_row(
        &["单选", "重复的题", "甲", "乙", "A", "说明。", "资料"],
        1_000_000,
    );
    let bytes = minimal_ods(&format!("{header}{repeated}"));
    let found = problems("repeated.ods", &bytes);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("超过 20000 行的上限"), "{}", found[0]);
    let dir = tempfile::tempdir().unwrap();
    let (code, _, peak, seconds) = dry_run_measured(dir.path(), "repeated.ods", &bytes);
    assert_eq!(code, Some(1));
    assert!(peak < HOSTILE_PEAK_MIB, "peak {peak} MiB");
    eprintln!("ODS row repeated 1,000,000 times: refused, peak {peak} MiB, {seconds:.2} s");
}

#[test]
fn text_formats_are_bounded_too() {
    use stdquiz::bank::limits::{MAX_QUESTIONS, MAX_ROWS};
    let mut csv = String::from("题型,题干,选项A,选项B,答案,解析,出处\n");
    for i in 0..MAX_ROWS + 5 {
        csv.push_str(&format!("单选,第{i}题,甲,乙,A,说明。,资料\n"));
    }
    let found = problems("rows.csv", csv.as_bytes());
    assert_eq!(found.len(), 1);
    assert!(found[0].contains("more than 20000 rows"), "{}", found[0]);
    let wide = format!("题型,题干\n单选,题{}x\n", ",".repeat(100));
    let found = problems("wide.csv", wide.as_bytes());
    assert!(found[0].contains("beyond column 64"), "{}", found[0]);
    let paste: String = (1..=MAX_QUESTIONS + 1)
        .map(|i| format!("{i}. 题\n"))
        .collect();
    let found = problems("many.txt", paste.as_bytes());
    assert_eq!(found.len(), 1);
    assert!(found[0].contains("at most 10000 questions"), "{}", found[0]);
    let json = format!(
        r#"{{"set": {{"id": "x", "title": "x"}}, "question": [{}{{}}]}}"#,
        "{},".repeat(4 * MAX_QUESTIONS)
    );
    let found = problems("flood.json", json.as_bytes());
    assert_eq!(found.len(), 1);
    assert!(found[0].contains("at most 10000 questions"), "{}", found[0]);
}

#[test]
fn a_flood_of_problems_lists_the_first_fifty_and_counts_the_rest() {
    let mut csv = String::from("题型,题干,选项A,选项B,答案,解析,出处\n");
    for i in 0..300 {
        csv.push_str(&format!("单选,第{i}题,甲,乙,,说明。,资料\n"));
    }
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let found = plan_files(&[("flood.csv", csv.as_bytes())], &store, &Bank::default()).unwrap_err();
    assert_eq!(
        found.len(),
        stdquiz::bank::limits::MAX_REPORTED_PROBLEMS + 1
    );
    assert!(
        found[50]
            .message
            .contains("另有 250 个问题未列出（共 300 个）")
            && found[50]
                .message
                .contains("250 more problems not listed (300 in all)"),
        "{}",
        found[50]
    );
}

// ---------------------------------------------------------------- platforms' layouts

fn fixture(name: &str) -> (String, Vec<u8>) {
    let path = format!("tests/fixtures/import/{name}");
    let bytes = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(&path)).unwrap();
    (path, bytes)
}

/// Plans one file against an empty store, panicking with every problem.
fn plan_one(name: &str, bytes: &[u8]) -> ImportPlan {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    plan_files(&[(name, bytes)], &store, &Bank::default())
        .unwrap_or_else(|problems| panic!("{}", lines(&problems)))
}

/// The questions a plan would serve, validated again from its records.
fn planned_questions(plan: &ImportPlan) -> Vec<Question> {
    plan.set_files()
        .iter()
        .flat_map(|file| {
            let (sets, problems) = stdquiz::import::validate_file(file, &file.set.id);
            assert!(problems.is_empty(), "{}", lines(&problems));
            sets.into_iter().flat_map(|(_, questions)| questions)
        })
        .collect()
}

#[test]
fn kaoshixing_csv_with_its_own_headers_kinds_and_answers_imports() {
    // 题号, 试题类型, 题目, 正确答案, 答案解析, 难度 易/中/难, 分值; kinds 单选题/多选题/
    // 判断题/填空题; answers `A,B,C`, `A、B、C`, √/×; no 出处 column at all.
    let (name, bytes) = fixture("kaoshixing.csv");
    let plan = plan_one(&name, &bytes);
    let questions = planned_questions(&plan);
    let kinds: Vec<Kind> = questions.iter().map(|q| q.kind).collect();
    use Kind::*;
    assert_eq!(
        kinds,
        [Single, Multi, Multi, Judge, Judge, Fill, Single, Single]
    );
    let keys: Vec<String> = questions.iter().map(key_of).collect();
    assert_eq!(keys[..5], ["C", "ABC", "ABC", "true", "false"]);
    assert!(questions[5].is_correct_fill("十月十四日"));
    let levels: Vec<u8> = questions.iter().map(|q| q.difficulty).collect();
    assert_eq!(levels[..3], [1, 2, 3]);
    // Two questions share the stem 下列说法正确的是（ ）: distinct ids all the same.
    assert_ne!(questions[6].id, questions[7].id);
    assert_eq!(questions[6].prompt, questions[7].prompt);
    // No 出处: one warning counting the rows, and the set-level source is what learners see.
    assert_eq!(plan.sets[0].unsourced, 8);
    assert_eq!(plan.warnings.len(), 1, "{:?}", plan.warnings);
    assert!(
        plan.warnings[0].contains("有 8 题未注明出处") && plan.warnings[0].contains("8 questions"),
        "{}",
        plan.warnings[0]
    );
    assert!(questions
        .iter()
        .all(|q| q.source == "导入文件 kaoshixing.csv（未注明出处）"));
    // The mapping as the dry run shows it.
    let mapping = plan.mappings[0].describe();
    assert_eq!(
        mapping,
        "试题类型 → 题型, 题目 → 题干, 选项A, 选项B, 选项C, 选项D, 正确答案 → 答案, 答案解析 → 解析, 难度; ignored: 题号, 分值"
    );
}

#[test]
fn shipped_content_still_needs_a_source_on_every_question() {
    let dir = tempfile::tempdir().unwrap();
    let (_, bytes) = fixture("kaoshixing.csv");
    std::fs::write(dir.path().join("kaoshixing.csv"), bytes).unwrap();
    let out = stdquiz().arg("check").arg(dir.path()).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert_eq!(
        stdout.matches("missing source (出处)").count(),
        8,
        "{stdout}"
    );
}

#[test]
fn pasted_text_without_sources_imports_with_a_set_source() {
    let (name, bytes) = fixture("wenjuanxing-paste.txt");
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let files = vec![(name.clone(), bytes.clone())];
    let options = stdquiz::import::ImportOptions {
        source: Some("《中华人民共和国标准化法》（2017年修订）".into()),
    };
    let plan = stdquiz::import::plan_with(&files, &[], &Bank::default(), &options)
        .unwrap_or_else(|p| panic!("{}", lines(&p)));
    let questions = planned_questions(&plan);
    let kinds: Vec<Kind> = questions.iter().map(|q| q.kind).collect();
    use Kind::*;
    assert_eq!(kinds, [Single, Single, Multi, Multi, Judge, Fill]);
    assert_eq!(key_of(&questions[2]), "ABC", "answers separated by `;`");
    assert_ne!(questions[0].id, questions[1].id, "same stem, other options");
    assert!(questions
        .iter()
        .all(|q| q.source == "《中华人民共和国标准化法》（2017年修订）"));
    assert_eq!(plan.sets[0].unsourced, 6);
    // The admin picks another source in the chat preview.
    let mut plan = plan;
    plan.set_source("标准化法宣传资料").unwrap();
    assert!(planned_questions(&plan)
        .iter()
        .all(|q| q.source == "标准化法宣传资料"));
    assert!(plan.warnings[0].contains("标准化法宣传资料"));
    assert!(plan.set_source(&"长".repeat(500)).is_err());
    apply(&store, &plan, "test", 1).unwrap();

    // A pending import keeps only the records: the default source is replaced there.
    let plan = plan_one(&name, &bytes);
    let mut files = plan.set_files();
    let old = stdquiz::import::default_source(&name);
    assert_eq!(old, "导入文件 wenjuanxing-paste.txt（未注明出处）");
    assert_eq!(
        stdquiz::import::replace_source(&mut files, &old, "宣传资料"),
        Ok(6)
    );
    assert!(files[0]
        .questions
        .iter()
        .all(|r| r.source.as_deref() == Some("宣传资料")));
}

#[test]
fn workbook_with_a_title_row_and_one_sheet_per_kind_makes_one_set() {
    // 钉钉/腾讯问卷 habit: one sheet per kind, no 题型 column, a title row above the header.
    let single: &[&[&str]] = &[
        &["单选题（每题2分）"],
        &[],
        &[
            "序号",
            "题目",
            "选项 A",
            "选项 B",
            "选项 C",
            "标准答案",
            "试题解析",
            "知识点",
            "难易程度",
        ],
        &[
            "1",
            "世界标准日是哪一天？",
            "10月14日",
            "5月20日",
            "2月23日",
            "A",
            "纪念伦敦会议。",
            "世界标准日",
            "1",
        ],
        &[
            "2",
            "ISO正式成立于哪一年？",
            "1946年",
            "1947年",
            "1906年",
            "B",
            "1947年2月23日。",
            "",
            "5",
        ],
    ];
    let multi: &[&[&str]] = &[
        &[
            "题目",
            "A",
            "B",
            "C",
            "D",
            "参考答案",
            "解析",
            "章节",
            "难度",
        ],
        &[
            "下列属于我国标准种类的有（ ）",
            "国家标准",
            "团体标准",
            "企业标准",
            "部门标准",
            "A、B、C",
            "第二条。",
            "标准化法",
            "3",
        ],
    ];
    let judge: &[&[&str]] = &[
        &["题目", "A选项", "B选项", "答案", "答案解析", "分类"],
        &[
            "团体标准须经政府批准后发布。",
            "正确",
            "错误",
            "B",
            "自主制定发布。",
            "标准化法",
        ],
        &[
            "世界计量日是5月20日。",
            "",
            "",
            "是",
            "纪念《米制公约》。",
            "计量",
        ],
    ];
    let notes: &[&[&str]] = &[&["填写说明：答案写字母"]];
    let bytes = xlsx(&[
        ("说明", notes),
        ("单选题", single),
        ("多选题", multi),
        ("判断题", judge),
    ]);
    let plan = plan_one("钉钉考试.xlsx", &bytes);
    assert_eq!(plan.sets.len(), 1);
    let questions = planned_questions(&plan);
    let kinds: Vec<Kind> = questions.iter().map(|q| q.kind).collect();
    use Kind::*;
    assert_eq!(kinds, [Single, Single, Multi, Judge, Judge]);
    let keys: Vec<String> = questions.iter().map(key_of).collect();
    assert_eq!(keys, ["A", "B", "ABC", "false", "true"]);
    // 1-5 difficulty (a 5 in the column) on the 1-3 scale.
    assert_eq!(questions[0].difficulty, 1);
    assert_eq!(questions[1].difficulty, 3);
    assert_eq!(questions[1].topic, "世界标准日", "知识点 carries down");
    assert_eq!(plan.mappings.len(), 3, "{:?}", plan.mappings);
    assert_eq!(plan.mappings[0].sheet.as_deref(), Some("单选题"));
    assert!(plan.mappings[0].describe().contains("标准答案 → 答案"));
    let summary = plan.summary_lines();
    assert!(
        summary[0].starts_with("columns of 钉钉考试.xlsx[单选题]: 题目 → 题干"),
        "{summary:?}"
    );
    // A problem on a later sheet names that sheet.
    let broken: &[&[&str]] = &[
        &["题目", "A", "B", "答案", "解析"],
        &["缺答案的题", "甲", "乙", "", "说明。"],
    ];
    let found = problems(
        "两表.xlsx",
        &xlsx(&[("单选题", single), ("第二页", broken)]),
    );
    assert!(
        found.iter().any(|p| p.starts_with("两表.xlsx[第二页]:2: ")),
        "{found:?}"
    );
}

#[test]
fn section_rows_inside_a_sheet_name_the_kind() {
    // Word-to-Excel 题库 habit: 一、单选题 / 二、判断题 rows between the questions.
    let csv = "题目,选项A,选项B,答案,解析,出处\n\
               一、单项选择题,,,,,\n\
               世界标准日是哪一天？,10月14日,5月20日,A,纪念伦敦会议。,ISO资料\n\
               二、判断题,,,,,\n\
               世界计量日是5月20日。,正确,错误,A,纪念《米制公约》。,BIPM资料\n";
    let (_, questions) = check_set("sections.csv", csv.as_bytes());
    let kinds: Vec<Kind> = questions.iter().map(|q| q.kind).collect();
    assert_eq!(kinds, [Kind::Single, Kind::Judge]);
    assert_eq!(
        key_of(&questions[1]),
        "true",
        "A when the options are 正确/错误"
    );
}

#[test]
fn header_and_kind_aliases_of_the_platforms() {
    let body = "单项选择题,世界标准日是哪一天？,10月14日,5月20日,A,纪念伦敦会议。,ISO资料\n\
                不定项选择题,下列属于国际标准组织的有,ISO,IEC,AB,三大组织之二。,ISO资料\n\
                是非题,世界计量日是5月20日。,,,T,纪念《米制公约》。,BIPM资料\n\
                填空,世界标准日是每年的____。,,,10月14日,纪念伦敦会议。,ISO资料\n";
    for header in [
        "题型,题干,选项A,选项B,答案,解析,出处",
        "题目类型,试题,A选项,B选项,参考答案,试题解析,来源",
        "试题类型,问题,选项 A,选项 B,正确答案（多选用逗号隔开）,答案解析,依据",
        "类型,题目内容,A,B,标准答案,解析,出处",
    ] {
        let (_, questions) = check_set("aliases.csv", format!("{header}\n{body}").as_bytes());
        let keys: Vec<String> = questions.iter().map(key_of).collect();
        assert_eq!(keys[..3], ["A", "AB", "true"], "header: {header}");
        assert_eq!(questions[3].kind, Kind::Fill, "header: {header}");
    }
}

#[test]
fn ids_come_from_the_whole_question_and_survive_reimports() {
    let dir = tempfile::tempdir().unwrap();
    let questions_dir = dir.path().join("questions");
    std::fs::create_dir(&questions_dir).unwrap();
    let store = Store::open(&dir.path().join("data")).unwrap();
    let csv = demo_csv(&[
        "单选,下列说法正确的是（ ）,行业标准可以是强制性的,国家标准分为强制性和推荐性,B,第二条。,资料",
        "单选,下列说法正确的是（ ）,企业标准须经批准,企业标准自我声明公开,B,第二十七条。,资料",
    ]);
    let first = plan_files(&[("demo.csv", &csv)], &store, &Bank::default()).unwrap();
    apply(&store, &first, "test", 1).unwrap();
    let served = stdquiz::service::load_content(&questions_dir, &store).unwrap();
    let ids: Vec<String> = served
        .bank
        .questions()
        .iter()
        .map(|q| q.id.clone())
        .collect();
    assert_eq!(ids.len(), 2);
    assert_ne!(ids[0], ids[1]);
    // The same file again: nothing changes; a fixed explanation keeps the id.
    let again = plan_files(&[("demo.csv", &csv)], &store, &served.bank).unwrap();
    assert_eq!((again.sets[0].added, again.sets[0].unchanged), (0, 2));
    let fixed = String::from_utf8(csv.clone())
        .unwrap()
        .replace("第二条。", "《标准化法》第二条。");
    let fixed = plan_files(&[("demo.csv", fixed.as_bytes())], &store, &served.bank).unwrap();
    assert_eq!((fixed.sets[0].changed, fixed.sets[0].added), (1, 0));

    // A set stored before ids came from the whole question: its records have no ids, and
    // their ids come from the stem. Re-importing the same file keeps those ids.
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("data")).unwrap();
    let mut old = first.clone();
    for record in &mut old.sets[0].file.questions {
        record.id = None;
    }
    old.sets[0].file.questions.truncate(1);
    apply(&store, &old, "test", 1).unwrap();
    let served = stdquiz::service::load_content(&questions_dir, &store).unwrap();
    let old_id = served.bank.questions()[0].id.clone();
    assert_ne!(
        old_id, ids[0],
        "the stem-derived id differs from the new one"
    );
    let one = demo_csv(&[
        "单选,下列说法正确的是（ ）,行业标准可以是强制性的,国家标准分为强制性和推荐性,B,第二条。,资料",
    ]);
    let reimport = plan_files(&[("demo.csv", &one)], &store, &served.bank).unwrap();
    assert_eq!(
        (
            reimport.sets[0].unchanged,
            reimport.sets[0].added,
            reimport.sets[0].newly_retired
        ),
        (1, 0, 0)
    );
    assert_eq!(
        reimport.sets[0].file.questions[0].id.as_deref(),
        Some(old_id.as_str())
    );
}

#[test]
fn names_that_would_flood_replies_are_refused() {
    let long_topic = "标".repeat(31);
    let csv = format!(
        "题型,题干,选项A,选项B,答案,解析,出处,知识点\n\
         单选,世界标准日是哪一天？,10月14日,5月20日,A,纪念伦敦会议。,ISO资料,{long_topic}\n"
    );
    let found = problems("topic.csv", csv.as_bytes());
    assert!(
        found
            .iter()
            .any(|p| p.contains("has 31 characters; the limit is 30")),
        "{found:?}"
    );
    // More than 100 topics in one import: nearly always a shifted column.
    let mut csv = String::from("题型,题干,选项A,选项B,答案,解析,出处,知识点\n");
    for i in 0..101 {
        csv.push_str(&format!(
            "单选,第{i}题是哪一天？,10月14日,5月20日,A,说明。,资料,知识点{i}\n"
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let found =
        plan_files(&[("topics.csv", csv.as_bytes())], &store, &Bank::default()).unwrap_err();
    assert!(found[0].message.contains("101 topics"), "{}", lines(&found));
}

#[test]
fn dry_run_prints_the_mapping_and_the_missing_source_warning() {
    let dir = tempfile::tempdir().unwrap();
    let (data, questions) = (dir.path().join("data"), dir.path().join("questions"));
    std::fs::create_dir(&questions).unwrap();
    let (_, bytes) = fixture("kaoshixing.csv");
    let file = dir.path().join("kaoshixing.csv");
    std::fs::write(&file, bytes).unwrap();
    let run = |extra: &[&str]| {
        let out = stdquiz()
            .args(["import", "--dry-run"])
            .arg(&file)
            .args(extra)
            .arg("--data")
            .arg(&data)
            .arg("--questions")
            .arg(&questions)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let stdout = run(&[]);
    assert!(
        stdout.contains("题目 → 题干") && stdout.contains("ignored: 题号, 分值"),
        "{stdout}"
    );
    assert!(
        stdout.contains("warning: ") && stdout.contains("有 8 题未注明出处"),
        "{stdout}"
    );
    assert!(
        stdout.contains("导入文件 kaoshixing.csv（未注明出处）"),
        "{stdout}"
    );
    let stdout = run(&["--source", "考试星题库（2024）"]);
    assert!(
        stdout.contains("学员将看到出处「考试星题库（2024）」"),
        "{stdout}"
    );
}

// ---------------------------------------------------------------- .xls (BIFF8)

fn biff_record(stream: &mut Vec<u8>, kind: u16, data: &[u8]) {
    stream.extend_from_slice(&kind.to_le_bytes());
    stream.extend_from_slice(&(data.len() as u16).to_le_bytes());
    stream.extend_from_slice(data);
}

/// An Excel 97-2003 workbook with one sheet: a compound file whose `Workbook` stream
/// holds BIFF8 records, text cells as LABEL records. `dimensions` is what the sheet's
/// DIMENSIONS record declares: (first row, last row + 1, first column, last column + 1).
fn minimal_xls(cells: &[(u16, u16, &str)], dimensions: (u32, u32, u16, u16)) -> Vec<u8> {
    let bof = |kind: u16| {
        let mut data = vec![0x00, 0x06];
        data.extend_from_slice(&kind.to_le_bytes());
        data.extend_from_slice(&[0; 12]);
        data
    };
    let sheet_name: Vec<u16> = "题库".encode_utf16().collect();
    let mut globals = Vec::new();
    biff_record(&mut globals, 0x0809, &bof(0x0005));
    biff_record(&mut globals, 0x0042, &1200u16.to_le_bytes());
    let boundsheet_at = globals.len();
    let mut boundsheet = vec![0; 4];
    boundsheet.extend_from_slice(&[0, 0, sheet_name.len() as u8, 1]);
    boundsheet.extend(sheet_name.iter().flat_map(|u| u.to_le_bytes()));
    biff_record(&mut globals, 0x0085, &boundsheet);
    biff_record(&mut globals, 0x000A, &[]);
    let sheet_at = globals.len() as u32;
    globals[boundsheet_at + 4..boundsheet_at + 8].copy_from_slice(&sheet_at.to_le_bytes());
    let mut stream = globals;
    biff_record(&mut stream, 0x0809, &bof(0x0010));
    let (first_row, last_row, first_column, last_column) = dimensions;
    let mut dimension = Vec::new();
    dimension.extend_from_slice(&first_row.to_le_bytes());
    dimension.extend_from_slice(&last_row.to_le_bytes());
    dimension.extend_from_slice(&first_column.to_le_bytes());
    dimension.extend_from_slice(&last_column.to_le_bytes());
    dimension.extend_from_slice(&[0, 0]);
    biff_record(&mut stream, 0x0200, &dimension);
    for (row, column, text) in cells {
        let units: Vec<u16> = text.encode_utf16().collect();
        let mut label = Vec::new();
        label.extend_from_slice(&row.to_le_bytes());
        label.extend_from_slice(&column.to_le_bytes());
        label.extend_from_slice(&[0, 0]);
        label.extend_from_slice(&(units.len() as u16).to_le_bytes());
        label.push(1);
        label.extend(units.iter().flat_map(|u| u.to_le_bytes()));
        biff_record(&mut stream, 0x0204, &label);
    }
    biff_record(&mut stream, 0x000A, &[]);
    let mut file = cfb::CompoundFile::create(std::io::Cursor::new(Vec::new())).unwrap();
    file.create_stream("/Workbook")
        .unwrap()
        .write_all(&stream)
        .unwrap();
    file.flush().unwrap();
    file.into_inner().into_inner()
}

fn xls_cells(rows: &[&[&str]]) -> Vec<(u16, u16, &'static str)> {
    let mut cells = Vec::new();
    for (r, row) in rows.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            if !text.is_empty() {
                let text: &'static str = Box::leak(text.to_string().into_boxed_str());
                cells.push((r as u16, c as u16, text));
            }
        }
    }
    cells
}

#[test]
fn xls_reads_and_its_declared_and_real_extents_are_bounded() {
    let rows: &[&[&str]] = &[
        &[
            "题型",
            "题目",
            "选项A",
            "选项B",
            "正确答案",
            "答案解析",
            "出处",
        ],
        &[
            "单选题",
            "世界标准日是哪一天？",
            "10月14日",
            "5月20日",
            "A",
            "纪念伦敦会议。",
            "ISO资料",
        ],
        &[
            "判断题",
            "世界计量日是5月20日。",
            "",
            "",
            "√",
            "纪念《米制公约》。",
            "BIPM资料",
        ],
    ];
    let cells = xls_cells(rows);
    let bytes = minimal_xls(&cells, (0, 3, 0, 7));
    let (_, questions) = check_set("old-excel.xls", &bytes);
    assert_eq!(questions.len(), 2);
    assert_eq!(
        (key_of(&questions[0]), key_of(&questions[1])),
        ("A".into(), "true".into())
    );

    // A DIMENSIONS record declaring four billion rows: calamine would reserve that many
    // cells (an allocation that aborts the process), so it is refused before.
    let hostile = minimal_xls(&cells, (0, 4_000_000_000, 0, 256));
    let found = problems("declared.xls", &hostile);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains("声明的范围 A1:IV4000000000（4000000000 行 × 256 列）"),
        "{}",
        found[0]
    );
    let dir = tempfile::tempdir().unwrap();
    let (code, _, peak, seconds) = dry_run_measured(dir.path(), "declared.xls", &hostile);
    assert_eq!(code, Some(1));
    assert!(peak < HOSTILE_PEAK_MIB, "peak {peak} MiB");
    eprintln!("XLS declaring 4e9 rows: refused, peak {peak} MiB, {seconds:.2} s");

    // Two cells at opposite corners: calamine would build the dense range between them.
    let mut corners = cells.clone();
    corners.push((65_535, 255, "角落"));
    let found = problems("corners.xls", &minimal_xls(&corners, (0, 3, 0, 7)));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains("工作表 题库 的数据区域达 65536 行 × 256 列")
            && found[0].contains("spans 65536 rows × 256 columns"),
        "{}",
        found[0]
    );
}
