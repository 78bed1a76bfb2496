//! Who is acting (the top bar's switcher) and Settings → Operators and roles. The core decides
//! every permission; these only carry the arguments.

use super::with_core;
use crate::{AppState, IpcError};
use sgen_core::access::family_gates::FamilyGate;
use sgen_core::access::operators::OperatorDraft;
use sgen_core::access::overview::AccessOverview;
use sgen_core::access::roles::{Role, RoleDraft};
use sgen_core::access::session::Session;
use sgen_core::kernel::sites::Operator;
use sgen_core::Secret;
use tauri::State;

#[tauri::command]
pub async fn session_get(state: State<'_, AppState>) -> Result<Session, IpcError> {
    with_core(&state, |core| core.session()).await
}

/// Profiles to switch to, for everyone (the switcher lists them).
#[tauri::command]
pub async fn operators_list(state: State<'_, AppState>) -> Result<Vec<Operator>, IpcError> {
    with_core(&state, |core| core.operators()).await
}

#[tauri::command]
pub async fn operator_switch(
    state: State<'_, AppState>,
    profile: String,
    passphrase: Option<Secret>,
) -> Result<Session, IpcError> {
    with_core(&state, move |core| {
        core.switch_operator(&profile, passphrase.as_ref().map(Secret::expose))
    })
    .await
}

#[tauri::command]
pub async fn access_overview(state: State<'_, AppState>) -> Result<AccessOverview, IpcError> {
    with_core(&state, |core| core.access_overview()).await
}

#[tauri::command]
pub async fn operator_save(
    state: State<'_, AppState>,
    draft: OperatorDraft,
) -> Result<Operator, IpcError> {
    with_core(&state, move |core| core.save_operator(&draft)).await
}

#[tauri::command]
pub async fn operator_remove(state: State<'_, AppState>, id: String) -> Result<(), IpcError> {
    with_core(&state, move |core| core.remove_operator(&id)).await
}

#[tauri::command]
pub async fn role_save(state: State<'_, AppState>, draft: RoleDraft) -> Result<Role, IpcError> {
    with_core(&state, move |core| core.save_role(&draft)).await
}

#[tauri::command]
pub async fn role_remove(state: State<'_, AppState>, id: String) -> Result<(), IpcError> {
    with_core(&state, move |core| core.remove_role(&id)).await
}

#[tauri::command]
pub async fn family_gates_set(
    state: State<'_, AppState>,
    gates: Vec<FamilyGate>,
) -> Result<Vec<FamilyGate>, IpcError> {
    with_core(&state, move |core| core.set_family_gates(&gates)).await
}
