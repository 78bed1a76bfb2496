//! The session's acting operator. The app and each CLI process start as the OS user's own
//! profile (made, as an Administrator, on the first start); switching to another profile asks
//! for its passphrase if it has one, and five wrong ones in a row lock it for a minute. Every
//! core call reads who acts from here, never from its arguments.

use crate::access::authorize::granted;
use crate::access::capabilities::Capability;
use crate::access::family_gates;
use crate::access::operators::add_profile;
use crate::access::passphrase;
use crate::access::roles::ADMINISTRATOR;
use crate::kernel::activity::{self, Activity};
use crate::{Core, CoreError, CoreResult};
use serde::Serialize;
use sgen_store::operators::{self, Operator};
use sgen_store::Access;
use std::collections::BTreeMap;
use ts_rs::TS;

/// Wrong passphrases in a row that lock a profile, and for how long.
pub const MAX_TRIES: i64 = 5;
pub const LOCK_MS: i64 = 60_000;

/// Who is acting and what they may do: the window hides or disables the rest (the core decides
/// all the same).
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Session {
    pub operator: Option<Operator>,
    pub capabilities: Vec<Capability>,
    /// Family id → the capability it also requires for credential authority.
    pub family_gates: BTreeMap<String, Capability>,
}

/// The OS account running this process.
pub fn os_user() -> String {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
        .unwrap_or_else(|| "operator".into())
}

impl Core {
    /// Called once when the core opens: on a first start (or a data directory from before
    /// profiles had an OS user) the OS user gets an Administrator profile; the session then
    /// acts as the OS user's profile, if there is one.
    pub(crate) fn start_session(&self) -> CoreResult<()> {
        let user = os_user();
        if self.access == Access::ReadWrite {
            let now = self.now();
            self.write(|tx| {
                if operators::any_os_user(tx)? {
                    return Ok(());
                }
                // A profile of that name (the demo's, say) keeps its name; this one says whose.
                let name = match operators::by_name(tx, &user)? {
                    None => user.clone(),
                    Some(_) => format!("{user} (this computer)"),
                };
                add_profile(tx, &name, ADMINISTRATOR, None, Some(&user), now)?;
                Ok(())
            })?;
        }
        let own = self
            .store
            .read(|conn| Ok::<_, CoreError>(operators::by_os_user(conn, &user)?))?;
        *self.access_state.acting.lock().expect("session lock") = own.map(|o| o.id);
        Ok(())
    }

    pub(crate) fn acting_id(&self) -> Option<String> {
        self.access_state
            .acting
            .lock()
            .expect("session lock")
            .clone()
    }

    /// The operator every action of this session is attributed to.
    pub fn acting_operator(&self) -> CoreResult<Operator> {
        let id = self.acting_id().ok_or_else(|| CoreError::NotFound {
            what: "acting operator",
            id: "(no profile chosen)".into(),
        })?;
        self.store
            .read(|conn| Ok::<_, CoreError>(operators::get(conn, &id)?))?
            .ok_or(CoreError::NotFound {
                what: "operator",
                id,
            })
    }

    /// Who is acting and what they may do.
    pub fn session(&self) -> CoreResult<Session> {
        let Some(id) = self.acting_id() else {
            return Ok(Session {
                operator: None,
                capabilities: Vec::new(),
                family_gates: BTreeMap::new(),
            });
        };
        self.store.read(|conn| {
            let operator = operators::get(conn, &id)?.filter(|o| o.removed_at.is_none());
            let acting = operators::acting(conn, &id)?;
            Ok::<_, CoreError>(Session {
                capabilities: acting
                    .as_ref()
                    .map(|a| granted(a).list())
                    .unwrap_or_default(),
                family_gates: family_gates::parse(
                    acting.as_ref().and_then(|a| a.family_gates.as_deref()),
                ),
                operator,
            })
        })
    }

    /// Acts as another profile from now on, if `passphrase` is its passphrase (or it has none).
    /// `profile` is its id or its name.
    pub fn switch_operator(&self, profile: &str, passphrase: Option<&str>) -> CoreResult<Session> {
        let target = self
            .store
            .read(|conn| {
                Ok::<_, CoreError>(match operators::get(conn, profile)? {
                    Some(found) if found.removed_at.is_none() => Some(found),
                    _ => operators::by_name(conn, profile)?,
                })
            })?
            .ok_or_else(|| CoreError::NotFound {
                what: "operator profile",
                id: profile.into(),
            })?;
        let now = self.now();
        if let Some(until) = target.locked_until.filter(|until| *until > now) {
            return Err(CoreError::OperatorLocked(format!(
                "{} is locked for {} s after {MAX_TRIES} wrong passphrases in a row",
                target.name,
                (until - now + 999) / 1000
            )));
        }
        let (hash, tries) = self
            .store
            .read(|conn| Ok::<_, CoreError>(operators::passphrase_state(conn, &target.id)?))?
            .unwrap_or((None, 0));
        if let Some(hash) = hash {
            let Some(given) = passphrase.filter(|p| !p.is_empty()) else {
                return Err(CoreError::WrongPassphrase(format!(
                    "{} has a passphrase; enter it to switch",
                    target.name
                )));
            };
            if !passphrase::matches(&hash, given) {
                return Err(self.wrong_passphrase(&target, tries + 1, now));
            }
        }
        if self.access == Access::ReadWrite {
            let from = self.acting_id();
            self.write(|tx| {
                if tries > 0 {
                    operators::set_tries(tx, &target.id, 0, None)?;
                }
                log_switch(tx, &target.id, now, "success", from.as_deref())
            })?;
        }
        *self.access_state.acting.lock().expect("session lock") = Some(target.id.clone());
        self.events
            .publish(vec![crate::kernel::events::CoreEvent::SessionChanged]);
        self.session()
    }

    /// Counts a wrong passphrase (the fifth in a row locks the profile) and says so.
    fn wrong_passphrase(&self, target: &Operator, tries: i64, now: i64) -> CoreError {
        let locks = tries >= MAX_TRIES;
        if self.access == Access::ReadWrite {
            let from = self.acting_id();
            let counted = self.write(|tx| {
                match locks {
                    true => operators::set_tries(tx, &target.id, 0, Some(now + LOCK_MS))?,
                    false => operators::set_tries(tx, &target.id, tries, None)?,
                }
                log_switch(tx, &target.id, now, "failure", from.as_deref())
            });
            if let Err(e) = counted {
                return e;
            }
        }
        match locks {
            true => CoreError::OperatorLocked(format!(
                "that is not {}'s passphrase; after {MAX_TRIES} wrong ones in a row the profile is locked for {} s",
                target.name,
                LOCK_MS / 1000
            )),
            false => CoreError::WrongPassphrase(format!(
                "that is not {}'s passphrase ({} more tr{} before it locks for {} s)",
                target.name,
                MAX_TRIES - tries,
                if MAX_TRIES - tries == 1 { "y" } else { "ies" },
                LOCK_MS / 1000
            )),
        }
    }
}

fn log_switch(
    tx: &sgen_store::Transaction<'_>,
    to: &str,
    at: i64,
    outcome: &str,
    from: Option<&str>,
) -> CoreResult<()> {
    activity::log(
        tx,
        &Activity {
            at,
            operator_id: to,
            site_id: None,
            environment_id: None,
            connection_id: None,
            action: "operator.switch",
            outcome,
            details: serde_json::json!({ "from": from }),
        },
    )
}
