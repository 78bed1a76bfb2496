//! `sandbox …`: simulated vendors for scripts, demos and support work without a network.

use crate::args::sandbox::SandboxCommand;
use crate::output;
use crate::output::out;
use sgen_catalog::Catalog;
use sgen_core::{Access, Core, CoreError};
use sgen_sandbox::{Faults, Sandbox};

pub fn run(
    open: impl Fn(Access) -> Result<Core, CoreError>,
    command: SandboxCommand,
) -> Result<(), CoreError> {
    let failed = |e: sgen_sandbox::SandboxError| CoreError::invalid(e.to_string());
    match command {
        SandboxCommand::Emit(args) => crate::commands::events::emit(open, args),
        SandboxCommand::Start {
            connectors,
            seed,
            json,
        } => {
            let catalog =
                Catalog::embedded().map_err(|e| CoreError::CatalogInvalid(e.to_string()))?;
            let slugs: Vec<String> = if connectors.is_empty() {
                catalog.all().map(|m| m.slug.clone()).collect()
            } else {
                connectors
            };
            let sandbox = Sandbox::start(catalog, seed).map_err(failed)?;
            let mut vendors = Vec::new();
            for slug in slugs {
                vendors.push(output::SandboxVendor {
                    vendor: sandbox.base_url(&slug).map_err(failed)?,
                    api_base: sandbox.api_base(&slug).map_err(failed)?,
                    connector: slug,
                });
            }
            output::sandbox_vendors(&vendors, json)?;
            // Serve until whoever started us closes our stdin (or stops the process).
            std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink())
                .map_err(|e| CoreError::Internal(e.to_string()))?;
            Ok(())
        }
        SandboxCommand::RegisterSecret { vendor } => {
            let secret = crate::secret_input::read_secret("Signing secret")?;
            sgen_sandbox::register_remote_signing_secret(&vendor, &secret).map_err(failed)?;
            out!("signing secret registered");
            Ok(())
        }
        SandboxCommand::Fault {
            vendor,
            account,
            revoked,
            token_expired,
            status,
            latency_ms,
            dropped_scopes,
            keeps_refresh_token,
        } => {
            let faults = Faults {
                token_expired,
                revoked,
                dropped_scopes,
                status,
                latency_ms,
                keeps_refresh_token,
            };
            sgen_sandbox::set_remote_faults(&vendor, &account, &faults).map_err(failed)?;
            out!("faults set for {account}");
            Ok(())
        }
    }
}
