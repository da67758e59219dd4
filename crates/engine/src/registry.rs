//! Builds the configured sources. Adding a vendor adds one arm here and its module in
//! opsdeck-sources, nothing else.

use std::collections::HashMap;
use std::sync::Arc;

use opsdeck_domain::SourceKind;
use opsdeck_sources::http::HttpOptions;
use opsdeck_sources::pagerduty::{PagerDutyConfig, PagerDutySource};
use opsdeck_sources::Source;

use crate::config::{Config, SourceConfig};
use crate::secrets::resolve_token;

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error(transparent)]
    Secret(#[from] crate::secrets::SecretError),
    #[error("source {name}: {message}")]
    Source { name: String, message: String },
    #[error("source {name}: kind `{kind}` is not supported by this version of opsdeck yet")]
    Unsupported { name: String, kind: SourceKind },
}

/// One source as the supervisor runs it.
pub struct Configured {
    pub source: Arc<dyn Source>,
    pub config: SourceConfig,
}

pub fn build_all(config: &Config) -> Result<Vec<Configured>, RegistryError> {
    config.sources.iter().map(|s| build(config, s)).collect()
}

fn build(config: &Config, s: &SourceConfig) -> Result<Configured, RegistryError> {
    let name = s.name().to_string();
    let http = HttpOptions {
        timeout: s.timeout,
        // PagerDuty: 960 × budget_share requests/min (96 at the default share of 0.10).
        max_per_minute: s.max_per_minute(),
        // New pages get their own lane of that budget (see fast_poll_interval).
        urgent_per_minute: s.max_per_minute().and(s.fast_poll_per_minute()),
        ..HttpOptions::default()
    };
    let source: Arc<dyn Source> = match s.kind {
        SourceKind::Pagerduty => {
            let services: HashMap<String, String> = config
                .services
                .iter()
                .filter_map(|svc| Some((svc.pagerduty.clone()?, svc.name.clone())))
                .collect();
            let pd = PagerDutySource::new(PagerDutyConfig {
                name: name.clone(),
                url: s.url.clone().unwrap_or_default(),
                token: resolve_token(s)?,
                services,
                http,
                overlap: chrono::Duration::minutes(5),
            })
            .map_err(|e| RegistryError::Source {
                name: name.clone(),
                message: e.to_string(),
            })?;
            Arc::new(pd)
        }
        kind => return Err(RegistryError::Unsupported { name, kind }),
    };
    Ok(Configured {
        source,
        config: s.clone(),
    })
}
