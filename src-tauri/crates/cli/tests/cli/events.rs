//! `events source` and `events secret`: a connection's event source through the CLI, the
//! secret read from stdin and never printed.

use super::cli;
use super::lifecycle::{cli_with_stdin, json, seeded_data_dir};

#[test]
#[ignore = "needs the Secret Service: run inside scripts/with-keyring.sh"]
fn an_event_source_gets_its_public_address_and_signing_secret() {
    let dir = seeded_data_dir();
    let data = dir.path();
    let list = json(&cli(data, &["connections", "list", "--json"]));
    let stripe = list["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["record"]["connector_type"] == "stripe")
        .unwrap()["record"]["id"]
        .as_str()
        .unwrap()
        .to_string();

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
