//! The sled store: the only module that touches sled.
//!
//! Trees and keys (schema version 1; every value is one version byte then JSON):
//! - `users`: user id (i64, big-endian with the sign bit flipped) -> [`UserRecord`]
//! - `answers`: sled-generated sequence number (u64 BE) -> [`AnswerLog`], append-only
//! - `sets`: set id -> [`StoredSet`] (imported quiz sets, latest version)
//! - `faq`: batch id -> [`StoredFaq`] (imported knowledge-base entries)
//! - `unanswered`: normalised question text -> [`Unanswered`]
//! - `pending`: admin user id -> [`PendingImport`] awaiting Confirm / Cancel
//! - `campaigns`: campaign id -> [`StoredCampaign`] (every version, oldest first)
//! - `orgs`: invitation code -> [`Org`]
//! - `attempts`: campaign id, 0, user id (BE, sign flipped), attempt number (u32 BE) ->
//!   [`Attempt`] (finished or stopped attempts; one in progress lives in the user's session)
//! - `certificates`: verification code (canonical, 10 characters) -> [`Certificate`], and
//!   0, campaign id, 0, user id (BE, sign flipped) -> the code (one per person per campaign)
//! - `draws`: campaign id -> [`StoredDraw`] (the prize draw's commitment, seed and result)
//! - `meta`: `schema` -> version
//!
//! Every write that acknowledges a user action is flushed before it returns.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sled::transaction::{ConflictableTransactionError, TransactionError};
use sled::Transactional;

use crate::bank::{FaqRecord, SetFile};
use crate::campaign::{Attempt, Campaign, Org};
use crate::engine::{AnswerLog, UserRecord};

const SCHEMA_VERSION: u8 = 1;
/// sled's page cache; its 1 GiB default is far more than this bot needs.
const CACHE_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the data directory {0} is in use by another stdquiz process; stop it or pass another --data DIR")]
    Locked(PathBuf),
    #[error("cannot open the data directory {path}: {source}")]
    Open { path: PathBuf, source: sled::Error },
    #[error("the data directory was written by a newer stdquiz (schema {found}, this build reads {SCHEMA_VERSION}); upgrade stdquiz")]
    NewerSchema { found: u8 },
    #[error("storage error: {0}")]
    Sled(#[from] sled::Error),
    #[error("corrupt record in {tree}: {reason}")]
    Corrupt { tree: &'static str, reason: String },
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// An imported quiz set as stored: the latest version, plus ids it retired.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StoredSet {
    pub file: SetFile,
    pub version: u32,
    pub imported_at: i64,
    pub imported_by: String,
    /// Ids of earlier versions that are no longer served (kept for history).
    pub retired: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StoredFaq {
    pub name: String,
    pub entries: Vec<FaqRecord>,
    pub version: u32,
    pub imported_at: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Unanswered {
    pub text: String,
    pub count: u32,
    pub first_at: i64,
    pub last_at: i64,
}

/// A validated upload waiting for the admin's Confirm.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PendingImport {
    pub token: u32,
    pub file_name: String,
    pub sets: Vec<SetFile>,
    pub faq: Vec<(String, Vec<FaqRecord>)>,
    pub created_at: i64,
    /// A campaign definition upload, instead of questions.
    #[serde(default)]
    pub campaign: Option<Campaign>,
    /// An enterprise list upload (merged with the stored one), instead of questions.
    #[serde(default)]
    pub orgs: Option<Vec<Org>>,
}

/// What one request writes, all at once: see [`Store::commit`].
pub struct Commit<'a> {
    pub user: &'a UserRecord,
    pub answers: &'a [AnswerLog],
    /// Unanswered questions to count: (normalised key, text as asked).
    pub unanswered: &'a [(String, String)],
    /// Campaign attempts that ended with this request.
    pub attempts: &'a [Attempt],
    /// Certificates (参赛证明) issued with this request.
    pub certificates: &'a [Certificate],
    pub now: i64,
}

/// A 参赛证明: issued once per person per campaign, at their first pass.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Certificate {
    /// The canonical verification code (`7KQ4MXC9PT`).
    pub code: String,
    pub user_id: i64,
    pub name: String,
    pub campaign: String,
    pub title: String,
    pub score: u32,
    /// When the passing attempt ended (unix seconds).
    pub date: i64,
}

/// A campaign's prize draw: the commitment published before the close, the secret seed
/// (hex) behind it, and the result once drawn.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StoredDraw {
    pub campaign: String,
    pub commitment: String,
    pub seed: String,
    pub committed_at: i64,
    #[serde(default)]
    pub result: Option<DrawResult>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DrawResult {
    pub winners: usize,
    pub per_org_cap: Option<usize>,
    pub run_at: i64,
    /// How many were eligible.
    pub eligible: usize,
    /// (rank, user id, enterprise code), rank 1 drawn first.
    pub drawn: Vec<(usize, i64, Option<String>)>,
}

impl<'a> Commit<'a> {
    /// Only the user record.
    pub fn user(user: &'a UserRecord) -> Commit<'a> {
        Commit {
            user,
            answers: &[],
            unanswered: &[],
            attempts: &[],
            certificates: &[],
            now: user.last_active,
        }
    }
}

/// Every version of a campaign, oldest first; the last one is served.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StoredCampaign {
    pub versions: Vec<Campaign>,
    pub imported_at: i64,
    pub imported_by: String,
}

#[derive(Clone)]
pub struct Store {
    db: sled::Db,
    users: sled::Tree,
    answers: sled::Tree,
    sets: sled::Tree,
    faq: sled::Tree,
    unanswered: sled::Tree,
    pending: sled::Tree,
    campaigns: sled::Tree,
    orgs: sled::Tree,
    attempts: sled::Tree,
    certificates: sled::Tree,
    draws: sled::Tree,
    path: PathBuf,
}

impl Store {
    pub fn open(dir: &Path) -> Result<Store> {
        let db = sled::Config::new()
            .path(dir)
            .cache_capacity(CACHE_BYTES)
            .mode(sled::Mode::HighThroughput)
            .open()
            .map_err(|source| open_error(dir, source))?;
        let meta = db.open_tree("meta")?;
        match meta.get("schema")? {
            Some(v) if v.first().copied().unwrap_or(0) > SCHEMA_VERSION => {
                return Err(StoreError::NewerSchema { found: v[0] });
            }
            Some(_) => {}
            None => {
                meta.insert("schema", &[SCHEMA_VERSION])?;
                db.flush()?;
            }
        }
        Ok(Store {
            users: db.open_tree("users")?,
            answers: db.open_tree("answers")?,
            sets: db.open_tree("sets")?,
            faq: db.open_tree("faq")?,
            unanswered: db.open_tree("unanswered")?,
            pending: db.open_tree("pending")?,
            campaigns: db.open_tree("campaigns")?,
            orgs: db.open_tree("orgs")?,
            attempts: db.open_tree("attempts")?,
            certificates: db.open_tree("certificates")?,
            draws: db.open_tree("draws")?,
            db,
            path: dir.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn load_user(&self, id: i64) -> Result<Option<UserRecord>> {
        self.users
            .get(user_key(id))?
            .map(|v| decode("users", &v))
            .transpose()
    }

    /// Saves a user record, appends its answers and counts its unanswered questions in one
    /// transaction, then flushes, so an answer is durable before its feedback is shown and a
    /// re-delivered update (whose id the record remembers) changes nothing.
    pub fn commit(&self, commit: &Commit<'_>) -> Result<()> {
        let value = encode(commit.user);
        let logged: Vec<Vec<u8>> = commit.answers.iter().map(encode).collect();
        let attempts: Vec<(Vec<u8>, Vec<u8>)> = commit
            .attempts
            .iter()
            .map(|a| (attempt_key(&a.campaign, a.user_id, a.number), encode(a)))
            .collect();
        let certificates: Vec<(Vec<u8>, Vec<u8>, Vec<u8>)> = commit
            .certificates
            .iter()
            .map(|c| {
                let index = certificate_index_key(&c.campaign, c.user_id);
                (c.code.as_bytes().to_vec(), encode(c), index)
            })
            .collect();
        let trees = (
            &self.users,
            &self.answers,
            &self.unanswered,
            &self.attempts,
            &self.certificates,
        );
        let result: std::result::Result<(), TransactionError<()>> =
            trees.transaction(|(users, log, unanswered, attempt_tree, certificate_tree)| {
                users.insert(&user_key(commit.user.id), value.as_slice())?;
                for (key, value) in &attempts {
                    attempt_tree.insert(key.as_slice(), value.as_slice())?;
                }
                for (code, value, index) in &certificates {
                    // The first certificate of a person in a campaign stays theirs.
                    if certificate_tree.get(index.as_slice())?.is_none() {
                        certificate_tree.insert(code.as_slice(), value.as_slice())?;
                        certificate_tree.insert(index.as_slice(), code.as_slice())?;
                    }
                }
                for entry in &logged {
                    let seq = log.generate_id()?;
                    log.insert(&seq.to_be_bytes(), entry.as_slice())?;
                }
                for (key, text) in commit.unanswered {
                    let stored = unanswered.get(key.as_bytes())?;
                    let mut entry = match stored.map(|v| decode("unanswered", &v)) {
                        Some(Ok(entry)) => entry,
                        _ => Unanswered {
                            text: text.clone(),
                            first_at: commit.now,
                            ..Default::default()
                        },
                    };
                    entry.count += 1;
                    entry.last_at = commit.now;
                    unanswered.insert(key.as_bytes(), encode(&entry))?;
                }
                Ok::<(), ConflictableTransactionError<()>>(())
            });
        self.flushed(result)
    }

    /// Every stored campaign, by id.
    pub fn campaigns(&self) -> Result<Vec<StoredCampaign>> {
        self.campaigns
            .iter()
            .values()
            .map(|v| decode("campaigns", &v?))
            .collect()
    }

    pub fn put_campaign(&self, campaign: &StoredCampaign) -> Result<()> {
        let Some(latest) = campaign.versions.last() else {
            return Ok(());
        };
        self.campaigns
            .insert(latest.id.as_bytes(), encode(campaign))?;
        self.db.flush()?;
        Ok(())
    }

    /// The enterprises, by code.
    pub fn orgs(&self) -> Result<Vec<Org>> {
        self.orgs
            .iter()
            .values()
            .map(|v| decode("orgs", &v?))
            .collect()
    }

    /// Replaces the enterprise list in one transaction.
    pub fn put_orgs(&self, orgs: &[Org]) -> Result<()> {
        let encoded: Vec<(String, Vec<u8>)> =
            orgs.iter().map(|o| (o.code.clone(), encode(o))).collect();
        let result: std::result::Result<(), TransactionError<()>> = self.orgs.transaction(|tree| {
            for (code, value) in &encoded {
                tree.insert(code.as_bytes(), value.as_slice())?;
            }
            Ok::<(), ConflictableTransactionError<()>>(())
        });
        self.flushed(result)
    }

    /// The recorded attempts at a campaign, by user then number.
    pub fn attempts(&self, campaign: &str) -> Result<Vec<Attempt>> {
        let mut prefix = campaign.as_bytes().to_vec();
        prefix.push(0);
        self.attempts
            .scan_prefix(prefix)
            .values()
            .map(|v| decode("attempts", &v?))
            .collect()
    }

    /// One user's recorded attempts at a campaign, by number.
    pub fn attempts_of(&self, campaign: &str, user: i64) -> Result<Vec<Attempt>> {
        let mut prefix = campaign.as_bytes().to_vec();
        prefix.push(0);
        prefix.extend_from_slice(&user_key(user));
        self.attempts
            .scan_prefix(prefix)
            .values()
            .map(|v| decode("attempts", &v?))
            .collect()
    }

    /// The certificate with this canonical code.
    pub fn certificate(&self, code: &str) -> Result<Option<Certificate>> {
        if code.is_empty() || code.as_bytes()[0] == 0 {
            return Ok(None);
        }
        self.certificates
            .get(code.as_bytes())?
            .map(|v| decode("certificates", &v))
            .transpose()
    }

    /// The certificate a person was issued in a campaign, if any.
    pub fn certificate_of(&self, campaign: &str, user: i64) -> Result<Option<Certificate>> {
        match self
            .certificates
            .get(certificate_index_key(campaign, user))?
        {
            Some(code) => self.certificate(&String::from_utf8_lossy(&code)),
            None => Ok(None),
        }
    }

    /// A campaign's prize draw, if one was committed.
    pub fn draw(&self, campaign: &str) -> Result<Option<StoredDraw>> {
        self.draws
            .get(campaign.as_bytes())?
            .map(|v| decode("draws", &v))
            .transpose()
    }

    /// Stores a draw's commitment when the campaign has none yet; returns the stored one.
    pub fn put_draw_commitment(&self, draw: &StoredDraw) -> Result<StoredDraw> {
        let swapped = self.draws.compare_and_swap(
            draw.campaign.as_bytes(),
            None as Option<&[u8]>,
            Some(encode(draw)),
        )?;
        self.db.flush()?;
        match swapped {
            Ok(()) => Ok(draw.clone()),
            Err(_) => Ok(self.draw(&draw.campaign)?.unwrap_or_else(|| draw.clone())),
        }
    }

    /// Records a draw's result once; returns the stored draw (the earlier result if any).
    pub fn put_draw_result(&self, draw: &StoredDraw) -> Result<StoredDraw> {
        let Some(current) = self.draws.get(draw.campaign.as_bytes())? else {
            return Ok(draw.clone());
        };
        let stored: StoredDraw = decode("draws", &current)?;
        if stored.result.is_some() {
            return Ok(stored);
        }
        let swapped = self.draws.compare_and_swap(
            draw.campaign.as_bytes(),
            Some(current),
            Some(encode(draw)),
        )?;
        self.db.flush()?;
        match swapped {
            Ok(()) => Ok(draw.clone()),
            Err(_) => Ok(self.draw(&draw.campaign)?.unwrap_or_else(|| draw.clone())),
        }
    }

    /// Every user record, in id order.
    pub fn users(&self) -> Result<Vec<UserRecord>> {
        self.users
            .iter()
            .values()
            .map(|v| decode("users", &v?))
            .collect()
    }

    /// The append-only answer log, oldest first.
    pub fn answers(&self) -> Result<Vec<AnswerLog>> {
        self.answers
            .iter()
            .values()
            .map(|v| decode("answers", &v?))
            .collect()
    }

    pub fn imported_sets(&self) -> Result<Vec<StoredSet>> {
        self.sets
            .iter()
            .values()
            .map(|v| decode("sets", &v?))
            .collect()
    }

    pub fn imported_faq(&self) -> Result<Vec<StoredFaq>> {
        self.faq
            .iter()
            .values()
            .map(|v| decode("faq", &v?))
            .collect()
    }

    /// Writes every set and knowledge batch of one import in one transaction: all or nothing.
    pub fn put_import(&self, sets: &[StoredSet], faq: &[StoredFaq]) -> Result<()> {
        let sets_encoded: Vec<(String, Vec<u8>)> = sets
            .iter()
            .map(|s| (s.file.set.id.clone(), encode(s)))
            .collect();
        let faq_encoded: Vec<(String, Vec<u8>)> =
            faq.iter().map(|f| (f.name.clone(), encode(f))).collect();
        let result: std::result::Result<(), TransactionError<()>> = (&self.sets, &self.faq)
            .transaction(|(set_tree, faq_tree)| {
                for (key, value) in &sets_encoded {
                    set_tree.insert(key.as_bytes(), value.as_slice())?;
                }
                for (key, value) in &faq_encoded {
                    faq_tree.insert(key.as_bytes(), value.as_slice())?;
                }
                Ok::<(), ConflictableTransactionError<()>>(())
            });
        self.flushed(result)
    }

    pub fn record_unanswered(&self, key: &str, text: &str, now: i64) -> Result<()> {
        let mut entry: Unanswered = match self.unanswered.get(key.as_bytes())? {
            Some(v) => decode("unanswered", &v)?,
            None => Unanswered {
                text: text.to_string(),
                first_at: now,
                ..Default::default()
            },
        };
        entry.count += 1;
        entry.last_at = now;
        self.unanswered.insert(key.as_bytes(), encode(&entry))?;
        self.db.flush()?;
        Ok(())
    }

    pub fn unanswered(&self) -> Result<Vec<Unanswered>> {
        self.unanswered
            .iter()
            .values()
            .map(|v| decode("unanswered", &v?))
            .collect()
    }

    pub fn put_pending(&self, admin: i64, pending: &PendingImport) -> Result<()> {
        self.pending.insert(user_key(admin), encode(pending))?;
        self.db.flush()?;
        Ok(())
    }

    /// The admin's pending import, left in place.
    pub fn pending(&self, admin: i64) -> Result<Option<PendingImport>> {
        self.pending
            .get(user_key(admin))?
            .map(|v| decode("pending", &v))
            .transpose()
    }

    /// Removes and returns the admin's pending import if its token matches.
    pub fn take_pending(&self, admin: i64, token: u32) -> Result<Option<PendingImport>> {
        let Some(value) = self.pending.get(user_key(admin))? else {
            return Ok(None);
        };
        let pending: PendingImport = decode("pending", &value)?;
        if pending.token != token {
            return Ok(None);
        }
        // Compare-and-swap so a double tap on Confirm imports once.
        match self
            .pending
            .compare_and_swap(user_key(admin), Some(value), None as Option<&[u8]>)?
        {
            Ok(()) => {
                self.db.flush()?;
                Ok(Some(pending))
            }
            Err(_) => Ok(None),
        }
    }

    /// The outcome of a transaction that never aborts, flushed when it committed.
    fn flushed(&self, result: std::result::Result<(), TransactionError<()>>) -> Result<()> {
        match result {
            Ok(()) => {}
            Err(TransactionError::Storage(e)) => return Err(e.into()),
            Err(TransactionError::Abort(())) => unreachable!("the transaction never aborts"),
        }
        self.db.flush()?;
        Ok(())
    }

    pub fn flush(&self) -> Result<()> {
        self.db.flush()?;
        Ok(())
    }
}

fn open_error(dir: &Path, source: sled::Error) -> StoreError {
    let text = source.to_string();
    if text.contains("lock")
        || text.contains("WouldBlock")
        || text.contains("temporarily unavailable")
    {
        return StoreError::Locked(dir.to_path_buf());
    }
    StoreError::Open {
        path: dir.to_path_buf(),
        source,
    }
}

fn attempt_key(campaign: &str, user: i64, number: u32) -> Vec<u8> {
    let mut key = campaign.as_bytes().to_vec();
    key.push(0);
    key.extend_from_slice(&user_key(user));
    key.extend_from_slice(&number.to_be_bytes());
    key
}

fn certificate_index_key(campaign: &str, user: i64) -> Vec<u8> {
    let mut key = vec![0];
    key.extend_from_slice(campaign.as_bytes());
    key.push(0);
    key.extend_from_slice(&user_key(user));
    key
}

fn user_key(id: i64) -> [u8; 8] {
    ((id as u64) ^ (1 << 63)).to_be_bytes()
}

fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    let mut out = vec![SCHEMA_VERSION];
    serde_json::to_writer(&mut out, value).expect("serialising plain data cannot fail");
    out
}

fn decode<T: DeserializeOwned>(tree: &'static str, bytes: &[u8]) -> Result<T> {
    match bytes.split_first() {
        Some((&SCHEMA_VERSION, body)) => {
            serde_json::from_slice(body).map_err(|e| StoreError::Corrupt {
                tree,
                reason: e.to_string(),
            })
        }
        Some((version, _)) => Err(StoreError::Corrupt {
            tree,
            reason: format!("unknown record version {version}"),
        }),
        None => Err(StoreError::Corrupt {
            tree,
            reason: "empty record".into(),
        }),
    }
}
