//! Page cursors for the delivery log. A cursor carries the keyset position, the sort, and a
//! fingerprint of the filter it was made for, sealed with a checksum: an altered cursor, or one
//! reused with another filter, is refused with a clear message instead of yielding a wrong page.

use crate::kernel::error::{CoreError, CoreResult};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use sgen_store::attempts::{AttemptSort, Keyset};
use sha2::{Digest, Sha256};

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

pub(crate) fn encode(position: &PagePosition, filter: &str) -> String {
    let body = CursorBody {
        v: 1,
        sort: position.sort,
        desc: position.descending,
        filter: filter.into(),
        key: position.key.clone(),
    };
    let json = serde_json::to_vec(&body).expect("cursor serializes");
    format!("{}.{}", URL_SAFE_NO_PAD.encode(&json), checksum(&json))
}

pub(crate) fn decode(cursor: &str, filter: &str) -> CoreResult<PagePosition> {
    let malformed = || {
        CoreError::InvalidCursor(
            "the page cursor is malformed; start again from the first page".into(),
        )
    };
    let (body, sum) = cursor.split_once('.').ok_or_else(malformed)?;
    let json = URL_SAFE_NO_PAD.decode(body).map_err(|_| malformed())?;
    if checksum(&json) != sum {
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

fn checksum(bytes: &[u8]) -> String {
    hex8(&Sha256::digest(
        [b"sgen-cursor-v1:".as_slice(), bytes].concat(),
    ))
}

fn hex8(digest: &[u8]) -> String {
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sgen_store::attempts::SortValue;

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
        let cursor = encode(&position(), "f1");
        let back = decode(&cursor, "f1").unwrap();
        assert_eq!(back.key, position().key);
        assert_eq!(back.sort, AttemptSort::LatencyMs);
    }

    #[test]
    fn refuses_an_altered_cursor() {
        let cursor = encode(&position(), "f1");
        let (body, sum) = cursor.split_once('.').unwrap();
        let mut json = URL_SAFE_NO_PAD.decode(body).unwrap();
        let text = String::from_utf8(json.clone()).unwrap().replace("42", "43");
        json = text.into_bytes();
        let forged = format!("{}.{sum}", URL_SAFE_NO_PAD.encode(&json));
        let err = decode(&forged, "f1").err().unwrap();
        assert!(err.to_string().contains("altered"), "{err}");
    }

    #[test]
    fn refuses_garbage_and_another_filter() {
        assert_eq!(
            decode("not-a-cursor", "f1").err().unwrap().code(),
            "invalid_cursor"
        );
        assert_eq!(
            decode("%%%.abc", "f1").err().unwrap().code(),
            "invalid_cursor"
        );
        let err = decode(&encode(&position(), "f1"), "f2").err().unwrap();
        assert!(err.to_string().contains("different filter"), "{err}");
    }
}
