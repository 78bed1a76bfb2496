// A test call's outcome in words, the same wording the core uses for errors.
import type { TestOutcome } from "../bindings/TestOutcome";

export function describeOutcome(o: TestOutcome): string {
  switch (o.outcome) {
    case "connected":
      return o.account_id ? `Connected to ${o.account_id}` : "Connected";
    case "credential_expired":
      return "The vendor says the credential has expired";
    case "credential_revoked":
      return "The vendor refused the credential: it was revoked, deleted or is wrong";
    case "scope_insufficient":
      return o.missing_scopes.length
        ? `Missing scopes: ${o.missing_scopes.join(", ")}`
        : "The credential lacks a permission the call needs";
    case "vendor_error":
      return `The vendor answered HTTP ${o.code}`;
    case "network_error":
      return `Could not reach the vendor: ${o.reason}`;
  }
}
