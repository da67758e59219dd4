//! Kubernetes through kube-rs: one source per kubeconfig context. Watch streams keep a record
//! of every Deployment, ReplicaSet, Pod, Node and Event ([`cluster`]); what changed becomes
//! timeline entries ([`entries`]) when the engine polls, which it does as soon as the watchers
//! signal a change.

pub mod actions;
mod client;
pub mod cluster;
pub mod entries;
mod errors;
pub mod records;
mod source;
#[cfg(test)]
mod tests;
mod watch;
pub mod workloads;

pub use entries::{ServiceMap, ServiceTarget};
pub use source::{KubernetesConfig, KubernetesSource};
