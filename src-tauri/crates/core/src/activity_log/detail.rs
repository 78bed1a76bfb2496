//! One activity row in full: what changed (each field's prior and new value), the catalog
//! version it was recorded under, and the vendor's response code for a surfaced failure.
//! Details never held a secret; a credential rotation names the key or secret by reference.

use crate::activity_log::query::ActivityRow;
use crate::{Core, CoreError, CoreResult};
use serde::Serialize;
use serde_json::Value;
use sgen_store::activity;
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct FieldChange {
    /// The field's path in the setting (`name`, `capabilities`), or `value` for a whole one.
    pub field: String,
    #[ts(type = "unknown")]
    pub before: Value,
    #[ts(type = "unknown")]
    pub after: Value,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ActivityDetail {
    #[serde(flatten)]
    pub row: ActivityRow,
    pub catalog_version: String,
    pub changes: Vec<FieldChange>,
    #[ts(type = "number | null")]
    pub vendor_response_code: Option<i64>,
    /// Everything the row recorded, as recorded.
    #[ts(type = "Record<string, unknown>")]
    pub details: Value,
}

/// The fields a `{before, after}` row changed: each key of two objects whose values differ, or
/// the whole value when either side is not an object.
pub fn changes(details: &Value) -> Vec<FieldChange> {
    let (Some(before), Some(after)) = (details.get("before"), details.get("after")) else {
        return Vec::new();
    };
    match (before.as_object(), after.as_object()) {
        (Some(b), Some(a)) => {
            let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter()
                .filter(|k| b.get(*k) != a.get(*k))
                .map(|k| FieldChange {
                    field: k.clone(),
                    before: b.get(k).cloned().unwrap_or(Value::Null),
                    after: a.get(k).cloned().unwrap_or(Value::Null),
                })
                .collect()
        }
        _ if before != after => vec![FieldChange {
            field: "value".into(),
            before: before.clone(),
            after: after.clone(),
        }],
        _ => Vec::new(),
    }
}

impl Core {
    pub fn activity_detail(&self, id: i64) -> CoreResult<ActivityDetail> {
        let record = self
            .store
            .read(|conn| Ok::<_, CoreError>(activity::get(conn, id)?))?
            .ok_or_else(|| CoreError::NotFound {
                what: "activity row",
                id: id.to_string(),
            })?;
        let details: Value = serde_json::from_str(&record.details).unwrap_or(Value::Null);
        Ok(ActivityDetail {
            row: ActivityRow::from(&record),
            catalog_version: record.catalog_version.clone(),
            changes: changes(&details),
            vendor_response_code: details.get("vendor_response_code").and_then(Value::as_i64),
            details,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lists_the_fields_that_changed() {
        let found = changes(&json!({
            "before": {"name": "Ops", "capabilities": ["view"], "same": 1},
            "after": {"name": "Ops", "capabilities": ["view", "send_events"], "same": 1, "new": true}
        }));
        let fields: Vec<_> = found.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["capabilities", "new"]);
        assert_eq!(found[1].before, Value::Null);
        let whole = changes(&json!({"before": 90, "after": 30}));
        assert_eq!(
            (whole[0].field.as_str(), &whole[0].after),
            ("value", &json!(30))
        );
        assert!(changes(&json!({"cause": "x"})).is_empty());
    }
}
