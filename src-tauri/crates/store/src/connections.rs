//! Connections and their state transitions. Secret columns are written here but never read
//! back into [`ConnectionRecord`]: only whether a credential is held.

use crate::model::ConnectionState;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Every field of the connection record (SPEC §2) that may leave the core.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ConnectionRecord {
    pub id: String,
    #[ts(type = "number")]
    pub environment_id: i64,
    pub connector_type: String,
    pub display_name: String,
    pub state: ConnectionState,
    pub auth_flow: String,
    pub vendor_account_id: Option<String>,
    pub scopes_granted: Vec<String>,
    /// Whether sealed credentials are stored; the ciphertext itself never leaves the store.
    pub has_credential: bool,
    pub has_refresh_token: bool,
    #[ts(type = "number | null")]
    pub expires_at: Option<i64>,
    #[ts(type = "number | null")]
    pub last_test_at: Option<i64>,
    pub last_test_outcome: Option<String>,
    #[ts(type = "number | null")]
    pub last_delivery_at: Option<i64>,
    pub operator_of_record: String,
    pub operator_of_record_name: String,
    pub base_url_override: Option<String>,
    /// Where an OAuth connection was authorized, when not at the catalog's or a sandbox's server.
    pub oauth_server: Option<OAuthServer>,
    /// Per action, request field → event field (see the core's `field_mapping`).
    #[ts(type = "Record<string, Record<string, string>>")]
    pub field_mapping: serde_json::Value,
    #[ts(type = "number")]
    pub created_at: i64,
    #[ts(type = "number")]
    pub updated_at: i64,
}

/// An OAuth authorization server given for one connection (endpoint overrides).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OAuthServer {
    pub authorize_url: String,
    pub token_url: String,
    #[serde(default)]
    pub revoke_url: Option<String>,
    /// The `iss` the server puts on its callbacks (RFC 9207), when it does.
    #[serde(default)]
    pub issuer: Option<String>,
    /// The client this app is registered as at that server.
    pub client_id: String,
}

/// What creating a connection row needs.
pub struct NewConnection<'a> {
    pub id: &'a str,
    pub environment_id: i64,
    pub connector_type: &'a str,
    pub display_name: &'a str,
    pub state: ConnectionState,
    pub auth_flow: &'a str,
    pub vendor_account_id: Option<&'a str>,
    pub scopes_granted: &'a [String],
    pub credential_blob: Option<&'a [u8]>,
    pub refresh_token_blob: Option<&'a [u8]>,
    pub expires_at: Option<i64>,
    pub last_test_at: Option<i64>,
    pub last_test_outcome: Option<&'a str>,
    pub operator_of_record: &'a str,
    pub base_url_override: Option<&'a str>,
    pub oauth_server: Option<&'a OAuthServer>,
    pub field_mapping: &'a serde_json::Value,
    pub now: i64,
    pub cause: &'a str,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct StateTransition {
    #[ts(type = "number")]
    pub id: i64,
    pub from_state: Option<ConnectionState>,
    pub to_state: ConnectionState,
    pub cause: String,
    pub operator_id: Option<String>,
    #[ts(type = "number")]
    pub at: i64,
}

/// Inserts the row and its creation transition.
pub fn insert(tx: &Transaction<'_>, c: &NewConnection<'_>) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO connections (id, environment_id, connector_type, display_name, state, auth_flow, vendor_account_id,
             scopes_granted, credential_blob, refresh_token_blob, expires_at, last_test_at, last_test_outcome,
             operator_of_record, base_url_override, field_mapping, created_at, updated_at, oauth_server)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?17, ?18)",
        params![
            c.id,
            c.environment_id,
            c.connector_type,
            c.display_name,
            c.state,
            c.auth_flow,
            c.vendor_account_id,
            serde_json::to_string(c.scopes_granted).expect("strings serialize"),
            c.credential_blob,
            c.refresh_token_blob,
            c.expires_at,
            c.last_test_at,
            c.last_test_outcome,
            c.operator_of_record,
            c.base_url_override,
            c.field_mapping.to_string(),
            c.now,
            c.oauth_server
                .map(|server| serde_json::to_string(server).expect("strings serialize")),
        ],
    )?;
    insert_transition(
        tx,
        c.id,
        None,
        c.state,
        c.cause,
        Some(c.operator_of_record),
        c.now,
    )
}

/// Moves a connection to `to` and records why; returns the state it left. A transition to the
/// current state is a no-op (None). The core's `Core::transition` is the only caller: it adds
/// the activity row and the event.
pub fn transition(
    tx: &Transaction<'_>,
    id: &str,
    to: ConnectionState,
    cause: &str,
    operator_id: Option<&str>,
    at: i64,
) -> rusqlite::Result<Option<ConnectionState>> {
    let from: ConnectionState =
        tx.query_row("SELECT state FROM connections WHERE id = ?1", [id], |row| {
            row.get(0)
        })?;
    if from == to {
        return Ok(None);
    }
    tx.execute(
        "UPDATE connections SET state = ?2, updated_at = ?3 WHERE id = ?1",
        params![id, to, at],
    )?;
    insert_transition(tx, id, Some(from), to, cause, operator_id, at)?;
    Ok(Some(from))
}

fn insert_transition(
    tx: &Transaction<'_>,
    id: &str,
    from: Option<ConnectionState>,
    to: ConnectionState,
    cause: &str,
    operator_id: Option<&str>,
    at: i64,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO connection_transitions (connection_id, from_state, to_state, cause, operator_id, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![id, from, to, cause, operator_id, at],
    )?;
    Ok(())
}

/// Records a test call's result: when, what came of it, and the account it reached.
pub fn record_test(
    tx: &Transaction<'_>,
    id: &str,
    outcome: &str,
    vendor_account_id: Option<&str>,
    at: i64,
) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE connections SET last_test_at = ?2, last_test_outcome = ?3,
             vendor_account_id = coalesce(?4, vendor_account_id), updated_at = ?2
         WHERE id = ?1",
        params![id, at, outcome, vendor_account_id],
    )?;
    Ok(())
}

/// Records a new grant after a re-authorization: the scopes it holds and the account it is for.
pub fn set_grant(
    tx: &Transaction<'_>,
    id: &str,
    scopes_granted: &[String],
    vendor_account_id: Option<&str>,
    at: i64,
) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE connections SET scopes_granted = ?2, vendor_account_id = coalesce(?3, vendor_account_id),
             updated_at = ?4
         WHERE id = ?1",
        params![
            id,
            serde_json::to_string(scopes_granted).expect("strings serialize"),
            vendor_account_id,
            at
        ],
    )?;
    Ok(())
}

/// Token connections (OAuth with a refresh token, client credentials) whose access token
/// expires before `before`, and
/// that are in use (not paused, not waiting for a person to authorize again).
pub fn due_for_refresh(conn: &Connection, before: i64) -> rusqlite::Result<Vec<String>> {
    conn.prepare_cached(
        "SELECT id FROM connections
         WHERE ((auth_flow = 'oauth2' AND refresh_token_blob IS NOT NULL) OR auth_flow = 'client_credentials')
           AND expires_at <= ?1
           AND state IN ('active', 'error')
         ORDER BY expires_at",
    )?
    .query_map([before], |row| row.get(0))?
    .collect()
}

/// Records the time of the newest delivery attempt, never moving it backwards.
pub fn set_field_mapping(
    tx: &Transaction<'_>,
    id: &str,
    mapping: &serde_json::Value,
    at: i64,
) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE connections SET field_mapping = ?2, updated_at = ?3 WHERE id = ?1",
        params![id, mapping.to_string(), at],
    )?;
    Ok(())
}

pub fn note_delivery(tx: &Transaction<'_>, id: &str, at: i64) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE connections SET last_delivery_at = max(coalesce(last_delivery_at, 0), ?2) WHERE id = ?1",
        params![id, at],
    )?;
    Ok(())
}

const SELECT_RECORD: &str = "SELECT c.id, c.environment_id, c.connector_type, c.display_name, c.state, c.auth_flow,
        c.vendor_account_id, c.scopes_granted, c.credential_blob IS NOT NULL, c.refresh_token_blob IS NOT NULL,
        c.expires_at, c.last_test_at, c.last_test_outcome, c.last_delivery_at, c.operator_of_record, o.name,
        c.base_url_override, c.field_mapping, c.created_at, c.updated_at, c.oauth_server
    FROM connections c JOIN operators o ON o.id = c.operator_of_record";

fn record_from_row(row: &Row<'_>) -> rusqlite::Result<ConnectionRecord> {
    let json = |index: usize| -> rusqlite::Result<serde_json::Value> {
        let text: String = row.get(index)?;
        serde_json::from_str(&text).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(index, rusqlite::types::Type::Text, e.into())
        })
    };
    let scopes = json(7)?;
    Ok(ConnectionRecord {
        id: row.get(0)?,
        environment_id: row.get(1)?,
        connector_type: row.get(2)?,
        display_name: row.get(3)?,
        state: row.get(4)?,
        auth_flow: row.get(5)?,
        vendor_account_id: row.get(6)?,
        scopes_granted: serde_json::from_value(scopes).unwrap_or_default(),
        has_credential: row.get(8)?,
        has_refresh_token: row.get(9)?,
        expires_at: row.get(10)?,
        last_test_at: row.get(11)?,
        last_test_outcome: row.get(12)?,
        last_delivery_at: row.get(13)?,
        operator_of_record: row.get(14)?,
        operator_of_record_name: row.get(15)?,
        base_url_override: row.get(16)?,
        field_mapping: json(17)?,
        created_at: row.get(18)?,
        updated_at: row.get(19)?,
        oauth_server: row
            .get::<_, Option<String>>(20)?
            .and_then(|text| serde_json::from_str(&text).ok()),
    })
}

pub fn get(conn: &Connection, id: &str) -> rusqlite::Result<Option<ConnectionRecord>> {
    conn.query_row(
        &format!("{SELECT_RECORD} WHERE c.id = ?1"),
        [id],
        record_from_row,
    )
    .optional()
}

pub fn transitions(conn: &Connection, id: &str) -> rusqlite::Result<Vec<StateTransition>> {
    conn.prepare(
        "SELECT id, from_state, to_state, cause, operator_id, at FROM connection_transitions
         WHERE connection_id = ?1 ORDER BY at DESC, id DESC",
    )?
    .query_map([id], |row| {
        Ok(StateTransition {
            id: row.get(0)?,
            from_state: row.get(1)?,
            to_state: row.get(2)?,
            cause: row.get(3)?,
            operator_id: row.get(4)?,
            at: row.get(5)?,
        })
    })?
    .collect()
}

/// Columns the connections list sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionSort {
    Connector,
    DisplayName,
    State,
    Scopes,
    LastDelivery,
    OperatorOfRecord,
}

impl ConnectionSort {
    fn expression(self) -> &'static str {
        match self {
            ConnectionSort::Connector => "c.connector_type",
            ConnectionSort::DisplayName => "c.display_name COLLATE NOCASE",
            ConnectionSort::State => "c.state",
            ConnectionSort::Scopes => "json_array_length(c.scopes_granted)",
            ConnectionSort::LastDelivery => "coalesce(c.last_delivery_at, 0)",
            ConnectionSort::OperatorOfRecord => "o.name COLLATE NOCASE",
        }
    }
}

pub struct ConnectionFilter<'a> {
    pub environment_id: i64,
    pub state: Option<ConnectionState>,
    /// Case-insensitive substring of display name, connector, vendor account or scopes.
    pub text: Option<&'a str>,
    pub sort: ConnectionSort,
    pub descending: bool,
    pub offset: u32,
    pub limit: u32,
}

/// One page of connections and the total matching the filter.
pub fn list(
    conn: &Connection,
    f: &ConnectionFilter<'_>,
) -> rusqlite::Result<(Vec<ConnectionRecord>, u32)> {
    let mut clauses = vec!["c.environment_id = ?".to_string()];
    let mut values: Vec<rusqlite::types::Value> = vec![f.environment_id.into()];
    if let Some(state) = f.state {
        clauses.push("c.state = ?".into());
        values.push(state.as_str().to_string().into());
    }
    if let Some(text) = f.text.filter(|t| !t.trim().is_empty()) {
        clauses.push(
            "(instr(lower(c.display_name), lower(?)) OR instr(lower(c.connector_type), lower(?))
              OR instr(lower(coalesce(c.vendor_account_id, '')), lower(?)) OR instr(lower(c.scopes_granted), lower(?)))"
                .into(),
        );
        for _ in 0..4 {
            values.push(text.trim().to_string().into());
        }
    }
    let filter = clauses.join(" AND ");
    let total: u32 = conn.query_row(
        &format!("SELECT count(*) FROM connections c WHERE {filter}"),
        params_from_iter(values.iter()),
        |row| row.get(0),
    )?;
    let direction = if f.descending { "DESC" } else { "ASC" };
    let sql = format!(
        "{SELECT_RECORD} WHERE {filter} ORDER BY {} {direction}, c.id {direction} LIMIT {} OFFSET {}",
        f.sort.expression(),
        f.limit,
        f.offset
    );
    let rows = conn
        .prepare(&sql)?
        .query_map(params_from_iter(values.iter()), record_from_row)?
        .collect::<Result<_, _>>()?;
    Ok((rows, total))
}

/// Connector slugs configured in an environment, for the library's "configured" badge.
pub fn configured_connectors(
    conn: &Connection,
    environment_id: i64,
) -> rusqlite::Result<Vec<String>> {
    conn.prepare("SELECT DISTINCT connector_type FROM connections WHERE environment_id = ?1")?
        .query_map([environment_id], |row| row.get(0))?
        .collect()
}
