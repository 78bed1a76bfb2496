//! A connection's event source: the vendor's signing secret entered once, sealed, rotated
//! with the previous one still valid, the public address the vendor signs, and a received
//! request verified against them.

use super::oauth::{fixture, Fixture};
use super::{live, NOW};
use hmac::{Hmac, Mac};
use sgen_core::inbound::verification::{InboundRequest, Rejection};
use sgen_core::Secret;
use sha2::Sha256;

const BODY: &[u8] = br#"{"id":"evt_1","type":"payment_intent.succeeded"}"#;

fn connection(f: &Fixture, text: &str) -> String {
    let query = sgen_core::connections::detail::ConnectionQuery {
        text: Some(text.into()),
        ..Default::default()
    };
    f.core.connections(&live(&f.summary), &query).unwrap().rows[0]
        .record
        .id
        .clone()
}

fn stripe_signed(secret: &str) -> Vec<(String, String)> {
    let at = NOW / 1000;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{at}.").as_bytes());
    mac.update(BODY);
    let v1 = hex::encode(mac.finalize().into_bytes());
    vec![("Stripe-Signature".into(), format!("t={at},v1={v1}"))]
}

fn verify(f: &Fixture, id: &str, headers: &[(String, String)]) -> Result<(), Rejection> {
    let request = InboundRequest {
        method: "POST",
        target: "/in/x",
        headers,
        body: BODY,
    };
    f.core.verify_event(id, &request).unwrap()
}

#[test]
fn a_signing_secret_is_entered_once_sealed_and_rotated() {
    let f = fixture();
    let stripe = connection(&f, "stripe");
    let source = f.core.event_source(&stripe).unwrap();
    assert_eq!(
        (source.scheme.as_str(), source.secrets_active),
        ("stripe_v1", 0)
    );
    assert_eq!(
        verify(&f, &stripe, &stripe_signed("whsec_first")),
        Err(Rejection::NoSecret)
    );

    let refused =
        f.core
            .set_event_secret(&stripe, Secret::new("sk_live_not_a_signing_secret"), false);
    assert!(refused.unwrap_err().to_string().contains("whsec_"));

    f.core
        .set_event_secret(&stripe, Secret::new("whsec_first"), false)
        .unwrap();
    assert_eq!(verify(&f, &stripe, &stripe_signed("whsec_first")), Ok(()));

    // The vendor rotates: for a while both are valid.
    let rotating = f
        .core
        .set_event_secret(&stripe, Secret::new("whsec_second"), true)
        .unwrap();
    assert_eq!(rotating.secrets_active, 2);
    assert_eq!(verify(&f, &stripe, &stripe_signed("whsec_first")), Ok(()));
    assert_eq!(verify(&f, &stripe, &stripe_signed("whsec_second")), Ok(()));

    // Then the old one is given up.
    let done = f
        .core
        .set_event_secret(&stripe, Secret::new("whsec_third"), false)
        .unwrap();
    assert_eq!(done.secrets_active, 1);
    assert_eq!(
        verify(&f, &stripe, &stripe_signed("whsec_second")),
        Err(Rejection::NoSecretMatched)
    );
    assert_eq!(verify(&f, &stripe, &stripe_signed("whsec_third")), Ok(()));

    // Sealed: the database never holds one in clear.
    let db = std::fs::read(f._dir.path().join("sgen.sqlite3")).unwrap();
    let wal = std::fs::read(f._dir.path().join("sgen.sqlite3-wal")).unwrap_or_default();
    for secret in ["whsec_first", "whsec_second", "whsec_third"] {
        let clear = |bytes: &[u8]| bytes.windows(secret.len()).any(|w| w == secret.as_bytes());
        assert!(!clear(&db) && !clear(&wal), "{secret} in clear");
    }

    // A disconnected connection takes its event source with it.
    f.core.disconnect_connection(&stripe).unwrap();
    assert_eq!(
        f.core.event_source(&stripe).unwrap_err().code(),
        "not_found"
    );
}

#[test]
fn the_public_address_is_https_and_is_what_hubspot_signs() {
    let f = fixture();
    let hubspot = super::oauth::connect(&f, "approve").unwrap().row.record.id;
    let refused = f
        .core
        .set_event_public_url(&hubspot, Some("http://hooks.acme.example/in"));
    assert!(refused.unwrap_err().to_string().contains("https"));
    let public = "https://hooks.acme-outdoor.example/in/hubspot";
    let source = f.core.set_event_public_url(&hubspot, Some(public)).unwrap();
    assert_eq!(source.public_url.as_deref(), Some(public));
    f.core
        .set_event_secret(&hubspot, Secret::new("hubspot-client-secret"), false)
        .unwrap();

    let at_ms = NOW.to_string();
    let signed_for = |url: &str| {
        let mut mac = Hmac::<Sha256>::new_from_slice(b"hubspot-client-secret").unwrap();
        mac.update(&["POST".as_bytes(), url.as_bytes(), BODY, at_ms.as_bytes()].concat());
        use base64::Engine;
        let signature =
            base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        vec![
            ("X-HubSpot-Signature-v3".to_string(), signature),
            ("X-HubSpot-Request-Timestamp".to_string(), at_ms.clone()),
        ]
    };
    assert_eq!(verify(&f, &hubspot, &signed_for(public)), Ok(()));
    assert_eq!(
        verify(&f, &hubspot, &signed_for("https://elsewhere.example/in")),
        Err(Rejection::NoSecretMatched)
    );
}
