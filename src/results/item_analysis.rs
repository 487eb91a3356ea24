//! Item analysis of a finished campaign: per question, how many answered and got it
//! right, how well it separates strong from weak participants (the discrimination
//! index), how often each option was picked, and flags for questions to review.
//!
//! **Discrimination index.** For each question, the people who answered it *and* have a
//! total score are ranked by total score, highest first. The upper and lower groups each
//! hold `g = round(0.27 × n)` people (n = those ranked), and D = p_upper − p_lower, the
//! share of each group that answered correctly. Ranking per question, not over the whole
//! cohort, matters here because every participant gets a different random selection.
//! - *Small groups:* with fewer than [`MIN_RANKED_FOR_DISCRIMINATION`] ranked people
//!   (so groups of fewer than 3), D is `None`: too few to mean anything.
//! - *Ties:* when the cut falls inside a run of equal totals, everyone in that run shares
//!   the group's remaining places equally (each counts with weight places / run length),
//!   so the result never depends on input order or person ids. If everyone has the same
//!   total, D = 0.
//!
//! Only the first response of each person to a question counts (pass the responses in
//! the order they were given); responses to questions not in `items` are ignored.

use std::collections::{BTreeMap, HashMap, HashSet};

/// Fewer ranked people than this give no discrimination index.
pub const MIN_RANKED_FOR_DISCRIMINATION: usize = 10;
/// The share of ranked people in each of the upper and lower groups.
pub const GROUP_SHARE: f64 = 0.27;
/// Accuracy below this flags a question as too hard (or wrongly keyed).
pub const LOW_ACCURACY: f64 = 0.30;

/// One person's answer to one question. `chosen` holds option identities (indices in
/// the question file), empty for non-choice questions.
#[derive(Clone, Debug, PartialEq)]
pub struct Response {
    pub person: i64,
    pub question: String,
    pub chosen: Vec<usize>,
    pub correct: bool,
}

/// What the analysis needs to know about a question: its key (option identities, empty
/// for non-choice questions) and how many options it has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub key: Vec<usize>,
    pub option_count: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ItemStats {
    pub question: String,
    pub answered: usize,
    pub correct: usize,
    /// `correct / answered`; `None` when nobody answered.
    pub accuracy: Option<f64>,
    /// D = p_upper − p_lower, from −1 to 1; `None` for too few ranked people.
    pub discrimination: Option<f64>,
    /// How many answers picked each option (by identity), `option_count` long; a
    /// multiple-choice answer counts once for each option it picked.
    pub option_picks: Vec<usize>,
    pub flags: Vec<Flag>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Flag {
    /// Accuracy below [`LOW_ACCURACY`].
    LowAccuracy,
    /// A wrong option was picked more often than the least-picked key option.
    DistractorBeatsKey { option: usize },
}

/// Analyses every question of `items`, in id order. `totals` maps each person to their
/// total score in the campaign.
pub fn analyse(
    responses: &[Response],
    totals: &HashMap<i64, f64>,
    items: &BTreeMap<String, Item>,
) -> Vec<ItemStats> {
    let mut by_question: HashMap<&str, Vec<&Response>> = HashMap::new();
    let mut seen: HashSet<(i64, &str)> = HashSet::new();
    for response in responses {
        if !items.contains_key(&response.question) {
            continue;
        }
        if seen.insert((response.person, response.question.as_str())) {
            by_question
                .entry(response.question.as_str())
                .or_default()
                .push(response);
        }
    }
    items
        .iter()
        .map(|(question, item)| {
            let responses = by_question.remove(question.as_str()).unwrap_or_default();
            item_stats(question, item, &responses, totals)
        })
        .collect()
}

fn item_stats(
    question: &str,
    item: &Item,
    responses: &[&Response],
    totals: &HashMap<i64, f64>,
) -> ItemStats {
    let answered = responses.len();
    let correct = responses.iter().filter(|response| response.correct).count();
    let accuracy = (answered > 0).then(|| correct as f64 / answered as f64);
    let mut option_picks = vec![0; item.option_count];
    for response in responses {
        let mut chosen = response.chosen.clone();
        chosen.sort_unstable();
        chosen.dedup();
        for option in chosen {
            if let Some(picks) = option_picks.get_mut(option) {
                *picks += 1;
            }
        }
    }
    let ranked: Vec<(f64, bool)> = responses
        .iter()
        .filter_map(|response| {
            let total = totals.get(&response.person)?;
            total.is_finite().then_some((*total, response.correct))
        })
        .collect();
    let mut flags = Vec::new();
    if accuracy.is_some_and(|accuracy| accuracy < LOW_ACCURACY) {
        flags.push(Flag::LowAccuracy);
    }
    let least_picked_key = item
        .key
        .iter()
        .filter_map(|option| option_picks.get(*option))
        .min();
    if let Some(least_picked_key) = least_picked_key {
        let strongest_distractor = option_picks
            .iter()
            .enumerate()
            .filter(|(option, _)| !item.key.contains(option))
            .max_by_key(|(option, picks)| (**picks, std::cmp::Reverse(*option)));
        if let Some((option, picks)) = strongest_distractor {
            if picks > least_picked_key {
                flags.push(Flag::DistractorBeatsKey { option });
            }
        }
    }
    ItemStats {
        question: question.to_string(),
        answered,
        correct,
        accuracy,
        discrimination: discrimination(ranked),
        option_picks,
        flags,
    }
}

/// D = p_upper − p_lower over (total score, correct) pairs, as the module doc defines.
fn discrimination(mut ranked: Vec<(f64, bool)>) -> Option<f64> {
    let n = ranked.len();
    if n < MIN_RANKED_FOR_DISCRIMINATION {
        return None;
    }
    let group = (GROUP_SHARE * n as f64).round() as usize;
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    let upper = group_share_correct(&ranked, group);
    ranked.reverse();
    let lower = group_share_correct(&ranked, group);
    Some(upper - lower)
}

/// The weighted share correct among the first `group` places of `ranked` (sorted),
/// the run of ties at the cut sharing the places left.
fn group_share_correct(ranked: &[(f64, bool)], group: usize) -> f64 {
    let cut_score = ranked[group - 1].0;
    let above: Vec<&(f64, bool)> = ranked.iter().take_while(|(s, _)| *s != cut_score).collect();
    let tied: Vec<&(f64, bool)> = ranked.iter().filter(|(s, _)| *s == cut_score).collect();
    let places_left = (group - above.len()) as f64;
    let weight = places_left / tied.len() as f64;
    let correct_above = above.iter().filter(|(_, correct)| *correct).count() as f64;
    let correct_tied = tied.iter().filter(|(_, correct)| *correct).count() as f64;
    (correct_above + weight * correct_tied) / group as f64
}
