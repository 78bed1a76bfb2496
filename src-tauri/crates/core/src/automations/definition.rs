//! An automation's definition in seed 004's JSON shape (`{"name", "trigger": {"event",
//! "conditions"}, "actions": [{"type", "params"}], "status"}`), read from text: JSON first (a
//! syntax error names its line and column), then the JSON Schema (`automation.schema.json`,
//! which the window's editor uses too; each error names its path), then the conditions compiled
//! to CEL. What the definition names in the app (connections, actions) is checked by the core
//! when it is saved (`library.rs`).

use crate::automations::condition::{Condition, ConditionError};
use crate::delivery::field_mapping::ActionMapping;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::OnceLock;
use ts_rs::TS;

/// The schema, as published for the editor and the CLI.
pub const SCHEMA: &str = include_str!("automation.schema.json");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AutomationDefinition {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub status: Option<AutomationStatus>,
    pub trigger: Trigger,
    pub actions: Vec<Action>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum AutomationStatus {
    Draft,
    Active,
    Paused,
    Archived,
}

impl AutomationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AutomationStatus::Draft => "draft",
            AutomationStatus::Active => "active",
            AutomationStatus::Paused => "paused",
            AutomationStatus::Archived => "archived",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Draft, Self::Active, Self::Paused, Self::Archived]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Trigger {
    /// A vendor event type, a connection-state event, `schedule` or `manual`.
    pub event: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub connection: Option<String>,
    /// For `schedule`: a cron pattern (five fields, local time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub schedule: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub conditions: Option<Conditions>,
}

/// The trigger event that is started by hand, with an input the operator gives.
pub const MANUAL: &str = "manual";
/// The trigger event that fires on a cron schedule.
pub const SCHEDULE: &str = "schedule";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(untagged)]
#[ts(export)]
pub enum Conditions {
    /// A CEL expression.
    Cel(String),
    /// The builder's rows, all or any of which must hold.
    Rows {
        #[serde(rename = "match")]
        matching: Matching,
        rows: Vec<ConditionRow>,
    },
    /// Seed 004's shape: each field equal to its value.
    #[ts(type = "Record<string, string | number | boolean | null>")]
    Fields(BTreeMap<String, Value>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Matching {
    All,
    Any,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ConditionRow {
    /// A dotted path into the event (`data.object.amount`).
    pub field: String,
    pub op: String,
    #[serde(default)]
    #[ts(type = "unknown")]
    pub value: Value,
}

impl Conditions {
    /// The CEL these conditions are: rows and fields become comparisons on `event`.
    pub fn to_cel(&self) -> String {
        match self {
            Conditions::Cel(source) => source.clone(),
            Conditions::Rows { matching, rows } => {
                let joiner = match matching {
                    Matching::All => " && ",
                    Matching::Any => " || ",
                };
                rows.iter().map(row_cel).collect::<Vec<_>>().join(joiner)
            }
            Conditions::Fields(fields) => fields
                .iter()
                .map(|(field, value)| format!("event.{field} == {}", literal(value)))
                .collect::<Vec<_>>()
                .join(" && "),
        }
    }
}

fn row_cel(row: &ConditionRow) -> String {
    let field = format!("event.{}", row.field);
    let value = literal(&row.value);
    match row.op.as_str() {
        "contains" => format!("{field}.contains({value})"),
        "starts_with" => format!("{field}.startsWith({value})"),
        "ends_with" => format!("{field}.endsWith({value})"),
        "exists" => format!("has({field})"),
        op => format!("{field} {op} {value}"),
    }
}

/// A JSON value as a CEL literal: JSON's strings, numbers, booleans and null are CEL's too.
fn literal(value: &Value) -> String {
    match value {
        Value::Array(_) | Value::Object(_) => "null".into(),
        other => other.to_string(),
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Action {
    #[serde(rename = "type")]
    pub kind: ActionKind,
    #[serde(default)]
    #[ts(type = "Record<string, unknown>")]
    pub params: Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ActionKind {
    /// A connector action through the outbox.
    ConnectorAction,
    /// An outbound webhook connection's message.
    Webhook,
    /// A notification to the operator.
    Notify,
    /// Waits, durably.
    Delay,
    /// Creates a human task and waits for an operator to complete it.
    Task,
    /// Waits for another event matching a condition, with a timeout.
    WaitForEvent,
}

impl ActionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::ConnectorAction => "connector_action",
            ActionKind::Webhook => "webhook",
            ActionKind::Notify => "notify",
            ActionKind::Delay => "delay",
            ActionKind::Task => "task",
            ActionKind::WaitForEvent => "wait_for_event",
        }
    }
}

/// A step that queues a delivery: a connector action, or a webhook's `post_event`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct DeliveryParams {
    pub(crate) connection: String,
    #[serde(default = "post_event")]
    pub(crate) action: String,
    #[serde(default)]
    pub(crate) mapping: Option<ActionMapping>,
}

fn post_event() -> String {
    "post_event".into()
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct NotifyParams {
    #[serde(default)]
    pub(crate) title: Option<String>,
    pub(crate) message: String,
    #[serde(default)]
    pub(crate) priority: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct DelayParams {
    pub(crate) seconds: i64,
}

/// What a waiting step does when its time runs out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum OnTimeout {
    /// The run fails.
    #[default]
    Fail,
    /// The run goes on, the step's output saying it timed out.
    Continue,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct TaskParams {
    pub(crate) title: String,
    #[serde(default)]
    pub(crate) instructions: Option<String>,
    /// The JSON Schema the operator's output must meet.
    #[serde(default)]
    pub(crate) output_schema: Option<Value>,
    #[serde(default)]
    pub(crate) timeout_seconds: Option<i64>,
    #[serde(default)]
    pub(crate) on_timeout: OnTimeout,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct WaitParams {
    pub(crate) event: String,
    #[serde(default)]
    pub(crate) connection: Option<String>,
    #[serde(default)]
    pub(crate) conditions: Option<Conditions>,
    pub(crate) timeout_seconds: i64,
    /// An event stored this long before the wait began still counts.
    #[serde(default = "default_lookback")]
    pub(crate) lookback_seconds: i64,
    #[serde(default)]
    pub(crate) on_timeout: OnTimeout,
}

fn default_lookback() -> i64 {
    300
}

/// Why a definition was refused: where, and what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct DefinitionProblem {
    /// A JSON pointer (`/actions/0/params/connection`), or `line 3, column 7` for bad JSON.
    pub path: String,
    pub message: String,
}

impl std::fmt::Display for DefinitionProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.path.as_str() {
            "" => write!(f, "{}", self.message),
            path => write!(f, "{path}: {}", self.message),
        }
    }
}

/// A definition read and checked, with its conditions compiled.
#[derive(Debug)]
pub struct Checked {
    pub definition: AutomationDefinition,
    pub condition: Option<Condition>,
}

/// Reads a definition: every problem the schema finds, or the first a later step finds.
pub fn check(text: &str) -> Result<Checked, Vec<DefinitionProblem>> {
    let json: Value = serde_json::from_str(text).map_err(|e| {
        vec![DefinitionProblem {
            path: format!("line {}, column {}", e.line(), e.column()),
            message: format!("not JSON: {e}"),
        }]
    })?;
    check_value(&json)
}

pub fn check_value(json: &Value) -> Result<Checked, Vec<DefinitionProblem>> {
    let problems: Vec<DefinitionProblem> = validator()
        .iter_errors(json)
        .map(|e| DefinitionProblem {
            path: e.instance_path().to_string(),
            message: e.to_string(),
        })
        .collect();
    if !problems.is_empty() {
        return Err(problems);
    }
    let definition: AutomationDefinition = serde_json::from_value(json.clone()).map_err(|e| {
        vec![DefinitionProblem {
            path: String::new(),
            message: e.to_string(),
        }]
    })?;
    check_parts(&definition)?;
    let condition = match &definition.trigger.conditions {
        None => None,
        Some(conditions) => Some(Condition::compile(&conditions.to_cel()).map_err(
            |e: ConditionError| {
                vec![DefinitionProblem {
                    path: "/trigger/conditions".into(),
                    message: e.to_string(),
                }]
            },
        )?),
    };
    Ok(Checked {
        definition,
        condition,
    })
}

/// What the schema cannot say: a schedule is a cron pattern, a wait's conditions compile, a
/// task's output schema is a JSON Schema.
fn check_parts(definition: &AutomationDefinition) -> Result<(), Vec<DefinitionProblem>> {
    let problem = |path: String, message: String| vec![DefinitionProblem { path, message }];
    if let Some(pattern) = &definition.trigger.schedule {
        schedule(pattern).map_err(|e| problem("/trigger/schedule".into(), e))?;
    }
    for (index, action) in definition.actions.iter().enumerate() {
        let path = format!("/actions/{index}/params");
        match action.kind {
            ActionKind::WaitForEvent => {
                let params: WaitParams = serde_json::from_value(action.params.clone())
                    .map_err(|e| problem(path.clone(), e.to_string()))?;
                if let Some(conditions) = &params.conditions {
                    Condition::compile(&conditions.to_cel())
                        .map_err(|e| problem(format!("{path}/conditions"), e.to_string()))?;
                }
            }
            ActionKind::Task => {
                let params: TaskParams = serde_json::from_value(action.params.clone())
                    .map_err(|e| problem(path.clone(), e.to_string()))?;
                if let Some(schema) = &params.output_schema {
                    jsonschema::validator_for(schema).map_err(|e| {
                        problem(
                            format!("{path}/output_schema"),
                            format!("not a JSON Schema: {e}"),
                        )
                    })?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// A schedule's cron pattern, read (five fields: minute, hour, day of month, month, day of
/// week).
pub(crate) fn schedule(pattern: &str) -> Result<croner::Cron, String> {
    use std::str::FromStr as _;
    croner::Cron::from_str(pattern).map_err(|e| format!("not a cron pattern: {e}"))
}

fn validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let schema: Value = serde_json::from_str(SCHEMA).expect("the schema is JSON");
        jsonschema::validator_for(&schema).expect("the schema is a valid JSON Schema")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn seed_004_like() -> Value {
        json!({
            "name": "Thank big payers",
            "trigger": {"event": "payment_intent.succeeded", "conditions": {"data.object.currency": "usd"}},
            "actions": [
                {"type": "connector_action", "params": {"connection": "con_1", "action": "upsert_contact",
                    "mapping": {"properties.email": "data.object.receipt_email"}}},
                {"type": "notify", "params": {"message": "A payment arrived", "priority": "high"}}
            ],
            "status": "active"
        })
    }

    #[test]
    fn seed_004s_shape_is_read_and_its_field_conditions_become_cel() {
        let checked = check_value(&seed_004_like()).unwrap();
        assert_eq!(
            checked.condition.unwrap().source(),
            r#"event.data.object.currency == "usd""#
        );
        assert_eq!(checked.definition.status, Some(AutomationStatus::Active));
        // What is read is what is written back.
        let written = serde_json::to_value(&checked.definition).unwrap();
        assert_eq!(written, seed_004_like());
    }

    #[test]
    fn builder_rows_become_cel() {
        let rows = json!({"match": "any", "rows": [
            {"field": "data.object.amount", "op": ">", "value": 1000},
            {"field": "data.object.receipt_email", "op": "ends_with", "value": "@example.com"},
            {"field": "data.object.metadata", "op": "exists"}
        ]});
        let conditions: Conditions = serde_json::from_value(rows).unwrap();
        assert_eq!(
            conditions.to_cel(),
            r#"event.data.object.amount > 1000 || event.data.object.receipt_email.endsWith("@example.com") || has(event.data.object.metadata)"#
        );
    }

    #[test]
    fn each_problem_names_its_path() {
        let mut bad = seed_004_like();
        bad["actions"][0]["params"]
            .as_object_mut()
            .unwrap()
            .remove("connection");
        bad["actions"][1]["type"] = json!("send_fax");
        bad["status"] = json!("on");
        let problems = check_value(&bad).unwrap_err();
        let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
        for expected in ["/actions/0/params", "/actions/1/type", "/status"] {
            assert!(paths.contains(&expected), "{expected} not in {problems:?}");
        }

        let syntax = check("{\"name\": \"x\",\n  \"trigger\": }").unwrap_err();
        assert_eq!(syntax[0].path, "line 2, column 14");

        let mut cel = seed_004_like();
        cel["trigger"]["conditions"] = json!("event.amount >");
        let problem = &check_value(&cel).unwrap_err()[0];
        assert_eq!(problem.path, "/trigger/conditions");
        assert!(problem.message.starts_with("line 1, column"), "{problem}");
    }
}
