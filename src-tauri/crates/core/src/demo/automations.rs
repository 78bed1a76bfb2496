//! The demo's automations (issue 14): what a site owner would set up on these connections, with
//! events already received that the engine turns into run history when the app starts — one
//! whose conditions do not pass, so "why didn't it fire?" has an answer to show.

use crate::inbound::connection_events::RESTORED;
use crate::kernel::ids::sequential_id;
use crate::kernel::sites::SiteEnvironment;
use crate::model::EnvironmentName;
use crate::{Core, CoreError, CoreResult};
use serde_json::json;
use sgen_store::inbound_events::{self, NewInboundEvent};

impl Core {
    pub(super) fn seed_demo_automations(&self, site_id: &str) -> CoreResult<()> {
        let scope = SiteEnvironment {
            site_id: site_id.to_string(),
            environment: EnvironmentName::Live,
        };
        let rows = self.connections(&scope, &Default::default())?.rows;
        let id_of = |connector: &str| {
            rows.iter()
                .find(|r| r.record.connector_type == connector)
                .map(|r| r.record.id.clone())
                .ok_or_else(|| {
                    CoreError::Internal(format!("the demo has no {connector} connection"))
                })
        };
        let (stripe, hubspot, mailchimp, webhook) = (
            id_of("stripe")?,
            id_of("hubspot")?,
            id_of("mailchimp")?,
            id_of("webhook")?,
        );
        let automations = [
            json!({
                "name": "Paying customers to HubSpot",
                "description": "Every succeeded payment updates the customer's HubSpot contact, then tells the team.",
                "trigger": {"event": "payment_intent.succeeded", "connection": stripe,
                    "conditions": "event.data.object.amount > 0 && event.data.object.currency == 'usd'"},
                "actions": [
                    {"type": "connector_action", "params": {"connection": hubspot, "action": "upsert_contact",
                        "mapping": {"inputs.0.id": "data.object.receipt_email", "inputs.0.idProperty": "\"email\""}}},
                    {"type": "notify", "params": {"message": "A payment arrived and HubSpot is up to date"}}
                ],
                "status": "active"
            }),
            json!({
                "name": "Unsubscribes to the fulfilment relay",
                "description": "Tell the warehouse relay when someone leaves the newsletter, so inserts stop.",
                "trigger": {"event": "unsubscribe", "connection": mailchimp},
                "actions": [{"type": "webhook", "params": {"connection": webhook}}],
                "status": "active"
            }),
            json!({
                "name": "Large refunds: tell the owner",
                "description": "A draft: refunds over $100 notify the owner (an approval step comes next).",
                "trigger": {"event": "charge.refunded", "connection": stripe,
                    "conditions": {"match": "all", "rows": [{"field": "data.object.amount", "op": ">", "value": 10000}]}},
                "actions": [
                    {"type": "delay", "params": {"seconds": 60}},
                    {"type": "notify", "params": {"message": "A refund over $100 went out", "priority": "high"}}
                ],
                "status": "draft"
            }),
            json!({
                "name": "Connections back to health",
                "trigger": {"event": RESTORED},
                "actions": [{"type": "notify", "params": {"message": "A connection is working again"}}],
                "status": "active"
            }),
        ];
        for automation in &automations {
            self.save_automation(&scope, None, &automation.to_string())?;
        }
        let environment_id = self.environment_id(&scope)?;
        let now = self.now();
        let payments = [
            (4200, "ada@example.com"),
            (12900, "grace@example.com"),
            (0, "zero@example.com"),
        ];
        self.write(|tx| {
            for (n, (amount, email)) in payments.iter().enumerate() {
                let vendor_id = format!("evt_demo_payment_{n}");
                let payload = json!({
                    "id": vendor_id, "object": "event", "type": "payment_intent.succeeded",
                    "created": now / 1000 - 600 + n as i64 * 60,
                    "data": {"object": {"id": format!("pi_demo_{n}"), "object": "payment_intent",
                        "amount": amount, "currency": "usd", "receipt_email": email}}
                });
                inbound_events::insert_fetched(
                    tx,
                    &NewInboundEvent {
                        id: &sequential_id("ine", now),
                        environment_id,
                        connection_id: &stripe,
                        dedupe_key: &vendor_id,
                        vendor_event_id: Some(&vendor_id),
                        event_type: "payment_intent.succeeded",
                        arrival: "pulled",
                        verified_by: "events_api",
                        received_at: now,
                        signed_at: None,
                        headers: "{}",
                        payload: payload.to_string().as_bytes(),
                    },
                )?;
            }
            Ok(())
        })
    }
}
