//! kill -9 while the engine runs automations (issue 14): at each fail point — just after
//! events started their runs, before a step's work, just after a pass's steps were committed, and between
//! a delivery's answer and its commit — a process running the engine is killed; the next one
//! goes on. In the end every acknowledged event has exactly one run, every run completed, each
//! notify step notified once and each delivery step queued one delivery, delivered. Kills:
//! `SGEN_AUTOMATION_KILLS` (20 in a test run). Site keys are in the real Secret Service (both
//! processes reach them): run inside scripts/with-keyring.sh.

use super::kill_child::{run_and_kill, stop_dead};
use sgen_core::inbound::signing::sign_as_stripe;
use sgen_core::{Access, Core, CoreConfig, Secret};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const CHILD_DATA_DIR: &str = "SGEN_AUTOMATION_KILL_DATA_DIR";
const CHILD_STOPS_AT: &str = "SGEN_AUTOMATION_KILL_STOPS_AT";
/// The how-many-th time the fail point is reached that the child stops at.
const CHILD_STOPS_ON: &str = "SGEN_AUTOMATION_KILL_STOPS_ON";
const SECRET: &str = "whsec_automation_kill_test";
const FAIL_POINTS: [&str; 4] = [
    "automations.runs_started",
    "automations.step_begun",
    "automations.step_recorded",
    "delivery.after_answer",
];

fn kills() -> usize {
    std::env::var("SGEN_AUTOMATION_KILLS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(20)
}

fn open(dir: &std::path::Path) -> Core {
    Core::open(CoreConfig::new(dir, Access::ReadWrite)).unwrap()
}

/// Runs the engine and the delivery worker until it is killed at its fail point.
#[test]
#[ignore = "started by the automation kill test"]
fn process_for_the_automation_kill_test() {
    let (Ok(dir), Ok(stop_at), Ok(stop_on)) = (
        std::env::var(CHILD_DATA_DIR),
        std::env::var(CHILD_STOPS_AT),
        std::env::var(CHILD_STOPS_ON),
    ) else {
        return;
    };
    let stop_on: usize = stop_on.parse().unwrap();
    let core = open(std::path::Path::new(&dir));
    static HITS: AtomicUsize = AtomicUsize::new(0);
    fail::cfg_callback(stop_at.clone(), move || {
        if HITS.fetch_add(1, Ordering::SeqCst) + 1 == stop_on {
            stop_dead();
        }
    })
    .unwrap();
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(30) {
        core.run_automations().unwrap();
        core.deliver_due(10).unwrap();
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("the fail point {stop_at} was not reached {stop_on} times in 30 s");
}

/// Events received as the listener receives them: signed, verified, recorded.
fn receive(core: &Core, stripe: &str, ids: &[String]) {
    for id in ids {
        let body = format!(
            r#"{{"id":"{id}","object":"event","type":"payment_intent.succeeded","data":{{"object":{{"amount":4200,"receipt_email":"kill@example.com"}}}}}}"#
        );
        let path = format!("/in/{stripe}");
        let now_s = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        let signed = sign_as_stripe(&path, body.into_bytes(), now_s, &Secret::new(SECRET));
        let admission = core.admit(stripe, &signed.request()).unwrap();
        assert!(
            admission.rejection().is_none(),
            "{:?}",
            admission.rejection()
        );
        core.record_admissions(&[admission]).unwrap();
    }
}

/// Which time the fail point is reached that the child stops at: a round's events start their
/// runs in one pass (once), and their deliveries are attempted in one batch (once); its runs'
/// steps are committed together, once as they queue their deliveries and once as they finish;
/// steps begin several to a round.
fn stops_on(fail_point: &str, round: usize) -> usize {
    match fail_point {
        "automations.runs_started" | "delivery.after_answer" => 1,
        "automations.step_recorded" => 1 + (round / FAIL_POINTS.len()) % 2,
        _ => 1 + (round / FAIL_POINTS.len()) % 3,
    }
}

fn count(db: &rusqlite::Connection, sql: &str) -> i64 {
    db.query_row(sql, [], |row| row.get(0)).unwrap()
}

#[test]
#[ignore = "needs the Secret Service: run inside scripts/with-keyring.sh"]
fn no_run_is_lost_or_repeated_when_the_engine_is_killed() {
    let dir = tempfile::tempdir().unwrap();
    let stripe = {
        let core = open(dir.path());
        let (scope, stripe) = super::automation_engine::demo_receiving_stripe(&core, 100, SECRET);
        let automation = serde_json::json!({
            "name": "Kill test",
            "trigger": {"event": "payment_intent.succeeded", "connection": stripe},
            "actions": [
                {"type": "notify", "params": {"message": "first"}},
                {"type": "connector_action", "params": {"connection": stripe, "action": "create_customer",
                    "mapping": {"email": "data.object.receipt_email"}}},
                {"type": "notify", "params": {"message": "second"}}
            ],
            "status": "active"
        });
        core.save_automation(&scope, None, &automation.to_string())
            .unwrap();
        stripe
    };

    let mut received = 0;
    for round in 0..kills() {
        {
            let core = open(dir.path());
            let ids: Vec<String> = (0..3).map(|n| format!("evt_kill_{round}_{n}")).collect();
            receive(&core, &stripe, &ids);
            received += ids.len() as i64;
        }
        let fail_point = FAIL_POINTS[round % FAIL_POINTS.len()];
        let dir_text = dir.path().display().to_string();
        let stops_on = stops_on(fail_point, round).to_string();
        let reached = run_and_kill(
            "automation_kills::process_for_the_automation_kill_test",
            &[
                (CHILD_DATA_DIR, &dir_text),
                (CHILD_STOPS_AT, fail_point),
                (CHILD_STOPS_ON, &stops_on),
            ],
        );
        assert!(reached, "round {round}: the child stopped early");
    }

    // The last process runs everything to its end.
    let core = open(dir.path());
    let db = rusqlite::Connection::open(dir.path().join(sgen_core::DATABASE_FILE)).unwrap();
    let started = Instant::now();
    loop {
        core.run_automations().unwrap();
        core.deliver_due(50).unwrap();
        let open_runs = count(
            &db,
            "SELECT count(*) FROM automation_runs WHERE status NOT IN ('completed', 'failed')",
        );
        if open_runs == 0 && count(&db, "SELECT count(*) FROM automation_runs") == received {
            break;
        }
        if started.elapsed() > Duration::from_secs(60) {
            let stuck: Vec<String> = db
                .prepare(
                    "SELECT r.status, r.next_step, s.status, d.status, o.due_at - strftime('%s','now')*1000, o.attempts_made
                     FROM automation_runs r
                     LEFT JOIN automation_steps s ON s.run_id = r.id AND s.step = r.next_step
                     LEFT JOIN deliveries d ON d.id = s.delivery_id
                     LEFT JOIN outbox o ON o.delivery_id = d.id
                     WHERE r.status NOT IN ('completed', 'failed') LIMIT 10",
                )
                .unwrap()
                .query_map([], |row| {
                    Ok(format!(
                        "{:?}",
                        (
                            row.get::<_, String>(0)?,
                            row.get::<_, i64>(1)?,
                            row.get::<_, Option<String>>(2)?,
                            row.get::<_, Option<String>>(3)?,
                            row.get::<_, Option<i64>>(4)?,
                            row.get::<_, Option<i64>>(5)?
                        )
                    ))
                })
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            panic!("{open_runs} runs never finished: {stuck:#?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let integrity: String = db
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    assert_eq!(
        count(&db, "SELECT count(DISTINCT event_id) FROM automation_runs"),
        received,
        "every event, one run"
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM automation_runs WHERE status = 'completed'"
        ),
        received,
        "every run completed"
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM notifications WHERE subject LIKE 'run:%'"
        ),
        2 * received,
        "each notify step notified once"
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM deliveries WHERE originating_module = 'automation' AND status = 'delivered'"
        ),
        received,
        "each delivery step queued one delivery, delivered"
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM deliveries WHERE originating_module = 'automation'"
        ),
        received
    );
}
