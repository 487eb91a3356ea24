//! The prize draw (抽奖) of a campaign, stored in the `draws` tree: commit to a secret
//! seed before the window closes, draw after it, and let anyone verify. The algorithm is
//! [`crate::results::draw`]; eligible are the people who passed, one entry each, with
//! their enterprise code as the organisation for the cap.

use rand::{CryptoRng, RngCore};

use super::report::WinnerRow;
use super::{Service, ServiceError};
use crate::campaign::Report;
use crate::results::draw::{self, DrawError, Entrant};
use crate::store::{DrawResult, StoredDraw};

/// Why a draw step did not happen.
#[derive(Debug, Clone, PartialEq)]
pub enum DrawRefusal {
    UnknownCampaign(String),
    /// `commit` after the window closed: a commitment must come before the results.
    AlreadyClosed,
    /// `run` or `verify` without a commitment.
    NotCommitted,
    /// `run` before the window closed (unix seconds of the close).
    NotClosed {
        ends: i64,
    },
    /// `verify` before `run`.
    NotRun,
    /// The seed is not 64 hex digits.
    BadSeed,
    Draw(DrawError),
}

impl std::fmt::Display for DrawRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DrawRefusal::UnknownCampaign(id) => write!(
                f,
                "没有竞答活动 `{id}` / no campaign `{id}`; `stdquiz campaign list` shows the ids"
            ),
            DrawRefusal::AlreadyClosed => write!(
                f,
                "活动已结束，不能再提交抽奖承诺 / the campaign has closed: commit before the close"
            ),
            DrawRefusal::NotCommitted => write!(
                f,
                "尚未提交抽奖承诺 / no commitment yet: \
                 run `stdquiz campaign draw commit ID` before the close"
            ),
            DrawRefusal::NotClosed { ends } => write!(
                f,
                "活动尚未结束（{} 结束），结束后才能抽奖 / the draw runs after the close ({})",
                crate::campaign::shanghai_time(*ends),
                crate::campaign::shanghai_time(*ends)
            ),
            DrawRefusal::NotRun => write!(
                f,
                "尚未抽奖 / the draw has not run yet: `stdquiz campaign draw run ID --winners N`"
            ),
            DrawRefusal::BadSeed => write!(
                f,
                "种子应为 64 位十六进制数 / the seed must be 64 hex digits"
            ),
            DrawRefusal::Draw(e) => write!(f, "{e}"),
        }
    }
}

/// The result of `run`: the stored draw and its winners; `new` is false when it had
/// already run (the stored result is shown, never redrawn).
#[derive(Debug, Clone, PartialEq)]
pub struct Drawn {
    pub draw: StoredDraw,
    pub new: bool,
    pub winners: Vec<WinnerRow>,
}

/// The result of `verify`: the winners recomputed from the seed and the stored results.
#[derive(Debug, Clone, PartialEq)]
pub struct Verified {
    pub matches: bool,
    pub recomputed: Vec<(usize, i64, Option<String>)>,
    pub stored: Vec<(usize, i64, Option<String>)>,
}

impl Service {
    /// Stores a fresh secret seed for the campaign and returns the draw (its
    /// `commitment` is for the organizer to publish). A second commit returns the first
    /// one unchanged (`false`). Pass `rand::rngs::OsRng`.
    pub fn draw_commit<R: RngCore + CryptoRng>(
        &self,
        id: &str,
        now: i64,
        rng: &mut R,
    ) -> Result<Result<(StoredDraw, bool), DrawRefusal>, ServiceError> {
        let content = self.content();
        let Some(campaign) = content.campaign(id) else {
            return Ok(Err(DrawRefusal::UnknownCampaign(id.to_string())));
        };
        if let Some(existing) = self.store.draw(&campaign.id)? {
            return Ok(Ok((existing, false)));
        }
        if now > campaign.ends {
            return Ok(Err(DrawRefusal::AlreadyClosed));
        }
        let (seed, commitment) = draw::commit(rng);
        let wanted = StoredDraw {
            campaign: campaign.id.clone(),
            commitment,
            seed: draw::seed_to_hex(&seed),
            committed_at: now,
            result: None,
        };
        let stored = self.store.put_draw_commitment(&wanted)?;
        let new = stored == wanted;
        Ok(Ok((stored, new)))
    }

    /// Draws `winners` winners after the close, among those who passed; refuses before
    /// the close, and shows the stored result on a second run.
    pub fn draw_run(
        &self,
        id: &str,
        winners: usize,
        per_org_cap: Option<usize>,
        now: i64,
    ) -> Result<Result<Drawn, DrawRefusal>, ServiceError> {
        let content = self.content();
        let Some(campaign) = content.campaign(id) else {
            return Ok(Err(DrawRefusal::UnknownCampaign(id.to_string())));
        };
        let Some(stored) = self.store.draw(&campaign.id)? else {
            return Ok(Err(DrawRefusal::NotCommitted));
        };
        let Some(report) = self.report_for(&content, &campaign.id, None)? else {
            return Ok(Err(DrawRefusal::UnknownCampaign(id.to_string())));
        };
        if stored.result.is_some() {
            let winners = winner_rows(&stored, &report);
            return Ok(Ok(Drawn {
                draw: stored,
                new: false,
                winners,
            }));
        }
        if now <= campaign.ends {
            return Ok(Err(DrawRefusal::NotClosed {
                ends: campaign.ends,
            }));
        }
        let Some(seed) = draw::seed_from_hex(&stored.seed) else {
            return Ok(Err(DrawRefusal::BadSeed));
        };
        let eligible = eligible(&report);
        let drawn = match draw::run(&seed, &stored.commitment, &eligible, winners, per_org_cap) {
            Ok(drawn) => drawn,
            Err(e) => return Ok(Err(DrawRefusal::Draw(e))),
        };
        let mut with_result = stored.clone();
        with_result.result = Some(DrawResult {
            winners,
            per_org_cap,
            run_at: now,
            eligible: eligible.len(),
            drawn: drawn
                .into_iter()
                .map(|w| (w.rank, w.user_id, w.org))
                .collect(),
        });
        let saved = self.store.put_draw_result(&with_result)?;
        let new = saved == with_result;
        Ok(Ok(Drawn {
            winners: winner_rows(&saved, &report),
            draw: saved,
            new,
        }))
    }

    /// Recomputes the winners from `seed_hex` and the stored results; a seed that does
    /// not match the commitment is refused.
    pub fn draw_verify(
        &self,
        id: &str,
        seed_hex: &str,
    ) -> Result<Result<Verified, DrawRefusal>, ServiceError> {
        let content = self.content();
        let Some(campaign) = content.campaign(id) else {
            return Ok(Err(DrawRefusal::UnknownCampaign(id.to_string())));
        };
        let Some(stored) = self.store.draw(&campaign.id)? else {
            return Ok(Err(DrawRefusal::NotCommitted));
        };
        let Some(result) = stored.result.clone() else {
            return Ok(Err(DrawRefusal::NotRun));
        };
        let Some(seed) = draw::seed_from_hex(seed_hex) else {
            return Ok(Err(DrawRefusal::BadSeed));
        };
        let Some(report) = self.report_for(&content, &campaign.id, None)? else {
            return Ok(Err(DrawRefusal::UnknownCampaign(id.to_string())));
        };
        let recomputed = match draw::run(
            &seed,
            &stored.commitment,
            &eligible(&report),
            result.winners,
            result.per_org_cap,
        ) {
            Ok(drawn) => drawn
                .into_iter()
                .map(|w| (w.rank, w.user_id, w.org))
                .collect::<Vec<_>>(),
            Err(e) => return Ok(Err(DrawRefusal::Draw(e))),
        };
        Ok(Ok(Verified {
            matches: recomputed == result.drawn,
            recomputed,
            stored: result.drawn,
        }))
    }
}

/// Those who passed, one entry per person, with their enterprise code.
fn eligible(report: &Report) -> Vec<Entrant> {
    report
        .users
        .iter()
        .filter(|u| u.passed)
        .map(|u| Entrant {
            user_id: u.user_id,
            org: u.org.clone(),
        })
        .collect()
}

fn winner_rows(draw: &StoredDraw, report: &Report) -> Vec<WinnerRow> {
    let Some(result) = &draw.result else {
        return Vec::new();
    };
    result
        .drawn
        .iter()
        .map(|(rank, user_id, org)| WinnerRow {
            rank: *rank,
            user_id: *user_id,
            name: report
                .users
                .iter()
                .find(|u| u.user_id == *user_id)
                .map_or_else(|| crate::campaign::mask_id(*user_id), |u| u.name.clone()),
            org: org.clone(),
        })
        .collect()
}
