//! IPC contract tests: each command through Tauri's mock runtime, checking the JSON shape the UI
//! relies on and the `{code, message}` errors.

mod acl;
mod config_lint;
mod fuzz_args;
mod roles;
mod window_fixtures;

use serde_json::{json, Value};
use sgen_core::demo::DemoOptions;
use sgen_core::{Access, Core, CoreConfig};
use sgen_integrations_lib::{configure, AppState};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{
    get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY,
};
use tauri::webview::InvokeRequest;
use tauri::WebviewWindow;

struct Harness {
    _dir: tempfile::TempDir,
    window: WebviewWindow<MockRuntime>,
    site_id: String,
}

fn harness(state: impl FnOnce(Core) -> AppState) -> Harness {
    harness_with(state, mock_context(noop_assets()))
}

/// The app's own context, with its capability file compiled in: the ACL the app runs with.
/// (`mock_context` has none, so it lets every app command through from anywhere.)
fn real_context() -> tauri::Context<MockRuntime> {
    tauri::generate_context!("tauri.conf.json", test = true)
}

fn harness_with(
    state: impl FnOnce(Core) -> AppState,
    context: tauri::Context<MockRuntime>,
) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    // Site keys go to keyring-core's mock store: these tests never touch a real keyring.
    let core = Core::open(CoreConfig {
        credential_store: Some(keyring_core::mock::Store::new().unwrap()),
        ..CoreConfig::new(dir.path(), Access::ReadWrite)
    })
    .unwrap();
    let site_id = core
        .seed_demo(
            &DemoOptions {
                delivery_attempts: 3_000,
                ..Default::default()
            },
            |_, _| {},
        )
        .unwrap()
        .site_id;
    let app = configure(mock_builder(), state(core))
        .build(context)
        .unwrap();
    let window = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    Harness {
        _dir: dir,
        window,
        site_id,
    }
}

/// Secrets the tests and the sandbox vendors make, recognisable wherever they end up: the API
/// key the tests type, the sandbox's OAuth access and refresh tokens, and webhook signing
/// secrets (which one answer each may show: the one that issues it).
const CANARIES: [&str; 3] = ["ca11ab1eca11ab1e", "sbx_at_", "sbx_rt_"];
const SIGNING_SECRET: &str = "whsec_";
const SHOWS_A_SIGNING_SECRET: [&str; 2] = ["signed_token_begin", "signing_secret_rotate"];

/// No answer carries a secret, but for the signing secret the two commands that issue one.
fn assert_no_secret_in(cmd: &str, answer: &Result<Value, Value>) {
    let text = match answer {
        Ok(v) | Err(v) => v.to_string(),
    };
    for canary in CANARIES {
        assert!(
            !text.contains(canary),
            "{cmd} answered a secret ({canary}…)"
        );
    }
    if !SHOWS_A_SIGNING_SECRET.contains(&cmd) {
        assert!(
            !text.contains(SIGNING_SECRET),
            "{cmd} answered a signing secret"
        );
    }
}

/// Every file of the data directory (database, WAL, logs) holds secrets sealed, never in clear.
impl Drop for Harness {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        for entry in walk(self._dir.path()) {
            let bytes = std::fs::read(&entry).unwrap_or_default();
            for canary in CANARIES.iter().chain([&SIGNING_SECRET]) {
                let found = bytes.windows(canary.len()).any(|w| w == canary.as_bytes());
                assert!(
                    !found,
                    "{} holds a secret in clear ({canary}…)",
                    entry.display()
                );
            }
        }
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        match path.is_dir() {
            true => files.extend(walk(&path)),
            false => files.push(path),
        }
    }
    files
}

fn invoke(h: &Harness, cmd: &str, body: Value) -> Result<Value, Value> {
    let answer = invoke_in(&h.window, "tauri://localhost", cmd, body);
    assert_no_secret_in(cmd, &answer);
    answer
}

/// One call as the window makes it, from the page at `origin`, as Tauri answers it.
fn invoke_in(
    window: &WebviewWindow<MockRuntime>,
    origin: &str,
    cmd: &str,
    body: Value,
) -> Result<Value, Value> {
    get_ipc_response(
        window,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: origin.parse().unwrap(),
            body: InvokeBody::Json(body),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|response| response.deserialize::<Value>().unwrap())
}

fn scope(h: &Harness) -> Value {
    json!({ "site_id": h.site_id, "environment": "live" })
}

#[test]
fn app_status_reports_ready_with_the_data_dir() {
    let h = harness(AppState::ready);
    let status = invoke(&h, "app_status", json!({})).unwrap();
    assert_eq!(status["state"], "ready");
    assert!(status["data_dir"].is_string());
}

#[test]
fn sites_operator_and_catalog_have_the_shapes_the_ui_reads() {
    let h = harness(AppState::ready);
    let sites = invoke(&h, "sites_list", json!({})).unwrap();
    assert_eq!(sites[0]["name"], "Acme Outdoor");
    assert_eq!(sites[0]["environments"].as_array().unwrap().len(), 2);
    let session = invoke(&h, "session_get", json!({})).unwrap();
    assert_eq!(session["operator"]["role"], "administrator");
    assert!(session["capabilities"]
        .as_array()
        .unwrap()
        .contains(&json!("manage_access")));
    assert_eq!(
        session["family_gates"]["payment_platforms"],
        "manage_payment_credentials"
    );

    let library = invoke(&h, "catalog_list", json!({ "scope": scope(&h) })).unwrap();
    let entries = library.as_array().unwrap();
    assert!(entries.len() >= 20);
    let stripe = entries.iter().find(|c| c["slug"] == "stripe").unwrap();
    assert_eq!(stripe["configured"], true);
    assert_eq!(stripe["family"], "payment_platforms");
    assert!(stripe["scopes"][0]["description"].is_string());

    let detail = invoke(
        &h,
        "catalog_get",
        json!({ "scope": scope(&h), "slug": "hubspot" }),
    )
    .unwrap();
    assert_eq!(detail["oauth_redirect"], "loopback");
    assert!(detail["docs_url"].as_str().unwrap().starts_with("https://"));
}

#[test]
fn connections_list_and_detail() {
    let h = harness(AppState::ready);
    let page = invoke(
        &h,
        "connections_list",
        json!({ "scope": scope(&h), "query": { "state": "paused" } }),
    )
    .unwrap();
    assert_eq!(page["total"], 2);
    let row = &page["rows"][0];
    assert_eq!(row["record"]["state"], "paused");
    // Secrets never cross IPC: only whether one is held.
    assert!(row["record"].get("credential_blob").is_none());
    assert!(row["record"]["has_credential"].is_boolean());

    let id = row["record"]["id"].as_str().unwrap();
    let detail = invoke(&h, "connection_get", json!({ "id": id })).unwrap();
    assert_eq!(detail["transitions"][0]["to_state"], "paused");
}

#[test]
fn deliveries_query_pages_with_a_cursor() {
    let h = harness(AppState::ready);
    let first = invoke(
        &h,
        "deliveries_query",
        json!({ "scope": scope(&h), "query": { "limit": 20, "outcome": "delivered" } }),
    )
    .unwrap();
    assert_eq!(first["rows"].as_array().unwrap().len(), 20);
    let cursor = first["next_cursor"].as_str().unwrap();
    let second =
        invoke(&h, "deliveries_query", json!({ "scope": scope(&h), "query": { "limit": 20, "outcome": "delivered", "cursor": cursor } }))
            .unwrap();
    assert_ne!(first["rows"][0]["id"], second["rows"][0]["id"]);
    assert!(second["rows"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["outcome"] == "delivered"));
}

#[test]
fn errors_cross_as_code_and_message() {
    let h = harness(AppState::ready);
    let err = invoke(
        &h,
        "deliveries_query",
        json!({ "scope": scope(&h), "query": { "outcome": "nope" } }),
    )
    .unwrap_err();
    assert_eq!(err["code"], "invalid_argument");
    assert!(err["message"]
        .as_str()
        .unwrap()
        .contains("unknown outcome `nope`"));

    let err = invoke(
        &h,
        "deliveries_query",
        json!({ "scope": scope(&h), "query": { "cursor": "forged.cursor" } }),
    )
    .unwrap_err();
    assert_eq!(err["code"], "invalid_cursor");

    let err = invoke(&h, "connection_get", json!({ "id": "con_missing" })).unwrap_err();
    assert_eq!(err["code"], "not_found");

    let err = invoke(
        &h,
        "catalog_get",
        json!({ "scope": { "site_id": "site_nope", "environment": "live" }, "slug": "stripe" }),
    )
    .unwrap_err();
    assert_eq!(err["code"], "not_found");
}

#[test]
fn commands_answer_not_ready_while_the_core_opens() {
    let h = harness(|_core| AppState::preparing());
    assert_eq!(
        invoke(&h, "app_status", json!({})).unwrap()["state"],
        "opening"
    );
    let err = invoke(&h, "sites_list", json!({})).unwrap_err();
    assert_eq!(err["code"], "not_ready");
}

#[test]
fn the_connection_lifecycle_commands_have_the_shapes_the_ui_reads() {
    const KEY: &str =
        "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";
    let h = harness(AppState::ready);
    let request = |key: &str| {
        json!({ "scope": scope(&h), "request": {
            "connector_type": "brevo", "display_name": "Brevo (IPC)", "auth_flow": "api_key",
            "fields": { "api_key": key }, "api_base_override": "sandbox" } })
    };
    let bad = invoke(&h, "connection_create", request("nope")).unwrap_err();
    assert_eq!(bad["code"], "invalid_argument");
    assert!(!bad.to_string().contains("nope"), "{bad}");

    let detail = invoke(&h, "connection_create", request(KEY)).unwrap();
    assert!(!detail.to_string().contains("ca11ab1e"));
    assert_eq!(detail["row"]["record"]["state"], "active");
    let id = detail["row"]["record"]["id"].as_str().unwrap().to_string();

    let tested = invoke(&h, "connection_test", json!({ "id": id })).unwrap();
    assert_eq!(tested["outcome"], "connected");
    assert!(tested["account_id"]
        .as_str()
        .unwrap()
        .starts_with("sbx-brevo-"));

    let faults = json!({ "id": id, "faults": { "revoked": true } });
    assert_eq!(
        invoke(&h, "sandbox_faults_set", faults).unwrap(),
        Value::Null
    );
    let tested = invoke(&h, "connection_test", json!({ "id": id })).unwrap();
    assert_eq!(tested, json!({ "outcome": "credential_revoked" }));

    let paused = invoke(&h, "connection_pause", json!({ "id": id })).unwrap();
    assert_eq!(paused["row"]["record"]["state"], "paused");
    let resumed = invoke(&h, "connection_resume", json!({ "id": id })).unwrap();
    assert_eq!(resumed["outcome"]["outcome"], "credential_revoked");
    assert_eq!(resumed["detail"]["row"]["record"]["state"], "error");

    let err = invoke(&h, "connection_refresh", json!({ "id": id })).unwrap_err();
    assert_eq!(err["code"], "invalid_argument");
    let err = invoke(&h, "oauth_cancel", json!({ "flow_id": "oauth_nope" })).unwrap_err();
    assert_eq!(err["code"], "not_found");
    let link = json!({ "link": "sgen-integrations://callback/square?state=nobody&code=x" });
    let err = invoke(&h, "oauth_app_link", link).unwrap_err();
    assert_eq!(err["code"], "not_found");
    assert!(!err.to_string().contains("code=x"), "{err}");
    let reauthorize = json!({ "id": id, "scopes": ["x"] });
    let err = invoke(&h, "oauth_reauthorize_begin", reauthorize).unwrap_err();
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("only an OAuth connection"),
        "{err}"
    );
    let event = json!({ "id": id, "action": "send_transactional_email", "event": {
        "originating_module": "operator", "event_identifier": "test.event 1", "payload": { "templateId": 1 } } });
    let sent = invoke(&h, "delivery_send", event).unwrap();
    assert_eq!(sent["queued"]["held"], false);
    assert_eq!(sent["round"]["attempted"], 1);
    let err = invoke(&h, "delivery_retry", json!({ "delivery_id": "dlv_nope" })).unwrap_err();
    assert_eq!(err["code"], "not_found");
    let offline = json!({ "id": id, "offline": true });
    assert_eq!(
        invoke(&h, "sandbox_offline_set", offline).unwrap(),
        Value::Null
    );
    let tested = invoke(&h, "connection_test", json!({ "id": id })).unwrap();
    assert_eq!(tested["outcome"], "network_error");
    invoke(
        &h,
        "sandbox_offline_set",
        json!({ "id": id, "offline": false }),
    )
    .unwrap();

    let gone = invoke(&h, "connection_disconnect", json!({ "id": id })).unwrap();
    assert_eq!(gone, "unsupported");
    let err = invoke(&h, "connection_test", json!({ "id": id })).unwrap_err();
    assert_eq!(err["code"], "not_found");
}

#[test]
fn a_signed_token_is_shown_once_and_the_connection_never_repeats_it() {
    let h = harness(AppState::ready);
    let request = json!({ "scope": scope(&h), "request": {
        "connector_type": "webhook", "display_name": "Relay (IPC)", "auth_flow": "signed_token",
        "fields": { "endpoint_url": "https://hooks.example.com/in" }, "api_base_override": "sandbox" } });
    let issued = invoke(&h, "signed_token_begin", request).unwrap();
    let secret = issued["signing_secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_"));
    assert_eq!(issued["sandbox_receiver"], true);
    let pending = json!({ "pending_id": issued["pending_id"] });

    let refused = invoke(&h, "signed_token_finish", pending.clone()).unwrap_err();
    assert_eq!(refused["code"], "test_failed");
    invoke(&h, "signed_token_register_sandbox", pending.clone()).unwrap();
    let detail = invoke(&h, "signed_token_finish", pending.clone()).unwrap();
    assert_eq!(detail["row"]["record"]["auth_flow"], "signed_token");
    assert!(!detail.to_string().contains(&secret[6..]));
    let err = invoke(&h, "signed_token_cancel", pending).unwrap_err();
    assert_eq!(err["code"], "not_found");
}

/// The commands are declared once (the handler's `generate_handler!`, which `build.rs` reads);
/// the capability file must grant exactly those, and the window's typed `Commands` must name
/// exactly those.
#[test]
fn the_capability_and_the_window_name_exactly_the_registered_commands() {
    use std::collections::BTreeSet;
    let registered: BTreeSet<String> = env!("SGEN_COMMANDS").split(',').map(String::from).collect();
    assert!(registered.contains("app_status") && registered.len() > 30);

    let capability: Value =
        serde_json::from_str(include_str!("../../capabilities/default.json")).unwrap();
    let granted: BTreeSet<String> = capability["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_str()?.strip_prefix("allow-"))
        .map(|p| p.replace('-', "_"))
        .collect();
    assert_eq!(granted, registered, "capabilities/default.json");

    let ipc = include_str!("../../../ui/src/ipc/index.ts");
    let commands = ipc
        .split_once("export interface Commands {")
        .and_then(|(_, rest)| rest.split_once("\n}"))
        .map(|(body, _)| body)
        .expect("the Commands interface in ui/src/ipc/index.ts");
    let typed: BTreeSet<String> = commands
        .lines()
        .filter_map(|line| line.trim().split_once(": {"))
        .map(|(name, _)| name.to_string())
        .collect();
    assert_eq!(typed, registered, "ui/src/ipc/index.ts");
}
