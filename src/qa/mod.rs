//! 智慧问答: the knowledge base and retrieval over it.
//!
//! Ranking: BM25 over one document per entry (question, alternates, keywords, answer,
//! and their English forms), tokenised as character unigrams and bigrams (Chinese has no
//! spaces) and stemmed words (Latin script), after width/case folding, an abbreviation
//! table and a concept thesaurus. An English query also scores on the English fields
//! alone. A short query that names the concept an
//! entry defines (ISO, 什么是标准化, PDCA) ranks that entry first (`concept.rs`).
//!
//! Abstention does not depend on the size of the base: the best entry must name the
//! query's concept, or reach a share of the query's own best possible score and cover
//! enough of its weight; and the query must name no neighbouring subject (certification,
//! trademarks...) that the entry never mentions. Otherwise the bot abstains, offers up to
//! three close entries when there are some, says where such questions belong if it can,
//! and records the question for admins. Greetings and thanks are small talk, not questions.

mod concept;
mod index;
pub mod scope;
mod small_talk;
mod synonyms;

use std::collections::HashSet;

use crate::bank::{FaqRecord, Problem};
use crate::text::clean_cell;
use concept::{Origin, Subjects};
use index::{tokens, Bm25};
pub use small_talk::SmallTalk;

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

/// What the knowledge base says to a message: the best entries, best first, or nothing
/// (it abstains), perhaps with a pointer to where such questions belong, or with close
/// entries to offer instead ("你是不是想问…"). Small talk gets neither.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub matches: Vec<Match>,
    pub redirect: Option<&'static scope::Redirect>,
    /// Up to three close entries, best first; only when `matches` is empty and the
    /// question is not redirected.
    pub suggestions: Vec<Match>,
    /// The message was a greeting, thanks and the like: nothing to answer or record.
    pub small_talk: Option<SmallTalk>,
}

impl Answer {
    fn abstain(redirect: Option<&'static scope::Redirect>) -> Answer {
        Answer {
            matches: Vec::new(),
            redirect,
            suggestions: Vec::new(),
            small_talk: None,
        }
    }

    /// Whether the question went unanswered and belongs in the admins' list.
    pub fn is_unanswered(&self) -> bool {
        self.matches.is_empty() && self.small_talk.is_none()
    }
}

/// Tuning of the ranker; the defaults are what the dev-set benchmark measures. Every
/// threshold is a share (of the query's own weight or of the best score), so the same
/// values hold for a base of 20 entries and one of 10,000.
#[derive(Debug, Clone, Copy)]
pub struct Tuning {
    /// Weight of the English-only document when the query is in English.
    pub english_weight: f64,
    /// Minimum share of the query's token weight the best entry must cover.
    pub min_coverage: f64,
    /// Minimum best score as a share of the query's own best possible score.
    pub min_relative: f64,
    /// Minimum best score in units of the base's largest idf (which grows with its size).
    pub min_strength: f64,
    /// Related entries must score at least this share of the best.
    pub related_ratio: f64,
    /// Weight of a query token no entry contains, as a share of the largest idf.
    pub unknown_weight: f64,
    /// How much naming an entry's subject adds, as a share of the best or ideal score.
    pub concept_weight: f64,
    /// A short query is answered by the entry whose subject it names this well (0 to 1).
    pub min_concept: f64,
    /// Suggestions need this share of the query's best possible score...
    pub suggest_relative: f64,
    /// ...and this coverage, or a subject named at least `suggest_concept` well.
    pub suggest_coverage: f64,
    pub suggest_concept: f64,
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            english_weight: 0.7,
            min_coverage: 0.15,
            min_relative: 0.8,
            min_strength: 2.5,
            related_ratio: 0.35,
            unknown_weight: 1.0,
            concept_weight: 2.0,
            min_concept: 0.45,
            suggest_relative: 0.3,
            suggest_coverage: 0.2,
            suggest_concept: 0.4,
        }
    }
}

/// How many entries the concept match looks at beyond those that share its subject's
/// letters: the best by BM25.
const CONCEPT_CANDIDATES: usize = 30;

#[derive(Debug, Clone, Default)]
pub struct KnowledgeBase {
    entries: Vec<Entry>,
    /// One document per entry: its question, alternates, keywords and answer.
    documents: Bm25,
    /// The English fields only, so an English query is not drowned by Chinese text.
    english: Bm25,
    /// The concepts the entries' phrasings name.
    subjects: Subjects,
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
        let subjects = Subjects::new(
            entries
                .iter()
                .map(|e| {
                    let mut list = vec![(e.question.clone(), Origin::Question)];
                    list.extend(e.question_en.iter().map(|q| (q.clone(), Origin::Question)));
                    list.extend(e.alternates.iter().map(|a| (a.clone(), Origin::Alternate)));
                    list.extend(e.keywords.iter().enumerate().map(|(i, k)| {
                        let origin = if i == 0 {
                            Origin::MainKeyword
                        } else {
                            Origin::Keyword
                        };
                        (k.clone(), origin)
                    }));
                    list
                })
                .collect(),
        );
        KnowledgeBase {
            entries,
            documents,
            english,
            subjects,
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

    /// The best entries for a free-text message, or why it abstains. The one entry
    /// point for the chat, `stdquiz ask` and the benchmark.
    pub fn answer(&self, message: &str) -> Answer {
        if let Some(kind) = small_talk::detect(message) {
            return Answer {
                small_talk: Some(kind),
                ..Answer::abstain(None)
            };
        }
        let query = small_talk::strip_leading(message);
        let expanded = synonyms::expand(query);
        let query_tokens = tokens(&expanded);
        if query_tokens.is_empty() || self.entries.is_empty() {
            return Answer::abstain(None);
        }
        let tuning = &self.tuning;
        let english = is_english_query(query);
        let mut scores = vec![0.0; self.entries.len()];
        self.documents.add_scores(&query_tokens, 1.0, &mut scores);
        if english {
            self.english
                .add_scores(&query_tokens, tuning.english_weight, &mut scores);
        }
        let ideal = self
            .documents
            .ideal(&query_tokens, tuning.unknown_weight)
            .max(f64::MIN_POSITIVE);
        let concepts = self.concepts(query, &scores);
        let raw = scores.clone();
        if let Some(&(_, best_similarity)) = concepts.first() {
            let best_raw = raw.iter().copied().fold(0.0, f64::max);
            // Squared, so naming the concept exactly counts far more than in passing.
            let scale = best_raw.max(ideal) * tuning.concept_weight;
            for &(doc, similarity) in &concepts {
                scores[doc] += scale * similarity * similarity / best_similarity;
            }
        }
        let similarity_of = |doc: usize| {
            concepts
                .iter()
                .find(|(d, _)| *d == doc)
                .map_or(0.0, |(_, s)| *s)
        };
        let coverage_of = |doc: usize| {
            let unknown = tuning.unknown_weight;
            let coverage = self.documents.coverage(&query_tokens, doc, unknown);
            if english {
                coverage.max(self.english.coverage(&query_tokens, doc, unknown))
            } else {
                coverage
            }
        };
        let ranked = top(&scores, MAX_MATCHES);
        let Some(&(best, best_score)) = ranked.first() else {
            return Answer::abstain(scope::named(&index::fold(query)));
        };
        let coverage = coverage_of(best);
        let named = similarity_of(best) >= tuning.min_concept;
        // A long question scores high without matching well, a short one matches well
        // without scoring high: either will do, with enough of the query covered.
        let scored = coverage >= tuning.min_coverage
            && (raw[best] / ideal >= tuning.min_relative
                || raw[best] / self.documents.max_idf() >= tuning.min_strength);
        if !named && !scored {
            let redirect = scope::named(&index::fold(query));
            let suggestions = if redirect.is_some() {
                Vec::new()
            } else {
                ranked
                    .iter()
                    .filter(|&&(doc, _)| {
                        similarity_of(doc) >= tuning.suggest_concept
                            || (raw[doc] / ideal >= tuning.suggest_relative
                                && coverage_of(doc) >= tuning.suggest_coverage)
                    })
                    .map(|&(doc, score)| self.to_match(doc, score))
                    .collect()
            };
            return Answer {
                suggestions,
                ..Answer::abstain(redirect)
            };
        }
        // A query that names the entry's concept is about that entry, not about the
        // content of some standard it happens to mention.
        let coverage = if named { 1.0 } else { coverage };
        if let Some(redirect) = self.out_of_scope(query, best, coverage) {
            return Answer::abstain(Some(redirect));
        }
        let matches = ranked
            .into_iter()
            .filter(|(_, s)| *s >= best_score * tuning.related_ratio)
            .map(|(doc, score)| self.to_match(doc, score))
            .collect();
        Answer {
            matches,
            ..Answer::abstain(None)
        }
    }

    fn to_match(&self, doc: usize, score: f64) -> Match {
        let e = &self.entries[doc];
        Match {
            id: e.id.clone(),
            question: e.question.clone(),
            answer: e.answer.clone(),
            source: e.source.clone(),
            score: (score * 1000.0).round() / 1000.0,
        }
    }

    /// The entries whose subject a short query names, with how well (best first).
    fn concepts(&self, query: &str, scores: &[f64]) -> Vec<(usize, f64)> {
        let core = concept::query_core(query);
        if !concept::is_short(&core) {
            return Vec::new();
        }
        let mut terms = vec![core.clone()];
        terms.extend(synonyms::long_forms(&core).into_iter().map(str::to_string));
        let mut found = Vec::new();
        let candidates = top(scores, CONCEPT_CANDIDATES);
        for term in &terms {
            found.extend(self.subjects.near(term));
            found.extend(
                candidates
                    .iter()
                    .map(|&(doc, _)| (doc, self.subjects.similarity(doc, term))),
            );
        }
        found.retain(|(_, similarity)| *similarity > 0.0);
        // Best first, then one pair per entry.
        found.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut seen = HashSet::new();
        found.retain(|(doc, _)| seen.insert(*doc));
        found
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

/// The plain baselines of the benchmark: BM25 (k1 1.2, b 0.75) over question,
/// alternates and answer, no synonyms, no field weights.
pub struct Baseline {
    index: Bm25,
    ids: Vec<String>,
    unigrams: bool,
    /// Below this score it abstains; 0 never abstains.
    pub min_score: f64,
}

impl Baseline {
    /// Character bigrams, abstaining below a fixed score (the earlier baseline).
    pub fn new(entries: &[Entry]) -> Baseline {
        Baseline::build(entries, false, 8.0)
    }

    /// Character unigrams and bigrams, never abstaining (the baseline of issue 15).
    pub fn unigram_bigram(entries: &[Entry]) -> Baseline {
        Baseline::build(entries, true, 0.0)
    }

    fn build(entries: &[Entry], unigrams: bool, min_score: f64) -> Baseline {
        let docs = entries
            .iter()
            .map(|e| {
                let text = format!("{} {} {}", e.question, e.alternates.join(" "), e.answer);
                index::plain_grams(&text, unigrams)
            })
            .collect();
        Baseline {
            index: Bm25::standard(docs),
            ids: entries.iter().map(|e| e.id.clone()).collect(),
            unigrams,
            min_score,
        }
    }

    pub fn ask(&self, query: &str) -> Vec<String> {
        let grams = index::plain_grams(query, self.unigrams);
        let ranked = top(&self.index.scores(&grams), MAX_MATCHES);
        if ranked.first().is_none_or(|(_, s)| *s < self.min_score) {
            return Vec::new();
        }
        ranked
            .into_iter()
            .map(|(i, _)| self.ids[i].clone())
            .collect()
    }
}
