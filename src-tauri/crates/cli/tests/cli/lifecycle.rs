//! The connection lifecycle through the CLI against `sandbox start` in another process, with
//! the real Secret Service: run inside scripts/with-keyring.sh with `--ignored`.

use super::{cli, stderr_line};
use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Output, Stdio};

const CANARY_KEY: &str =
    "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";

pub(super) fn cli_with_stdin(data_dir: &std::path::Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sgen-integrations-cli"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// The person at the browser: allows access and goes back (see the script).
const FAKE_BROWSER: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../tests/e2e/fake-browser.py"
);

/// The CLI running on `data_dir` with all three streams piped, for a conversation.
fn spawn_cli(data_dir: &std::path::Path, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_sgen-integrations-cli"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// The first line the CLI writes to stderr that starts with `prefix`.
fn stderr_line_starting(cli: &mut Child, prefix: &str, what: &str) -> String {
    BufReader::new(cli.stderr.take().unwrap())
        .lines()
        .map(Result::unwrap)
        .find(|line| line.starts_with(prefix))
        .expect(what)
}

/// `sandbox start ARGS… --json` in its own process (it serves until its stdin closes): the
/// process, and the first vendor's address and API base as it printed them.
fn start_sandbox(args: &[&str]) -> (Child, String, String) {
    let mut sandbox = Command::new(env!("CARGO_BIN_EXE_sgen-integrations-cli"))
        .args(["sandbox", "start"])
        .args(args)
        .arg("--json")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let printed: String = BufReader::new(sandbox.stdout.take().unwrap())
        .lines()
        .map(Result::unwrap)
        .take_while(|line| line != "]")
        .chain(["]".to_string()])
        .collect();
    let vendors: Value = serde_json::from_str(&printed).unwrap();
    let field = |name: &str| vendors[0][name].as_str().unwrap().to_string();
    (sandbox, field("vendor"), field("api_base"))
}

/// A data directory holding the demo site (without credentials: each test makes its own).
pub(super) fn seeded_data_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let seed = [
        "demo",
        "seed",
        "--deliveries",
        "100",
        "--no-credentials",
        "--json",
    ];
    json(&cli(dir.path(), &seed));
    dir
}

/// A Brevo connection at the sandbox vendor `api_base`, made through the CLI; its id.
fn brevo_connection(data: &std::path::Path, api_base: &str, name: &str) -> String {
    let create = [
        "connections",
        "create",
        "--connector",
        "brevo",
        "--name",
        name,
        "--api-base",
        api_base,
        "--json",
    ];
    let detail = json(&cli_with_stdin(data, &create, &format!("{CANARY_KEY}\n")));
    detail["row"]["record"]["id"].as_str().unwrap().to_string()
}

/// An event file for Brevo's transactional email, about `user`.
fn email_event(dir: &std::path::Path, user: &str) -> std::path::PathBuf {
    let event = dir.join("event.json");
    std::fs::write(
        &event,
        format!(
            r#"{{"originating_module": "notifications", "event_identifier": "password.reset {user}",
                "payload": {{"to": [{{"email": "ada@example.com"}}], "templateId": 7}}}}"#
        ),
    )
    .unwrap();
    event
}

/// `deliveries send` of `event` to `connection`'s transactional email, as JSON.
fn send_args<'a>(connection: &'a str, event: &'a std::path::Path) -> [&'a str; 9] {
    [
        "deliveries",
        "send",
        "--connection",
        connection,
        "--action",
        "send_transactional_email",
        "--event",
        event.to_str().unwrap(),
        "--json",
    ]
}

pub(super) fn json(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
#[ignore = "needs the Secret Service: run inside scripts/with-keyring.sh"]
fn a_key_connection_lives_and_dies_through_the_cli() {
    let dir = seeded_data_dir();
    let data = dir.path();

    let (mut sandbox, vendor, api_base) = start_sandbox(&["brevo", "--seed", "3"]);

    let create = [
        "connections",
        "create",
        "--connector",
        "brevo",
        "--name",
        "Brevo (CLI)",
        "--api-base",
        &api_base,
        "--json",
    ];
    let mut outputs = Vec::new();
    let created = cli_with_stdin(data, &create, &format!("{CANARY_KEY}\n"));
    let detail = json(&created);
    outputs.push(created);
    let id = detail["row"]["record"]["id"].as_str().unwrap().to_string();
    let account = detail["row"]["record"]["vendor_account_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(detail["row"]["record"]["state"], "active");

    // A secret as an argument is refused before anything happens.
    let in_argv = cli(
        data,
        &[
            "connections",
            "create",
            "--connector",
            "brevo",
            "--name",
            "x",
            "--field",
            "api_key=k",
        ],
    );
    assert!(!in_argv.status.success());
    assert!(stderr_line(&in_argv).contains("is secret"));

    let fault = |extra: &[&str]| {
        let mut args = vec![
            "sandbox",
            "fault",
            "--vendor",
            &vendor,
            "--account",
            &account,
        ];
        args.extend_from_slice(extra);
        let out = cli(data, &args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    fault(&["--revoked"]);
    let tested = cli(data, &["connections", "test", &id, "--json"]);
    assert_eq!(json(&tested)["outcome"], "credential_revoked");
    outputs.push(tested);

    fault(&[]);
    json(&cli(data, &["connections", "pause", &id, "--json"]));
    let resumed = cli(data, &["connections", "resume", &id]);
    assert!(resumed.status.success());
    assert!(String::from_utf8_lossy(&resumed.stdout).contains("connected"));
    outputs.push(resumed);

    let listed = cli(
        data,
        &["connections", "list", "--state", "active", "--json"],
    );
    assert!(
        String::from_utf8_lossy(&listed.stdout).contains(&id),
        "{} {}",
        String::from_utf8_lossy(&listed.stdout),
        String::from_utf8_lossy(&listed.stderr)
    );
    outputs.push(listed);

    let gone = json(&cli(data, &["connections", "disconnect", &id, "--json"]));
    assert_eq!(gone["revocation"], "unsupported");

    drop(sandbox.stdin.take());
    assert!(sandbox.wait().unwrap().success());

    for out in &outputs {
        for stream in [&out.stdout, &out.stderr] {
            assert!(!String::from_utf8_lossy(stream).contains("ca11ab1e"));
        }
    }
    for entry in std::fs::read_dir(data).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            let bytes = std::fs::read(&path).unwrap();
            assert!(
                !bytes.windows(16).any(|w| w == b"ca11ab1eca11ab1e"),
                "{} holds the key in cleartext",
                path.display()
            );
        }
    }
}

#[test]
#[ignore = "needs the Secret Service: run inside scripts/with-keyring.sh"]
fn an_oauth_connection_is_authorized_in_a_browser_and_outlives_the_process() {
    let dir = seeded_data_dir();
    let data = dir.path();

    let mut create = spawn_cli(
        data,
        &[
            "connections",
            "create",
            "--connector",
            "hubspot",
            "--name",
            "HubSpot (CLI)",
            "--flow",
            "oauth2",
            "--scope",
            "oauth",
            "--scope",
            "crm.objects.contacts.read",
            "--api-base",
            "sandbox",
            "--json",
        ],
    );
    let url = stderr_line_starting(
        &mut create,
        "http://127.0.0.1:",
        "the CLI printed the address to open",
    );
    // The person at the browser: tests/e2e/fake-browser.py allows access and goes back.
    assert!(Command::new(FAKE_BROWSER)
        .arg(&url)
        .status()
        .unwrap()
        .success());
    let created = create.wait_with_output().unwrap();
    let detail = json(&created);
    let id = detail["row"]["record"]["id"].as_str().unwrap().to_string();
    assert_eq!(detail["row"]["record"]["auth_flow"], "oauth2");
    assert_eq!(detail["row"]["record"]["has_refresh_token"], true);

    // Another process, another sandbox on other ports: the tokens still work and rotate.
    let refreshed = json(&cli(data, &["connections", "refresh", &id, "--json"]));
    assert_eq!(refreshed["outcome"], "connected");
    let gone = json(&cli(data, &["connections", "disconnect", &id, "--json"]));
    assert_eq!(gone["revocation"], "revoked");
}

#[test]
#[ignore = "needs the Secret Service: run inside scripts/with-keyring.sh"]
fn a_signed_token_is_shown_once_and_registered_before_the_test_message() {
    let dir = seeded_data_dir();
    let data = dir.path();
    let (mut sandbox, vendor, api_base) = start_sandbox(&["webhook"]);

    let mut create = spawn_cli(
        data,
        &[
            "connections",
            "create",
            "--connector",
            "webhook",
            "--name",
            "Relay (CLI)",
            "--field",
            "endpoint_url=https://hooks.example.com/in",
            "--api-base",
            &api_base,
            "--json",
        ],
    );
    let secret = stderr_line_starting(&mut create, "whsec_", "the CLI showed the secret");
    let registered = cli_with_stdin(
        data,
        &["sandbox", "register-secret", "--vendor", &vendor],
        &format!("{secret}\n"),
    );
    assert!(registered.status.success(), "{}", stderr_line(&registered));
    create.stdin.take().unwrap().write_all(b"\n").unwrap();
    let created = create.wait_with_output().unwrap();
    let detail = json(&created);
    assert_eq!(detail["row"]["record"]["state"], "active");
    assert!(!String::from_utf8_lossy(&created.stdout).contains(&secret[6..]));
    let id = detail["row"]["record"]["id"].as_str().unwrap().to_string();

    let fault = cli(
        data,
        &[
            "sandbox",
            "fault",
            "--vendor",
            &vendor,
            "--account",
            "*",
            "--status",
            "503",
        ],
    );
    assert!(fault.status.success(), "{}", stderr_line(&fault));
    let tested = json(&cli(data, &["connections", "test", &id, "--json"]));
    assert_eq!(
        tested,
        serde_json::json!({"outcome": "vendor_error", "code": 503})
    );

    // Rotation: the new secret on stderr only; the overlap's end in the JSON.
    let rotated = cli(data, &["connections", "rotate-secret", &id, "--json"]);
    assert!(rotated.status.success(), "{}", stderr_line(&rotated));
    let stderr = String::from_utf8_lossy(&rotated.stderr);
    let new_secret = stderr
        .split_whitespace()
        .find(|w| w.starts_with("whsec_"))
        .expect("the new secret on stderr");
    assert_ne!(new_secret, secret);
    assert!(!String::from_utf8_lossy(&rotated.stdout).contains("whsec_"));
    assert!(json(&rotated)["previous_signs_until"].as_i64().unwrap() > 0);
    let finished = json(&cli(
        data,
        &["connections", "rotate-secret", &id, "--finish", "--json"],
    ));
    assert_eq!(finished["finished"], true);
    let again = cli(data, &["connections", "rotate-secret", &id, "--finish"]);
    assert!(stderr_line(&again).contains("no signing secret is being rotated out"));
    drop(sandbox.stdin.take());
    sandbox.wait().unwrap();
}

#[test]
#[ignore = "needs the Secret Service: run inside scripts/with-keyring.sh"]
fn an_app_link_vendor_is_finished_by_pasting_the_link() {
    let dir = seeded_data_dir();
    let data = dir.path();
    let mut create = spawn_cli(
        data,
        &[
            "connections",
            "create",
            "--connector",
            "square",
            "--name",
            "Square (CLI)",
            "--api-base",
            "sandbox",
            "--json",
        ],
    );
    let url = stderr_line_starting(
        &mut create,
        "http://127.0.0.1:",
        "the CLI printed the address to open",
    );
    // The browser ends at the app link; `echo` stands in for the OS and shows it to the person.
    let browsed = Command::new(FAKE_BROWSER)
        .arg(&url)
        .env("SGEN_APP_LINK_OPENER", "echo")
        .output()
        .unwrap();
    assert!(browsed.status.success());
    let link = String::from_utf8(browsed.stdout).unwrap();
    assert!(
        link.starts_with("sgen-integrations://callback/square?"),
        "{link}"
    );
    create
        .stdin
        .take()
        .unwrap()
        .write_all(link.as_bytes())
        .unwrap();
    let created = create.wait_with_output().unwrap();
    let detail = json(&created);
    assert_eq!(detail["row"]["record"]["state"], "active");
    assert!(!String::from_utf8_lossy(&created.stdout).contains("code="));
}

#[test]
#[ignore = "needs the Secret Service: run inside scripts/with-keyring.sh"]
fn an_event_is_sent_through_the_cli_and_its_attempt_is_in_the_log() {
    let dir = seeded_data_dir();
    let data = dir.path();
    let (mut sandbox, vendor, api_base) = start_sandbox(&["brevo"]);
    let id = brevo_connection(data, &api_base, "Brevo (CLI send)");
    let event = email_event(dir.path(), "usr_9");
    let send = send_args(&id, &event);
    let sent = json(&cli(data, &send));
    assert_eq!(sent["round"]["delivered"], 1, "{sent}");
    let log = json(&cli(
        data,
        &["deliveries", "query", "--connection", &id, "--json"],
    ));
    assert_eq!(log["rows"][0]["delivery_id"], sent["queued"]["delivery_id"]);
    assert_eq!(log["rows"][0]["vendor_response_code"], 200);

    // The vendor says the destination is gone: the delivery stops and waits in the triage
    // queue; once the vendor is back, a filtered bulk retry delivers it under its own id.
    let vendor_fault = |status: &[&str]| {
        let mut args = vec!["sandbox", "fault", "--vendor", &vendor, "--account", "*"];
        args.extend_from_slice(status);
        let out = cli(data, &args);
        assert!(out.status.success(), "{}", stderr_line(&out));
    };
    vendor_fault(&["--status", "410"]);
    let gone = json(&cli(data, &send));
    assert_eq!(gone["round"]["gone"], 1, "{gone}");
    let queue = json(&cli(data, &["deliveries", "dead-letters", "--json"]));
    let stopped = &queue.as_array().unwrap()[0];
    assert_eq!(
        stopped["delivery"]["delivery_id"],
        gone["queued"]["delivery_id"]
    );
    assert!(stopped["next_step"].as_str().unwrap().contains("410"));
    vendor_fault(&[]);
    let retry = [
        "deliveries",
        "retry",
        "--outcome",
        "failed",
        "--connection",
        &id,
        "--search",
        "usr_9",
        "--json",
    ];
    let retried = json(&cli(data, &retry));
    assert_eq!(retried["retry"]["matched"], 1, "{retried}");
    assert_eq!(retried["attempts"]["delivered"], 1, "{retried}");
    let queue = json(&cli(data, &["deliveries", "dead-letters", "--json"]));
    assert_eq!(queue, serde_json::json!([]));
    // A field mapping makes the request from the event's own fields.
    let map = [
        "connections",
        "map",
        &id,
        "--action",
        "send_transactional_email",
        "--field",
        "to.0.email=user.email",
        "--field",
        "templateId=\"7\"",
        "--json",
    ];
    let mapped = json(&cli(data, &map));
    assert_eq!(
        mapped["send_transactional_email"]["to.0.email"],
        "user.email"
    );
    std::fs::write(
        &event,
        r#"{"originating_module": "accounts", "event_identifier": "user.created usr_10",
            "payload": {"user": {"email": "grace@example.com"}}}"#,
    )
    .unwrap();
    assert_eq!(json(&cli(data, &send))["round"]["delivered"], 1);
    let bad = cli(
        data,
        &[
            "connections",
            "map",
            &id,
            "--action",
            "send_transactional_email",
            "--field",
            "nope",
        ],
    );
    assert!(
        stderr_line(&bad).contains("TARGET=SOURCE"),
        "{}",
        stderr_line(&bad)
    );

    let neither = cli(data, &["deliveries", "retry"]);
    assert!(
        stderr_line(&neither).contains("--outcome"),
        "{}",
        stderr_line(&neither)
    );

    std::fs::write(&event, "{\"payload\": 3}").unwrap();
    let refused = cli(data, &send);
    assert!(!refused.status.success());
    assert!(
        stderr_line(&refused).contains("is not {"),
        "{}",
        stderr_line(&refused)
    );
    drop(sandbox.stdin.take());
    sandbox.wait().unwrap();
}

#[test]
#[ignore = "needs the Secret Service: run inside scripts/with-keyring.sh"]
fn work_delivers_a_due_retry_without_the_app_and_stops_when_stdin_closes() {
    let dir = seeded_data_dir();
    let data = dir.path();
    let (mut sandbox, vendor, api_base) = start_sandbox(&["brevo"]);
    let id = brevo_connection(data, &api_base, "Brevo (CLI work)");
    json(&cli(
        data,
        &["settings", "retry-schedule", "0", "1", "--json"],
    ));
    let fault = |args: &[&str]| {
        let mut all = vec!["sandbox", "fault", "--vendor", &vendor, "--account", "*"];
        all.extend_from_slice(args);
        assert!(cli(data, &all).status.success());
    };
    // The first attempt fails; its retry is due a second later.
    fault(&["--status", "503"]);
    let event = email_event(dir.path(), "usr_11");
    let send = send_args(&id, &event);
    assert_eq!(json(&cli(data, &send))["round"]["retrying"], 1);
    fault(&[]);

    let mut work = spawn_cli(data, &["work", "--json"]);
    let delivered = |data| {
        let log = json(&cli(
            data,
            &[
                "deliveries",
                "query",
                "--connection",
                &id,
                "--outcome",
                "delivered",
                "--json",
            ],
        ));
        log["rows"].as_array().unwrap().len()
    };
    let mut waited = 0;
    while delivered(data) == 0 && waited < 100 {
        std::thread::sleep(std::time::Duration::from_millis(100));
        waited += 1;
    }
    assert_eq!(delivered(data), 1, "the retry was not delivered by `work`");

    drop(work.stdin.take());
    let out = work.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tasks: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ended: Vec<(&str, &str)> = tasks
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["name"].as_str().unwrap(), t["state"].as_str().unwrap()))
        .collect();
    assert_eq!(
        ended,
        [
            ("automations", "stopped"),
            ("checkpoint", "stopped"),
            ("delivery worker", "stopped"),
            ("event catch-up", "stopped"),
            ("inbound listener", "stopped"),
            ("log retention", "stopped"),
            ("revocation retries", "stopped"),
            ("token refresher", "stopped"),
        ]
    );
    drop(sandbox.stdin.take());
    sandbox.wait().unwrap();
}
