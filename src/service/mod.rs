//! One user request end to end: lock the user, load their record once, drop a re-delivered
//! update, run the engine or the knowledge base, commit and flush, and return one finished
//! [`Turn`] (the language and every response) for an adapter to render and deliver.
//! Both chat adapters (terminal and Telegram) call this and nothing deeper.
//!
//! Q&A answering lives in [`ask`], chat imports in [`upload`].

pub mod ask;
pub mod campaigns;
pub mod draw;
pub mod report;
mod upload;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use rand::Rng;

use crate::bank::{self, Bank, Problem};
use crate::campaign::{Attempt, Campaign, Org};
use crate::engine::{self, Event, Feedback, Lang, Rank, Reply, UserRecord};
use crate::import::{self, ImportPlan};
use crate::qa::scope::Redirect;
use crate::qa::{KnowledgeBase, Match};
use crate::store::{Commit, Store, StoreError, StoredSet, Unanswered};

/// What an adapter asks of the service.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    Event(Event),
    Top,
    /// The topic list, and which page of its buttons.
    Topics {
        page: usize,
    },
    /// A free-text question (`/ask TEXT`).
    Ask(String),
    /// A tap on a related-question button, or `/faq ID`.
    ShowFaq(String),
    /// Admin upload: file name and bytes.
    Upload {
        file_name: String,
        bytes: Vec<u8>,
    },
    ConfirmImport(u32),
    CancelImport(u32),
    UnknownCommand(String),
    /// Callback data we never produce (forged, or from an older version of the bot).
    Forged,
    /// A button from someone else's keyboard (a group, a forwarded message).
    NotYours,
    /// The user blocked the bot: they are marked inactive, nothing else changes.
    Blocked,
    /// A campaign card (`/campaign ID`, `/start c-ID`).
    Campaign(String),
    /// The card's Start button: start or resume an attempt.
    CampaignStart(String),
    /// A campaign's boards.
    CampaignTop(String),
    /// `/join CODE`.
    Join(String),
    /// Confirms moving to the enterprise with this code.
    ConfirmJoin(String),
    /// An admin's `/poster ID`: the campaign's QR poster.
    Poster(String),
    /// An admin's `/source TEXT`: the 出处 for the pending import's questions that have none.
    SetSource(String),
    /// An admin's `/report [ID]`: a campaign's results, or the whole bank's without an id.
    Report(Option<String>),
    /// `/verify CODE`: checks a certificate's verification code.
    Verify(String),
}

/// One request as it arrives from a transport.
#[derive(Debug, Clone, PartialEq)]
pub struct Incoming {
    pub user_id: i64,
    /// The transport's update id: a re-delivered update is applied once.
    pub update: Option<i64>,
    /// The client's language, used until the user picks one with /lang.
    pub hint: Lang,
    pub request: Request,
}

/// Everything an adapter needs to answer one request.
#[derive(Debug, Clone, PartialEq)]
pub struct Turn {
    /// The language to render in, read after the request (so `/lang en` answers in English).
    pub lang: Lang,
    /// Empty for a re-delivered update.
    pub responses: Vec<Response>,
    /// A question waits for an answer (the terminal then reads numbers as answers).
    pub awaiting_answer: bool,
}

/// A finished reply, to be rendered for the turn's language.
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::large_enum_variant)] // short-lived values, rendered at once
pub enum Response {
    Engine(Reply),
    /// Feedback on an answer, with the knowledge entry closest to a missed question.
    Feedback {
        feedback: Feedback,
        related: Option<String>,
    },
    ChallengeOver {
        score: u32,
        best: u32,
        new_best: bool,
        rank: Option<Rank>,
    },
    Answer {
        matches: Vec<Match>,
        /// The question was asked in English: answer in English where the entry has it.
        english: bool,
    },
    Abstain {
        query: String,
        /// The neighbouring subject the question belongs to, when it names one.
        redirect: Option<&'static Redirect>,
        /// Entries close to the question, offered as "你是不是想问…".
        suggestions: Vec<String>,
    },
    /// A greeting, thanks, "are you there": a friendly reply saying what the bot does.
    SmallTalk {
        kind: crate::qa::SmallTalk,
        english: bool,
    },
    Faq(String),
    Topics {
        topics: Vec<(String, Option<String>, usize)>,
        page: usize,
    },
    UnknownCommand(String),
    /// An upload from someone who may not import.
    NotAdmin,
    /// A command only administrators may use.
    AdminOnly,
    ImportProblems {
        file_name: String,
        problems: Vec<String>,
    },
    ImportPreview {
        token: u32,
        plan: ImportPlan,
    },
    Imported {
        plan: ImportPlan,
    },
    ImportCancelled,
    ImportExpired,
    /// `/source` with a pending import whose questions all cite their own 出处.
    SourceNotNeeded,
    CampaignCard(campaigns::Card),
    CampaignResult(campaigns::Outcome),
    CampaignBoards {
        report: crate::campaign::Report,
        people: crate::campaign::Board<crate::campaign::PersonRow>,
        orgs: crate::campaign::OrgBoards,
    },
    UnknownCampaign(String),
    /// Campaigns open now (under `/top`), for their boards.
    OpenCampaigns(Vec<crate::campaign::Campaign>),
    Joined(Org),
    JoinAlready(Org),
    JoinMove {
        from: Org,
        to: Org,
    },
    JoinUnknown(String),
    CampaignPreview {
        token: u32,
        plan: campaigns::CampaignPlan,
    },
    CampaignImported(crate::campaign::Campaign),
    OrgsPreview {
        token: u32,
        file_name: String,
        added: usize,
        changed: usize,
        unchanged: usize,
        total: usize,
        ignored_columns: Vec<String>,
        sample: Vec<Org>,
    },
    OrgsImported {
        total: usize,
    },
    /// An admin's `/report ID`: rendered as a summary, a chart and the workbook.
    CampaignReport(Box<report::CampaignBook>),
    /// An admin's `/report`: the whole bank's use per topic.
    BankReport(Box<report::BankBook>),
    /// `/verify CODE` found this certificate.
    Verified(crate::store::Certificate),
    /// `/verify CODE`: no certificate has this code.
    VerifyUnknown(String),
    /// A campaign's QR poster (PNG) and the deep link it encodes.
    Poster {
        campaign: crate::campaign::Campaign,
        link: String,
        png: Vec<u8>,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The bank and knowledge base being served; swapped whole after an import.
pub struct Content {
    pub bank: Bank,
    pub kb: KnowledgeBase,
    /// Problems found while loading (shown by `check`, logged by the bot).
    pub problems: Vec<Problem>,
    /// The newest version of each imported campaign, by id.
    pub campaigns: Vec<Campaign>,
    /// The enterprises, by code.
    pub orgs: Vec<Org>,
}

const LOCK_STRIPES: usize = 64;
/// Update ids remembered per user to drop re-deliveries.
const RECENT_UPDATES: usize = 16;

pub struct Service {
    questions_dir: PathBuf,
    store: Store,
    content: RwLock<Arc<Content>>,
    locks: Vec<Mutex<()>>,
    /// Serialises imports, so two admins confirming at once plan against what is stored.
    import_lock: Mutex<()>,
    admins: Vec<i64>,
    /// The bot's @username for deep links (from getMe; a placeholder in the terminal).
    bot_username: RwLock<String>,
}

/// Deep links in the terminal chat, which has no bot, use this username.
pub const PLACEHOLDER_BOT_USERNAME: &str = "stdquiz_bot";

/// What one request changes besides the user record.
#[derive(Default)]
struct Effects {
    responses: Vec<Response>,
    answers: Vec<engine::AnswerLog>,
    unanswered: Vec<String>,
    attempts: Vec<Attempt>,
    certificates: Vec<crate::store::Certificate>,
}

impl Service {
    pub fn new(
        store: Store,
        questions_dir: &Path,
        admins: Vec<i64>,
    ) -> Result<Service, ServiceError> {
        let content = load_content(questions_dir, &store)?;
        Ok(Service {
            questions_dir: questions_dir.to_path_buf(),
            store,
            content: RwLock::new(Arc::new(content)),
            locks: (0..LOCK_STRIPES).map(|_| Mutex::new(())).collect(),
            import_lock: Mutex::new(()),
            admins,
            bot_username: RwLock::new(PLACEHOLDER_BOT_USERNAME.to_string()),
        })
    }

    pub fn content(&self) -> Arc<Content> {
        self.content
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn is_admin(&self, user: i64) -> bool {
        self.admins.contains(&user)
    }

    /// Sets the bot's @username (from getMe), used in campaign deep links.
    pub fn set_bot_username(&self, username: &str) {
        *self.bot_username.write().unwrap_or_else(|e| e.into_inner()) = username.to_string();
    }

    /// The deep link that opens a campaign's card: `https://t.me/<bot>?start=c-<id>`.
    pub fn deep_link(&self, campaign: &Campaign) -> String {
        let username = self.bot_username.read().unwrap_or_else(|e| e.into_inner());
        campaign_link(&username, campaign)
    }

    /// Handles a request that has no transport update id (the terminal, tests).
    pub fn handle(
        &self,
        user_id: i64,
        request: Request,
        now: i64,
        rng: &mut impl Rng,
    ) -> Result<Turn, ServiceError> {
        let incoming = Incoming {
            user_id,
            update: None,
            hint: Lang::Zh,
            request,
        };
        self.handle_update(incoming, now, rng)
    }

    /// Handles one request of one user; requests of the same user are serialised. An
    /// update applied before (re-delivered after a crash) changes nothing and gets no reply.
    pub fn handle_update(
        &self,
        incoming: Incoming,
        now: i64,
        rng: &mut impl Rng,
    ) -> Result<Turn, ServiceError> {
        let Incoming {
            user_id,
            update,
            hint,
            request,
        } = incoming;
        let guard = self.lock(user_id);
        let stored = self.store.load_user(user_id)?;
        // A stray button press is no reason to start keeping a record of someone.
        if stored.is_none() && matches!(request, Request::Forged | Request::NotYours) {
            let user = UserRecord::new(user_id, now);
            let reply = match request {
                Request::Forged => Reply::Invalid,
                _ => Reply::Stale,
            };
            return Ok(finished(&user, hint, vec![Response::Engine(reply)]));
        }
        let mut user = stored.unwrap_or_else(|| UserRecord::new(user_id, now));
        if let Some(update) = update {
            if user.recent_updates.contains(&update) {
                return Ok(finished(&user, hint, Vec::new()));
            }
            user.recent_updates.push(update);
            let excess = user.recent_updates.len().saturating_sub(RECENT_UPDATES);
            user.recent_updates.drain(..excess);
        }
        if request == Request::Blocked {
            user.inactive = true;
            self.store.commit(&Commit::user(&user))?;
            return Ok(finished(&user, hint, Vec::new()));
        }
        let reactivated = std::mem::take(&mut user.inactive);
        if let Request::Upload { file_name, bytes } = request {
            // The update is recorded before the file is parsed, so an upload that crashes
            // the parse is never re-delivered into a crash loop; the parse runs unlocked.
            self.store.commit(&Commit::user(&user))?;
            drop(guard);
            let responses = upload::preview(self, user_id, &file_name, &bytes, now, rng)?;
            return Ok(finished(&user, hint, responses));
        }
        let mut changed = reactivated || update.is_some();
        let effects = self.dispatch(&mut user, request, now, rng, &mut changed)?;
        let writes = !effects.answers.is_empty() || !effects.unanswered.is_empty();
        if changed || writes || !effects.attempts.is_empty() {
            let unanswered: Vec<(String, String)> = effects
                .unanswered
                .iter()
                .map(|query| (crate::text::normalize_answer(query), query.clone()))
                .filter(|(key, _)| !key.is_empty())
                .collect();
            self.store.commit(&Commit {
                user: &user,
                answers: &effects.answers,
                unanswered: &unanswered,
                attempts: &effects.attempts,
                certificates: &effects.certificates,
                now,
            })?;
        }
        Ok(finished(&user, hint, effects.responses))
    }

    fn dispatch(
        &self,
        user: &mut UserRecord,
        request: Request,
        now: i64,
        rng: &mut impl Rng,
        changed: &mut bool,
    ) -> Result<Effects, ServiceError> {
        let content = self.content();
        let mut effects = Effects::default();
        let event = match request {
            Request::Event(event) => event,
            Request::Top => {
                let users = self.users_with(user)?;
                let top = engine::leaderboards(&users, user.id, now);
                effects.responses.push(Response::Engine(Reply::Top(top)));
                let open: Vec<Campaign> = content
                    .campaigns
                    .iter()
                    .filter(|c| c.starts <= now && now <= c.ends)
                    .cloned()
                    .collect();
                if !open.is_empty() {
                    effects.responses.push(Response::OpenCampaigns(open));
                }
                return Ok(effects);
            }
            Request::Campaign(id) => {
                let card = self.campaign_card(&content, user, &id, now)?;
                effects.responses.push(card);
                return Ok(effects);
            }
            Request::CampaignStart(id) => {
                match self.campaign_start(&content, user, &id, now, rng)? {
                    Ok(event) => event,
                    Err(response) => {
                        effects.responses.push(response);
                        return Ok(effects);
                    }
                }
            }
            Request::CampaignTop(id) => {
                let boards = self.campaign_boards(&content, user, &id)?;
                effects.responses.push(boards);
                return Ok(effects);
            }
            Request::Join(code) => {
                let before = user.org.clone();
                effects.responses.push(self.join(&content, user, &code));
                *changed |= user.org != before;
                return Ok(effects);
            }
            Request::SetSource(text) => {
                let response = upload::set_source(self, user.id, &text)?;
                effects.responses.push(response);
                return Ok(effects);
            }
            Request::Poster(id) => {
                effects.responses.push(self.poster(&content, user.id, &id));
                return Ok(effects);
            }
            Request::Report(id) => {
                effects
                    .responses
                    .push(self.report(&content, user.id, id.as_deref())?);
                return Ok(effects);
            }
            Request::Verify(code) => {
                effects.responses.push(match self.verify(&code)? {
                    Some(certificate) => Response::Verified(certificate),
                    None => Response::VerifyUnknown(code),
                });
                return Ok(effects);
            }
            Request::ConfirmJoin(code) => {
                let before = user.org.clone();
                effects
                    .responses
                    .push(self.confirm_join(&content, user, &code));
                *changed |= user.org != before;
                return Ok(effects);
            }
            Request::Topics { page } => {
                let topics = content.bank.topics();
                effects.responses.push(Response::Topics { topics, page });
                return Ok(effects);
            }
            Request::Ask(text) => {
                self.ask(&content.kb, &text, &mut effects);
                return Ok(effects);
            }
            // Rendering says so when the entry is gone (e.g. after an import).
            Request::ShowFaq(id) => {
                effects.responses.push(Response::Faq(id));
                return Ok(effects);
            }
            Request::ConfirmImport(token) => {
                effects
                    .responses
                    .extend(upload::confirm(self, user.id, token, now)?);
                return Ok(effects);
            }
            Request::CancelImport(token) => {
                effects
                    .responses
                    .push(upload::cancel(self, user.id, token)?);
                return Ok(effects);
            }
            Request::UnknownCommand(command) => {
                effects.responses.push(Response::UnknownCommand(command));
                return Ok(effects);
            }
            Request::Forged => {
                effects.responses.push(Response::Engine(Reply::Invalid));
                return Ok(effects);
            }
            Request::NotYours => {
                effects.responses.push(Response::Engine(Reply::Stale));
                return Ok(effects);
            }
            // Handled before dispatch.
            Request::Upload { .. } | Request::Blocked => return Ok(effects),
        };
        let outcome = engine::handle(&content.bank, user, event, now, rng);
        *changed |= outcome.changed;
        effects.answers = outcome.log;
        for reply in outcome.replies {
            match reply {
                Reply::NotAnAnswer(text) => self.ask(&content.kb, &text, &mut effects),
                Reply::Feedback(feedback) => {
                    let related = match feedback.correct {
                        Some(false) => related_entry(&content, &feedback.question),
                        _ => None,
                    };
                    effects
                        .responses
                        .push(Response::Feedback { feedback, related });
                }
                Reply::ChallengeOver {
                    score,
                    best,
                    new_best,
                } => {
                    let users = self.users_with(user)?;
                    effects.responses.push(Response::ChallengeOver {
                        score,
                        best,
                        new_best,
                        rank: engine::challenge_rank(&users, user.id),
                    });
                }
                Reply::AttemptOver(over) => {
                    self.attempt_over(&content, user, over, &mut effects, rng)?
                }
                other => effects.responses.push(Response::Engine(other)),
            }
        }
        Ok(effects)
    }

    fn ask(&self, kb: &KnowledgeBase, text: &str, effects: &mut Effects) {
        let asked = ask::answer(kb, text);
        effects.unanswered.extend(asked.unanswered);
        effects.responses.push(asked.response);
    }

    /// Every stored user, with this request's (not yet committed) record in place of theirs.
    fn users_with(&self, user: &UserRecord) -> Result<Vec<UserRecord>, ServiceError> {
        let mut users = self.store.users()?;
        match users.iter_mut().find(|u| u.id == user.id) {
            Some(slot) => *slot = user.clone(),
            None => users.push(user.clone()),
        }
        Ok(users)
    }

    fn lock(&self, user_id: i64) -> MutexGuard<'_, ()> {
        self.locks[(user_id.unsigned_abs() % LOCK_STRIPES as u64) as usize]
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// Reloads shipped and imported content after an import.
    pub fn reload(&self) -> Result<(), ServiceError> {
        let content = load_content(&self.questions_dir, &self.store)?;
        *self.content.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(content);
        Ok(())
    }

    /// Makes every acknowledged write durable (on shutdown).
    pub fn flush(&self) -> Result<(), ServiceError> {
        Ok(self.store.flush()?)
    }

    /// One row per user, for `export progress`.
    pub fn progress_rows(&self) -> Result<Vec<crate::export::ProgressRow>, ServiceError> {
        Ok(crate::export::progress_rows(&self.store)?)
    }

    /// Questions the knowledge base could not answer, as stored.
    pub fn unanswered(&self) -> Result<Vec<Unanswered>, ServiceError> {
        Ok(self.store.unanswered()?)
    }

    /// The append-only answer log, oldest first.
    pub fn answers(&self) -> Result<Vec<engine::AnswerLog>, ServiceError> {
        Ok(self.store.answers()?)
    }

    /// The imported quiz sets, as stored.
    pub fn imported_sets(&self) -> Result<Vec<StoredSet>, ServiceError> {
        Ok(self.store.imported_sets()?)
    }
}

/// `https://t.me/<bot>?start=c-<id>`.
pub fn campaign_link(bot_username: &str, campaign: &Campaign) -> String {
    let username = bot_username.trim_start_matches('@');
    format!("https://t.me/{username}?start={}", campaign.start_payload())
}

fn finished(user: &UserRecord, hint: Lang, responses: Vec<Response>) -> Turn {
    Turn {
        lang: user.lang.unwrap_or(hint),
        responses,
        awaiting_answer: user.session.is_some(),
    }
}

/// The knowledge entry closest to a missed question, when it is a good match.
fn related_entry(content: &Content, question_id: &str) -> Option<String> {
    let question = content.bank.get(question_id)?;
    content
        .kb
        .ask(&question.prompt)
        .into_iter()
        .next()
        .map(|m| m.id)
}

/// Shipped sets from `questions_dir` plus imported sets from the store.
pub fn load_content(questions_dir: &Path, store: &Store) -> Result<Content, StoreError> {
    let report = bank::load_dir(questions_dir);
    let mut sets = report.sets.clone();
    let mut faq = report.faq.clone();
    let mut problems = report.problems.clone();
    for stored in store.imported_sets()? {
        let (imported, more) = import::validate_file(
            &stored.file,
            &format!("imported set {}", stored.file.set.id),
        );
        problems.extend(more);
        sets.extend(imported);
    }
    for batch in store.imported_faq()? {
        faq.push((format!("imported {}", batch.name), batch.entries));
    }
    let (kb, kb_problems) = KnowledgeBase::build(&faq);
    problems.extend(kb_problems);
    let campaigns = store
        .campaigns()?
        .into_iter()
        .filter_map(|stored| stored.versions.last().cloned())
        .collect();
    Ok(Content {
        bank: Bank::from_sets(sets),
        kb,
        problems,
        campaigns,
        orgs: store.orgs()?,
    })
}
