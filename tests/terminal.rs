//! The terminal chat as a transcript: what a user types, what they read.

use stdquiz::chat::terminal::{self, TerminalOptions};
use stdquiz::engine::Lang;
use stdquiz::service::Service;
use stdquiz::store::Store;

/// Runs one terminal session on `input` and returns everything it printed.
fn transcript(data: &std::path::Path, input: &[u8]) -> String {
    let questions = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("questions");
    let service = Service::new(Store::open(data).unwrap(), &questions, vec![1]).unwrap();
    let options = TerminalOptions {
        user: 1,
        lang: Lang::Zh,
        admin: true,
    };
    let mut output = Vec::new();
    terminal::run(&service, &options, input, &mut output).expect("the chat ends cleanly");
    String::from_utf8(output).expect("UTF-8 output")
}

#[test]
fn a_line_of_invalid_utf8_is_reported_and_the_chat_reads_on() {
    let dir = tempfile::tempdir().unwrap();
    let out = transcript(dir.path(), b"\xff\xfe hello\n/stats\n");
    assert!(out.contains("不是有效的 UTF-8"), "{out}");
    assert!(
        out.contains("📊 我的成绩"),
        "the next line is still read: {out}"
    );
}

#[test]
fn quiz_with_a_number_means_that_many_questions_in_one_message_with_its_heading() {
    let dir = tempfile::tempdir().unwrap();
    let out = transcript(dir.path(), "/quiz 5\n/stop\n".as_bytes());
    assert!(
        out.contains("📝 开始练习：全部知识点，共 5 题。\n\n第 1/5 题"),
        "{out}"
    );
}

#[test]
fn a_number_picks_a_topic_button_by_its_id() {
    let dir = tempfile::tempdir().unwrap();
    let out = transcript(dir.path(), "/topics\n2\n/stop\n".as_bytes());
    let topics = &out[out.find("知识点（").expect("the topic list")..];
    let second_topic = topics
        .lines()
        .find(|line| line.starts_with("  [2] "))
        .map(|line| line.trim_start_matches("  [2] ").to_string())
        .expect("numbered topic buttons");
    assert!(
        out.contains(&format!("📝 开始练习：{second_topic}，共 10 题。")),
        "{out}"
    );
}
