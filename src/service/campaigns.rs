//! Campaigns in the service: the card, starting or resuming an attempt, recording it when
//! it ends, the boards, `/join`, and the organizer's imports and report. The rules are
//! in [`crate::campaign`]; this module loads and stores what they need.
//!
//! ```text
//! user:  (opens https://t.me/<bot>?start=c-wsd-2026)
//! bot:   🏁 2026年世界标准日知识竞答 · 10 题 · 3 次机会 · 80 分及格 · 单位：未加入   [▶ 开始答题]
//! user:  (taps ▶ 开始答题)          -> Event::StartCampaign with ten drawn questions
//! ...    (answers ten questions)   -> Reply::AttemptOver -> an Attempt, in the same commit
//! bot:   🏁 得分 80%（8/10），已通过 ✅ 最佳 80% · 第 3 名 · 还可答 2 次   [🏆 排行榜]
//! ```

use rand::Rng;

use super::{Content, Effects, Response, Service, ServiceError};
use crate::bank::Problem;
use crate::campaign::{
    self, Attempt, AttemptAnswer, Availability, Campaign, Join, Org, OrgImport, Participant, Report,
};
use crate::engine::{AttemptOver, CampaignTag, Event, Rank, UserRecord};
use crate::results::certificate::{self as code, VerificationCode};
use crate::store::{Certificate, StoredCampaign};

/// What a campaign card shows one person.
#[derive(Debug, Clone, PartialEq)]
pub struct Card {
    pub campaign: Campaign,
    pub availability: Availability,
    pub attempts_used: u32,
    pub best: Option<u32>,
    /// An attempt is under way (Start resumes it).
    pub in_progress: bool,
    pub org: Option<Org>,
}

/// How an attempt ended, for its result message.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub campaign: Campaign,
    pub correct: usize,
    pub total: usize,
    pub score: u32,
    pub passed: bool,
    /// Stopped before the last question.
    pub stopped: bool,
    pub best: u32,
    pub rank: Option<Rank>,
    pub attempts_left: u32,
    /// The person's 参赛证明, issued at their first pass (now or before).
    pub certificate: Option<Certificate>,
}

/// What an organizer's import would do.
#[derive(Debug, Clone, PartialEq)]
pub struct CampaignPlan {
    pub campaign: Campaign,
    /// The version it replaces, when the id exists.
    pub replaces: Option<u32>,
    pub pool: usize,
}

impl Service {
    /// The campaign card for `/campaign ID` and the `c-ID` deep link.
    pub(super) fn campaign_card(
        &self,
        content: &Content,
        user: &UserRecord,
        id: &str,
        now: i64,
    ) -> Result<Response, ServiceError> {
        let Some(campaign) = content.campaign(id) else {
            return Ok(Response::UnknownCampaign(id.to_string()));
        };
        let attempts = self.store.attempts_of(&campaign.id, user.id)?;
        let in_progress = running(user, &campaign.id).is_some();
        let used = attempts.len() as u32 + u32::from(in_progress);
        let best = best_score(&attempts);
        Ok(Response::CampaignCard(Card {
            availability: campaign::availability(campaign, now, used),
            campaign: campaign.clone(),
            attempts_used: used,
            best,
            in_progress,
            org: user
                .org
                .as_deref()
                .and_then(|code| content.org(code))
                .cloned(),
        }))
    }

    /// The Start button: resume the attempt under way, or draw a new one if allowed.
    pub(super) fn campaign_start(
        &self,
        content: &Content,
        user: &UserRecord,
        id: &str,
        now: i64,
        rng: &mut impl Rng,
    ) -> Result<Result<Event, Response>, ServiceError> {
        let Some(campaign) = content.campaign(id) else {
            return Ok(Err(Response::UnknownCampaign(id.to_string())));
        };
        if let Some(tag) = running(user, &campaign.id) {
            let tag = tag.clone();
            return Ok(Ok(Event::StartCampaign {
                tag,
                questions: Vec::new(),
            }));
        }
        let used = self.store.attempts_of(&campaign.id, user.id)?.len() as u32;
        match campaign::availability(campaign, now, used) {
            Availability::Open { .. } => {}
            _ => return self.campaign_card(content, user, id, now).map(Err),
        }
        let pool = campaign.pool(content.bank.questions());
        let questions = campaign::draw_questions(&pool, campaign.questions, rng);
        let tag = CampaignTag {
            campaign: campaign.id.clone(),
            version: campaign.version,
            number: used + 1,
        };
        Ok(Ok(Event::StartCampaign { tag, questions }))
    }

    /// An attempt ended: it is recorded with this request's commit, and its result
    /// (best score, rank among everyone, attempts left) goes back.
    pub(super) fn attempt_over(
        &self,
        content: &Content,
        user: &UserRecord,
        over: AttemptOver,
        effects: &mut Effects,
        rng: &mut impl Rng,
    ) -> Result<(), ServiceError> {
        let attempt = Attempt {
            user_id: user.id,
            campaign: over.tag.campaign.clone(),
            version: over.tag.version,
            number: over.tag.number,
            answers: over
                .answers
                .iter()
                .map(|(question, correct, chosen)| AttemptAnswer {
                    question: question.clone(),
                    correct: *correct,
                    chosen: chosen.clone(),
                })
                .collect(),
            questions: over.questions,
            started_at: over.started_at,
            finished_at: Some(over.finished_at),
        };
        let Some(campaign) = content.campaign(&attempt.campaign).cloned() else {
            effects.attempts.push(attempt);
            return Ok(());
        };
        let mut mine = self.store.attempts_of(&campaign.id, user.id)?;
        mine.push(attempt.clone());
        let mut everyone = self.store.attempts(&campaign.id)?;
        everyone.push(attempt.clone());
        let users = self.users_with(user)?;
        let report = Report::compute(&campaign, &content.orgs, &participants(&users), &everyone);
        let rank = report
            .users
            .iter()
            .find(|u| u.user_id == user.id)
            .and_then(|u| u.rank)
            .map(|position| Rank {
                position,
                of: report.participants,
            });
        let passed = attempt.passed(campaign.pass_mark);
        let certificate = match self.store.certificate_of(&campaign.id, user.id)? {
            Some(earlier) => Some(earlier),
            None if passed => {
                let issued = Certificate {
                    code: new_code(rng).as_str().to_string(),
                    user_id: user.id,
                    name: user
                        .name
                        .clone()
                        .unwrap_or_else(|| campaign::mask_id(user.id)),
                    campaign: campaign.id.clone(),
                    title: campaign.title.clone(),
                    score: attempt.score_percent(),
                    date: over.finished_at,
                };
                effects.certificates.push(issued.clone());
                Some(issued)
            }
            None => None,
        };
        effects.responses.push(Response::CampaignResult(Outcome {
            certificate,
            correct: attempt.correct(),
            total: attempt.questions.len(),
            score: attempt.score_percent(),
            passed,
            stopped: !over.finished,
            best: best_score(&mine).unwrap_or(0),
            rank,
            attempts_left: campaign.attempts.saturating_sub(mine.len() as u32),
            campaign,
        }));
        effects.attempts.push(attempt);
        Ok(())
    }

    /// The certificate a typed verification code names (`/verify CODE`, `stdquiz verify`).
    pub fn verify(&self, typed: &str) -> Result<Option<Certificate>, ServiceError> {
        match code::normalize(typed) {
            Some(code) => Ok(self.store.certificate(code.as_str())?),
            None => Ok(None),
        }
    }

    /// The campaign's boards, with the viewer's own rows.
    pub(super) fn campaign_boards(
        &self,
        content: &Content,
        user: &UserRecord,
        id: &str,
    ) -> Result<Response, ServiceError> {
        let Some(report) = self.report_for(content, id, Some(user))? else {
            return Ok(Response::UnknownCampaign(id.to_string()));
        };
        Ok(Response::CampaignBoards {
            people: campaign::people_board(&report, user.id),
            orgs: campaign::org_boards(&report, user.org.as_deref()),
            report,
        })
    }

    /// An admin's `/poster ID`: the QR poster of the campaign's deep link.
    pub(super) fn poster(&self, content: &Content, admin: i64, id: &str) -> Response {
        if !self.is_admin(admin) {
            return Response::AdminOnly;
        }
        let Some(campaign) = content.campaign(id) else {
            return Response::UnknownCampaign(id.to_string());
        };
        let link = self.deep_link(campaign);
        let png = poster_png(campaign, &link);
        Response::Poster {
            campaign: campaign.clone(),
            link,
            png,
        }
    }

    /// `/join CODE`: joins at once, or asks before moving to another enterprise.
    pub(super) fn join(&self, content: &Content, user: &mut UserRecord, code: &str) -> Response {
        match campaign::join(&content.orgs, user.org.as_deref(), code) {
            Join::Unknown => Response::JoinUnknown(code.to_string()),
            Join::Already(org) => Response::JoinAlready(org.clone()),
            Join::Joined(org) => {
                user.org = Some(org.code.clone());
                Response::Joined(org.clone())
            }
            Join::Move { from, to } => Response::JoinMove {
                from: from.clone(),
                to: to.clone(),
            },
        }
    }

    /// The Confirm button of a move: joins the enterprise with this code.
    pub(super) fn confirm_join(
        &self,
        content: &Content,
        user: &mut UserRecord,
        code: &str,
    ) -> Response {
        match campaign::orgs::find_org(&content.orgs, code) {
            Some(org) => {
                user.org = Some(org.code.clone());
                Response::Joined(org.clone())
            }
            None => Response::JoinUnknown(code.to_string()),
        }
    }

    /// Validates a campaign file against the served bank; the version is one more than the
    /// stored one.
    pub fn plan_campaign(
        &self,
        file_name: &str,
        text: &str,
    ) -> Result<Result<CampaignPlan, Vec<Problem>>, ServiceError> {
        let content = self.content();
        let mut campaign = match campaign::parse(file_name, text, &content.bank.topics()) {
            Ok(campaign) => campaign,
            Err(problems) => return Ok(Err(problems)),
        };
        let stored = self.stored_campaign(&campaign.id)?;
        let replaces = stored
            .as_ref()
            .and_then(|s| s.versions.last())
            .map(|c| c.version);
        campaign.version = replaces.map_or(1, |v| v + 1);
        let pool = campaign.pool(content.bank.questions()).len();
        Ok(Ok(CampaignPlan {
            campaign,
            replaces,
            pool,
        }))
    }

    /// Stores a planned campaign as its newest version; attempts keep the version they had.
    pub fn save_campaign(
        &self,
        campaign: Campaign,
        by: &str,
        now: i64,
    ) -> Result<(), ServiceError> {
        let _import = self.import_lock.lock().unwrap_or_else(|e| e.into_inner());
        let mut stored = self
            .stored_campaign(&campaign.id)?
            .unwrap_or(StoredCampaign {
                versions: Vec::new(),
                imported_at: now,
                imported_by: by.to_string(),
            });
        let mut campaign = campaign;
        campaign.version = stored.versions.last().map_or(1, |c| c.version + 1);
        stored.versions.push(campaign);
        stored.imported_at = now;
        stored.imported_by = by.to_string();
        self.store.put_campaign(&stored)?;
        self.reload()
    }

    /// Reads an enterprise list against the stored one (whose codes are kept).
    pub fn plan_orgs(
        &self,
        file_name: &str,
        bytes: &[u8],
        rng: &mut impl Rng,
    ) -> Result<Result<OrgImport, Vec<Problem>>, ServiceError> {
        let existing = self.store.orgs()?;
        Ok(campaign::parse_orgs(file_name, bytes, &existing, rng))
    }

    /// Stores an enterprise list (merged with the stored one).
    pub fn save_orgs(&self, orgs: &[Org]) -> Result<(), ServiceError> {
        let _import = self.import_lock.lock().unwrap_or_else(|e| e.into_inner());
        self.store.put_orgs(orgs)?;
        self.reload()
    }

    /// Every campaign, newest version of each, by id.
    pub fn campaigns(&self) -> Vec<Campaign> {
        self.content().campaigns.clone()
    }

    /// The enterprises, in list order.
    pub fn orgs(&self) -> Vec<Org> {
        self.content().orgs.clone()
    }

    /// The report of a campaign, or None when there is no such campaign.
    pub fn campaign_report(&self, id: &str) -> Result<Option<Report>, ServiceError> {
        self.report_for(&self.content(), id, None)
    }

    pub(super) fn report_for(
        &self,
        content: &Content,
        id: &str,
        viewer: Option<&UserRecord>,
    ) -> Result<Option<Report>, ServiceError> {
        let Some(campaign) = content.campaign(id) else {
            return Ok(None);
        };
        let users = match viewer {
            Some(user) => self.users_with(user)?,
            None => self.store.users()?,
        };
        let attempts = self.store.attempts(&campaign.id)?;
        Ok(Some(Report::compute(
            campaign,
            &content.orgs,
            &participants(&users),
            &attempts,
        )))
    }

    fn stored_campaign(&self, id: &str) -> Result<Option<StoredCampaign>, ServiceError> {
        Ok(self
            .store
            .campaigns()?
            .into_iter()
            .find(|c| c.versions.last().is_some_and(|v| v.id == id)))
    }
}

impl Content {
    /// The served (newest) version of a campaign.
    pub fn campaign(&self, id: &str) -> Option<&Campaign> {
        let id = id.trim().to_ascii_lowercase();
        self.campaigns.iter().find(|c| c.id == id)
    }

    pub fn org(&self, code: &str) -> Option<&Org> {
        campaign::orgs::find_org(&self.orgs, code)
    }
}

/// The poster: the QR code of the link, the title, and the window as a subtitle.
pub fn poster_png(campaign: &Campaign, link: &str) -> Vec<u8> {
    crate::graphics::poster_png(link, &campaign.title, Some(&poster_subtitle(campaign)))
}

pub fn poster_svg(campaign: &Campaign, link: &str) -> String {
    crate::graphics::poster_svg(link, &campaign.title, Some(&poster_subtitle(campaign)))
}

fn poster_subtitle(campaign: &Campaign) -> String {
    format!(
        "{} – {} · 扫码参加 Scan to take part",
        campaign::shanghai_time(campaign.starts),
        campaign::shanghai_time(campaign.ends)
    )
}

/// A fresh verification code. The request's RNG seeds a ChaCha20 generator: every
/// production caller passes a CSPRNG (`thread_rng`, `StdRng::from_entropy`), so the code
/// is unguessable; tests pass a seeded one and get reproducible codes.
fn new_code(rng: &mut impl Rng) -> VerificationCode {
    use rand::SeedableRng;
    let mut seed = [0u8; 32];
    rng.fill(&mut seed);
    VerificationCode::generate(&mut rand_chacha::ChaCha20Rng::from_seed(seed))
}

/// The campaign attempt under way in the user's session, if it is this campaign's.
fn running<'a>(user: &'a UserRecord, campaign: &str) -> Option<&'a CampaignTag> {
    user.session
        .as_ref()
        .and_then(|s| s.campaign.as_ref())
        .filter(|tag| tag.campaign == campaign)
}

fn best_score(attempts: &[Attempt]) -> Option<u32> {
    attempts
        .iter()
        .filter(|a| a.is_finished())
        .map(Attempt::score_percent)
        .max()
}

/// People as reports show them: the display name they chose, their enterprise.
fn participants(users: &[UserRecord]) -> Vec<Participant> {
    users
        .iter()
        .map(|u| Participant {
            user_id: u.id,
            name: u.name.clone(),
            org: u.org.clone(),
        })
        .collect()
}
