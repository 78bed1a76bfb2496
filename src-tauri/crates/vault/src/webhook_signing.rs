//! Standard Webhooks signing (<https://www.standardwebhooks.com/>): the secret is `whsec_` +
//! base64 of random bytes; a signature is `v1,` + base64(HMAC-SHA256(key, "{id}.{ts}.{body}")).
//! Receivers accept a message when any of the space-separated signatures matches one of their
//! secrets, which is how a secret is rotated without dropping a delivery.

use crate::Secret;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chacha20poly1305::aead::rand_core::RngCore;
use chacha20poly1305::aead::OsRng;
use hmac::{Hmac, Mac};
use sha2::Sha256;

const PREFIX: &str = "whsec_";
/// SPEC §4 asks for at least 24 random bytes; 32 is what the reference libraries generate.
const SECRET_BYTES: usize = 32;

/// A new signing secret, to be shown once to the operator and sealed like any credential.
pub fn generate_signing_secret() -> Secret {
    let mut bytes = zeroize::Zeroizing::new([0u8; SECRET_BYTES]);
    OsRng.fill_bytes(bytes.as_mut_slice());
    Secret::new(format!("{PREFIX}{}", STANDARD.encode(bytes.as_slice())))
}

/// Why a secret cannot sign.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a signing secret is `whsec_` followed by base64")]
pub struct MalformedSigningSecret;

fn key_of(secret: &Secret) -> Result<Hmac<Sha256>, MalformedSigningSecret> {
    let encoded = secret.expose();
    let encoded = encoded.strip_prefix(PREFIX).unwrap_or(encoded);
    let key = zeroize::Zeroizing::new(
        STANDARD
            .decode(encoded)
            .map_err(|_| MalformedSigningSecret)?,
    );
    if key.is_empty() {
        return Err(MalformedSigningSecret);
    }
    Hmac::<Sha256>::new_from_slice(&key).map_err(|_| MalformedSigningSecret)
}

/// The `webhook-signature` value for one secret: `v1,<base64>`.
pub fn sign(
    secret: &Secret,
    message_id: &str,
    timestamp_s: i64,
    body: &[u8],
) -> Result<String, MalformedSigningSecret> {
    let mut mac = key_of(secret)?;
    mac.update(format!("{message_id}.{timestamp_s}.").as_bytes());
    mac.update(body);
    Ok(format!(
        "v1,{}",
        STANDARD.encode(mac.finalize().into_bytes())
    ))
}

/// Whether one of the `v1` signatures in a `webhook-signature` header is this secret's, compared
/// in constant time. The timestamp window is the receiver's business.
pub fn verify(
    secret: &Secret,
    message_id: &str,
    timestamp_s: i64,
    body: &[u8],
    signature_header: &str,
) -> bool {
    let Ok(mut mac) = key_of(secret) else {
        return false;
    };
    mac.update(format!("{message_id}.{timestamp_s}.").as_bytes());
    mac.update(body);
    signature_header.split(' ').any(|candidate| {
        candidate
            .strip_prefix("v1,")
            .and_then(|b64| STANDARD.decode(b64).ok())
            .is_some_and(|tag| mac.clone().verify_slice(&tag).is_ok())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example from the Standard Webhooks specification's reference test suite.
    #[test]
    fn signs_the_reference_example() {
        let secret = Secret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        let signature = sign(
            &secret,
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            br#"{"test": 2432232314}"#,
        )
        .unwrap();
        assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn verifies_any_of_several_signatures_and_refuses_a_changed_body() {
        let old = generate_signing_secret();
        let new = generate_signing_secret();
        assert!(old.expose().starts_with(PREFIX));
        assert!(
            STANDARD
                .decode(&old.expose()[PREFIX.len()..])
                .unwrap()
                .len()
                >= 24
        );
        let header = format!(
            "{} {}",
            sign(&old, "msg_1", 10, b"{}").unwrap(),
            sign(&new, "msg_1", 10, b"{}").unwrap()
        );
        assert!(verify(&new, "msg_1", 10, b"{}", &header));
        assert!(verify(&old, "msg_1", 10, b"{}", &header));
        assert!(!verify(&new, "msg_1", 10, b"{ }", &header));
        assert!(!verify(&new, "msg_1", 11, b"{}", &header));
        assert!(!verify(
            &generate_signing_secret(),
            "msg_1",
            10,
            b"{}",
            &header
        ));
    }

    #[test]
    fn a_malformed_secret_is_refused() {
        assert_eq!(
            sign(&Secret::new("whsec_!!!"), "m", 1, b""),
            Err(MalformedSigningSecret)
        );
    }
}
