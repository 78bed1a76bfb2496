//! A connection form's credential fields, checked against the connector's manifest before
//! anything is sent or stored. Error messages name the field, never its value.

use crate::{CoreError, CoreResult};
use sgen_catalog::{AuthFlow, CredentialField, Manifest};
use sgen_vault::{Secret, SecretFields};
use std::collections::BTreeMap;

/// Every field of the flow present and well-formed, and no field the connector does not have.
pub(crate) fn check(
    manifest: &Manifest,
    flow: AuthFlow,
    submitted: BTreeMap<String, Secret>,
) -> CoreResult<SecretFields> {
    // A field without flows applies to every flow of the connector.
    let expected: Vec<&CredentialField> = manifest
        .credential_fields
        .iter()
        .filter(|f| f.flows.is_empty() || f.flows.contains(&flow))
        .collect();
    if let Some(unknown) = submitted
        .keys()
        .find(|name| !expected.iter().any(|f| &f.name == *name))
    {
        return Err(CoreError::invalid(format!(
            "{} has no credential field `{unknown}` for {}",
            manifest.display_name,
            flow.as_str()
        )));
    }
    let mut fields = SecretFields::new();
    for field in expected {
        let value = submitted
            .get(&field.name)
            .map(|v| Secret::new(v.expose().trim()))
            .filter(|v| !v.is_empty())
            .ok_or_else(|| CoreError::invalid(format!("{} is required", field.label)))?;
        if !field.accepts(value.expose()) {
            return Err(CoreError::invalid(format!(
                "{} does not look like a {} {} (for example {})",
                field.label, manifest.display_name, field.label, field.example
            )));
        }
        fields.insert(&field.name, value);
    }
    Ok(fields)
}
