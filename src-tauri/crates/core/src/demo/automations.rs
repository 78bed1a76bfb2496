//! The demo's automations (issue 14): what a site owner would set up on these connections, with
//! events already received that the engine turns into run history when the app starts — one
//! whose conditions do not pass, so "why didn't it fire?" has an answer to show; a large refund
//! waiting for the owner's approval in the Tasks inbox; and an automation that pauses itself
//! because a connection it needs is unhealthy, keeping the events that arrive meanwhile.

use crate::inbound::connection_events::{self, RESTORED};
use crate::kernel::ids::sequential_id;
use crate::kernel::sites::SiteEnvironment;
use crate::model::EnvironmentName;
use crate::{Core, CoreError, CoreResult};
use serde_json::{json, Value};
use sgen_store::inbound_events::{self, NewInboundEvent};
use sgen_store::model::ConnectionState;

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
        // A broken connection with actions: new Stripe customers go to it, and wait.
        let broken = rows
            .iter()
            .filter(|r| r.record.state == ConnectionState::Error)
            .find_map(|r| {
                let manifest = self.manifest(&r.record.connector_type).ok()?;
                let action = manifest.actions.first()?.id.clone();
                Some((r.record.clone(), action))
            })
            .ok_or_else(|| CoreError::Internal("the demo has no broken connection".into()))?;
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
                "name": "Large refunds need the owner's approval",
                "description": "Refunds over $100 wait for the owner to approve them; then the team hears.",
                "trigger": {"event": "charge.refunded", "connection": stripe,
                    "conditions": {"match": "all", "rows": [{"field": "data.object.amount", "op": ">", "value": 10000}]}},
                "actions": [
                    {"type": "task", "params": {"title": "Approve the refund",
                        "instructions": "Check the order in the shop, then approve or reject the refund.",
                        "output_schema": {"type": "object", "required": ["approved"], "properties": {
                            "approved": {"type": "boolean"}, "notes": {"type": "string"}}},
                        "timeout_seconds": 172800, "on_timeout": "fail"}},
                    {"type": "notify", "params": {"message": "A refund over $100 was decided", "priority": "high"}}
                ],
                "status": "active"
            }),
            json!({
                "name": "New customers to the CRM",
                "description": format!("Each new Stripe customer goes to {}.", broken.0.display_name),
                "trigger": {"event": "customer.created", "connection": stripe},
                "actions": [{"type": "connector_action", "params": {"connection": broken.0.id, "action": broken.1}}],
                "status": "active"
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
        let payment = |n: usize, amount: i64, email: &str| {
            let object = json!({"id": format!("pi_demo_{n}"), "object": "payment_intent",
                "amount": amount, "currency": "usd", "receipt_email": email});
            (
                "payment_intent.succeeded",
                format!("evt_demo_payment_{n}"),
                object,
            )
        };
        let received = [
            payment(0, 4200, "ada@example.com"),
            payment(1, 12900, "grace@example.com"),
            payment(2, 0, "zero@example.com"),
            (
                "charge.refunded",
                "evt_demo_refund_0".to_string(),
                json!({"id": "ch_demo_0", "object": "charge", "amount": 25000, "amount_refunded": 25000,
                    "currency": "usd", "receipt_email": "grace@example.com"}),
            ),
        ];
        let customers = ["lin@example.com", "sam@example.com"].map(|email| {
            let id = format!("evt_demo_customer_{}", &email[..3]);
            let object = json!({"id": format!("cus_demo_{}", &email[..3]), "object": "customer", "email": email});
            ("customer.created", id, object)
        });
        self.write(|tx| {
            let store = |(event_type, vendor_id, object): &(&str, String, Value), n: usize| {
                let payload = json!({
                    "id": vendor_id, "object": "event", "type": event_type,
                    "created": now / 1000 - 600 + n as i64 * 60,
                    "data": {"object": object}
                });
                inbound_events::insert_fetched(
                    tx,
                    &NewInboundEvent {
                        id: &sequential_id("ine", now),
                        environment_id,
                        connection_id: &stripe,
                        dedupe_key: vendor_id,
                        vendor_event_id: Some(vendor_id),
                        event_type,
                        arrival: "pulled",
                        verified_by: "events_api",
                        received_at: now,
                        signed_at: None,
                        headers: "{}",
                        payload: payload.to_string().as_bytes(),
                    },
                )
            };
            for (n, event) in received.iter().enumerate() {
                store(event, n)?;
            }
            // The broken connection's trouble, as the app records it: the engine pauses what
            // depends on it, and keeps the customers that arrive after.
            connection_events::record(
                tx,
                &broken.0,
                ConnectionState::Active,
                ConnectionState::Error,
                "deliveries to it keep failing (last: HTTP 503)",
                now,
            )?;
            for (n, event) in customers.iter().enumerate() {
                store(event, received.len() + n)?;
            }
            Ok(())
        })
    }
}
