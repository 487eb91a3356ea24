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

/// An organizer's campaign in the terminal: import the definition and the enterprise list,
/// join, open the card, start, hand in; the result comes with a board button.
#[test]
fn a_campaign_in_the_terminal_from_import_to_result() {
    let dir = tempfile::tempdir().unwrap();
    let campaign = dir.path().join("camp.toml");
    std::fs::write(
        &campaign,
        "[campaign]\nid = \"term-camp\"\ntitle = \"终端竞答\"\nstarts = \"2020-01-01 00:00\"\n\
         ends = \"2099-12-31 23:59\"\nquestions = 3\nattempts = 2\npass_mark = 60\n",
    )
    .unwrap();
    let orgs = dir.path().join("orgs.csv");
    std::fs::write(&orgs, "单位名称,职工人数,邀请码\n上海丙公司,30,BINGCC\n").unwrap();
    let input = format!(
        "/import {}\n1\n/import {}\n1\n/join bingcc\n/campaign term-camp\n1\n/stop\n",
        campaign.display(),
        orgs.display()
    );
    let out = transcript(&dir.path().join("data"), input.as_bytes());
    for expected in [
        "竞答活动预览",
        "竞答活动 term-camp 第 1 版已保存",
        "单位名单预览",
        "单位名单已保存，共 1 家",
        "已加入「上海丙公司」",
        "所在单位：上海丙公司",
        "终端竞答：共 3 题",
        "本次提前结束",
        "剩余次数：1",
    ] {
        assert!(out.contains(expected), "missing `{expected}` in:\n{out}");
    }
}
