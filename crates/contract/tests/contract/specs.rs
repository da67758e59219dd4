//! The shared specs, each loaded once per test binary.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use opsdeck_contract::Spec;

pub use opsdeck_contract::shared::specs_dir;

pub struct Loaded {
    pub spec: Spec,
    pub took: Duration,
}

fn load(relative: &str) -> Loaded {
    let path = specs_dir().join(relative);
    let started = Instant::now();
    let spec = Spec::load(&path).unwrap_or_else(|e| panic!("{e}"));
    Loaded {
        spec,
        took: started.elapsed(),
    }
}

macro_rules! shared_spec {
    ($name:ident, $file:expr) => {
        pub fn $name() -> &'static Loaded {
            static SPEC: OnceLock<Loaded> = OnceLock::new();
            SPEC.get_or_init(|| load($file))
        }
    };
}

shared_spec!(pagerduty, "pagerduty/pagerduty-rest-v2.openapiv3.json");
shared_spec!(
    pagerduty_events,
    "pagerduty/pagerduty-events-v2.openapiv3.json"
);
shared_spec!(github, "github/api.github.com.reduced.json");
shared_spec!(
    alertmanager,
    "alertmanager/alertmanager-api-v2.openapi.yaml"
);
shared_spec!(grafana, "grafana/openapi3.grafana-9.5.0-pre.json");
shared_spec!(
    grafana_alerting,
    "grafana/ngalert-post.grafana-9.5.0-pre.swagger2.json"
);
