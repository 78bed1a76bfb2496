//! Settings → Operators and roles, read in one call: the profiles, the roles with their
//! capabilities, every capability with what it allows, the per-family overrides and the
//! activity log's retention.

use crate::access::capabilities::Capability;
use crate::access::family_gates::FamilyGate;
use crate::access::roles::Role;
use crate::{Core, CoreResult};
use serde::Serialize;
use sgen_store::operators::Operator;
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct CapabilityInfo {
    pub capability: Capability,
    pub description: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AccessOverview {
    pub operators: Vec<Operator>,
    pub roles: Vec<Role>,
    pub capabilities: Vec<CapabilityInfo>,
    pub family_gates: Vec<FamilyGate>,
    /// None keeps every row forever.
    pub activity_retention_days: Option<u32>,
}

impl Core {
    pub fn access_overview(&self) -> CoreResult<AccessOverview> {
        Ok(AccessOverview {
            operators: self.operators()?,
            roles: self.roles()?,
            capabilities: Capability::ALL
                .iter()
                .map(|c| CapabilityInfo {
                    capability: *c,
                    description: c.description().into(),
                })
                .collect(),
            family_gates: self.family_gates()?,
            activity_retention_days: self.activity_retention_days()?,
        })
    }
}
