//! One user request end to end: load the user, run the engine, answer questions from
//! the knowledge base, save through the store, return responses to render.
//! Both chat adapters (terminal and Telegram) call this and nothing deeper.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use rand::Rng;

use crate::bank::{self, Bank, Problem};
use crate::engine::{self, Event, Lang, Reply, UserRecord};
use crate::import::{self, ImportPlan};
use crate::qa::scope::Redirect;
use crate::qa::{KnowledgeBase, Match};
use crate::store::{PendingImport, Store, StoreError};

/// What an adapter asks of the service.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    Event(Event),
    Top,
    Topics,
    /// A free-text question (`/ask TEXT`).
    Ask(String),
    /// A tap on a related-question button.
    ShowFaq(String),
    /// Admin upload: file name and bytes.
    Upload {
        file_name: String,
        bytes: Vec<u8>,
    },
    ConfirmImport(u32),
    CancelImport(u32),
    UnknownCommand(String),
    /// Callback data we never produce.
    Forged,
}

/// What comes back, to be rendered for the user's language.
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::large_enum_variant)] // short-lived values, rendered at once
pub enum Response {
    Engine(Reply),
    Answer {
        matches: Vec<Match>,
        /// The question was asked in English: answer in English where the entry has it.
        english: bool,
    },
    Abstain {
        query: String,
        /// The neighbouring subject the question belongs to, when it names one.
        redirect: Option<&'static Redirect>,
    },
    Faq(String),
    Topics(Vec<(String, Option<String>, usize)>),
    UnknownCommand(String),
    NotAdmin,
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
        })
    }

    pub fn content(&self) -> Arc<Content> {
        self.content
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn is_admin(&self, user: i64) -> bool {
        self.admins.contains(&user)
    }

    /// The language to render for a user: their /lang choice, else the client's.
    pub fn lang_of(&self, user: i64, hint: Lang) -> Lang {
        self.store
            .load_user(user)
            .ok()
            .flatten()
            .and_then(|u| u.lang)
            .unwrap_or(hint)
    }

    /// Handles one request of one user. Requests of the same user are serialised.
    pub fn handle(
        &self,
        user_id: i64,
        request: Request,
        now: i64,
        rng: &mut impl Rng,
    ) -> Result<Vec<Response>, ServiceError> {
        self.handle_update(user_id, None, request, now, rng)
    }

    /// Like [`Service::handle`], for a transport update with an id: an update applied
    /// before (re-delivered after a crash) changes nothing and gets no reply.
    pub fn handle_update(
        &self,
        user_id: i64,
        update: Option<i64>,
        request: Request,
        now: i64,
        rng: &mut impl Rng,
    ) -> Result<Vec<Response>, ServiceError> {
        let _guard = self.locks[(user_id.unsigned_abs() % LOCK_STRIPES as u64) as usize]
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let content = self.content();
        let event = match request {
            Request::Event(event) => event,
            Request::Top => {
                let users = self.store.users()?;
                return Ok(vec![Response::Engine(Reply::Top(engine::leaderboards(
                    &users, user_id, now,
                )))]);
            }
            Request::Topics => return Ok(vec![Response::Topics(content.bank.topics())]),
            Request::Ask(text) => {
                return Ok(vec![self.answer_question(&content.kb, &text, now)?])
            }
            // Rendering says so when the entry is gone (e.g. after an import).
            Request::ShowFaq(id) => return Ok(vec![Response::Faq(id)]),
            Request::Upload { file_name, bytes } => {
                return self.upload(user_id, &file_name, &bytes, now, rng)
            }
            Request::ConfirmImport(token) => return self.confirm(user_id, token, now),
            Request::CancelImport(token) => {
                if !self.is_admin(user_id) {
                    return Ok(vec![Response::NotAdmin]);
                }
                return Ok(vec![match self.store.take_pending(user_id, token)? {
                    Some(_) => Response::ImportCancelled,
                    None => Response::ImportExpired,
                }]);
            }
            Request::UnknownCommand(command) => return Ok(vec![Response::UnknownCommand(command)]),
            Request::Forged => return Ok(vec![Response::Engine(Reply::Invalid)]),
        };
        let mut user = self
            .store
            .load_user(user_id)?
            .unwrap_or_else(|| UserRecord::new(user_id, now));
        if let Some(update) = update {
            if user.recent_updates.contains(&update) {
                return Ok(Vec::new());
            }
            user.recent_updates.push(update);
            let excess = user.recent_updates.len().saturating_sub(RECENT_UPDATES);
            user.recent_updates.drain(..excess);
        }
        let reactivated = std::mem::take(&mut user.inactive);
        let outcome = engine::handle(&content.bank, &mut user, event, now, rng);
        if outcome.changed || reactivated || update.is_some() || !outcome.log.is_empty() {
            self.store.commit(&user, &outcome.log)?;
        }
        let mut responses = Vec::with_capacity(outcome.replies.len());
        for reply in outcome.replies {
            responses.push(match reply {
                Reply::NotAnAnswer(text) => self.answer_question(&content.kb, &text, now)?,
                Reply::Feedback(mut feedback) => {
                    if feedback.correct == Some(false) {
                        feedback.related = related_entry(&content, &feedback.question);
                    }
                    Response::Engine(Reply::Feedback(feedback))
                }
                Reply::ChallengeOver {
                    score,
                    best,
                    new_best,
                    ..
                } => {
                    let users = self.store.users()?;
                    Response::Engine(Reply::ChallengeOver {
                        score,
                        best,
                        new_best,
                        rank: engine::challenge_rank(&users, user_id),
                    })
                }
                other => Response::Engine(other),
            });
        }
        Ok(responses)
    }

    /// Marks a user inactive (they blocked the bot); nothing else about them changes.
    pub fn set_inactive(&self, user_id: i64, now: i64) -> Result<(), ServiceError> {
        let _guard = self.locks[(user_id.unsigned_abs() % LOCK_STRIPES as u64) as usize]
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let mut user = self
            .store
            .load_user(user_id)?
            .unwrap_or_else(|| UserRecord::new(user_id, now));
        if !user.inactive {
            user.inactive = true;
            self.store.commit(&user, &[])?;
        }
        Ok(())
    }

    fn answer_question(
        &self,
        kb: &KnowledgeBase,
        text: &str,
        now: i64,
    ) -> Result<Response, ServiceError> {
        let query = text.trim();
        let crate::qa::Answer {
            matches, redirect, ..
        } = kb.answer(query);
        if matches.is_empty() {
            let key = crate::text::normalize_answer(query);
            if !key.is_empty() {
                self.store.record_unanswered(
                    &key,
                    &crate::text::truncate_chars(query, 500),
                    now,
                )?;
            }
            return Ok(Response::Abstain {
                query: query.to_string(),
                redirect,
            });
        }
        Ok(Response::Answer {
            matches,
            english: crate::qa::is_english_query(query),
        })
    }

    fn upload(
        &self,
        admin: i64,
        file_name: &str,
        bytes: &[u8],
        now: i64,
        rng: &mut impl Rng,
    ) -> Result<Vec<Response>, ServiceError> {
        if !self.is_admin(admin) {
            return Ok(vec![Response::NotAdmin]);
        }
        let current = self.store.imported_sets()?;
        let content = self.content();
        let plan = match import::plan(
            &[(file_name.to_string(), bytes.to_vec())],
            &current,
            &content.bank,
        ) {
            Ok(plan) => plan,
            Err(problems) => {
                return Ok(vec![Response::ImportProblems {
                    file_name: file_name.to_string(),
                    problems: problems.iter().map(ToString::to_string).collect(),
                }]);
            }
        };
        let token = rng.gen_range(1..u32::MAX);
        let pending = PendingImport {
            token,
            file_name: file_name.to_string(),
            sets: plan.set_files(),
            faq: plan.faq_batches(),
            created_at: now,
        };
        self.store.put_pending(admin, &pending)?;
        Ok(vec![Response::ImportPreview { token, plan }])
    }

    fn confirm(&self, admin: i64, token: u32, now: i64) -> Result<Vec<Response>, ServiceError> {
        if !self.is_admin(admin) {
            return Ok(vec![Response::NotAdmin]);
        }
        let _import = self.import_lock.lock().unwrap_or_else(|e| e.into_inner());
        let Some(pending) = self.store.take_pending(admin, token)? else {
            return Ok(vec![Response::ImportExpired]);
        };
        let current = self.store.imported_sets()?;
        let content = self.content();
        let plan = match import::plan_records(pending.sets, pending.faq, &current, &content.bank) {
            Ok(plan) => plan,
            Err(problems) => {
                return Ok(vec![Response::ImportProblems {
                    file_name: pending.file_name,
                    problems: problems.iter().map(ToString::to_string).collect(),
                }]);
            }
        };
        import::apply(&self.store, &plan, &format!("chat:{admin}"), now)?;
        self.reload()?;
        Ok(vec![Response::Imported { plan }])
    }

    /// Reloads shipped and imported content after an import.
    pub fn reload(&self) -> Result<(), ServiceError> {
        let content = load_content(&self.questions_dir, &self.store)?;
        *self.content.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(content);
        Ok(())
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
    Ok(Content {
        bank: Bank::from_sets(sets),
        kb,
        problems,
    })
}
