//! Operator profiles (Settings → Operators): Administrators add, edit and remove them. The last
//! Administrator cannot be removed or given another role, and nobody removes the profile they
//! are acting as.

use crate::access::operations::Operation;
use crate::access::passphrase;
use crate::access::roles::ADMINISTRATOR;
use crate::access::Target;
use crate::kernel::activity::log_app_setting;
use crate::kernel::write::Tx;
use crate::{Core, CoreError, CoreResult};
use serde::Deserialize;
use sgen_store::operators::{self, NewOperator, Operator};
use sgen_store::roles;
use sgen_vault::Secret;
use ts_rs::TS;

/// A profile to add (no id) or change.
#[derive(Debug, Deserialize, TS)]
#[ts(export)]
pub struct OperatorDraft {
    #[ts(optional)]
    pub id: Option<String>,
    pub name: String,
    /// A role's id.
    pub role: String,
    /// A new passphrase; absent keeps the present one (or none).
    #[ts(optional, type = "string")]
    pub passphrase: Option<Secret>,
    /// Remove the passphrase: switching to the profile then asks nothing.
    #[serde(default)]
    pub clear_passphrase: bool,
}

/// Adds a profile; returns its id.
pub(crate) fn add_profile(
    tx: &Tx<'_, '_>,
    name: &str,
    role: &str,
    passphrase_hash: Option<&str>,
    os_user: Option<&str>,
    now: i64,
) -> CoreResult<String> {
    let id = crate::kernel::ids::time_ordered_id("op", now, crate::kernel::ids::random_bits()?);
    operators::insert(
        tx,
        &NewOperator {
            id: &id,
            name,
            role,
            created_at: now,
            passphrase_hash,
            os_user,
        },
    )?;
    Ok(id)
}

/// A profile that has not been removed, or not found.
fn live_profile(tx: &Tx<'_, '_>, id: &str) -> CoreResult<Operator> {
    operators::get(tx, id)?
        .filter(|o| o.removed_at.is_none())
        .ok_or_else(|| CoreError::NotFound {
            what: "operator",
            id: id.into(),
        })
}

/// What the activity row shows of a profile: never its passphrase, only whether it has one.
fn described(name: &str, role: &str, has_passphrase: bool) -> serde_json::Value {
    serde_json::json!({ "name": name, "role": role, "has_passphrase": has_passphrase })
}

impl Core {
    /// Every profile not removed, by name; a lock shows only while it holds.
    pub fn operators(&self) -> CoreResult<Vec<Operator>> {
        let now = self.now();
        let mut list = self
            .store
            .read(|conn| Ok::<_, CoreError>(operators::list(conn)?))?;
        for operator in &mut list {
            operator.locked_until = operator.locked_until.filter(|until| *until > now);
        }
        Ok(list)
    }

    /// Every profile, removed ones too (who did what in the activity log).
    pub fn operators_ever(&self) -> CoreResult<Vec<Operator>> {
        self.store
            .read(|conn| Ok::<_, CoreError>(operators::list_all(conn)?))
    }

    pub fn save_operator(&self, draft: &OperatorDraft) -> CoreResult<Operator> {
        let acting = self.authorize(Operation::SaveOperator, Target::App)?;
        let name = draft.name.trim();
        if name.is_empty() || name.chars().count() > 80 {
            return Err(CoreError::invalid(
                "a profile's name must be 1 to 80 characters",
            ));
        }
        // Hashing takes tens of milliseconds: done before the write transaction, not in it.
        let hash = match &draft.passphrase {
            Some(given) if !draft.clear_passphrase => Some(passphrase::hash(given.expose())?),
            _ => None,
        };
        let now = self.now();
        let id = self.write(|tx| {
            if roles::get(tx, &draft.role)?.is_none() {
                return Err(CoreError::NotFound {
                    what: "role",
                    id: draft.role.clone(),
                });
            }
            if let Some(other) = operators::by_name(tx, name)? {
                if Some(&other.id) != draft.id.as_ref() {
                    return Err(CoreError::invalid(format!(
                        "a profile named `{}` exists already",
                        other.name
                    )));
                }
            }
            let id = match &draft.id {
                Some(id) => {
                    self.change_profile(tx, id, name, draft, hash.as_deref(), &acting.id, now)?
                }
                None => {
                    let id = add_profile(tx, name, &draft.role, hash.as_deref(), None, now)?;
                    log_app_setting(
                        tx,
                        now,
                        &acting.id,
                        Operation::SaveOperator.name(),
                        serde_json::Value::Null,
                        described(name, &draft.role, hash.is_some()),
                    )?;
                    id
                }
            };
            Ok(id)
        })?;
        self.forget_grant();
        self.store
            .read(|conn| Ok::<_, CoreError>(operators::get(conn, &id)?))?
            .ok_or(CoreError::NotFound {
                what: "operator",
                id,
            })
    }

    #[allow(clippy::too_many_arguments)]
    fn change_profile(
        &self,
        tx: &Tx<'_, '_>,
        id: &str,
        name: &str,
        draft: &OperatorDraft,
        hash: Option<&str>,
        acting_id: &str,
        now: i64,
    ) -> CoreResult<String> {
        let before = live_profile(tx, id)?;
        if before.role == ADMINISTRATOR
            && draft.role != ADMINISTRATOR
            && operators::count_with_role(tx, ADMINISTRATOR)? == 1
        {
            return Err(CoreError::invalid(format!(
                "{} is the last Administrator; make another profile an Administrator first",
                before.name
            )));
        }
        operators::update(tx, id, name, &draft.role)?;
        if hash.is_some() || draft.clear_passphrase {
            operators::set_passphrase_hash(tx, id, hash)?;
        }
        let has_passphrase = match (hash, draft.clear_passphrase) {
            (_, true) => false,
            (Some(_), false) => true,
            (None, false) => before.has_passphrase,
        };
        log_app_setting(
            tx,
            now,
            acting_id,
            Operation::SaveOperator.name(),
            described(&before.name, &before.role, before.has_passphrase),
            described(name, &draft.role, has_passphrase),
        )?;
        Ok(id.to_string())
    }

    /// Removes a profile: it can no longer act, and the activity log still names it.
    pub fn remove_operator(&self, id: &str) -> CoreResult<()> {
        let acting = self.authorize(Operation::RemoveOperator, Target::App)?;
        if acting.id == id {
            return Err(CoreError::invalid(
                "you cannot remove the profile you are acting as; switch to another first",
            ));
        }
        let now = self.now();
        self.write(|tx| {
            let before = live_profile(tx, id)?;
            if before.role == ADMINISTRATOR && operators::count_with_role(tx, ADMINISTRATOR)? == 1 {
                return Err(CoreError::invalid(format!(
                    "{} is the last Administrator and cannot be removed",
                    before.name
                )));
            }
            operators::remove(tx, id, now)?;
            log_app_setting(
                tx,
                now,
                &acting.id,
                Operation::RemoveOperator.name(),
                described(&before.name, &before.role, before.has_passphrase),
                serde_json::Value::Null,
            )
        })?;
        self.forget_grant();
        Ok(())
    }
}
