//! The tokens a sandbox vendor issues carry their grant and a signature made with the sandbox
//! seed, instead of living in a table: a sandbox started later with the same seed (the app
//! restarted, or the CLI in another process) accepts what an earlier one issued. What the
//! sandbox does remember, in memory, is only what makes tokens stop working: spent refresh
//! tokens (rotation) and revoked grants.

use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Grant {
    /// Names the whole chain of tokens one consent started; revocation ends it.
    pub(crate) id: String,
    pub(crate) account: String,
    pub(crate) scopes: Vec<String>,
    /// Unix milliseconds; access tokens only.
    pub(crate) expires_ms: i64,
    /// Tells apart tokens issued for the same grant.
    pub(crate) serial: u64,
}

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

fn signature(seed: u64, slug: &str, kind: &str, payload: &str) -> String {
    let digest = Sha256::new()
        .chain_update(seed.to_le_bytes())
        .chain_update(slug.as_bytes())
        .chain_update([0])
        .chain_update(kind.as_bytes())
        .chain_update([0])
        .chain_update(payload.as_bytes())
        .finalize();
    B64.encode(&digest[..18])
}

/// `sbx_{kind}_{payload}.{signature}`.
pub(crate) fn sign(seed: u64, slug: &str, kind: &str, grant: &Grant) -> String {
    let payload = B64.encode(serde_json::to_vec(grant).expect("a grant serializes"));
    let sig = signature(seed, slug, kind, &payload);
    format!("sbx_{kind}_{payload}.{sig}")
}

/// The grant inside a token this sandbox (seed and vendor) signed for `kind`.
pub(crate) fn verify(seed: u64, slug: &str, kind: &str, token: &str) -> Option<Grant> {
    let rest = token.strip_prefix(&format!("sbx_{kind}_"))?;
    let (payload, sig) = rest.split_once('.')?;
    if signature(seed, slug, kind, payload) != sig {
        return None;
    }
    serde_json::from_slice(&B64.decode(payload).ok()?).ok()
}
