//! The real binary driven through piped stdin: take a quiz, quit, come back, same stats.

use std::io::Write;
use std::process::{Command, Stdio};

fn stdquiz() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_stdquiz"));
    command.current_dir(env!("CARGO_MANIFEST_DIR"));
    command
}

fn chat(data: &std::path::Path, input: &str) -> String {
    let mut child = stdquiz()
        .args(["chat", "--data"])
        .arg(data)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Runs `stdquiz ARGS --data DATA` and parses what it prints as JSON.
fn run_json(data: &std::path::Path, args: &[&str]) -> serde_json::Value {
    let out = stdquiz()
        .args(args)
        .arg("--data")
        .arg(data)
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

fn stats_block(transcript: &str) -> String {
    let start = transcript.rfind("📊 我的成绩").expect("a stats reply");
    transcript[start..]
        .lines()
        .take(6)
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_user_takes_a_quiz_quits_and_finds_the_same_stats() {
    let data = tempfile::tempdir().unwrap();
    // Ten answers of "A" (wrong or right), typed; fill questions take "A" as text.
    let mut input = String::from("/quiz\n");
    for _ in 0..10 {
        input.push_str("A\n对\n");
    }
    input.push_str("/stats\n/quit\n");
    let first = chat(data.path(), &input);
    assert!(
        first.contains("📝 开始练习：全部知识点，共 10 题。"),
        "{first}"
    );
    assert!(first.contains("🎯 练习结束"), "{first}");
    assert!(first.contains("解析：") && first.contains("出处："));
    let before = stats_block(&first);
    assert!(before.contains("已答 10 题"), "{before}");

    let second = chat(data.path(), "/stats\n");
    assert_eq!(stats_block(&second), before);

    let out = stdquiz()
        .args(["export", "progress", "--format", "json", "--data"])
        .arg(data.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows[0]["user_id"], 1);
    assert_eq!(rows[0]["answered"], 10);
    let correct = rows[0]["correct"].as_u64().unwrap();
    assert!(
        before.contains(&format!("答对 {correct} 题")),
        "{before} vs {correct}"
    );

    let csv = stdquiz()
        .args(["export", "progress", "--format", "csv", "--data"])
        .arg(data.path())
        .output()
        .unwrap();
    let csv = String::from_utf8(csv.stdout).unwrap();
    assert!(csv.starts_with("user_id,name,answered,correct"), "{csv}");
    assert!(csv.lines().nth(1).unwrap().starts_with("1,,10,"), "{csv}");
}

#[test]
fn a_killed_chat_loses_no_acknowledged_answer() {
    let data = tempfile::tempdir().unwrap();
    let mut child = stdquiz()
        .args(["chat", "--data"])
        .arg(data.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    stdin
        .write_all("/quiz 世界标准日 5\nA\n对\nA\n对\n".as_bytes())
        .unwrap();
    stdin.flush().unwrap();
    // Wait until two feedbacks were printed, then kill -9.
    let mut seen = 0;
    let mut line = String::new();
    while seen < 2 {
        line.clear();
        if std::io::BufRead::read_line(&mut stdout, &mut line).unwrap() == 0 {
            break;
        }
        if line.starts_with("✅ 回答正确") || line.starts_with("❌ 回答错误") {
            seen += 1;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let after = chat(data.path(), "/stats\n");
    let answered: u32 = stats_block(&after)
        .split("已答 ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!(
        (2..=4).contains(&answered),
        "acknowledged answers survive the kill: {answered}"
    );
    assert!(
        after.contains("你有一场答题正在进行") || answered == 4,
        "the quiz continues after a restart"
    );
}

#[test]
fn a_second_process_on_the_same_data_dir_gets_a_clear_error() {
    let data = tempfile::tempdir().unwrap();
    let mut first = stdquiz()
        .args(["chat", "--data"])
        .arg(data.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    let second = stdquiz()
        .args(["chat", "--data"])
        .arg(data.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    first.kill().unwrap();
    first.wait().unwrap();
    assert_eq!(second.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(
        stderr.contains("in use by another stdquiz process"),
        "{stderr}"
    );
}

#[test]
fn ask_answers_with_a_source_and_abstains_off_topic() {
    let data = tempfile::tempdir().unwrap();
    let json = run_json(data.path(), &["ask", "GB/T里的T是什么意思", "--json"]);
    let best = &json["matches"][0];
    assert!(
        best["answer"].as_str().unwrap().contains("推荐性"),
        "{json}"
    );
    assert!(json["matches"].as_array().unwrap().len() <= 3);
    let json = run_json(data.path(), &["ask", "明天上海会下雨吗", "--json"]);
    assert_eq!(json["matches"].as_array().unwrap().len(), 0, "{json}");
    assert!(json.get("out_of_scope").is_none(), "{json}");
    // A neighbouring subject abstains too, and says where it belongs.
    let json = run_json(data.path(), &["ask", "3C认证怎么申请", "--json"]);
    assert_eq!(json["matches"].as_array().unwrap().len(), 0, "{json}");
    assert_eq!(json["out_of_scope"]["topic"], "认证认可", "{json}");
    let json = run_json(data.path(), &["export", "unanswered"]);
    let asked: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["question"].as_str().unwrap())
        .collect();
    assert_eq!(asked.len(), 2, "{json}");
    assert!(asked.contains(&"明天上海会下雨吗") && asked.contains(&"3C认证怎么申请"));
    assert!(json.as_array().unwrap().iter().all(|q| q["count"] == 1));
}

#[test]
fn a_missing_token_is_one_line_and_exit_code_2() {
    let out = stdquiz()
        .arg("serve")
        .env_remove("TELOXIDE_TOKEN")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("TELOXIDE_TOKEN"), "{stderr}");
}

#[test]
fn chat_answers_with_a_source_and_points_elsewhere_for_certification() {
    let data = tempfile::tempdir().unwrap();
    let transcript = chat(
        data.path(),
        "强标和推标有啥区别\nWhat does the T in GB/T stand for?\n3C认证需要准备哪些材料\n/lang en\nHow do I register a trademark?\n",
    );
    // A question in English is answered in English even before /lang en.
    let english_answer = transcript.find("Source: ").expect("an English answer");
    assert!(english_answer < transcript.find("Language set to English").unwrap());
    assert!(
        transcript.contains("出处：《中华人民共和国标准化法》"),
        "{transcript}"
    );
    assert!(
        transcript.contains("「3C认证需要准备哪些材料」涉及认证认可，不在标准化知识库的范围内"),
        "{transcript}"
    );
    assert!(transcript.contains("认证机构"), "{transcript}");
    assert!(
        transcript.contains(
            "is about intellectual property, which this standards knowledge base does not cover"
        ),
        "{transcript}"
    );
    let json = run_json(data.path(), &["export", "unanswered"]);
    assert_eq!(json.as_array().unwrap().len(), 2, "{json}");
}
