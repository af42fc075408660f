//! SCRAM-SHA-256 verifiers (RFC 5802 / RFC 7677), the only form in which
//! crmdb stores a role's password.
//!
//! The text form is PostgreSQL's `pg_authid.rolpassword`:
//! `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`, base64
//! fields. CREATE ROLE … PASSWORD derives one here; the wire server checks
//! logins against it.

use std::num::NonZeroU32;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ring::rand::{SecureRandom, SystemRandom};
use ring::{digest, hmac, pbkdf2};

/// PBKDF2 iterations for new verifiers (PostgreSQL's default).
pub const ITERATIONS: u32 = 4096;
/// Bytes of random salt in new verifiers (PostgreSQL's default).
const SALT_LEN: usize = 16;
/// Most iterations a stored verifier may ask for, so that a login cannot
/// be made to burn unbounded CPU.
const MAX_ITERATIONS: u32 = 10_000_000;

/// A stored SCRAM-SHA-256 verifier.
#[derive(Clone, PartialEq, Eq)]
pub struct Verifier {
    pub iterations: u32,
    pub salt: Vec<u8>,
    pub stored_key: Vec<u8>,
    pub server_key: Vec<u8>,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("iterations", &self.iterations)
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// Derives the verifier of `password` with a fresh random salt.
    pub fn new(password: &str) -> Verifier {
        let mut salt = vec![0u8; SALT_LEN];
        SystemRandom::new()
            .fill(&mut salt)
            .expect("the system random source works");
        Self::with_salt(password, salt, ITERATIONS)
    }

    /// Derives the verifier of `password` with the given salt.
    pub fn with_salt(password: &str, salt: Vec<u8>, iterations: u32) -> Verifier {
        let iterations_nz = NonZeroU32::new(iterations).expect("iterations are positive");
        let mut salted = [0u8; 32];
        pbkdf2::derive(
            pbkdf2::PBKDF2_HMAC_SHA256,
            iterations_nz,
            &salt,
            password.as_bytes(),
            &mut salted,
        );
        let key = hmac::Key::new(hmac::HMAC_SHA256, &salted);
        let client_key = hmac::sign(&key, b"Client Key");
        let stored_key = digest::digest(&digest::SHA256, client_key.as_ref());
        let server_key = hmac::sign(&key, b"Server Key");
        Verifier {
            iterations,
            salt,
            stored_key: stored_key.as_ref().to_vec(),
            server_key: server_key.as_ref().to_vec(),
        }
    }

    /// PostgreSQL's text form of the verifier.
    pub fn to_pg_string(&self) -> String {
        format!(
            "SCRAM-SHA-256${}:{}${}:{}",
            self.iterations,
            STANDARD.encode(&self.salt),
            STANDARD.encode(&self.stored_key),
            STANDARD.encode(&self.server_key)
        )
    }

    /// Parses [`Verifier::to_pg_string`]'s form; None if `s` is not one.
    pub fn parse(s: &str) -> Option<Verifier> {
        let rest = s.strip_prefix("SCRAM-SHA-256$")?;
        let (iter_salt, keys) = rest.split_once('$')?;
        let (iterations, salt) = iter_salt.split_once(':')?;
        let (stored, server) = keys.split_once(':')?;
        let v = Verifier {
            iterations: iterations
                .parse()
                .ok()
                .filter(|&i| i > 0 && i <= MAX_ITERATIONS)?,
            salt: STANDARD.decode(salt).ok()?,
            stored_key: STANDARD.decode(stored).ok()?,
            server_key: STANDARD.decode(server).ok()?,
        };
        (!v.salt.is_empty() && v.stored_key.len() == 32 && v.server_key.len() == 32).then_some(v)
    }
}

/// What a password given to CREATE or ALTER ROLE is stored as: a verifier
/// given already in PostgreSQL's text form is kept as it is (that is how
/// psql's `\password` sends one), anything else is a password to derive
/// a verifier from.
pub fn stored_password(given: &str) -> String {
    match Verifier::parse(given) {
        Some(v) => v.to_pg_string(),
        None => Verifier::new(given).to_pg_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifier_text_form_round_trips() {
        let v = Verifier::new("pencil");
        let s = v.to_pg_string();
        assert!(s.starts_with("SCRAM-SHA-256$4096:"));
        assert_eq!(Verifier::parse(&s), Some(v));
        assert_eq!(Verifier::parse("md5abc"), None);
        assert_eq!(Verifier::parse("SCRAM-SHA-256$0:c2FsdA==$a:b"), None);
    }

    /// The password and salt of RFC 7677's example; the expected keys were
    /// derived independently (Python's hashlib.pbkdf2_hmac and hmac).
    #[test]
    fn verifier_matches_rfc7677() {
        let salt = STANDARD.decode("W22ZaJ0SNY7soEsUEjb6gQ==").unwrap();
        let v = Verifier::with_salt("pencil", salt, 4096);
        assert_eq!(
            STANDARD.encode(&v.server_key),
            "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU="
        );
        assert_eq!(
            STANDARD.encode(&v.stored_key),
            "WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY="
        );
    }

    #[test]
    fn given_verifiers_are_kept_and_passwords_derived() {
        let v = Verifier::new("secret").to_pg_string();
        assert_eq!(stored_password(&v), v);
        let derived = stored_password("secret");
        assert_ne!(derived, "secret");
        assert!(Verifier::parse(&derived).is_some());
    }
}
