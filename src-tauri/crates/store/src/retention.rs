//! Delivery-log retention: attempts older than the cut-off leave the log and its search index,
//! in batches so the writer is never held for long. A delivery still in the outbox (waiting or
//! stopped) keeps its row and payload, so it can still be retried.

use rusqlite::{params, Transaction};

/// Deletes up to `limit` attempts made before `before`, with their search entries, and the
/// finished deliveries left without attempts. Returns the attempts deleted.
pub fn purge_attempts_before(
    tx: &Transaction<'_>,
    before: i64,
    limit: u32,
) -> rusqlite::Result<usize> {
    let environments: Vec<i64> = tx
        .prepare_cached("SELECT id FROM environments")?
        .query_map([], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    let mut ids: Vec<(i64, String)> = Vec::new();
    for environment_id in environments {
        let room = i64::from(limit) - ids.len() as i64;
        if room <= 0 {
            break;
        }
        // attempts_env_time answers this without reading newer rows.
        let mut old = tx.prepare_cached(
            "SELECT id, delivery_id FROM delivery_attempts
             WHERE environment_id = ?1 AND attempted_at < ?2 ORDER BY attempted_at LIMIT ?3",
        )?;
        for row in old.query_map(params![environment_id, before, room], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })? {
            ids.push(row?);
        }
    }
    let mut unindex = tx.prepare_cached("DELETE FROM attempt_search WHERE rowid = ?1")?;
    let mut delete = tx.prepare_cached("DELETE FROM delivery_attempts WHERE id = ?1")?;
    let mut delete_finished = tx.prepare_cached(
        "DELETE FROM deliveries WHERE id = ?1
           AND NOT EXISTS (SELECT 1 FROM outbox WHERE delivery_id = ?1)
           AND NOT EXISTS (SELECT 1 FROM delivery_attempts WHERE delivery_id = ?1)",
    )?;
    for (id, delivery_id) in &ids {
        unindex.execute([id])?;
        delete.execute([id])?;
        delete_finished.execute([delivery_id])?;
    }
    Ok(ids.len())
}
