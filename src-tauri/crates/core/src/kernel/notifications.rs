//! The notification centre (SPEC §7, "every failure alerts someone"): what the app told the
//! operator — a failed run, a step that notifies — newest first, with what each is about.

use crate::access::{self, Target};
use crate::kernel::events::CoreEvent;
use crate::kernel::write::Tx;
use crate::{Core, CoreError, CoreResult};
use serde::Serialize;
use sgen_store::notifications::{self, NewNotification};
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

/// Raises a notification in `tx`: the centre lists it once the transaction commits, and a
/// high-priority one goes on to the OS (the shell shows it).
pub(crate) fn raise(tx: &Tx<'_, '_>, notification: &NewNotification<'_>) -> CoreResult<()> {
    let id = notifications::insert(tx, notification)?;
    tx.publish(CoreEvent::NotificationRaised {
        id,
        priority: notification.priority.to_string(),
        title: notification.title.to_string(),
        body: notification.body.to_string(),
    });
    Ok(())
}

/// The notification centre's badge: how many are unread, and the newest.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct NotificationCentre {
    #[ts(type = "number")]
    pub unread: i64,
    pub newest: Vec<Notification>,
}

impl Core {
    /// The centre: the unread count and the newest `limit` notifications.
    pub fn notification_centre(&self, limit: u32) -> CoreResult<NotificationCentre> {
        let unread = self
            .store
            .read(|conn| Ok::<_, CoreError>(notifications::unread_count(conn)?))?;
        Ok(NotificationCentre {
            unread,
            newest: self.notifications(limit)?,
        })
    }

    /// Marks read every notification up to `up_to_id` (the newest the operator has seen);
    /// returns how many.
    pub fn mark_notifications_read(&self, up_to_id: i64) -> CoreResult<usize> {
        self.authorize(access::Operation::MarkNotificationsRead, Target::App)?;
        let now = self.now();
        self.write(|tx| {
            let marked = notifications::mark_read(tx, up_to_id, now)?;
            if marked > 0 {
                tx.publish(CoreEvent::NotificationsRead);
            }
            Ok(marked)
        })
    }

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
