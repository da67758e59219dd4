//! A service's Kubernetes workloads as the workload view shows them: each Deployment with its
//! replica counts, revision history, unhealthy pods and recent events, and a pod's last log
//! lines on demand.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Everything opsdeck knows of a service's workloads, from every watched context.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ServiceWorkloads {
    pub service: String,
    pub workloads: Vec<Workload>,
    /// Contexts that could not be read, each in words ("k8s-prod-us: cannot reach …"); what
    /// they last showed is still listed, marked stale.
    pub problems: Vec<String>,
}

/// One Deployment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Workload {
    pub context: String,
    pub namespace: String,
    pub deployment: String,
    /// `context/namespace/deployment`: what actions take as their target.
    pub target: String,
    pub desired: i32,
    pub ready: i32,
    pub updated: i32,
    pub available: i32,
    /// JSON numbers: revisions stay far below 2^53.
    #[ts(type = "number | null")]
    pub revision: Option<i64>,
    /// `progressing`, `complete` or `failed`.
    pub progress: String,
    pub images: Vec<String>,
    /// Newest first.
    pub revisions: Vec<WorkloadRevision>,
    pub unhealthy_pods: Vec<UnhealthyPod>,
    /// How many pods it has in all, and the names of up to [`HEALTHY_PODS_LISTED`] of the
    /// healthy ones (newest first), so any pod's log is a click away.
    pub pod_count: u32,
    pub healthy_pods: Vec<String>,
    /// The latest first, at most a few.
    pub events: Vec<WorkloadEvent>,
    /// Its context is failing now: this is what it showed last.
    pub stale: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct WorkloadRevision {
    #[ts(type = "number")]
    pub revision: i64,
    pub replica_set: String,
    pub images: Vec<String>,
    pub created_at: Option<DateTime<Utc>>,
    pub change_cause: Option<String>,
    pub current: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct UnhealthyPod {
    pub name: String,
    pub phase: String,
    pub ready: bool,
    /// Why it is not running well: a waiting reason (CrashLoopBackOff), else the last exit's.
    pub reason: Option<String>,
    pub restarts: i32,
    pub node: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct WorkloadEvent {
    /// `Kind/name`.
    pub object: String,
    pub reason: String,
    pub message: String,
    pub warning: bool,
    pub count: i32,
    pub last_seen: Option<DateTime<Utc>>,
}

/// The last lines of a pod's log, as read on demand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PodLogs {
    pub context: String,
    pub namespace: String,
    pub pod: String,
    pub lines: Vec<String>,
    /// More was there than opsdeck reads (the line or byte limit cut it).
    pub truncated: bool,
}

/// Healthy pods named per workload: enough to pick one for its log.
pub const HEALTHY_PODS_LISTED: usize = 10;

/// How many log lines a pod's log view reads, by default and at most; and the most bytes.
pub const POD_LOG_LINES: u32 = 200;
pub const POD_LOG_MAX_LINES: u32 = 1000;
pub const POD_LOG_MAX_BYTES: i64 = 256 * 1024;
