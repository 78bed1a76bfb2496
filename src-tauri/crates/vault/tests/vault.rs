//! The vault against keyring-core's mock store, and a store that refuses access.

use keyring_core::CredentialStore;
use sgen_vault::testing::locked_store;
use sgen_vault::{Binding, Secret, SecretFields, Vault, VaultError};
use std::sync::Arc;

fn mock_store() -> Arc<CredentialStore> {
    keyring_core::mock::Store::new().expect("mock store")
}

fn fields() -> SecretFields {
    SecretFields::new()
        .with("api_key", Secret::new("canary-api-key-6f1d"))
        .with("account", Secret::new("acme"))
}

#[test]
fn a_sealed_credential_opens_with_the_same_site_key_from_a_new_vault() {
    let store = mock_store();
    let blob = Vault::new(store.clone(), "dir_test")
        .site_key("site_a", 0)
        .unwrap()
        .seal(Binding::credential("con_1"), &fields());
    assert!(!String::from_utf8_lossy(&blob).contains("canary-api-key"));

    let again = Vault::new(store, "dir_test")
        .existing_site_key("site_a", 0)
        .unwrap();
    assert_eq!(
        again.open(Binding::credential("con_1"), &blob).unwrap(),
        fields()
    );
}

#[test]
fn a_blob_opens_only_for_its_own_connection_and_purpose() {
    let key = Vault::new(mock_store(), "dir_test")
        .site_key("site_a", 0)
        .unwrap();
    let blob = key.seal(Binding::credential("con_1"), &fields());
    for wrong in [
        Binding::credential("con_2"),
        Binding::refresh_token("con_1"),
    ] {
        assert!(matches!(key.open(wrong, &blob), Err(VaultError::Tampered)));
    }
}

#[test]
fn altered_truncated_or_foreign_blobs_are_refused() {
    let key = Vault::new(mock_store(), "dir_test")
        .site_key("site_a", 0)
        .unwrap();
    let binding = Binding::credential("con_1");
    let blob = key.seal(binding, &fields());
    let mut flipped = blob.clone();
    *flipped.last_mut().unwrap() ^= 1;
    let mut other_format = blob.clone();
    other_format[0] = 2;
    for bad in [flipped, blob[..10].to_vec(), other_format, Vec::new()] {
        assert!(matches!(key.open(binding, &bad), Err(VaultError::Tampered)));
    }
}

#[test]
fn each_site_has_its_own_key_created_once() {
    let vault = Vault::new(mock_store(), "dir_test");
    let a = vault.site_key("site_a", 0).unwrap();
    let blob = a.seal(Binding::credential("con_1"), &fields());
    // Asking again returns the same key, not a new one.
    let a_again = vault.site_key("site_a", 0).unwrap();
    assert!(a_again.open(Binding::credential("con_1"), &blob).is_ok());
    let b = vault.site_key("site_b", 0).unwrap();
    assert!(matches!(
        b.open(Binding::credential("con_1"), &blob),
        Err(VaultError::Tampered)
    ));
}

#[test]
fn a_deleted_site_key_is_missing_and_is_not_recreated_by_reads() {
    let vault = Vault::new(mock_store(), "dir_test");
    vault.site_key("site_a", 0).unwrap();
    vault.delete_site_key("site_a", 0).unwrap();
    assert!(matches!(
        vault.existing_site_key("site_a", 0),
        Err(VaultError::KeyMissing)
    ));
    assert!(matches!(
        vault.existing_site_key("site_a", 0),
        Err(VaultError::KeyMissing)
    ));
    // Deleting what is not there is not an error.
    vault.delete_site_key("site_a", 0).unwrap();
}

#[test]
fn a_keyring_that_refuses_access_is_secure_storage_unavailable() {
    let vault = Vault::new(locked_store(), "dir_test");
    let err = vault.site_key("site_a", 0).unwrap_err();
    assert_eq!(err.code(), "secure_storage_unavailable");
    assert!(err.to_string().starts_with("secure storage unavailable"));
}

#[test]
fn secrets_never_print() {
    let f = fields();
    let printed = format!("{f:?} {} {:?}", f.get("api_key").unwrap(), f.get("api_key"));
    assert!(!printed.contains("canary"), "{printed}");
    assert!(printed.contains("redacted"));
    let key = Vault::new(mock_store(), "dir_test")
        .site_key("site_a", 0)
        .unwrap();
    assert_eq!(format!("{key:?}"), "DataKey([redacted])");
}

#[test]
fn two_data_directories_keep_their_own_key_for_the_same_site() {
    let store = mock_store();
    let (a, b) = (
        Vault::new(store.clone(), "dir_a"),
        Vault::new(store.clone(), "dir_b"),
    );
    let blob = a
        .site_key("site_demo", 0)
        .unwrap()
        .seal(Binding::credential("con_1"), &fields());
    b.site_key("site_demo", 0).unwrap();
    // Replacing or deleting one directory's key leaves the other's credentials readable.
    b.delete_site_key("site_demo", 0).unwrap();
    let key = a.existing_site_key("site_demo", 0).unwrap();
    assert_eq!(
        key.open(Binding::credential("con_1"), &blob).unwrap(),
        fields()
    );
}

#[test]
fn a_key_under_the_shared_name_is_adopted_and_stays_for_the_others() {
    let store = mock_store();
    // What an earlier build filed: one entry per site id, whatever the data directory.
    let shared = store
        .build("com.sgen.integrations", "site-data-key/site_demo", None)
        .unwrap();
    shared.set_secret(&[9u8; 32]).unwrap();
    let blob = {
        let vault = Vault::new(store.clone(), "dir_a");
        assert!(vault.adopt_shared_key("site_demo").unwrap());
        assert!(
            !vault.adopt_shared_key("site_demo").unwrap(),
            "adopted once"
        );
        vault
            .existing_site_key("site_demo", 0)
            .unwrap()
            .seal(Binding::credential("con_1"), &fields())
    };
    let other = Vault::new(store.clone(), "dir_b");
    assert!(other.adopt_shared_key("site_demo").unwrap());
    let key = other.existing_site_key("site_demo", 0).unwrap();
    assert_eq!(
        key.open(Binding::credential("con_1"), &blob).unwrap(),
        fields()
    );
    assert_eq!(shared.get_secret().unwrap(), vec![9u8; 32]);
    // Nothing to adopt for a site no earlier build knew.
    assert!(!other.adopt_shared_key("site_new").unwrap());
}

#[test]
fn a_rotation_reseals_under_the_next_generation_and_the_old_key_can_go() {
    let vault = Vault::new(keyring_core::mock::Store::new().unwrap(), "dir_a");
    let old = vault.site_key("site_a", 0).unwrap();
    let fields = SecretFields::new().with("api_key", Secret::new("xkeysib-canary"));
    let blob = old.seal(Binding::credential("con_1"), &fields);
    let new = vault.new_site_key("site_a", 1).unwrap();
    let resealed = old
        .reseal(&new, Binding::credential("con_1"), &blob)
        .unwrap();
    assert_ne!(resealed, blob);
    // Bound to the same connection still: another binding does not open it.
    assert!(new.open(Binding::credential("con_2"), &resealed).is_err());
    vault.delete_site_key("site_a", 0).unwrap();
    let reopened = vault.existing_site_key("site_a", 1).unwrap();
    let opened = reopened
        .open(Binding::credential("con_1"), &resealed)
        .unwrap();
    assert_eq!(opened.get("api_key").unwrap().expose(), "xkeysib-canary");
    assert!(vault.existing_site_key("site_a", 0).is_err());
    assert_ne!(vault.reference("site_a", 0), vault.reference("site_a", 1));
    assert!(vault.reference("site_a", 1).ends_with("/site_a/1"));
}
