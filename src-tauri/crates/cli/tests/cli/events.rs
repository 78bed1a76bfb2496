//! `events source` and `events secret`: a connection's event source through the CLI, the
//! secret read from stdin and never printed.

use super::cli;
use super::lifecycle::{cli_with_stdin, json, seeded_data_dir};

/// The id of the data directory's (first) connection to `connector`.
pub(super) fn connection_of(data: &std::path::Path, connector: &str) -> String {
    let list = json(&cli(data, &["connections", "list", "--json"]));
    list["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["record"]["connector_type"] == connector)
        .unwrap()["record"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
#[ignore = "needs the Secret Service: run inside scripts/with-keyring.sh"]
fn an_event_source_gets_its_public_address_and_signing_secret() {
    let dir = seeded_data_dir();
    let data = dir.path();
    let stripe = connection_of(data, "stripe");

    let source = json(&cli(
        data,
        &["events", "source", "--connection", &stripe, "--json"],
    ));
    assert_eq!(source["scheme"], "stripe_v1");
    assert_eq!(source["secrets_active"], 0);

    let set_url = |url: &str| {
        let args = [
            "events",
            "source",
            "--connection",
            &stripe,
            "--public-url",
            url,
            "--json",
        ];
        cli(data, &args)
    };
    let http = set_url("http://x.example/in");
    assert!(!http.status.success());
    assert!(String::from_utf8_lossy(&http.stderr).contains("https"));
    let url = "https://hooks.acme-outdoor.example/in/stripe";
    let set = json(&set_url(url));
    assert_eq!(set["public_url"], url);

    let secret = ["events", "secret", "--connection", &stripe, "--json"];
    let wrong = cli_with_stdin(data, &secret, "sk_live_nope\n");
    assert!(!wrong.status.success());
    let first = cli_with_stdin(data, &secret, "whsec_cli_first\n");
    assert_eq!(json(&first)["secrets_active"], 1);
    let rotating = [
        "events",
        "secret",
        "--connection",
        &stripe,
        "--keep-previous",
        "--json",
    ];
    let second = cli_with_stdin(data, &rotating, "whsec_cli_second\n");
    assert_eq!(json(&second)["secrets_active"], 2);
    for output in [&first, &second] {
        let printed = [output.stdout.as_slice(), output.stderr.as_slice()].concat();
        assert!(
            !String::from_utf8_lossy(&printed).contains("whsec_cli"),
            "a secret was printed"
        );
    }
}

/// A free port on loopback (taken and given back: the listener binds it next).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
#[ignore = "needs the Secret Service: run inside scripts/with-keyring.sh"]
fn listen_emit_and_read_the_event_log_from_the_cli() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    let dir = seeded_data_dir();
    let data = dir.path();
    let stripe = connection_of(data, "stripe");
    let secret = ["events", "secret", "--connection", &stripe, "--json"];
    assert!(cli_with_stdin(data, &secret, "whsec_cli_listen\n")
        .status
        .success());
    let port = free_port().to_string();
    assert!(cli(data, &["settings", "inbound-port", &port])
        .status
        .success());

    // `events listen` on the set port, until its stdin closes.
    let mut listener = Command::new(env!("CARGO_BIN_EXE_sgen-integrations-cli"))
        .arg("--data-dir")
        .arg(data)
        .args(["events", "listen", "--json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    let mut stdout = BufReader::new(listener.stdout.take().unwrap());
    while !first.contains("listening") {
        assert!(
            stdout.read_line(&mut first).unwrap() > 0,
            "no address printed"
        );
    }
    assert!(first.contains(&format!("127.0.0.1:{port}")), "{first}");

    let emit = |extra: &[&str]| {
        let mut args = vec![
            "sandbox",
            "emit",
            "--connection",
            &stripe,
            "--type",
            "invoice.paid",
            "--json",
        ];
        args.extend_from_slice(extra);
        json(&cli(data, &args))
    };
    let twice = emit(&["--twice"]);
    assert_eq!(
        (twice[0]["status"].as_u64(), twice[1]["status"].as_u64()),
        (Some(200), Some(200))
    );
    assert_eq!(twice[1]["answer"]["events"][0]["duplicate"], true);
    let skewed = emit(&["--at", "20m"]);
    assert_eq!(skewed[0]["status"], 400);
    assert_eq!(skewed[0]["answer"]["rejection"]["step"], "too_old");

    drop(listener.stdin.take());
    assert!(listener.wait().unwrap().success());

    let page = json(&cli(
        data,
        &[
            "events",
            "list",
            "--connection",
            &stripe,
            "--arrival",
            "pushed",
            "--json",
        ],
    ));
    let rows = page["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["event_type"], "invoice.paid");
    assert_eq!(rows[0]["duplicates"], 1);
    let id = rows[0]["id"].as_str().unwrap();
    let shown = json(&cli(data, &["events", "show", id, "--json"]));
    assert_eq!(shown["payload"]["type"], "invoice.paid");
    assert!(shown["headers"]["stripe-signature"].is_string());

    let rejected = json(&cli(data, &["events", "rejected", "--json"]));
    let seq = rejected["rows"][0]["request"]["seq"].as_i64().unwrap();
    assert_eq!(rejected["rows"][0]["rejection"]["step"], "too_old");
    let rechecked = json(&cli(
        data,
        &["events", "recheck", &seq.to_string(), "--json"],
    ));
    // Judged as of when it arrived, it is still 20 minutes old.
    assert!(rechecked["refused"]["request"]["recheck"]
        .as_str()
        .unwrap()
        .contains("too_old"));
    let printed = String::from_utf8_lossy(&cli(data, &["events", "list"]).stdout).into_owned();
    assert!(
        printed.contains("invoice.paid") && printed.contains("+1 duplicate"),
        "{printed}"
    );
}

#[test]
#[ignore = "needs the Secret Service: run inside scripts/with-keyring.sh"]
fn an_event_the_app_missed_while_closed_is_caught_up_on_by_the_next_process() {
    // Connections holding working sandbox credentials: the events list is read with them.
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    json(&cli(
        data,
        &["demo", "seed", "--deliveries", "100", "--json"],
    ));
    let stripe = connection_of(data, "stripe");
    let secret = ["events", "secret", "--connection", &stripe, "--json"];
    assert!(cli_with_stdin(data, &secret, "whsec_cli_missed\n")
        .status
        .success());
    // Nothing listens: the vendor keeps the event in its events list only.
    let emitted = cli(
        data,
        &[
            "sandbox",
            "emit",
            "--connection",
            &stripe,
            "--type",
            "charge.refunded",
            "--missed",
        ],
    );
    assert!(emitted.status.success(), "{emitted:?}");
    assert!(String::from_utf8_lossy(&emitted.stdout).contains("events reconcile"));

    let caught_up = json(&cli(
        data,
        &["events", "reconcile", "--connection", &stripe, "--json"],
    ));
    assert_eq!(caught_up[0]["caught_up"]["new"], 1, "{caught_up}");
    let page = json(&cli(
        data,
        &[
            "events",
            "list",
            "--connection",
            &stripe,
            "--arrival",
            "pulled",
            "--json",
        ],
    ));
    assert_eq!(page["rows"][0]["event_type"], "charge.refunded", "{page}");
    // Once: the next catch-up lists it again and stores nothing.
    let again = json(&cli(
        data,
        &["events", "reconcile", "--connection", &stripe, "--json"],
    ));
    assert_eq!(again[0]["caught_up"]["new"], 0, "{again}");
}
