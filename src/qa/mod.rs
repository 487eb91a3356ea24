//! 智慧问答: the knowledge base and retrieval over it.
//!
//! Ranking: BM25 over one document per entry (question, alternates, keywords, answer,
//! and their English forms), tokenised as character unigrams and bigrams (Chinese has no
//! spaces) and stemmed words (Latin script), after width/case folding, an abbreviation
//! table and a concept thesaurus. An English query also scores on the English fields
//! alone. The best match is accepted only when it scores and covers enough of the query,
//! and when the query names no neighbouring subject (certification, trademarks...) that
//! the entry never mentions; otherwise the bot abstains, says where such questions
//! belong if it can, and records the question for admins.

mod index;
pub mod scope;
mod synonyms;

use std::collections::HashSet;

use crate::bank::{FaqRecord, Problem};
use crate::text::clean_cell;
use index::{tokens, Bm25};

pub const MAX_ANSWER_CHARS: usize = 600;
/// How many matches `ask` returns at most.
pub const MAX_MATCHES: usize = 3;

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub id: String,
    pub topic: String,
    pub question: String,
    pub alternates: Vec<String>,
    pub answer: String,
    pub keywords: Vec<String>,
    pub source: String,
    pub question_en: Option<String>,
    pub answer_en: Option<String>,
}

impl Entry {
    pub fn question_in(&self, english: bool) -> &str {
        match (&self.question_en, english) {
            (Some(en), true) => en,
            _ => &self.question,
        }
    }

    pub fn answer_in(&self, english: bool) -> &str {
        match (&self.answer_en, english) {
            (Some(en), true) => en,
            _ => &self.answer,
        }
    }

    pub fn to_record(&self) -> FaqRecord {
        FaqRecord {
            id: Some(self.id.clone()),
            topic: Some(self.topic.clone()),
            question: self.question.clone(),
            alternates: self.alternates.clone(),
            answer: self.answer.clone(),
            keywords: self.keywords.clone(),
            source: self.source.clone(),
            question_en: self.question_en.clone(),
            answer_en: self.answer_en.clone(),
            line: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Match {
    pub id: String,
    pub question: String,
    pub answer: String,
    pub source: String,
    pub score: f64,
}

/// What the knowledge base says to a question: the best entries, best first, or
/// nothing (it abstains), perhaps with a pointer to where such questions belong.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub matches: Vec<Match>,
    pub redirect: Option<&'static scope::Redirect>,
}

impl Answer {
    fn abstain(redirect: Option<&'static scope::Redirect>) -> Answer {
        Answer {
            matches: Vec::new(),
            redirect,
        }
    }
}

/// Tuning of the ranker; the defaults are what the dev-set benchmark measures.
#[derive(Debug, Clone, Copy)]
pub struct Tuning {
    /// Weight of the English-only document when the query is in English.
    pub english_weight: f64,
    /// Minimum share of the query's token weight the best entry must cover.
    pub min_coverage: f64,
    pub min_score: f64,
    /// Related entries must score at least this share of the best.
    pub related_ratio: f64,
    /// Weight of a query token no entry contains, as a share of the largest idf.
    pub unknown_weight: f64,
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            english_weight: 0.7,
            min_coverage: 0.2,
            min_score: 15.0,
            related_ratio: 0.35,
            unknown_weight: 0.5,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct KnowledgeBase {
    entries: Vec<Entry>,
    /// One document per entry: its question, alternates, keywords and answer.
    documents: Bm25,
    /// The English fields only, so an English query is not drowned by Chinese text.
    english: Bm25,
    pub tuning: Tuning,
}

impl KnowledgeBase {
    /// Builds the base from batches of records; later entries with the same id replace earlier ones.
    pub fn build(batches: &[(String, Vec<FaqRecord>)]) -> (KnowledgeBase, Vec<Problem>) {
        let mut problems = Vec::new();
        let mut entries: Vec<Entry> = Vec::new();
        for (file, records) in batches {
            let mut seen = HashSet::new();
            for (index, record) in records.iter().enumerate() {
                match validate_entry(record) {
                    Ok(entry) => {
                        if !seen.insert(entry.id.clone()) {
                            problems.push(Problem {
                                file: file.clone(),
                                line: record.line,
                                question: Some(entry.id.clone()),
                                message: format!("duplicate id `{}`", entry.id),
                            });
                            continue;
                        }
                        match entries.iter_mut().find(|e| e.id == entry.id) {
                            Some(slot) => *slot = entry,
                            None => entries.push(entry),
                        }
                    }
                    Err(messages) => {
                        for message in messages {
                            problems.push(Problem {
                                file: file.clone(),
                                line: record.line,
                                question: Some(
                                    record
                                        .id
                                        .clone()
                                        .unwrap_or_else(|| format!("#{}", index + 1)),
                                ),
                                message,
                            });
                        }
                    }
                }
            }
        }
        (KnowledgeBase::from_entries(entries), problems)
    }

    pub fn from_entries(entries: Vec<Entry>) -> KnowledgeBase {
        let documents = Bm25::new(
            entries
                .iter()
                .map(|e| {
                    let mut text = phrasings(e);
                    text.push(e.answer.clone());
                    text.extend(e.answer_en.iter().cloned());
                    tokens(&synonyms::expand(&text.join(" ")))
                })
                .collect(),
        );
        let english = Bm25::new(
            entries
                .iter()
                .map(|e| {
                    let mut text: Vec<String> =
                        phrasings(e).into_iter().filter(|p| is_english(p)).collect();
                    text.extend(e.answer_en.iter().cloned());
                    tokens(&synonyms::expand(&text.join(" ")))
                })
                .collect(),
        );
        KnowledgeBase {
            entries,
            documents,
            english,
            tuning: Tuning::default(),
        }
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn get(&self, id: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.id == id)
    }

    /// The best entries for a free-text question, best first; empty when it abstains.
    pub fn ask(&self, query: &str) -> Vec<Match> {
        self.answer(query).matches
    }

    /// Whether entry `doc` mentions `phrase` (all its words and bigrams occur in it).
    fn mentions(&self, doc: usize, phrase: &str) -> bool {
        let toks = tokens(phrase);
        let strong: Vec<&String> = toks
            .iter()
            .filter(|t| index::token_weight(t) >= 1.0)
            .collect();
        !strong.is_empty() && strong.iter().all(|t| self.documents.contains(doc, t))
    }

    /// The neighbouring subject or named standard a query asks about that entry `doc`
    /// does not cover.
    fn out_of_scope(
        &self,
        query: &str,
        doc: usize,
        coverage: f64,
    ) -> Option<&'static scope::Redirect> {
        let folded = index::fold(query);
        for subject in scope::subjects(&folded) {
            if !subject.cues_in(&folded).any(|cue| self.mentions(doc, cue)) {
                return Some(subject);
            }
        }
        // A standard the entry never names, in a question the entry only partly covers,
        // asks about that standard's own content.
        let missing = scope::designations(&folded)
            .into_iter()
            .any(|number| !self.documents.contains(doc, number));
        (missing && coverage < DESIGNATION_COVERAGE).then_some(&scope::DESIGNATION_HINT)
    }

    /// The best entries for a free-text question, or why it abstains.
    pub fn answer(&self, query: &str) -> Answer {
        let expanded = synonyms::expand(query);
        let query_tokens = tokens(&expanded);
        if query_tokens.is_empty() || self.entries.is_empty() {
            return Answer::abstain(None);
        }
        let english = is_english_query(query);
        let mut scores = vec![0.0; self.entries.len()];
        self.documents.add_scores(&query_tokens, 1.0, &mut scores);
        if english {
            self.english
                .add_scores(&query_tokens, self.tuning.english_weight, &mut scores);
        }
        let ranked = top(&scores, MAX_MATCHES);
        let Some(&(best, best_score)) = ranked.first() else {
            return Answer::abstain(scope::named(&index::fold(query)));
        };
        let unknown = self.tuning.unknown_weight;
        let mut coverage = self.documents.coverage(&query_tokens, best, unknown);
        if english {
            coverage = coverage.max(self.english.coverage(&query_tokens, best, unknown));
        }
        if best_score < self.tuning.min_score || coverage < self.tuning.min_coverage {
            return Answer::abstain(scope::named(&index::fold(query)));
        }
        if let Some(redirect) = self.out_of_scope(query, best, coverage) {
            return Answer::abstain(Some(redirect));
        }
        let matches = ranked
            .into_iter()
            .take(MAX_MATCHES)
            .filter(|(_, s)| *s >= best_score * self.tuning.related_ratio)
            .map(|(i, score)| {
                let e = &self.entries[i];
                Match {
                    id: e.id.clone(),
                    question: e.question.clone(),
                    answer: e.answer.clone(),
                    source: e.source.clone(),
                    score: (score * 1000.0).round() / 1000.0,
                }
            })
            .collect();
        Answer {
            matches,
            redirect: None,
        }
    }
}

/// The `n` best-scoring documents with a positive score, best first (ties by position).
fn top(scores: &[f64], n: usize) -> Vec<(usize, f64)> {
    let order = |a: &(usize, f64), b: &(usize, f64)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
    let mut ranked: Vec<(usize, f64)> = scores
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, s)| *s > 0.0)
        .collect();
    if ranked.len() > n {
        ranked.select_nth_unstable_by(n, order);
        ranked.truncate(n);
    }
    ranked.sort_by(order);
    ranked
}

/// Below this coverage, a question naming a standard its best entry does not mention
/// is about that standard's content, which the knowledge base does not hold.
const DESIGNATION_COVERAGE: f64 = 0.4;

/// Text with Latin letters and no Chinese characters.
fn is_english(text: &str) -> bool {
    !text.chars().any(index::is_cjk) && text.chars().any(|c| c.is_ascii_alphabetic())
}

/// A query written mostly in English (a code like GB/T inside Chinese does not count).
pub fn is_english_query(text: &str) -> bool {
    let cjk = text.chars().filter(|&c| index::is_cjk(c)).count();
    let latin = text.chars().filter(char::is_ascii_alphabetic).count();
    latin >= 6 && cjk * 4 <= latin
}

/// Every way an entry is phrased: its question, alternates, English question and keywords.
fn phrasings(entry: &Entry) -> Vec<String> {
    let mut all = vec![entry.question.clone()];
    all.extend(entry.alternates.iter().cloned());
    all.extend(entry.question_en.iter().cloned());
    if !entry.keywords.is_empty() {
        all.push(entry.keywords.join(" "));
    }
    all
}

fn validate_entry(record: &FaqRecord) -> Result<Entry, Vec<String>> {
    let mut errors = Vec::new();
    let id = record.id.as_deref().map(clean_cell).unwrap_or_default();
    if id.is_empty()
        || id.len() > 40
        || !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        errors.push(format!(
            "id `{id}` must be 1-40 letters, digits, '-', '_' or '.'"
        ));
    }
    let question = clean_cell(&record.question);
    if question.is_empty() {
        errors.push("empty question (问题)".into());
    }
    let answer = clean_cell(&record.answer);
    if answer.is_empty() {
        errors.push("empty answer (答案)".into());
    } else if answer.chars().count() > MAX_ANSWER_CHARS {
        errors.push(format!(
            "answer has {} characters; keep it under {MAX_ANSWER_CHARS}",
            answer.chars().count()
        ));
    }
    let source = clean_cell(&record.source);
    if source.is_empty() {
        errors.push("missing source (出处)".into());
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let list = |v: &[String]| {
        v.iter()
            .map(|s| clean_cell(s))
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
    };
    Ok(Entry {
        id,
        topic: record.topic.as_deref().map(clean_cell).unwrap_or_default(),
        question,
        alternates: list(&record.alternates),
        answer,
        keywords: list(&record.keywords),
        source,
        question_en: record
            .question_en
            .as_deref()
            .map(clean_cell)
            .filter(|s| !s.is_empty()),
        answer_en: record
            .answer_en
            .as_deref()
            .map(clean_cell)
            .filter(|s| !s.is_empty()),
    })
}

/// The plain baseline of the benchmark: character-bigram BM25 over all text, no
/// synonyms, no field weights, abstaining below a fixed score.
pub struct Baseline {
    index: Bm25,
    ids: Vec<String>,
    pub min_score: f64,
}

impl Baseline {
    pub fn new(entries: &[Entry]) -> Baseline {
        let docs = entries
            .iter()
            .map(|e| {
                index::bigrams(&format!(
                    "{} {} {}",
                    e.question,
                    e.alternates.join(" "),
                    e.answer
                ))
            })
            .collect();
        Baseline {
            index: Bm25::standard(docs),
            ids: entries.iter().map(|e| e.id.clone()).collect(),
            min_score: 8.0,
        }
    }

    pub fn ask(&self, query: &str) -> Vec<String> {
        let ranked = top(&self.index.scores(&index::bigrams(query)), MAX_MATCHES);
        if ranked.first().is_none_or(|(_, s)| *s < self.min_score) {
            return Vec::new();
        }
        ranked
            .into_iter()
            .take(MAX_MATCHES)
            .map(|(i, _)| self.ids[i].clone())
            .collect()
    }
}
