//! The core against real SQLite files: the demo generator, the connections and delivery-log
//! queries with every filter, keyset paging, and every kind of bad input.

use sgen_core::connections::detail::ConnectionQuery;
use sgen_core::delivery::log::DeliveryQuery;
use sgen_core::demo::{DemoOptions, DemoSummary};
use sgen_core::kernel::sites::SiteEnvironment;
use sgen_core::model::{ConnectionState, EnvironmentName};
use sgen_core::{Access, Core, CoreConfig, FixedClock};
use std::collections::HashSet;
use std::sync::Arc;

mod access_matrix;
mod automation_engine;
mod automation_kills;
mod automations;
mod background;
mod crash;
mod destinations;
mod event_sources;
mod events;
mod every_connector;
mod inbound_listener;
mod inbound_verification;
mod key_rotation;
mod kill_child;
mod lifecycle;
mod localstripe;
mod oauth;
mod oauth_checks;
mod oidc;
mod operators;
mod outbound;
mod revocation;
mod signed_token;
mod standard_webhooks;
mod support_bundle;
mod triage;

const NOW: i64 = 1_795_000_000_000;

/// A plain HTTP client for the tests' own requests (a stand-in browser, a test server's admin
/// calls). The workspace builds reqwest's rustls without a provider; ring is the app's, and it
/// must be installed before the first client, whichever test makes it.
fn http_client() -> reqwest::blocking::ClientBuilder {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::blocking::Client::builder()
}

/// What the sandbox vendor at `vendor` (`http://127.0.0.1:{port}`) has been asked so far: its
/// token requests and the hints of its revocations, counted at the server.
fn sandbox_requests(vendor: &str) -> serde_json::Value {
    http_client()
        .build()
        .unwrap()
        .get(format!("{vendor}{}", sgen_sandbox::REQUESTS_PATH))
        .send()
        .unwrap()
        .json()
        .unwrap()
}

fn seeded(attempts: u64) -> (tempfile::TempDir, Core, DemoSummary) {
    let dir = tempfile::tempdir().unwrap();
    let core = open(dir.path());
    let summary = seed(&core, attempts, false);
    (dir, core, summary)
}

/// The demo site in `core`: `attempts` delivery attempts, and with `sandbox_credentials` real
/// credentials from the sandbox vendors, sealed under the site's key.
fn seed(core: &Core, attempts: u64, sandbox_credentials: bool) -> DemoSummary {
    core.seed_demo(
        &DemoOptions {
            delivery_attempts: attempts,
            sandbox_credentials,
            ..Default::default()
        },
        |_, _| {},
    )
    .unwrap()
}

/// A read-write core at `path` whose site keys live in keyring-core's mock store, so tests
/// never touch a real keyring.
fn open(path: &std::path::Path) -> Core {
    open_with_store(path, keyring_core::mock::Store::new().unwrap())
}

fn open_with_store(path: &std::path::Path, store: Arc<keyring_core::CredentialStore>) -> Core {
    Core::open(CoreConfig {
        data_dir: path.into(),
        access: Access::ReadWrite,
        clock: Arc::new(FixedClock::new(NOW)),
        credential_store: Some(store),
    })
    .unwrap()
}

fn live(summary: &DemoSummary) -> SiteEnvironment {
    SiteEnvironment {
        site_id: summary.site_id.clone(),
        environment: EnvironmentName::Live,
    }
}

fn all_pages(
    core: &Core,
    scope: &SiteEnvironment,
    query: DeliveryQuery,
) -> Vec<sgen_core::delivery::log::DeliveryPage> {
    let mut pages = vec![core.deliveries(scope, &query).unwrap()];
    while let Some(cursor) = pages.last().unwrap().next_cursor.clone() {
        pages.push(
            core.deliveries(
                scope,
                &DeliveryQuery {
                    cursor: Some(cursor),
                    ..query.clone()
                },
            )
            .unwrap(),
        );
    }
    pages
}

/// Every row a query selects, following its cursors to the end.
fn all_rows(
    core: &Core,
    scope: &SiteEnvironment,
    query: DeliveryQuery,
) -> Vec<sgen_core::delivery::log::AttemptRow> {
    all_pages(core, scope, query)
        .into_iter()
        .flat_map(|p| p.rows)
        .collect()
}

#[test]
fn the_demo_site_has_every_state_and_its_history() {
    let (_dir, core, summary) = seeded(4_000);
    assert_eq!(core.sites().unwrap()[0].name, "Acme Outdoor");
    assert!(summary.delivery_attempts >= 4_000);
    let page = core
        .connections(
            &live(&summary),
            &ConnectionQuery {
                page_size: Some(100),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(page.total, 16);
    let states: HashSet<ConnectionState> = page.rows.iter().map(|r| r.record.state).collect();
    assert_eq!(
        states.len(),
        ConnectionState::ALL.len(),
        "every state is shown: {states:?}"
    );
    let families: HashSet<&str> = page.rows.iter().map(|r| r.family_label.as_str()).collect();
    assert_eq!(families.len(), 6);
    for row in page
        .rows
        .iter()
        .filter(|r| r.record.state != ConnectionState::Active)
    {
        let detail = core.connection(&row.record.id).unwrap();
        assert_eq!(
            detail.transitions[0].to_state, row.record.state,
            "newest transition explains the state"
        );
        assert!(!detail.transitions[0].cause.is_empty());
    }
    let staging = SiteEnvironment {
        environment: EnvironmentName::Staging,
        ..live(&summary)
    };
    assert_eq!(
        core.connections(&staging, &ConnectionQuery::default())
            .unwrap()
            .total,
        3
    );
}

#[test]
fn the_demo_is_deterministic_for_a_seed_and_clock() {
    let (_a, core_a, a) = seeded(3_000);
    let (_b, core_b, b) = seeded(3_000);
    // Everything but the site id, which is its own in every data directory.
    assert_ne!(a.site_id, b.site_id);
    assert_eq!(a.deliveries, b.deliveries);
    let first = |core: &Core, s: &DemoSummary| {
        core.deliveries(
            &live(s),
            &DeliveryQuery {
                limit: Some(100),
                ..Default::default()
            },
        )
        .unwrap()
        .rows
        .into_iter()
        .map(|r| {
            (
                r.delivery_id,
                r.event_identifier,
                r.attempted_at,
                r.outcome,
                r.latency_ms,
            )
        })
        .collect::<Vec<_>>()
    };
    assert_eq!(first(&core_a, &a), first(&core_b, &b));
}

#[test]
fn keyset_paging_visits_every_row_once_in_order() {
    let (_dir, core, summary) = seeded(6_000);
    let scope = live(&summary);
    for (sort, descending) in [
        ("attempted_at", true),
        // Without an outcome filter, latency order merges the three outcomes' pages.
        ("latency_ms", false),
        ("latency_ms", true),
        ("vendor_response_code", true),
        ("event_identifier", false),
    ] {
        let query = DeliveryQuery {
            sort: Some(sort.into()),
            descending: Some(descending),
            limit: Some(500),
            ..Default::default()
        };
        let rows = all_rows(&core, &scope, query);
        let ids: HashSet<i64> = rows.iter().map(|r| r.id).collect();
        assert_eq!(ids.len(), rows.len(), "{sort}: no row twice");
        let key = |r: &sgen_core::delivery::log::AttemptRow| match sort {
            "attempted_at" => (r.attempted_at, String::new()),
            "latency_ms" => (i64::from(r.latency_ms), String::new()),
            "vendor_response_code" => (r.vendor_response_code.map_or(-1, i64::from), String::new()),
            _ => (0, r.event_identifier.clone()),
        };
        for pair in rows.windows(2) {
            let (a, b) = ((key(&pair[0]), pair[0].id), (key(&pair[1]), pair[1].id));
            assert!(
                if descending { a > b } else { a < b },
                "{sort}: {a:?} then {b:?}"
            );
        }
        let live_total: usize = rows.len();
        assert!(live_total > 5_000, "{sort}: saw {live_total} live rows");
    }
}

#[test]
fn filters_select_exactly_what_they_say() {
    let (_dir, core, summary) = seeded(6_000);
    let scope = live(&summary);
    let since = NOW - 7 * 86_400_000;
    let until = NOW - 86_400_000;
    let query = DeliveryQuery {
        outcome: Some("failed".into()),
        since: Some(since),
        until: Some(until),
        limit: Some(500),
        ..Default::default()
    };
    let rows = all_rows(&core, &scope, query);
    assert!(!rows.is_empty());
    assert!(rows
        .iter()
        .all(|r| r.outcome == sgen_core::model::Outcome::Failed
            && (since..until).contains(&r.attempted_at)));

    let search = DeliveryQuery {
        search: Some("Order.Paid".into()),
        limit: Some(500),
        ..Default::default()
    };
    let found = all_rows(&core, &scope, search);
    assert!(!found.is_empty());
    assert!(found
        .iter()
        .all(|r| r.event_identifier.starts_with("order.paid:")));

    let exact = &found[0].event_identifier;
    let object = exact.split(':').nth(1).unwrap();
    let by_id = core
        .deliveries(
            &scope,
            &DeliveryQuery {
                search: Some(object.into()),
                ..Default::default()
            },
        )
        .unwrap();
    assert!(by_id
        .rows
        .iter()
        .all(|r| r.event_identifier.contains(object)));
    assert!(by_id.rows.iter().any(|r| &r.event_identifier == exact));

    let connection = core
        .connections(
            &scope,
            &ConnectionQuery {
                text: Some("brevo".into()),
                ..Default::default()
            },
        )
        .unwrap()
        .rows[0]
        .record
        .id
        .clone();
    let per = core
        .deliveries(
            &scope,
            &DeliveryQuery {
                connection_id: Some(connection.clone()),
                ..Default::default()
            },
        )
        .unwrap();
    assert!(!per.rows.is_empty() && per.rows.iter().all(|r| r.connection_id == connection));
}

#[test]
fn connections_sort_and_filter() {
    let (_dir, core, summary) = seeded(1_000);
    let scope = live(&summary);
    let names = |q: ConnectionQuery| {
        core.connections(&scope, &q)
            .unwrap()
            .rows
            .into_iter()
            .map(|r| r.record.display_name)
            .collect::<Vec<_>>()
    };
    let descending = names(ConnectionQuery {
        sort: Some("display_name".into()),
        descending: Some(true),
        page_size: Some(100),
        ..Default::default()
    });
    let mut expected = descending.clone();
    expected.sort_by_key(|n| std::cmp::Reverse(n.to_lowercase()));
    assert_eq!(descending, expected);
    assert_eq!(
        names(ConnectionQuery {
            text: Some("HUBSPOT".into()),
            ..Default::default()
        }),
        ["HubSpot — Sales pipeline"]
    );
    let errors = core
        .connections(
            &scope,
            &ConnectionQuery {
                state: Some("error".into()),
                ..Default::default()
            },
        )
        .unwrap();
    assert!(
        errors
            .rows
            .iter()
            .all(|r| r.record.state == ConnectionState::Error)
            && errors.total == 2
    );
    let second = core
        .connections(
            &scope,
            &ConnectionQuery {
                page: Some(1),
                page_size: Some(10),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(second.rows.len(), 6);
}

#[test]
fn bad_input_gets_a_specific_error_code() {
    let (_dir, core, summary) = seeded(2_000);
    let scope = live(&summary);
    let code = |q: DeliveryQuery| core.deliveries(&scope, &q).unwrap_err().code();
    let q = DeliveryQuery::default;
    for (query, expected) in [
        (
            DeliveryQuery {
                outcome: Some("lost".into()),
                ..q()
            },
            "invalid_argument",
        ),
        (
            DeliveryQuery {
                sort: Some("colour".into()),
                ..q()
            },
            "invalid_argument",
        ),
        (
            DeliveryQuery {
                limit: Some(0),
                ..q()
            },
            "invalid_argument",
        ),
        (
            DeliveryQuery {
                limit: Some(10_000),
                ..q()
            },
            "invalid_argument",
        ),
        (
            DeliveryQuery {
                since: Some(NOW),
                until: Some(NOW - 1),
                ..q()
            },
            "invalid_argument",
        ),
        (
            DeliveryQuery {
                connection_id: Some("con_nope".into()),
                ..q()
            },
            "not_found",
        ),
        (
            DeliveryQuery {
                cursor: Some("garbage".into()),
                ..q()
            },
            "invalid_cursor",
        ),
    ] {
        assert_eq!(code(query.clone()), expected, "{query:?}");
    }

    let page = core
        .deliveries(
            &scope,
            &DeliveryQuery {
                outcome: Some("delivered".into()),
                ..Default::default()
            },
        )
        .unwrap();
    let cursor = page.next_cursor.unwrap();
    let other_filter = DeliveryQuery {
        outcome: Some("failed".into()),
        cursor: Some(cursor.clone()),
        ..Default::default()
    };
    assert_eq!(code(other_filter), "invalid_cursor");
    let mut tampered = cursor.clone();
    tampered.insert(3, 'x');
    assert_eq!(
        code(DeliveryQuery {
            outcome: Some("delivered".into()),
            cursor: Some(tampered),
            ..Default::default()
        }),
        "invalid_cursor"
    );

    let bad_state = ConnectionQuery {
        state: Some("broken".into()),
        ..Default::default()
    };
    let err = core.connections(&scope, &bad_state).unwrap_err();
    assert_eq!(err.code(), "invalid_argument");
    assert!(
        err.to_string()
            .contains("active|paused|auth_expired|auth_revoked|error"),
        "{err}"
    );
    assert_eq!(
        core.seed_demo(&DemoOptions::default(), |_, _| {})
            .unwrap_err()
            .code(),
        "invalid_argument"
    );
}

#[test]
fn a_data_dir_has_one_writer_and_readers_beside_it() {
    let (dir, _core, _summary) = seeded(500);
    let second = Core::open(CoreConfig::new(dir.path(), Access::ReadWrite))
        .err()
        .unwrap();
    assert_eq!(second.code(), "data_dir_in_use");
    let reader = Core::open(CoreConfig::new(dir.path(), Access::ReadOnly)).unwrap();
    assert_eq!(reader.sites().unwrap().len(), 1);
}

#[test]
fn a_damaged_or_foreign_database_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(sgen_core::DATABASE_FILE);
    let garbage =
        b"this is not an SQLite database, it is a shopping list: tent, stove, rope".repeat(100);
    std::fs::write(&file, &garbage).unwrap();
    for access in [Access::ReadWrite, Access::ReadOnly] {
        let err = Core::open(CoreConfig::new(dir.path(), access))
            .err()
            .unwrap();
        assert_eq!(err.code(), "database_corrupt", "{err}");
        assert!(err.to_string().contains("left untouched"));
    }
    assert_eq!(std::fs::read(&file).unwrap(), garbage);
}

#[test]
fn a_database_from_a_newer_app_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    drop(open(dir.path()));
    let file = dir.path().join(sgen_core::DATABASE_FILE);
    let conn = sgen_store::Connection::open(&file).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let err = Core::open(CoreConfig::new(dir.path(), Access::ReadWrite))
        .err()
        .unwrap();
    assert_eq!(err.code(), "schema_too_new");
    let conn = sgen_store::Connection::open(&file).unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 99);
}

#[test]
fn a_missing_database_is_reported_to_read_only_users() {
    let dir = tempfile::tempdir().unwrap();
    let err = Core::open(CoreConfig::new(dir.path(), Access::ReadOnly))
        .err()
        .unwrap();
    assert_eq!(err.code(), "database_missing");
    assert!(!dir.path().join(sgen_core::DATABASE_FILE).exists());
}

#[test]
fn the_library_lists_families_in_the_specs_order() {
    let (_dir, core, summary) = seeded(200);
    let mut families: Vec<String> = core
        .library(&live(&summary))
        .unwrap()
        .into_iter()
        .map(|c| c.family)
        .collect();
    families.dedup();
    assert_eq!(
        families,
        [
            "google_services",
            "email_service_providers",
            "payment_platforms",
            "webhook_destinations",
            "analytics",
            "crm"
        ]
    );
}
