//! Sites and environments.

use crate::access::{self, Target};
use crate::{Core, CoreError, CoreResult};
use serde::{Deserialize, Serialize};
use sgen_store::model::EnvironmentName;
pub use sgen_store::operators::Operator;
use sgen_store::sites;
pub use sgen_store::sites::{Environment, Site};
use ts_rs::TS;

/// Which site and environment a request is about. Every view is scoped by one.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SiteEnvironment {
    pub site_id: String,
    pub environment: EnvironmentName,
}

impl Core {
    pub fn sites(&self) -> CoreResult<Vec<Site>> {
        self.store.read(|conn| Ok(sites::list(conn)?))
    }

    /// Adds a site of the operator's own (not a demo): its calls go to real vendors unless a
    /// connection says otherwise.
    pub fn create_site(&self, name: &str, domain: &str) -> CoreResult<Site> {
        self.authorize(access::Operation::CreateSite, Target::App)?;
        let (name, domain) = (name.trim(), domain.trim().to_ascii_lowercase());
        if name.is_empty() || name.chars().count() > 120 {
            return Err(CoreError::invalid(
                "the site name must be 1 to 120 characters",
            ));
        }
        let domain_ok = !domain.is_empty()
            && domain.len() <= 253
            && domain.contains('.')
            && domain
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
        if !domain_ok {
            return Err(CoreError::invalid(format!(
                "`{domain}` is not a domain name (like shop.example.com)"
            )));
        }
        let now = self.now();
        let id =
            crate::kernel::ids::time_ordered_id("site", now, crate::kernel::ids::random_bits()?);
        self.store
            .write(|tx| Ok::<_, CoreError>(sites::insert(tx, &id, name, &domain, false, now)?))
    }

    /// The environment row a scope names, or a not-found error naming what is missing.
    pub fn environment_id(&self, scope: &SiteEnvironment) -> CoreResult<i64> {
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

    /// The site an environment (a connection's, say) belongs to.
    pub(crate) fn site_of_environment(&self, environment_id: i64) -> CoreResult<String> {
        self.store
            .read(|conn| Ok::<_, CoreError>(sites::site_of_environment(conn, environment_id)?))?
            .ok_or_else(|| CoreError::NotFound {
                what: "environment",
                id: environment_id.to_string(),
            })
    }

    /// Whether the data directory has no site yet (first run): the app then creates the demo.
    pub fn is_empty(&self) -> CoreResult<bool> {
        self.store.read(|conn| Ok(sites::count(conn)? == 0))
    }
}
