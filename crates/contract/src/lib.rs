//! Contract checks: request and response bodies validated against the vendors' official
//! OpenAPI 3.0 / Swagger 2.0 descriptions (`shared/specs/`).
//!
//! A [`Spec`] is loaded once from JSON or YAML, patched by a small per-vendor overlay of known
//! flaws, converted in place to JSON Schema draft 7 and registered with `jsonschema`; one
//! validator per (operation, request or declared response) is compiled on first use and cached.
//!
//! ```no_run
//! # use std::path::Path;
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let spec = opsdeck_contract::Spec::load(Path::new("shared/specs/alertmanager/alertmanager-api-v2.openapi.yaml"))?;
//! spec.validate_response("GET", "/api/v2/alerts?active=true", 200, &serde_json::json!([]))?;
//! # Ok(())
//! # }
//! ```

mod convert;
mod error;
mod formats;
mod load;
mod operations;
mod overlay;
mod paths;
mod pointer;
pub mod shared;
mod validate;

pub use error::{ContractError, OperationInfo, SchemaError, Target, Violation};
pub use load::{Flavor, Vendor};
pub use overlay::{builtin_overlay, Patch};
pub use validate::Spec;
