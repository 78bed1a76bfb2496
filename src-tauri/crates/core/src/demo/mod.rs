//! The demo site (SPEC §9): "Acme Outdoor" with live and staging environments, three operators,
//! connections in every state with their history, and a delivery history. Deterministic for a
//! given seed and clock, and written through the core's own operations.

mod history;
mod plan;
mod rng;

use crate::connections::{insert_connection, ConnectionSpec, Placement};
use crate::deliveries::import_history;
use crate::{Core, CoreError, CoreResult};
use history::Target;
use plan::{demo_plans, DAY_MS};
use rng::DemoRng;
use serde::Serialize;
use sgen_store::model::{ConnectionState, Role};
use sgen_store::operators::{self, Operator};
use sgen_store::{connections, settings, sites, Transaction};
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
}

impl Default for DemoOptions {
    fn default() -> Self {
        Self {
            delivery_attempts: DEFAULT_DELIVERY_ATTEMPTS,
            seed: DEFAULT_SEED,
        }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct DemoSummary {
    pub site_id: String,
    pub connections: u32,
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
        let site_id = rng.id("site");
        let dana = Operator {
            id: rng.id("op"),
            name: "Dana Whitfield".into(),
            role: Role::Administrator,
            created_at: now - 100 * DAY_MS,
        };
        let sam = Operator {
            id: rng.id("op"),
            name: "Sam Ortiz".into(),
            role: Role::Editor,
            created_at: now - 95 * DAY_MS,
        };
        let riley = Operator {
            id: rng.id("op"),
            name: "Riley Chen".into(),
            role: Role::Viewer,
            created_at: now - 40 * DAY_MS,
        };
        let plans = demo_plans();
        let (deliveries, attempts) = self.store.write(|tx| {
            let site = sites::insert(
                tx,
                &site_id,
                "Acme Outdoor",
                "acme-outdoor.example",
                true,
                now - 100 * DAY_MS,
            )?;
            for operator in [&dana, &sam, &riley] {
                operators::insert(tx, operator)?;
            }
            settings::set(tx, settings::ACTIVE_OPERATOR, &dana.id)?;
            let mut targets = Vec::new();
            for plan in &plans {
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
        Ok(DemoSummary {
            site_id,
            connections: plans.len() as u32,
            deliveries,
            delivery_attempts: attempts,
        })
    }

    /// One demo connection with its story, as its target for the history.
    fn seed_connection<'p>(
        &self,
        tx: &Transaction<'_>,
        rng: &mut DemoRng,
        (site_id, environment_id): (&str, i64),
        plan: &'p plan::ConnectionPlan,
        (admin, editor): (&Operator, &Operator),
        now: i64,
    ) -> CoreResult<Target<'p>> {
        let manifest = self
            .catalog
            .get(plan.slug)
            .ok_or_else(|| CoreError::NotFound {
                what: "connector",
                id: plan.slug.into(),
            })?;
        let scopes: Vec<String> = match plan.scopes {
            Some(held) => held.iter().map(|s| s.to_string()).collect(),
            None => manifest.scopes.iter().map(|s| s.id.clone()).collect(),
        };
        let created_at = now - plan.created_days_ago * DAY_MS - rng.below(DAY_MS as u64) as i64;
        let oauth = plan.auth_flow == "oauth2";
        let id = rng.id("con");
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
                vendor_account_id: Some(plan.account),
                scopes_granted: scopes,
                expires_at: oauth.then_some(now + 45 * 60 * 1000),
                last_test_outcome: Some("connected"),
                base_url_override: None,
                oauth_server: None,
                field_mapping: serde_json::json!({}),
                credential_blob: None,
            },
            &format!(
                "created by {} via {}; test call: connected",
                admin.name, plan.auth_flow
            ),
        )?;
        let incident = plan.incident.map(|(days_ago, hours, cause)| {
            let from = now - days_ago * DAY_MS;
            (from, from + hours * 60 * 60 * 1000, cause)
        });
        if let Some((from, to, cause)) = incident {
            connections::transition(tx, &id, ConnectionState::Error, cause, None, from)?;
            connections::transition(
                tx,
                &id,
                ConnectionState::Active,
                "delivery succeeded after retries; connection restored",
                None,
                to,
            )?;
        }
        let broke_at = plan.end.map(|(state, days_ago, cause)| {
            let at = now - days_ago * DAY_MS - rng.below(DAY_MS as u64 / 2) as i64;
            let operator = (state == ConnectionState::Paused).then_some(editor.id.as_str());
            (state, at, cause, operator)
        });
        if let Some((state, at, cause, operator)) = broke_at {
            connections::transition(tx, &id, state, cause, operator, at)?;
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
