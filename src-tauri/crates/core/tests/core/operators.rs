//! Operator profiles and the activity log (issue 15): the OS user's own Administrator profile,
//! passphrases kept as Argon2id hashes, five wrong tries locking a profile for a minute, the
//! last Administrator kept, and the activity log's query, detail, CSV export and retention.

use super::NOW;
use sgen_core::access::operators::OperatorDraft;
use sgen_core::access::session::os_user;
use sgen_core::activity_log::{ActivityFilters, ActivityQuery};
use sgen_core::demo::DemoOptions;
use sgen_core::{Access, Core, CoreConfig, FixedClock, Secret};
use std::sync::Arc;

fn demo() -> (tempfile::TempDir, Core, Arc<FixedClock>, String) {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(NOW));
    let core = Core::open(CoreConfig {
        data_dir: dir.path().into(),
        access: Access::ReadWrite,
        clock: clock.clone(),
        credential_store: Some(keyring_core::mock::Store::new().unwrap()),
    })
    .unwrap();
    let site = core
        .seed_demo(
            &DemoOptions {
                delivery_attempts: 20,
                sandbox_credentials: false,
                automations: false,
                ..Default::default()
            },
            |_, _| {},
        )
        .unwrap()
        .site_id;
    (dir, core, clock, site)
}

fn draft(name: &str, role: &str, passphrase: Option<&str>) -> OperatorDraft {
    OperatorDraft {
        id: None,
        name: name.into(),
        role: role.into(),
        passphrase: passphrase.map(Secret::new),
        clear_passphrase: false,
    }
}

#[test]
fn the_first_start_acts_as_the_os_users_own_administrator_profile() {
    let (_dir, core, _clock, _site) = demo();
    let acting = core.acting_operator().unwrap();
    assert_eq!(acting.os_user.as_deref(), Some(os_user().as_str()));
    assert_eq!(acting.role, "administrator");
    // The demo's people are profiles too, and nobody else is made an Administrator on reopen.
    let names: Vec<_> = core
        .operators()
        .unwrap()
        .into_iter()
        .map(|o| o.name)
        .collect();
    assert!(names.contains(&"Riley Chen".to_string()), "{names:?}");
    assert_eq!(names.len(), 4, "{names:?}");
}

#[test]
fn a_passphrase_is_asked_for_and_five_wrong_tries_lock_the_profile_for_a_minute() {
    let (dir, core, clock, site) = demo();
    let pat = core
        .save_operator(&draft(
            "Pat Support",
            "editor",
            Some("correct horse battery"),
        ))
        .unwrap();
    assert!(pat.has_passphrase);
    // Only the Argon2id hash is stored; the passphrase is nowhere in the database file.
    core.switch_operator("Riley Chen", None).unwrap();
    for file in ["sgen.sqlite3", "sgen.sqlite3-wal"] {
        let bytes = std::fs::read(dir.path().join(file)).unwrap_or_default();
        assert!(
            !String::from_utf8_lossy(&bytes).contains("correct horse battery"),
            "{file}"
        );
    }
    let db = rusqlite::Connection::open(dir.path().join(sgen_core::DATABASE_FILE)).unwrap();
    let stored: String = db
        .query_row(
            "SELECT passphrase_hash FROM operators WHERE id = ?1",
            [&pat.id],
            |r| r.get(0),
        )
        .unwrap();
    assert!(stored.starts_with("$argon2id$v=19$"), "{stored}");

    let err = core.switch_operator("Pat Support", None).unwrap_err();
    assert_eq!(err.code(), "wrong_passphrase", "{err}");
    for left in (1..=4).rev() {
        let err = core
            .switch_operator("pat support", Some("wrong"))
            .unwrap_err();
        assert_eq!(err.code(), "wrong_passphrase", "{err}");
        assert!(
            err.to_string().contains(&format!("{left} more tr")),
            "{err}"
        );
    }
    let err = core
        .switch_operator(&pat.id, Some("still wrong"))
        .unwrap_err();
    assert_eq!(err.code(), "operator_locked", "{err}");
    // Locked: even the right passphrase waits out the minute.
    let err = core
        .switch_operator(&pat.id, Some("correct horse battery"))
        .unwrap_err();
    assert_eq!(err.code(), "operator_locked", "{err}");
    assert!(err.to_string().contains("60 s"), "{err}");
    assert_eq!(core.acting_operator().unwrap().name, "Riley Chen");
    clock.advance(61_000);
    let session = core
        .switch_operator(&pat.id, Some("correct horse battery"))
        .unwrap();
    assert_eq!(session.operator.unwrap().name, "Pat Support");
    assert!(session
        .capabilities
        .contains(&sgen_core::access::Capability::RetryDeliveries));

    // Every try is in the activity log under the profile tried, the five failures included.
    let switches = core
        .activity(&ActivityQuery {
            filters: ActivityFilters {
                site_id: site,
                operator_id: Some(pat.id.clone()),
                action: Some("operator.switch".into()),
                ..Default::default()
            },
            ..Default::default()
        })
        .unwrap()
        .rows;
    let outcomes: Vec<_> = switches.iter().map(|r| r.outcome.as_str()).collect();
    assert_eq!(
        outcomes,
        ["success", "failure", "failure", "failure", "failure", "failure"]
    );
}

#[test]
fn the_last_administrator_and_the_acting_profile_stay() {
    let (_dir, core, _clock, _site) = demo();
    let me = core.acting_operator().unwrap();
    let err = core.remove_operator(&me.id).unwrap_err();
    assert!(err.to_string().contains("switch to another first"), "{err}");
    let dana = core
        .operators()
        .unwrap()
        .into_iter()
        .find(|o| o.name == "Dana Whitfield")
        .unwrap();
    core.remove_operator(&dana.id).unwrap();
    // Now the OS user's profile is the last Administrator: it keeps its role.
    let err = core
        .save_operator(&OperatorDraft {
            id: Some(me.id.clone()),
            ..draft(&me.name, "editor", None)
        })
        .unwrap_err();
    assert!(err.to_string().contains("last Administrator"), "{err}");
    // A removed profile can no longer act, and the activity log still names it.
    let err = core.switch_operator("Dana Whitfield", None).unwrap_err();
    assert_eq!(err.code(), "not_found", "{err}");
    assert!(core
        .operators_ever()
        .unwrap()
        .iter()
        .any(|o| o.name == "Dana Whitfield" && o.removed_at.is_some()));
    // A name is refused twice, whatever its case.
    let err = core
        .save_operator(&draft("riley chen", "viewer", None))
        .unwrap_err();
    assert!(err.to_string().contains("exists already"), "{err}");
}

#[test]
fn the_csv_export_is_a_real_csv_and_no_cell_becomes_a_formula() {
    let (_dir, core, _clock, site) = demo();
    core.save_operator(&draft("=HYPERLINK(\"http://evil\")", "viewer", None))
        .unwrap();
    core.save_operator(&draft("Lee, \"the\" tester", "viewer", None))
        .unwrap();
    // The profile acts (and is refused), so its name starts a cell of its own.
    core.switch_operator("=HYPERLINK(\"http://evil\")", None)
        .unwrap();
    let refused = core.set_retry_schedule(vec![0]).unwrap_err();
    assert_eq!(refused.code(), "permission_denied");
    let filters = ActivityFilters {
        site_id: site.clone(),
        ..Default::default()
    };
    let mut reports = Vec::new();
    let mut bytes = Vec::new();
    let rows = core
        .export_activity_csv(&filters, &mut bytes, |written, total| {
            reports.push((written, total))
        })
        .unwrap();
    let total = core
        .activity(&ActivityQuery {
            filters: filters.clone(),
            page_size: Some(500),
            ..Default::default()
        })
        .unwrap()
        .rows
        .len() as u64;
    assert_eq!(rows, total);
    assert_eq!(reports.last(), Some(&(total, total)));
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>()[..5],
        ["id", "at", "operator", "action", "outcome"]
    );
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len() as u64, total);
    for record in &records {
        for cell in record {
            assert!(
                !cell.starts_with(['=', '+', '-', '@']),
                "a cell a spreadsheet would run: {cell}"
            );
        }
    }
    assert!(records
        .iter()
        .any(|r| &r[2] == "'=HYPERLINK(\"http://evil\")" && &r[3] == "permission.denied"));
    let changes: Vec<&str> = records.iter().map(|r| &r[8]).collect();
    // JSON inside the cell, quotes and comma and all, read back whole.
    assert!(
        changes
            .iter()
            .any(|c| c.contains("Lee, \\\"the\\\" tester")),
        "{changes:?}"
    );
}

#[test]
fn activity_is_kept_forever_unless_retention_says_otherwise() {
    let (_dir, core, clock, site) = demo();
    let all = |core: &Core| {
        core.activity(&ActivityQuery {
            filters: ActivityFilters {
                site_id: site.clone(),
                ..Default::default()
            },
            page_size: Some(500),
            ..Default::default()
        })
        .unwrap()
        .rows
    };
    let before = all(&core).len();
    assert_eq!(core.activity_retention_days().unwrap(), None);
    assert_eq!(core.purge_activity_log().unwrap(), 0);
    clock.advance(40 * 86_400_000);
    assert_eq!(core.purge_activity_log().unwrap(), 0, "forever by default");
    let err = core.set_activity_retention_days(Some(7)).unwrap_err();
    assert_eq!(err.code(), "invalid_argument");
    core.set_activity_retention_days(Some(30)).unwrap();
    // The demo's history reaches 100 days back: what is older than 30 days goes, the
    // setting's own row (just written) stays.
    let purged = core.purge_activity_log().unwrap();
    assert!(purged > 0);
    let kept = all(&core);
    assert!(kept.len() < before + 1, "{} of {before}", kept.len());
    assert!(kept
        .iter()
        .any(|r| r.action == "settings.activity_retention"));
}
