//! Our Standard Webhooks signatures against the reference verifier (the `standardwebhooks` npm
//! package), run as a loopback receiver by tests/webhooks/standard-webhooks-receiver.mjs: a
//! signed-token connection's test message and its deliveries are accepted with the secret the
//! app made, and refused with any other; during a rotation with either the old or the new. An
//! automation's dry run sends the receiver nothing; its real run's webhook step is accepted.

use super::{live, seeded};
use sgen_core::connections::lifecycle::NewConnectionRequest;
use sgen_core::connections::test_outcome::TestOutcome;
use sgen_core::model::ConnectionState;
use sgen_core::{CoreError, Secret};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../tests/webhooks/standard-webhooks-receiver.mjs"
);

struct Receiver {
    child: Child,
    url: String,
}

impl Receiver {
    fn start() -> Self {
        let mut child = Command::new("node")
            .arg(SCRIPT)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("node runs the reference receiver");
        let first = BufReader::new(child.stdout.take().unwrap())
            .lines()
            .next()
            .expect("the receiver printed its address")
            .unwrap();
        let url = serde_json::from_str::<serde_json::Value>(&first).unwrap()["url"]
            .as_str()
            .unwrap()
            .to_string();
        Receiver { child, url }
    }

    /// The receiver holds `secrets` only.
    fn hold_only(&self, secrets: &[&str]) {
        let status = super::http_client()
            .build()
            .unwrap()
            .post(format!("{}/secrets/clear", self.url))
            .send()
            .unwrap()
            .status();
        assert_eq!(status.as_u16(), 204);
        for secret in secrets {
            self.register(secret);
        }
    }

    /// A signed-token webhook connection whose messages go to this receiver.
    fn connection_request(&self) -> NewConnectionRequest {
        NewConnectionRequest {
            connector_type: "webhook".into(),
            display_name: "Reference receiver".into(),
            auth_flow: "signed_token".into(),
            fields: BTreeMap::from([(
                "endpoint_url".to_string(),
                Secret::new("https://hooks.example.com/in"),
            )]),
            api_base_override: Some(self.url.clone()),
        }
    }

    /// How many messages the receiver has accepted.
    fn received(&self) -> u64 {
        super::http_client()
            .build()
            .unwrap()
            .get(format!("{}/received", self.url))
            .send()
            .unwrap()
            .json::<serde_json::Value>()
            .unwrap()["count"]
            .as_u64()
            .unwrap()
    }

    fn register(&self, secret: &str) {
        let status = super::http_client()
            .build()
            .unwrap()
            .post(format!("{}/secrets", self.url))
            .json(&serde_json::json!({ "secret": secret }))
            .send()
            .unwrap()
            .status();
        assert_eq!(status.as_u16(), 204);
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn the_reference_verifier_accepts_our_signatures_and_only_with_the_right_secret() {
    let receiver = Receiver::start();
    let (_dir, core, summary) = seeded(100);
    let request = receiver.connection_request();
    let issued = core.begin_signed_token(&live(&summary), request).unwrap();

    // Another secret registered at the receiver: the verifier refuses our signature.
    receiver.register("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    let refused = core.finish_signed_token(&issued.pending_id).unwrap_err();
    assert!(
        matches!(
            refused,
            CoreError::TestFailed(TestOutcome::CredentialRevoked)
        ),
        "{refused}"
    );

    receiver.register(&issued.signing_secret);
    let detail = core.finish_signed_token(&issued.pending_id).unwrap();
    assert_eq!(detail.row.record.state, ConnectionState::Active);
    let id = detail.row.record.id;
    assert_eq!(
        core.test_connection(&id).unwrap(),
        TestOutcome::Connected { account_id: None }
    );

    // A real delivery: signed with the delivery id as `webhook-id`, accepted by the verifier.
    let event = sgen_core::delivery::enqueue::OutboundEvent {
        originating_module: "commerce".into(),
        event_identifier: "order.paid ord_1042".into(),
        payload: serde_json::json!({"type": "order.paid", "data": {"order": "ord_1042", "total": 129.5}}),
    };
    core.send_event(&id, "post_event", event.clone()).unwrap();
    let round = core.deliver_due(10).unwrap();
    assert_eq!((round.attempted, round.delivered), (1, 1));

    // Rotation: for a day both secrets sign, so a receiver holding either accepts.
    let old = issued.signing_secret;
    let rotated = core.rotate_signing_secret(&id).unwrap();
    assert_ne!(rotated.signing_secret, old);
    for holds in [&old, &rotated.signing_secret] {
        receiver.hold_only(&[holds]);
        let sent = core
            .send_event_now(&id, "post_event", event.clone())
            .unwrap();
        assert_eq!(sent.round.delivered, 1, "{:?}", sent.round);
    }
    // Finished: the old secret no longer signs.
    core.finish_signing_secret_rotation(&id).unwrap();
    receiver.hold_only(&[&old]);
    let sent = core
        .send_event_now(&id, "post_event", event.clone())
        .unwrap();
    assert_eq!(sent.round.retrying, 1, "{:?}", sent.round);
    receiver.hold_only(&[&rotated.signing_secret]);
    let sent = core.send_event_now(&id, "post_event", event).unwrap();
    assert_eq!(sent.round.delivered, 1, "{:?}", sent.round);
    assert_eq!(
        core.finish_signing_secret_rotation(&id).unwrap_err().code(),
        "invalid_argument"
    );
}

#[test]
fn a_dry_run_sends_the_receiver_nothing_and_a_real_run_is_accepted_by_it() {
    let receiver = Receiver::start();
    let (_dir, core, summary) = seeded(0);
    let scope = live(&summary);
    let request = receiver.connection_request();
    let issued = core.begin_signed_token(&scope, request).unwrap();
    receiver.register(&issued.signing_secret);
    let id = core
        .finish_signed_token(&issued.pending_id)
        .unwrap()
        .row
        .record
        .id;
    let automation = serde_json::json!({
        "name": "Orders to the receiver",
        "trigger": {"event": "manual"},
        "actions": [{"type": "webhook", "params": {"connection": id}}],
        "status": "draft"
    });
    let saved = core
        .save_automation(&scope, None, &automation.to_string())
        .unwrap();
    let before = receiver.received();
    let order = serde_json::json!({"type": "order.paid", "data": {"order": "ord_7"}});

    // A draft's run is dry: the would-be request, signature redacted; nothing reaches it.
    let dry = core.run_automation_now(&saved.id, &order).unwrap();
    assert!(dry.run.dry_run);
    assert_eq!(dry.run.status, "completed");
    let http = &dry.steps[0].input.as_ref().unwrap()["request"];
    assert!(
        http["url"].as_str().unwrap().starts_with(&receiver.url),
        "{http}"
    );
    assert_eq!(http["headers"]["webhook-signature"], "[redacted]");
    core.deliver_due(10).unwrap();
    assert_eq!(receiver.received(), before);

    // Active, the same run reaches it, signed as the reference verifier accepts.
    core.set_automation_status(
        &saved.id,
        sgen_core::automations::definition::AutomationStatus::Active,
    )
    .unwrap();
    let real = core.run_automation_now(&saved.id, &order).unwrap();
    assert_eq!(real.run.status, "waiting");
    let round = core.deliver_due(10).unwrap();
    assert_eq!(round.delivered, 1, "{round:?}");
    assert_eq!(receiver.received(), before + 1);
    core.run_automations().unwrap();
    assert_eq!(core.run(&real.run.id).unwrap().run.status, "completed");
}
