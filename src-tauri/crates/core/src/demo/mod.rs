//! The demo site (SPEC §9): "Acme Outdoor" with live and staging environments, three operators,
//! connections in every state with their history, and a delivery history. Deterministic for a
//! given seed and clock, and written through the core's own operations.

mod automations;
mod connection_story;
mod history;
mod history_walk;
mod plan;
mod rng;
mod sandbox_credentials;

use crate::access;
use crate::inbound::sandbox_emitter::random_secret;
use crate::kernel::site_keys::SiteKey;
use crate::{Core, CoreError, CoreResult};
use connection_story::plan_scopes;
use history_walk::write_history;
use plan::{demo_plans, DAY_MS};
use rng::DemoRng;
use sandbox_credentials::DemoCredential;
use serde::Serialize;
use sgen_catalog::SignatureScheme;
use sgen_sandbox::{Faults, ALL_ACCOUNTS};
use sgen_store::model::ConnectionState;
use sgen_store::operators::{self, NewOperator};
use sgen_store::sites;
use ts_rs::TS;

pub const DEFAULT_DELIVERY_ATTEMPTS: u64 = 100_000;
pub const DEFAULT_SEED: u64 = 0x5EED_AC3E;

pub struct DemoOptions {
    /// How many delivery attempts the history holds (approximately: whole retry chains).
    pub delivery_attempts: u64,
    pub seed: u64,
    /// Connect every demo connection to its sandbox vendor with a real credential (needs the
    /// keyring). Without it the connections hold no credential, which is all a benchmark or a
    /// query test needs.
    pub sandbox_credentials: bool,
    /// Add the demo's automations, with received events for their run history (needs the
    /// sandbox credentials: their steps call the sandbox vendors).
    pub automations: bool,
}

impl Default for DemoOptions {
    fn default() -> Self {
        Self {
            delivery_attempts: DEFAULT_DELIVERY_ATTEMPTS,
            seed: DEFAULT_SEED,
            sandbox_credentials: false,
            automations: false,
        }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct DemoSummary {
    pub site_id: String,
    pub connections: u32,
    /// How many of them hold a working sandbox credential.
    pub connections_with_credentials: u32,
    #[ts(type = "number")]
    pub deliveries: u64,
    #[ts(type = "number")]
    pub delivery_attempts: u64,
}

impl Core {
    /// Creates the demo site in an empty data directory, in one transaction: a crash part-way
    /// leaves the directory empty, and the next start creates the demo again. `progress` is told
    /// how many attempts of the total are written, after each batch.
    pub fn seed_demo(
        &self,
        options: &DemoOptions,
        mut progress: impl FnMut(u64, u64),
    ) -> CoreResult<DemoSummary> {
        if !self.is_empty()? {
            return Err(CoreError::invalid(
                "this data directory already has a site; the demo is only created in an empty data directory",
            ));
        }
        let mut rng = DemoRng::new(options.seed);
        let now = self.now();
        // Its own id in every data directory, unlike everything else the seed decides: keyring
        // entries and support bundles tell sites apart by it.
        let site_id =
            crate::kernel::ids::time_ordered_id("site", now, crate::kernel::ids::random_bits()?);
        let dana = DemoOperator {
            id: rng.id("op"),
            name: "Dana Whitfield",
            role: access::roles::ADMINISTRATOR,
            created_at: now - 100 * DAY_MS,
        };
        let sam = DemoOperator {
            id: rng.id("op"),
            name: "Sam Ortiz",
            role: access::roles::EDITOR,
            created_at: now - 95 * DAY_MS,
        };
        let riley = DemoOperator {
            id: rng.id("op"),
            name: "Riley Chen",
            role: access::roles::VIEWER,
            created_at: now - 40 * DAY_MS,
        };
        let plans = demo_plans();
        let (key, credentials) = match options.sandbox_credentials {
            true => self.demo_credentials(&site_id, &plans),
            false => (None, plans.iter().map(|_| None).collect()),
        };
        let (deliveries, attempts) = self.write(|tx| {
            let site = sites::insert(
                tx,
                &site_id,
                "Acme Outdoor",
                "acme-outdoor.example",
                true,
                now - 100 * DAY_MS,
            )?;
            for operator in [&dana, &sam, &riley] {
                operators::insert(
                    tx,
                    &NewOperator {
                        id: &operator.id,
                        name: operator.name,
                        role: operator.role,
                        created_at: operator.created_at,
                        passphrase_hash: None,
                        os_user: None,
                    },
                )?;
            }
            let mut targets = Vec::new();
            for (plan, credential) in plans.iter().zip(&credentials) {
                let environment_id = site
                    .environments
                    .iter()
                    .find(|e| e.name == plan.environment)
                    .map_or(0, |e| e.id);
                targets.push(self.seed_connection(
                    tx,
                    &mut rng,
                    (&site_id, environment_id),
                    plan,
                    credential.as_ref().zip(key.as_deref()),
                    (&dana, &sam),
                    now,
                )?);
            }
            write_history(
                tx,
                &mut rng,
                &targets,
                options.delivery_attempts,
                now,
                &mut progress,
            )
        })?;
        tracing::info!(deliveries, attempts, "demo site created");
        self.store.checkpoint()?;
        self.show_demo_states(&plans, &credentials);
        if key.is_some() {
            self.demo_event_secrets(&site_id)?;
            if options.automations {
                self.seed_demo_automations(&site_id)?;
            }
        }
        Ok(DemoSummary {
            site_id,
            connections: plans.len() as u32,
            connections_with_credentials: credentials.iter().flatten().count() as u32,
            deliveries,
            delivery_attempts: attempts,
        })
    }

    /// Every demo connection whose vendor signs its events gets a signing secret, so the
    /// sandbox's emitter can send it events at once.
    fn demo_event_secrets(&self, site_id: &str) -> CoreResult<()> {
        let connections: Vec<(String, String)> = self.store.read(|conn| {
            let mut statement = conn.prepare(
                "SELECT c.id, c.connector_type FROM connections c
                 JOIN environments e ON e.id = c.environment_id WHERE e.site_id = ?1",
            )?;
            let rows = statement.query_map([site_id], |row| Ok((row.get(0)?, row.get(1)?)))?;
            rows.collect::<Result<Vec<_>, _>>().map_err(CoreError::from)
        })?;
        for (id, connector) in connections {
            let scheme = self.manifest(&connector)?.inbound_events.signature;
            if scheme != SignatureScheme::None {
                self.set_event_secret(&id, random_secret(scheme)?, false)?;
            }
        }
        Ok(())
    }

    /// A working sandbox credential for each plan, where one can be had: none at all without a
    /// keyring (the demo is still worth seeing), none for a plan whose flow fails (logged).
    fn demo_credentials(
        &self,
        site_id: &str,
        plans: &[plan::ConnectionPlan],
    ) -> (Option<SiteKey>, Vec<Option<DemoCredential>>) {
        let key = match self.site_key(site_id) {
            Ok(key) => key,
            Err(e) => {
                tracing::warn!(error = %e, "demo connections get no credentials");
                return (None, plans.iter().map(|_| None).collect());
            }
        };
        let credentials = plans
            .iter()
            .map(|plan| {
                let manifest = self.manifest(plan.slug).ok()?;
                let scopes = plan_scopes(manifest, plan);
                self.demo_credential(manifest, plan, &scopes)
                    .inspect_err(|e| {
                        tracing::warn!(connector = plan.slug, error = %e, "demo connection left without a credential");
                    })
                    .ok()
            })
            .collect();
        (Some(key), credentials)
    }

    /// Makes the sandbox vendors answer the way each demo connection's story ended, so a test
    /// call shows the state the history shows (for as long as this process's sandbox runs).
    fn show_demo_states(
        &self,
        plans: &[plan::ConnectionPlan],
        credentials: &[Option<DemoCredential>],
    ) {
        for (plan, credential) in plans.iter().zip(credentials) {
            let (Some(credential), Some((state, _, cause))) = (credential, plan.end) else {
                continue;
            };
            let faults = match state {
                ConnectionState::AuthRevoked => Faults {
                    revoked: true,
                    ..Faults::default()
                },
                ConnectionState::AuthExpired => Faults {
                    token_expired: true,
                    ..Faults::default()
                },
                ConnectionState::Error if cause.contains("503") => Faults {
                    status: Some(503),
                    ..Faults::default()
                },
                ConnectionState::Error if cause.contains("429") => Faults {
                    status: Some(429),
                    ..Faults::default()
                },
                _ => continue,
            };
            let account = credential.account_id.as_deref().unwrap_or(ALL_ACCOUNTS);
            if let Err(e) = self.sandbox().and_then(|s| {
                s.set_faults(plan.slug, account, faults)
                    .map_err(|e| CoreError::invalid(e.to_string()))
            }) {
                tracing::warn!(connector = plan.slug, error = %e, "demo fault not set");
            }
        }
    }
}

/// One of the demo site's people, whose names its history carries.
struct DemoOperator {
    id: String,
    name: &'static str,
    role: &'static str,
    created_at: i64,
}
