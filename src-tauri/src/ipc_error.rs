//! The one error shape that crosses IPC. Codes are the core's; internal details are logged
//! here and replaced with a generic message, so no path, SQL or secret reaches a toast.

use serde::Serialize;
use sgen_core::kernel::error::ErrorCode;
use sgen_core::CoreError;
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct IpcError {
    pub code: ErrorCode,
    pub message: String,
}

impl From<CoreError> for IpcError {
    fn from(err: CoreError) -> Self {
        let message = match &err {
            CoreError::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                "Something went wrong inside the app. The details are in the log file.".to_string()
            }
            other => other.to_string(),
        };
        IpcError {
            code: err.kind(),
            message,
        }
    }
}
