//! Profile passphrases as Argon2id hashes (PHC strings, the `argon2` crate's defaults: 19 MiB,
//! two passes). The passphrase itself is never stored, logged or returned.

use crate::{CoreError, CoreResult};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

/// Shortest passphrase accepted.
pub const MIN_LENGTH: usize = 8;

pub(crate) fn hash(passphrase: &str) -> CoreResult<String> {
    if passphrase.chars().count() < MIN_LENGTH {
        return Err(CoreError::invalid(format!(
            "a passphrase must be at least {MIN_LENGTH} characters"
        )));
    }
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt)
        .map_err(|e| CoreError::Internal(format!("no randomness for a salt: {e}")))?;
    let salt = SaltString::encode_b64(&salt)
        .map_err(|e| CoreError::Internal(format!("salt encoding: {e}")))?;
    Argon2::default()
        .hash_password(passphrase.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| CoreError::Internal(format!("passphrase hashing: {e}")))
}

/// Whether `passphrase` is the one `stored` was made from. A damaged hash matches nothing.
pub(crate) fn matches(stored: &str, passphrase: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(passphrase.as_bytes(), &parsed)
            .is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_with_argon2id_and_verifies() {
        let stored = hash("correct horse").unwrap();
        assert!(stored.starts_with("$argon2id$"), "{stored}");
        assert!(!stored.contains("correct horse"));
        assert!(matches(&stored, "correct horse"));
        assert!(!matches(&stored, "correct hors"));
        assert!(!matches("not a hash", "correct horse"));
        assert_ne!(
            hash("correct horse").unwrap(),
            stored,
            "a fresh salt each time"
        );
        assert_eq!(hash("short").unwrap_err().code(), "invalid_argument");
    }
}
