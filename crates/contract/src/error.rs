//! Errors: [`ContractError`] when a spec cannot be loaded, [`Violation`] when a body does not
//! match it.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

/// A spec file could not be turned into a [`crate::Spec`].
///
/// Flaws inside single operations are deliberately *not* load errors: they surface as
/// [`Violation::Unusable`] when that operation is validated.
#[derive(Debug, thiserror::Error)]
pub enum ContractError {
    #[error("cannot read spec {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot parse spec {path} as {syntax}: {message}")]
    Parse {
        path: PathBuf,
        syntax: &'static str,
        message: String,
    },
    #[error("{path} is not an OpenAPI 3.0.x or Swagger 2.0 document ({found})")]
    UnsupportedFormat { path: PathBuf, found: String },
    #[error("overlay patch at {pointer} ({why}): {problem}")]
    Overlay {
        pointer: String,
        why: String,
        problem: String,
    },
    #[error("cannot register {title} as a JSON Schema resource: {message}")]
    Registry { title: String, message: String },
}

/// An operation as the spec names it: what a [`Violation`] points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationInfo {
    /// Upper-case HTTP method.
    pub method: String,
    /// The spec's path template, e.g. `/incidents/{id}`.
    pub template: String,
    pub operation_id: Option<String>,
}

impl fmt::Display for OperationInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.template)?;
        match &self.operation_id {
            Some(id) => write!(f, " ({id})"),
            None => f.write_str(" (no operationId)"),
        }
    }
}

/// Which body of an operation was validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Request,
    /// `declared` is the response key that matched `status`: the status itself, `4XX` or `default`.
    Response {
        status: u16,
        declared: String,
    },
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Request => f.write_str("request body"),
            Target::Response { status, declared } if *declared == status.to_string() => {
                write!(f, "response {status}")
            }
            Target::Response { status, declared } => {
                write!(f, "response {status} (declared as {declared})")
            }
        }
    }
}

/// One schema error inside a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError {
    /// JSON pointer into the body, `""` for the body itself.
    pub instance_path: String,
    /// Where the failing keyword lives in the (converted) spec document, as a JSON pointer,
    /// e.g. `/components/schemas/Incident/allOf/1/properties/status/enum`.
    pub schema_path: String,
    pub message: String,
    /// For a failed `anyOf` / `oneOf`: why each branch failed (first few errors of each, one
    /// level deep), since "matches none of the branches" alone does not say what to fix.
    pub branches: Vec<Vec<SchemaError>>,
}

impl fmt::Display for SchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.instance_path.is_empty() {
            "(body)"
        } else {
            &self.instance_path
        };
        write!(f, "at {at}: {} [schema {}]", self.message, self.schema_path)?;
        for (index, errors) in self.branches.iter().enumerate() {
            for error in errors {
                write!(f, "\n      branch {index}: {error}")?;
            }
        }
        Ok(())
    }
}

/// A body that does not match the spec, or a request the spec cannot answer. The operation is
/// shared with the spec (`Arc`) so a failing validation copies no strings for it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Violation {
    #[error("no operation {method} {path} in {spec}")]
    NoOperation {
        spec: String,
        method: String,
        path: String,
    },
    #[error("{operation}: status {status} is not declared (declared: {})", declared.join(", "))]
    UndeclaredStatus {
        operation: Arc<OperationInfo>,
        status: u16,
        declared: Vec<String>,
    },
    #[error("{operation} {target}: the spec declares no body, but one was given")]
    UnexpectedBody {
        operation: Arc<OperationInfo>,
        target: Target,
    },
    #[error("{operation} {target}: the spec requires a body, but none was given")]
    MissingBody {
        operation: Arc<OperationInfo>,
        target: Target,
    },
    #[error("{operation} {target}: the spec declares no JSON content, only {}", media_types.join(", "))]
    NotJson {
        operation: Arc<OperationInfo>,
        target: Target,
        media_types: Vec<String>,
    },
    /// The spec itself is broken for this operation (a dangling `$ref`, an invalid schema, ...).
    #[error("{operation} {target}: cannot validate, the spec is unusable here: {reason}")]
    Unusable {
        operation: Arc<OperationInfo>,
        target: Target,
        reason: String,
    },
    #[error("{operation} {target}: {} schema error(s){}", errors.len(), ErrorList(errors))]
    Invalid {
        operation: Arc<OperationInfo>,
        target: Target,
        errors: Vec<SchemaError>,
    },
}

impl Violation {
    /// The schema errors, empty for violations that are not about the body's shape.
    pub fn errors(&self) -> &[SchemaError] {
        match self {
            Violation::Invalid { errors, .. } => errors,
            _ => &[],
        }
    }
}

struct ErrorList<'a>(&'a [SchemaError]);

impl fmt::Display for ErrorList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for error in self.0 {
            write!(f, "\n  - {error}")?;
        }
        Ok(())
    }
}
