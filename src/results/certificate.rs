//! Certificate verification codes: `7KQ4M-XC9PT`, ten characters in two groups of five.
//!
//! Nine characters are random, drawn from a caller-provided cryptographic RNG (45 bits:
//! a code cannot be derived from a user id or guessed from another code), and the tenth
//! is a Luhn mod 32 check character, which catches every single mistyped character and
//! every swap of two neighbours except `2Z` ↔ `Z2` (the first and last characters of
//! the alphabet, as `09` ↔ `90` in the decimal Luhn check).
//!
//! The alphabet has 32 characters: digits 2–9 and letters A–Z without I and O, so a code
//! never holds the look-alikes 0/O or 1/I. Typed input is folded before checking: full
//! width to half width, lower to upper case, spaces, dashes and dots dropped. A 0, O, 1
//! or I in the input cannot belong to any code and there is nothing safe to fold it onto
//! (turning a typo into someone else's code is worse than asking again), so such input
//! is rejected.

use std::fmt;

use rand::{CryptoRng, Rng};

use crate::text::fold_width;

/// The 32 code characters, in the order whose positions the check character sums.
pub const ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
/// Characters in a code, the check character included.
pub const CODE_LENGTH: usize = 10;

/// A well-formed verification code (canonical form: ten characters, no dash).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VerificationCode(String);

impl VerificationCode {
    /// A fresh random code. Pass a cryptographic RNG (`rand::rngs::OsRng`, or a seeded
    /// ChaCha in tests); store the code with the certificate, since it cannot be recomputed.
    pub fn generate<R: Rng + CryptoRng>(rng: &mut R) -> VerificationCode {
        let mut code: String = (0..CODE_LENGTH - 1)
            .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
            .collect();
        code.push(check_character(&code));
        VerificationCode(code)
    }

    /// The canonical form, for storage and lookups: `7KQ4MXC9PT`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The printed form, `7KQ4M-XC9PT`.
impl fmt::Display for VerificationCode {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}-{}", &self.0[..5], &self.0[5..])
    }
}

/// The canonical code typed in `input`, or `None` if it is not a well-formed code (wrong
/// length, a character outside the alphabet, or a failed check character).
pub fn normalize(input: &str) -> Option<VerificationCode> {
    let folded: String = fold_width(input)
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '_' | '.' | '—' | '–'))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if folded.chars().count() != CODE_LENGTH || !folded.chars().all(|c| value(c).is_some()) {
        return None;
    }
    let (payload, check) = folded.split_at(CODE_LENGTH - 1);
    if !check.starts_with(check_character(payload)) {
        return None;
    }
    Some(VerificationCode(folded))
}

/// The position of `c` in [`ALPHABET`].
fn value(c: char) -> Option<usize> {
    ALPHABET.iter().position(|a| char::from(*a) == c)
}

/// Luhn mod N (N = 32): from the rightmost payload character leftwards, double every
/// other value starting with the rightmost, fold each product as `p / N + p % N`, sum;
/// the check character is the one whose value brings the sum to a multiple of N.
fn check_character(payload: &str) -> char {
    let n = ALPHABET.len();
    let mut sum = 0;
    let mut factor = 2;
    for c in payload.chars().rev() {
        let addend = factor * value(c).unwrap_or(0);
        sum += addend / n + addend % n;
        factor = if factor == 2 { 1 } else { 2 };
    }
    char::from(ALPHABET[(n - sum % n) % n])
}
