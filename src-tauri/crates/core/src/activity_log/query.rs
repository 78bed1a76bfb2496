//! Activity rows newest (or oldest) first, filtered by connection, operator, kind of action,
//! outcome and date range, a page at a time from a keyset cursor.

use crate::{Core, CoreError, CoreResult};
use serde::{Deserialize, Serialize};
use sgen_store::activity::{self, ActivityFilter, ActivityKeyset, ActivityRecord};
use ts_rs::TS;

const DEFAULT_PAGE: u32 = 50;
const MAX_PAGE: u32 = 500;

/// What selects rows. `action` is one action (`connection.disconnect`) or a kind of them
/// ending in a dot (`connection.`).
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[ts(export)]
pub struct ActivityFilters {
    pub site_id: String,
    #[ts(optional)]
    pub connection_id: Option<String>,
    #[ts(optional)]
    pub operator_id: Option<String>,
    #[ts(optional)]
    pub action: Option<String>,
    #[ts(optional)]
    pub outcome: Option<String>,
    /// Epoch ms, inclusive.
    #[ts(optional, type = "number")]
    pub since: Option<i64>,
    /// Epoch ms, exclusive.
    #[ts(optional, type = "number")]
    pub until: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[ts(export)]
pub struct ActivityQuery {
    #[serde(flatten)]
    pub filters: ActivityFilters,
    /// Oldest first; newest first when absent.
    #[serde(default)]
    pub ascending: bool,
    #[ts(optional)]
    pub cursor: Option<String>,
    #[ts(optional)]
    pub page_size: Option<u32>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ActivityRow {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub at: i64,
    pub operator_id: String,
    pub operator_name: String,
    pub connection_id: Option<String>,
    pub connection_name: Option<String>,
    pub connector: Option<String>,
    pub action: String,
    pub outcome: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ActivityPage {
    pub rows: Vec<ActivityRow>,
    pub next_cursor: Option<String>,
}

impl From<&ActivityRecord> for ActivityRow {
    fn from(r: &ActivityRecord) -> Self {
        ActivityRow {
            id: r.id,
            at: r.at,
            operator_id: r.operator_id.clone(),
            operator_name: r.operator_name.clone(),
            connection_id: r.connection_id.clone(),
            connection_name: r.connection_name.clone(),
            connector: r.connector.clone(),
            action: r.action.clone(),
            outcome: r.outcome.clone(),
        }
    }
}

impl ActivityFilters {
    pub(crate) fn as_store(&self) -> CoreResult<ActivityFilter<'_>> {
        fn given(value: &Option<String>) -> Option<&str> {
            value.as_deref().filter(|s| !s.trim().is_empty())
        }
        if let (Some(since), Some(until)) = (self.since, self.until) {
            if since >= until {
                return Err(CoreError::invalid("the date range ends before it starts"));
            }
        }
        Ok(ActivityFilter {
            site_id: &self.site_id,
            connection_id: given(&self.connection_id),
            operator_id: given(&self.operator_id),
            action: given(&self.action),
            outcome: given(&self.outcome),
            since: self.since,
            until: self.until,
        })
    }
}

/// A cursor is the last row's position: `at.id`.
fn parse_cursor(cursor: &str) -> CoreResult<ActivityKeyset> {
    let malformed = || {
        CoreError::InvalidCursor(
            "the page cursor is malformed; start again from the first page".into(),
        )
    };
    let (at, id) = cursor.split_once('.').ok_or_else(malformed)?;
    Ok(ActivityKeyset {
        at: at.parse().map_err(|_| malformed())?,
        id: id.parse().map_err(|_| malformed())?,
    })
}

impl Core {
    pub fn activity(&self, query: &ActivityQuery) -> CoreResult<ActivityPage> {
        let filter = query.filters.as_store()?;
        let after = query.cursor.as_deref().map(parse_cursor).transpose()?;
        let size = query.page_size.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
        let mut records = self.store.read(|conn| {
            Ok::<_, CoreError>(activity::page(
                conn,
                &filter,
                after,
                !query.ascending,
                size + 1,
            )?)
        })?;
        let more = records.len() > size as usize;
        records.truncate(size as usize);
        Ok(ActivityPage {
            next_cursor: more
                .then(|| records.last().map(|r| format!("{}.{}", r.at, r.id)))
                .flatten(),
            rows: records.iter().map(ActivityRow::from).collect(),
        })
    }

    /// The actions recorded so far, for the view's filter.
    pub fn activity_actions(&self) -> CoreResult<Vec<String>> {
        self.store
            .read(|conn| Ok::<_, CoreError>(activity::actions(conn)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_are_two_numbers() {
        assert_eq!(
            parse_cursor("1795000000000.42").unwrap(),
            ActivityKeyset {
                at: 1_795_000_000_000,
                id: 42
            }
        );
        for bad in ["", "42", "a.b", "1.2.3", "1.x"] {
            assert_eq!(
                parse_cursor(bad).unwrap_err().code(),
                "invalid_cursor",
                "{bad}"
            );
        }
    }
}
