//! The notification centre (SPEC §7, "every failure alerts someone"): what the app told the
//! operator — a failed run, a step that notifies — newest first, with what each is about.

use crate::{Core, CoreError, CoreResult};
use serde::Serialize;
use sgen_store::notifications;
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Notification {
    #[ts(type = "number")]
    pub id: i64,
    /// `normal` or `high`.
    pub priority: String,
    pub title: String,
    pub body: String,
    /// What it is about: `run:{id}`, `automation:{id}`, `connection:{id}`.
    pub subject: Option<String>,
    #[ts(type = "number")]
    pub created_at: i64,
    #[ts(type = "number | null")]
    pub read_at: Option<i64>,
}

impl Core {
    /// The newest notifications (at most 500), newest first.
    pub fn notifications(&self, limit: u32) -> CoreResult<Vec<Notification>> {
        let records = self
            .store
            .read(|conn| Ok::<_, CoreError>(notifications::newest(conn, limit.min(500))?))?;
        Ok(records
            .into_iter()
            .map(|n| Notification {
                id: n.id,
                priority: n.priority,
                title: n.title,
                body: n.body,
                subject: n.subject,
                created_at: n.created_at,
                read_at: n.read_at,
            })
            .collect())
    }
}
