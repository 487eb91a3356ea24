//! Tokenising and a small in-memory BM25 index.

use std::collections::HashMap;

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::UnicodeNormalization;

static STEMMER: std::sync::LazyLock<Stemmer> =
    std::sync::LazyLock::new(|| Stemmer::create(Algorithm::English));

/// Term-frequency saturation. An entry document is its many phrasings plus the answer, so a
/// word repeated across them marks what the entry is about: saturate later than the usual 1.2.
const K1: f64 = 2.0;
/// The textbook k1, for the benchmark's plain baseline.
const STANDARD_K1: f64 = 1.2;
const B: f64 = 0.75;

/// Words so common in questions that they carry no meaning for retrieval.
const STOP: &[&str] = &[
    "的",
    "了",
    "吗",
    "呢",
    "吧",
    "啊",
    "啥",
    "咋",
    "嘛",
    "呀",
    "哦",
    "哈",
    "是啥",
    "干啥",
    "咋办",
    "一个",
    "想问",
    "问下",
    "请教",
    "是",
    "有",
    "在",
    "和",
    "与",
    "及",
    "或",
    "哪",
    "么",
    "什",
    "怎",
    "请",
    "问",
    "什么",
    "怎么",
    "怎样",
    "如何",
    "请问",
    "哪些",
    "哪个",
    "是否",
    "是不",
    "不是",
    "多少",
    "一下",
    "可以",
    "我们",
    "公司",
    "企业的",
    "这个",
    "那个",
    "为什",
    "为何",
    "需要",
    "吗?",
    "要求吗",
    "the",
    "a",
    "an",
    "is",
    "are",
    "was",
    "were",
    "has",
    "have",
    "this",
    "that",
    "there",
    "any",
    "its",
    "of",
    "in",
    "on",
    "to",
    "what",
    "which",
    "who",
    "how",
    "does",
    "do",
    "for",
    "and",
    "or",
    "i",
    "my",
    "we",
    "our",
    "it",
    "be",
    "can",
    "when",
    "where",
    "why",
    "with",
    "by",
    "about",
    "should",
    "there",
];

pub fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}' | '\u{f900}'..='\u{faff}')
}

pub fn fold(text: &str) -> String {
    text.nfkc().flat_map(char::to_lowercase).collect()
}

/// Character unigrams and bigrams for CJK runs, whole words for Latin/digit runs
/// (`gb/t` and `1.1` stay one word), minus stop words.
pub fn tokens(text: &str) -> Vec<String> {
    let folded = fold(text);
    let mut out = Vec::new();
    let mut cjk_run: Vec<char> = Vec::new();
    let mut word = String::new();
    let flush_cjk = |run: &mut Vec<char>, out: &mut Vec<String>| {
        for (i, c) in run.iter().enumerate() {
            out.push(c.to_string());
            if let Some(next) = run.get(i + 1) {
                out.push(format!("{c}{next}"));
            }
        }
        run.clear();
    };
    let flush_word = |word: &mut String, out: &mut Vec<String>| {
        let trimmed = word.trim_matches(|c| c == '.' || c == '/');
        if !trimmed.is_empty() {
            // English words are stemmed (Snowball): standards, standardized -> standard.
            let stem = if !STOP.contains(&trimmed)
                && trimmed.len() >= 3
                && trimmed.chars().all(|c| c.is_ascii_alphabetic())
            {
                STEMMER.stem(trimmed)
            } else {
                std::borrow::Cow::Borrowed(trimmed)
            };
            out.push(stem.to_string());
            if trimmed.contains('/') || trimmed.contains('.') {
                for part in trimmed.split(['/', '.']).filter(|p| !p.is_empty()) {
                    out.push(part.to_string());
                }
            }
        }
        word.clear();
    };
    for c in folded.chars() {
        if is_cjk(c) {
            flush_word(&mut word, &mut out);
            cjk_run.push(c);
        } else if c.is_alphanumeric() || ((c == '/' || c == '.') && !word.is_empty()) {
            flush_cjk(&mut cjk_run, &mut out);
            word.push(c);
        } else {
            flush_cjk(&mut cjk_run, &mut out);
            flush_word(&mut word, &mut out);
        }
    }
    flush_cjk(&mut cjk_run, &mut out);
    flush_word(&mut word, &mut out);
    out.retain(|t| !STOP.contains(&t.as_str()));
    out
}

/// Plain character bigrams of the folded text, and its characters too when `unigrams`
/// (the baselines' tokenisers).
pub fn plain_grams(text: &str, unigrams: bool) -> Vec<String> {
    let chars: Vec<char> = fold(text).chars().filter(|c| !c.is_whitespace()).collect();
    let mut out: Vec<String> = chars.windows(2).map(|w| w.iter().collect()).collect();
    if unigrams {
        out.extend(chars.iter().map(char::to_string));
    }
    out
}

#[derive(Debug, Clone, Default)]
pub struct Bm25 {
    postings: HashMap<String, Vec<(u32, u32)>>,
    doc_len: Vec<f64>,
    /// BM25's length normalisation per document: k1 * (1 - b + b * len / avg_len).
    norm: Vec<f64>,
    k1: f64,
}

impl Bm25 {
    pub fn new(docs: Vec<Vec<String>>) -> Bm25 {
        Bm25::with_k1(docs, K1)
    }

    /// BM25 with the textbook parameters (k1 1.2, b 0.75), as the baseline uses.
    pub fn standard(docs: Vec<Vec<String>>) -> Bm25 {
        Bm25::with_k1(docs, STANDARD_K1)
    }

    fn with_k1(docs: Vec<Vec<String>>, k1: f64) -> Bm25 {
        let mut postings: HashMap<String, Vec<(u32, u32)>> = HashMap::new();
        let mut doc_len = Vec::with_capacity(docs.len());
        for (doc, toks) in docs.iter().enumerate() {
            doc_len.push(toks.len() as f64);
            let mut counts: HashMap<&str, u32> = HashMap::new();
            for t in toks {
                *counts.entry(t.as_str()).or_default() += 1;
            }
            for (t, n) in counts {
                postings
                    .entry(t.to_string())
                    .or_default()
                    .push((doc as u32, n));
            }
        }
        let avg_len = if doc_len.is_empty() {
            1.0
        } else {
            doc_len.iter().sum::<f64>() / doc_len.len() as f64
        };
        let avg_len = avg_len.max(1.0);
        let norm = doc_len
            .iter()
            .map(|len| k1 * (1.0 - B + B * len / avg_len))
            .collect();
        Bm25 {
            postings,
            doc_len,
            norm,
            k1,
        }
    }

    fn idf(&self, token: &str) -> f64 {
        let n = self.doc_len.len() as f64;
        let df = self.postings.get(token).map_or(0.0, |p| p.len() as f64);
        ((n - df + 0.5) / (df + 0.5) + 1.0).ln()
    }

    pub fn scores(&self, query: &[String]) -> Vec<f64> {
        let mut scores = vec![0.0; self.doc_len.len()];
        self.add_scores(query, 1.0, &mut scores);
        scores
    }

    /// Adds `factor` times each document's BM25 score for `query` to `acc`.
    pub fn add_scores(&self, query: &[String], factor: f64, acc: &mut [f64]) {
        for token in dedup(query) {
            let Some(list) = self.postings.get(token) else {
                continue;
            };
            let idf = factor * self.idf(token) * token_weight(token) * (self.k1 + 1.0);
            for &(doc, tf) in list {
                let tf = f64::from(tf);
                acc[doc as usize] += idf * tf / (tf + self.norm[doc as usize]);
            }
        }
    }

    /// Whether `doc` contains `token`.
    pub fn contains(&self, doc: usize, token: &str) -> bool {
        self.postings.get(token).is_some_and(|list| {
            // Postings are in document order.
            list.binary_search_by_key(&doc, |&(d, _)| d as usize)
                .is_ok()
        })
    }

    /// The largest idf in this index (a token in one document only): the scale of its
    /// scores, which grows with the number of documents.
    pub fn max_idf(&self) -> f64 {
        ((self.doc_len.len() as f64 + 0.5) / 0.5 + 1.0).ln()
    }

    /// The query's own best possible score: each of its tokens found once in a document of
    /// average length (tokens no document has count as `unknown_weight` of the largest idf).
    /// Scores divided by it compare across bases of any size.
    pub fn ideal(&self, query: &[String], unknown_weight: f64) -> f64 {
        let max_idf = ((self.doc_len.len() as f64 + 0.5) / 0.5 + 1.0).ln();
        dedup(query)
            .into_iter()
            .map(|token| {
                let idf = match self.postings.get(token) {
                    Some(_) => self.idf(token),
                    None => max_idf * unknown_weight,
                };
                idf * token_weight(token)
            })
            .sum()
    }

    /// Share of the query's idf weight (unknown tokens weigh the most) found in `doc`.
    pub fn coverage(&self, query: &[String], doc: usize, unknown_weight: f64) -> f64 {
        let mut total = 0.0;
        let mut found = 0.0;
        let max_idf = ((self.doc_len.len() as f64 + 0.5) / 0.5 + 1.0).ln();
        for token in dedup(query) {
            let weight = match self.postings.get(token) {
                Some(_) => {
                    let w = self.idf(token) * token_weight(token);
                    if self.contains(doc, token) {
                        found += w;
                    }
                    w
                }
                None => max_idf * unknown_weight * token_weight(token),
            };
            total += weight;
        }
        if total == 0.0 {
            0.0
        } else {
            found / total
        }
    }
}

/// Single Chinese characters say less than words and bigrams.
pub fn token_weight(token: &str) -> f64 {
    let mut chars = token.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) if is_cjk(c) => UNIGRAM_WEIGHT,
        _ => 1.0,
    }
}

const UNIGRAM_WEIGHT: f64 = 0.4;

fn dedup(query: &[String]) -> Vec<&str> {
    let mut seen: Vec<&str> = Vec::with_capacity(query.len());
    for t in query {
        if !seen.contains(&t.as_str()) {
            seen.push(t);
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_gets_unigrams_and_bigrams_latin_gets_words() {
        let t = tokens("GB/T的T");
        assert!(t.contains(&"gb/t".to_string()));
        assert!(t.contains(&"t".to_string()));
        let t = tokens("标准化");
        assert_eq!(t, vec!["标", "标准", "准", "准化", "化"]);
    }
}
