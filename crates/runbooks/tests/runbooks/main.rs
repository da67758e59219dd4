//! The runbook library through its public API. One binary, one module per area:
//!
//! - `hostile`: a runbook with scripts, handlers, frames, styles, raw HTML, forged steps and
//!   remote images renders inert
//! - `fuzz`: a few thousand generated runbooks parse and render without panicking, and the
//!   output stays inert and consistently numbered
//! - `big`: a 5 MB runbook parses and renders
//! - `library`: folders on disk: recursion, duplicates, bad files, a folder that disappears,
//!   reloading by change, the fingerprint
//! - `incident`: from an alert to its runbook, a filled action and the JSON the shells get
//! - `support`: a reader for the sanitized HTML and the inertness checks every module uses

mod big;
mod fuzz;
mod hostile;
mod incident;
mod library;
mod support;
