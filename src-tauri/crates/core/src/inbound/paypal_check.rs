//! PayPal's events are verified by PayPal (SPEC §7): it signs them with a certificate, and the
//! documented check is its `verify-webhook-signature` API, called with the connection's own
//! credential, the transmission headers, the webhook's id (what the operator enters in place of
//! a secret) and the event. Online, PayPal's answer decides. Offline, nothing can be known: the
//! request is refused as "could not be asked" with a 503, so PayPal delivers it again later
//! (it retries for three days), and it is kept to re-check by hand once the network is back.

use crate::inbound::verification::{InboundRequest, Rejection};
use crate::kernel::vendor_http::{self, Outgoing, DELIVERY_TIMEOUT};
use crate::Core;
use serde_json::{json, Value};
use sgen_catalog::HttpMethod;
use sgen_vault::Secret;

/// Under the API base.
pub(crate) const VERIFY_PATH: &str = "/v1/notifications/verify-webhook-signature";

impl Core {
    /// Asks PayPal whether `request` is its own for any of the webhook ids entered.
    pub(crate) fn paypal_check(
        &self,
        connection_id: &str,
        request: &InboundRequest<'_>,
        webhook_ids: &[Secret],
    ) -> Result<(), Rejection> {
        if webhook_ids.is_empty() {
            return Err(Rejection::NoSecret);
        }
        let transmission = json!({
            "auth_algo": request.required("PAYPAL-AUTH-ALGO")?,
            "cert_url": request.required("PAYPAL-CERT-URL")?,
            "transmission_id": request.required("PAYPAL-TRANSMISSION-ID")?,
            "transmission_sig": request.required("PAYPAL-TRANSMISSION-SIG")?,
            "transmission_time": request.required("PAYPAL-TRANSMISSION-TIME")?,
        });
        let event: Value =
            serde_json::from_slice(request.body).map_err(|e| Rejection::Malformed {
                reason: format!("the body is not JSON: {e}"),
            })?;
        let mut answers = Vec::new();
        for webhook_id in webhook_ids {
            let mut asked = transmission.clone();
            asked["webhook_id"] = webhook_id.expose().into();
            asked["webhook_event"] = event.clone();
            match self.ask_paypal(connection_id, &asked)? {
                status if status == "SUCCESS" => return Ok(()),
                status => answers.push(status),
            }
        }
        Err(Rejection::VendorRejected {
            answer: answers.join(", "),
        })
    }

    /// PayPal's `verification_status` for one check; failing to get one is `VendorUnreachable`.
    fn ask_paypal(&self, connection_id: &str, asked: &Value) -> Result<String, Rejection> {
        let unreachable = |reason: String| Rejection::VendorUnreachable { reason };
        let (record, fields) = self
            .open_connection(connection_id)
            .map_err(|e| unreachable(format!("the connection cannot call PayPal: {e}")))?;
        let prepared = (|| {
            let manifest = self.manifest(&record.connector_type)?;
            let flow = self.flow_of(&record)?;
            let api_base = self.calls_go_to(&record, flow, &fields)?;
            let policy = self.send_policy(&record)?;
            let outgoing = Outgoing {
                method: HttpMethod::Post,
                path: VERIFY_PATH,
                body: serde_json::to_vec(asked).expect("a JSON value serializes"),
                values: None,
                message_id: "",
                idempotent: false,
                timeout: DELIVERY_TIMEOUT,
                policy: policy.as_ref(),
            };
            vendor_http::prepare(manifest, flow, &fields, api_base.as_deref(), outgoing)
        })()
        .map_err(|e| unreachable(e.to_string()))?;
        let answer = prepared
            .send()
            .map_err(|failed| unreachable(failed.reason))?;
        if answer.status != 200 {
            return Err(unreachable(format!("it answered {}", answer.status)));
        }
        answer.body["verification_status"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| unreachable("its answer has no verification_status".into()))
    }
}
