//! Which of a site's data keys seals its secrets (its generation: 0 until the first rotation),
//! and every sealed blob of a site, so a rotation re-seals them all in one transaction.

use rusqlite::{params, Connection, Transaction};

fn key(site_id: &str) -> String {
    format!("site_key_generation/{site_id}")
}

pub fn generation(conn: &Connection, site_id: &str) -> rusqlite::Result<u32> {
    Ok(crate::settings::get(conn, &key(site_id))?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0))
}

pub fn set_generation(
    tx: &Transaction<'_>,
    site_id: &str,
    generation: u32,
) -> rusqlite::Result<()> {
    crate::settings::set(tx, &key(site_id), &generation.to_string())
}

/// Where a sealed blob lives, and what it is bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlobKind {
    /// `connections.credential_blob`, bound to the connection.
    Credential,
    /// `connections.refresh_token_blob`, bound to the connection.
    RefreshToken,
    /// `event_sources.sealed_secrets`, bound to the connection.
    EventSecrets,
    /// `pending_revocations.sealed_token`, bound to the pending revocation.
    PendingRevocation,
}

/// One sealed blob of a site: its kind, the id it is bound to (and stored under), the bytes.
pub struct SealedBlob {
    pub kind: BlobKind,
    pub id: String,
    pub blob: Vec<u8>,
}

/// Every sealed blob of the site.
pub fn sealed_blobs(conn: &Connection, site_id: &str) -> rusqlite::Result<Vec<SealedBlob>> {
    let queries: [(BlobKind, &str); 4] = [
        (
            BlobKind::Credential,
            "SELECT c.id, c.credential_blob FROM connections c
             JOIN environments e ON e.id = c.environment_id
             WHERE e.site_id = ?1 AND c.credential_blob IS NOT NULL",
        ),
        (
            BlobKind::RefreshToken,
            "SELECT c.id, c.refresh_token_blob FROM connections c
             JOIN environments e ON e.id = c.environment_id
             WHERE e.site_id = ?1 AND c.refresh_token_blob IS NOT NULL",
        ),
        (
            BlobKind::EventSecrets,
            "SELECT s.connection_id, s.sealed_secrets FROM event_sources s
             JOIN connections c ON c.id = s.connection_id
             JOIN environments e ON e.id = c.environment_id
             WHERE e.site_id = ?1 AND s.sealed_secrets IS NOT NULL",
        ),
        (
            BlobKind::PendingRevocation,
            "SELECT id, sealed_token FROM pending_revocations WHERE site_id = ?1",
        ),
    ];
    let mut blobs = Vec::new();
    for (kind, sql) in queries {
        let mut statement = conn.prepare(sql)?;
        let rows = statement.query_map([site_id], |row| {
            Ok(SealedBlob {
                kind,
                id: row.get(0)?,
                blob: row.get(1)?,
            })
        })?;
        for row in rows {
            blobs.push(row?);
        }
    }
    Ok(blobs)
}

/// Replaces one blob with its re-sealed bytes.
pub fn replace_blob(
    tx: &Transaction<'_>,
    kind: BlobKind,
    id: &str,
    blob: &[u8],
) -> rusqlite::Result<()> {
    let sql = match kind {
        BlobKind::Credential => "UPDATE connections SET credential_blob = ?2 WHERE id = ?1",
        BlobKind::RefreshToken => "UPDATE connections SET refresh_token_blob = ?2 WHERE id = ?1",
        BlobKind::EventSecrets => {
            "UPDATE event_sources SET sealed_secrets = ?2 WHERE connection_id = ?1"
        }
        BlobKind::PendingRevocation => {
            "UPDATE pending_revocations SET sealed_token = ?2 WHERE id = ?1"
        }
    };
    tx.execute(sql, params![id, blob])?;
    Ok(())
}
