//! 智慧问答 quality and latency: `cargo bench --bench qa`.
//!
//! Quality: query sets in bench/ (expected entry ids, "" = must abstain, `accept` = other
//! entries that are as good) on two knowledge bases: the shipped one (questions/faq/) and a
//! second, 32-entry one imported on its own (bench/kb2/). Each set is scored for stdquiz's
//! ranker beside two plain BM25 baselines computed in the same run. Dev sets may be tuned
//! on (`QA_MISSES=1` lists their misses, `QA_GRID=1` sweeps the thresholds); held-out sets
//! print totals only (`QA_DEV_ONLY=1` skips them and the latency run, for tuning;
//! `QA_LATENCY=1` runs the latency part alone).
//! Latency: every dev and short query against a 10,000-entry knowledge base.

use std::path::Path;
use std::time::Instant;

use serde::Deserialize;
use stdquiz::qa::{Answer, Baseline, Entry, KnowledgeBase};

#[derive(Deserialize)]
struct QuerySet {
    query: Vec<Query>,
}

#[derive(Deserialize)]
struct Query {
    text: String,
    expect: String,
    kind: String,
    /// Other entries that answer the query as well as `expect`.
    #[serde(default)]
    accept: Vec<String>,
}

impl Query {
    fn is_right(&self, id: &str) -> bool {
        id == self.expect || self.accept.iter().any(|a| a == id)
    }
}

#[derive(Default, Clone)]
struct Score {
    top1: usize,
    top3: usize,
    answerable: usize,
    abstained: usize,
    offtopic: usize,
    false_abstain: usize,
    /// Answerable queries it abstained on but whose entry it offered as a suggestion.
    suggested: usize,
    /// Off-topic queries it abstained on with suggestions anyway.
    offtopic_suggested: usize,
}

impl Score {
    fn add(&mut self, q: &Query, ranked: &[String], suggested: &[String]) {
        if q.expect.is_empty() {
            self.offtopic += 1;
            self.abstained += usize::from(ranked.is_empty());
            self.offtopic_suggested += usize::from(ranked.is_empty() && !suggested.is_empty());
            return;
        }
        self.answerable += 1;
        self.top1 += usize::from(ranked.first().is_some_and(|id| q.is_right(id)));
        self.top3 += usize::from(ranked.iter().take(3).any(|id| q.is_right(id)));
        self.false_abstain += usize::from(ranked.is_empty());
        self.suggested +=
            usize::from(ranked.is_empty() && suggested.iter().any(|id| q.is_right(id)));
    }

    fn top1(&self) -> f64 {
        pct(self.top1, self.answerable)
    }

    fn top3(&self) -> f64 {
        pct(self.top3, self.answerable)
    }

    fn abstention(&self) -> f64 {
        pct(self.abstained, self.offtopic)
    }
}

fn pct(n: usize, of: usize) -> f64 {
    if of == 0 {
        0.0
    } else {
        100.0 * n as f64 / of as f64
    }
}

fn ids(matches: &[stdquiz::qa::Match]) -> Vec<String> {
    matches.iter().map(|m| m.id.clone()).collect()
}

fn score_set(kb: &KnowledgeBase, set: &QuerySet) -> Score {
    let mut s = Score::default();
    for q in &set.query {
        let Answer {
            matches,
            suggestions,
            ..
        } = kb.answer(&q.text);
        s.add(q, &ids(&matches), &ids(&suggestions));
    }
    s
}

struct Bases<'a> {
    kb: &'a KnowledgeBase,
    /// The same ranker with the thresholds it had before issue 15: a fixed score floor
    /// of 15, coverage 0.2, no concept match (spelling and small talk stay on).
    previous: KnowledgeBase,
    bigram: Baseline,
    plain: Baseline,
}

impl<'a> Bases<'a> {
    fn new(kb: &'a KnowledgeBase) -> Bases<'a> {
        let mut previous = kb.clone();
        let max_idf = ((kb.len() as f64 + 0.5) / 0.5 + 1.0).ln();
        previous.tuning = stdquiz::qa::Tuning {
            min_coverage: 0.2,
            min_relative: f64::INFINITY,
            min_strength: 15.0 / max_idf,
            unknown_weight: 0.5,
            concept_weight: 0.0,
            min_concept: f64::INFINITY,
            suggest_concept: f64::INFINITY,
            ..kb.tuning
        };
        Bases {
            kb,
            previous,
            bigram: Baseline::new(kb.entries()),
            plain: Baseline::unigram_bigram(kb.entries()),
        }
    }
}

/// Scores stdquiz and both baselines on one set, prints the table, and returns stdquiz's
/// misses (top-1 wrong, or answered when it should abstain).
fn evaluate(name: &str, bases: &Bases, set: &QuerySet, by_kind: bool) -> Vec<String> {
    let (mut ours, mut bigram, mut plain) = (Score::default(), Score::default(), Score::default());
    let mut previous = Score::default();
    let mut misses = Vec::new();
    let mut kinds: std::collections::BTreeMap<&str, Score> = Default::default();
    for q in &set.query {
        let answer = bases.kb.answer(&q.text);
        let ranked = ids(&answer.matches);
        let suggested = ids(&answer.suggestions);
        kinds
            .entry(&q.kind)
            .or_default()
            .add(q, &ranked, &suggested);
        let right = match ranked.first() {
            Some(id) => q.is_right(id),
            None => q.expect.is_empty(),
        };
        if !right {
            misses.push(format!(
                "  [{}] {} -> expected {:?}, got {:?}, suggested {:?}",
                q.kind, q.text, q.expect, ranked, suggested
            ));
        }
        ours.add(q, &ranked, &suggested);
        let before = bases.previous.answer(&q.text);
        previous.add(q, &ids(&before.matches), &ids(&before.suggestions));
        bigram.add(q, &bases.bigram.ask(&q.text), &[]);
        plain.add(q, &bases.plain.ask(&q.text), &[]);
    }
    println!(
        "\n智慧问答 {name}: {} queries ({} answerable, {} off-topic), {} entries\n",
        set.query.len(),
        ours.answerable,
        ours.offtopic,
        bases.kb.len()
    );
    println!(
        "| ranker | top-1 | top-3 | off-topic abstention | answerable wrongly abstained | of those, entry suggested |"
    );
    println!("| --- | --- | --- | --- | --- | --- |");
    for (ranker, s) in [
        ("stdquiz", &ours),
        (
            "stdquiz, previous thresholds (floor 15, no concepts)",
            &previous,
        ),
        ("baseline: uni+bigram BM25, never abstains", &plain),
        ("baseline: bigram BM25, fixed floor", &bigram),
    ] {
        println!(
            "| {ranker} | {:.1}% | {:.1}% | {:.1}% | {:.1}% | {} |",
            s.top1(),
            s.top3(),
            s.abstention(),
            pct(s.false_abstain, s.answerable),
            if std::ptr::eq(s, &ours) {
                format!("{} of {}", s.suggested, s.false_abstain)
            } else {
                "–".to_string()
            }
        );
    }
    let best_top1 = plain.top1().max(bigram.top1());
    let best_top3 = plain.top3().max(bigram.top3());
    let verdict = |ok: bool| if ok { "met" } else { "MISSED" };
    println!(
        "\ntargets: top-1 ≥ 90% {}, top-3 ≥ 97% {}, abstention ≥ 90% {}, not below the baselines {}; off-topic with suggestions: {} of {}",
        verdict(ours.top1() >= 90.0),
        verdict(ours.top3() >= 97.0),
        verdict(ours.offtopic == 0 || ours.abstention() >= 90.0),
        verdict(
            ours.top1() >= best_top1
                && ours.top3() >= best_top3
                && ours.abstention() >= bigram.abstention()
        ),
        ours.offtopic_suggested,
        ours.abstained
    );
    if by_kind {
        println!("\n| kind | queries | top-1 | top-3 | abstained |");
        println!("| --- | --- | --- | --- | --- |");
        for (kind, s) in &kinds {
            let n = s.answerable + s.offtopic;
            println!(
                "| {kind} | {n} | {:.0}% | {:.0}% | {:.0}% |",
                s.top1(),
                s.top3(),
                pct(s.abstained + s.false_abstain, n)
            );
        }
    }
    misses
}

fn load_set(root: &Path, file: &str) -> QuerySet {
    let text = std::fs::read_to_string(root.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    toml::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn load_kb(dir: &Path) -> KnowledgeBase {
    let report = stdquiz::bank::load_dir(dir);
    let (kb, problems) = KnowledgeBase::build(&report.faq);
    assert!(problems.is_empty(), "knowledge base problems: {problems:?}");
    assert!(!kb.is_empty(), "no entries in {}", dir.display());
    kb
}

/// The dev sets, tuned on; `(set, which base)`, 0 = shipped, 1 = second base.
const DEV: &[(&str, &str, usize)] = &[
    ("dev set", "bench/qa-devset.toml", 0),
    ("short queries, dev", "bench/qa-short.toml", 0),
    ("second base, dev", "bench/kb2-dev.toml", 1),
];

/// Sets not tuned on; BENCHMARKS.md says how far each was used.
const HELD_OUT: &[(&str, &str, usize)] = &[
    ("held-out set", "bench/qa-heldout.toml", 0),
    ("fresh check 1", "bench/qa-fresh1.toml", 0),
    ("fresh check 2", "bench/qa-fresh2.toml", 0),
    ("short queries, held-out", "bench/qa-short-heldout.toml", 0),
    ("second base, held-out", "bench/kb2-heldout.toml", 1),
];

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let kbs = [
        load_kb(&root.join("questions")),
        load_kb(&root.join("bench/kb2")),
    ];
    let dev: Vec<(&str, QuerySet, usize)> = DEV
        .iter()
        .map(|&(name, file, base)| (name, load_set(root, file), base))
        .collect();

    if std::env::var_os("QA_GRID").is_some() {
        grid(&kbs, &dev);
        return;
    }
    if std::env::var_os("QA_LATENCY").is_some() {
        latency(&kbs[0], &dev);
        return;
    }
    let bases = [Bases::new(&kbs[0]), Bases::new(&kbs[1])];
    for (name, set, base) in &dev {
        let misses = evaluate(name, &bases[*base], set, true);
        if std::env::var_os("QA_MISSES").is_some() {
            println!("\n{name} misses:\n{}", misses.join("\n"));
        } else {
            println!("\n{} misses (set QA_MISSES=1 to list them)", misses.len());
        }
    }
    if std::env::var_os("QA_DEV_ONLY").is_some() {
        return;
    }
    for &(name, file, base) in HELD_OUT {
        evaluate(name, &bases[base], &load_set(root, file), false);
    }
    if let Some(path) = std::env::var_os("QA_EXTRA") {
        let extra: QuerySet = toml::from_str(&std::fs::read_to_string(path).expect("QA_EXTRA"))
            .expect("extra set parses");
        let misses = evaluate("extra set", &bases[0], &extra, true);
        println!("\nextra set misses:\n{}", misses.join("\n"));
    }
    latency(&kbs[0], &dev);
}

/// Sweeps the thresholds over the dev sets and prints the best settings.
fn grid(kbs: &[KnowledgeBase; 2], dev: &[(&str, QuerySet, usize)]) {
    let mut kbs = kbs.clone();
    let mut results = Vec::new();
    for min_relative in [0.8, 0.9, 1.0, 1.1, 1.2] {
        for min_strength in [2.0, 2.5, 3.0] {
            for min_coverage in [0.15, 0.2, 0.25] {
                for (min_concept, unknown_weight) in [(0.45, 0.5), (0.55, 0.5), (0.45, 1.0)] {
                    let mut line = format!(
                        "rel {min_relative} strength {min_strength} cov {min_coverage} concept {min_concept} unk {unknown_weight}:"
                    );
                    let mut worst = f64::MAX;
                    let mut sum = 0.0;
                    for kb in kbs.iter_mut() {
                        kb.tuning = stdquiz::qa::Tuning {
                            min_relative,
                            min_strength,
                            min_coverage,
                            min_concept,
                            unknown_weight,
                            ..kb.tuning
                        };
                    }
                    for (name, set, base) in dev {
                        let s = score_set(&kbs[*base], set);
                        let (t1, t3, ab) = (s.top1(), s.top3(), s.abstention());
                        worst = worst.min(t1.min(ab));
                        sum += t1 + t3 + ab;
                        line.push_str(&format!(" | {name} {t1:.1}/{t3:.1}/{ab:.1}"));
                    }
                    results.push((worst + sum / 1000.0, line));
                }
            }
        }
    }
    results.sort_by(|a, b| b.0.total_cmp(&a.0));
    let shown: usize = std::env::var("QA_GRID")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(15);
    for (_, line) in results.iter().take(shown) {
        println!("{line}");
    }
}

/// Latency over 10,000 entries: the real entries plus variants with distinct ids and text.
fn latency(kb: &KnowledgeBase, dev: &[(&str, QuerySet, usize)]) {
    let mut entries: Vec<Entry> = Vec::with_capacity(10_000);
    let real = kb.entries();
    let mut i = 0;
    while entries.len() < 10_000 {
        let mut e = real[i % real.len()].clone();
        if i >= real.len() {
            e.id = format!("{}-v{}", e.id, i);
            e.question = format!("{} 第{}条 变体{}", e.question, i % 97, i);
            e.keywords.push(format!("k{}", i % 1013));
        }
        entries.push(e);
        i += 1;
    }
    let start = Instant::now();
    let big = KnowledgeBase::from_entries(entries);
    let build = start.elapsed();
    let queries: Vec<&str> = dev
        .iter()
        .filter(|(_, _, base)| *base == 0)
        .flat_map(|(_, set, _)| set.query.iter().map(|q| q.text.as_str()))
        .collect();
    let mut times = Vec::new();
    for _ in 0..20 {
        for q in &queries {
            let start = Instant::now();
            std::hint::black_box(big.answer(q));
            times.push(start.elapsed().as_secs_f64() * 1e6);
        }
    }
    times.sort_by(f64::total_cmp);
    let at = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
    println!(
        "\nlatency over {} entries (built in {:.2} s), {} queries: p50 {:.0} µs, p99 {:.0} µs, max {:.0} µs",
        big.len(),
        build.as_secs_f64(),
        times.len(),
        at(0.5),
        at(0.99),
        times[times.len() - 1]
    );
}
