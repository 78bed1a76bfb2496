//! The health check for scripts and support (`sgen-integrations-cli health`): the database's
//! integrity and schema, the keyring (every sealed secret opens), every connection's state and
//! last test, the outbox, whether anything is delivering, and the disk. Anything unhealthy is
//! a problem, said in words; the CLI exits non-zero on any.

use crate::kernel::data_dir_lock::DataDirLock;
use crate::support::workspace::SupportWorkspace;
use crate::{Core, CoreError, CoreResult};
use serde::Serialize;
use sgen_store::model::ConnectionState;
use sgen_store::{connections, outbox_triage, Access};
use ts_rs::TS;

/// Less free space than this is a problem: a delivery log and its checkpoints need room.
const DISK_PROBLEM_BYTES: u64 = 512 << 20;
/// Less than this is worth saying.
const DISK_WARNING_BYTES: u64 = 2 << 30;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct HealthReport {
    pub healthy: bool,
    /// What is unhealthy, each in a sentence.
    pub problems: Vec<String>,
    /// What deserves a look but is not unhealthy.
    pub warnings: Vec<String>,
    pub data_dir: String,
    /// `ok`, or what SQLite's quick check found first.
    pub integrity: String,
    pub schema_version: i64,
    pub expected_schema_version: i64,
    /// `ok (N secrets open)`, `not used (support workspace)`, or what failed.
    pub keyring: String,
    pub connections: Vec<ConnectionHealth>,
    pub outbox: Vec<OutboxHealth>,
    /// Whether an app (or `work`) holds the data directory and so runs its background work.
    pub background: String,
    #[ts(type = "number")]
    pub disk_available_bytes: u64,
    pub support_workspace: Option<SupportWorkspace>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ConnectionHealth {
    pub id: String,
    pub site_id: String,
    pub display_name: String,
    pub connector_type: String,
    pub state: ConnectionState,
    #[ts(type = "number | null")]
    pub last_test_at: Option<i64>,
    pub last_test_outcome: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct OutboxHealth {
    pub site_id: String,
    pub environment: String,
    pub due: u32,
    pub waiting: u32,
    pub dead_letters: u32,
    pub held: u32,
}

impl Core {
    pub fn health(&self) -> CoreResult<HealthReport> {
        let mut problems = Vec::new();
        let mut warnings = Vec::new();
        let (integrity, schema_version) = self.store.read(|conn| {
            let integrity: String = conn
                .query_row("PRAGMA quick_check(1)", [], |row| row.get(0))
                .map_err(sgen_store::StoreError::from)?;
            let version: i64 = conn
                .query_row("PRAGMA user_version", [], |row| row.get(0))
                .map_err(sgen_store::StoreError::from)?;
            Ok::<_, CoreError>((integrity, version))
        })?;
        if integrity != "ok" {
            problems.push(format!("the database is damaged: {integrity}"));
        }
        let expected = sgen_store::LATEST_SCHEMA_VERSION;
        if schema_version != expected {
            problems.push(format!(
                "the database's schema is version {schema_version}, this app's is {expected}"
            ));
        }
        let workspace = self.support_workspace()?;
        let sites = self.sites()?;
        let keyring = match &workspace {
            Some(_) => "not used (support workspace)".to_string(),
            None => self.keyring_health(&sites, &mut problems),
        };
        let (connections, outbox) =
            self.delivery_health_of(&sites, &mut problems, &mut warnings)?;
        let background = self.background_health(&outbox, &mut warnings);
        let disk_available_bytes = fs4::available_space(&self.data_dir).unwrap_or(0);
        match disk_available_bytes {
            free if free < DISK_PROBLEM_BYTES => problems.push(format!(
                "the disk holding the data directory has {} MiB free",
                free >> 20
            )),
            free if free < DISK_WARNING_BYTES => warnings.push(format!(
                "the disk holding the data directory has {} MiB free",
                free >> 20
            )),
            _ => {}
        }
        Ok(HealthReport {
            healthy: problems.is_empty(),
            problems,
            warnings,
            data_dir: self.data_dir.display().to_string(),
            integrity,
            schema_version,
            expected_schema_version: expected,
            keyring,
            connections,
            outbox,
            background,
            disk_available_bytes,
            support_workspace: workspace,
        })
    }

    /// Every site's sealed secrets open with its key from the keyring.
    fn keyring_health(
        &self,
        sites: &[sgen_store::sites::Site],
        problems: &mut Vec<String>,
    ) -> String {
        let mut opened = 0;
        for site in sites {
            match self.verify_site_secrets(&site.id) {
                Ok(n) => opened += n,
                Err(e) => {
                    problems.push(format!("{}'s secrets do not open: {e}", site.name));
                    return format!("failed: {e}");
                }
            }
        }
        if opened == 0 {
            // Nothing sealed yet: the keyring must still be there for the first secret.
            if let Err(e) = self.vault() {
                problems.push(format!("the keyring cannot be reached: {e}"));
                return format!("unreachable: {e}");
            }
        }
        format!("ok ({opened} secrets open)")
    }

    fn delivery_health_of(
        &self,
        sites: &[sgen_store::sites::Site],
        problems: &mut Vec<String>,
        warnings: &mut Vec<String>,
    ) -> CoreResult<(Vec<ConnectionHealth>, Vec<OutboxHealth>)> {
        let now = self.now();
        let mut healths = Vec::new();
        let mut outboxes = Vec::new();
        for site in sites {
            for environment in &site.environments {
                let (records, counts) = self.store.read(|conn| {
                    Ok::<_, CoreError>((
                        connections::list(
                            conn,
                            &connections::ConnectionFilter {
                                environment_id: environment.id,
                                state: None,
                                text: None,
                                sort: connections::ConnectionSort::DisplayName,
                                descending: false,
                                offset: 0,
                                limit: u32::MAX,
                            },
                        )?
                        .0,
                        outbox_triage::counts(conn, environment.id, now)?,
                    ))
                })?;
                for record in records {
                    if matches!(
                        record.state,
                        ConnectionState::Error
                            | ConnectionState::AuthExpired
                            | ConnectionState::AuthRevoked
                    ) {
                        problems.push(format!(
                            "{} ({}, {}) is {}",
                            record.display_name,
                            site.name,
                            environment.name.as_str(),
                            record.state.as_str()
                        ));
                    }
                    healths.push(ConnectionHealth {
                        id: record.id,
                        site_id: site.id.clone(),
                        display_name: record.display_name,
                        connector_type: record.connector_type,
                        state: record.state,
                        last_test_at: record.last_test_at,
                        last_test_outcome: record.last_test_outcome,
                    });
                }
                if counts.stopped > 0 {
                    problems.push(format!(
                        "{} ({}) has {} dead letter{} waiting for triage",
                        site.name,
                        environment.name.as_str(),
                        counts.stopped,
                        if counts.stopped == 1 { "" } else { "s" }
                    ));
                }
                if counts.held > 0 {
                    warnings.push(format!(
                        "{} ({}) holds {} deliveries for paused connections",
                        site.name,
                        environment.name.as_str(),
                        counts.held
                    ));
                }
                outboxes.push(OutboxHealth {
                    site_id: site.id.clone(),
                    environment: environment.name.as_str().to_string(),
                    due: counts.due,
                    waiting: counts.scheduled,
                    dead_letters: counts.stopped,
                    held: counts.held,
                });
            }
        }
        Ok((healths, outboxes))
    }

    /// Background work runs in whichever process holds the data directory's lock.
    fn background_health(&self, outbox: &[OutboxHealth], warnings: &mut Vec<String>) -> String {
        if self.access == Access::ReadWrite {
            return "this process holds the data directory".into();
        }
        match DataDirLock::acquire(&self.data_dir) {
            Err(_) => "running (the app or `work` holds the data directory)".into(),
            Ok(_released_on_drop) => {
                let due: u32 = outbox.iter().map(|o| o.due + o.waiting).sum();
                if due > 0 {
                    warnings.push(format!(
                        "{due} deliveries wait and nothing is delivering them: start the app or `sgen-integrations-cli work`"
                    ));
                }
                "not running".into()
            }
        }
    }
}
