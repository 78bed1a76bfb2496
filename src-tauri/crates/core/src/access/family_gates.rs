//! Per-family overrides (SPEC §8): a connector family may require one more capability for the
//! operations that hold credential authority over it (create, edit scopes, refresh, disconnect,
//! rotate). Payment platforms require `manage_payment_credentials` unless an Administrator
//! changes it; any other family can be gated the same way.

use crate::access::capabilities::Capability;
use crate::access::operations::Operation;
use crate::kernel::activity::log_app_setting;
use crate::{Core, CoreError, CoreResult};
use serde::{Deserialize, Serialize};
use sgen_catalog::Family;
use sgen_store::settings;
use std::collections::BTreeMap;
use ts_rs::TS;

pub(crate) const SETTING: &str = "family_gates";

/// One family and the capability it adds, if any.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FamilyGate {
    /// The family's id (`payment_platforms`).
    pub family: String,
    #[serde(default)]
    #[ts(optional)]
    pub label: Option<String>,
    pub capability: Option<Capability>,
}

/// The gates as stored: family id → capability name. Absent: the default (payment platforms).
pub(crate) fn parse(stored: Option<&str>) -> BTreeMap<String, Capability> {
    match stored {
        None => BTreeMap::from([(
            Family::PaymentPlatforms.as_str().to_string(),
            Capability::ManagePaymentCredentials,
        )]),
        Some(text) => serde_json::from_str::<BTreeMap<String, String>>(text)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|(family, name)| Some((family, Capability::from_name(&name)?)))
            .collect(),
    }
}

impl Core {
    /// Every family, with the capability it requires besides the operation's own.
    pub fn family_gates(&self) -> CoreResult<Vec<FamilyGate>> {
        let stored = self
            .store
            .read(|conn| Ok::<_, CoreError>(settings::get(conn, SETTING)?))?;
        let gates = parse(stored.as_deref());
        Ok(Family::ALL
            .iter()
            .map(|family| FamilyGate {
                family: family.as_str().into(),
                label: Some(family.label().into()),
                capability: gates.get(family.as_str()).copied(),
            })
            .collect())
    }

    /// Replaces every family's gate with `gates` (a family left out is not gated).
    pub fn set_family_gates(&self, gates: &[FamilyGate]) -> CoreResult<Vec<FamilyGate>> {
        let operator = self.authorize(Operation::SetFamilyGates, crate::access::Target::App)?;
        let mut next = BTreeMap::new();
        for gate in gates {
            if !Family::ALL.iter().any(|f| f.as_str() == gate.family) {
                return Err(CoreError::invalid(format!(
                    "`{}` is not a connector family; the families are {}",
                    gate.family,
                    Family::ALL.map(|f| f.as_str()).join(", ")
                )));
            }
            if let Some(capability) = gate.capability {
                next.insert(gate.family.clone(), capability.name().to_string());
            }
        }
        let now = self.now();
        self.write(|tx| {
            let before = parse(settings::get(tx, SETTING)?.as_deref());
            let text = serde_json::to_string(&next).expect("a map of strings serializes");
            settings::set(tx, SETTING, &text)?;
            log_app_setting(
                tx,
                now,
                &operator.id,
                Operation::SetFamilyGates.name(),
                serde_json::to_value(before).unwrap_or_default(),
                serde_json::to_value(&next).unwrap_or_default(),
            )
        })?;
        self.forget_grant();
        self.family_gates()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payment_platforms_are_gated_until_told_otherwise() {
        assert_eq!(
            parse(None).get("payment_platforms"),
            Some(&Capability::ManagePaymentCredentials)
        );
        assert!(parse(Some("{}")).is_empty());
        let custom = parse(Some(
            r#"{"crm":"manage_payment_credentials","analytics":"nonsense"}"#,
        ));
        assert_eq!(custom.len(), 1);
        assert_eq!(
            custom.get("crm"),
            Some(&Capability::ManagePaymentCredentials)
        );
    }
}
