//! An automation's condition (SPEC §7): a CEL expression over `event` (the trigger's payload)
//! and `connection` (the connection it came from). It is compiled when the automation is
//! saved — a syntax error, a variable other than those two, a function this app does not offer
//! or comprehensions nested too deep are refused there, with the line and column — and
//! evaluated per event. One that does not pass is explained: the value of each of its parts, so
//! "why didn't it fire?" has an answer.

use cel::common::ast::{Expr, IdedExpr, SourceInfo};
use cel::{Context, Env, Program, Value};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};
use ts_rs::TS;

/// The longest condition taken.
pub const MAX_SOURCE: usize = 4096;
/// Comprehensions (`all`, `exists`, `map`, `filter`) nested deeper than this are refused: with
/// events bounded in size, the work one evaluation does stays bounded too.
const MAX_NESTING: usize = 2;
/// An evaluation that takes longer than this is a failure, not a pass or a miss.
pub const DEADLINE: Duration = Duration::from_millis(50);
/// Parts of a condition an explanation shows at most.
const MAX_TRACE: usize = 40;

/// The variables a condition reads.
pub const VARIABLES: [&str; 2] = ["event", "connection"];

/// The functions a condition may call beyond operators (each is tested in this module).
pub const FUNCTIONS: [&str; 14] = [
    "size",
    "contains",
    "startsWith",
    "endsWith",
    "matches",
    "int",
    "uint",
    "double",
    "string",
    "timestamp",
    "duration",
    "lowerAscii",
    "upperAscii",
    "trim",
];

/// A condition refused when it was saved, with where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ConditionError {
    pub message: String,
    /// 1-based; 0 when the error has no place.
    pub line: u32,
    pub column: u32,
}

impl std::fmt::Display for ConditionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            0 => write!(f, "{}", self.message),
            line => write!(f, "line {line}, column {}: {}", self.column, self.message),
        }
    }
}

/// One part of a condition and what it came to, for an explanation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TraceEntry {
    /// The part as written.
    pub expression: String,
    /// Its value as JSON, or why it has none (`no such key: amount`).
    #[ts(type = "unknown")]
    pub value: serde_json::Value,
}

/// What an evaluation came to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Verdict {
    pub passed: bool,
    /// Why it could not be evaluated (a missing field, a wrong type, the deadline).
    pub error: Option<String>,
    /// For one that did not pass: each part's value, outermost first.
    pub trace: Vec<TraceEntry>,
}

pub struct Condition {
    source: String,
    program: Program,
}

impl std::fmt::Debug for Condition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Condition").field(&self.source).finish()
    }
}

impl Condition {
    pub fn compile(source: &str) -> Result<Condition, ConditionError> {
        let nowhere = |message: String| ConditionError {
            message,
            line: 0,
            column: 0,
        };
        if source.trim().is_empty() {
            return Err(nowhere("the condition is empty".into()));
        }
        if source.len() > MAX_SOURCE {
            return Err(nowhere(format!(
                "the condition is longer than {MAX_SOURCE} characters"
            )));
        }
        let program = environment().compile(source).map_err(|errors| {
            let first = errors.errors.first();
            ConditionError {
                message: first.map_or_else(|| errors.to_string(), |e| e.msg.clone()),
                line: first.map_or(0, |e| e.pos.0.max(0) as u32),
                column: first.map_or(0, |e| e.pos.1.max(0) as u32 + 1),
            }
        })?;
        let references = program.references();
        let mut bound = Vec::new();
        comprehension_variables(program.expression(), &mut bound);
        for variable in references.variables() {
            if !VARIABLES.contains(&variable) && !bound.contains(&variable) {
                return Err(at(
                    source,
                    variable,
                    format!(
                        "unknown variable `{variable}`: a condition reads `event` and `connection`"
                    ),
                ));
            }
        }
        for function in references.functions() {
            // Operators are named by where their operands go: `_>_`, `-_`, `!_`, `@in`.
            let operator = function.starts_with(['_', '@']) || function.ends_with('_');
            if !operator && !FUNCTIONS.contains(&function) {
                return Err(at(
                    source,
                    function,
                    format!(
                        "unknown function `{function}` (a condition may call {})",
                        FUNCTIONS.join(", ")
                    ),
                ));
            }
        }
        if nesting(program.expression()) > MAX_NESTING {
            return Err(nowhere(format!(
                "`all`, `exists`, `map` and `filter` nest at most {MAX_NESTING} deep"
            )));
        }
        Ok(Condition {
            source: source.to_string(),
            program,
        })
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// Evaluates it over the event and its connection; explains one that does not pass.
    pub fn evaluate(&self, event: &serde_json::Value, connection: &serde_json::Value) -> Verdict {
        let mut context = Context::with_env(environment().clone());
        context.add_variable_from_value("event", cel_value(event));
        context.add_variable_from_value("connection", cel_value(connection));
        let started = Instant::now();
        let outcome = self.program.execute(&context);
        if started.elapsed() > DEADLINE {
            return failed(format!(
                "evaluating it took longer than {} ms",
                DEADLINE.as_millis()
            ));
        }
        match outcome {
            Ok(Value::Bool(true)) => Verdict {
                passed: true,
                error: None,
                trace: Vec::new(),
            },
            Ok(Value::Bool(false)) => Verdict {
                passed: false,
                error: None,
                trace: self.explain(&context),
            },
            Ok(other) => Verdict {
                error: Some(format!(
                    "the condition gave {}, not true or false",
                    rendered(&Ok(other))
                )),
                ..failed_with(self.explain(&context))
            },
            Err(e) => Verdict {
                error: Some(e.to_string()),
                ..failed_with(self.explain(&context))
            },
        }
    }

    /// Each call and field the condition is made of (not the literals), with its value.
    fn explain(&self, context: &Context) -> Vec<TraceEntry> {
        let mut parts = Vec::new();
        collect(self.program.expression(), &mut parts);
        let info = self.program.source_info();
        parts
            .into_iter()
            .filter_map(|part| Some((part, span(&self.source, info, part)?)))
            .take(MAX_TRACE)
            .map(|(part, expression)| TraceEntry {
                expression,
                value: rendered(&context.resolve(part)),
            })
            .collect()
    }
}

/// CEL's standard library and its strings extension (`lowerAscii`, `trim`…), made once.
fn environment() -> &'static Arc<Env> {
    static ENVIRONMENT: OnceLock<Arc<Env>> = OnceLock::new();
    ENVIRONMENT.get_or_init(|| {
        let mut env = Env::stdlib();
        env.add_extension(cel::extensions::strings)
            .expect("the strings extension declares nothing twice");
        Arc::new(env)
    })
}

fn failed(error: String) -> Verdict {
    Verdict {
        passed: false,
        error: Some(error),
        trace: Vec::new(),
    }
}

fn failed_with(trace: Vec<TraceEntry>) -> Verdict {
    Verdict {
        passed: false,
        error: None,
        trace,
    }
}

/// A value as JSON, or `{"error": …}` for one that could not be had.
fn rendered(value: &Result<Value, cel::ExecutionError>) -> serde_json::Value {
    match value {
        Ok(value) => value
            .json()
            .unwrap_or_else(|_| serde_json::Value::String(format!("{value:?}"))),
        Err(e) => serde_json::json!({ "error": e.to_string() }),
    }
}

/// The parts worth showing, outermost first: calls (comparisons, `&&`, functions) and field
/// selections; not literals, nor the inside of a comprehension (its variables are unbound).
fn collect<'a>(expr: &'a IdedExpr, into: &mut Vec<&'a IdedExpr>) {
    match &expr.expr {
        Expr::Call(call) => {
            into.push(expr);
            if let Some(target) = &call.target {
                collect(target, into);
            }
            for arg in &call.args {
                collect(arg, into);
            }
        }
        Expr::Select(_) => into.push(expr),
        Expr::Comprehension(_) => into.push(expr),
        Expr::List(list) => list.elements.iter().for_each(|e| collect(e, into)),
        _ => {}
    }
}

/// The source text a node covers: the parser places each node at one token (a call at its
/// operator, a selection at its field), so a node spans its own token and its children's.
fn span(source: &str, info: &SourceInfo, node: &IdedExpr) -> Option<String> {
    let (start, stop) = extent(info, node)?;
    let text = source.get(start as usize..(stop as usize).min(source.len()))?;
    Some(text.trim().to_string())
}

fn extent(info: &SourceInfo, node: &IdedExpr) -> Option<(u32, u32)> {
    let children: Vec<&IdedExpr> = match &node.expr {
        Expr::Call(call) => call.target.iter().map(|t| &**t).chain(&call.args).collect(),
        Expr::Select(select) => vec![&*select.operand],
        Expr::List(list) => list.elements.iter().collect(),
        Expr::Comprehension(c) => vec![&c.iter_range],
        _ => Vec::new(),
    };
    // Offsets are inclusive; a selection is placed at its dot, its field after it.
    let own = info
        .offset_for(node.id)
        .map(|(start, stop)| match &node.expr {
            Expr::Select(select) => (start, start + 1 + select.field.len() as u32),
            _ => (start, stop + 1),
        });
    children
        .into_iter()
        .filter_map(|child| extent(info, child))
        .chain(own)
        .reduce(|a, b| (a.0.min(b.0), a.1.max(b.1)))
}

/// JSON as CEL values. A whole number is an `int` (JSON has one kind of number; `amount > 0`
/// and `amount / 100` should work as written), others are `double`.
fn cel_value(json: &serde_json::Value) -> Value {
    match json {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => Value::Int(i),
            (None, Some(u)) => Value::UInt(u),
            _ => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        serde_json::Value::String(s) => Value::String(Arc::new(s.clone())),
        serde_json::Value::Array(items) => {
            Value::List(Arc::new(items.iter().map(cel_value).collect()))
        }
        serde_json::Value::Object(fields) => Value::Map(
            fields
                .iter()
                .map(|(k, v)| (k.clone(), cel_value(v)))
                .collect::<HashMap<String, Value>>()
                .into(),
        ),
    }
}

/// The names comprehensions bind (`i` in `items.all(i, …)`): variables of the condition's own.
fn comprehension_variables<'a>(expr: &'a IdedExpr, into: &mut Vec<&'a str>) {
    match &expr.expr {
        Expr::Comprehension(c) => {
            into.push(&c.iter_var);
            into.extend(c.iter_var2.as_deref());
            into.push(&c.accu_var);
            for part in [
                &c.iter_range,
                &c.accu_init,
                &c.loop_cond,
                &c.loop_step,
                &c.result,
            ] {
                comprehension_variables(part, into);
            }
        }
        Expr::Call(call) => {
            if let Some(target) = &call.target {
                comprehension_variables(target, into);
            }
            call.args
                .iter()
                .for_each(|a| comprehension_variables(a, into));
        }
        Expr::Select(select) => comprehension_variables(&select.operand, into),
        Expr::List(list) => list
            .elements
            .iter()
            .for_each(|e| comprehension_variables(e, into)),
        _ => {}
    }
}

/// How deep comprehensions nest in the expression.
fn nesting(expr: &IdedExpr) -> usize {
    match &expr.expr {
        Expr::Comprehension(c) => {
            1 + [
                &c.iter_range,
                &c.accu_init,
                &c.loop_cond,
                &c.loop_step,
                &c.result,
            ]
            .into_iter()
            .map(nesting)
            .max()
            .unwrap_or(0)
        }
        Expr::Call(call) => call
            .target
            .iter()
            .map(|t| nesting(t))
            .chain(call.args.iter().map(nesting))
            .max()
            .unwrap_or(0),
        Expr::Select(select) => nesting(&select.operand),
        Expr::List(list) => list.elements.iter().map(nesting).max().unwrap_or(0),
        _ => 0,
    }
}

/// An error placed at the first place `word` is written in the source.
fn at(source: &str, word: &str, message: String) -> ConditionError {
    let offset = source.find(word).unwrap_or(0);
    let before = &source[..offset];
    let line = before.matches('\n').count() as u32 + 1;
    let column = before
        .rsplit('\n')
        .next()
        .unwrap_or_default()
        .chars()
        .count() as u32
        + 1;
    ConditionError {
        message,
        line,
        column,
    }
}

#[cfg(test)]
#[path = "condition_tests.rs"]
mod tests;
