//! The engine on a compressed clock (issue 14): human tasks across a restart, their schema and
//! their expiry; waiting for another event (one stored shortly before the wait began counts)
//! and its timeout; durable delays; schedules; manual runs; retries from the failed step or the
//! start with either version, one at a time and in bulk; cancelling. Events arrive as the
//! listener takes them: signed, verified, recorded.

use serde_json::{json, Value};
use sgen_core::automations::run_control::{RetryOptions, RetryVersion};
use sgen_core::automations::runs::RunQuery;
use sgen_core::demo::DemoOptions;
use sgen_core::inbound::signing::sign_as_stripe;
use sgen_core::kernel::sites::SiteEnvironment;
use sgen_core::{Access, Clock, Core, CoreConfig, FixedClock, Secret};
use std::sync::Arc;

const SECRET: &str = "whsec_engine_test";

struct Engine {
    dir: tempfile::TempDir,
    keys: Arc<keyring_core::CredentialStore>,
    clock: Arc<FixedClock>,
    core: Option<Core>,
    scope: SiteEnvironment,
    stripe: String,
}

impl Engine {
    fn new() -> Engine {
        let dir = tempfile::tempdir().unwrap();
        let keys: Arc<keyring_core::CredentialStore> = keyring_core::mock::Store::new().unwrap();
        let clock = Arc::new(FixedClock::new(super::NOW));
        let core = open(dir.path(), &keys, &clock);
        let (scope, stripe) = demo_receiving_stripe(&core, 0, SECRET);
        Engine {
            dir,
            keys,
            clock,
            core: Some(core),
            scope,
            stripe,
        }
    }

    fn core(&self) -> &Core {
        self.core.as_ref().unwrap()
    }

    /// The app closes and opens again on the same data directory.
    fn restart(&mut self) {
        self.core = None;
        self.core = Some(open(self.dir.path(), &self.keys, &self.clock));
    }

    fn save(&self, automation: Value) -> String {
        self.core()
            .save_automation(&self.scope, None, &automation.to_string())
            .unwrap()
            .id
    }

    /// A Stripe event arrives through verification, as the listener takes it.
    fn receive(&self, id: &str, event_type: &str, object: Value) {
        let body = json!({"id": id, "object": "event", "type": event_type,
            "data": {"object": object}})
        .to_string();
        let path = format!("/in/{}", self.stripe);
        let now_s = self.clock.now_ms() / 1000;
        let signed = sign_as_stripe(&path, body.into_bytes(), now_s, &Secret::new(SECRET));
        let admission = self.core().admit(&self.stripe, &signed.request()).unwrap();
        assert!(
            admission.rejection().is_none(),
            "{:?}",
            admission.rejection()
        );
        self.core().record_admissions(&[admission]).unwrap();
    }

    fn runs_of(&self, automation: &str) -> Vec<sgen_core::automations::runs::RunRow> {
        self.core()
            .runs(
                &self.scope,
                &RunQuery {
                    automation_id: Some(automation.into()),
                    ..Default::default()
                },
            )
            .unwrap()
            .rows
    }

    /// Starts a manual automation with an empty input; returns its run.
    fn run_now(&self, automation: &str) -> String {
        self.core()
            .run_automation_now(automation, &json!({}))
            .unwrap()
            .run
            .id
    }

    fn notified(&self, title_starts: &str) -> usize {
        self.core()
            .notifications(500)
            .unwrap()
            .iter()
            .filter(|n| n.title.starts_with(title_starts))
            .count()
    }
}

/// The demo site with working sandbox credentials (`attempts` in its delivery log), its Stripe
/// connection taking events signed with `secret`: returns the live scope and that connection.
pub(super) fn demo_receiving_stripe(
    core: &Core,
    attempts: u64,
    secret: &str,
) -> (SiteEnvironment, String) {
    let summary = core
        .seed_demo(
            &DemoOptions {
                delivery_attempts: attempts,
                sandbox_credentials: true,
                ..Default::default()
            },
            |_, _| {},
        )
        .unwrap();
    let scope = super::live(&summary);
    let stripe = core
        .connections(&scope, &Default::default())
        .unwrap()
        .rows
        .into_iter()
        .find(|r| r.record.connector_type == "stripe")
        .unwrap()
        .record
        .id;
    core.set_event_secret(&stripe, Secret::new(secret), false)
        .unwrap();
    (scope, stripe)
}

fn open(
    path: &std::path::Path,
    keys: &Arc<keyring_core::CredentialStore>,
    clock: &Arc<FixedClock>,
) -> Core {
    Core::open(CoreConfig {
        data_dir: path.into(),
        access: Access::ReadWrite,
        clock: clock.clone(),
        credential_store: Some(keys.clone()),
    })
    .unwrap()
}

/// What a run's step recorded as its output.
fn output(run: &sgen_core::automations::runs::RunDetail, step: usize) -> &Value {
    run.steps[step].output.as_ref().unwrap()
}

fn approval(on_timeout: &str) -> Value {
    json!({
        "name": "Approve big refunds",
        "trigger": {"event": "manual"},
        "actions": [
            {"type": "task", "params": {
                "title": "Approve the refund",
                "instructions": "Check the order first.",
                "output_schema": {"type": "object", "required": ["approved"],
                    "properties": {"approved": {"type": "boolean"}, "notes": {"type": "string"}}},
                "timeout_seconds": 3600,
                "on_timeout": on_timeout}},
            {"type": "notify", "params": {"message": "The refund was decided"}}
        ],
        "status": "active"
    })
}

#[test]
fn a_task_outlives_a_restart_checks_its_output_and_lets_the_run_go_on() {
    let mut e = Engine::new();
    let id = e.save(approval("fail"));
    let started = e
        .core()
        .run_automation_now(&id, &json!({"refund": 25000}))
        .unwrap();
    assert_eq!(started.run.status, "waiting");
    assert_eq!(started.tasks.len(), 1);
    assert_eq!(e.notified("Task waiting"), 1);

    e.restart();
    let inbox = e.core().tasks(&e.scope, Some("pending")).unwrap();
    assert_eq!(inbox.len(), 1);
    let task = &inbox[0];
    assert_eq!(task.title, "Approve the refund");
    assert_eq!(task.automation_name, "Approve big refunds");

    // Output that does not meet the schema is refused, naming what is wrong; nothing changes.
    let refused = e
        .core()
        .complete_task(&task.id, &json!({"approved": "yes"}))
        .unwrap_err()
        .to_string();
    assert!(refused.contains("/approved"), "{refused}");
    assert_eq!(e.core().task(&task.id).unwrap().status, "pending");

    let done = e
        .core()
        .complete_task(&task.id, &json!({"approved": true, "notes": "fine"}))
        .unwrap();
    assert_eq!(done.status, "completed");
    assert!(done.completed_by.is_some());
    assert!(e
        .core()
        .complete_task(&task.id, &json!({"approved": false}))
        .is_err());
    e.core().run_automations().unwrap();
    let run = e.core().run(&started.run.id).unwrap();
    assert_eq!(run.run.status, "completed", "{run:?}");
    assert_eq!(output(&run, 0)["output"]["approved"], true);
    assert!(e
        .core()
        .tasks(&e.scope, Some("pending"))
        .unwrap()
        .is_empty());
}

#[test]
fn an_expired_task_fails_its_run_or_lets_it_go_on_as_the_step_says_and_alerts() {
    let e = Engine::new();
    let failing = e.save(approval("fail"));
    let going_on = e.save(approval("continue"));
    let failed_run = e.run_now(&failing);
    let continued_run = e.run_now(&going_on);
    e.clock.advance(3_599_000);
    e.core().run_automations().unwrap();
    assert_eq!(e.core().run(&failed_run).unwrap().run.status, "waiting");
    e.clock.advance(2_000);
    e.core().run_automations().unwrap();
    let failed = e.core().run(&failed_run).unwrap();
    assert_eq!(failed.run.status, "failed");
    assert!(failed.run.error.unwrap().contains("expired"));
    assert_eq!(
        e.core().run(&continued_run).unwrap().run.status,
        "completed"
    );
    assert_eq!(e.core().tasks(&e.scope, Some("expired")).unwrap().len(), 2);
    assert_eq!(e.notified("Task expired"), 2);
    assert_eq!(e.notified("Automation failed"), 1);
}

#[test]
fn a_wait_takes_a_matching_event_even_one_stored_just_before_and_times_out_otherwise() {
    let e = Engine::new();
    let waiting = |timeout: i64, on_timeout: &str| {
        json!({
            "name": format!("Wait {on_timeout}"),
            "trigger": {"event": "manual"},
            "actions": [
                {"type": "wait_for_event", "params": {
                    "event": "charge.refunded", "connection": e.stripe,
                    "conditions": "event.data.object.amount >= 100",
                    "timeout_seconds": timeout, "lookback_seconds": 60,
                    "on_timeout": on_timeout}},
                {"type": "notify", "params": {"message": "waited"}}
            ],
            "status": "active"
        })
    };
    // Stored 30 s before the wait begins: it counts. One that does not pass does not.
    e.receive("evt_early_small", "charge.refunded", json!({"amount": 5}));
    e.receive("evt_early", "charge.refunded", json!({"amount": 500}));
    e.clock.advance(30_000);
    let early = e.save(waiting(60, "fail"));
    let run = e.core().run_automation_now(&early, &json!({})).unwrap();
    assert_eq!(run.run.status, "completed", "{run:?}");
    assert_eq!(output(&run, 0)["event"]["id"], "evt_early");

    // Stored more than the lookback before: it does not count; a later one does.
    e.clock.advance(120_000);
    let later = e.run_now(&early);
    e.core().run_automations().unwrap();
    assert_eq!(e.core().run(&later).unwrap().run.status, "waiting");
    e.clock.advance(5_000);
    e.receive("evt_later", "charge.refunded", json!({"amount": 700}));
    e.clock.advance(1_000);
    e.core().run_automations().unwrap();
    let done = e.core().run(&later).unwrap();
    assert_eq!(done.run.status, "completed");
    assert_eq!(output(&done, 0)["event"]["id"], "evt_later");

    // Nothing comes: the run fails, or goes on saying it timed out.
    e.clock.advance(600_000);
    let fails = e.run_now(&early);
    let goes_on_id = e.save(waiting(60, "continue"));
    let goes_on = e.run_now(&goes_on_id);
    e.clock.advance(61_000);
    e.core().run_automations().unwrap();
    let failed = e.core().run(&fails).unwrap();
    assert_eq!(failed.run.status, "failed");
    assert!(failed.run.error.unwrap().contains("charge.refunded"));
    let continued = e.core().run(&goes_on).unwrap();
    assert_eq!(continued.run.status, "completed");
    assert_eq!(output(&continued, 0)["timed_out"], true);
}

#[test]
fn a_delay_survives_a_restart_and_a_schedule_fires_on_its_pattern() {
    let mut e = Engine::new();
    let delayed = e.save(json!({
        "name": "Later",
        "trigger": {"event": "manual"},
        "actions": [{"type": "delay", "params": {"seconds": 600}},
            {"type": "notify", "params": {"message": "later"}}],
        "status": "active"
    }));
    let run = e.run_now(&delayed);
    e.clock.advance(300_000);
    e.restart();
    e.core().run_automations().unwrap();
    assert_eq!(e.core().run(&run).unwrap().run.status, "waiting");
    e.clock.advance(300_000);
    e.core().run_automations().unwrap();
    assert_eq!(e.core().run(&run).unwrap().run.status, "completed");

    // Every 15 minutes: it fires at each quarter hour, once however late the engine looks.
    let scheduled = e.save(json!({
        "name": "Quarterly digest",
        "trigger": {"event": "schedule", "schedule": "*/15 * * * *"},
        "actions": [{"type": "notify", "params": {"message": "digest"}}],
        "status": "active"
    }));
    let next = e
        .core()
        .automation(&scheduled)
        .unwrap()
        .summary
        .next_fire_at
        .unwrap();
    assert!(next > super::NOW && (next / 1000) % 900 == 0, "{next}");
    e.core().run_automations().unwrap();
    assert!(e.runs_of(&scheduled).is_empty());
    e.clock.advance(next - e.clock.now_ms() + 3 * 900_000);
    e.core().run_automations().unwrap();
    let runs = e.runs_of(&scheduled);
    assert_eq!(runs.len(), 1, "one firing for the missed ones");
    assert_eq!(runs[0].status, "completed");
    let after = e
        .core()
        .automation(&scheduled)
        .unwrap()
        .summary
        .next_fire_at
        .unwrap();
    assert!(after > e.clock.now_ms());

    // A bad pattern is refused at save, naming it.
    let refused = e
        .core()
        .save_automation(
            &e.scope,
            None,
            &json!({"name": "Bad", "trigger": {"event": "schedule", "schedule": "every day at 9"},
                "actions": [{"type": "notify", "params": {"message": "x"}}]})
            .to_string(),
        )
        .unwrap_err()
        .to_string();
    assert!(refused.contains("/trigger/schedule"), "{refused}");
}

#[test]
fn a_failed_run_is_retried_from_its_failed_step_or_the_start_with_either_version() {
    let e = Engine::new();
    let hubspot = e
        .core()
        .connections(&e.scope, &Default::default())
        .unwrap()
        .rows
        .into_iter()
        .find(|r| r.record.connector_type == "hubspot")
        .unwrap()
        .record
        .id;
    let version = |second: Value| {
        json!({
            "name": "Fragile",
            "trigger": {"event": "manual"},
            "actions": [{"type": "notify", "params": {"message": "first step"}}, second],
            "status": "active"
        })
    };
    let firsts = || {
        e.core()
            .notifications(500)
            .unwrap()
            .iter()
            .filter(|n| n.body == "first step")
            .count()
    };
    // Version 1's second step maps a field the input lacks: it fails.
    let broken = version(
        json!({"type": "connector_action", "params": {"connection": hubspot,
        "action": "upsert_contact", "mapping": {"inputs.0.id": "data.object.missing"}}}),
    );
    let id = e.save(broken);
    let mut failed = Vec::new();
    for _ in 0..3 {
        let run = e
            .core()
            .run_automation_now(&id, &json!({"data": {}}))
            .unwrap();
        assert_eq!(run.run.status, "failed");
        assert_eq!(run.run.next_step, 1);
        failed.push(run.run.id);
    }

    // Version 2 fixes it; the preview shows both.
    e.core()
        .save_automation(
            &e.scope,
            Some(&id),
            &version(json!({"type": "notify", "params": {"message": "fixed"}})).to_string(),
        )
        .unwrap();
    let preview = e.core().retry_preview(&failed[0]).unwrap();
    assert_eq!(
        (
            preview.failed_version,
            preview.current_version,
            preview.failed_step
        ),
        (1, 2, 1)
    );
    assert_ne!(preview.failed_definition, preview.current_definition);

    let before = firsts();
    assert_eq!(before, 3);
    // From the failed step with the current version: step 0 is reused, not done again.
    let retried = e
        .core()
        .retry_run(
            &failed[0],
            RetryOptions {
                from_start: false,
                version: RetryVersion::Current,
            },
        )
        .unwrap();
    e.core().run_automations().unwrap();
    let run = e.core().run(&retried).unwrap();
    assert_eq!(run.run.status, "completed", "{run:?}");
    assert_eq!(run.run.retry_of.as_deref(), Some(failed[0].as_str()));
    assert_eq!(run.run.version, 2);
    assert_eq!(firsts(), before);
    assert_eq!(
        e.core().run(&failed[0]).unwrap().retries,
        vec![retried.clone()]
    );

    // With the version that failed, it fails again the same way.
    let again = e
        .core()
        .retry_run(&failed[1], RetryOptions::default())
        .unwrap();
    e.core().run_automations().unwrap();
    assert_eq!(e.core().run(&again).unwrap().run.status, "failed");

    // From the start: every step runs again.
    let from_start = e
        .core()
        .retry_run(
            &failed[2],
            RetryOptions {
                from_start: true,
                version: RetryVersion::Current,
            },
        )
        .unwrap();
    e.core().run_automations().unwrap();
    assert_eq!(e.core().run(&from_start).unwrap().run.status, "completed");
    assert_eq!(firsts(), before + 1);

    // Bulk: every failed run of the automation, with the current version.
    let remaining = e
        .core()
        .runs(
            &e.scope,
            &RunQuery {
                automation_id: Some(id.clone()),
                status: Some("failed".into()),
                ..Default::default()
            },
        )
        .unwrap()
        .rows
        .len();
    let bulk = e
        .core()
        .retry_runs(
            &e.scope,
            &RunQuery {
                automation_id: Some(id.clone()),
                ..Default::default()
            },
            RetryOptions {
                from_start: false,
                version: RetryVersion::Current,
            },
        )
        .unwrap();
    assert_eq!(bulk.len(), remaining);
    e.core().run_automations().unwrap();
    for id in &bulk {
        assert_eq!(e.core().run(id).unwrap().run.status, "completed");
    }
    // A run that completed is not retried.
    assert!(e
        .core()
        .retry_run(&retried, RetryOptions::default())
        .is_err());
}

#[test]
fn a_waiting_run_is_cancelled_with_its_task() {
    let e = Engine::new();
    let id = e.save(approval("fail"));
    let run = e.run_now(&id);
    e.core().cancel_run(&run).unwrap();
    assert_eq!(e.core().run(&run).unwrap().run.status, "cancelled");
    assert_eq!(
        e.core().tasks(&e.scope, Some("cancelled")).unwrap().len(),
        1
    );
    assert!(e.core().cancel_run(&run).is_err());
    // A manual automation is not started by an event, nor a paused one by hand.
    e.core()
        .set_automation_status(
            &id,
            sgen_core::automations::definition::AutomationStatus::Paused,
        )
        .unwrap();
    assert!(e.core().run_automation_now(&id, &json!({})).is_err());
}
