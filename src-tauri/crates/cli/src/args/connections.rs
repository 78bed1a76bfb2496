//! `connections …`: a site's connections created, tested, changed and ended.

use crate::args::ScopeArgs;
use clap::Subcommand;

#[derive(Subcommand)]
#[allow(clippy::large_enum_variant)] // parsed once per process; boxing buys nothing
pub enum ConnectionsCommand {
    /// Connections of a site environment.
    List {
        #[command(flatten)]
        scope: ScopeArgs,
        /// Only connections in this state.
        #[arg(long)]
        state: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Connect a connector. Keys: secret fields are read from stdin (one line each, in the
    /// manifest's order) or prompted for, never taken from arguments. OAuth: prints the address
    /// to open in a browser and waits (up to 5 minutes) for the vendor to send it back.
    Create {
        #[command(flatten)]
        scope: ScopeArgs,
        /// Catalog slug, e.g. `brevo`.
        #[arg(long)]
        connector: String,
        /// Display name of the connection.
        #[arg(long)]
        name: String,
        /// Auth flow (default: the connector's first).
        #[arg(long)]
        flow: Option<String>,
        /// A non-secret credential field, NAME=VALUE (repeatable).
        #[arg(long = "field", value_name = "NAME=VALUE")]
        fields: Vec<String>,
        /// OAuth: a scope to ask for (repeatable; default: every scope the connector lists).
        #[arg(long = "scope", value_name = "SCOPE")]
        scopes: Vec<String>,
        /// The vendor's API address, when not the catalog's (a sandbox vendor, an instance).
        #[arg(long, value_name = "URL")]
        api_base: Option<String>,
        #[command(flatten)]
        oauth_server: OAuthServerArgs,
        #[arg(long)]
        json: bool,
    },
    /// A read-only call to the vendor with the stored credential.
    Test {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// OAuth: refresh the access token now (the refresh token rotates), then test.
    Refresh {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Set how an action's request is made from an event: `--field TARGET=SOURCE` for each
    /// field (dotted paths; a "quoted" source is a constant). No --field clears the mapping.
    Map {
        id: String,
        #[arg(long)]
        action: String,
        #[arg(long = "field", value_name = "TARGET=SOURCE")]
        fields: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Webhook connections: a new signing secret (printed once, on stderr); the old one keeps
    /// signing for a day. `--finish` drops the old one now.
    RotateSecret {
        id: String,
        #[arg(long)]
        finish: bool,
        #[arg(long)]
        json: bool,
    },
    /// Stop deliveries; keep the credential.
    Pause {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Test, then resume (a failed test leaves the connection in `error`).
    Resume {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Revoke at the vendor where possible, then remove the connection and its credential.
    Disconnect {
        id: String,
        #[arg(long)]
        json: bool,
    },
}

/// OAuth: another authorization server than the catalog's (an instance, a test server, or the
/// vendor's own with a client you registered there).
#[derive(clap::Args)]
pub struct OAuthServerArgs {
    #[arg(long, value_name = "URL", requires_all = ["token_url", "client_id"])]
    pub authorize_url: Option<String>,
    #[arg(long, value_name = "URL", requires = "authorize_url")]
    pub token_url: Option<String>,
    #[arg(long, value_name = "URL", requires = "authorize_url")]
    pub revoke_url: Option<String>,
    /// The `iss` the server sends on its callbacks, when it does.
    #[arg(long, value_name = "URL", requires = "authorize_url")]
    pub issuer: Option<String>,
    #[arg(long, requires = "authorize_url")]
    pub client_id: Option<String>,
}

impl OAuthServerArgs {
    pub fn server(self) -> Option<sgen_core::OAuthServer> {
        Some(sgen_core::OAuthServer {
            authorize_url: self.authorize_url?,
            token_url: self.token_url?,
            revoke_url: self.revoke_url,
            issuer: self.issuer,
            client_id: self.client_id?,
        })
    }
}
