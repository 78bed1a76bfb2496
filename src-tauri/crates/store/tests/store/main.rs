//! The store against real SQLite files: migrations, connection settings, append-only audit.

mod conditions;

use sgen_store::activity::{self, NewActivity};
use sgen_store::operators::{self, NewOperator};
use sgen_store::{Access, Store, StoreError, LATEST_SCHEMA_VERSION};

fn fresh() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("db.sqlite3"), Access::ReadWrite).unwrap();
    (dir, store)
}

#[test]
fn migrations_apply_once_and_set_the_version() {
    let (dir, store) = fresh();
    let version = |store: &Store| {
        store
            .read(|c| Ok::<i64, StoreError>(c.query_row("PRAGMA user_version", [], |r| r.get(0))?))
            .unwrap()
    };
    assert_eq!(version(&store), LATEST_SCHEMA_VERSION);
    drop(store);
    let again = Store::open(&dir.path().join("db.sqlite3"), Access::ReadWrite).unwrap();
    assert_eq!(version(&again), LATEST_SCHEMA_VERSION);
}

#[test]
fn the_writer_uses_wal_durable_commits_and_foreign_keys() {
    let (_dir, store) = fresh();
    let (mode, sync, fk): (String, i64, i64) = store
        .write(|tx| {
            Ok::<_, StoreError>((
                tx.query_row("PRAGMA journal_mode", [], |r| r.get(0))?,
                tx.query_row("PRAGMA synchronous", [], |r| r.get(0))?,
                tx.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?,
            ))
        })
        .unwrap();
    assert_eq!((mode.as_str(), sync, fk), ("wal", 2, 1));
    // Foreign keys are enforced: a connection needs an existing environment and operator.
    let err = store
        .write(|tx| {
            tx.execute(
                "INSERT INTO connections (id, environment_id, connector_type, display_name, state, auth_flow, operator_of_record, created_at, updated_at)
                 VALUES ('con_x', 999, 'stripe', 'x', 'active', 'api_key', 'op_none', 0, 0)",
                [],
            )?;
            Ok::<_, StoreError>(())
        })
        .unwrap_err();
    assert!(err.to_string().contains("FOREIGN KEY"), "{err}");
}

#[test]
fn a_failed_write_leaves_nothing_behind() {
    let (_dir, store) = fresh();
    let operator = NewOperator {
        id: "op_a",
        name: "A",
        role: "editor",
        created_at: 1,
        passphrase_hash: None,
        os_user: None,
    };
    let result = store.write(|tx| {
        operators::insert(tx, &operator)?;
        Err::<(), _>(StoreError::Busy)
    });
    assert!(result.is_err());
    assert!(store
        .read(|c| Ok::<_, StoreError>(operators::get(c, "op_a")?))
        .unwrap()
        .is_none());
}

#[test]
fn the_activity_log_is_append_only() {
    let (_dir, store) = fresh();
    let operator = NewOperator {
        id: "op_a",
        name: "A",
        role: "administrator",
        created_at: 1,
        passphrase_hash: None,
        os_user: None,
    };
    store
        .write(|tx| {
            operators::insert(tx, &operator)?;
            activity::append(
                tx,
                &NewActivity {
                    at: 1,
                    operator_id: "op_a",
                    site_id: None,
                    environment_id: None,
                    connection_id: None,
                    action: "settings.change",
                    outcome: "success",
                    details: &serde_json::json!({"retention_days": {"from": 90, "to": 30}}),
                    catalog_version: "1.0.0",
                },
            )?;
            Ok::<_, StoreError>(())
        })
        .unwrap();
    for sql in [
        "UPDATE activity_log SET outcome = 'forged'",
        "DELETE FROM activity_log",
    ] {
        let err = store
            .write(|tx| Ok::<_, StoreError>(tx.execute(sql, [])?))
            .unwrap_err();
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    // Retention alone removes rows, and only those older than the cutoff it stores.
    let purged = store
        .write(|tx| Ok::<_, StoreError>(activity::purge_older_than(tx, 2)?))
        .unwrap();
    assert_eq!(purged, 1);
    let err = store
        .write(|tx| {
            sgen_store::settings::set(tx, "activity_retention_cutoff", "0")?;
            activity::append(
                tx,
                &NewActivity {
                    at: 5,
                    operator_id: "op_a",
                    site_id: None,
                    environment_id: None,
                    connection_id: None,
                    action: "settings.change",
                    outcome: "success",
                    details: &serde_json::json!({}),
                    catalog_version: "1.0.0",
                },
            )?;
            Ok::<_, StoreError>(tx.execute("DELETE FROM activity_log WHERE at = 5", [])?)
        })
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
}

#[test]
fn readers_cannot_write() {
    let (dir, store) = fresh();
    drop(store);
    let reader = Store::open(&dir.path().join("db.sqlite3"), Access::ReadOnly).unwrap();
    assert!(matches!(
        reader.write(|_| Ok::<_, StoreError>(())),
        Err(StoreError::ReadOnly)
    ));
    let err = reader
        .read(|c| Ok::<_, StoreError>(c.execute("DELETE FROM sites", [])?))
        .unwrap_err();
    assert!(
        err.to_string().contains("readonly")
            || err.to_string().contains("read-only")
            || err.to_string().contains("query_only"),
        "{err}"
    );
}

#[test]
fn bulk_work_leaves_no_write_ahead_log_behind() {
    let (dir, store) = fresh();
    let wal = dir.path().join("db.sqlite3-wal");
    let wal_bytes = || std::fs::metadata(&wal).map_or(0, |m| m.len());
    // One large transaction, as a bulk load is: the WAL grows to hold it.
    store
        .write(|tx| {
            for i in 0..20_000 {
                sgen_store::settings::set(tx, &format!("bulk:{i}"), &"x".repeat(200))?;
            }
            Ok::<_, StoreError>(())
        })
        .unwrap();
    assert!(
        wal_bytes() > 1 << 20,
        "the WAL holds the load: {}",
        wal_bytes()
    );
    store.checkpoint().unwrap();
    assert_eq!(wal_bytes(), 0, "emptied after the bulk work");
    // A reader still open when the store closes does not keep the WAL alive.
    store
        .read(|c| Ok::<_, StoreError>(c.query_row("SELECT 1", [], |_| Ok(()))?))
        .unwrap();
    store
        .write(|tx| Ok::<_, StoreError>(sgen_store::settings::set(tx, "after", "1")?))
        .unwrap();
    drop(store);
    assert!(!wal.exists(), "the last close removes it");
}
