//! Every write of the core goes through [`Core::write`]: one IMMEDIATE transaction on the
//! store's writer, during which the code that changes things says which events it caused;
//! they are published once the transaction commits, and dropped if it does not.

use crate::kernel::events::CoreEvent;
use crate::{Core, CoreError, CoreResult};
use sgen_store::Transaction;
use std::cell::RefCell;
use std::ops::Deref;

/// A write transaction with the events it will publish on commit. It derefs to the
/// transaction, so the store's repositories take it as they are.
pub(crate) struct Tx<'t, 'c> {
    tx: &'t Transaction<'c>,
    events: RefCell<Vec<CoreEvent>>,
}

impl<'c> Deref for Tx<'_, 'c> {
    type Target = Transaction<'c>;
    fn deref(&self) -> &Transaction<'c> {
        self.tx
    }
}

impl Tx<'_, '_> {
    /// `event` is published if, and once, this transaction commits (the same event once,
    /// however often it is published).
    pub(crate) fn publish(&self, event: CoreEvent) {
        // A transaction that moves many runs on announces it once.
        let mut events = self.events.borrow_mut();
        if !events.contains(&event) {
            events.push(event);
        }
    }
}

impl Core {
    pub(crate) fn write<T>(&self, f: impl FnOnce(&Tx<'_, '_>) -> CoreResult<T>) -> CoreResult<T> {
        let mut caused = Vec::new();
        let value = self.store.write(|tx| -> Result<T, CoreError> {
            let tx = Tx {
                tx,
                events: RefCell::new(Vec::new()),
            };
            let value = f(&tx)?;
            caused = tx.events.into_inner();
            Ok(value)
        })?;
        self.events.publish(caused);
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use crate::demo::DemoOptions;
    use crate::kernel::connection_state::{Operation, Transition};
    use crate::kernel::events::CoreEvent;
    use crate::{Access, Core, CoreConfig, CoreError, FixedClock};
    use sgen_store::model::ConnectionState;
    use std::sync::Arc;
    use tokio::sync::broadcast::error::TryRecvError;

    fn demo_core(dir: &std::path::Path) -> Core {
        let core = Core::open(CoreConfig {
            data_dir: dir.into(),
            access: Access::ReadWrite,
            clock: Arc::new(FixedClock::new(1_795_000_000_000)),
            credential_store: Some(keyring_core::mock::Store::new().unwrap()),
        })
        .unwrap();
        let options = DemoOptions {
            delivery_attempts: 50,
            ..DemoOptions::default()
        };
        core.seed_demo(&options, |_, _| {}).unwrap();
        core
    }

    #[test]
    fn a_rolled_back_transition_changes_nothing_and_announces_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let core = demo_core(dir.path());
        let active: String = core
            .store
            .read(|conn| {
                conn.query_row(
                    "SELECT id FROM connections WHERE state = 'active' LIMIT 1",
                    [],
                    |row| row.get(0),
                )
                .map_err(CoreError::from)
            })
            .unwrap();
        let record = core.record(&active).unwrap();
        let mut events = core.subscribe();

        let pause = |tx: &super::Tx<'_, '_>| {
            core.record_operation(
                tx,
                &record,
                Some(Transition {
                    to: ConnectionState::Paused,
                    cause: "paused in a test",
                }),
                Operation {
                    operator_id: None,
                    action: "connection.pause",
                    outcome: "success",
                    details: serde_json::json!({}),
                    at: 1,
                },
            )
        };
        let failed = core.write(|tx| {
            assert!(pause(tx)?);
            Err::<(), _>(CoreError::Internal("the disk is full".into()))
        });
        assert!(failed.is_err());
        assert_eq!(events.try_recv(), Err(TryRecvError::Empty));
        assert_eq!(
            core.record(&record.id).unwrap().state,
            ConnectionState::Active
        );

        core.write(pause).unwrap();
        assert_eq!(
            events.try_recv().unwrap(),
            CoreEvent::ConnectionStateChanged {
                connection_id: record.id.clone(),
                from: ConnectionState::Active,
                to: ConnectionState::Paused,
                cause: "paused in a test".into(),
            }
        );
        assert_eq!(events.try_recv(), Err(TryRecvError::Empty));
        assert_eq!(
            core.record(&record.id).unwrap().state,
            ConnectionState::Paused
        );
    }
}
