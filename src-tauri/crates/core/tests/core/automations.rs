//! Automations end to end on the demo site's sandbox vendors: a signed Stripe event arrives at
//! the listener, starts a run whose condition passes, whose HubSpot step is delivered through
//! the outbox and whose notify step tells the operator; an event the condition refuses leaves a
//! skipped run with its explanation; a draft's run sends nothing; a definition naming what the
//! site does not have is refused with the path; an automation pauses while a connection it
//! needs is unhealthy, keeping its events, and resumes with them in order.

use super::inbound_listener::{connection_to, emit, listening_connected};
use serde_json::{json, Value};
use sgen_core::automations::definition::AutomationStatus;
use sgen_core::automations::posture::HeldRuns;
use sgen_core::delivery::enqueue::OutboundEvent;
use sgen_core::inbound::sandbox_emitter::EmitRequest;
use sgen_core::model::ConnectionState;
use sgen_sandbox::Faults;

fn automation(stripe: &str, hubspot: &str, status: &str) -> String {
    json!({
        "name": "Big payments to HubSpot",
        "trigger": {
            "event": "payment_intent.succeeded",
            "connection": stripe,
            "conditions": "event.data.object.amount > 1000"
        },
        "actions": [
            {"type": "connector_action", "params": {
                "connection": hubspot, "action": "upsert_contact",
                "mapping": {"inputs.0.id": "data.object.receipt_email", "inputs.0.idProperty": "\"email\""}}},
            {"type": "notify", "params": {"message": "A big payment arrived", "priority": "high"}}
        ],
        "status": status
    })
    .to_string()
}

fn with_amount(amount: i64) -> Value {
    json!({
        "id": "evt_$id", "object": "event", "created": "$time", "type": "$type",
        "data": {"object": {"id": "pi_$id", "object": "payment_intent", "amount": amount,
            "currency": "usd", "receipt_email": "ada@example.com"}}
    })
}

fn steps(core: &sgen_core::Core, run_id: &str) -> Vec<Value> {
    core.run(run_id)
        .unwrap()
        .steps
        .into_iter()
        .map(|s| serde_json::to_value(s).unwrap())
        .collect()
}

#[test]
fn an_event_starts_a_run_whose_steps_are_delivered_and_journaled() {
    let l = listening_connected();
    let core = &l.f.core;
    let (stripe, scope) = connection_to(&l.f, "stripe");
    let (hubspot, _) = connection_to(&l.f, "hubspot");
    let saved = core
        .save_automation(&scope, None, &automation(&stripe, &hubspot, "active"))
        .unwrap();
    assert_eq!(saved.status, AutomationStatus::Active);
    assert_eq!(saved.version, 1);

    for amount in [4200, 500] {
        let sent = core
            .sandbox_emit(&EmitRequest {
                payload: Some(with_amount(amount)),
                ..emit(&stripe, "payment_intent.succeeded")
            })
            .unwrap();
        assert_eq!(sent[0].status, 200, "{:?}", sent[0].answer);
    }
    core.run_automations().unwrap();
    let runs = core.runs(&scope, &Default::default()).unwrap().rows;
    assert_eq!(runs.len(), 2, "{runs:?}");
    let (skipped, ran) = (&runs[0], &runs[1]);
    assert_eq!(skipped.status, "skipped");
    let explain = skipped.explain.as_ref().unwrap();
    assert!(
        explain
            .trace
            .iter()
            .any(|t| t.expression == "event.data.object.amount" && t.value == json!(500)),
        "{explain:?}"
    );
    assert_eq!(ran.status, "waiting");

    // The HubSpot step queued a delivery; once it is delivered the run goes on and ends.
    let waiting = steps(core, &ran.id);
    let delivery = waiting[0]["delivery_id"].as_str().unwrap().to_string();
    assert_eq!(waiting[0]["status"], "waiting");
    assert_eq!(
        waiting[0]["input"]["body"],
        json!({"inputs": [{"id": "ada@example.com", "idProperty": "email"}]})
    );
    // Its delivery's end wakes the run: no clock needs to move.
    core.deliver_due(10).unwrap();
    core.run_automations().unwrap();
    let done = core.run(&ran.id).unwrap();
    assert_eq!(done.run.status, "completed", "{done:?}");
    assert_eq!(done.steps[0].status, "completed");
    assert_eq!(
        done.steps[0].delivery_id.as_deref(),
        Some(delivery.as_str())
    );
    assert_eq!(done.steps[1].status, "completed");
    let notifications = core.notifications(10).unwrap();
    assert!(notifications
        .iter()
        .any(|n| n.body == "A big payment arrived" && n.priority == "high"));

    // Another pass does nothing more: no step that recorded success runs again.
    core.run_automations().unwrap();
    assert_eq!(core.notifications(10).unwrap().len(), notifications.len());
}

#[test]
fn a_drafts_run_is_dry_and_sends_nothing() {
    let l = listening_connected();
    let core = &l.f.core;
    let (stripe, scope) = connection_to(&l.f, "stripe");
    let (hubspot, _) = connection_to(&l.f, "hubspot");
    core.save_automation(&scope, None, &automation(&stripe, &hubspot, "draft"))
        .unwrap();
    let before = core.notifications(100).unwrap().len();
    pay(core, &stripe, 9000);
    core.run_automations().unwrap();
    let run = &core.runs(&scope, &Default::default()).unwrap().rows[0];
    assert!(run.dry_run);
    assert_eq!(run.status, "completed");
    let recorded = steps(core, &run.id);
    assert_eq!(recorded[0]["delivery_id"], Value::Null);
    assert_eq!(recorded[0]["input"]["action"], "upsert_contact");
    assert!(recorded[0]["input"]["idempotency_key"].is_string());
    // The exact HTTP request HubSpot would get, its token redacted.
    let http = &recorded[0]["input"]["request"];
    assert_eq!(http["method"], "POST", "{http}");
    assert!(
        http["url"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:"),
        "{http}"
    );
    assert_eq!(http["headers"]["authorization"], "Bearer [redacted]");
    assert_eq!(
        http["headers"]["idempotency-key"],
        recorded[0]["input"]["idempotency_key"]
    );
    let shown = serde_json::to_string(&core.run(&run.id).unwrap()).unwrap();
    assert!(
        !shown.contains("sbx_at_"),
        "a token in the dry run: {shown}"
    );
    assert_eq!(core.notifications(100).unwrap().len(), before);
    let db = rusqlite::Connection::open(core.data_dir().join(sgen_core::DATABASE_FILE)).unwrap();
    let queued: i64 = db
        .query_row(
            "SELECT count(*) FROM deliveries WHERE originating_module = 'automation'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(queued, 0);
}

#[test]
fn a_definition_naming_what_the_site_lacks_is_refused_with_the_path() {
    let l = listening_connected();
    let core = &l.f.core;
    let (stripe, scope) = connection_to(&l.f, "stripe");
    let refused = core
        .save_automation(&scope, None, &automation(&stripe, "con_nope", "active"))
        .unwrap_err()
        .to_string();
    assert!(
        refused.contains("/actions/0/params/connection"),
        "{refused}"
    );
    let (hubspot, _) = connection_to(&l.f, "hubspot");
    let wrong_event = automation(&stripe, &hubspot, "active")
        .replace("payment_intent.succeeded", "contact.creation");
    let refused = core
        .save_automation(&scope, None, &wrong_event)
        .unwrap_err()
        .to_string();
    assert!(refused.contains("/trigger/event"), "{refused}");
    let bad_cel = automation(&stripe, &hubspot, "active").replace("> 1000", "> ");
    let refused = core
        .save_automation(&scope, None, &bad_cel)
        .unwrap_err()
        .to_string();
    assert!(
        refused.contains("/trigger/conditions: line 1, column"),
        "{refused}"
    );

    // A second save of the same automation is its version 2.
    let saved = core
        .save_automation(&scope, None, &automation(&stripe, &hubspot, "draft"))
        .unwrap();
    let again = core
        .save_automation(
            &scope,
            Some(&saved.id),
            &automation(&stripe, &hubspot, "active"),
        )
        .unwrap();
    assert_eq!(again.version, 2);
    let exported = core.export_automation(&saved.id).unwrap();
    assert_eq!(exported["status"], "active");
    assert_eq!(exported["actions"][1]["type"], "notify");
}

#[test]
fn any_automation_is_dry_run_on_demand_against_a_given_event() {
    let l = listening_connected();
    let core = &l.f.core;
    let (stripe, scope) = connection_to(&l.f, "stripe");
    let (hubspot, _) = connection_to(&l.f, "hubspot");
    let saved = core
        .save_automation(&scope, None, &automation(&stripe, &hubspot, "active"))
        .unwrap();
    let sample = json!({"type": "payment_intent.succeeded",
        "data": {"object": {"amount": 7000, "receipt_email": "grace@example.com"}}});
    let run = core.dry_run_automation(&saved.id, &sample, None).unwrap();
    assert!(run.run.dry_run);
    assert_eq!(run.run.status, "completed", "{run:?}");
    let request = run.steps[0].input.as_ref().unwrap();
    assert_eq!(request["body"]["inputs"][0]["id"], "grace@example.com");
    assert_eq!(
        run.steps[1].output.as_ref().unwrap()["message"],
        "A big payment arrived"
    );

    let small = json!({"data": {"object": {"amount": 10}}});
    let skipped = core.dry_run_automation(&saved.id, &small, None).unwrap();
    assert_eq!(skipped.run.status, "skipped");
    assert!(skipped.steps.is_empty());
    // A step that cannot make its request fails the run, saying why.
    let no_email = json!({"data": {"object": {"amount": 7000}}});
    let failed = core.dry_run_automation(&saved.id, &no_email, None).unwrap();
    assert_eq!(failed.run.status, "failed");
    assert!(failed.run.error.unwrap().contains("receipt_email"));
}

/// The Stripe and HubSpot connections, and an active automation from one to the other.
struct Posture {
    stripe: String,
    hubspot: String,
    scope: sgen_core::kernel::sites::SiteEnvironment,
    id: String,
}

fn posture_setup(l: &super::inbound_listener::Listening) -> Posture {
    let (stripe, scope) = connection_to(&l.f, "stripe");
    let (hubspot, _) = connection_to(&l.f, "hubspot");
    let id =
        l.f.core
            .save_automation(&scope, None, &automation(&stripe, &hubspot, "active"))
            .unwrap()
            .id;
    Posture {
        stripe,
        hubspot,
        scope,
        id,
    }
}

/// A payment of `amount` from the Stripe sandbox, to the listener.
fn pay(core: &sgen_core::Core, stripe: &str, amount: i64) {
    core.sandbox_emit(&EmitRequest {
        payload: Some(with_amount(amount)),
        ..emit(stripe, "payment_intent.succeeded")
    })
    .unwrap();
}

#[test]
fn an_automation_pauses_while_a_connection_it_needs_is_unhealthy_and_resumes_in_order() {
    let l = listening_connected();
    let core = &l.f.core;
    let Posture {
        stripe,
        hubspot,
        scope,
        id,
    } = posture_setup(&l);

    // HubSpot breaks: deliveries to it fail until it is marked unhealthy.
    core.set_sandbox_faults(
        &hubspot,
        Faults {
            status: Some(503),
            ..Default::default()
        },
    )
    .unwrap();
    for n in 0..10 {
        core.send_event_now(
            &hubspot,
            "upsert_contact",
            OutboundEvent {
                originating_module: "crm".into(),
                event_identifier: format!("contact {n}"),
                payload: json!({"inputs": [{"id": "x@example.com", "idProperty": "email"}]}),
            },
        )
        .unwrap();
    }
    let state = |id: &str| core.connection(id).unwrap().row.record.state;
    assert_eq!(state(&hubspot), ConnectionState::Error);
    core.run_automations().unwrap();
    let paused = core.automation(&id).unwrap().summary;
    assert_eq!(paused.status, AutomationStatus::Paused);
    assert!(
        paused
            .status_reason
            .as_deref()
            .unwrap()
            .contains("unhealthy"),
        "{paused:?}"
    );
    let alerts = core.notifications(50).unwrap();
    assert!(alerts
        .iter()
        .any(|n| n.title.starts_with("Automation paused") && n.priority == "high"));

    // Its events are kept, not run.
    for amount in [2000, 3000, 4000] {
        pay(core, &stripe, amount);
    }
    core.run_automations().unwrap();
    let held = core.runs(&scope, &Default::default()).unwrap().rows;
    assert_eq!(held.len(), 3);
    assert!(held
        .iter()
        .all(|r| r.status == "waiting" && r.held_for.as_deref() == Some(hubspot.as_str())));
    assert_eq!(core.automation(&id).unwrap().summary.held_runs, 3);

    // HubSpot heals: the automation resumes and the kept events run, in the order they came.
    core.set_sandbox_faults(&hubspot, Faults::default())
        .unwrap();
    core.test_connection(&hubspot).unwrap();
    assert_eq!(state(&hubspot), ConnectionState::Active);
    core.run_automations().unwrap();
    let resumed = core.automation(&id).unwrap().summary;
    assert_eq!(resumed.status, AutomationStatus::Active);
    assert_eq!(resumed.held_runs, 0);
    let mut runs = core.runs(&scope, &Default::default()).unwrap().rows;
    runs.reverse();
    let deliveries: Vec<String> = runs
        .iter()
        .map(|r| {
            core.run(&r.id).unwrap().steps[0]
                .delivery_id
                .clone()
                .unwrap()
        })
        .collect();
    // Delivery ids sort in the order the runs queued them (the outbox's order).
    let mut sorted = deliveries.clone();
    sorted.sort();
    assert_eq!(sorted, deliveries);
    core.deliver_due(10).unwrap();
    core.run_automations().unwrap();
    for run in &runs {
        assert_eq!(core.run(&run.id).unwrap().run.status, "completed");
    }
    assert!(core
        .notifications(50)
        .unwrap()
        .iter()
        .any(|n| n.title.starts_with("Automation resumed")));
}

#[test]
fn held_runs_are_drained_or_discarded_by_the_operator() {
    let l = listening_connected();
    let core = &l.f.core;
    let Posture {
        stripe,
        hubspot,
        scope,
        id,
    } = posture_setup(&l);
    // HubSpot revokes the grant: the test call finds it, and the connection is in trouble.
    core.set_sandbox_faults(
        &hubspot,
        Faults {
            revoked: true,
            ..Default::default()
        },
    )
    .unwrap();
    core.test_connection(&hubspot).unwrap();
    core.run_automations().unwrap();
    assert_eq!(
        core.automation(&id).unwrap().summary.status,
        AutomationStatus::Paused
    );
    for amount in [2000, 3000] {
        pay(core, &stripe, amount);
    }
    core.run_automations().unwrap();
    assert_eq!(core.automation(&id).unwrap().summary.held_runs, 2);
    assert_eq!(core.handle_held_runs(&id, HeldRuns::Discard).unwrap(), 2);
    let runs = core.runs(&scope, &Default::default()).unwrap().rows;
    assert!(runs.iter().all(|r| r.status == "cancelled"), "{runs:?}");

    pay(core, &stripe, 5000);
    core.run_automations().unwrap();
    assert_eq!(core.handle_held_runs(&id, HeldRuns::Drain).unwrap(), 1);
    core.run_automations().unwrap();
    let drained = &core.runs(&scope, &Default::default()).unwrap().rows[0];
    assert_eq!(drained.status, "waiting");
    assert_eq!(drained.held_for, None);
    // Still paused: new events are kept until HubSpot recovers.
    assert_eq!(
        core.automation(&id).unwrap().summary.status,
        AutomationStatus::Paused
    );
}
