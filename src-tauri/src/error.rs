//! Errors cross IPC as `{code, message}`: a stable code for the UI to branch on and a message
//! for the engineer. Never a token, never a raw debug dump.

use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct IpcError {
    pub code: &'static str,
    pub message: String,
}

impl IpcError {
    pub fn new(code: &'static str, message: impl Into<String>) -> IpcError {
        IpcError {
            code,
            message: message.into(),
        }
    }
}

impl From<opsdeck_engine::CockpitError> for IpcError {
    fn from(e: opsdeck_engine::CockpitError) -> Self {
        let code = if e.is_bad_input() {
            "refused"
        } else {
            "cockpit"
        };
        IpcError::new(code, e.to_string())
    }
}

impl From<opsdeck_engine::ActionFailure> for IpcError {
    fn from(e: opsdeck_engine::ActionFailure) -> Self {
        let code = match &e {
            opsdeck_engine::ActionFailure::Store(_) => "store",
            other if other.is_bad_input() => "refused",
            _ => "failed",
        };
        IpcError::new(code, e.to_string())
    }
}
