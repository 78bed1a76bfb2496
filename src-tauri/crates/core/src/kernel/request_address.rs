//! A vendor request's address, from the manifest's template (`{account_url}/api/3`,
//! `/lists/{list_id}/members`) and the connection's credential fields and the event's values.

use crate::{CoreError, CoreResult};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use sgen_vault::SecretFields;

/// Everything but the unreserved characters (RFC 3986), so a value stays one path segment or
/// one query value whatever it holds.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Fills `{name}` placeholders with credential fields, then event fields. A field that begins
/// the address is its base (a URL the connect form checked) and goes in as it is; every other
/// value is percent-encoded, so `a/../b` or `x?admin=1` in a credential or an event cannot
/// change where the request goes. A missing value is named by its placeholder only: the
/// filled address may hold a credential and is never echoed.
pub(crate) fn fill_templates(
    text: &str,
    fields: &SecretFields,
    values: Option<&serde_json::Map<String, serde_json::Value>>,
) -> CoreResult<String> {
    // The value, and whether it is the connection's own (an event's never makes a base).
    let value_of = |name: &str| -> Option<(String, bool)> {
        if let Some(secret) = fields.get(name) {
            return Some((secret.expose().to_string(), true));
        }
        match values?.get(name)? {
            serde_json::Value::String(s) => Some((s.clone(), false)),
            serde_json::Value::Number(n) => Some((n.to_string(), false)),
            _ => None,
        }
    };
    let mut filled = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        filled.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find('}').ok_or_else(|| {
            CoreError::invalid("the request address has a `{` that is never closed")
        })?;
        let name = &after[..close];
        let (value, own) = value_of(name).ok_or_else(|| {
            CoreError::invalid(format!(
                "no value for {{{name}}} in the request address (a credential field or an event field)"
            ))
        })?;
        if own && filled.is_empty() && open == 0 {
            filled.push_str(&value);
        } else if value == "." || value == ".." {
            // Encoded or not, a URL parser reads these as "here" and "up one".
            return Err(CoreError::invalid(format!(
                "{{{name}}} cannot be `{value}`: it would change the request's path"
            )));
        } else {
            filled.extend(utf8_percent_encode(&value, COMPONENT));
        }
        rest = &after[close + 1..];
    }
    filled.push_str(rest);
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> SecretFields {
        SecretFields::new()
            .with(
                "account_url",
                sgen_vault::Secret::new("https://acme.api-us1.com"),
            )
            .with("site_id", sgen_vault::Secret::new("7/../admin?x=1"))
    }

    #[test]
    fn a_base_goes_in_as_it_is_and_every_other_value_stays_one_segment() {
        let event = serde_json::json!({"list_id": "a b/c", "n": 42});
        let filled = fill_templates(
            "{account_url}/api/3/sites/{site_id}/lists/{list_id}?n={n}",
            &fields(),
            event.as_object(),
        )
        .unwrap();
        assert_eq!(
            filled,
            "https://acme.api-us1.com/api/3/sites/7%2F..%2Fadmin%3Fx%3D1/lists/a%20b%2Fc?n=42"
        );
    }

    #[test]
    fn an_event_value_never_makes_the_base_nor_climbs_the_path() {
        let event = serde_json::json!({"host": "https://evil.example", "up": ".."});
        let filled = fill_templates("{host}/x", &SecretFields::new(), event.as_object()).unwrap();
        assert_eq!(filled, "https%3A%2F%2Fevil.example/x");
        let err = fill_templates("/lists/{up}/x", &SecretFields::new(), event.as_object());
        assert!(err
            .unwrap_err()
            .to_string()
            .contains("change the request's path"));
    }

    #[test]
    fn a_missing_value_is_named_without_echoing_the_address() {
        // The credential holds a brace: the old message cut the filled address at braces.
        let fields = SecretFields::new().with("api_key", sgen_vault::Secret::new("s3cr}t{"));
        let err = fill_templates("/x/{api_key}/{missing}", &fields, None).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("{missing}"), "{text}");
        assert!(!text.contains("s3cr"), "{text}");
    }
}
