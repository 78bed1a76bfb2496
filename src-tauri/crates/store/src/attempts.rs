//! Reading the delivery log (one row per attempt): the filtered, sorted, keyset-paged query
//! behind the log view (writes are in `delivery_writes`). Every query plan is served by an index in 0001_initial.sql.

use crate::attempt_search::{plan_search, SearchPlan};
use crate::model::{AttemptTrigger, Outcome};
use rusqlite::types::{ToSql, Value};
use rusqlite::{params_from_iter, Connection, Row};
use serde::{Deserialize, Serialize};
use std::rc::Rc;
use ts_rs::TS;

/// One delivery log entry as the log view shows it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AttemptRow {
    #[ts(type = "number")]
    pub id: i64,
    pub delivery_id: String,
    pub connection_id: String,
    /// Absent when the connection has since been removed; the log outlives it.
    pub connector_type: Option<String>,
    pub connection_display_name: Option<String>,
    pub originating_module: String,
    pub event_identifier: String,
    pub attempt_number: u32,
    pub trigger: AttemptTrigger,
    pub outcome: Outcome,
    pub vendor_response_code: Option<u16>,
    pub latency_ms: u32,
    #[ts(type = "number")]
    pub attempted_at: i64,
    #[ts(type = "number | null")]
    pub next_attempt_at: Option<i64>,
    pub error_class: Option<String>,
    pub request_summary: Option<String>,
    pub response_summary: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptScope<'a> {
    Environment(i64),
    Connection(&'a str),
}

/// Columns the delivery log sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum AttemptSort {
    AttemptedAt,
    LatencyMs,
    VendorResponseCode,
    Outcome,
    EventIdentifier,
    OriginatingModule,
}

impl AttemptSort {
    pub const ALL: [AttemptSort; 6] = [
        AttemptSort::AttemptedAt,
        AttemptSort::LatencyMs,
        AttemptSort::VendorResponseCode,
        AttemptSort::Outcome,
        AttemptSort::EventIdentifier,
        AttemptSort::OriginatingModule,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AttemptSort::AttemptedAt => "attempted_at",
            AttemptSort::LatencyMs => "latency_ms",
            AttemptSort::VendorResponseCode => "vendor_response_code",
            AttemptSort::Outcome => "outcome",
            AttemptSort::EventIdentifier => "event_identifier",
            AttemptSort::OriginatingModule => "originating_module",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    fn expression(self) -> &'static str {
        match self {
            AttemptSort::AttemptedAt => "a.attempted_at",
            AttemptSort::LatencyMs => "a.latency_ms",
            // No response (a network error) sorts below every real code.
            AttemptSort::VendorResponseCode => "coalesce(a.vendor_response_code, -1)",
            AttemptSort::Outcome => "a.outcome",
            AttemptSort::EventIdentifier => "a.event_identifier",
            AttemptSort::OriginatingModule => "a.originating_module",
        }
    }

    /// The position of `row` in this order, for the next page's keyset.
    pub fn key_of(self, row: &AttemptRow) -> Keyset {
        let value = match self {
            AttemptSort::AttemptedAt => SortValue::Int(row.attempted_at),
            AttemptSort::LatencyMs => SortValue::Int(row.latency_ms.into()),
            AttemptSort::VendorResponseCode => {
                SortValue::Int(row.vendor_response_code.map_or(-1, i64::from))
            }
            AttemptSort::Outcome => SortValue::Text(row.outcome.as_str().into()),
            AttemptSort::EventIdentifier => SortValue::Text(row.event_identifier.clone()),
            AttemptSort::OriginatingModule => SortValue::Text(row.originating_module.clone()),
        };
        Keyset { value, id: row.id }
    }

    /// Whether a keyset value has the type this column sorts by.
    pub fn accepts(self, value: &SortValue) -> bool {
        let text = matches!(
            self,
            AttemptSort::Outcome | AttemptSort::EventIdentifier | AttemptSort::OriginatingModule
        );
        text == matches!(value, SortValue::Text(_))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SortValue {
    Int(i64),
    Text(String),
}

/// The last row of a page: the next page starts strictly after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Keyset {
    pub value: SortValue,
    pub id: i64,
}

pub struct AttemptFilter<'a> {
    pub scope: AttemptScope<'a>,
    pub outcome: Option<Outcome>,
    /// Inclusive lower bound on `attempted_at`.
    pub since: Option<i64>,
    /// Exclusive upper bound on `attempted_at`.
    pub until: Option<i64>,
    pub search: Option<&'a str>,
    pub sort: AttemptSort,
    pub descending: bool,
    pub after: Option<&'a Keyset>,
    pub limit: u32,
}

/// What `attempt_from_row` reads, in its order (`a` the attempt, `c` its connection).
const ATTEMPT_COLUMNS: &str = "a.id, a.delivery_id, a.connection_id, c.connector_type, c.display_name, a.originating_module,
                a.event_identifier, a.attempt_number, a.trigger, a.outcome, a.vendor_response_code, a.latency_ms,
                a.attempted_at, a.next_attempt_at, a.error_class, a.request_summary, a.response_summary";

/// One page of the delivery log.
pub fn query(conn: &Connection, f: &AttemptFilter<'_>) -> rusqlite::Result<Vec<AttemptRow>> {
    let search = f.search.map(str::trim).filter(|s| !s.is_empty());
    let plan = match search {
        Some(text) => plan_search(conn, text, f.scope)?,
        None => SearchPlan::WalkIndex,
    };
    if f.sort == AttemptSort::LatencyMs
        && f.outcome.is_none()
        && matches!(plan, SearchPlan::WalkIndex)
    {
        return query_latency_across_outcomes(conn, f);
    }
    let mut from = "delivery_attempts a".to_string();
    let mut clauses = Vec::new();
    let mut values: Vec<Box<dyn ToSql>> = Vec::new();
    match plan {
        SearchPlan::Nothing => return Ok(Vec::new()),
        SearchPlan::FetchIds(ids) => {
            // CROSS JOIN keeps the matches as the outer loop: look each one up, then sort.
            from = "rarray(?) hit CROSS JOIN delivery_attempts a ON a.id = hit.value".into();
            values.push(Box::new(Rc::new(
                ids.into_iter().map(Value::from).collect::<Vec<_>>(),
            )));
        }
        SearchPlan::WalkIndex => {}
    }
    match f.scope {
        AttemptScope::Environment(id) => {
            clauses.push("a.environment_id = ?");
            values.push(Box::new(id));
        }
        AttemptScope::Connection(id) => {
            clauses.push("a.connection_id = ?");
            values.push(Box::new(id.to_string()));
        }
    }
    if let Some(outcome) = f.outcome {
        clauses.push("a.outcome = ?");
        values.push(Box::new(outcome));
    }
    if let Some(since) = f.since {
        clauses.push("a.attempted_at >= ?");
        values.push(Box::new(since));
    }
    if let Some(until) = f.until {
        clauses.push("a.attempted_at < ?");
        values.push(Box::new(until));
    }
    // The index matches word prefixes; each typed term must also appear as written.
    for term in search.into_iter().flat_map(str::split_whitespace) {
        clauses.push("instr(lower(a.event_identifier), lower(?)) > 0");
        values.push(Box::new(term.to_string()));
    }
    let expression = f.sort.expression();
    let direction = if f.descending { "DESC" } else { "ASC" };
    if let Some(after) = f.after {
        clauses.push(if f.descending {
            "(SORTEXPR, a.id) < (?, ?)"
        } else {
            "(SORTEXPR, a.id) > (?, ?)"
        });
        match &after.value {
            SortValue::Int(v) => values.push(Box::new(*v)),
            SortValue::Text(v) => values.push(Box::new(v.clone())),
        }
        values.push(Box::new(after.id));
    }
    let sql = format!(
        "SELECT {ATTEMPT_COLUMNS}
         FROM {from} LEFT JOIN connections c ON c.id = a.connection_id
         WHERE {}
         ORDER BY {expression} {direction}, a.id {direction}
         LIMIT {}",
        clauses.join(" AND ").replace("SORTEXPR", expression),
        f.limit
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt
        .query_map(params_from_iter(values.iter()), attempt_from_row)?
        .collect();
    rows
}

/// Every attempt of one delivery, first to last.
pub fn of_delivery(conn: &Connection, delivery_id: &str) -> rusqlite::Result<Vec<AttemptRow>> {
    conn.prepare_cached(&format!(
        "SELECT {ATTEMPT_COLUMNS}
         FROM delivery_attempts a LEFT JOIN connections c ON c.id = a.connection_id
         WHERE a.delivery_id = ?1 ORDER BY a.id"
    ))?
    .query_map([delivery_id], attempt_from_row)?
    .collect()
}

/// Latency order over every outcome, from the per-outcome latency indexes: each outcome's
/// first page, merged. One index per scope serves both this and the outcome-filtered order,
/// and a bulk load sorts one index fewer.
fn query_latency_across_outcomes(
    conn: &Connection,
    f: &AttemptFilter<'_>,
) -> rusqlite::Result<Vec<AttemptRow>> {
    let mut rows = Vec::new();
    for &outcome in Outcome::ALL {
        rows.extend(query(
            conn,
            &AttemptFilter {
                outcome: Some(outcome),
                ..*f
            },
        )?);
    }
    rows.sort_by_key(|row| (row.latency_ms, row.id));
    if f.descending {
        rows.reverse();
    }
    rows.truncate(f.limit as usize);
    Ok(rows)
}

fn attempt_from_row(row: &Row<'_>) -> rusqlite::Result<AttemptRow> {
    Ok(AttemptRow {
        id: row.get(0)?,
        delivery_id: row.get(1)?,
        connection_id: row.get(2)?,
        connector_type: row.get(3)?,
        connection_display_name: row.get(4)?,
        originating_module: row.get(5)?,
        event_identifier: row.get(6)?,
        attempt_number: row.get(7)?,
        trigger: row.get(8)?,
        outcome: row.get(9)?,
        vendor_response_code: row.get(10)?,
        latency_ms: row.get(11)?,
        attempted_at: row.get(12)?,
        next_attempt_at: row.get(13)?,
        error_class: row.get(14)?,
        request_summary: row.get(15)?,
        response_summary: row.get(16)?,
    })
}

/// The recorded exchange (request and answer, JSON) of every attempt of one delivery, first
/// to last.
pub fn exchanges_of(conn: &Connection, delivery_id: &str) -> rusqlite::Result<Vec<Option<String>>> {
    conn.prepare_cached(
        "SELECT exchange FROM delivery_attempts WHERE delivery_id = ?1 ORDER BY id",
    )?
    .query_map([delivery_id], |row| row.get(0))?
    .collect()
}

/// Attempts in a scope, for a quick total.
pub fn count(conn: &Connection, scope: AttemptScope<'_>) -> rusqlite::Result<i64> {
    match scope {
        AttemptScope::Environment(id) => conn.query_row(
            "SELECT count(*) FROM delivery_attempts WHERE environment_id = ?1",
            [id],
            |r| r.get(0),
        ),
        AttemptScope::Connection(id) => conn.query_row(
            "SELECT count(*) FROM delivery_attempts WHERE connection_id = ?1",
            [id],
            |r| r.get(0),
        ),
    }
}
