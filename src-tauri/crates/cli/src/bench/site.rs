//! What the connection and delivery benchmarks start from: a small demo site in a temporary
//! data directory, site keys in keyring-core's mock store (so the OS keyring's own latency is
//! not in the figures), and a Brevo key request aimed at this process's sandbox vendor.
// Each benchmark binary compiles this module and uses a part of it.
#![allow(dead_code)]

use sgen_core::connections::lifecycle::NewConnectionRequest;
use sgen_core::demo::DemoOptions;
use sgen_core::kernel::sites::SiteEnvironment;
use sgen_core::model::EnvironmentName;
use sgen_core::{Access, Clock, Core, CoreConfig, Secret, SANDBOX_ENDPOINT};
use std::collections::BTreeMap;
use std::sync::Arc;

pub struct BenchSite {
    pub core: Core,
    pub scope: SiteEnvironment,
    _dir: tempfile::TempDir,
}

impl BenchSite {
    pub fn open(clock: Arc<dyn Clock>) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let core = Core::open(CoreConfig {
            credential_store: Some(keyring_core::mock::Store::new().expect("mock store")),
            clock,
            ..CoreConfig::new(dir.path(), Access::ReadWrite)
        })
        .expect("open");
        let options = DemoOptions {
            delivery_attempts: 1_000,
            ..DemoOptions::default()
        };
        let site_id = core.seed_demo(&options, |_, _| {}).expect("seed").site_id;
        BenchSite {
            core,
            scope: SiteEnvironment {
                site_id,
                environment: EnvironmentName::Live,
            },
            _dir: dir,
        }
    }

    /// The demo's Stripe connection, taking events signed with `secret`.
    pub fn stripe_with_secret(&self, secret: &str) -> String {
        let query = sgen_core::connections::detail::ConnectionQuery {
            text: Some("stripe".into()),
            ..Default::default()
        };
        let stripe = self
            .core
            .connections(&self.scope, &query)
            .expect("connections")
            .rows[0]
            .record
            .id
            .clone();
        self.core
            .set_event_secret(&stripe, Secret::new(secret), false)
            .expect("secret");
        stripe
    }

    /// The core, its scope and the directory it lives in (kept as long as the core).
    pub fn into_parts(self) -> (Core, SiteEnvironment, tempfile::TempDir) {
        (self.core, self.scope, self._dir)
    }

    /// A Brevo connection at the sandbox vendor, to account `n`: its own key, so faults set for it touch no
    /// other connection.
    pub fn brevo_account_request(&self, n: u32) -> NewConnectionRequest {
        let example = self
            .core
            .catalog()
            .get("brevo")
            .and_then(|m| m.credential_fields.first())
            .map(|f| f.example.clone())
            .expect("brevo has an API key field");
        let key = format!("{}{n:08}", &example[..example.len() - 8]);
        NewConnectionRequest {
            connector_type: "brevo".into(),
            display_name: format!("Brevo (bench {n})"),
            auth_flow: "api_key".into(),
            fields: BTreeMap::from([("api_key".to_string(), Secret::new(key))]),
            api_base_override: Some(SANDBOX_ENDPOINT.into()),
        }
    }
}
