//! Sites, environments and the acting operator.

use crate::{Core, CoreError, CoreResult};
use serde::{Deserialize, Serialize};
use sgen_store::model::EnvironmentName;
use sgen_store::operators;
pub use sgen_store::operators::Operator;
use sgen_store::settings;
use sgen_store::sites;
pub use sgen_store::sites::{Environment, Site};
use ts_rs::TS;

/// Which site and environment a request is about. Every view is scoped by one.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Scope {
    pub site_id: String,
    pub environment: EnvironmentName,
}

impl Core {
    pub fn sites(&self) -> CoreResult<Vec<Site>> {
        self.store.read(|conn| Ok(sites::list(conn)?))
    }

    /// The environment row a scope names, or a not-found error naming what is missing.
    pub fn environment_id(&self, scope: &Scope) -> CoreResult<i64> {
        self.store
            .read(|conn| {
                Ok::<_, CoreError>(sites::environment_id(
                    conn,
                    &scope.site_id,
                    scope.environment,
                )?)
            })?
            .ok_or_else(|| CoreError::NotFound {
                what: "site",
                id: scope.site_id.clone(),
            })
    }

    /// The operator every action of this session is attributed to.
    pub fn active_operator(&self) -> CoreResult<Operator> {
        self.store.read(|conn| {
            let id = settings::get(conn, settings::ACTIVE_OPERATOR)?.ok_or_else(|| {
                CoreError::NotFound {
                    what: "active operator",
                    id: "(none set)".into(),
                }
            })?;
            operators::get(conn, &id)?.ok_or(CoreError::NotFound {
                what: "operator",
                id,
            })
        })
    }

    /// Whether the data directory has no site yet (first run): the app then creates the demo.
    pub fn is_empty(&self) -> CoreResult<bool> {
        self.store.read(|conn| Ok(sites::count(conn)? == 0))
    }
}
