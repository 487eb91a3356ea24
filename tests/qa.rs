//! 智慧问答 retrieval: the shipped knowledge base answers in Chinese and English, and
//! questions outside its remit abstain with a pointer to where they belong.

use std::path::Path;

use stdquiz::bank::FaqRecord;
use stdquiz::qa::{KnowledgeBase, SmallTalk};

fn shipped() -> KnowledgeBase {
    let report = stdquiz::bank::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("questions"));
    let (kb, problems) = KnowledgeBase::build(&report.faq);
    assert!(problems.is_empty(), "{problems:?}");
    kb
}

fn best(kb: &KnowledgeBase, query: &str) -> Option<String> {
    kb.ask(query).first().map(|m| m.id.clone())
}

fn record(id: &str, question: &str, alternates: &[&str], answer: &str) -> FaqRecord {
    FaqRecord {
        id: Some(id.into()),
        topic: Some("测试".into()),
        question: question.into(),
        alternates: alternates.iter().map(|s| s.to_string()).collect(),
        answer: answer.into(),
        keywords: Vec::new(),
        source: "测试出处".into(),
        question_en: None,
        answer_en: None,
        line: None,
    }
}

#[test]
fn chinese_english_and_abbreviated_questions_find_their_entry() {
    let kb = shipped();
    assert_eq!(
        best(&kb, "GB/T里的T是什么意思").as_deref(),
        Some("faq-codes-002")
    );
    assert_eq!(
        best(
            &kb,
            "From which date does the current Standardization Law apply?"
        )
        .as_deref(),
        Some("faq-law-001")
    );
    // A question about how a designation is written is not about that standard's content.
    assert_eq!(
        best(&kb, "GB/T 19001—2016的编号怎么读").as_deref(),
        Some("faq-codes-006")
    );
    let matches = kb.ask("DB31/T开头的是什么标准");
    assert_eq!(matches[0].id, "faq-shanghai-005");
    assert!(matches.len() <= 3);
    assert!(
        matches.iter().all(|m| m.id != "faq-codes-012"),
        "merged entry is gone"
    );
}

#[test]
fn neighbouring_subjects_abstain_with_where_to_ask() {
    let kb = shipped();
    for (query, topic) in [
        ("3C认证需要准备哪些材料", "认证认可"),
        ("How long does a trademark registration take?", "知识产权"),
        ("电子秤多久要检定一次", "计量"),
        ("长宁区办营业执照要带什么", "登记注册与许可"),
        ("小区电梯老是坏找谁管", "特种设备"),
        ("超市标价和结账时价格不一样怎么办", "价格与广告"),
    ] {
        let answer = kb.answer(query);
        assert!(answer.matches.is_empty(), "{query}: {:?}", answer.matches);
        assert_eq!(answer.redirect.map(|r| r.topic), Some(topic), "{query}");
    }
    let answer = kb.answer("GB 2760里山梨酸钾的限量是多少");
    assert!(answer.matches.is_empty(), "{:?}", answer.matches);
    let hint = answer.redirect.expect("named standard gets a pointer").hint;
    assert!(hint.contains("www.std.gov.cn"), "{hint}");
    // A standards complaint is answered from the law, not sent to the consumer hotline.
    assert_eq!(
        best(&kb, "发现产品不符合标准可以投诉吗").as_deref(),
        Some("faq-law-022")
    );
    // Small talk abstains without a pointer.
    let answer = kb.answer("明天上海会下雨吗");
    assert!(
        answer.matches.is_empty() && answer.redirect.is_none(),
        "{answer:?}"
    );
}

#[test]
fn an_entry_that_covers_the_subject_still_answers() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("questions");
    let mut batches = stdquiz::bank::load_dir(&root).faq;
    let query = "产品认证算不算合格评定";
    // The shipped base says nothing about certification: the question is redirected
    // rather than answered with some entry that merely shares words with it.
    let answer = shipped().answer(query);
    assert!(answer.matches.is_empty(), "{answer:?}");
    assert_eq!(answer.redirect.map(|r| r.topic), Some("认证认可"));
    // An admin imports an entry about it: now the same question is answered.
    batches.push((
        "imported.csv".to_string(),
        vec![record(
            "conformity-001",
            "什么是合格评定？",
            &["认证和检验检测属于合格评定吗", "合格评定包括哪些活动"],
            "合格评定是与产品、过程、体系、人员或机构有关的规定要求得到满足的证实，包括认证、认可、检验检测等活动。",
        )],
    ));
    let (kb, problems) = KnowledgeBase::build(&batches);
    assert!(problems.is_empty(), "{problems:?}");
    let answer = kb.answer(query);
    assert_eq!(
        answer.matches.first().map(|m| m.id.as_str()),
        Some("conformity-001"),
        "{answer:?}"
    );
    assert!(answer.redirect.is_none());
}

fn second_base() -> KnowledgeBase {
    let report = stdquiz::bank::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/kb2"));
    let (kb, problems) = KnowledgeBase::build(&report.faq);
    assert!(problems.is_empty(), "{problems:?}");
    kb
}

#[test]
fn short_keyword_questions_get_the_entry_that_defines_the_concept() {
    let kb = shipped();
    for (query, id) in [
        ("ISO", "faq-intl-001"),
        ("什么是ISO", "faq-intl-001"),
        ("What is ISO?", "faq-intl-001"),
        ("IEC", "faq-intl-008"),
        ("标准化", "faq-terms-004"),
        ("什么是标准化", "faq-terms-004"),
        ("标准化法", "faq-law-001"),
        ("PDCA", "faq-principles-005"),
        ("GB/T", "faq-codes-002"),
        ("IDT", "faq-adoption-002"),
        // One typo away from the concept.
        ("标准话", "faq-terms-004"),
        ("PDAC", "faq-principles-005"),
        ("你好，请问什么是ISO", "faq-intl-001"),
    ] {
        assert_eq!(best(&kb, query).as_deref(), Some(id), "{query}");
    }
}

#[test]
fn a_small_imported_base_answers_its_own_questions_and_abstains_on_the_rest() {
    let kb = second_base();
    assert!(kb.len() <= 40, "{}", kb.len());
    for (query, id) in [
        ("团标是什么", "camp-009"),
        ("复审周期", "camp-005"),
        ("企业标准还要备案吗", "camp-018"),
        ("不公开执行的标准会罚款吗", "camp-023"),
    ] {
        assert_eq!(best(&kb, query).as_deref(), Some(id), "{query}");
    }
    // The shipped base defines ISO; this one does not, so it must not pretend to.
    for query in ["ISO", "世界标准日是哪天", "今天天气怎么样"] {
        let answer = kb.answer(query);
        assert!(answer.matches.is_empty(), "{query}: {:?}", answer.matches);
    }
}

#[test]
fn greetings_and_thanks_are_small_talk_not_unanswered_questions() {
    let kb = shipped();
    for (message, kind) in [
        ("你好", SmallTalk::Greeting),
        ("在吗", SmallTalk::Presence),
        ("谢谢！", SmallTalk::Thanks),
        ("hi", SmallTalk::Greeting),
        ("thanks", SmallTalk::Thanks),
        ("再见", SmallTalk::Goodbye),
        ("你能做什么", SmallTalk::About),
    ] {
        let answer = kb.answer(message);
        assert_eq!(answer.small_talk, Some(kind), "{message}");
        assert!(answer.matches.is_empty() && answer.suggestions.is_empty());
        assert!(!answer.is_unanswered(), "{message}");
    }
    // A real question is not small talk, and an unanswerable one is recorded.
    assert_eq!(kb.answer("ISO").small_talk, None);
    assert!(kb.answer("明天上海会下雨吗").is_unanswered());
}

#[test]
fn a_close_miss_offers_suggestions_and_off_topic_offers_none() {
    let kb = second_base();
    let answer = kb.answer("在哪里公开标准");
    assert!(answer.matches.is_empty(), "{:?}", answer.matches);
    let ids: Vec<&str> = answer.suggestions.iter().map(|m| m.id.as_str()).collect();
    assert!(ids.contains(&"camp-022") && ids.len() <= 3, "{ids:?}");
    assert!(answer.is_unanswered());
    for query in ["今天天气怎么样", "How do I renew my passport?"] {
        let answer = kb.answer(query);
        assert!(
            answer.matches.is_empty() && answer.suggestions.is_empty(),
            "{query}: {answer:?}"
        );
    }
    // A redirected question gets its pointer, not suggestions.
    let answer = shipped().answer("3C认证需要准备哪些材料");
    assert!(answer.redirect.is_some() && answer.suggestions.is_empty());
}
