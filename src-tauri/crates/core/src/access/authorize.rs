//! The check every operation that changes something makes first: does the acting operator's
//! role hold the operation's capability (and, for credential authority over a gated connector
//! family, the family's too)? A refusal changes nothing but the activity log, which records it.

use crate::access::capabilities::{Capabilities, Capability};
use crate::access::family_gates;
use crate::access::operations::Operation;
use crate::access::roles;
use crate::kernel::activity::{self, Activity};
use crate::{Core, CoreError, CoreResult};
use sgen_store::operators::{self, Acting};
use sgen_store::Access;
use std::collections::BTreeMap;

/// What an operation acts on, for the family gate and the refusal's activity row.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    /// The app or the site as a whole (settings, operators, automations).
    App,
    /// An existing connection, by id.
    Connection(&'a str),
    /// A connection about to be made with this connector (its slug).
    Connector(&'a str),
}

/// Why a check failed: the capability that is missing, and the family that asked for it if it
/// was a family's gate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    pub capability: Capability,
    pub family: Option<String>,
}

/// The check itself, on what was read: the role's capabilities and the family's gate.
pub fn check(
    operation: Operation,
    granted: Capabilities,
    family: Option<(&str, Capability)>,
) -> Result<(), Missing> {
    if !granted.contains(operation.capability()) {
        return Err(Missing {
            capability: operation.capability(),
            family: None,
        });
    }
    match family {
        Some((family, gate)) if operation.family_gated() && !granted.contains(gate) => {
            Err(Missing {
                capability: gate,
                family: Some(family.to_string()),
            })
        }
        _ => Ok(()),
    }
}

/// What the acting profile may do, as the check reads it.
#[derive(Debug, Clone)]
pub(crate) struct Grant {
    pub(crate) acting: Acting,
    pub(crate) granted: Capabilities,
    pub(crate) gates: BTreeMap<String, Capability>,
}

/// The grant kept between checks, and how many times it was forgotten: a grant read from the
/// database is kept only if nothing was saved while it was being read.
#[derive(Debug, Default)]
pub(crate) struct KeptGrant {
    grant: Option<Grant>,
    forgotten: u64,
}

/// The capabilities a role grants, built-in or custom.
pub(crate) fn granted(acting: &Acting) -> Capabilities {
    match &acting.role_capabilities {
        None => roles::built_in(&acting.role).unwrap_or_default(),
        Some(stored) => roles::custom(stored),
    }
}

impl Core {
    /// The acting operator if their role may do `operation` on `target`; otherwise
    /// `permission_denied` naming the capability, with an activity row saying so. Every
    /// operation in the table calls it first (public so the benchmark can time it alone).
    pub fn authorize(&self, operation: Operation, target: Target<'_>) -> CoreResult<Acting> {
        let Some(id) = self.acting_id() else {
            return Err(CoreError::PermissionDenied(format!(
                "no operator is acting: choose your profile before `{}`",
                operation.name()
            )));
        };
        self.refuse_in_workspace(operation)?;
        let grant = self.grant_of(&id, operation)?;
        let acting = &grant.acting;
        // The operation's own capability first: a refusal needs no lookup of what it is on.
        if let Err(missing) = check(operation, grant.granted, None) {
            return Err(self.refuse(acting, operation, target, missing));
        }
        let family = match (operation.family_gated(), target) {
            (true, Target::Connection(id)) => Some(self.family_of_connection(id)?),
            (true, Target::Connector(slug)) => Some(self.family_of_connector(slug)?),
            _ => None,
        };
        let gate = family
            .as_deref()
            .and_then(|family| Some((family, *grant.gates.get(family)?)));
        match check(operation, grant.granted, gate) {
            Ok(()) => Ok(grant.acting),
            Err(missing) => Err(self.refuse(&grant.acting, operation, target, missing)),
        }
    }

    /// What the acting profile may do, read once and kept until something that changes it
    /// (a role, a profile, the family gates, a switch) is saved: the app holds the data
    /// directory's only writer, so nothing else can change it meanwhile.
    fn grant_of(&self, id: &str, operation: Operation) -> CoreResult<Grant> {
        let forgotten = {
            let kept = self.access_state.grant.lock().expect("grant lock");
            if let Some(grant) = kept.grant.as_ref().filter(|g| g.acting.id == id) {
                return Ok(grant.clone());
            }
            kept.forgotten
        };
        let acting = self
            .store
            .read(|conn| Ok::<_, CoreError>(operators::acting(conn, id)?))?
            .ok_or_else(|| {
                CoreError::PermissionDenied(format!(
                    "the acting profile was removed: choose another before `{}`",
                    operation.name()
                ))
            })?;
        let grant = Grant {
            granted: granted(&acting),
            gates: family_gates::parse(acting.family_gates.as_deref()),
            acting,
        };
        let mut kept = self.access_state.grant.lock().expect("grant lock");
        // A save that came between the read and now may have made this grant stale.
        if self.access == Access::ReadWrite && kept.forgotten == forgotten {
            kept.grant = Some(grant.clone());
        }
        Ok(grant)
    }

    /// Forgets the kept grant: whatever changed roles, profiles or gates calls it on commit.
    pub(crate) fn forget_grant(&self) {
        let mut kept = self.access_state.grant.lock().expect("grant lock");
        kept.grant = None;
        kept.forgotten += 1;
    }

    /// A connection's family (its connector never changes, so it is kept once read).
    fn family_of_connection(&self, id: &str) -> CoreResult<String> {
        if let Some(family) = self
            .access_state
            .families
            .lock()
            .expect("families lock")
            .get(id)
        {
            return Ok(family.clone());
        }
        let record = self.record(id)?;
        let family = self.family_of_connector(&record.connector_type)?;
        self.access_state
            .families
            .lock()
            .expect("families lock")
            .insert(id.to_string(), family.clone());
        Ok(family)
    }

    fn family_of_connector(&self, slug: &str) -> CoreResult<String> {
        let manifest = self.catalog.get(slug).ok_or_else(|| CoreError::NotFound {
            what: "connector",
            id: slug.into(),
        })?;
        Ok(manifest.family.as_str().to_string())
    }

    /// Records the refusal (who, what, which capability) and makes its error.
    fn refuse(
        &self,
        acting: &Acting,
        operation: Operation,
        target: Target<'_>,
        missing: Missing,
    ) -> CoreError {
        let message = match &missing.family {
            None => format!(
                "`{}` needs the `{}` capability, which {} ({}) does not have",
                operation.name(),
                missing.capability.name(),
                acting.name,
                acting.role_name
            ),
            Some(family) => format!(
                "`{}` on a {family} connection also needs the `{}` capability, which {} ({}) does not have",
                operation.name(),
                missing.capability.name(),
                acting.name,
                acting.role_name
            ),
        };
        if self.access == Access::ReadWrite {
            if let Err(e) = self.record_refusal(acting, operation, target, &missing) {
                tracing::warn!(error = %e, "could not record a refusal in the activity log");
            }
        }
        CoreError::PermissionDenied(message)
    }

    fn record_refusal(
        &self,
        acting: &Acting,
        operation: Operation,
        target: Target<'_>,
        missing: &Missing,
    ) -> CoreResult<()> {
        let connection = match target {
            Target::Connection(id) => self.record(id).ok(),
            _ => None,
        };
        let site = match &connection {
            Some(record) => Some((
                self.site_of_environment(record.environment_id)?,
                record.environment_id,
            )),
            None => None,
        };
        let now = self.now();
        self.write(|tx| {
            activity::log(
                tx,
                &Activity {
                    at: now,
                    operator_id: &acting.id,
                    site_id: site.as_ref().map(|(site, _)| site.as_str()),
                    environment_id: site.as_ref().map(|(_, env)| *env),
                    connection_id: connection.as_ref().map(|c| c.id.as_str()),
                    action: "permission.denied",
                    outcome: "refused",
                    details: serde_json::json!({
                        "operation": operation.name(),
                        "capability": missing.capability.name(),
                        "family": missing.family,
                        "role": acting.role_name,
                        "connector": match target { Target::Connector(slug) => Some(slug), _ => None },
                    }),
                },
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_role_and_then_the_family_gate_decide() {
        let editor = roles::built_in(roles::EDITOR).unwrap();
        let admin = roles::built_in(roles::ADMINISTRATOR).unwrap();
        let payment = Some(("payment_platforms", Capability::ManagePaymentCredentials));
        assert_eq!(
            check(Operation::DisconnectConnection, editor, None)
                .unwrap_err()
                .capability,
            Capability::DisconnectConnections
        );
        assert!(check(Operation::DisconnectConnection, admin, payment).is_ok());
        let without_payment =
            Capabilities::of(&[Capability::View, Capability::DisconnectConnections]);
        let missing = check(Operation::DisconnectConnection, without_payment, payment).unwrap_err();
        assert_eq!(missing.capability, Capability::ManagePaymentCredentials);
        assert_eq!(missing.family.as_deref(), Some("payment_platforms"));
        // A gate only adds to the operations that hold credential authority.
        assert!(check(Operation::TestConnection, editor, payment).is_ok());
    }
}
