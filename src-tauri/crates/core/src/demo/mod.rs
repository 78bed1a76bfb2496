//! The demo site (SPEC §9): "Acme Outdoor" with live and staging environments, three operators,
//! connections in every state with their history, and a delivery history. Deterministic for a
//! given seed and clock, and written through the core's own operations.

mod automations;
mod history;
mod plan;
mod rng;
mod sandbox_credentials;

use crate::access;
use crate::connections::detail::{insert_connection, ConnectionSpec, Placement};
use crate::delivery::log::import_history;
use crate::inbound::sandbox_emitter::random_secret;
use crate::kernel::connection_state::{Operation, Transition};
use crate::kernel::site_keys::SiteKey;
use crate::kernel::write::Tx;
use crate::oauth;
use crate::oauth::authorization::REFRESH_TOKEN;
use crate::{Core, CoreError, CoreResult, SANDBOX_ENDPOINT};
use history::Target;
use plan::{demo_plans, DAY_MS};
use rng::DemoRng;
use sandbox_credentials::DemoCredential;
use serde::Serialize;
use sgen_catalog::Manifest;
use sgen_catalog::SignatureScheme;
use sgen_sandbox::{Faults, ALL_ACCOUNTS};
use sgen_store::model::ConnectionState;
use sgen_store::operators::{self, NewOperator};
use sgen_store::{connection_credentials, connections, sites, Transaction};
use sgen_vault::{Binding, DataKey, SecretFields};
use ts_rs::TS;

pub const DEFAULT_DELIVERY_ATTEMPTS: u64 = 100_000;
pub const DEFAULT_SEED: u64 = 0x5EED_AC3E;
const BATCH_DELIVERIES: usize = 20_000;
/// A slight overestimate of the attempts one step of the walk yields (a delivery averages ~1.1
/// attempts; some steps yield none), so one pass covers the whole period and a short second
/// pass tops up the count.
const ATTEMPTS_PER_STEP: f64 = 1.25;

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

    /// One demo connection with its story, as its target for the history.
    #[allow(clippy::too_many_arguments)] // the demo's context, one piece each
    fn seed_connection<'p>(
        &self,
        tx: &Tx<'_, '_>,
        rng: &mut DemoRng,
        (site_id, environment_id): (&str, i64),
        plan: &'p plan::ConnectionPlan,
        credential: Option<(&DemoCredential, &DataKey)>,
        (admin, editor): (&DemoOperator, &DemoOperator),
        now: i64,
    ) -> CoreResult<Target<'p>> {
        let manifest = self.manifest(plan.slug)?;
        let created_at = now - plan.created_days_ago * DAY_MS - rng.below(DAY_MS as u64) as i64;
        let oauth = plan.auth_flow == "oauth2";
        let id = rng.id("con");
        let sealed = credential.map(|(c, key)| {
            let refresh = c.refresh_token.as_ref().map(|token| {
                key.seal(
                    Binding::refresh_token(&id),
                    &SecretFields::new().with(REFRESH_TOKEN, token.clone()),
                )
            });
            (key.seal(Binding::credential(&id), &c.fields), refresh)
        });
        let expires_at = match credential {
            Some((c, _)) => oauth::expires_at(now, c.expires_in_s),
            None => oauth.then_some(now + 45 * 60 * 1000),
        };
        insert_connection(
            tx,
            &Placement {
                id: &id,
                site_id,
                environment_id,
                operator_id: &admin.id,
                now: created_at,
            },
            &ConnectionSpec {
                connector_type: plan.slug,
                display_name: plan.display_name,
                state: ConnectionState::Active,
                auth_flow: plan.auth_flow,
                vendor_account_id: match credential {
                    Some((c, _)) => c.account_id.as_deref(),
                    None => Some(plan.account),
                },
                scopes_granted: credential
                    .and_then(|(c, _)| c.scopes.clone())
                    .unwrap_or_else(|| plan_scopes(manifest, plan)),
                expires_at,
                last_test_outcome: Some("connected"),
                base_url_override: credential.map(|_| SANDBOX_ENDPOINT),
                oauth_server: None,
                field_mapping: serde_json::json!({}),
                credential_blob: sealed.as_ref().map(|(blob, _)| blob.as_slice()),
            },
            &format!(
                "created by {} via {}; test call: connected",
                admin.name, plan.auth_flow
            ),
        )?;
        if let Some((blob, Some(refresh))) = &sealed {
            connection_credentials::set(tx, &id, blob, Some(refresh), expires_at, created_at)?;
        }
        let incident = plan.incident.map(|(days_ago, hours, cause)| {
            let from = now - days_ago * DAY_MS;
            (from, from + hours * 60 * 60 * 1000, cause)
        });
        let record = connections::get(tx, &id)?.ok_or_else(|| CoreError::NotFound {
            what: "connection",
            id: id.clone(),
        })?;
        let mut story = Vec::new();
        if let Some((from, to, cause)) = incident {
            story.push((ConnectionState::Error, cause, None, from));
            let restored = "delivery succeeded after retries; connection restored";
            story.push((ConnectionState::Active, restored, None, to));
        }
        let broke_at = plan.end.map(|(state, days_ago, cause)| {
            let at = now - days_ago * DAY_MS - rng.below(DAY_MS as u64 / 2) as i64;
            let operator = (state == ConnectionState::Paused).then_some(editor.id.as_str());
            (state, at, cause, operator)
        });
        if let Some((state, at, cause, operator)) = broke_at {
            story.push((state, cause, operator, at));
        }
        for (to, cause, operator_id, at) in story {
            // The activity row an operator would find for each turn of the story.
            let (action, outcome) = match to {
                ConnectionState::Paused => ("connection.pause", "success"),
                ConnectionState::Active => ("connection.test", "connected"),
                _ => ("failure.surfaced", "error"),
            };
            let details = serde_json::json!({ "cause": cause });
            let operation = Operation {
                operator_id,
                action,
                outcome,
                details,
                at,
            };
            self.record_operation(tx, &record, Some(Transition { to, cause }), operation)?;
        }
        let action = manifest.actions.iter().find(|a| a.id == plan.traffic.3);
        Ok(Target {
            plan,
            connection_id: id,
            environment_id,
            api_base: manifest.api_base.clone(),
            action_path: action.map(|a| a.path.clone()).unwrap_or_default(),
            created_at,
            broke_at: broke_at.map(|(_, at, _, _)| at),
            incident: incident.map(|(from, to, _)| (from, to)),
        })
    }
}

/// The scopes a demo connection holds: the plan's, or every scope the connector declares.
fn plan_scopes(manifest: &Manifest, plan: &plan::ConnectionPlan) -> Vec<String> {
    match plan.scopes {
        Some(held) => held.iter().map(|s| s.to_string()).collect(),
        None => manifest.scopes.iter().map(|s| s.id.clone()).collect(),
    }
}

/// The delivery history: the period walked forward in even steps with jitter, so it is written
/// in time order. A step whose chosen connection sent nothing then is skipped; if the period
/// runs out before the requested count, another pass fills the rest. Returns (deliveries,
/// attempts).
fn write_history(
    tx: &Transaction<'_>,
    rng: &mut DemoRng,
    targets: &[Target<'_>],
    wanted: u64,
    now: i64,
    progress: &mut impl FnMut(u64, u64),
) -> CoreResult<(u64, u64)> {
    let weights: Vec<u32> = targets.iter().map(|t| t.plan.weight).collect();
    let total_weight: u32 = weights.iter().sum();
    let first = targets.iter().map(|t| t.created_at).min().unwrap_or(now);
    let steps = (wanted as f64 / ATTEMPTS_PER_STEP) as i64 + 1;
    let step_ms = ((now - first) as f64 / steps as f64).max(1.0);
    let (mut generated, mut step) = (0u64, 0i64);
    let (mut deliveries, mut attempts) = (0u64, 0u64);
    import_history(
        tx,
        || {
            if generated >= wanted {
                return None;
            }
            let mut batch = Vec::with_capacity(BATCH_DELIVERIES);
            while batch.len() < BATCH_DELIVERIES && generated < wanted {
                let at = first + ((step % steps) as f64 * step_ms + rng.unit() * step_ms) as i64;
                step += 1;
                let target = &targets[weighted(rng, &weights, total_weight)];
                let Some(delivery) = history::delivery(rng, target, at, now) else {
                    continue;
                };
                generated += delivery.attempts.len() as u64;
                batch.push(delivery);
            }
            Some(batch)
        },
        |written| {
            deliveries += written.len() as u64;
            attempts += written.iter().map(|d| d.attempts.len() as u64).sum::<u64>();
            progress(attempts.min(wanted), wanted);
        },
    )?;
    Ok((deliveries, attempts))
}

fn weighted(rng: &mut DemoRng, weights: &[u32], total: u32) -> usize {
    let mut roll = rng.below(u64::from(total)) as u32;
    for (index, weight) in weights.iter().enumerate() {
        if roll < *weight {
            return index;
        }
        roll -= weight;
    }
    weights.len() - 1
}

/// One of the demo site's people, whose names its history carries.
struct DemoOperator {
    id: String,
    name: &'static str,
    role: &'static str,
    created_at: i64,
}
