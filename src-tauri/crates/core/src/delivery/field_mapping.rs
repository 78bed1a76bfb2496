//! Per-connection field mapping (SPEC §2, §6): for an action, which field of the event fills
//! which field of the vendor's request. Stored on the connection as
//! `{"<action>": {"<target path>": "<source path>"}}`; paths are dotted (`properties.email`,
//! `customer.emails.0`), a source in double quotes is a constant (`"\"newsletter\""`). An
//! action without a mapping sends the event's payload as it is. The mapping is applied when
//! the event is queued, so the outbox holds the request that will be sent, and an event that
//! lacks a mapped field is refused then, naming it, with nothing queued.

use crate::access::{self, Target};
use crate::kernel::connection_state::Operation;
use crate::{Core, CoreError, CoreResult};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Target path → source path (or quoted constant), for one action.
pub type ActionMapping = BTreeMap<String, String>;

/// The deepest a path goes, and the highest array position it names: a request body is a few
/// levels deep, and `to.4000000000` would otherwise make an array of four billion nulls.
const MAX_DEPTH: usize = 16;
const MAX_INDEX: usize = 999;

/// The request body `mapping` makes of `payload`.
pub(crate) fn apply(mapping: &ActionMapping, payload: &Value) -> Result<Value, String> {
    let mut body = Value::Object(Map::new());
    for (target, source) in mapping {
        let value = match constant(source) {
            Some(text) => Value::String(text.to_string()),
            None => lookup(payload, source).cloned().ok_or_else(|| {
                format!("the event has no `{source}`, which the field mapping puts in `{target}`")
            })?,
        };
        place(&mut body, target, value)?;
    }
    Ok(body)
}

fn constant(source: &str) -> Option<&str> {
    source.strip_prefix('"')?.strip_suffix('"')
}

fn lookup<'v>(payload: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.')
        .try_fold(payload, |value, segment| match value {
            Value::Object(map) => map.get(segment),
            Value::Array(items) => segment.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        })
}

/// Puts `value` at `path` in `body`, making the objects (and, for numeric segments, arrays)
/// on the way. A path stored before paths were bounded is refused here rather than obeyed.
fn place(body: &mut Value, path: &str, value: Value) -> Result<(), String> {
    if !valid_path(path) {
        return Err(format!("`{path}` is not a field path this app accepts"));
    }
    let mut here = body;
    for segment in path.split('.') {
        here = match array_index(segment) {
            Some(index) => {
                if !here.is_array() {
                    *here = Value::Array(Vec::new());
                }
                let items = here.as_array_mut().expect("made an array above");
                if items.len() <= index {
                    items.resize(index + 1, Value::Null);
                }
                &mut items[index]
            }
            None => {
                if !here.is_object() {
                    *here = Value::Object(Map::new());
                }
                here.as_object_mut()
                    .expect("made an object above")
                    .entry(segment)
                    .or_insert(Value::Null)
            }
        };
    }
    *here = value;
    Ok(())
}

/// A segment of digits names an array position.
fn array_index(segment: &str) -> Option<usize> {
    segment
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| segment.parse().unwrap_or(usize::MAX))
}

fn valid_path(path: &str) -> bool {
    !path.is_empty()
        && path.len() <= 200
        && path.split('.').count() <= MAX_DEPTH
        && path.split('.').all(|s| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_-$".contains(c))
                && array_index(s).is_none_or(|i| i <= MAX_INDEX)
        })
}

impl Core {
    /// Sets (or with an empty mapping, clears) how `action`'s request is made from an event.
    /// Administrators only; recorded in the activity log with the prior and new mapping.
    pub fn set_field_mapping(
        &self,
        connection_id: &str,
        action: &str,
        mapping: ActionMapping,
    ) -> CoreResult<serde_json::Value> {
        let operator = self.authorize(
            access::Operation::SetFieldMapping,
            Target::Connection(connection_id),
        )?;
        let record = self.record(connection_id)?;
        let manifest = self.manifest(&record.connector_type)?;
        if !manifest.actions.iter().any(|a| a.id == action) {
            return Err(CoreError::invalid(format!(
                "{} has no action `{action}`",
                manifest.display_name
            )));
        }
        for (target, source) in &mapping {
            if !valid_path(target) {
                return Err(CoreError::invalid(format!(
                    "`{target}` is not a field path (letters, digits, _ - $, separated by dots; at most {MAX_DEPTH} deep, array positions up to {MAX_INDEX})"
                )));
            }
            if constant(source).is_none() && !valid_path(source) {
                return Err(CoreError::invalid(format!(
                    "`{source}` is neither a field path of the event nor a \"quoted\" constant"
                )));
            }
        }
        let before = record.field_mapping.clone();
        let mut after = match &before {
            Value::Object(map) => map.clone(),
            _ => Map::new(),
        };
        if mapping.is_empty() {
            after.remove(action);
        } else {
            after.insert(
                action.to_string(),
                serde_json::to_value(&mapping).unwrap_or_default(),
            );
        }
        let after = Value::Object(after);
        let now = self.now();
        self.write(|tx| {
            sgen_store::connections::set_field_mapping(tx, connection_id, &after, now)?;
            self.record_operation(
                tx,
                &record,
                None,
                Operation::succeeded(
                    &operator.id,
                    "connection.field_mapping",
                    serde_json::json!({ "action": action, "before": before, "after": after }),
                    now,
                ),
            )
        })?;
        Ok(after)
    }
}

/// The mapping stored for `action` on a connection, if any.
pub(crate) fn for_action(stored: &Value, action: &str) -> Option<ActionMapping> {
    serde_json::from_value(stored.get(action)?.clone()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_taken_from_the_event_and_placed_in_the_request() {
        let mapping: ActionMapping = [
            ("properties.email", "customer.email"),
            ("properties.firstname", "customer.names.0"),
            ("properties.source", "\"webshop\""),
            ("to.0.email", "customer.email"),
        ]
        .into_iter()
        .map(|(t, s)| (t.to_string(), s.to_string()))
        .collect();
        let event =
            serde_json::json!({"customer": {"email": "ada@example.com", "names": ["Ada", "King"]}});
        assert_eq!(
            apply(&mapping, &event).unwrap(),
            serde_json::json!({
                "properties": {"email": "ada@example.com", "firstname": "Ada", "source": "webshop"},
                "to": [{"email": "ada@example.com"}],
            })
        );
        let err = apply(&mapping, &serde_json::json!({"customer": {}})).unwrap_err();
        assert!(err.contains("customer.email"), "{err}");
    }

    #[test]
    fn paths_are_checked() {
        assert!(valid_path("properties.email"));
        assert!(valid_path("to.999.email"));
        assert!(!valid_path("properties..email"));
        assert!(!valid_path("a b"));
        assert!(!valid_path(""));
        // Positions past any request's arrays, and depth past any request's nesting.
        assert!(!valid_path("a.4000000000"));
        assert!(!valid_path("a.18446744073709551615"));
        assert!(!valid_path("a.99999999999999999999999"));
        assert!(!valid_path(&["a"; 17].join(".")));
    }

    #[test]
    fn a_stored_path_past_the_bounds_is_refused_not_obeyed() {
        let mapping: ActionMapping =
            [("a.18446744073709551615".to_string(), "\"x\"".to_string())].into();
        let err = apply(&mapping, &serde_json::json!({})).unwrap_err();
        assert!(err.contains("not a field path"), "{err}");
    }

    fn json() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            ".{0,20}".prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 64, 8, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..8).prop_map(Value::from),
                proptest::collection::btree_map("[a-z0-9]{1,4}", inner, 0..8)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        /// Any path is judged without a panic; any mapping of paths the app accepts, applied to
        /// any event, makes a request or says what is missing, and never a huge one.
        #[test]
        fn fuzz_paths_and_mappings_never_panic(
            path in "[a-z0-9.]{0,40}|[0-9]{1,25}(\\.[0-9]{1,25}){0,3}|.{0,60}",
            targets in proptest::collection::vec("[a-z]{1,3}(\\.[0-9]{1,4}|\\.[a-z]{1,3}){0,5}", 1..6),
            sources in proptest::collection::vec("[a-z0-9]{1,3}(\\.[a-z0-9]{1,3}){0,3}|\"[a-z]{0,5}\"", 1..6),
            event in json(),
        ) {
            let _ = valid_path(&path);
            let mapping: ActionMapping = targets
                .into_iter()
                .zip(sources)
                .filter(|(t, s)| valid_path(t) && (constant(s).is_some() || valid_path(s)))
                .collect();
            if let Ok(body) = apply(&mapping, &event) {
                proptest::prop_assert!(body.to_string().len() < 64 * 1024);
            }
        }
    }
}
