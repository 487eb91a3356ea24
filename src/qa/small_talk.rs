//! Greetings, thanks and other small talk, told apart from questions for the knowledge base.
//!
//! A message is small talk when it is made only of such phrases (你好, 在吗, 谢谢, hi,
//! thanks...), give or take punctuation, particles and a word for the bot. A question that
//! merely starts with one (你好，请问什么是ISO) is a question: [`strip_leading`] removes the
//! greeting before retrieval.

use super::index::{fold, is_cjk};

/// What kind of small talk a message is; the chat renders the reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum SmallTalk {
    /// 你好, 您好, 早上好, hi, hello.
    Greeting,
    /// 在吗, 在不在, 有人吗, are you there.
    Presence,
    /// 谢谢, 多谢, 感谢, thanks, thank you.
    Thanks,
    /// 再见, 拜拜, bye, see you.
    Goodbye,
    /// 你是谁, 你能做什么, who are you, what can you do.
    About,
    /// 好的, 收到, 明白了, ok.
    Acknowledgement,
}

/// (phrase, kind), folded. Longer phrases are tried first.
const PHRASES: &[(&str, SmallTalk)] = &[
    ("你好", SmallTalk::Greeting),
    ("您好", SmallTalk::Greeting),
    ("你们好", SmallTalk::Greeting),
    ("大家好", SmallTalk::Greeting),
    ("哈喽", SmallTalk::Greeting),
    ("哈啰", SmallTalk::Greeting),
    ("嗨", SmallTalk::Greeting),
    ("喂", SmallTalk::Greeting),
    ("早上好", SmallTalk::Greeting),
    ("上午好", SmallTalk::Greeting),
    ("中午好", SmallTalk::Greeting),
    ("下午好", SmallTalk::Greeting),
    ("晚上好", SmallTalk::Greeting),
    ("早安", SmallTalk::Greeting),
    ("早", SmallTalk::Greeting),
    ("hi", SmallTalk::Greeting),
    ("hello", SmallTalk::Greeting),
    ("hey", SmallTalk::Greeting),
    ("hallo", SmallTalk::Greeting),
    ("good morning", SmallTalk::Greeting),
    ("good afternoon", SmallTalk::Greeting),
    ("good evening", SmallTalk::Greeting),
    ("在吗", SmallTalk::Presence),
    ("在么", SmallTalk::Presence),
    ("在不在", SmallTalk::Presence),
    ("你在吗", SmallTalk::Presence),
    ("您在吗", SmallTalk::Presence),
    ("有人吗", SmallTalk::Presence),
    ("有人在吗", SmallTalk::Presence),
    ("are you there", SmallTalk::Presence),
    ("anyone there", SmallTalk::Presence),
    ("anybody there", SmallTalk::Presence),
    ("谢谢", SmallTalk::Thanks),
    ("谢谢你", SmallTalk::Thanks),
    ("谢谢您", SmallTalk::Thanks),
    ("多谢", SmallTalk::Thanks),
    ("感谢", SmallTalk::Thanks),
    ("非常感谢", SmallTalk::Thanks),
    ("太感谢了", SmallTalk::Thanks),
    ("谢啦", SmallTalk::Thanks),
    ("谢了", SmallTalk::Thanks),
    ("3q", SmallTalk::Thanks),
    ("thanks", SmallTalk::Thanks),
    ("thank you", SmallTalk::Thanks),
    ("thank u", SmallTalk::Thanks),
    ("thx", SmallTalk::Thanks),
    ("ty", SmallTalk::Thanks),
    ("cheers", SmallTalk::Thanks),
    ("再见", SmallTalk::Goodbye),
    ("拜拜", SmallTalk::Goodbye),
    ("拜", SmallTalk::Goodbye),
    ("回头见", SmallTalk::Goodbye),
    ("下次见", SmallTalk::Goodbye),
    ("晚安", SmallTalk::Goodbye),
    ("bye", SmallTalk::Goodbye),
    ("goodbye", SmallTalk::Goodbye),
    ("bye bye", SmallTalk::Goodbye),
    ("see you", SmallTalk::Goodbye),
    ("good night", SmallTalk::Goodbye),
    ("你是谁", SmallTalk::About),
    ("您是谁", SmallTalk::About),
    ("你是什么", SmallTalk::About),
    ("你叫什么", SmallTalk::About),
    ("你叫什么名字", SmallTalk::About),
    ("你能做什么", SmallTalk::About),
    ("你会什么", SmallTalk::About),
    ("你会干什么", SmallTalk::About),
    ("你可以做什么", SmallTalk::About),
    ("你有什么用", SmallTalk::About),
    ("你是机器人吗", SmallTalk::About),
    ("怎么用", SmallTalk::About),
    ("who are you", SmallTalk::About),
    ("what can you do", SmallTalk::About),
    ("what are you", SmallTalk::About),
    ("are you a bot", SmallTalk::About),
    ("好的", SmallTalk::Acknowledgement),
    ("好", SmallTalk::Acknowledgement),
    ("嗯", SmallTalk::Acknowledgement),
    ("嗯嗯", SmallTalk::Acknowledgement),
    ("哦", SmallTalk::Acknowledgement),
    ("收到", SmallTalk::Acknowledgement),
    ("明白了", SmallTalk::Acknowledgement),
    ("知道了", SmallTalk::Acknowledgement),
    ("懂了", SmallTalk::Acknowledgement),
    ("ok", SmallTalk::Acknowledgement),
    ("okay", SmallTalk::Acknowledgement),
    ("got it", SmallTalk::Acknowledgement),
];

/// Words that may accompany small talk without making it a question: particles and
/// ways of addressing the bot.
const FILLERS: &[&str] = &[
    "啊",
    "呀",
    "哈",
    "哈哈",
    "啦",
    "了",
    "呢",
    "哇",
    "哦",
    "噢",
    "嘛",
    "吧",
    "亲",
    "机器人",
    "小助手",
    "助手",
    "老师",
    "bot",
    "there",
    "so",
    "much",
    "very",
    "a",
    "lot",
    "again",
    "all",
];

/// The small talk a whole message is, if it is nothing else. When it mixes kinds, the
/// most specific wins (你好，你是谁 asks who the bot is; 好的谢谢 thanks it).
pub fn detect(message: &str) -> Option<SmallTalk> {
    let normalised = normalise(message);
    let (kinds, rest) = leading_phrases(&normalised);
    if !rest.is_empty() {
        return None;
    }
    PRIORITY.iter().copied().find(|kind| kinds.contains(kind))
}

/// The message without a leading greeting or thanks, when a question follows it
/// (你好，请问什么是ISO -> 请问什么是ISO). Otherwise the message itself.
pub fn strip_leading(message: &str) -> &str {
    let normalised = normalise(message);
    let (kinds, rest) = leading_phrases(&normalised);
    if kinds.is_empty() || rest.is_empty() {
        return message;
    }
    // Find where the rest starts in the original text: skip as many letters and CJK
    // characters of the original as the consumed prefix has.
    let consumed = normalised[..normalised.len() - rest.len()]
        .chars()
        .filter(|c| !c.is_whitespace())
        .count();
    let mut seen = 0;
    for (at, c) in message.char_indices() {
        if seen == consumed {
            return message[at..].trim_start_matches(|c: char| !c.is_alphanumeric());
        }
        if is_word_char(&fold(&c.to_string())) {
            seen += 1;
        }
    }
    message
}

const PRIORITY: &[SmallTalk] = &[
    SmallTalk::About,
    SmallTalk::Thanks,
    SmallTalk::Goodbye,
    SmallTalk::Presence,
    SmallTalk::Greeting,
    SmallTalk::Acknowledgement,
];

fn is_word_char(folded: &str) -> bool {
    folded
        .chars()
        .any(|c| is_cjk(c) || c.is_ascii_alphanumeric())
}

/// Folded text with only CJK characters, ASCII letters and digits, Latin words kept apart
/// by one space.
fn normalise(message: &str) -> String {
    let mut out = String::new();
    let mut gap = false;
    for c in fold(message).chars() {
        if is_cjk(c) || c.is_ascii_alphanumeric() {
            if gap && !out.is_empty() {
                out.push(' ');
            }
            gap = false;
            out.push(c);
        } else {
            gap = true;
        }
    }
    out
}

/// The kinds of the small-talk phrases (and fillers) the normalised text starts with,
/// and what is left after them.
fn leading_phrases(normalised: &str) -> (Vec<SmallTalk>, &str) {
    let mut kinds = Vec::new();
    let mut rest = normalised.trim_start();
    while !rest.is_empty() {
        let mut best: Option<(usize, Option<SmallTalk>)> = None;
        let candidates = PHRASES
            .iter()
            .map(|(p, k)| (*p, Some(*k)))
            .chain(FILLERS.iter().map(|f| (*f, None)));
        for (phrase, kind) in candidates {
            if starts_with_word(rest, phrase, kind)
                && best.is_none_or(|(len, _)| phrase.len() > len)
            {
                best = Some((phrase.len(), kind));
            }
        }
        match best {
            Some((len, kind)) => {
                kinds.extend(kind);
                rest = rest[len..].trim_start();
            }
            None => break,
        }
    }
    if kinds.is_empty() {
        return (kinds, normalised);
    }
    (kinds, rest)
}

/// `text` starts with `phrase` as a word of its own. Chinese has no spaces, so a single
/// character (早, 好, 啊) or an acknowledgement (好的) counts only before punctuation or
/// the end: 早期标准 and 好的标准 are questions.
fn starts_with_word(text: &str, phrase: &str, kind: Option<SmallTalk>) -> bool {
    if !text.starts_with(phrase) {
        return false;
    }
    let next = text[phrase.len()..].chars().next();
    let last = phrase.chars().next_back();
    if last.is_some_and(|c| c.is_ascii_alphanumeric()) {
        return !next.is_some_and(|c| c.is_ascii_alphanumeric());
    }
    let loose = phrase.chars().count() == 1 || kind.is_none_or(|k| k == SmallTalk::Acknowledgement);
    !loose || next.is_none_or(|c| c == ' ')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_messages_of_small_talk_are_detected() {
        for (message, kind) in [
            ("你好", SmallTalk::Greeting),
            ("您好！", SmallTalk::Greeting),
            ("Hi there", SmallTalk::Greeting),
            ("在吗？", SmallTalk::Presence),
            ("在不在", SmallTalk::Presence),
            ("谢谢啦~", SmallTalk::Thanks),
            ("好的，谢谢", SmallTalk::Thanks),
            ("Thank you so much!", SmallTalk::Thanks),
            ("thanks", SmallTalk::Thanks),
            ("再见", SmallTalk::Goodbye),
            ("bye", SmallTalk::Goodbye),
            ("你好，你是谁", SmallTalk::About),
            ("What can you do?", SmallTalk::About),
            ("ok", SmallTalk::Acknowledgement),
        ] {
            assert_eq!(detect(message), Some(kind), "{message}");
        }
    }

    #[test]
    fn questions_are_not_small_talk() {
        for message in [
            "你好，请问什么是ISO",
            "ISO",
            "hit",
            "history of ISO",
            "谢谢标准化法",
            "好的标准",
            "早期标准",
            "标准化法",
            "thanksgiving",
        ] {
            assert_eq!(detect(message), None, "{message}");
        }
    }

    #[test]
    fn a_leading_greeting_is_stripped_from_a_question() {
        assert_eq!(strip_leading("你好，请问什么是ISO"), "请问什么是ISO");
        assert_eq!(strip_leading("Hi! What is PDCA?"), "What is PDCA?");
        assert_eq!(strip_leading("谢谢。那GB/T呢"), "那GB/T呢");
        assert_eq!(strip_leading("ISO"), "ISO");
        assert_eq!(strip_leading("history of ISO"), "history of ISO");
        assert_eq!(strip_leading("你好"), "你好");
    }
}
