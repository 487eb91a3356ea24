//! `stdquiz check`: the shipped bank is clean, and a broken file is reported line by line.

use std::process::Command;

fn stdquiz() -> Command {
    Command::new(env!("CARGO_BIN_EXE_stdquiz"))
}

#[test]
fn the_shipped_bank_passes_check() {
    let out = stdquiz()
        .args(["check", "questions"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let questions: usize = stdout
        .split_whitespace()
        .skip_while(|w| *w != "sets,")
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    assert!(questions >= 500, "{stdout}");
    let topics = stdout.lines().filter(|line| line.starts_with("  ")).count();
    assert!(
        stdout.contains(&format!("topics ({topics}):")) && topics >= 11,
        "{stdout}"
    );
}

const BROKEN: &str = r#"[set]
id = "broken"
title = "坏文件"

[[question]]
id = "b-1"
kind = "single"
prompt = "第一题"
options = ["甲", "乙"]
answer = "C"
explanation = "x"
source = "y"

[[question]]
id = "b-1"
kind = "multi"
prompt = "重复编号"
options = ["甲", "乙", "丙"]
answer = "A"
explanation = "x"
source = "y"

[[question]]
id = "b-3"
kind = "judge"
prompt = "判断"
answer = "maybe"
explanation = "x"
source = "y"

[[question]]
id = "b-4"
kind = "fill"
prompt = "填空"
patterns = ["(unclosed"]
explanation = "x"
source = "y"

[[question]]
id = "b-5"
kind = "fill"
prompt = "填空"
explanation = "x"
source = "y"

[[question]]
id = "b-6"
kind = "single"
prompt = ""
options = ["甲", "甲"]
answer = "A"
explanation = "x"
source = "y"
colour = "red"

[[question]]
id = "b-7"
kind = "single"
prompt = "LONG"
options = ["甲", "乙"]
answer = "A"
explanation = "x"
source = "y"
"#;

#[test]
fn a_broken_file_reports_every_problem_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let long = "很".repeat(5000);
    std::fs::write(
        dir.path().join("broken.toml"),
        BROKEN.replace("\"LONG\"", &format!("\"{long}\"")),
    )
    .unwrap();
    std::fs::write(dir.path().join("empty.toml"), "\n\n").unwrap();
    std::fs::write(
        dir.path().join("latin1.toml"),
        b"[set]\nid = \"x\"\ntitle = \"caf\xe9\"\n",
    )
    .unwrap();
    let out = stdquiz().arg("check").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let expect = [
        "broken.toml:10: question b-1: answer letter C is out of range",
        "broken.toml:15: question b-1: duplicate id `b-1`",
        "broken.toml:19: question b-1: multi-choice answer `A` needs at least 2 correct letters",
        "broken.toml:27: question b-3: judge answer `maybe` is not true/false",
        "broken.toml:35: question b-4: invalid regex `(unclosed`",
        "broken.toml:39: question b-5: fill question without accepted answers or patterns",
        "empty.toml: empty file",
        "latin1.toml:3: invalid UTF-8",
    ];
    for line in expect {
        assert!(stdout.contains(line), "missing `{line}` in:\n{stdout}");
    }
    // The unknown field stops that question's decoding, reported on its own line.
    assert!(
        stdout.contains("broken.toml:54: question b-6: unknown field `colour`"),
        "{stdout}"
    );
    assert!(stdout.contains("question b-7: prompt has 5000 characters, over Telegram's 4096-character message limit"), "{stdout}");
}

#[test]
fn empty_prompts_and_duplicate_options_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let text = BROKEN.replace("colour = \"red\"\n", "");
    std::fs::write(dir.path().join("b.toml"), text).unwrap();
    let out = stdquiz()
        .arg("check")
        .arg(dir.path().join("b.toml"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("b.toml:49: question b-6: empty prompt"),
        "{stdout}"
    );
    assert!(
        stdout.contains("b.toml:50: question b-6: duplicate option B"),
        "{stdout}"
    );
}

#[test]
fn knowledge_entry_problems_carry_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("faq")).unwrap();
    let entries = "[[entry]]\nid = \"kb-1\"\nquestion = \"什么是标准？\"\nanswer = \"……\"\n\
                   source = \"GB/T 20000.1\"\n\n[[entry]]\nid = \"kb-2\"\nquestion = \"\"\n\
                   answer = \"无\"\nsource = \"\"\n\n[[entry]]\nid = \"kb-1\"\n\
                   question = \"又一条\"\nanswer = \"重复\"\nsource = \"某处\"\n";
    std::fs::write(dir.path().join("faq/kb.toml"), entries).unwrap();
    let out = stdquiz().arg("check").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    for line in [
        "kb.toml:7: question kb-2: empty question",
        "kb.toml:7: question kb-2: missing source",
        "kb.toml:13: question kb-1: duplicate id `kb-1`",
    ] {
        assert!(stdout.contains(line), "missing `{line}` in:\n{stdout}");
    }
}
