//! Roles: the built-in Administrator, Editor and Viewer with SPEC §8's capabilities, and custom
//! ones (Settings → Roles): a name and a set of capabilities. Built-in roles are copied, never
//! edited.

use crate::access::capabilities::{Capabilities, Capability};
use crate::access::operations::Operation;
use crate::kernel::activity::log_app_setting;
use crate::{Core, CoreError, CoreResult};
use serde::{Deserialize, Serialize};
use sgen_store::roles::{self, StoredRole};
use ts_rs::TS;

pub const ADMINISTRATOR: &str = "administrator";
pub const EDITOR: &str = "editor";
pub const VIEWER: &str = "viewer";

/// What a built-in role may do; None for any other id.
pub fn built_in(id: &str) -> Option<Capabilities> {
    use Capability::*;
    match id {
        ADMINISTRATOR => Some(Capabilities::all()),
        EDITOR => Some(Capabilities::of(&[
            View,
            TestConnections,
            PauseConnections,
            RetryDeliveries,
            SendEvents,
            RunAutomations,
            EditAutomations,
            HandleInboundEvents,
            UseSandbox,
        ])),
        VIEWER => Some(Capabilities::of(&[View])),
        _ => None,
    }
}

/// A custom role's stored capability names, read. A name this version does not know (a role
/// saved by a newer one) grants nothing rather than failing every check.
pub(crate) fn custom(stored: &str) -> Capabilities {
    let names: Vec<String> = serde_json::from_str(stored).unwrap_or_default();
    Capabilities::of(
        &names
            .iter()
            .filter_map(|name| Capability::from_name(name))
            .collect::<Vec<_>>(),
    )
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Role {
    pub id: String,
    pub name: String,
    pub built_in: bool,
    pub capabilities: Vec<Capability>,
    /// Profiles that hold it now.
    #[ts(type = "number")]
    pub operators: i64,
}

/// A custom role to add (no id) or change.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct RoleDraft {
    #[ts(optional)]
    pub id: Option<String>,
    pub name: String,
    pub capabilities: Vec<Capability>,
}

fn role(stored: StoredRole) -> Role {
    let capabilities = match &stored.capabilities {
        None => built_in(&stored.id).unwrap_or_default(),
        Some(names) => custom(&serde_json::to_string(names).unwrap_or_default()),
    };
    Role {
        built_in: stored.capabilities.is_none(),
        capabilities: capabilities.list(),
        id: stored.id,
        name: stored.name,
        operators: stored.operators,
    }
}

impl Core {
    pub fn roles(&self) -> CoreResult<Vec<Role>> {
        self.store
            .read(|conn| Ok::<_, CoreError>(roles::list(conn)?))
            .map(|list| list.into_iter().map(role).collect())
    }

    /// Adds or changes a custom role. A built-in one cannot be changed: copy it instead.
    pub fn save_role(&self, draft: &RoleDraft) -> CoreResult<Role> {
        let operator = self.authorize(Operation::SaveRole, crate::access::Target::App)?;
        let name = draft.name.trim();
        if name.is_empty() || name.chars().count() > 60 {
            return Err(CoreError::invalid(
                "a role's name must be 1 to 60 characters",
            ));
        }
        let names: Vec<String> = Capabilities::of(&draft.capabilities)
            .list()
            .into_iter()
            .map(|c| c.name().to_string())
            .collect();
        let now = self.now();
        let id = self.write(|tx| {
            let clash = roles::list(tx)?
                .into_iter()
                .find(|r| r.name.eq_ignore_ascii_case(name) && Some(&r.id) != draft.id.as_ref());
            if let Some(clash) = clash {
                return Err(CoreError::invalid(format!(
                    "a role named `{}` exists already",
                    clash.name
                )));
            }
            let (id, before) = match &draft.id {
                Some(id) => {
                    let stored = roles::get(tx, id)?.ok_or_else(|| CoreError::NotFound {
                        what: "role",
                        id: id.clone(),
                    })?;
                    if stored.capabilities.is_none() {
                        return Err(CoreError::invalid(format!(
                            "{} is a built-in role and cannot be edited; copy it into a role of your own",
                            stored.name
                        )));
                    }
                    roles::update(tx, id, name, &names)?;
                    let before =
                        serde_json::json!({ "name": stored.name, "capabilities": stored.capabilities });
                    (id.clone(), before)
                }
                None => {
                    let id = crate::kernel::ids::time_ordered_id(
                        "role",
                        now,
                        crate::kernel::ids::random_bits()?,
                    );
                    roles::insert(tx, &id, name, &names, now)?;
                    (id, serde_json::Value::Null)
                }
            };
            log_app_setting(
                tx,
                now,
                &operator.id,
                Operation::SaveRole.name(),
                before,
                serde_json::json!({ "id": id, "name": name, "capabilities": names }),
            )?;
            Ok(id)
        })?;
        self.forget_grant();
        self.store
            .read(|conn| Ok::<_, CoreError>(roles::get(conn, &id)?))?
            .map(role)
            .ok_or(CoreError::NotFound { what: "role", id })
    }

    /// Removes a custom role no profile has held (the activity log names roles through its
    /// profiles, so one that was ever held stays).
    pub fn remove_role(&self, id: &str) -> CoreResult<()> {
        let operator = self.authorize(Operation::RemoveRole, crate::access::Target::App)?;
        let now = self.now();
        self.write(|tx| {
            let stored = roles::get(tx, id)?.ok_or_else(|| CoreError::NotFound {
                what: "role",
                id: id.into(),
            })?;
            if stored.capabilities.is_none() {
                return Err(CoreError::invalid(format!(
                    "{} is a built-in role and cannot be removed",
                    stored.name
                )));
            }
            let held = roles::ever_held(tx, id)?;
            if held > 0 {
                return Err(CoreError::invalid(format!(
                    "{} has been held by {held} profile{}; give {} another role instead (a role that was held stays, so the activity log can name it)",
                    stored.name,
                    if held == 1 { "" } else { "s" },
                    if held == 1 { "it" } else { "them" }
                )));
            }
            roles::delete(tx, id)?;
            log_app_setting(
                tx,
                now,
                &operator.id,
                Operation::RemoveRole.name(),
                serde_json::json!({ "id": id, "name": stored.name, "capabilities": stored.capabilities }),
                serde_json::Value::Null,
            )
        })?;
        self.forget_grant();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_map_is_spec_section_8() {
        let admin = built_in(ADMINISTRATOR).unwrap();
        let editor = built_in(EDITOR).unwrap();
        let viewer = built_in(VIEWER).unwrap();
        assert!(Capability::ALL.iter().all(|c| admin.contains(*c)));
        assert_eq!(viewer.list(), vec![Capability::View]);
        for c in [
            Capability::TestConnections,
            Capability::PauseConnections,
            Capability::RetryDeliveries,
            Capability::RunAutomations,
            Capability::EditAutomations,
        ] {
            assert!(editor.contains(c), "{c:?}");
        }
        for c in [
            Capability::CreateConnections,
            Capability::EditScopes,
            Capability::RefreshCredentials,
            Capability::DisconnectConnections,
            Capability::ManageSettings,
            Capability::ManageAccess,
            Capability::ManagePaymentCredentials,
        ] {
            assert!(!editor.contains(c), "{c:?}");
        }
        assert!(built_in("role_x").is_none());
    }

    #[test]
    fn a_custom_role_ignores_names_it_does_not_know() {
        let set = custom(r#"["view","fly_to_the_moon","send_events"]"#);
        assert_eq!(set.list(), vec![Capability::View, Capability::SendEvents]);
        assert_eq!(custom("not json"), Capabilities::default());
    }
}
