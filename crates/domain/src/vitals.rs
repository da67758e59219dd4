//! A service's vitals as the incident and alert views show them: a few series for the last
//! hours (error rate, p99 latency, saturation) and, where the service declares an SLO, how much
//! of its error budget is left. Read from Prometheus on demand; never stored.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The vitals a service can declare, in the order they are shown.
pub const VITAL_NAMES: [&str; 3] = ["error_rate", "latency_p99", "saturation"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum VitalUnit {
    /// A fraction, shown as a percentage.
    Ratio,
    Seconds,
}

impl VitalUnit {
    pub fn of(name: &str) -> VitalUnit {
        if name == "latency_p99" {
            VitalUnit::Seconds
        } else {
            VitalUnit::Ratio
        }
    }
}

/// "Error rate", "p99 latency", "Saturation".
pub fn vital_label(name: &str) -> &'static str {
    match name {
        "error_rate" => "Error rate",
        "latency_p99" => "p99 latency",
        "saturation" => "Saturation",
        _ => "Series",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
pub struct VitalPoint {
    pub t: DateTime<Utc>,
    pub v: f64,
}

/// One sparkline. `error` says why it has no points (a bad query, Prometheus down).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct VitalSeries {
    pub name: String,
    pub label: String,
    pub unit: VitalUnit,
    pub query: String,
    pub points: Vec<VitalPoint>,
    pub error: Option<String>,
    /// The query returned several series; the first is drawn.
    pub more_series: u32,
}

/// The SLO glance: the objective, how much of the window's requests succeeded, and how much of
/// the error budget (the failures the objective allows) is left; negative when overspent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SloGlance {
    pub objective: f64,
    /// As configured: "30d".
    pub window: String,
    pub attainment: Option<f64>,
    pub budget_left: Option<f64>,
    pub error: Option<String>,
}

/// Why a service shows no vitals at all, in words the panel shows as they are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", content = "message", rename_all = "snake_case")]
pub enum VitalsProblem {
    /// The service has no `prometheus` queries in the config (or is not in it).
    NotConfigured(String),
    /// Queries exist but no Prometheus source answers them (not installed, not configured).
    NoPrometheus(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Vitals {
    pub service: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub series: Vec<VitalSeries>,
    pub slo: Option<SloGlance>,
    pub problem: Option<VitalsProblem>,
}

/// The share of the error budget left: 1 untouched, 0 spent, below 0 overspent.
pub fn budget_left(objective: f64, attainment: f64) -> f64 {
    let allowed = 1.0 - objective;
    if allowed <= 0.0 {
        return if attainment >= 1.0 {
            1.0
        } else {
            f64::NEG_INFINITY
        };
    }
    let spent = (1.0 - attainment) / allowed;
    1.0 - spent
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_error_budget_is_what_the_objective_allows() {
        // 99.9 %: 0.1 % of requests may fail. 0.05 % failed: half the budget is left.
        assert!((budget_left(0.999, 0.9995) - 0.5).abs() < 1e-9);
        assert!((budget_left(0.999, 1.0) - 1.0).abs() < 1e-9);
        assert!((budget_left(0.999, 0.999) - 0.0).abs() < 1e-9);
        // 0.3 % failed: three budgets' worth, two overspent.
        assert!((budget_left(0.999, 0.997) + 2.0).abs() < 1e-9);
    }

    #[test]
    fn units_and_labels_follow_the_name() {
        assert_eq!(VitalUnit::of("latency_p99"), VitalUnit::Seconds);
        assert_eq!(VitalUnit::of("error_rate"), VitalUnit::Ratio);
        assert_eq!(vital_label("saturation"), "Saturation");
    }
}
