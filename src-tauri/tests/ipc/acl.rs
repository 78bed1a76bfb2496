//! The access-control list as built into the app (its capability file, compiled by
//! `generate_context!`), through the mock runtime: every app command answers the main window's
//! own pages, and is refused to a remote origin that page navigated to and to any other window
//! (a window the capability does not name gets nothing, even on the app's own pages).

use super::{harness_with, invoke_in, Harness};
use serde_json::{json, Value};
use sgen_integrations_lib::AppState;
use tauri::Manager;

fn invoke_from(h: &Harness, origin: &str, cmd: &str) -> Result<Value, Value> {
    invoke_in(&h.window, origin, cmd, json!({}))
}

/// What Tauri says when the ACL refuses a command (as opposed to the command's own error
/// about missing arguments, which means it was let through).
fn refused_by_acl(answer: &Result<Value, Value>) -> bool {
    match answer {
        Ok(_) => false,
        Err(e) => {
            let text = e.to_string();
            text.contains("not allowed") || text.contains("ACL")
        }
    }
}

fn commands() -> Vec<&'static str> {
    env!("SGEN_COMMANDS").split(',').collect()
}

#[test]
fn every_command_is_refused_to_a_remote_origin_and_answers_the_apps_own() {
    let h = harness_with(AppState::ready, super::real_context());
    for cmd in commands() {
        for origin in [
            "https://evil.example/",
            "http://127.0.0.1:8080/",
            "https://tauri.localhost.evil.example/",
        ] {
            let answer = invoke_from(&h, origin, cmd);
            assert!(
                refused_by_acl(&answer),
                "{cmd} from {origin} was let through: {answer:?}"
            );
        }
        let own = invoke_from(&h, "tauri://localhost", cmd);
        assert!(!refused_by_acl(&own), "{cmd} refused to the app: {own:?}");
    }
}

#[test]
fn a_window_the_capability_does_not_name_gets_no_command() {
    let h = harness_with(AppState::ready, super::real_context());
    let other =
        tauri::WebviewWindowBuilder::new(h.window.app_handle(), "other", Default::default())
            .build()
            .unwrap();
    for cmd in commands() {
        let answer = invoke_in(&other, "tauri://localhost", cmd, json!({}));
        assert!(
            refused_by_acl(&answer),
            "{cmd} answered another window: {answer:?}"
        );
    }
}
