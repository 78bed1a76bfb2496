//! What of a received request is kept: headers and the address with secret-looking values
//! replaced, and a token in the body (Zoho's) blanked. Signatures are kept — they are not
//! secrets, and a refused request can be checked again with them once its secret is fixed.

use serde_json::{Map, Value};

pub const REDACTED: &str = "[redacted]";

/// Header names whose value is a credential, or words that name one.
const SECRET_HEADERS: [&str; 5] = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-goog-channel-token",
];
const SECRET_WORDS: [&str; 5] = ["token", "secret", "password", "api-key", "apikey"];

fn looks_secret(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    SECRET_HEADERS.contains(&name.as_str()) || SECRET_WORDS.iter().any(|w| name.contains(w))
}

/// The headers as a JSON object (a repeated header's values joined with `, `).
pub fn headers_json(headers: &[(String, String)]) -> String {
    let mut object = Map::new();
    for (name, value) in headers {
        let value = match looks_secret(name) {
            true => REDACTED,
            false => value.as_str(),
        };
        let name = name.to_ascii_lowercase();
        match object.get_mut(&name) {
            Some(Value::String(joined)) => {
                joined.push_str(", ");
                joined.push_str(value);
            }
            _ => {
                object.insert(name, Value::String(value.to_string()));
            }
        }
    }
    Value::Object(object).to_string()
}

/// The path and query with every secret-looking parameter's value replaced; the rest kept as
/// it was sent.
pub fn target(target: &str) -> String {
    let Some((path, query)) = target.split_once('?') else {
        return target.to_string();
    };
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| {
            let (name, _) = pair.split_once('=').unwrap_or((pair, ""));
            let decoded: String = url::form_urlencoded::parse(name.as_bytes())
                .map(|(k, _)| k.into_owned())
                .collect();
            match looks_secret(&decoded) || decoded.eq_ignore_ascii_case("key") {
                true => format!("{name}={REDACTED}"),
                false => pair.to_string(),
            }
        })
        .collect();
    format!("{path}?{}", pairs.join("&"))
}

/// A JSON body with its top-level `token` blanked (the body-token scheme's secret); any other
/// body as it is.
pub fn body_token(body: &[u8]) -> Vec<u8> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(mut object)) if object.contains_key("token") => {
            object.insert("token".into(), Value::String(REDACTED.into()));
            serde_json::to_vec(&Value::Object(object)).expect("a JSON value serializes")
        }
        _ => body.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_in_headers_and_the_address_are_replaced_and_signatures_kept() {
        let headers = [
            (
                "Authorization".to_string(),
                "Basic c2dlbjpzM2NyM3Q=".to_string(),
            ),
            (
                "X-Goog-Channel-Token".to_string(),
                "chan-secret".to_string(),
            ),
            ("X-Api-Key".to_string(), "k".to_string()),
            ("Stripe-Signature".to_string(), "t=1,v1=ab".to_string()),
            ("Accept".to_string(), "a".to_string()),
            ("accept".to_string(), "b".to_string()),
        ];
        let json: Value = serde_json::from_str(&headers_json(&headers)).unwrap();
        assert_eq!(json["authorization"], REDACTED);
        assert_eq!(json["x-goog-channel-token"], REDACTED);
        assert_eq!(json["x-api-key"], REDACTED);
        assert_eq!(json["stripe-signature"], "t=1,v1=ab");
        assert_eq!(json["accept"], "a, b");

        assert_eq!(
            target("/in/con_1?secret=s3cr3t&list=abc&token=t"),
            "/in/con_1?secret=[redacted]&list=abc&token=[redacted]"
        );
        assert_eq!(target("/in/con_1"), "/in/con_1");
        let body = body_token(br#"{"token":"zoho-secret","module":"Leads"}"#);
        assert!(!String::from_utf8(body).unwrap().contains("zoho-secret"));
    }
}
