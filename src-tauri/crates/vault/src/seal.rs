//! Sealing: XChaCha20-Poly1305 with a random 192-bit nonce per blob (random nonces of that size
//! never collide in practice), and the blob's [`Binding`] as associated data.

use crate::VaultError;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use zeroize::Zeroizing;

/// What a sealed blob belongs to. It is authenticated with the blob, so a blob copied to
/// another connection, or from the refresh-token column to the credential column, does not
/// open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Binding<'a> {
    connection_id: &'a str,
    purpose: &'static str,
}

impl<'a> Binding<'a> {
    /// A connection's credential: API-key fields, or its access token.
    pub fn credential(connection_id: &'a str) -> Self {
        Binding {
            connection_id,
            purpose: "credential",
        }
    }

    /// A connection's OAuth refresh token, stored apart so a refresh can replace it alone.
    pub fn refresh_token(connection_id: &'a str) -> Self {
        Binding {
            connection_id,
            purpose: "refresh_token",
        }
    }

    /// The signing secrets a connection's vendor signs its events with (newest first).
    pub fn event_secrets(connection_id: &'a str) -> Self {
        Binding {
            connection_id,
            purpose: "event_secrets",
        }
    }

    /// A grant's token kept for a revocation the vendor has not yet confirmed, after the
    /// connection itself is gone; `job_id` is the pending revocation's id.
    pub fn pending_revocation(job_id: &'a str) -> Self {
        Binding {
            connection_id: job_id,
            purpose: "pending_revocation",
        }
    }

    fn associated_data(&self) -> Vec<u8> {
        format!("sgen-vault/1\0{}\0{}", self.purpose, self.connection_id).into_bytes()
    }
}

/// The first byte of every blob, so the format can change without guessing.
const FORMAT: u8 = 1;
const NONCE_LEN: usize = 24;

pub(crate) fn seal(key: &[u8; 32], binding: Binding<'_>, plaintext: &[u8]) -> Vec<u8> {
    let cipher = XChaCha20Poly1305::new(key.into());
    let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
    let aad = binding.associated_data();
    let ciphertext = cipher
        .encrypt(
            &nonce,
            Payload {
                msg: plaintext,
                aad: &aad,
            },
        )
        .expect("encryption into a Vec cannot fail");
    let mut blob = Vec::with_capacity(1 + NONCE_LEN + ciphertext.len());
    blob.push(FORMAT);
    blob.extend_from_slice(&nonce);
    blob.extend_from_slice(&ciphertext);
    blob
}

pub(crate) fn open(
    key: &[u8; 32],
    binding: Binding<'_>,
    blob: &[u8],
) -> Result<Zeroizing<Vec<u8>>, VaultError> {
    let Some((&FORMAT, rest)) = blob.split_first() else {
        return Err(VaultError::Tampered);
    };
    if rest.len() < NONCE_LEN {
        return Err(VaultError::Tampered);
    }
    let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
    let cipher = XChaCha20Poly1305::new(key.into());
    let aad = binding.associated_data();
    cipher
        .decrypt(
            XNonce::from_slice(nonce),
            Payload {
                msg: ciphertext,
                aad: &aad,
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| VaultError::Tampered)
}
