//! A JSON object as `application/x-www-form-urlencoded`, the way Stripe (and Rails-style APIs)
//! read nested values: `metadata[order]=7`, `items[0][price]=p_1`. Null is written empty, which
//! is how such APIs clear a field.

use serde_json::Value;

/// The object's fields as form pairs, then encoded.
pub(crate) fn encode(object: &serde_json::Map<String, Value>) -> String {
    let mut pairs = Vec::new();
    for (key, value) in object {
        flatten(key.clone(), value, &mut pairs);
    }
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    for (key, value) in &pairs {
        form.append_pair(key, value);
    }
    form.finish()
}

fn flatten(key: String, value: &Value, pairs: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (sub, v) in map {
                flatten(format!("{key}[{sub}]"), v, pairs);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                flatten(format!("{key}[{i}]"), v, pairs);
            }
        }
        Value::String(s) => pairs.push((key, s.clone())),
        Value::Null => pairs.push((key, String::new())),
        other => pairs.push((key, other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_values_are_written_in_brackets() {
        let body = serde_json::json!({
            "email": "ada@example.com",
            "metadata": {"order": "ord 7", "total": 12.5},
            "preferred_locales": ["en", "fr"],
            "tax_exempt": null,
            "balance": -300,
            "test_clock": true,
        });
        let encoded = encode(body.as_object().unwrap());
        assert_eq!(
            encoded,
            "balance=-300&email=ada%40example.com&metadata%5Border%5D=ord+7&metadata%5Btotal%5D=12.5\
             &preferred_locales%5B0%5D=en&preferred_locales%5B1%5D=fr&tax_exempt=&test_clock=true"
        );
    }
}
