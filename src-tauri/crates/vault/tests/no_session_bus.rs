//! With no session bus there is no Secret Service: the vault says so and stores nothing. This
//! test binary points D-Bus at a socket that does not exist before anything connects.

use sgen_vault::{os_credential_store, Vault};

#[test]
fn without_a_session_bus_secure_storage_is_unavailable() {
    let dir = tempfile::tempdir().unwrap();
    let address = format!("unix:path={}", dir.path().join("no-bus").display());
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &address);

    let err = match os_credential_store() {
        Err(err) => err,
        Ok(store) => Vault::new(store, "dir_test")
            .site_key("site_a", 0)
            .unwrap_err(),
    };
    assert_eq!(err.code(), "secure_storage_unavailable", "{err}");
}
