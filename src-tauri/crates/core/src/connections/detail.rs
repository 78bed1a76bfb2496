//! The connections list and detail views, and recording a connection with its attribution.

use crate::kernel::events::CoreEvent;
use crate::kernel::sites::SiteEnvironment;
use crate::kernel::write::Tx;
use crate::{Core, CoreError, CoreResult};
use serde::{Deserialize, Serialize};
use sgen_store::activity::{self, NewActivity};
use sgen_store::connections::{
    self, ConnectionFilter, ConnectionRecord, ConnectionSort, NewConnection, StateTransition,
};
use sgen_store::model::ConnectionState;
use ts_rs::TS;

pub const DEFAULT_PAGE_SIZE: u32 = 25;
pub const MAX_PAGE_SIZE: u32 = 200;

/// A request for one page of the connections list. Filter values arrive as text (from the UI or
/// the command line) and are checked here, so both get the same specific errors.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ConnectionQuery {
    #[ts(optional)]
    pub state: Option<String>,
    #[ts(optional)]
    pub text: Option<String>,
    /// connector | display_name | state | scopes | last_delivery | operator_of_record
    #[ts(optional)]
    pub sort: Option<String>,
    #[ts(optional)]
    pub descending: Option<bool>,
    /// Zero-based.
    #[ts(optional)]
    pub page: Option<u32>,
    #[ts(optional)]
    pub page_size: Option<u32>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ConnectionRow {
    pub record: ConnectionRecord,
    pub connector_name: String,
    pub family_label: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ConnectionPage {
    pub rows: Vec<ConnectionRow>,
    pub total: u32,
    pub page: u32,
    pub page_size: u32,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ConnectionDetail {
    pub row: ConnectionRow,
    /// Newest first.
    pub transitions: Vec<StateTransition>,
    #[ts(type = "number")]
    pub delivery_attempts: i64,
}

const SORTS: [(&str, ConnectionSort); 6] = [
    ("connector", ConnectionSort::Connector),
    ("display_name", ConnectionSort::DisplayName),
    ("state", ConnectionSort::State),
    ("scopes", ConnectionSort::Scopes),
    ("last_delivery", ConnectionSort::LastDelivery),
    ("operator_of_record", ConnectionSort::OperatorOfRecord),
];

/// What a new connection row holds; secrets arrive already sealed.
pub struct ConnectionSpec<'a> {
    pub connector_type: &'a str,
    pub display_name: &'a str,
    pub state: ConnectionState,
    pub auth_flow: &'a str,
    pub vendor_account_id: Option<&'a str>,
    pub scopes_granted: Vec<String>,
    pub expires_at: Option<i64>,
    pub last_test_outcome: Option<&'a str>,
    pub base_url_override: Option<&'a str>,
    pub oauth_server: Option<&'a sgen_store::connections::OAuthServer>,
    pub field_mapping: serde_json::Value,
    /// Sealed for this connection's id (see `sgen_vault::Binding`).
    pub credential_blob: Option<&'a [u8]>,
}

impl Core {
    pub fn connections(
        &self,
        scope: &SiteEnvironment,
        query: &ConnectionQuery,
    ) -> CoreResult<ConnectionPage> {
        let environment_id = self.environment_id(scope)?;
        let state = query
            .state
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(|s| {
                ConnectionState::parse(s).ok_or_else(|| {
                    CoreError::invalid(format!(
                        "unknown state `{s}`; expected one of {}",
                        ConnectionState::choices()
                    ))
                })
            })
            .transpose()?;
        let sort = match query.sort.as_deref().filter(|s| !s.is_empty()) {
            None => ConnectionSort::DisplayName,
            Some(name) => SORTS
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, s)| *s)
                .ok_or_else(|| {
                    let names: Vec<&str> = SORTS.iter().map(|(n, _)| *n).collect();
                    CoreError::invalid(format!(
                        "unknown sort column `{name}`; expected one of {}",
                        names.join("|")
                    ))
                })?,
        };
        let page_size = query.page_size.unwrap_or(DEFAULT_PAGE_SIZE);
        if page_size == 0 || page_size > MAX_PAGE_SIZE {
            return Err(CoreError::invalid(format!(
                "page size must be between 1 and {MAX_PAGE_SIZE}"
            )));
        }
        let page = query.page.unwrap_or(0);
        let filter = ConnectionFilter {
            environment_id,
            state,
            text: query.text.as_deref(),
            sort,
            descending: query.descending.unwrap_or(false),
            offset: page.saturating_mul(page_size),
            limit: page_size,
        };
        let (records, total) = self
            .store
            .read(|conn| Ok::<_, CoreError>(connections::list(conn, &filter)?))?;
        Ok(ConnectionPage {
            rows: records.into_iter().map(|r| self.row(r)).collect(),
            total,
            page,
            page_size,
        })
    }

    pub fn connection(&self, id: &str) -> CoreResult<ConnectionDetail> {
        let (record, transitions, delivery_attempts) = self.store.read(|conn| {
            let record = connections::get(conn, id)?.ok_or_else(|| CoreError::NotFound {
                what: "connection",
                id: id.into(),
            })?;
            let transitions = connections::transitions(conn, id)?;
            let attempts = sgen_store::attempts::count(
                conn,
                sgen_store::attempts::AttemptScope::Connection(id),
            )?;
            Ok::<_, CoreError>((record, transitions, attempts))
        })?;
        Ok(ConnectionDetail {
            row: self.row(record),
            transitions,
            delivery_attempts,
        })
    }

    fn row(&self, record: ConnectionRecord) -> ConnectionRow {
        let manifest = self.catalog.get(&record.connector_type);
        ConnectionRow {
            connector_name: manifest
                .map_or_else(|| record.connector_type.clone(), |m| m.display_name.clone()),
            family_label: manifest.map_or("", |m| m.family.label()).to_string(),
            record,
        }
    }
}

/// Where a new connection goes, who records it and when.
pub(crate) struct Placement<'a> {
    pub id: &'a str,
    pub site_id: &'a str,
    pub environment_id: i64,
    pub operator_id: &'a str,
    pub now: i64,
}

/// Inserts a connection with its creation transition and an activity-log row, in the caller's
/// transaction, and announces it once that commits.
pub(crate) fn insert_connection(
    tx: &Tx<'_, '_>,
    at: &Placement<'_>,
    spec: &ConnectionSpec<'_>,
    cause: &str,
) -> CoreResult<()> {
    connections::insert(
        tx,
        &NewConnection {
            id: at.id,
            environment_id: at.environment_id,
            connector_type: spec.connector_type,
            display_name: spec.display_name,
            state: spec.state,
            auth_flow: spec.auth_flow,
            vendor_account_id: spec.vendor_account_id,
            scopes_granted: &spec.scopes_granted,
            credential_blob: spec.credential_blob,
            refresh_token_blob: None,
            expires_at: spec.expires_at,
            last_test_at: spec.last_test_outcome.map(|_| at.now),
            last_test_outcome: spec.last_test_outcome,
            operator_of_record: at.operator_id,
            base_url_override: spec.base_url_override,
            oauth_server: spec.oauth_server,
            field_mapping: &spec.field_mapping,
            now: at.now,
            cause,
        },
    )?;
    activity::append(
        tx,
        &NewActivity {
            at: at.now,
            operator_id: at.operator_id,
            site_id: Some(at.site_id),
            environment_id: Some(at.environment_id),
            connection_id: Some(at.id),
            action: "connection.create",
            outcome: "success",
            details: &serde_json::json!({
                "connector_type": spec.connector_type,
                "display_name": spec.display_name,
                "auth_flow": spec.auth_flow,
                "scopes_granted": spec.scopes_granted,
            }),
            catalog_version: sgen_catalog::CATALOG_VERSION,
        },
    )?;
    tx.publish(CoreEvent::ConnectionChanged {
        connection_id: at.id.to_string(),
    });
    Ok(())
}
