//! Support bundles (issue 16): a site exported without one secret in its bytes (compressed or
//! not), opened into a workspace of its own that every view can read and that refuses changes;
//! and every bundle that cannot be opened — truncated, altered, too new, too large, with a
//! path out of the bundle, or any bytes at all — gives a clear error and creates nothing.

use super::{live, open_with_store, seed, NOW};
use proptest::prelude::*;
use sgen_core::support::bundle_export::BundleRequest;
use sgen_core::support::bundle_import::{import_support_bundle, ImportStep};
use sgen_core::support::replay::{AnswerSource, ReplayChanges};
use sgen_core::{Access, Core, CoreConfig, FixedClock, Secret};
use sgen_vault::{Binding, SecretFields, Vault};
use std::io::{Read, Write};
use std::path::Path;
use std::sync::Arc;

const CANARY_API_KEY: &str = "sk_live_CanaryApiKey00000000000000001";
const CANARY_ACCESS_TOKEN: &str = "canary-access-token-0000000000000002";
const CANARY_REFRESH_TOKEN: &str = "canary-refresh-token-000000000000003";
const CANARY_SIGNING_SECRET: &str = "whsec_CanarySigningSecret000000000004";
const CANARY_IN_BODY: &str = "canary-token-in-a-vendor-body-000005";
const CANARY_IN_PAYLOAD: &str = "canary-password-in-a-payload-000006";
const CANARIES: [&str; 6] = [
    CANARY_API_KEY,
    CANARY_ACCESS_TOKEN,
    CANARY_REFRESH_TOKEN,
    CANARY_SIGNING_SECRET,
    CANARY_IN_BODY,
    CANARY_IN_PAYLOAD,
];

fn request(site_id: &str) -> BundleRequest {
    BundleRequest {
        site_id: site_id.into(),
        since: None,
        connections: None,
    }
}

/// The entries of a zip, decompressed.
fn entries(bundle: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bundle)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut entry = archive.by_index(i).unwrap();
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            (entry.name().unwrap().to_string(), bytes)
        })
        .collect()
}

/// A zip of these entries (the way an attacker or a damaged copy would make one).
fn zipped(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        zip.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// Seals `fields` as the app does, under the site's current key, into a connection's column.
fn seal_into(
    core: &Core,
    store: &Arc<keyring_core::CredentialStore>,
    site: &str,
    connection: &str,
    column: &str,
    fields: &[(&str, &str)],
) {
    let db = rusqlite::Connection::open(core.data_dir().join(sgen_core::DATABASE_FILE)).unwrap();
    let namespace: String = db
        .query_row(
            "SELECT value FROM app_settings WHERE key = 'data_dir_id'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let key = Vault::new(store.clone(), &namespace)
        .existing_site_key(site, 0)
        .unwrap();
    let mut secret = SecretFields::new();
    for (name, value) in fields {
        secret.insert(name, Secret::new(*value));
    }
    let binding = match column {
        "credential_blob" => Binding::credential(connection),
        _ => Binding::refresh_token(connection),
    };
    db.execute(
        &format!("UPDATE connections SET {column} = ?1 WHERE id = ?2"),
        rusqlite::params![key.seal(binding, &secret), connection],
    )
    .unwrap();
}

#[test]
fn a_bundle_carries_the_site_without_one_secret_and_opens_as_a_workspace_that_refuses_changes() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<keyring_core::CredentialStore> = keyring_core::mock::Store::new().unwrap();
    let core = open_with_store(dir.path(), store.clone());
    let summary = seed(&core, 2_000, true);
    let site = summary.site_id.clone();
    let connections = core
        .connections(&live(&summary), &Default::default())
        .unwrap()
        .rows;
    let id_of = |slug: &str| {
        connections
            .iter()
            .find(|c| c.record.connector_type == slug)
            .unwrap()
            .record
            .id
            .clone()
    };
    let (stripe, hubspot) = (id_of("stripe"), id_of("hubspot"));
    // The canaries, stored the way the app stores secrets.
    seal_into(
        &core,
        &store,
        &site,
        &stripe,
        "credential_blob",
        &[("secret_key", CANARY_API_KEY)],
    );
    seal_into(
        &core,
        &store,
        &site,
        &hubspot,
        "credential_blob",
        &[("access_token", CANARY_ACCESS_TOKEN)],
    );
    seal_into(
        &core,
        &store,
        &site,
        &hubspot,
        "refresh_token_blob",
        &[("refresh_token", CANARY_REFRESH_TOKEN)],
    );
    core.set_event_secret(&stripe, Secret::new(CANARY_SIGNING_SECRET), false)
        .unwrap();
    // Secrets where only the redaction rules can find them: a vendor's answer carrying a
    // token, a payload carrying a password, a vendor echoing the API key in its summary.
    let db = rusqlite::Connection::open(dir.path().join(sgen_core::DATABASE_FILE)).unwrap();
    let answer = serde_json::json!({
        "answer": { "status": 400, "headers": {}, "body": format!("{{\"error\":\"bad\",\"session\":{{\"access_token\":\"{CANARY_IN_BODY}\"}}}}") }
    });
    let changed = db
        .execute(
            "UPDATE delivery_attempts SET exchange = ?1, response_summary = ?2
             WHERE id = (SELECT min(id) FROM delivery_attempts WHERE connection_id = ?3)",
            rusqlite::params![
                answer.to_string(),
                format!("400 · key {CANARY_API_KEY} is not valid here"),
                stripe
            ],
        )
        .unwrap();
    assert_eq!(changed, 1);
    let parked = db
        .execute(
            "INSERT INTO outbox (delivery_id, connection_id, payload, attempts_made, due_at, parked)
             SELECT id, connection_id, ?1, 8, 0, 1 FROM deliveries WHERE status = 'dead_letter' LIMIT 1",
            [serde_json::json!({ "email": "a@example.com", "password": CANARY_IN_PAYLOAD }).to_string()],
        )
        .unwrap();
    assert_eq!(parked, 1);
    let out = dir.path().join("acme.sgen-bundle.zip");
    let mut told = Vec::new();
    let exported = core
        .export_support_bundle(&request(&site), &out, &mut |p| told.push(p))
        .unwrap();
    assert!(
        told.last()
            .is_some_and(|p| p.rows == p.total && p.total > 2_000),
        "{told:?}"
    );
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(exported.bytes, bytes.len() as u64);
    for canary in CANARIES {
        assert!(
            !contains(&bytes, canary),
            "{canary} is in the bundle's bytes"
        );
    }
    let unpacked = entries(&bytes);
    for (name, content) in &unpacked {
        for canary in CANARIES {
            assert!(!contains(content, canary), "{canary} is in {name}");
        }
    }
    let text = |name: &str| {
        String::from_utf8(unpacked.iter().find(|(n, _)| n == name).unwrap().1.clone()).unwrap()
    };
    // What held the canaries travelled, redacted.
    let attempts = text("tables/delivery_attempts.jsonl");
    let kept_answer = attempts
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
        .filter_map(|row| serde_json::from_str::<serde_json::Value>(row["exchange"].as_str()?).ok())
        .filter_map(|exchange| {
            serde_json::from_str::<serde_json::Value>(exchange["answer"]["body"].as_str()?).ok()
        })
        .find(|body| body["error"] == "bad")
        .expect("the vendor's answer travelled");
    assert_eq!(kept_answer["session"]["access_token"], "[redacted]");
    assert!(attempts.contains("400 · key [redacted] is not valid here"));
    assert!(text("tables/outbox.jsonl").contains(r#"\"password\":\"[redacted]\""#));
    // Nothing sealed travels at all, and nothing of the operators' passphrases.
    let connections_entry = text("tables/connections.jsonl");
    assert!(
        !connections_entry.contains("credential_blob")
            && !connections_entry.contains("refresh_token_blob")
    );
    assert!(!text("tables/operators.jsonl").contains("passphrase_hash"));
    assert!(!text("tables/app_settings.jsonl").contains("cursor_key"));
    let manifest: serde_json::Value = serde_json::from_str(&text("manifest.json")).unwrap();
    assert_eq!(manifest["format_version"], 1);
    assert_eq!(manifest["site"]["id"], site.as_str());
    assert_eq!(manifest["exported_by"]["role"], "Administrator");
    // The export is in the operator's own activity log.
    let logged: i64 = db
        .query_row(
            "SELECT count(*) FROM activity_log WHERE action = 'support.bundle_exported'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(logged, 1);

    // Opened on "another machine": its own data directory and its own (empty) keyring.
    let into = tempfile::tempdir().unwrap();
    let workspace_dir = into.path().join("workspace");
    let imported = import_support_bundle(&out, &workspace_dir, NOW, &mut |_| {}).unwrap();
    assert_eq!(imported.workspace.site_name, "Acme Outdoor");
    let copy = Core::open(CoreConfig {
        data_dir: workspace_dir.clone(),
        access: Access::ReadWrite,
        clock: Arc::new(FixedClock::new(NOW)),
        credential_store: Some(keyring_core::mock::Store::new().unwrap()),
    })
    .unwrap();
    let marker = copy
        .support_workspace()
        .unwrap()
        .expect("it says it is a copy");
    // So does a file beside the database, which the shell reads before anything opens.
    assert!(sgen_core::support::workspace::is_support_workspace_dir(
        &workspace_dir
    ));
    assert!(!sgen_core::support::workspace::is_support_workspace_dir(
        dir.path()
    ));
    assert_eq!(marker.bundle_sha256, exported.sha256);
    assert!(core.support_workspace().unwrap().is_none());
    // Every view reads the copy as it was.
    let copied = copy
        .connections(&live(&summary), &Default::default())
        .unwrap();
    assert_eq!(copied.rows.len(), connections.len());
    let log = |c: &Core| {
        c.deliveries(&live(&summary), &Default::default())
            .unwrap()
            .rows
    };
    let ids = |rows: Vec<sgen_core::delivery::log::AttemptRow>| {
        rows.into_iter().map(|r| r.id).collect::<Vec<_>>()
    };
    assert_eq!(ids(log(&copy)), ids(log(&core)));
    let (original, copied) = (
        core.connection(&hubspot).unwrap(),
        copy.connection(&hubspot).unwrap(),
    );
    assert!(
        !copied.transitions.is_empty(),
        "the state history came along"
    );
    assert_eq!(copied.transitions.len(), original.transitions.len());
    assert_eq!(copied.delivery_attempts, original.delivery_attempts);
    // It refuses changes, saying what it is.
    let refused = copy.pause_connection(&stripe).unwrap_err();
    assert_eq!(refused.code(), "support_workspace", "{refused}");
    assert!(
        refused.to_string().contains("copy of Acme Outdoor"),
        "{refused}"
    );
    let sealed: i64 = rusqlite::Connection::open(workspace_dir.join(sgen_core::DATABASE_FILE))
        .unwrap()
        .query_row(
            "SELECT count(*) FROM connections WHERE credential_blob IS NOT NULL OR refresh_token_blob IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(sealed, 0);
    // A second import into the same directory is refused: it is not empty.
    let again = import_support_bundle(&out, &workspace_dir, NOW, &mut |_| {}).unwrap_err();
    assert_eq!(again.code(), "invalid_argument", "{again}");
}

/// A small site's bundle, and where it was written.
fn small_bundle() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let core = open_with_store(dir.path(), keyring_core::mock::Store::new().unwrap());
    let site = core.create_site("Small shop", "small.example").unwrap();
    let out = dir.path().join("small.zip");
    core.export_support_bundle(&request(&site.id), &out, &mut |_| {})
        .unwrap();
    (dir, out)
}

/// Importing `bytes` fails with `bad_bundle` and leaves nothing behind; the message is returned.
fn refused(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("in.zip");
    std::fs::write(&file, bytes).unwrap();
    refused_file(&file, dir.path())
}

fn refused_file(file: &Path, dir: &Path) -> String {
    let target = dir.join("workspace");
    let err = import_support_bundle(file, &target, NOW, &mut |_| {}).unwrap_err();
    assert_eq!(err.code(), "bad_bundle", "{err}");
    assert!(!target.exists(), "{err}: the workspace was created");
    assert!(
        !dir.join("workspace.importing").exists(),
        "{err}: staging was left"
    );
    err.to_string()
}

#[test]
fn a_bundle_that_cannot_be_opened_gives_a_clear_error_and_creates_nothing() {
    let (dir, out) = small_bundle();
    let bytes = std::fs::read(&out).unwrap();
    let good = entries(&bytes);
    // It opens as it is.
    let target = dir.path().join("ok");
    import_support_bundle(&out, &target, NOW, &mut |_| {}).unwrap();

    let truncated = refused(&bytes[..bytes.len() / 2]);
    assert!(truncated.contains("cut short"), "{truncated}");

    let altered: Vec<_> = good
        .iter()
        .map(|(name, content)| match name.as_str() {
            "tables/sites.jsonl" => (
                name.clone(),
                String::from_utf8(content.clone())
                    .unwrap()
                    .replace("Small shop", "Other shop")
                    .into_bytes(),
            ),
            _ => (name.clone(), content.clone()),
        })
        .collect();
    let tampered = refused(&zipped(&altered));
    assert!(
        tampered.contains("does not match its SHA-256"),
        "{tampered}"
    );

    let newer: Vec<_> = good
        .iter()
        .map(|(name, content)| match name.as_str() {
            "manifest.json" => {
                let mut manifest: serde_json::Value = serde_json::from_slice(content).unwrap();
                manifest["format_version"] = 2.into();
                manifest["app_version"] = "9.0.0".into();
                (name.clone(), serde_json::to_vec(&manifest).unwrap())
            }
            _ => (name.clone(), content.clone()),
        })
        .collect();
    let too_new = refused(&zipped(&newer));
    assert!(
        too_new.contains("format 2") && too_new.contains("newer SGEN Integrations"),
        "{too_new}"
    );

    let mut escaping = good.clone();
    escaping.push(("../../outside.jsonl".into(), b"{}\n".to_vec()));
    let traversal = refused(&zipped(&escaping));
    assert!(
        traversal.contains("points outside the bundle"),
        "{traversal}"
    );

    let mut extra = good.clone();
    extra.push(("tables/secrets.jsonl".into(), b"{}\n".to_vec()));
    let unexpected = refused(&zipped(&extra));
    assert!(
        unexpected.contains("not part of a support bundle"),
        "{unexpected}"
    );

    let missing: Vec<_> = good
        .iter()
        .filter(|(n, _)| n != "tables/activity_log.jsonl")
        .cloned()
        .collect();
    let incomplete = refused(&zipped(&missing));
    assert!(incomplete.contains("missing"), "{incomplete}");

    let unmanifested: Vec<_> = good
        .iter()
        .filter(|(n, _)| n != "manifest.json")
        .cloned()
        .collect();
    assert!(refused(&zipped(&unmanifested)).contains("no manifest.json"));

    assert!(refused(b"not a zip at all").contains("not a support bundle"));

    // Whole and consistent, but a row its table refuses: a column no bundle carries, a value
    // a CHECK refuses. The row is named; nothing is created.
    let resealed = |site_row: &str| {
        let mut changed: Vec<(String, Vec<u8>)> = good
            .iter()
            .map(|(name, content)| match name.as_str() {
                "tables/sites.jsonl" => (name.clone(), format!("{site_row}\n").into_bytes()),
                _ => (name.clone(), content.clone()),
            })
            .collect();
        let content = format!("{site_row}\n");
        let (_, manifest) = changed
            .iter_mut()
            .find(|(n, _)| n == "manifest.json")
            .unwrap();
        let mut json: serde_json::Value = serde_json::from_slice(manifest).unwrap();
        let mut list = String::new();
        for entry in json["entries"].as_array_mut().unwrap() {
            if entry["name"] == "tables/sites.jsonl" {
                entry["sha256"] = hex_sha256(content.as_bytes()).into();
                entry["bytes"] = content.len().into();
            }
            list.push_str(&format!(
                "{} {}\n",
                entry["name"].as_str().unwrap(),
                entry["sha256"].as_str().unwrap()
            ));
        }
        json["contents_sha256"] = hex_sha256(list.as_bytes()).into();
        *manifest = serde_json::to_vec(&json).unwrap();
        zipped(&changed)
    };
    let row = r#"{"id":"site_1","name":"Shop","domain":"shop.example","demo":0,"created_at":1"#;
    let extra = refused(&resealed(&format!(r#"{row},"secret":"x"}}"#)));
    assert!(
        extra.contains("sites row 1: `secret` is not a column a bundle may carry"),
        "{extra}"
    );
    let checked = refused(&resealed(
        &row.replace(r#""demo":0"#, r#""demo":7"#)
            .replace("\"created_at\":1", "\"created_at\":1}"),
    ));
    assert!(
        checked.contains("sites row 1") && checked.contains("CHECK"),
        "{checked}"
    );

    // Oversized: a sparse file, so the test writes nothing much.
    let huge = dir.path().join("huge.zip");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(3 << 30)
        .unwrap();
    let oversized = refused_file(&huge, dir.path());
    assert!(
        oversized.contains("more than a support bundle may be"),
        "{oversized}"
    );
}

proptest! {
    /// Any bytes at all: an error or a workspace, never a panic, and nothing left on an error.
    #[test]
    fn fuzz_the_bundle_reader(cut in any::<prop::sample::Index>(), flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4)) {
        let (_dir, out) = SMALL.with(|small| small.clone());
        let mut bytes = std::fs::read(&out).unwrap();
        for (at, value) in flips {
            let i = at.index(bytes.len());
            bytes[i] ^= value.max(1);
        }
        bytes.truncate(cut.index(bytes.len() + 1).max(1));
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("in.zip");
        std::fs::write(&file, &bytes).unwrap();
        let target = dir.path().join("workspace");
        match import_support_bundle(&file, &target, NOW, &mut |_| {}) {
            Ok(_) => prop_assert!(target.exists()),
            Err(e) => {
                prop_assert_eq!(e.code(), "bad_bundle", "{}", e);
                prop_assert!(!target.exists());
                prop_assert!(!dir.path().join("workspace.importing").exists());
            }
        }
    }
}

thread_local! {
    /// One small bundle per test thread, kept for every case.
    static SMALL: (Arc<tempfile::TempDir>, std::path::PathBuf) = {
        let (dir, out) = small_bundle();
        (Arc::new(dir), out)
    };
}

/// A support workspace made from a demo site's bundle (on a keyring of its own).
fn demo_workspace() -> (tempfile::TempDir, Core, sgen_core::demo::DemoSummary) {
    let dir = tempfile::tempdir().unwrap();
    let core = open_with_store(dir.path(), keyring_core::mock::Store::new().unwrap());
    let summary = seed(&core, 20_000, false);
    let out = dir.path().join("demo.zip");
    core.export_support_bundle(&request(&summary.site_id), &out, &mut |_| {})
        .unwrap();
    let workspace = dir.path().join("workspace");
    import_support_bundle(&out, &workspace, NOW, &mut |_| {}).unwrap();
    let copy = open_with_store(&workspace, keyring_core::mock::Store::new().unwrap());
    (dir, copy, summary)
}

/// A delivery of the copy chosen by SQL over its attempts.
fn delivery_where(copy: &Core, condition: &str) -> String {
    rusqlite::Connection::open(copy.data_dir().join(sgen_core::DATABASE_FILE))
        .unwrap()
        .query_row(
            &format!(
                "SELECT a.delivery_id FROM delivery_attempts a JOIN connections c ON c.id = a.connection_id
                 WHERE {condition} ORDER BY a.id LIMIT 1"
            ),
            [],
            |r| r.get(0),
        )
        .unwrap_or_else(|e| panic!("no delivery where {condition}: {e}"))
}

#[test]
fn a_failed_delivery_replays_offline_against_its_recorded_answers_and_with_changes() {
    let (_dir, copy, _) = demo_workspace();
    // A Brevo delivery that failed twice, then went through.
    let brevo = delivery_where(
        &copy,
        "c.connector_type = 'brevo' AND a.outcome = 'delivered' AND a.attempt_number >= 3",
    );
    let replay = copy.replay_delivery(&brevo, &Default::default()).unwrap();
    let answers = |steps: &[sgen_core::support::replay::ReplayStep]| {
        steps.iter().map(|s| s.answer.clone()).collect::<Vec<_>>()
    };
    assert_eq!(
        answers(&replay.replayed),
        answers(&replay.original),
        "{replay:#?}"
    );
    assert_ne!(replay.replayed[0].outcome, "delivered");
    assert_eq!(
        (
            replay.original_outcome.as_str(),
            replay.replayed_outcome.as_str()
        ),
        ("delivered", "delivered")
    );
    assert!(
        replay.same_outcome && replay.diverges_at.is_none(),
        "{replay:#?}"
    );
    assert_eq!(
        replay.vendor_requests as usize,
        replay.replayed.len(),
        "every attempt went over HTTP"
    );
    // The compressed clock keeps the schedule's times: the third attempt 5 min 5 s after the
    // first (how long the replay takes is the benchmark's to say).
    assert_eq!(replay.replayed[2].at_ms, (5 + 300) * 1000);

    // Brevo refused a body with a 400 on every attempt; the demo retried it on the schedule as
    // the engine does (only a 410 ends a delivery at once), so the replay agrees attempt for
    // attempt, down to the dead letter.
    let refused = delivery_where(
        &copy,
        "c.connector_type = 'brevo' AND a.outcome = 'failed' AND a.vendor_response_code = 400",
    );
    let again = copy.replay_delivery(&refused, &Default::default()).unwrap();
    assert_eq!(again.original.len(), 8, "{again:#?}");
    assert_eq!(answers(&again.replayed), answers(&again.original));
    assert!(again.replayed.iter().all(|s| s.answer == "HTTP 400"));
    assert_eq!(
        (again.diverges_at, again.replayed_outcome.as_str()),
        (None, "failed")
    );
    // A delivery still being retried when the bundle was made: past the recording, the last
    // answer repeats until the schedule is spent, and the replay says so.
    let pending = delivery_where(
        &copy,
        "c.connector_type = 'brevo' AND a.vendor_response_code = 403 AND a.attempt_number = 7",
    );
    let onwards = copy.replay_delivery(&pending, &Default::default()).unwrap();
    let recorded = onwards.original.len();
    assert_eq!(onwards.original_outcome, "pending", "{onwards:#?}");
    assert_eq!(onwards.replayed_outcome, "failed");
    assert_eq!(onwards.diverges_at, Some(recorded as u32 + 1));
    assert_eq!(
        onwards.replayed.last().unwrap().answered_by,
        AnswerSource::RepeatedLast,
        "past the recording, the last answer repeats"
    );
    assert!(!onwards.same_outcome);

    // "Would a shorter schedule have helped?"
    let short = copy
        .replay_delivery(
            &brevo,
            &sgen_core::support::replay::ReplayChanges {
                retry_schedule_s: Some(vec![0, 5]),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(short.replayed.len(), 2);
    assert_eq!(
        short.diverges_at,
        Some(2),
        "attempt 2 fails where it was retried"
    );
    assert_eq!(short.replayed_outcome, "failed");
    assert!(!short.same_outcome);
    // A changed mapping changes the request, not the recorded answers.
    let mapped = copy
        .replay_delivery(
            &brevo,
            &sgen_core::support::replay::ReplayChanges {
                mapping: Some(
                    [
                        ("to.0.email".to_string(), "object".to_string()),
                        ("templateId".to_string(), "\"7\"".to_string()),
                    ]
                    .into(),
                ),
                ..Default::default()
            },
        )
        .unwrap();
    assert!(mapped.request.changed);
    let body: serde_json::Value = serde_json::from_str(&mapped.request.body).unwrap();
    assert!(
        body["to"][0]["email"].as_str().unwrap().starts_with("usr_"),
        "{body}"
    );
    assert_eq!(mapped.replayed_outcome, "delivered");
    // A mapping naming what the request does not have is refused, saying which.
    let err = copy
        .replay_delivery(
            &brevo,
            &sgen_core::support::replay::ReplayChanges {
                mapping: Some([("email".to_string(), "contact.email".to_string())].into()),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert!(err.to_string().contains("contact.email"), "{err}");

    // A recorded timeout is a real timeout on loopback: the vendor holds the request.
    let timeout = delivery_where(&copy, "a.error_class = 'timeout' AND a.attempt_number = 1");
    let replay = copy.replay_delivery(&timeout, &Default::default()).unwrap();
    assert_eq!(
        replay.replayed[0].answer, "no answer (timed out)",
        "{replay:#?}"
    );
    assert_eq!(replay.original[0].answer, replay.replayed[0].answer);
    // And an unreachable vendor is a refused connection.
    let refused = delivery_where(
        &copy,
        "a.error_class = 'connection_refused' AND a.attempt_number = 1",
    );
    let replay = copy.replay_delivery(&refused, &Default::default()).unwrap();
    assert_eq!(
        replay.replayed[0].answer, "no answer (unreachable)",
        "{replay:#?}"
    );
}

/// What a stand-in vendor was sent: each request's path and body.
type Received = Arc<std::sync::Mutex<Vec<(String, String)>>>;

/// A server on this computer standing in for a vendor: it answers `status` to everything and
/// keeps what it was sent.
fn stand_in_vendor(
    runtime: &tokio::runtime::Runtime,
    status: u16,
) -> (std::net::SocketAddr, Received) {
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let kept = seen.clone();
    let app = axum::Router::new().fallback(move |uri: axum::http::Uri, body: String| {
        let kept = kept.clone();
        async move {
            kept.lock().unwrap().push((uri.to_string(), body));
            (
                axum::http::StatusCode::from_u16(status).unwrap(),
                r#"{"messageId":"<stand-in@local>"}"#,
            )
        }
    });
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let address = listener.local_addr().unwrap();
    runtime.spawn(async move { axum::serve(listener, app).await.unwrap() });
    (address, seen)
}

#[test]
fn a_replay_with_a_changed_api_address_asks_a_server_on_this_computer_and_nothing_else() {
    let (_dir, copy, _) = demo_workspace();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let brevo = delivery_where(
        &copy,
        "c.connector_type = 'brevo' AND a.outcome = 'delivered' AND a.attempt_number >= 3",
    );
    let with_address = |api_base: String| ReplayChanges {
        api_base: Some(api_base),
        ..Default::default()
    };

    // "Had the site pointed Brevo at a server that answers, it would have gone at once."
    let (address, seen) = stand_in_vendor(&runtime, 201);
    let report = copy
        .replay_delivery(&brevo, &with_address(format!("http://{address}/relay/v3/")))
        .unwrap();
    assert_eq!(report.replayed.len(), 1, "{report:#?}");
    assert_eq!(report.replayed[0].answer, "HTTP 201");
    assert_eq!(report.replayed[0].answered_by, AnswerSource::Override);
    assert_eq!(report.replayed_outcome, "delivered");
    assert_eq!(report.diverges_at, Some(1), "the first attempt failed then");
    assert!(report.request.overridden && report.request.changed);
    assert_eq!(
        report.vendor_requests, 0,
        "the recorded answers were not used"
    );
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    // The connector's path is kept past Brevo's own base (`https://api.brevo.com/v3`).
    assert_eq!(seen[0].0, "/relay/v3/smtp/email", "{seen:?}");
    assert_eq!(seen[0].1, report.request.body);
    assert_eq!(
        report.request.target,
        format!("http://{address}/relay/v3/smtp/email")
    );

    // A stand-in refusing the (redacted) credential says that may be why.
    let (address, _) = stand_in_vendor(&runtime, 401);
    let report = copy
        .replay_delivery(&brevo, &with_address(format!("http://{address}")))
        .unwrap();
    assert_eq!(report.replayed[0].answer, "HTTP 401");
    assert!(
        report.replayed[0]
            .caveat
            .as_deref()
            .is_some_and(|c| c.contains("redacted")),
        "{report:#?}"
    );

    // Anything off this computer is refused before a request is made.
    for elsewhere in [
        "https://api.brevo.com/v3",
        "http://192.0.2.1:8080",
        "sandbox",
        "ftp://127.0.0.1/",
    ] {
        let err = copy
            .replay_delivery(&brevo, &with_address(elsewhere.into()))
            .unwrap_err();
        assert_eq!(err.code(), "invalid_argument", "{elsewhere}: {err}");
        assert!(err.to_string().contains("stays on this computer"), "{err}");
    }
}

/// The demo site in `<temp>/data` (so the workspaces beside it stay in the temporary
/// directory), and its bundle at `<temp>/acme.zip`.
fn site_and_its_bundle() -> (tempfile::TempDir, Core, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let core = open_with_store(
        &dir.path().join("data"),
        keyring_core::mock::Store::new().unwrap(),
    );
    let summary = seed(&core, 2_000, false);
    let out = dir.path().join("acme.zip");
    core.export_support_bundle(&request(&summary.site_id), &out, &mut |_| {})
        .unwrap();
    (dir, core, out)
}

#[test]
fn the_window_opens_a_bundle_beside_its_data_directory_announcing_progress() {
    let (dir, core, out) = site_and_its_bundle();
    let mut events = core.subscribe();
    let opened = core.open_support_bundle(&out).unwrap();
    let expected = core
        .data_dir()
        .with_file_name(format!(
            "{}.support",
            core.data_dir().file_name().unwrap().to_string_lossy()
        ))
        .join(format!("acme-{NOW}"));
    assert_eq!(Path::new(&opened.data_dir), expected);
    assert!(sgen_core::support::workspace::is_support_workspace_dir(
        &expected
    ));
    let mut progress = Vec::new();
    while let Ok(event) = events.try_recv() {
        if let sgen_core::kernel::events::CoreEvent::BundleImportProgress { step, done, total } =
            event
        {
            progress.push((step, done, total));
        }
    }
    let last_check = progress
        .iter()
        .rfind(|p| p.0 == ImportStep::Checking)
        .expect("checking announced");
    assert_eq!(last_check.1, last_check.2, "every byte checked");
    let last = progress.last().unwrap();
    assert_eq!(
        (last.0, last.1, last.2),
        (ImportStep::Reading, opened.rows, opened.rows)
    );
    // In the operator's own activity log: whose copy, from which file.
    let details: String =
        rusqlite::Connection::open(core.data_dir().join(sgen_core::DATABASE_FILE))
            .unwrap()
            .query_row(
                "SELECT details FROM activity_log WHERE action = 'support.bundle_opened'",
                [],
                |r| r.get(0),
            )
            .unwrap();
    assert!(
        details.contains("acme.zip") && details.contains("Acme Outdoor"),
        "{details}"
    );

    // Opened from that workspace, a second copy goes beside it, not inside it.
    let copy = open_with_store(&expected, keyring_core::mock::Store::new().unwrap());
    let again = copy.open_support_bundle(&out).unwrap();
    assert_eq!(
        Path::new(&again.data_dir).parent(),
        expected.parent(),
        "{}",
        again.data_dir
    );
    // A bad file creates nothing there.
    let bad = dir.path().join("bad.zip");
    std::fs::write(&bad, b"not a zip").unwrap();
    let before = std::fs::read_dir(expected.parent().unwrap())
        .unwrap()
        .count();
    assert_eq!(
        core.open_support_bundle(&bad).unwrap_err().code(),
        "bad_bundle"
    );
    assert_eq!(
        std::fs::read_dir(expected.parent().unwrap())
            .unwrap()
            .count(),
        before
    );
}

#[test]
fn the_workspaces_beside_the_data_directory_are_listed_reopened_and_removed_only_when_closed() {
    let (dir, core, out) = site_and_its_bundle();
    assert!(core.support_workspaces().unwrap().is_empty());
    let first = core.open_support_bundle(&out).unwrap();
    let second = core.open_support_bundle(&out).unwrap();
    let kept = core.support_workspaces().unwrap();
    assert_eq!(kept.len(), 2);
    assert!(kept.iter().all(|k| k.bytes > 0 && !k.in_use));
    assert_eq!(kept[0].workspace.site_name, "Acme Outdoor");

    // Open in an app: listed so, neither reopened nor removed.
    let app = open_with_store(
        Path::new(&first.data_dir),
        keyring_core::mock::Store::new().unwrap(),
    );
    let listed = core.support_workspaces().unwrap();
    let open = listed
        .iter()
        .find(|k| k.data_dir == first.data_dir)
        .unwrap();
    assert!(open.in_use);
    let first_dir = Path::new(&first.data_dir);
    for err in [
        core.support_workspace_to_reopen(first_dir).unwrap_err(),
        core.remove_support_workspace(first_dir).unwrap_err(),
    ] {
        assert_eq!(err.code(), "data_dir_in_use", "{err}");
    }
    drop(app);
    assert_eq!(
        core.support_workspace_to_reopen(first_dir).unwrap(),
        first_dir
    );
    core.remove_support_workspace(first_dir).unwrap();
    assert!(!first_dir.exists());
    assert_eq!(core.support_workspaces().unwrap().len(), 1);

    // Nothing but one of them is ever removed: not the app's own data, not a way out of the
    // place, not a link in it to a workspace elsewhere (which is not listed either).
    let place = Path::new(&second.data_dir).parent().unwrap().to_path_buf();
    let outside = dir.path().join("outside");
    import_support_bundle(&out, &outside, NOW, &mut |_| {}).unwrap();
    std::os::unix::fs::symlink(&outside, place.join("a-link")).unwrap();
    assert_eq!(core.support_workspaces().unwrap().len(), 1);
    for elsewhere in [
        place.join("a-link"),
        core.data_dir().to_path_buf(),
        place.join("..").join("data"),
        place.clone(),
        dir.path().to_path_buf(),
    ] {
        let err = core.remove_support_workspace(&elsewhere).unwrap_err();
        assert!(
            err.to_string()
                .contains("is not one of this app's support workspaces"),
            "{}: {err}",
            elsewhere.display()
        );
    }
    assert!(core.data_dir().join(sgen_core::DATABASE_FILE).exists());
    assert!(Path::new(&second.data_dir).exists() && outside.exists());
    let removed: i64 = rusqlite::Connection::open(core.data_dir().join(sgen_core::DATABASE_FILE))
        .unwrap()
        .query_row(
            "SELECT count(*) FROM activity_log WHERE action = 'support.workspace_removed'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(removed, 1);
}

fn hex_sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
