//! Page cursors for the delivery log. A cursor carries the keyset position, the sort, and a
//! fingerprint of the filter it was made for, signed with the database's own key (HMAC-SHA256):
//! an altered or forged cursor, or one reused with another filter, is refused with a clear
//! message instead of yielding a wrong page.

use crate::kernel::error::{CoreError, CoreResult};
use crate::Core;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sgen_store::attempts::{AttemptSort, Keyset};
use sha2::{Digest, Sha256};

/// The database's cursor key (`app_settings.cursor_key`, made by migration 5).
pub(crate) struct CursorKey(Vec<u8>);

impl CursorKey {
    pub(crate) fn from_hex(text: &str) -> CoreResult<Self> {
        match from_hex(text) {
            Some(bytes) if bytes.len() >= 16 => Ok(Self(bytes)),
            _ => Err(CoreError::Internal("the cursor key is damaged".into())),
        }
    }

    fn mac(&self, bytes: &[u8]) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(bytes);
        mac
    }

    /// The first 8 bytes of the HMAC, in hex: enough against guessing, short in a URL.
    fn sign(&self, bytes: &[u8]) -> String {
        hex8(&self.mac(bytes).finalize().into_bytes())
    }

    fn verifies(&self, bytes: &[u8], signature: &str) -> bool {
        from_hex(signature)
            .filter(|tag| tag.len() == 8)
            .is_some_and(|tag| self.mac(bytes).verify_truncated_left(&tag).is_ok())
    }
}

impl Core {
    /// This database's cursor key, read once.
    pub(crate) fn cursor_key(&self) -> CoreResult<&CursorKey> {
        if let Some(key) = self.cursor_key.get() {
            return Ok(key);
        }
        let stored = self
            .store
            .read(|conn| Ok::<_, CoreError>(sgen_store::settings::get(conn, "cursor_key")?))?;
        let key = CursorKey::from_hex(&stored.unwrap_or_default())?;
        Ok(self.cursor_key.get_or_init(|| key))
    }
}

fn from_hex(text: &str) -> Option<Vec<u8>> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[derive(Serialize, Deserialize)]
struct CursorBody {
    v: u8,
    sort: AttemptSort,
    desc: bool,
    filter: String,
    key: Keyset,
}

pub(crate) struct PagePosition {
    pub sort: AttemptSort,
    pub descending: bool,
    pub key: Keyset,
}

/// A short hash of everything that selects rows (not the position), as canonical text.
pub(crate) fn fingerprint(parts: &[&str]) -> String {
    hex8(&Sha256::digest(parts.join("\u{1f}").as_bytes()))
}

pub(crate) fn encode(position: &PagePosition, filter: &str, key: &CursorKey) -> String {
    let body = CursorBody {
        v: 1,
        sort: position.sort,
        desc: position.descending,
        filter: filter.into(),
        key: position.key.clone(),
    };
    let json = serde_json::to_vec(&body).expect("cursor serializes");
    format!("{}.{}", URL_SAFE_NO_PAD.encode(&json), key.sign(&json))
}

pub(crate) fn decode(cursor: &str, filter: &str, key: &CursorKey) -> CoreResult<PagePosition> {
    let malformed = || {
        CoreError::InvalidCursor(
            "the page cursor is malformed; start again from the first page".into(),
        )
    };
    let (body, sum) = cursor.split_once('.').ok_or_else(malformed)?;
    let json = URL_SAFE_NO_PAD.decode(body).map_err(|_| malformed())?;
    if !key.verifies(&json, sum) {
        return Err(CoreError::InvalidCursor(
            "the page cursor was altered; start again from the first page".into(),
        ));
    }
    let body: CursorBody = serde_json::from_slice(&json).map_err(|_| malformed())?;
    if body.v != 1 || !body.sort.accepts(&body.key.value) {
        return Err(malformed());
    }
    if body.filter != filter {
        return Err(CoreError::InvalidCursor(
            "the page cursor belongs to a different filter or sort; start again from the first page".into(),
        ));
    }
    Ok(PagePosition {
        sort: body.sort,
        descending: body.desc,
        key: body.key,
    })
}

fn hex8(digest: &[u8]) -> String {
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sgen_store::attempts::SortValue;

    fn key() -> CursorKey {
        CursorKey(vec![7; 32])
    }

    fn position() -> PagePosition {
        PagePosition {
            sort: AttemptSort::LatencyMs,
            descending: true,
            key: Keyset {
                value: SortValue::Int(120),
                id: 42,
            },
        }
    }

    #[test]
    fn round_trips() {
        let cursor = encode(&position(), "f1", &key());
        let back = decode(&cursor, "f1", &key()).unwrap();
        assert_eq!(back.key, position().key);
        assert_eq!(back.sort, AttemptSort::LatencyMs);
    }

    #[test]
    fn refuses_an_altered_cursor() {
        let cursor = encode(&position(), "f1", &key());
        let (body, sum) = cursor.split_once('.').unwrap();
        let mut json = URL_SAFE_NO_PAD.decode(body).unwrap();
        let text = String::from_utf8(json.clone()).unwrap().replace("42", "43");
        json = text.into_bytes();
        let forged = format!("{}.{sum}", URL_SAFE_NO_PAD.encode(&json));
        let err = decode(&forged, "f1", &key()).err().unwrap();
        assert!(err.to_string().contains("altered"), "{err}");
    }

    #[test]
    fn refuses_garbage_and_another_filter() {
        assert_eq!(
            decode("not-a-cursor", "f1", &key()).err().unwrap().code(),
            "invalid_cursor"
        );
        assert_eq!(
            decode("%%%.abc", "f1", &key()).err().unwrap().code(),
            "invalid_cursor"
        );
        let err = decode(&encode(&position(), "f1", &key()), "f2", &key())
            .err()
            .unwrap();
        assert!(err.to_string().contains("different filter"), "{err}");
    }

    #[test]
    fn refuses_a_cursor_signed_with_another_key() {
        // Someone who knows the format but not this database's key.
        let forged = encode(&position(), "f1", &CursorKey(vec![8; 32]));
        let err = decode(&forged, "f1", &key()).err().unwrap();
        assert!(err.to_string().contains("altered"), "{err}");
    }

    proptest::proptest! {
        /// Any text, and any change to a real cursor, is refused or read; never a panic.
        #[test]
        fn fuzz_decode_never_panics(text in ".{0,300}", flip in 0usize..200, byte in 0u8..=255) {
            let _ = decode(&text, "f1", &key());
            let mut cursor = encode(&position(), "f1", &key()).into_bytes();
            let at = flip % cursor.len();
            cursor[at] = byte;
            if let Ok(mutated) = String::from_utf8(cursor) {
                let _ = decode(&mutated, "f1", &key());
            }
        }
    }
}
