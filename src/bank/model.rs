//! Validated questions: once built, a [`Question`] cannot be malformed.

use regex::Regex;

use crate::text::normalize_answer;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Single,
    Multi,
    Judge,
    Fill,
}

impl Kind {
    /// The many names of the kinds in exam platforms' templates: 单选/单选题/单项选择题,
    /// 多选/多项选择题/不定项选择题, 判断/判断题/是非题, 填空/填空题, and English ones.
    pub fn parse(raw: &str) -> Option<Kind> {
        let lower: String = crate::text::fold_width(raw)
            .to_lowercase()
            .chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '_'))
            .collect();
        let kind = match lower.trim_end_matches('题') {
            "single" | "单选" | "单项选择" | "单选择" | "选择" | "choice" | "singlechoice"
            | "s" => Kind::Single,
            "multi" | "multiple" | "多选" | "多项选择" | "多选择" | "不定项" | "不定项选择"
            | "multiplechoice" | "multichoice" | "m" => Kind::Multi,
            "judge" | "truefalse" | "true/false" | "trueorfalse" | "tf" | "判断" | "是非"
            | "对错" | "j" => Kind::Judge,
            "fill" | "blank" | "填空" | "fillin" | "fillintheblank" | "fillintheblanks" | "f" => {
                Kind::Fill
            }
            _ => return None,
        };
        Some(kind)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Single => "single",
            Kind::Multi => "multi",
            Kind::Judge => "judge",
            Kind::Fill => "fill",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Kind::Single => "单选",
            Kind::Multi => "多选",
            Kind::Judge => "判断",
            Kind::Fill => "填空",
        }
    }
}

#[derive(Debug, Clone)]
pub enum AnswerKey {
    /// Indices into `Question::options` in file order (the option identities), sorted.
    Choice(Vec<usize>),
    Judge(bool),
    Fill {
        accepted: Vec<String>,
        patterns: Vec<Regex>,
    },
}

#[derive(Debug, Clone)]
pub struct Question {
    pub id: String,
    pub set: String,
    pub topic: String,
    pub topic_en: Option<String>,
    pub difficulty: u8,
    pub kind: Kind,
    pub prompt: String,
    pub prompt_en: Option<String>,
    pub options: Vec<String>,
    pub options_en: Option<Vec<String>>,
    pub key: AnswerKey,
    pub explanation: String,
    pub explanation_en: Option<String>,
    pub source: String,
    pub tags: Vec<String>,
}

impl Question {
    /// Whether a chosen set of option identities is exactly the key.
    pub fn is_correct_choice(&self, chosen: &[usize]) -> bool {
        let mut chosen = chosen.to_vec();
        chosen.sort_unstable();
        chosen.dedup();
        matches!(&self.key, AnswerKey::Choice(key) if *key == chosen)
    }

    pub fn is_correct_judge(&self, value: bool) -> bool {
        matches!(self.key, AnswerKey::Judge(key) if key == value)
    }

    /// Checks a typed fill-in answer after normalising width, case, spaces and punctuation.
    pub fn is_correct_fill(&self, typed: &str) -> bool {
        let AnswerKey::Fill { accepted, patterns } = &self.key else {
            return false;
        };
        let typed_norm = normalize_answer(typed);
        if typed_norm.is_empty() {
            return false;
        }
        accepted.iter().any(|a| normalize_answer(a) == typed_norm)
            || patterns
                .iter()
                .any(|p| p.is_match(&typed_norm) || p.is_match(typed.trim()))
    }

    pub fn prompt_in(&self, english: bool) -> &str {
        match (&self.prompt_en, english) {
            (Some(en), true) => en,
            _ => &self.prompt,
        }
    }

    pub fn option_in(&self, index: usize, english: bool) -> &str {
        match (&self.options_en, english) {
            (Some(en), true) => &en[index],
            _ => &self.options[index],
        }
    }

    pub fn explanation_in(&self, english: bool) -> &str {
        match (&self.explanation_en, english) {
            (Some(en), true) => en,
            _ => &self.explanation,
        }
    }

    pub fn topic_in(&self, english: bool) -> &str {
        match (&self.topic_en, english) {
            (Some(en), true) => en,
            _ => &self.topic,
        }
    }
}

/// A set as served: shipped from `questions/` or imported into the store.
#[derive(Debug, Clone)]
pub struct SetInfo {
    pub id: String,
    pub title: String,
    pub title_en: Option<String>,
    pub topic: String,
    pub topic_en: Option<String>,
    pub origin: String,
    pub question_ids: Vec<String>,
}

impl Question {
    /// The canonical record of this question, as exported and compared on re-import.
    pub fn to_record(&self) -> crate::bank::QuestionRecord {
        use crate::bank::record::{letter, AnswerField};
        let (answer, accepted, patterns) = match &self.key {
            AnswerKey::Choice(indices) => (
                Some(AnswerField::Text(
                    indices.iter().map(|&i| letter(i)).collect(),
                )),
                Vec::new(),
                Vec::new(),
            ),
            AnswerKey::Judge(value) => (
                Some(AnswerField::Text(value.to_string())),
                Vec::new(),
                Vec::new(),
            ),
            AnswerKey::Fill { accepted, patterns } => (
                None,
                accepted.clone(),
                patterns.iter().map(|p| p.as_str().to_string()).collect(),
            ),
        };
        crate::bank::QuestionRecord {
            id: Some(self.id.clone()),
            kind: Some(self.kind.as_str().to_string()),
            topic: Some(self.topic.clone()),
            difficulty: Some(i64::from(self.difficulty)),
            prompt: Some(self.prompt.clone()),
            options: self.options.clone(),
            answer,
            accepted,
            patterns,
            explanation: Some(self.explanation.clone()),
            source: Some(self.source.clone()),
            prompt_en: self.prompt_en.clone(),
            options_en: self.options_en.clone(),
            explanation_en: self.explanation_en.clone(),
            tags: self.tags.clone(),
        }
    }
}
