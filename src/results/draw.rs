//! A prize draw (抽奖) anyone can audit: commit to a secret seed before the draw,
//! publish the seed after it, and everyone can recompute the winners.
//!
//! 1. Before the campaign closes, [`commit`] makes a 32-byte seed and its commitment,
//!    the lowercase hex SHA-256 of the seed's bytes. Publish the commitment; keep the seed.
//! 2. At the draw, [`run`] refuses any seed whose SHA-256 is not the commitment, then
//!    draws from the eligible list. Publish the seed (hex), the list and the rules.
//! 3. Anyone checks with [`verify`], or with the Python below.
//!
//! **The algorithm, exactly.** Sort the entrants by user id, ascending (user ids must
//! be unique). Seed ChaCha20 (20 rounds, as `rand_chacha::ChaCha20Rng::from_seed`) with
//! the seed as key, nonce and counter zero; each random number is the next 8 keystream
//! bytes read as a little-endian u64. To pick an index below `n`, take numbers until one
//! is below `2^64 − (2^64 mod n)` and use it mod `n`. Then, until enough winners are
//! drawn or nobody is left: pick an index into the remaining list, remove that entrant
//! (the rest keep their order) and append them to the winners; if a cap per organisation
//! is set and the winner has an organisation, and that organisation now has `cap`
//! winners, remove all its other entrants. Entrants without an organisation are never
//! capped; organisations are compared exactly as given. Fewer eligible entrants than
//! prizes means everyone wins, in drawn order.
//!
//! ```python
//! import hashlib
//! from cryptography.hazmat.primitives.ciphers import Cipher, algorithms
//!
//! def draw(seed_hex, commitment, entrants, winners, cap=None):
//!     """entrants: [(user_id, org or None)]; returns the winning user ids in order."""
//!     seed = bytes.fromhex(seed_hex)
//!     assert hashlib.sha256(seed).hexdigest() == commitment.lower()
//!     stream = Cipher(algorithms.ChaCha20(seed, bytes(16)), mode=None).encryptor()
//!     def index_below(n):
//!         limit = 2**64 - 2**64 % n
//!         while True:
//!             x = int.from_bytes(stream.update(bytes(8)), "little")
//!             if x < limit:
//!                 return x % n
//!     pool, won, per_org = sorted(entrants), [], {}
//!     while len(won) < winners and pool:
//!         user_id, org = pool.pop(index_below(len(pool)))
//!         won.append(user_id)
//!         if cap is not None and org is not None:
//!             per_org[org] = per_org.get(org, 0) + 1
//!             if per_org[org] >= cap:
//!                 pool = [e for e in pool if e[1] != org]
//!     return won
//! ```

use std::collections::{HashMap, HashSet};
use std::fmt;

use rand::{CryptoRng, RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use sha2::{Digest, Sha256};

/// Someone who may win.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entrant {
    pub user_id: i64,
    pub org: Option<String>,
}

/// A winner; `rank` 1 was drawn first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Winner {
    pub rank: usize,
    pub user_id: i64,
    pub org: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DrawError {
    /// The seed's SHA-256 is not the published commitment.
    SeedDoesNotMatchCommitment,
    /// The eligible list names a user twice.
    DuplicateEntrant(i64),
    /// A cap of zero winners per organisation.
    ZeroCap,
}

impl fmt::Display for DrawError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DrawError::SeedDoesNotMatchCommitment => write!(
                formatter,
                "种子与事先公布的承诺值不符 / the seed does not match the published commitment"
            ),
            DrawError::DuplicateEntrant(user_id) => write!(
                formatter,
                "抽奖名单中用户 {user_id} 出现了两次 / user {user_id} appears twice in the draw list"
            ),
            DrawError::ZeroCap => write!(
                formatter,
                "每个单位的中奖上限不能为 0 / the cap per organisation cannot be 0"
            ),
        }
    }
}

impl std::error::Error for DrawError {}

/// A fresh seed from `rng` (pass `rand::rngs::OsRng`) and its commitment.
pub fn commit<R: RngCore + CryptoRng>(rng: &mut R) -> ([u8; 32], String) {
    let mut seed = [0u8; 32];
    rng.fill_bytes(&mut seed);
    let commitment = commitment_of(&seed);
    (seed, commitment)
}

/// The commitment to `seed`: the lowercase hex SHA-256 of its 32 bytes.
pub fn commitment_of(seed: &[u8; 32]) -> String {
    to_hex(&Sha256::digest(seed))
}

/// The seed as 64 lowercase hex digits, for publishing.
pub fn seed_to_hex(seed: &[u8; 32]) -> String {
    to_hex(seed)
}

/// A seed published as 64 hex digits (either case, surrounding spaces ignored).
pub fn seed_from_hex(text: &str) -> Option<[u8; 32]> {
    let text = text.trim();
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    let mut seed = [0u8; 32];
    for (index, byte) in seed.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * index..2 * index + 2], 16).ok()?;
    }
    Some(seed)
}

/// Draws up to `winners` winners from `eligible` as the module doc specifies.
pub fn run(
    seed: &[u8; 32],
    commitment: &str,
    eligible: &[Entrant],
    winners: usize,
    per_org_cap: Option<usize>,
) -> Result<Vec<Winner>, DrawError> {
    if commitment_of(seed) != commitment.trim().to_ascii_lowercase() {
        return Err(DrawError::SeedDoesNotMatchCommitment);
    }
    if per_org_cap == Some(0) {
        return Err(DrawError::ZeroCap);
    }
    let mut pool: Vec<&Entrant> = eligible.iter().collect();
    pool.sort_by_key(|entrant| entrant.user_id);
    let mut seen = HashSet::new();
    if let Some(duplicate) = pool.iter().find(|entrant| !seen.insert(entrant.user_id)) {
        return Err(DrawError::DuplicateEntrant(duplicate.user_id));
    }
    let mut rng = ChaCha20Rng::from_seed(*seed);
    let mut drawn = Vec::new();
    let mut per_org: HashMap<&str, usize> = HashMap::new();
    while drawn.len() < winners && !pool.is_empty() {
        let entrant = pool.remove(index_below(&mut rng, pool.len()));
        drawn.push(Winner {
            rank: drawn.len() + 1,
            user_id: entrant.user_id,
            org: entrant.org.clone(),
        });
        let (Some(cap), Some(org)) = (per_org_cap, entrant.org.as_deref()) else {
            continue;
        };
        let count = per_org.entry(org).or_default();
        *count += 1;
        if *count >= cap {
            pool.retain(|other| other.org.as_deref() != Some(org));
        }
    }
    Ok(drawn)
}

/// Whether `published` is exactly what [`run`] draws from the same inputs.
pub fn verify(
    seed: &[u8; 32],
    commitment: &str,
    eligible: &[Entrant],
    winners: usize,
    per_org_cap: Option<usize>,
    published: &[Winner],
) -> Result<bool, DrawError> {
    Ok(run(seed, commitment, eligible, winners, per_org_cap)? == published)
}

/// A uniform index below `n` (> 0) by rejection sampling on raw u64s.
fn index_below(rng: &mut ChaCha20Rng, n: usize) -> usize {
    let n = n as u128;
    let limit = (1u128 << 64) - (1u128 << 64) % n;
    loop {
        let x = u128::from(rng.next_u64());
        if x < limit {
            return (x % n) as usize;
        }
    }
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}
