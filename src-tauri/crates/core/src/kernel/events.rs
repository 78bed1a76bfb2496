//! The core's event bus: what changed, published after the transaction that changed it
//! commits (never for one that rolled back). The desktop shell forwards these to the window,
//! which refreshes what it shows; the coming automations listen to the same events.

use crate::kernel::supervisor::TaskStatus;
use serde::Serialize;
use sgen_store::model::{ConnectionState, DeliveryStatus};
use tokio::sync::broadcast;
use ts_rs::TS;

/// How many events a slow listener may fall behind before it is told it lagged (and should
/// refresh everything it shows rather than apply changes one by one).
const BUS_CAPACITY: usize = 4_096;

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "kind")]
#[ts(export)]
pub enum CoreEvent {
    /// A connection moved from one state to another, and why.
    #[serde(rename = "connection.state_changed")]
    ConnectionStateChanged {
        connection_id: String,
        from: ConnectionState,
        to: ConnectionState,
        cause: String,
    },
    /// A connection was made, removed, or changed in what it holds (grant, field mapping,
    /// signing secret, last test) without changing state.
    #[serde(rename = "connection.changed")]
    ConnectionChanged { connection_id: String },
    /// An event was queued for delivery.
    #[serde(rename = "delivery.queued")]
    DeliveryQueued {
        delivery_id: String,
        connection_id: String,
    },
    /// Stopped or waiting deliveries were made due again by an operator's retry.
    #[serde(rename = "delivery.requeued")]
    DeliveriesRequeued { count: u32 },
    /// An attempt of a delivery was recorded; `status` is where the delivery now stands.
    #[serde(rename = "delivery.recorded")]
    DeliveryRecorded {
        delivery_id: String,
        connection_id: String,
        status: DeliveryStatus,
    },
    /// A delivery ran out of attempts (or its destination is gone) and waits in triage.
    #[serde(rename = "delivery.dead_lettered")]
    DeliveryDeadLettered {
        delivery_id: String,
        connection_id: String,
    },
    /// Events from vendors were recorded (new, or duplicates counted) and requests refused,
    /// in one commit: one announcement per commit, however many it held.
    #[serde(rename = "inbound.recorded")]
    InboundRecorded {
        events: u32,
        duplicates: u32,
        refused: u32,
    },
    /// A background task started, failed and is waiting to restart, or stopped.
    #[serde(rename = "background.changed")]
    BackgroundChanged { status: TaskStatus },
    /// An operator changed a setting (`outbound_allow_list`, `retry_schedule`, …).
    #[serde(rename = "settings.changed")]
    SettingsChanged { setting: String },
    /// An automation was saved or its status changed.
    #[serde(rename = "automations.changed")]
    AutomationsChanged,
    /// Runs started or moved on (one announcement per commit).
    #[serde(rename = "runs.changed")]
    RunsChanged,
    /// A human task was created, completed, expired or cancelled.
    #[serde(rename = "tasks.changed")]
    TasksChanged,
    /// The app told the operator something (the notification centre); a high-priority one
    /// also reaches the OS.
    #[serde(rename = "notification.raised")]
    NotificationRaised {
        #[ts(type = "number")]
        id: i64,
        priority: String,
        title: String,
        body: String,
    },
    /// Notifications were marked read.
    #[serde(rename = "notifications.read")]
    NotificationsRead,
    /// An export of the activity log got this far (announced every 10,000 rows and at the
    /// end), so the window can show its progress.
    #[serde(rename = "activity.export_progress")]
    ActivityExportProgress {
        #[ts(type = "number")]
        written: u64,
        #[ts(type = "number")]
        total: u64,
    },
    /// A support bundle's export got this far (every 5,000 rows and at the end).
    #[serde(rename = "bundle.export_progress")]
    BundleExportProgress {
        #[ts(type = "number")]
        rows: u64,
        #[ts(type = "number")]
        total: u64,
    },
    /// Opening a support bundle got this far: its bytes checked (after each entry), then its
    /// rows read (every 2,000 rows).
    #[serde(rename = "bundle.import_progress")]
    BundleImportProgress {
        step: crate::support::bundle_import::ImportStep,
        #[ts(type = "number")]
        done: u64,
        #[ts(type = "number")]
        total: u64,
    },
    /// Who is acting changed, or what their role or a family gate allows.
    #[serde(rename = "session.changed")]
    SessionChanged,
}

/// Many publishers, many listeners; a listener that falls behind loses the oldest events and
/// learns so from `RecvError::Lagged`.
pub struct EventBus {
    sender: broadcast::Sender<CoreEvent>,
}

impl Default for EventBus {
    fn default() -> Self {
        Self {
            sender: broadcast::channel(BUS_CAPACITY).0,
        }
    }
}

impl EventBus {
    pub fn subscribe(&self) -> broadcast::Receiver<CoreEvent> {
        self.sender.subscribe()
    }

    pub(crate) fn publish(&self, events: Vec<CoreEvent>) {
        if self.sender.receiver_count() == 0 {
            return;
        }
        for event in events {
            // An error only means nobody is listening any more.
            let _ = self.sender.send(event);
        }
    }
}
