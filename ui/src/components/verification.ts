// How each vendor's events prove they are the vendor's, in the words an operator knows: the
// connector page, a connection's event source and the event log all say it the same way.
import { humanize } from "./format";

const INBOUND_VERIFICATION: Record<string, string> = {
  stripe_v1: "Stripe-Signature (HMAC-SHA256 of the timestamp and body)",
  standard_webhooks: "Standard Webhooks signature (webhook-id, -timestamp, -signature)",
  hubspot_v3: "X-HubSpot-Signature-v3 (HMAC-SHA256 over the public address, body and time)",
  square_hmac_sha256: "x-square-hmacsha256-signature (HMAC-SHA256 over the public address and body)",
  paypal_verify_api: "PayPal's verify-webhook-signature API, asked for each event (needs the network)",
  url_secret: "A secret in the address the vendor is given (the vendor does not sign)",
  basic_auth: "HTTP Basic credentials the vendor is given",
  channel_token_header: "The channel token it was given (X-Goog-Channel-Token)",
  body_token: "The token it was given, in the body",
  none: "The vendor sends no events",
  app: "The app's own event (a connection's state changed)",
  events_api: "Fetched from the vendor's events API with the connection's credential",
};

export function verificationLabel(scheme: string): string {
  return INBOUND_VERIFICATION[scheme] ?? humanize(scheme);
}

/** What the operator pastes as the secret, per scheme. */
export const SECRET_HINT: Record<string, string> = {
  stripe_v1: "The endpoint's signing secret (whsec_…), or the one `stripe listen` prints",
  standard_webhooks: "The endpoint's signing secret (whsec_ and base64)",
  hubspot_v3: "The app's client secret",
  square_hmac_sha256: "The subscription's signature key",
  paypal_verify_api: "The webhook's ID, as PayPal's dashboard shows it (e.g. 8PT597110X687430LKGECATA)",
  url_secret: "The secret you put in the address you gave the vendor (?secret=…)",
  basic_auth: "The user:password you gave the vendor",
  channel_token_header: "The channel token you gave Google when you opened the channel",
  body_token: "The token you gave Zoho for the notification channel",
};
