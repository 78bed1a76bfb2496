//! Verification tables for every inbound scheme: the vendor's request as its documentation
//! says it is signed, then each way it can go wrong. Standard Webhooks messages are signed by
//! the reference library (`standardwebhooks` on npm), not by us.

use base64::Engine;
use hmac::{Hmac, Mac};
use sgen_catalog::SignatureScheme;
use sgen_core::inbound::verification::{verify, InboundRequest, Rejection};
use sgen_core::Secret;
use sha2::Sha256;

const NOW: i64 = 1_795_000_000;
const BODY: &[u8] = br#"{"id":"evt_1","type":"payment_intent.succeeded","data":{"amount":4200}}"#;
/// The same JSON, re-encoded by something on the way: another body, as far as a signature goes.
const REENCODED: &[u8] =
    br#"{"id": "evt_1", "type": "payment_intent.succeeded", "data": {"amount": 4200}}"#;
const PUBLIC_URL: &str = "https://hooks.acme-outdoor.example/in/con_1";

fn hmac_of(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn headers(pairs: &[(&str, String)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

fn check(
    scheme: SignatureScheme,
    headers: &[(String, String)],
    target: &str,
    body: &[u8],
    secrets: &[&str],
) -> Result<(), Rejection> {
    check_at(scheme, headers, target, body, secrets, NOW)
}

fn check_at(
    scheme: SignatureScheme,
    headers: &[(String, String)],
    target: &str,
    body: &[u8],
    secrets: &[&str],
    now: i64,
) -> Result<(), Rejection> {
    let request = InboundRequest {
        method: "POST",
        target,
        headers,
        body,
    };
    let secrets: Vec<Secret> = secrets.iter().map(|s| Secret::new(*s)).collect();
    verify(scheme, &request, PUBLIC_URL, &secrets, now)
}

fn stripe_header(secret: &str, at: i64, body: &[u8]) -> String {
    let signed = [at.to_string().as_bytes(), b".", body].concat();
    format!(
        "t={at},v1={}",
        hex::encode(hmac_of(secret.as_bytes(), &signed))
    )
}

#[test]
fn stripe_signatures() {
    let secret = "whsec_stripe_test_secret";
    let ok = |h: String| headers(&[("Stripe-Signature", h)]);
    let run = |h: &[(String, String)], body: &[u8], secrets: &[&str]| {
        check(SignatureScheme::StripeV1, h, "/in/con_1", body, secrets)
    };
    assert_eq!(
        run(&ok(stripe_header(secret, NOW, BODY)), BODY, &[secret]),
        Ok(())
    );
    // Several v1 (Stripe sends one per active secret during a rotation); one is ours.
    let other = stripe_header("whsec_other", NOW, BODY);
    let several = format!(
        "{},{}",
        other,
        stripe_header(secret, NOW, BODY).split_once(',').unwrap().1
    );
    assert_eq!(run(&ok(several), BODY, &[secret]), Ok(()));
    // Either of two active secrets of ours.
    assert_eq!(
        run(
            &ok(stripe_header(secret, NOW, BODY)),
            BODY,
            &["whsec_old", secret]
        ),
        Ok(())
    );
    let valid = ok(stripe_header(secret, NOW, BODY));
    assert_eq!(
        run(&valid, b"{\"id\":\"evt_2\"}", &[secret]),
        Err(Rejection::NoSecretMatched)
    );
    assert_eq!(
        run(&valid, REENCODED, &[secret]),
        Err(Rejection::NoSecretMatched)
    );
    assert_eq!(
        run(&valid, BODY, &["whsec_wrong"]),
        Err(Rejection::NoSecretMatched)
    );
    assert_eq!(
        run(&[], BODY, &[secret]),
        Err(Rejection::MissingHeader {
            header: "Stripe-Signature".into()
        })
    );
    assert_eq!(
        run(&ok(stripe_header(secret, NOW - 301, BODY)), BODY, &[secret]),
        Err(Rejection::TooOld { skew_s: 301 })
    );
    assert_eq!(
        run(&ok(stripe_header(secret, NOW + 400, BODY)), BODY, &[secret]),
        Err(Rejection::TooNew { skew_s: 400 })
    );
    assert!(matches!(
        run(&ok("v1=abcd".into()), BODY, &[secret]),
        Err(Rejection::Malformed { .. })
    ));
}

/// Signed by the reference implementation: `new Webhook(secret).sign(id, date, body)`.
fn standard_webhooks_signature(secret: &str, id: &str, at: i64, body: &[u8]) -> String {
    let ui = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../ui");
    let script = "const { Webhook } = require('standardwebhooks');\
        const [secret, id, at, body] = process.argv.slice(1);\
        process.stdout.write(new Webhook(secret).sign(id, new Date(Number(at) * 1000), body));";
    let out = std::process::Command::new("node")
        .current_dir(ui)
        .args([
            "-e",
            script,
            secret,
            id,
            &at.to_string(),
            std::str::from_utf8(body).unwrap(),
        ])
        .output()
        .expect("node, with the UI's packages installed (scripts/test-all.sh installs them)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn standard_webhooks_signatures_made_by_the_reference_library() {
    // Standard Webhooks checks the timestamp against the real clock too: sign around it.
    let now = chrono::Utc::now().timestamp();
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let signed = |at: i64, body: &[u8]| {
        headers(&[
            ("webhook-id", "msg_1".into()),
            ("webhook-timestamp", at.to_string()),
            (
                "webhook-signature",
                standard_webhooks_signature(secret, "msg_1", at, body),
            ),
        ])
    };
    let run = |h: &[(String, String)], body: &[u8], secrets: &[&str]| {
        check_at(
            SignatureScheme::StandardWebhooks,
            h,
            "/in/con_1",
            body,
            secrets,
            now,
        )
    };
    let valid = signed(now, BODY);
    assert_eq!(run(&valid, BODY, &[secret]), Ok(()));
    // Several signatures in the header (a sender mid-rotation), one of them ours.
    let mut several = valid.clone();
    several[2].1 = format!("v1,{} {}", b64(&[7u8; 32]), several[2].1);
    assert_eq!(run(&several, BODY, &[secret]), Ok(()));
    assert_eq!(
        run(&valid, REENCODED, &[secret]),
        Err(Rejection::NoSecretMatched)
    );
    assert_eq!(
        run(&valid, BODY, &["whsec_dGhpcyBpcyBub3QgdGhlIHNlY3JldA=="]),
        Err(Rejection::NoSecretMatched)
    );
    assert_eq!(
        run(&valid[..2], BODY, &[secret]),
        Err(Rejection::MissingHeader {
            header: "webhook-signature".into()
        })
    );
    assert_eq!(
        run(&signed(now - 600, BODY), BODY, &[secret]),
        Err(Rejection::TooOld { skew_s: 600 })
    );
    assert_eq!(
        run(&signed(now + 600, BODY), BODY, &[secret]),
        Err(Rejection::TooNew { skew_s: 600 })
    );
}

#[test]
fn hubspot_v3_and_square_sign_the_public_address() {
    let secret = "hubspot-client-secret";
    let hubspot = |at_ms: i64, url: &str, body: &[u8]| {
        let signed = [
            "POST".as_bytes(),
            url.as_bytes(),
            body,
            at_ms.to_string().as_bytes(),
        ]
        .concat();
        headers(&[
            (
                "X-HubSpot-Signature-v3",
                b64(&hmac_of(secret.as_bytes(), &signed)),
            ),
            ("X-HubSpot-Request-Timestamp", at_ms.to_string()),
        ])
    };
    let run = |h: &[(String, String)], body: &[u8], secrets: &[&str]| {
        check(SignatureScheme::HubspotV3, h, "/in/con_1", body, secrets)
    };
    assert_eq!(
        run(&hubspot(NOW * 1000, PUBLIC_URL, BODY), BODY, &[secret]),
        Ok(())
    );
    // Signed for the loopback address rather than the one HubSpot was given: not HubSpot's.
    let loopback = hubspot(NOW * 1000, "http://127.0.0.1:7280/in/con_1", BODY);
    assert_eq!(
        run(&loopback, BODY, &[secret]),
        Err(Rejection::NoSecretMatched)
    );
    assert_eq!(
        run(&hubspot(NOW * 1000, PUBLIC_URL, BODY), REENCODED, &[secret]),
        Err(Rejection::NoSecretMatched)
    );
    assert_eq!(
        run(
            &hubspot((NOW - 301) * 1000, PUBLIC_URL, BODY),
            BODY,
            &[secret]
        ),
        Err(Rejection::TooOld { skew_s: 301 })
    );

    let key = "square-signature-key";
    let square = |url: &str, body: &[u8]| {
        let signed = [url.as_bytes(), body].concat();
        headers(&[(
            "x-square-hmacsha256-signature",
            b64(&hmac_of(key.as_bytes(), &signed)),
        )])
    };
    let run = |h: &[(String, String)], body: &[u8], secrets: &[&str]| {
        check(
            SignatureScheme::SquareHmacSha256,
            h,
            "/in/con_1",
            body,
            secrets,
        )
    };
    assert_eq!(run(&square(PUBLIC_URL, BODY), BODY, &[key]), Ok(()));
    assert_eq!(
        run(&square(PUBLIC_URL, BODY), BODY, &["other"]),
        Err(Rejection::NoSecretMatched)
    );
    assert_eq!(
        run(&square(PUBLIC_URL, BODY), REENCODED, &[key]),
        Err(Rejection::NoSecretMatched)
    );
    assert_eq!(
        run(&[], BODY, &[key]),
        Err(Rejection::MissingHeader {
            header: "x-square-hmacsha256-signature".into()
        })
    );
}

#[test]
fn vendors_that_do_not_sign_present_the_secret_they_were_given() {
    let secret = "s3cr3t-t0ken";
    // Mailchimp, Brevo, ActiveCampaign: in the address.
    let url = |target: &str| check(SignatureScheme::UrlSecret, &[], target, BODY, &[secret]);
    assert_eq!(url("/in/con_1?secret=s3cr3t-t0ken"), Ok(()));
    assert_eq!(
        url("/in/con_1?secret=wrong"),
        Err(Rejection::NoSecretMatched)
    );
    assert!(matches!(url("/in/con_1"), Err(Rejection::Malformed { .. })));
    // Pipedrive: HTTP Basic.
    let basic = |value: String| {
        check(
            SignatureScheme::BasicAuth,
            &headers(&[("Authorization", value)]),
            "/in/con_1",
            BODY,
            &["sgen:s3cr3t"],
        )
    };
    assert_eq!(basic(format!("Basic {}", b64(b"sgen:s3cr3t"))), Ok(()));
    assert_eq!(
        basic(format!("Basic {}", b64(b"sgen:nope"))),
        Err(Rejection::NoSecretMatched)
    );
    assert!(matches!(
        basic("Bearer x".into()),
        Err(Rejection::Malformed { .. })
    ));
    // Google Calendar and Drive: the channel token header.
    let channel = |h: &[(String, String)]| {
        check(
            SignatureScheme::ChannelTokenHeader,
            h,
            "/in/con_1",
            b"",
            &[secret],
        )
    };
    assert_eq!(
        channel(&headers(&[("X-Goog-Channel-Token", secret.into())])),
        Ok(())
    );
    assert_eq!(
        channel(&headers(&[("X-Goog-Channel-Token", "other".into())])),
        Err(Rejection::NoSecretMatched)
    );
    assert_eq!(
        channel(&[]),
        Err(Rejection::MissingHeader {
            header: "X-Goog-Channel-Token".into()
        })
    );
    // Zoho: in the body.
    let zoho = |body: &[u8]| {
        check(
            SignatureScheme::BodyToken,
            &[],
            "/in/con_1",
            body,
            &[secret],
        )
    };
    assert_eq!(
        zoho(br#"{"token":"s3cr3t-t0ken","module":"Leads"}"#),
        Ok(())
    );
    assert_eq!(
        zoho(br#"{"token":"other"}"#),
        Err(Rejection::NoSecretMatched)
    );
    assert!(matches!(
        zoho(b"not json"),
        Err(Rejection::Malformed { .. })
    ));
    // PayPal verifies only through its API; a vendor without events has nothing to verify.
    for scheme in [SignatureScheme::PaypalVerifyApi, SignatureScheme::None] {
        assert!(matches!(
            check(scheme, &[], "/in/con_1", BODY, &[secret]),
            Err(Rejection::Unsupported { .. })
        ));
    }
}
