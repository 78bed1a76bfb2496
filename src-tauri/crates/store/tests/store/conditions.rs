//! The store under the conditions a desktop meets: every connection configured alike, two
//! processes writing while others read, and a full disk.

use sgen_store::{Access, Store, StoreError};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

fn path(dir: &tempfile::TempDir) -> std::path::PathBuf {
    dir.path().join("db.sqlite3")
}

#[test]
fn every_connection_readers_too_uses_wal_foreign_keys_and_a_busy_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(&path(&dir), Access::ReadWrite).unwrap());
    let settings = |c: &rusqlite::Connection| -> Result<(String, i64, i64), StoreError> {
        Ok((
            c.query_row("PRAGMA journal_mode", [], |r| r.get(0))?,
            c.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?,
            c.query_row("PRAGMA busy_timeout", [], |r| r.get(0))?,
        ))
    };
    let mut seen = vec![store.write(|tx| settings(tx)).unwrap()];
    // Four readers open at once: the whole pool, each a connection of its own.
    let together = Arc::new(Barrier::new(4));
    let readers: Vec<_> = (0..4)
        .map(|_| {
            let (store, together) = (store.clone(), together.clone());
            std::thread::spawn(move || {
                store
                    .read(|c| {
                        together.wait();
                        settings(c)
                    })
                    .unwrap()
            })
        })
        .collect();
    seen.extend(readers.into_iter().map(|r| r.join().unwrap()));
    // So is a read-only process's (the CLI's queries).
    let read_only = Store::open(&path(&dir), Access::ReadOnly).unwrap();
    seen.push(read_only.read(settings).unwrap());
    assert_eq!(seen.len(), 6);
    for (mode, foreign_keys, busy_timeout) in seen {
        assert_eq!((mode.as_str(), foreign_keys), ("wal", 1));
        assert!(busy_timeout >= 5_000, "busy_timeout {busy_timeout} ms");
    }
}

/// Two processes' writers (two stores on one file, as the app and the CLI) and four readers
/// for ten seconds: every write waits its turn, none is refused as busy. Each writer does a
/// little between its transactions, as any real one does: SQLite's busy handler is not fair,
/// and a writer committing in a tight loop can keep the other out past the busy timeout on a
/// loaded machine (seen once in CI: that is no condition a desktop meets).
#[test]
fn two_writers_and_four_readers_for_ten_seconds_see_no_busy() {
    let dir = tempfile::tempdir().unwrap();
    let stores: Vec<Arc<Store>> = (0..2)
        .map(|_| Arc::new(Store::open(&path(&dir), Access::ReadWrite).unwrap()))
        .collect();
    let until = Instant::now() + Duration::from_secs(10);
    let mut workers = Vec::new();
    for (n, store) in stores.iter().enumerate() {
        let store = store.clone();
        workers.push(std::thread::spawn(move || {
            let mut writes = 0u64;
            while Instant::now() < until {
                store.write(|tx| {
                    tx.execute(
                        "INSERT INTO app_settings (key, value) VALUES (?1, ?2)",
                        (format!("writer{n}.{writes}"), "x".repeat(200)),
                    )?;
                    Ok::<_, StoreError>(())
                })?;
                writes += 1;
                std::thread::sleep(Duration::from_millis(1));
            }
            Ok::<_, StoreError>(writes)
        }));
    }
    for n in 0..4 {
        let store = stores[n % 2].clone();
        workers.push(std::thread::spawn(move || {
            let mut reads = 0u64;
            while Instant::now() < until {
                store.read(|c| {
                    c.query_row("SELECT count(*) FROM app_settings", [], |r| {
                        r.get::<_, i64>(0)
                    })?;
                    Ok::<_, StoreError>(())
                })?;
                reads += 1;
            }
            Ok::<_, StoreError>(reads)
        }));
    }
    let done: Vec<u64> = workers
        .into_iter()
        .map(|w| w.join().unwrap().expect("no operation may fail as busy"))
        .collect();
    assert!(
        done.iter().all(|&n| n > 0),
        "every writer and reader got work done: {done:?}"
    );
}

fn rows(store: &Store) -> i64 {
    store
        .read(|c| {
            Ok::<_, StoreError>(c.query_row(
                "SELECT count(*) FROM app_settings WHERE key LIKE 'bulk.%'",
                [],
                |r| r.get(0),
            )?)
        })
        .unwrap()
}

/// One operation writing 40 rows of 64 KiB (2.5 MiB) in one transaction.
fn bulk_write(store: &Store, round: u32) -> Result<(), StoreError> {
    store.write(|tx| {
        for n in 0..40 {
            tx.execute(
                "INSERT INTO app_settings (key, value) VALUES (?1, ?2)",
                (format!("bulk.{round}.{n}"), "y".repeat(64 * 1024)),
            )?;
        }
        Ok(())
    })
}

#[test]
fn a_full_disk_fails_the_operation_whole_with_a_clear_error_and_the_next_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&path(&dir), Access::ReadWrite).unwrap();
    bulk_write(&store, 0).unwrap();
    let before = rows(&store);
    // The database may grow by a handful of pages more, as on a disk with little room left.
    let set_limit = |extra: i64| {
        store
            .write(|tx| {
                let pages: i64 = tx.query_row("PRAGMA page_count", [], |r| r.get(0))?;
                tx.query_row(
                    &format!("PRAGMA max_page_count = {}", pages + extra),
                    [],
                    |_| Ok(()),
                )?;
                Ok::<_, StoreError>(())
            })
            .unwrap()
    };
    set_limit(8);

    let full = bulk_write(&store, 1).unwrap_err();
    assert!(matches!(full, StoreError::Full), "{full:?}");
    assert!(full.to_string().contains("full"), "{full}");
    assert_eq!(
        rows(&store),
        before,
        "no row of the failed operation was written"
    );
    let integrity: String = store
        .read(|c| Ok::<_, StoreError>(c.query_row("PRAGMA integrity_check", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(integrity, "ok");

    set_limit(100_000);
    bulk_write(&store, 1).unwrap();
    assert_eq!(rows(&store), before + 40);
}
