//! One-line descriptions for `opsdeck runbooks`: what each runbook is linked to.

use crate::link::AlertRule;
use crate::model::Runbook;

/// What links alerts to `runbook`, one entry each, in front matter order: `service
/// payments-api`, `alert APIResponseTimeCritical`, `alerts matching alertname="X",
/// service=~"orders.*"`, `alias https://wiki/…`. Empty when only a `runbook_url` ending in
/// its slug can reach it.
pub fn links(runbook: &Runbook) -> Vec<String> {
    let services = runbook.services.iter().map(|s| format!("service {s}"));
    let alerts = runbook
        .alerts
        .iter()
        .zip(&runbook.rules)
        .map(|(text, rule)| match rule {
            AlertRule::Name(_) => format!("alert {}", text.trim()),
            AlertRule::Matchers(_) => format!("alerts matching {}", text.trim()),
        });
    let aliases = runbook.aliases.iter().map(|a| format!("alias {a}"));
    services.chain(alerts).chain(aliases).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_runbook;

    #[test]
    fn links_list_services_alerts_and_aliases() {
        let rb = parse_runbook(
            "r/api.md",
            "---\nservices: [payments-api]\nalerts:\n  - APIResponseTimeCritical\n  - '{service=~\"orders.*\",alertname=\"DBQueryRateHigh\"}'\naliases: https://wiki/api\n---\n",
        )
        .unwrap();
        assert_eq!(
            links(&rb),
            [
                "service payments-api",
                "alert APIResponseTimeCritical",
                "alerts matching {service=~\"orders.*\",alertname=\"DBQueryRateHigh\"}",
                "alias https://wiki/api",
            ]
        );
        assert!(links(&parse_runbook("r/x.md", "# x").unwrap()).is_empty());
    }
}
