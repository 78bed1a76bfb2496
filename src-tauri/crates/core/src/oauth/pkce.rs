//! PKCE (RFC 7636) with S256, and the random single-use `state`.

use base64::Engine;
use sha2::{Digest, Sha256};

pub(crate) struct Pkce {
    pub verifier: String,
    pub challenge: String,
    pub state: String,
}

impl Pkce {
    pub(crate) fn new() -> Result<Self, getrandom::Error> {
        let verifier = random_token(32)?;
        let challenge =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(&verifier));
        Ok(Pkce {
            verifier,
            challenge,
            state: random_token(24)?,
        })
    }
}

/// `bytes` random bytes as base64url: 32 bytes make a 43-character verifier.
fn random_token(bytes: usize) -> Result<String, getrandom::Error> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf)?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf))
}
