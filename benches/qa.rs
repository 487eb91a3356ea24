//! 智慧问答 quality and latency: `cargo bench --bench qa`.
//!
//! Quality: the dev set in bench/qa-devset.toml (expected entry ids, "" = must abstain) and
//! the held-out and fresh-check sets beside it, each scored for stdquiz's ranker beside a
//! plain character-bigram BM25 baseline.
//! Latency: every dev query against a 10,000-entry knowledge base.

use std::time::Instant;

use serde::Deserialize;
use stdquiz::qa::{Baseline, Entry, KnowledgeBase};

#[derive(Deserialize)]
struct DevSet {
    query: Vec<Query>,
}

#[derive(Deserialize)]
struct Query {
    text: String,
    expect: String,
    kind: String,
}

#[derive(Default)]
struct Score {
    top1: usize,
    top3: usize,
    answerable: usize,
    abstained: usize,
    offtopic: usize,
    false_abstain: usize,
}

impl Score {
    fn add(&mut self, expect: &str, ranked: &[String]) {
        if expect.is_empty() {
            self.offtopic += 1;
            self.abstained += usize::from(ranked.is_empty());
            return;
        }
        self.answerable += 1;
        self.top1 += usize::from(ranked.first().is_some_and(|id| id == expect));
        self.top3 += usize::from(ranked.iter().take(3).any(|id| id == expect));
        self.false_abstain += usize::from(ranked.is_empty());
    }

    fn pct(n: usize, of: usize) -> f64 {
        if of == 0 {
            0.0
        } else {
            100.0 * n as f64 / of as f64
        }
    }
}

/// Scores both rankers on one query set and prints the tables; returns stdquiz's top-1 misses.
fn evaluate(name: &str, kb: &KnowledgeBase, baseline: &Baseline, set: &DevSet) -> Vec<String> {
    let (mut ours, mut base) = (Score::default(), Score::default());
    let mut misses = Vec::new();
    let mut by_kind: std::collections::BTreeMap<&str, Score> = Default::default();
    for q in &set.query {
        let ranked: Vec<String> = kb.ask(&q.text).into_iter().map(|m| m.id).collect();
        by_kind.entry(&q.kind).or_default().add(&q.expect, &ranked);
        if ranked.first().map(String::as_str).unwrap_or("") != q.expect {
            misses.push(format!(
                "  [{}] {} -> expected {:?}, got {:?}",
                q.kind, q.text, q.expect, ranked
            ));
        }
        ours.add(&q.expect, &ranked);
        base.add(&q.expect, &baseline.ask(&q.text));
    }
    println!(
        "\n智慧问答 {name}: {} queries ({} answerable, {} off-topic), {} entries\n",
        set.query.len(),
        ours.answerable,
        ours.offtopic,
        kb.len()
    );
    println!("| ranker | top-1 | top-3 | off-topic abstention | answerable wrongly abstained |");
    println!("| --- | --- | --- | --- | --- |");
    for (ranker, s) in [("stdquiz", &ours), ("baseline (char-bigram BM25)", &base)] {
        println!(
            "| {ranker} | {:.1}% | {:.1}% | {:.1}% | {:.1}% |",
            Score::pct(s.top1, s.answerable),
            Score::pct(s.top3, s.answerable),
            Score::pct(s.abstained, s.offtopic),
            Score::pct(s.false_abstain, s.answerable)
        );
    }
    println!("\n| kind | queries | top-1 | top-3 | abstained |");
    println!("| --- | --- | --- | --- | --- |");
    for (kind, s) in &by_kind {
        let n = s.answerable + s.offtopic;
        println!(
            "| {kind} | {n} | {:.0}% | {:.0}% | {:.0}% |",
            Score::pct(s.top1, s.answerable),
            Score::pct(s.top3, s.answerable),
            Score::pct(s.abstained + s.false_abstain, n)
        );
    }
    misses
}

fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let report = stdquiz::bank::load_dir(&root.join("questions"));
    let (kb, problems) = KnowledgeBase::build(&report.faq);
    assert!(problems.is_empty(), "knowledge base problems: {problems:?}");
    let dev: DevSet = toml::from_str(
        &std::fs::read_to_string(root.join("bench/qa-devset.toml")).expect("bench/qa-devset.toml"),
    )
    .expect("dev set parses");
    let baseline = Baseline::new(kb.entries());

    if std::env::var_os("QA_GRID").is_some() {
        let mut results = Vec::new();
        let mut kb = kb.clone();
        for english_weight in [0.4, 0.7, 1.0] {
            for min_coverage in [0.1, 0.15, 0.2, 0.25, 0.3] {
                for min_score in [10.0, 12.0, 15.0, 18.0, 22.0] {
                    for unknown_weight in [0.25, 0.5, 0.75, 1.0] {
                        kb.tuning = stdquiz::qa::Tuning {
                            english_weight,
                            min_coverage,
                            min_score,
                            unknown_weight,
                            ..kb.tuning
                        };
                        let mut s = Score::default();
                        for q in &dev.query {
                            s.add(
                                &q.expect,
                                &kb.ask(&q.text)
                                    .into_iter()
                                    .map(|m| m.id)
                                    .collect::<Vec<_>>(),
                            );
                        }
                        let (t1, t3, ab) = (
                            Score::pct(s.top1, s.answerable),
                            Score::pct(s.top3, s.answerable),
                            Score::pct(s.abstained, s.offtopic),
                        );
                        results.push((t1.min(ab) + (t1 + ab) / 100.0, format!("ew {english_weight} cov {min_coverage} score {min_score} unk {unknown_weight}: top1 {t1:.1} top3 {t3:.1} abst {ab:.1}")));
                    }
                }
            }
        }
        results.sort_by(|a, b| b.0.total_cmp(&a.0));
        for (_, line) in results.iter().take(15) {
            println!("{line}");
        }
        return;
    }
    let misses = evaluate("dev set", &kb, &baseline, &dev);
    if std::env::var_os("QA_MISSES").is_some() {
        println!("\ndev-set misses:\n{}", misses.join("\n"));
    } else {
        println!(
            "\n{} dev-set top-1 misses (set QA_MISSES=1 to list them)",
            misses.len()
        );
    }
    // Sets written apart from the entries' alternates. Only their totals are printed, and
    // BENCHMARKS.md says how far each was used when keeping or dropping changes.
    for (name, file) in [
        ("held-out set", "bench/qa-heldout.toml"),
        ("fresh check 1", "bench/qa-fresh1.toml"),
        ("fresh check 2", "bench/qa-fresh2.toml"),
    ] {
        let set: DevSet = toml::from_str(
            &std::fs::read_to_string(root.join(file)).unwrap_or_else(|e| panic!("{file}: {e}")),
        )
        .unwrap_or_else(|e| panic!("{file}: {e}"));
        evaluate(name, &kb, &baseline, &set);
    }
    if let Some(path) = std::env::var_os("QA_EXTRA") {
        let extra: DevSet = toml::from_str(&std::fs::read_to_string(path).expect("QA_EXTRA"))
            .expect("extra set parses");
        evaluate("extra set", &kb, &baseline, &extra);
    }

    // Latency over 10,000 entries: the real entries plus variants with distinct ids and text.
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
    let big = KnowledgeBase::from_entries(entries);
    let mut times = Vec::new();
    for _ in 0..20 {
        for q in &dev.query {
            let start = Instant::now();
            std::hint::black_box(big.ask(&q.text));
            times.push(start.elapsed().as_secs_f64() * 1e6);
        }
    }
    times.sort_by(f64::total_cmp);
    let at = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
    println!(
        "\nlatency over {} entries, {} queries: p50 {:.0} µs, p99 {:.0} µs, max {:.0} µs",
        big.len(),
        times.len(),
        at(0.5),
        at(0.99),
        times[times.len() - 1]
    );
}
