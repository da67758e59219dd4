//! GitHub Actions: workflow runs (with the failed jobs and steps of the runs that failed) and
//! deployments of the configured repositories, polled with conditional requests; re-run,
//! cancel and deployment approval as actions.

mod actions;
pub mod map;
mod source;
pub mod wire;

pub use source::{GithubConfig, GithubSource};

#[cfg(test)]
mod tests;
