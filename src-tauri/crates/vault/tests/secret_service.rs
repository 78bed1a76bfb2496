//! The real Secret Service (gnome-keyring). Run inside `scripts/with-keyring.sh`, which gives
//! the tests a session bus and an unlocked login keyring: `cargo test -p sgen-vault --test
//! secret_service -- --ignored`. They are ignored elsewhere so a developer's own keyring is
//! never touched by a plain `cargo test`.

use sgen_vault::{os_credential_store, Binding, Secret, SecretFields, Vault, VaultError};

#[test]
#[ignore = "needs the Secret Service: run inside scripts/with-keyring.sh"]
fn a_site_key_is_set_read_back_and_deleted_in_the_secret_service() {
    let site = format!("site_test_{}", std::process::id());
    let vault = Vault::new(os_credential_store().expect("a Secret Service"), "dir_test");
    let fields = SecretFields::new().with("api_key", Secret::new("canary-secret-service"));
    let blob = vault
        .site_key(&site, 0)
        .expect("created in the keyring")
        .seal(Binding::credential("con_1"), &fields);

    // A second connection to the service, as after a restart, finds the same key.
    let reopened = Vault::new(os_credential_store().expect("a Secret Service"), "dir_test");
    let key = reopened.existing_site_key(&site, 0).expect("stored");
    assert_eq!(
        key.open(Binding::credential("con_1"), &blob).unwrap(),
        fields
    );

    reopened.delete_site_key(&site, 0).expect("deleted");
    assert!(matches!(
        vault.existing_site_key(&site, 0),
        Err(VaultError::KeyMissing)
    ));
}
