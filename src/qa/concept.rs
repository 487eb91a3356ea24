//! The concept a short question names, and the entries that define it.
//!
//! People type a bare term (ISO, 标准化, PDCA) or wrap it in a question frame (什么是ISO,
//! What is ISO?). Stripping the frame leaves the *core* of a phrasing. Every entry's
//! question, alternates, English question and keywords are reduced to their cores once;
//! the short ones are the entry's subjects. A short query whose core equals, is contained
//! in, or is one typo away from a subject names that entry's concept, whatever the size
//! of the base.

use std::collections::HashMap;

use super::index::{fold, is_cjk};

/// Cores longer than this (Chinese characters, or Latin words) are sentences, not names
/// of a concept.
pub const MAX_CORE_CHARS: usize = 12;
pub const MAX_CORE_WORDS: usize = 4;

/// A core short enough to name a concept.
pub fn is_short(core: &str) -> bool {
    if core.is_empty() {
        return false;
    }
    if core.chars().any(is_cjk) {
        core.chars().filter(|c| !c.is_whitespace()).count() <= MAX_CORE_CHARS
    } else {
        core.split_whitespace().count() <= MAX_CORE_WORDS
    }
}

/// How strongly a phrasing of an entry names its subject.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Origin {
    Question,
    Alternate,
    /// The first keyword, usually the entry's main term.
    MainKeyword,
    Keyword,
}

impl Origin {
    fn weight(self) -> f64 {
        match self {
            Origin::Question => 1.0,
            Origin::Alternate => 0.9,
            Origin::MainKeyword => 0.8,
            Origin::Keyword => 0.65,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Subjects {
    /// Per entry: (core, weight of its origin).
    by_entry: Vec<Vec<(String, f64)>>,
    /// Each subject and each of its one-character deletions, to the (entry, subject)
    /// pairs that have it (SymSpell: two strings one edit apart share one of these keys).
    variants: HashMap<String, Vec<(u32, u16)>>,
}

impl Subjects {
    /// `phrasings[i]` lists entry i's phrasings with their origin.
    pub fn new(phrasings: Vec<Vec<(String, Origin)>>) -> Subjects {
        let mut by_entry = Vec::with_capacity(phrasings.len());
        let mut variants: HashMap<String, Vec<(u32, u16)>> = HashMap::new();
        for (entry, list) in phrasings.into_iter().enumerate() {
            let mut subjects: Vec<(String, f64)> = Vec::new();
            for (text, origin) in list {
                // A keyword is a name already: 标准定义 stays whole, it is not 标准.
                let found = match origin {
                    Origin::MainKeyword | Origin::Keyword => vec![normalise(&fold(&text))],
                    Origin::Question | Origin::Alternate => cores(&text),
                };
                for core in found {
                    if !is_short(&core) {
                        continue;
                    }
                    match subjects.iter_mut().find(|(c, _)| *c == core) {
                        Some(slot) => slot.1 = slot.1.max(origin.weight()),
                        None => subjects.push((core, origin.weight())),
                    }
                }
            }
            for (index, (core, _)) in subjects.iter().enumerate().take(usize::from(u16::MAX)) {
                for key in deletions(core) {
                    let list = variants.entry(key).or_default();
                    if list.last() != Some(&(entry as u32, index as u16)) {
                        list.push((entry as u32, index as u16));
                    }
                }
            }
            by_entry.push(subjects);
        }
        Subjects { by_entry, variants }
    }

    /// Entries with a subject equal to `core` or one edit from it, with how well they
    /// name it (as in [`Subjects::similarity`]).
    pub fn near(&self, core: &str) -> Vec<(usize, f64)> {
        let mut out: Vec<(usize, f64)> = Vec::new();
        for key in deletions(core) {
            for &(entry, index) in self.variants.get(&key).into_iter().flatten() {
                let (subject, weight) = &self.by_entry[entry as usize][usize::from(index)];
                let sim = typo_similarity(subject, core) * weight;
                if sim > 0.0 {
                    out.push((entry as usize, sim));
                }
            }
        }
        out
    }

    /// How well entry `entry` names the concept `core` (0 to 1): 1 for its own question's
    /// subject, less for a subject that only contains the core, or is a typo away from it,
    /// or comes from an alternate or keyword.
    pub fn similarity(&self, entry: usize, core: &str) -> f64 {
        let n = core.chars().count();
        let mut best: f64 = 0.0;
        for (subject, weight) in &self.by_entry[entry] {
            let m = subject.chars().count();
            let sim = if n >= 2 && m > n && contains_whole(subject, core) {
                // ISO in ISO成立时间: the longer the rest, the less it is about ISO alone.
                0.3 + 0.4 * n as f64 / m as f64
            } else {
                typo_similarity(subject, core)
            };
            best = best.max(sim * weight);
        }
        best
    }
}

/// 1 for the same string, less for one edit apart (more for longer strings), else 0.
fn typo_similarity(subject: &str, core: &str) -> f64 {
    if subject == core {
        return 1.0;
    }
    let (n, m) = (core.chars().count(), subject.chars().count());
    if n < 3 || m < 3 || n.abs_diff(m) > 1 || strsim::osa_distance(subject, core) != 1 {
        return 0.0;
    }
    if n.min(m) >= 4 {
        0.8
    } else {
        0.6
    }
}

/// The cores of a phrasing: each clause without its question frame, and a parenthesised
/// gloss on its own (IDT（等同采用）是什么意思 -> idt, 等同采用).
pub fn cores(text: &str) -> Vec<String> {
    let folded = fold(text);
    let mut out = Vec::new();
    // Not at 、: it lists (ISO、IEC、ITU哪个成立最早 is not about ISO alone).
    for clause in folded.split(['?', '!', '。', ';', ',', '？', '！', '；', '，']) {
        let (outside, inside) = split_parentheses(clause);
        for part in std::iter::once(outside).chain(inside) {
            let core = core_of_clause(&part);
            if !core.is_empty() && !out.contains(&core) {
                out.push(core);
            }
        }
    }
    out
}

/// The core of a whole query: its frame stripped, clauses joined.
pub fn query_core(text: &str) -> String {
    let folded = fold(text);
    let clauses: Vec<String> = folded
        .split(['?', '!', '。', ';', ',', '？', '！', '；', '，'])
        .map(|clause| core_of_clause(&split_parentheses(clause).0))
        .filter(|c| !c.is_empty())
        .collect();
    clauses.join(" ")
}

/// Chinese question frames around a term, longest first within each list.
const ZH_PREFIXES: &[&str] = &[
    "请问一下",
    "请问",
    "请解释一下",
    "请解释",
    "解释一下",
    "介绍一下",
    "说一下",
    "说说",
    "讲讲",
    "我想知道",
    "想了解",
    "问一下",
    "什么是",
    "什么叫做",
    "什么叫",
    "啥是",
    "啥叫",
    "何为",
    "何谓",
    "那",
];

const ZH_SUFFIXES: &[&str] = &[
    "到底是什么意思",
    "是什么意思",
    "是啥意思",
    "什么意思",
    "啥意思",
    "的意思",
    "指的是什么",
    "是指什么",
    "指什么",
    "的定义是什么",
    "的定义是啥",
    "的定义",
    "定义是什么",
    "定义",
    "的含义",
    "含义",
    "是什么组织",
    "是什么机构",
    "是什么标准",
    "是什么东西",
    "是什么制度",
    "是一项什么制度",
    "是什么",
    "是谁",
    "是啥",
    "是干什么的",
    "是干啥的",
    "干什么的",
    "怎么回事",
    "是怎么回事",
    "简介",
    "介绍",
    "吗",
    "呢",
    "啊",
    "呀",
    "的",
];

const EN_PREFIXES: &[&str] = &[
    "what is the meaning of",
    "what's the meaning of",
    "what is meant by",
    "what is a",
    "what is an",
    "what is the",
    "what is",
    "what's a",
    "what's the",
    "what's",
    "whats",
    "what are the",
    "what are",
    "what does",
    "who is",
    "define",
    "definition of",
    "meaning of",
    "tell me about",
    "explain",
    "the",
    "a",
    "an",
];

const EN_SUFFIXES: &[&str] = &["stand for", "mean", "meaning", "definition", "means"];

fn core_of_clause(clause: &str) -> String {
    let mut text: String = normalise(clause);
    loop {
        let before = text.len();
        for prefix in ZH_PREFIXES {
            if let Some(rest) = text.strip_prefix(prefix) {
                if !rest.is_empty() {
                    text = rest.trim_start().to_string();
                }
            }
        }
        for prefix in EN_PREFIXES {
            if let Some(rest) = text.strip_prefix(prefix) {
                if rest.starts_with(' ') {
                    text = rest.trim_start().to_string();
                }
            }
        }
        for suffix in ZH_SUFFIXES {
            if let Some(rest) = text.strip_suffix(suffix) {
                if !rest.is_empty() {
                    text = rest.trim_end().to_string();
                }
            }
        }
        for suffix in EN_SUFFIXES {
            if let Some(rest) = text.strip_suffix(suffix) {
                if rest.ends_with(' ') {
                    text = rest.trim_end().to_string();
                }
            }
        }
        if text.len() == before {
            return text;
        }
    }
}

/// Letters, digits, CJK and the `/` and `.` of designations; a space only between two
/// Latin words or numbers (GB/T 1.1 keeps it, GB/T 里的 T does not).
fn normalise(clause: &str) -> String {
    let mut out = String::new();
    let mut gap = false;
    for c in clause.chars() {
        let keep = is_cjk(c)
            || c.is_alphanumeric()
            || ((c == '/' || c == '.')
                && out
                    .chars()
                    .next_back()
                    .is_some_and(|p| p.is_ascii_alphanumeric()));
        if !keep {
            gap = true;
            continue;
        }
        let prev_latin = out
            .chars()
            .next_back()
            .is_some_and(|p| p.is_ascii_alphanumeric());
        if gap && prev_latin && c.is_ascii_alphanumeric() {
            out.push(' ');
        }
        gap = false;
        out.push(c);
    }
    out.trim_end_matches(['/', '.']).to_string()
}

/// The clause with parenthesised text removed, and that text.
fn split_parentheses(clause: &str) -> (String, Option<String>) {
    let mut outside = String::new();
    let mut inside = String::new();
    let mut depth = 0;
    for c in clause.chars() {
        match c {
            '(' | '（' => depth += 1,
            ')' | '）' if depth > 0 => depth -= 1,
            _ if depth > 0 => inside.push(c),
            _ => outside.push(c),
        }
    }
    let inside = (!inside.trim().is_empty()).then_some(inside);
    (outside, inside)
}

/// `core` occurs in `subject`, as whole words where it is Latin (iso in iso成立, not in isos).
fn contains_whole(subject: &str, core: &str) -> bool {
    subject.match_indices(core).any(|(at, _)| {
        let before = subject[..at].chars().next_back();
        let after = subject[at + core.len()..].chars().next();
        let latin_start = core
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric());
        let latin_end = core
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric());
        let glued = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
        let starts_inside = latin_start && glued(before);
        let ends_inside = latin_end && glued(after);
        !starts_inside && !ends_inside
    })
}

/// The string itself and every string one character shorter.
fn deletions(core: &str) -> Vec<String> {
    let chars: Vec<char> = core.chars().collect();
    let mut out = vec![core.to_string()];
    if chars.len() >= 3 {
        for skip in 0..chars.len() {
            out.push(
                chars
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != skip)
                    .map(|(_, c)| c)
                    .collect(),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn question_frames_are_stripped_to_the_concept() {
        assert_eq!(query_core("什么是ISO"), "iso");
        assert_eq!(query_core("What is ISO?"), "iso");
        assert_eq!(query_core("ISO是啥"), "iso");
        assert_eq!(query_core("“标准化”的定义是什么？"), "标准化");
        assert_eq!(query_core("GB/T什么意思"), "gb/t");
        assert_eq!(query_core("What does GB/T mean"), "gb/t");
        assert_eq!(query_core("GB/T 1.1"), "gb/t 1.1");
        assert_eq!(
            cores("IDT（等同采用）是什么意思？"),
            vec!["idt", "等同采用"]
        );
        assert_eq!(cores("ISO是什么组织？什么时候成立、总部在哪里？")[0], "iso");
    }

    #[test]
    fn a_subject_is_found_exactly_by_containment_or_one_typo_away() {
        let subjects = Subjects::new(vec![
            vec![("“标准化”的定义是什么？".to_string(), Origin::Question)],
            vec![("PDCA循环是什么？".to_string(), Origin::Question)],
        ]);
        assert_eq!(subjects.similarity(0, "标准化"), 1.0);
        assert!(subjects.similarity(1, "pdca") > 0.5);
        assert!(subjects.near("标准话").iter().any(|&(entry, _)| entry == 0));
        assert!(subjects.similarity(0, "标准话") > 0.5);
        assert_eq!(subjects.similarity(0, "天气"), 0.0);
        // Latin words stand whole: "iso" is not in "isos".
        assert!(!contains_whole("isos相等", "iso"));
    }
}
