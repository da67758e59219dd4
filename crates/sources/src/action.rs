//! What a source needs to plan and carry out actions, and how that can fail.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use opsdeck_domain::{ActionKind, ActionRequest};

use crate::SourceError;

/// Handed to a source for each plan and execution. Time is passed in, as for polls.
#[derive(Debug, Clone)]
pub struct ActionContext {
    pub now: DateTime<Utc>,
    /// My email from the config, when set; a source that can ask the vendor who the token
    /// belongs to prefers that answer.
    pub me: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    #[error("source {source_name} cannot {kind} (not supported by this source)")]
    Unsupported {
        source_name: String,
        kind: ActionKind,
    },
    /// The request itself is wrong or no longer applies: a missing or bad parameter, a target
    /// that does not exist, an incident already resolved. Says what to change.
    #[error("{0}")]
    Invalid(String),
    /// The vendor could not be reached or refused it.
    #[error(transparent)]
    Vendor(#[from] SourceError),
}

impl ActionError {
    /// The user's input was at fault (exit code 2), rather than the vendor or the network.
    pub fn is_bad_input(&self) -> bool {
        match self {
            ActionError::Unsupported { .. } | ActionError::Invalid(_) => true,
            ActionError::Vendor(e) => matches!(
                e,
                SourceError::NotFound { .. } | SourceError::Rejected { .. }
            ),
        }
    }
}

/// A request's parameters, checked against what its kind takes; blank values count as absent.
pub(crate) struct Params<'a> {
    pub kind: ActionKind,
    map: &'a BTreeMap<String, String>,
}

impl<'a> Params<'a> {
    pub fn new(request: &'a ActionRequest, allowed: &[&str]) -> Result<Params<'a>, ActionError> {
        if let Some(unknown) = request
            .params
            .keys()
            .find(|k| !allowed.contains(&k.as_str()))
        {
            let takes = if allowed.is_empty() {
                "no parameters".to_string()
            } else {
                allowed.join(", ")
            };
            return Err(ActionError::Invalid(format!(
                "{} does not take `{unknown}` (it takes {takes})",
                request.kind
            )));
        }
        Ok(Params {
            kind: request.kind,
            map: &request.params,
        })
    }

    pub fn get(&self, key: &str) -> Option<&'a str> {
        self.map
            .get(key)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }

    pub fn required(&self, key: &str, example: &str) -> Result<&'a str, ActionError> {
        self.get(key).ok_or_else(|| {
            ActionError::Invalid(format!(
                "{} needs `{key}=…` (for example {key}={example})",
                self.kind
            ))
        })
    }
}
