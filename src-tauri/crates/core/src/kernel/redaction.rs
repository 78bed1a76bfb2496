//! The one set of rules for what of a request or an answer may be kept or shown: the delivery
//! log's recorded exchanges, received vendor events, and support bundles all go through here.
//!
//! * Headers and query parameters whose name says they carry a credential keep `[redacted]`.
//!   Signatures are kept — they are not secrets, and a refused request can be checked again
//!   with them once its secret is fixed.
//! * In a JSON (or form) body, the value of every key that names a credential
//!   (`access_token`, `client_secret`, `password`…), at any depth.
//! * Any known secret value (a connection's credential fields), wherever it appears, found in
//!   one pass with Aho-Corasick — also URL-encoded.
//! * A token in the body of the body-token scheme (Zoho's) is blanked.

use aho_corasick::AhoCorasick;
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
const SECRET_WORDS: [&str; 8] = [
    "token",
    "secret",
    "password",
    "passphrase",
    "api-key",
    "api_key",
    "apikey",
    "credential",
];

/// Whether a header, parameter or JSON key of this name carries a credential.
pub fn looks_secret(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    SECRET_HEADERS.contains(&name.as_str()) || SECRET_WORDS.iter().any(|w| name.contains(w))
}

/// Replaces, at any depth, the value of every key that names a credential — also inside a
/// string that holds JSON itself (a recorded body), and in a string's `"key": "value"` pairs
/// when it is JSON cut short.
pub fn json_value(value: &mut Value) {
    match value {
        Value::Object(object) => {
            for (key, inner) in object.iter_mut() {
                match looks_secret(key) && !inner.is_null() {
                    true => *inner = Value::String(REDACTED.into()),
                    false => json_value(inner),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(json_value),
        Value::String(text) => *text = json_text(text),
        _ => {}
    }
}

/// A text with its credential values redacted: parsed and redacted if it is JSON; otherwise
/// every `"key": "value"` pair whose key names a credential has its value replaced (JSON cut
/// short, JSON quoted in a message).
pub fn json_text(text: &str) -> String {
    if text.starts_with(['{', '[']) {
        if let Ok(mut json) = serde_json::from_str::<Value>(text) {
            json_value(&mut json);
            return json.to_string();
        }
    }
    if !text.contains('"') {
        return text.to_string();
    }
    secret_pairs()
        .replace_all(text, |found: &regex::Captures<'_>| {
            format!("{}\"{REDACTED}\"", &found[1])
        })
        .into_owned()
}

/// `"<a key naming a credential>" : "<its value>"`, the value possibly cut short.
fn secret_pairs() -> &'static regex::Regex {
    static PAIRS: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    PAIRS.get_or_init(|| {
        let words = SECRET_WORDS.join("|");
        regex::Regex::new(&format!(
            r#"(?i)("[^"]*(?:{words}|authorization|cookie)[^"]*"\s*:\s*)"(?:[^"\\]|\\.)*(?:"|$)"#
        ))
        .expect("the pattern is valid")
    })
}

/// A body as it may be kept: a JSON body with its credential keys redacted, a form body with
/// its credential parameters redacted, any other text as it is; then cut to `limit` bytes (at a
/// character boundary, marked with `…`). Redacting before cutting matters: a JSON body cut
/// short no longer parses, and its token would be kept whole.
pub fn body_excerpt(body: &[u8], limit: usize) -> String {
    let text = String::from_utf8_lossy(body);
    let kept = match looks_like_form(&text) {
        true => form(&text),
        false => json_text(&text),
    };
    cut(kept, limit)
}

fn looks_like_form(text: &str) -> bool {
    text.contains('=') && !text.contains(char::is_whitespace) && !text.starts_with(['{', '['])
}

/// A form body (`a=1&access_token=…`) with its credential parameters' values replaced.
fn form(text: &str) -> String {
    text.split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if looks_secret(&decoded(name)) => format!("{name}={REDACTED}"),
            _ => pair.to_string(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn decoded(name: &str) -> String {
    url::form_urlencoded::parse(name.as_bytes())
        .map(|(k, _)| k.into_owned())
        .collect()
}

fn cut(mut text: String, limit: usize) -> String {
    if text.len() <= limit {
        return text;
    }
    let mut end = limit;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    text.push('…');
    text
}

/// Secret values known by value (a connection's credential fields), replaced wherever they
/// appear in a text, also URL-encoded. Values shorter than four characters are left: they
/// would match everywhere and are no credential.
pub struct KnownSecrets {
    finder: Option<AhoCorasick>,
}

impl KnownSecrets {
    pub fn new<'a>(secrets: impl IntoIterator<Item = &'a str>) -> Self {
        let mut patterns: Vec<String> = Vec::new();
        for secret in secrets.into_iter().filter(|s| s.len() >= 4) {
            let encoded: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
            if encoded != secret {
                patterns.push(encoded);
            }
            patterns.push(secret.to_string());
        }
        let finder = match patterns.is_empty() {
            true => None,
            // Longest first, so a secret containing another is replaced whole.
            false => AhoCorasick::builder()
                .match_kind(aho_corasick::MatchKind::LeftmostLongest)
                .build(&patterns)
                .ok(),
        };
        KnownSecrets { finder }
    }

    pub fn of_fields(fields: &sgen_vault::SecretFields) -> Self {
        Self::new(
            fields
                .names()
                .filter_map(|name| fields.get(name))
                .map(|secret| secret.expose()),
        )
    }

    /// `text` with every known secret replaced.
    pub fn hide(&self, text: &str) -> String {
        match &self.finder {
            None => text.to_string(),
            Some(finder) => finder.replace_all(text, &vec![REDACTED; finder.patterns_len()]),
        }
    }

    /// Whether `text` holds a known secret.
    pub fn found_in(&self, text: &[u8]) -> bool {
        self.finder
            .as_ref()
            .is_some_and(|finder| finder.is_match(text))
    }
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
            let decoded = decoded(name);
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

    #[test]
    fn a_body_keeps_no_credential_key_at_any_depth_even_cut_short() {
        let body = br#"{"ok":true,"data":{"access_token":"tok-1","items":[{"client_secret":"cs-2","n":1}]},"refresh_token":null}"#;
        let kept = body_excerpt(body, 30);
        assert!(!kept.contains("tok-1") && !kept.contains("cs-2"), "{kept}");
        assert!(kept.ends_with('…') && kept.len() <= 30 + '…'.len_utf8());
        let whole: Value = serde_json::from_str(&body_excerpt(body, 4096)).unwrap();
        assert_eq!(whole["data"]["access_token"], REDACTED);
        assert_eq!(whole["data"]["items"][0]["client_secret"], REDACTED);
        assert_eq!(whole["data"]["items"][0]["n"], 1);
        // A null says no token was given: kept, it tells support something.
        assert_eq!(whole["refresh_token"], Value::Null);

        assert_eq!(
            body_excerpt(b"grant_type=refresh_token&refresh_token=rt-3&x=1", 100),
            "grant_type=refresh_token&refresh_token=[redacted]&x=1"
        );
        assert_eq!(
            body_excerpt(b"Service Unavailable", 100),
            "Service Unavailable"
        );
        // JSON in a string, JSON cut short, JSON quoted in a message.
        let mut nested = serde_json::json!({ "body": r#"{"session":{"refresh_token":"rt-4"}}"# });
        json_value(&mut nested);
        assert!(!nested.to_string().contains("rt-4"), "{nested}");
        assert_eq!(
            json_text(r#"{"a":1,"Access_Token": "at-5\"x","b":"#),
            r#"{"a":1,"Access_Token": "[redacted]","b":"#
        );
        assert_eq!(
            json_text(r#"failed: {"client_secret":"cs-6"} was refused"#),
            r#"failed: {"client_secret":"[redacted]"} was refused"#
        );
        assert_eq!(
            json_text(r#"{"api_key":"cut sho"#),
            r#"{"api_key":"[redacted]""#
        );
        assert_eq!(body_excerpt("ééé".as_bytes(), 3), "é…");
    }

    #[test]
    fn known_secrets_are_replaced_wherever_they_are_also_url_encoded() {
        let known = KnownSecrets::new(["sk_live_abc", "a b+c/d", "xy"]);
        assert_eq!(
            known.hide("key=sk_live_abc; q=a+b%2Bc%2Fd; xy stays"),
            "key=[redacted]; q=[redacted]; xy stays"
        );
        assert!(known.found_in(b"..sk_live_abc.."));
        assert!(!known.found_in(b"sk_live_ab"));
        assert_eq!(KnownSecrets::new([]).hide("as is"), "as is");
    }
}
