//! The app's security configuration as a test (issue 11's checklist): what the window may load
//! and run, what it may call, and a Tauri release without the known origin-confusion flaw.

use serde_json::Value;

fn config() -> Value {
    serde_json::from_str(include_str!("../../tauri.conf.json")).unwrap()
}

#[test]
fn the_csp_allows_no_eval_and_no_script_from_elsewhere() {
    let config = config();
    let csp = config["app"]["security"]["csp"]
        .as_str()
        .expect("a content security policy");
    assert!(!csp.contains("unsafe-eval"), "{csp}");
    let directive = |name: &str| {
        csp.split(';')
            .map(str::trim)
            .find_map(|d| d.strip_prefix(name))
            .map(str::trim)
    };
    assert_eq!(directive("default-src"), Some("'self'"), "{csp}");
    let scripts = directive("script-src").unwrap_or("'self'");
    assert_eq!(scripts, "'self'", "scripts come from the app alone: {csp}");
    for source in directive("connect-src").unwrap_or("").split_whitespace() {
        assert!(
            ["ipc:", "http://ipc.localhost", "'self'"].contains(&source),
            "connect-src reaches only the app's own IPC, not {source}"
        );
    }
}

#[test]
fn no_global_tauri_no_asset_protocol_no_dangerous_flags() {
    let config = config();
    let app = &config["app"];
    assert_ne!(app["withGlobalTauri"], Value::Bool(true));
    let security = &app["security"];
    assert_ne!(security["assetProtocol"]["enable"], Value::Bool(true));
    let text = config.to_string();
    for flag in ["dangerous", "devtools\":true", "freezePrototype\":false"] {
        assert!(!text.contains(flag), "tauri.conf.json sets {flag}");
    }
    for window in app["windows"].as_array().unwrap() {
        assert!(window
            .get("url")
            .is_none_or(|u| !u.as_str().unwrap_or("").starts_with("http")));
    }
}

#[test]
fn the_capability_is_the_main_windows_alone_and_grants_no_plugin_beyond_events() {
    let capability: Value =
        serde_json::from_str(include_str!("../../capabilities/default.json")).unwrap();
    assert_eq!(capability["windows"], serde_json::json!(["main"]));
    assert!(
        capability.get("remote").is_none(),
        "no remote origin may call"
    );
    for permission in capability["permissions"].as_array().unwrap() {
        let p = permission.as_str().expect("plain permission names");
        assert!(
            p.starts_with("allow-") || p == "core:event:default",
            "the window is granted {p}"
        );
    }
}

/// CVE-2026-42184 (origin confusion) affects tauri 2.0.0 to 2.11.0.
#[test]
fn tauri_is_past_the_origin_confusion_fix() {
    let lock = include_str!("../../../Cargo.lock");
    let version = lock
        .split("[[package]]")
        .find(|p| p.contains("\nname = \"tauri\"\n"))
        .and_then(|p| p.split("\nversion = \"").nth(1))
        .and_then(|v| v.split('"').next())
        .expect("tauri in Cargo.lock");
    let parts: Vec<u64> = version.split('.').map(|n| n.parse().unwrap()).collect();
    assert!(
        parts >= vec![2, 11, 1],
        "tauri {version} needs 2.11.1 or later"
    );
}
