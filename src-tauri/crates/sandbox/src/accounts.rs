//! Sandbox accounts are implicit: every well-formed credential is an account, named by a hash
//! of the sandbox seed, the vendor and the credential, so the same key is the same account on
//! every run with the same seed.

use sha2::{Digest, Sha256};

pub(crate) fn account_id(seed: u64, slug: &str, credential: &str) -> String {
    let digest = Sha256::new()
        .chain_update(seed.to_le_bytes())
        .chain_update(slug.as_bytes())
        .chain_update([0])
        .chain_update(credential.as_bytes())
        .finalize();
    let hex: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
    format!("sbx-{slug}-{hex}")
}
