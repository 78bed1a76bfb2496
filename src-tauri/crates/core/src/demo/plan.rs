//! The demo site's connections: one per catalog family member worth showing, in every state,
//! each with the story of how it got there.

use sgen_store::model::{ConnectionState, EnvironmentName};

pub(crate) const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// One demo connection and what happens to it.
pub(crate) struct ConnectionPlan {
    pub environment: EnvironmentName,
    pub slug: &'static str,
    pub display_name: &'static str,
    pub auth_flow: &'static str,
    pub account: &'static str,
    /// Scopes held; `None` means every scope the connector declares.
    pub scopes: Option<&'static [&'static str]>,
    pub created_days_ago: i64,
    /// Past incidents that recovered: (days ago it broke, hours until restored, cause).
    pub incident: Option<(i64, i64, &'static str)>,
    /// The state it ends in and, unless active, when and why it got there.
    pub end: Option<(ConnectionState, i64, &'static str)>,
    /// Relative share of the delivery history.
    pub weight: u32,
    /// What the site sends through it: (originating module, event type, object prefix, action).
    pub traffic: (&'static str, &'static str, &'static str, &'static str),
    /// Typical latency of the vendor, ms.
    pub latency_ms: f64,
}

#[allow(clippy::too_many_arguments)] // one positional row of the table below
const fn plan(
    environment: EnvironmentName,
    slug: &'static str,
    display_name: &'static str,
    auth_flow: &'static str,
    account: &'static str,
    created_days_ago: i64,
    weight: u32,
    traffic: (&'static str, &'static str, &'static str, &'static str),
    latency_ms: f64,
) -> ConnectionPlan {
    ConnectionPlan {
        environment,
        slug,
        display_name,
        auth_flow,
        account,
        scopes: None,
        created_days_ago,
        incident: None,
        end: None,
        weight,
        traffic,
        latency_ms,
    }
}

use ConnectionState::{AuthExpired, AuthRevoked, Error, Paused};
use EnvironmentName::{Live, Staging};

pub(crate) fn demo_plans() -> Vec<ConnectionPlan> {
    vec![
        plan(Live, "stripe", "Stripe — Acme Outdoor", "api_key", "acct_1Q8hAcmeOutdoor", 88, 14, ("commerce", "customer.registered", "cus", "create_customer"), 210.0),
        ConnectionPlan {
            incident: Some((34, 3, "webhook endpoint answered 503 for 14 consecutive deliveries")),
            ..plan(Live, "webhook", "Fulfilment webhook (ShipHero relay)", "signed_token", "hooks.acme-outdoor.example", 86, 16, ("commerce", "order.paid", "ord", "post_event"), 140.0)
        },
        plan(Live, "ga4-measurement-protocol", "GA4 — purchases", "api_key", "G-7QX2R9KD41", 85, 14, ("commerce", "purchase", "ord", "send_event"), 95.0),
        plan(Live, "mailchimp", "Mailchimp — Newsletter", "oauth2", "us21:8f41c2d9a0", 84, 12, ("newsletter", "subscriber.created", "sub", "upsert_member"), 260.0),
        plan(Live, "hubspot", "HubSpot — Sales pipeline", "oauth2", "portal 24115876", 80, 9, ("forms", "form.submitted", "frm", "upsert_contact"), 320.0),
        plan(Live, "gmail", "Workspace mail — orders@", "oauth2", "orders@acme-outdoor.example", 79, 8, ("notifications", "order.shipped", "ord", "send_message"), 380.0),
        plan(Live, "google-analytics", "Google Analytics — acme-outdoor.example", "oauth2", "accounts/218334571", 78, 2, ("analytics", "report.scheduled", "rpt", "run_report"), 450.0),
        plan(Live, "google-search-console", "Search Console — sc-domain:acme-outdoor.example", "oauth2", "sc-domain:acme-outdoor.example", 77, 1, ("seo", "sitemap.updated", "smp", "submit_sitemap"), 300.0),
        plan(Live, "paypal", "PayPal — Checkout", "client_credentials", "app 7YHK2L0Q3RXN4", 75, 5, ("commerce", "order.approved", "ord", "capture_order"), 520.0),
        ConnectionPlan {
            end: Some((AuthExpired, 3, "refresh failed: invalid_grant (refresh token expired after 7 days unused)")),
            ..plan(Live, "google-calendar", "Google Calendar — Workshops", "oauth2", "workshops@acme-outdoor.example", 70, 4, ("bookings", "booking.confirmed", "bkg", "create_event"), 240.0)
        },
        ConnectionPlan {
            end: Some((AuthRevoked, 9, "test call: 401 ACCESS_TOKEN_REVOKED — the seller revoked access in the Square dashboard")),
            ..plan(Live, "square", "Square — Flagship store POS", "oauth2", "MLQ2K8Z1R7T4E", 68, 4, ("pos", "customer.registered", "cus", "create_customer"), 180.0)
        },
        ConnectionPlan {
            end: Some((Error, 1, "8 consecutive delivery failures: 503 Service Unavailable from api.brevo.com")),
            ..plan(Live, "brevo", "Brevo — Transactional", "api_key", "acme-outdoor (Brevo)", 66, 6, ("notifications", "password.reset", "usr", "send_transactional_email"), 160.0)
        },
        ConnectionPlan {
            end: Some((Paused, 12, "paused by Sam Ortiz: spring campaign finished")),
            ..plan(Live, "activecampaign", "ActiveCampaign — Spring campaign", "api_key", "acme.api-us1.com", 60, 3, ("crm-sync", "contact.updated", "cnt", "sync_contact"), 290.0)
        },
        ConnectionPlan {
            end: Some((Paused, 20, "paused by Dana Whitfield: evaluating against GA4")),
            ..plan(Live, "plausible", "Plausible — acme-outdoor.example", "api_key", "acme-outdoor.example", 58, 2, ("analytics", "signup", "usr", "send_event"), 120.0)
        },
        ConnectionPlan {
            scopes: Some(&["api", "id"]),
            end: Some((AuthExpired, 5, "refresh failed: invalid_grant (expired access/refresh token)")),
            ..plan(Live, "salesforce", "Salesforce — acme.my.salesforce.com", "oauth2", "00D5g000004XyZaEAK", 55, 3, ("forms", "lead.captured", "led", "create_lead"), 410.0)
        },
        ConnectionPlan {
            scopes: Some(&["base", "deals:read", "contacts:full"]),
            end: Some((Error, 2, "scope_insufficient: create_deal needs deals:full — 403 from api.pipedrive.com")),
            ..plan(Live, "pipedrive", "Pipedrive — Wholesale deals", "oauth2", "company 8841207", 40, 2, ("forms", "quote.requested", "quo", "create_deal"), 230.0)
        },
        plan(Staging, "stripe", "Stripe — test mode", "api_key", "acct_1Q8hAcmeTest", 87, 3, ("commerce", "customer.registered", "cus", "create_customer"), 200.0),
        plan(Staging, "webhook", "Staging webhook receiver", "signed_token", "staging-hooks.acme-outdoor.example", 86, 3, ("commerce", "order.paid", "ord", "post_event"), 60.0),
        ConnectionPlan {
            end: Some((Error, 6, "5 consecutive delivery failures: 429 Too Many Requests")),
            ..plan(Staging, "mailchimp", "Mailchimp — staging audience", "oauth2", "us21:0c77e1f5b2", 50, 1, ("newsletter", "subscriber.created", "sub", "upsert_member"), 270.0)
        },
    ]
}
