//! Opening the database and handing out connections: one writer behind a mutex (every write
//! transaction is IMMEDIATE and serialized) and a small pool of query-only readers, so reads
//! never wait for a long write in WAL mode.

use crate::{error::StoreError, migrations};
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Creates the file if needed and applies pending migrations.
    ReadWrite,
    /// Never creates, migrates or writes: for CLI queries beside a running app.
    ReadOnly,
}

pub struct Store {
    path: PathBuf,
    access: Access,
    writer: Option<Mutex<Connection>>,
    readers: Mutex<Vec<Connection>>,
    /// Copies the WAL into the database beside the writer (`checkpoint_beside_writer`), made
    /// when first needed.
    checkpointer: Mutex<Option<Connection>>,
}

const READER_POOL_SIZE: usize = 4;
/// Pages of 16 KiB rather than 4: the delivery log is large and mostly appended to, and bigger
/// pages mean fewer B-tree splits and WAL frames per row (a million-attempt load measured about
/// a quarter faster). It applies when the file is created; an existing file keeps its own.
const PAGE_SIZE: i64 = 16_384;

impl Store {
    pub fn open(path: &Path, access: Access) -> Result<Self, StoreError> {
        let at_open = |e| StoreError::at_open(path, e);
        if access == Access::ReadOnly && !path.exists() {
            return Err(StoreError::Missing(path.to_path_buf()));
        }
        let writer = match access {
            Access::ReadWrite => {
                let mut conn = Connection::open(path).map_err(at_open)?;
                configure(&conn, true).map_err(at_open)?;
                check_version(path, &conn, access)?;
                migrations::apply_pending(&mut conn).map_err(at_open)?;
                Some(Mutex::new(conn))
            }
            Access::ReadOnly => None,
        };
        let store = Store {
            path: path.to_path_buf(),
            access,
            writer,
            readers: Mutex::new(Vec::new()),
            checkpointer: Mutex::new(None),
        };
        // Open one reader now so a read-only open fails here, with a clear error, if the file
        // is damaged or from another schema version.
        let reader = store.new_reader()?;
        check_version(path, &reader, access)?;
        store.readers.lock().expect("reader pool").push(reader);
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` in one IMMEDIATE transaction on the single writer; commits if it returns Ok.
    pub fn write<T, E>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let writer = self.writer.as_ref().ok_or(StoreError::ReadOnly)?;
        let mut conn = writer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let value = f(&tx)?;
        tx.commit().map_err(StoreError::from)?;
        Ok(value)
    }

    /// Runs `f` on a pooled read-only connection.
    pub fn read<T, E>(&self, f: impl FnOnce(&Connection) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let pooled = self.readers.lock().expect("reader pool").pop();
        let conn = match pooled {
            Some(conn) => conn,
            None => self.new_reader()?,
        };
        let result = f(&conn);
        let mut pool = self.readers.lock().expect("reader pool");
        if pool.len() < READER_POOL_SIZE {
            pool.push(conn);
        }
        result
    }

    fn new_reader(&self) -> Result<Connection, StoreError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(&self.path, flags)
            .map_err(|e| StoreError::at_open(&self.path, e))?;
        configure(&conn, false).map_err(|e| StoreError::at_open(&self.path, e))?;
        Ok(conn)
    }

    pub fn access(&self) -> Access {
        self.access
    }

    /// Copies the write-ahead log into the database and empties it. After bulk work, so the
    /// data directory does not keep a WAL as large as what was written, and every process that
    /// opens it next does not pay to index that WAL (about 150 ms for a million rows).
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        let Some(writer) = &self.writer else {
            return Ok(());
        };
        let conn = writer.lock().unwrap_or_else(|p| p.into_inner());
        // (busy, frames in the log, frames copied); busy means a reader held on, and the next
        // checkpoint finishes the job: nothing is lost either way.
        let (busy, _, _): (i64, i64, i64) =
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })?;
        if busy != 0 {
            tracing::debug!("WAL checkpoint left work for a reader to finish");
        }
        Ok(())
    }
}

impl Store {
    /// Copies what it can of the WAL into the database file from a connection of its own
    /// (a PASSIVE checkpoint: it waits for no one and no one waits for it). Run often by a
    /// background task, it keeps the writer's own automatic checkpoints small: one of 32 MiB,
    /// with its fsync, in a commit stalls every writer behind it for a third of a second on a
    /// slow disk. Returns the frames in the WAL and those copied.
    pub fn checkpoint_beside_writer(&self) -> Result<(i64, i64), StoreError> {
        if self.writer.is_none() {
            return Ok((0, 0));
        }
        let mut slot = self.checkpointer.lock().unwrap_or_else(|p| p.into_inner());
        if slot.is_none() {
            let conn =
                Connection::open(&self.path).map_err(|e| StoreError::at_open(&self.path, e))?;
            conn.busy_timeout(std::time::Duration::from_millis(100))?;
            *slot = Some(conn);
        }
        let conn = slot.as_ref().expect("opened above");
        let (_, frames, copied): (i64, i64, i64) =
            conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })?;
        Ok((frames, copied))
    }
}

impl Drop for Store {
    /// Readers close first, so the writer's close is the last and SQLite checkpoints the WAL
    /// and removes it (a read-only connection closing last cannot, and would leave it behind).
    fn drop(&mut self) {
        self.readers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
        *self.checkpointer.lock().unwrap_or_else(|p| p.into_inner()) = None;
        if let Err(e) = self.checkpoint() {
            tracing::warn!(error = %e, "checkpoint on close failed; the next open recovers the WAL");
        }
    }
}

fn configure(conn: &Connection, writer: bool) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    if writer {
        // WAL lets readers run beside the writer; FULL makes every acknowledged commit durable
        // across power loss, which the delivery outbox and inbound events rely on.
        conn.pragma_update(None, "page_size", PAGE_SIZE)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        // The delivery log's latency indexes take inserts all over them; a page cache of up to
        // 128 MiB (filled only as writes need it) keeps their pages in memory.
        conn.pragma_update(None, "cache_size", -131_072)?;
        // Checkpoint every ~32 MiB of WAL (2,048 pages of 16 KiB) rather than every 1,000
        // pages: index pages that change in every commit are then copied into the database
        // file once per checkpoint, not again and again.
        conn.pragma_update(None, "wal_autocheckpoint", 2_048)?;
        // A bulk load grows the WAL to the size of what it wrote; give the disk back once the
        // WAL has been checkpointed and starts over.
        conn.pragma_update(None, "journal_size_limit", 64 << 20)?;
        // Index builds (a bulk load rebuilds the log's indexes) sort in parallel: SQLite sorts
        // each in-memory run on a worker thread, but only when temporary data goes to files
        // (the bundled build keeps it in memory by default, which turns the workers off).
        conn.pragma_update(None, "threads", 2)?;
        conn.pragma_update(None, "temp_store", "FILE")?;
    } else {
        conn.pragma_update(None, "query_only", true)?;
    }
    conn.pragma_update(None, "foreign_keys", true)?;
    // `rarray()` passes a list of ids as one parameter (the delivery-log search).
    rusqlite::vtab::array::load_module(conn)?;
    // Touch the schema so a foreign or damaged file fails now, not on the first query.
    conn.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()))?;
    Ok(())
}

fn check_version(path: &Path, conn: &Connection, access: Access) -> Result<(), StoreError> {
    let found = migrations::schema_version(conn).map_err(|e| StoreError::at_open(path, e))?;
    let supported = migrations::LATEST_SCHEMA_VERSION;
    if found > supported {
        return Err(StoreError::SchemaTooNew {
            path: path.to_path_buf(),
            found,
            supported,
        });
    }
    if access == Access::ReadOnly && found < supported {
        return Err(StoreError::SchemaTooOld {
            path: path.to_path_buf(),
            found,
            supported,
        });
    }
    Ok(())
}
