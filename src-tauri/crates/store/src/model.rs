//! Domain values stored as text. Each enum is declared once here; the same type is what the
//! core returns, what crosses IPC (ts-rs generates its TypeScript), and what SQLite stores.

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Declares a text-backed enum with its wire name for every variant, and the conversions the
/// store, the CLI and IPC need.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
        #[serde(rename_all = "snake_case")]
        #[ts(export)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }

            /// `a|b|c`, for error messages that list the accepted values.
            pub fn choices() -> String {
                Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join("|")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.as_str()))
            }
        }

        impl FromSql for $name {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                let text = value.as_str()?;
                $name::parse(text).ok_or_else(|| FromSqlError::Other(format!("unknown {} `{text}`", stringify!($name)).into()))
            }
        }
    };
}

text_enum!(
    /// The observed state of a connection (SPEC §4).
    ConnectionState { Active = "active", Paused = "paused", AuthExpired = "auth_expired", AuthRevoked = "auth_revoked", Error = "error" }
);

text_enum!(
    /// What one delivery attempt came to.
    Outcome { Delivered = "delivered", Retried = "retried", Failed = "failed" }
);

text_enum!(
    /// Why an attempt was made.
    AttemptTrigger { Scheduled = "scheduled", Manual = "manual" }
);

text_enum!(
    DeliveryStatus { Pending = "pending", Delivered = "delivered", Failed = "failed", DeadLetter = "dead_letter" }
);

text_enum!(
    EnvironmentName { Live = "live", Staging = "staging" }
);
