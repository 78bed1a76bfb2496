//! Loads every embedded manifest, and proves each validation rule rejects what it should.

mod fuzz;

use sgen_catalog::{Catalog, CatalogError, Family};

#[test]
fn every_embedded_manifest_is_valid() {
    let catalog = Catalog::embedded().unwrap_or_else(|e| panic!("{e}"));
    assert!(
        catalog.len() >= 20,
        "catalog v1 has at least 20 connectors, found {}",
        catalog.len()
    );
    for family in Family::ALL {
        assert!(
            catalog.all().any(|m| m.family == family),
            "no connector in family {family:?}"
        );
    }
    for slug in [
        "stripe",
        "mailchimp",
        "hubspot",
        "webhook",
        "ga4-measurement-protocol",
        "paypal",
    ] {
        assert!(catalog.get(slug).is_some(), "{slug} missing");
    }
}

#[test]
fn stripe_uses_real_event_names() {
    let catalog = Catalog::embedded().unwrap();
    let types = &catalog.get("stripe").unwrap().inbound_events.types;
    assert!(types.iter().any(|t| t == "charge.captured"));
    assert!(types.iter().any(|t| t == "payment_intent.succeeded"));
    assert!(
        !types.iter().any(|t| t == "payment.captured"),
        "Stripe has no payment.captured event"
    );
}

fn base() -> serde_json::Value {
    serde_json::from_str(include_str!("../../manifests/stripe.json")).unwrap()
}

fn problems_of(manifest: serde_json::Value) -> String {
    match Catalog::from_sources([("x.json".to_string(), manifest.to_string())]) {
        Ok(_) => panic!("manifest was accepted"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn the_base_fixture_is_valid() {
    Catalog::from_sources([("x.json".to_string(), base().to_string())]).unwrap();
}

#[test]
fn unknown_family_is_a_parse_error() {
    let mut m = base();
    m["family"] = "social_media".into();
    let err = Catalog::from_sources([("x.json".to_string(), m.to_string())]).unwrap_err();
    assert!(matches!(err, CatalogError::Parse { .. }), "{err}");
    assert!(err.to_string().contains("social_media"), "{err}");
}

#[test]
fn unknown_field_is_a_parse_error() {
    let mut m = base();
    m["colour"] = "blue".into();
    assert!(problems_of(m).contains("colour"));
}

#[test]
fn non_https_endpoints_are_refused() {
    let mut m = base();
    m["api_base"] = "http://api.stripe.com".into();
    assert!(problems_of(m).contains("api_base"));
    let mut m = base();
    m["docs_url"] = "ftp://docs".into();
    assert!(problems_of(m).contains("docs_url"));
}

#[test]
fn inbound_events_and_their_signature_come_together() {
    let mut m = base();
    m["inbound_events"]["signature"] = "none".into();
    assert!(problems_of(m).contains("inbound_events"));
    let mut m = base();
    m["inbound_events"]["types"] = serde_json::json!([]);
    assert!(problems_of(m).contains("inbound_events"));
    let mut m = base();
    m["inbound_events"]["signature"] = "shared_secret".into();
    assert!(
        problems_of(m).contains("shared_secret"),
        "the old catch-all is gone"
    );
}

#[test]
fn an_action_needing_an_undeclared_scope_is_refused() {
    let mut m = base();
    m["actions"][0]["required_scopes"] = serde_json::json!(["customers_delete"]);
    assert!(problems_of(m).contains("needs scope `customers_delete`"));
}

#[test]
fn a_secret_field_needs_a_pattern() {
    let mut m = base();
    m["credential_fields"][0]
        .as_object_mut()
        .unwrap()
        .remove("pattern");
    assert!(problems_of(m).contains("has no validation pattern"));
}

#[test]
fn an_example_must_match_its_pattern() {
    let mut m = base();
    m["credential_fields"][0]["example"] = "pk_test_nope".into();
    assert!(problems_of(m).contains("example does not match"));
}

#[test]
fn a_missing_test_call_or_revocation_descriptor_is_refused() {
    for key in ["test_call", "revocation"] {
        let mut m = base();
        m.as_object_mut().unwrap().remove(key);
        assert!(problems_of(m).contains(key), "{key}");
    }
}

#[test]
fn oauth_flow_needs_oauth_endpoints() {
    let mut m = base();
    m["auth_flows"] = serde_json::json!(["oauth2"]);
    assert!(problems_of(m).contains("`oauth` endpoints"));
}

#[test]
fn duplicate_slugs_are_refused() {
    let text = base().to_string();
    let err = Catalog::from_sources([
        ("a.json".to_string(), text.clone()),
        ("b.json".to_string(), text),
    ])
    .unwrap_err();
    assert!(err.to_string().contains("duplicate slug"));
}

#[test]
fn signature_scheme_names_are_the_manifest_names() {
    use sgen_catalog::SignatureScheme::*;
    for scheme in [
        StripeV1,
        StandardWebhooks,
        HubspotV3,
        SquareHmacSha256,
        PaypalVerifyApi,
        UrlSecret,
        BasicAuth,
        ChannelTokenHeader,
        BodyToken,
        None,
    ] {
        let parsed: sgen_catalog::SignatureScheme =
            serde_json::from_value(scheme.as_str().into()).unwrap();
        assert_eq!(parsed, scheme);
    }
}
