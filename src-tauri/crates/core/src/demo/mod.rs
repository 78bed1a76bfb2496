//! The demo site (SPEC §9): "Acme Outdoor" with live and staging environments, three operators,
//! connections in every state with their history, and a delivery history. Deterministic for a
//! given seed and clock, and written through the core's own operations.

mod history;
mod plan;
mod rng;

use crate::connections::ConnectionSpec;
use crate::sites::Scope;
use crate::{Core, CoreError, CoreResult};
use history::Target;
use plan::{demo_plans, DAY_MS};
use rng::DemoRng;
use serde::Serialize;
use sgen_store::model::{ConnectionState, Role};
use sgen_store::operators::{self, Operator};
use sgen_store::{settings, sites};
use ts_rs::TS;

pub const DEFAULT_DELIVERY_ATTEMPTS: u64 = 100_000;
pub const DEFAULT_SEED: u64 = 0x5EED_AC3E;
const BATCH_DELIVERIES: usize = 5_000;

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
    /// Creates the demo site in an empty data directory. `progress` is told how many attempts
    /// of the total are written, after each batch.
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
        self.store.write(|tx| {
            sites::insert(
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
            Ok::<_, CoreError>(())
        })?;

        let plans = demo_plans();
        let mut targets = Vec::new();
        for plan in &plans {
            let scope = Scope {
                site_id: site_id.clone(),
                environment: plan.environment,
            };
            targets.push(self.seed_connection(&mut rng, &scope, plan, &dana, &sam, now)?);
        }

        let weights: Vec<u32> = plans.iter().map(|p| p.weight).collect();
        let total_weight: u32 = weights.iter().sum();
        let (mut deliveries, mut attempts) = (0u64, 0u64);
        let mut batch = Vec::with_capacity(BATCH_DELIVERIES);
        while attempts < options.delivery_attempts {
            let target = &targets[weighted(&mut rng, &weights, total_weight)];
            let Some(delivery) = history::delivery(&mut rng, target, now) else {
                continue;
            };
            attempts += delivery.attempts.len() as u64;
            deliveries += 1;
            batch.push(delivery);
            if batch.len() == BATCH_DELIVERIES || attempts >= options.delivery_attempts {
                self.record_delivery_history(&batch)?;
                batch.clear();
                progress(
                    attempts.min(options.delivery_attempts),
                    options.delivery_attempts,
                );
            }
        }
        tracing::info!(deliveries, attempts, "demo site created");
        Ok(DemoSummary {
            site_id,
            connections: plans.len() as u32,
            deliveries,
            delivery_attempts: attempts,
        })
    }

    fn seed_connection<'p>(
        &self,
        rng: &mut DemoRng,
        scope: &Scope,
        plan: &'p plan::ConnectionPlan,
        admin: &Operator,
        editor: &Operator,
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
        self.record_connection_at(
            &id,
            scope,
            &admin.id,
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
                field_mapping: serde_json::json!({}),
            },
            &format!(
                "created by {} via {}; test call: connected",
                admin.name, plan.auth_flow
            ),
            created_at,
        )?;
        let incident = plan.incident.map(|(days_ago, hours, cause)| {
            let from = now - days_ago * DAY_MS;
            (from, from + hours * 60 * 60 * 1000, cause)
        });
        if let Some((from, to, cause)) = incident {
            self.record_transition_at(&id, ConnectionState::Error, cause, None, from)?;
            self.record_transition_at(
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
            self.record_transition_at(&id, state, cause, operator, at)?;
        }
        let action = manifest.actions.iter().find(|a| a.id == plan.traffic.3);
        Ok(Target {
            plan,
            connection_id: id,
            environment_id: self.environment_id(scope)?,
            api_base: manifest.api_base.clone(),
            action_path: action.map(|a| a.path.clone()).unwrap_or_default(),
            created_at,
            broke_at: broke_at.map(|(_, at, _, _)| at),
            incident: incident.map(|(from, to, _)| (from, to)),
        })
    }
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
