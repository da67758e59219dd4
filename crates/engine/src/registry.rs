//! Builds the configured sources. Adding a vendor adds one arm here (and its kind to
//! [`supports`], which a test keeps in step) and its module in opsdeck-sources, nothing else.

use std::collections::HashMap;
use std::sync::Arc;

use opsdeck_domain::SourceKind;
use opsdeck_sources::alertmanager::{AlertmanagerConfig, AlertmanagerSource};
use opsdeck_sources::github::{GithubConfig, GithubSource};
use opsdeck_sources::grafana::{GrafanaConfig, GrafanaSource};
use opsdeck_sources::http::HttpOptions;
use opsdeck_sources::kubernetes::{KubernetesConfig, KubernetesSource, ServiceMap, ServiceTarget};
use opsdeck_sources::pagerduty::{PagerDutyConfig, PagerDutySource};
use opsdeck_sources::prometheus::{PrometheusConfig, PrometheusSource};
use opsdeck_sources::{Source, SourceError};

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
#[derive(Clone)]
pub struct Configured {
    pub source: Arc<dyn Source>,
    pub config: SourceConfig,
    /// The same source as a Prometheus, for the vitals' queries.
    pub prometheus: Option<Arc<PrometheusSource>>,
    /// The same source as a Kubernetes context, for the workload view and pod logs.
    pub kubernetes: Option<Arc<KubernetesSource>>,
}

/// Whether this version of opsdeck has a source for `kind`: [`build_all`] refuses every other
/// kind as unsupported. `opsdeck sim` configures only these among the vendors it simulates.
pub fn supports(kind: SourceKind) -> bool {
    matches!(
        kind,
        SourceKind::Pagerduty
            | SourceKind::Alertmanager
            | SourceKind::Grafana
            | SourceKind::Prometheus
            | SourceKind::Kubernetes
            | SourceKind::Github
    )
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
    let mut prometheus = None;
    let mut kubernetes = None;
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
            .map_err(|e| source_error(&name, e))?;
            Arc::new(pd)
        }
        SourceKind::Alertmanager => {
            let am = AlertmanagerSource::new(AlertmanagerConfig {
                name: name.clone(),
                url: s.url.clone().unwrap_or_default(),
                token: proxy_token(s)?,
                // The alerts' `service` label already names the service; no [[services]] key
                // maps it yet.
                services: HashMap::new(),
                http: http.clone(),
                backfill: backfill_source(config, s, http)?,
            })
            .map_err(|e| source_error(&name, e))?;
            Arc::new(am)
        }
        SourceKind::Grafana => {
            let grafana = GrafanaSource::new(GrafanaConfig {
                name: name.clone(),
                url: s.url.clone().unwrap_or_default(),
                // A service-account token: Grafana answers nothing without one.
                token: resolve_token(s)?,
                // As for Alertmanager, the `service` label (and `service:` tag) names the
                // service itself.
                services: HashMap::new(),
                http,
            })
            .map_err(|e| source_error(&name, e))?;
            Arc::new(grafana)
        }
        SourceKind::Prometheus => {
            let source = prometheus_source(s, http)?;
            prometheus = Some(Arc::clone(&source));
            source
        }
        SourceKind::Github => Arc::new(github_source(config, s, http)?),
        SourceKind::Kubernetes => {
            let source = Arc::new(kubernetes_source(config, s)?);
            kubernetes = Some(Arc::clone(&source));
            source
        }
        kind => return Err(RegistryError::Unsupported { name, kind }),
    };
    Ok(Configured {
        source,
        config: s.clone(),
        prometheus,
        kubernetes,
    })
}

/// The source's own `repos` and every repository a service names, each once.
fn github_source(
    config: &Config,
    s: &SourceConfig,
    http: HttpOptions,
) -> Result<GithubSource, RegistryError> {
    let name = s.name().to_string();
    let services: HashMap<String, String> = config
        .services
        .iter()
        .filter_map(|svc| Some((svc.github.clone()?, svc.name.clone())))
        .collect();
    let mut repos = s.repos.clone();
    repos.extend(config.services.iter().filter_map(|svc| svc.github.clone()));
    if repos.is_empty() {
        return Err(RegistryError::Source {
            name,
            message: "no repositories: list them in `repos`, or map services to them with \
                      [[services]] github = \"owner/name\""
                .into(),
        });
    }
    GithubSource::new(GithubConfig {
        name: name.clone(),
        url: s
            .url
            .clone()
            .unwrap_or_else(|| crate::config::GITHUB_API.to_string()),
        token: resolve_token(s)?,
        repos,
        services,
        http,
    })
    .map_err(|e| source_error(&name, e))
}

/// One kubeconfig context, with the services whose workloads run in it.
fn kubernetes_source(config: &Config, s: &SourceConfig) -> Result<KubernetesSource, RegistryError> {
    let Some(context) = s.context.clone() else {
        return Err(RegistryError::Source {
            name: s.name().to_string(),
            message: "kubernetes sources need `context`".into(),
        });
    };
    let targets: Vec<ServiceTarget> = config
        .services
        .iter()
        .filter_map(|svc| {
            let k = svc.kubernetes.as_ref().filter(|k| k.context == context)?;
            Some(ServiceTarget {
                service: svc.name.clone(),
                namespace: k.namespace.clone(),
                deployment: k.deployment.clone(),
            })
        })
        .collect();
    Ok(KubernetesSource::new(KubernetesConfig {
        name: s.name().to_string(),
        kubeconfig: s.kubeconfig.clone(),
        context,
        services: ServiceMap::new(&targets, config.services.iter().map(|svc| svc.name.clone())),
        timeout: s.timeout,
    }))
}

/// The Prometheus an Alertmanager source backfills from (config validation made sure the name
/// is a Prometheus source), with its own client.
fn backfill_source(
    config: &Config,
    s: &SourceConfig,
    http: HttpOptions,
) -> Result<Option<Arc<PrometheusSource>>, RegistryError> {
    let Some(name) = &s.backfill_from else {
        return Ok(None);
    };
    let Some(p) = config
        .sources
        .iter()
        .find(|p| p.kind == SourceKind::Prometheus && p.name() == name)
    else {
        return Err(RegistryError::Source {
            name: s.name().to_string(),
            message: format!("backfill_from names no Prometheus source {name:?}"),
        });
    };
    prometheus_source(p, http).map(Some)
}

fn prometheus_source(
    s: &SourceConfig,
    http: HttpOptions,
) -> Result<Arc<PrometheusSource>, RegistryError> {
    PrometheusSource::new(PrometheusConfig {
        name: s.name().to_string(),
        url: s.url.clone().unwrap_or_default(),
        token: proxy_token(s)?,
        http,
    })
    .map(Arc::new)
    .map_err(|e| source_error(s.name(), e))
}

/// Alertmanager and Prometheus have no authentication of their own: a token is only for a
/// proxy in front of them, so none configured means none sent (not an error).
fn proxy_token(s: &SourceConfig) -> Result<Option<String>, RegistryError> {
    if s.token.is_some() || s.token_env.is_some() || s.token_keyring.is_some() {
        Ok(Some(resolve_token(s)?))
    } else {
        Ok(None)
    }
}

fn source_error(name: &str, e: SourceError) -> RegistryError {
    RegistryError::Source {
        name: name.to_string(),
        message: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn config(text: &str) -> Config {
        Config::parse(text, Path::new("test.toml")).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn alertmanagers_build_without_a_token() {
        let c = config(
            "version = 1\n\
             [[sources]]\nkind = \"alertmanager\"\nname = \"am-eu\"\nurl = \"http://127.0.0.1:9093\"\n\
             [[sources]]\nkind = \"alertmanager\"\nname = \"am-us\"\nurl = \"https://am.us.example.test\"\n",
        );
        let built = build_all(&c).unwrap_or_else(|e| panic!("{e}"));
        let names: Vec<(&str, SourceKind)> = built
            .iter()
            .map(|b| (b.source.name(), b.source.kind()))
            .collect();
        assert_eq!(
            names,
            [
                ("am-eu", SourceKind::Alertmanager),
                ("am-us", SourceKind::Alertmanager)
            ]
        );
        assert!(built.iter().all(|b| b.source.budget().is_none()));
    }

    #[test]
    fn supports_names_exactly_the_kinds_that_build() {
        let c = config("version = 1\n");
        for &kind in SourceKind::ALL {
            let mut source = SourceConfig::new(kind, "http://127.0.0.1:9");
            source.token = Some("t".to_string());
            let unsupported = matches!(build(&c, &source), Err(RegistryError::Unsupported { .. }));
            assert_eq!(supports(kind), !unsupported, "{kind}");
        }
    }

    #[test]
    fn a_configured_proxy_token_must_resolve() {
        let var = "OPSDECK_TEST_AM_PROXY_TOKEN_UNSET";
        let c = config(&format!(
            "version = 1\n[[sources]]\nkind = \"alertmanager\"\nurl = \"https://am.example.test\"\n\
             token_env = \"{var}\"\n"
        ));
        let err = match build_all(&c) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("built without its token"),
        };
        assert!(err.contains(var), "{err}");
        assert!(err.contains("alertmanager"), "{err}");
    }

    #[test]
    fn grafana_builds_with_its_token_and_not_without() {
        let c = config(
            "version = 1\n[[sources]]\nkind = \"grafana\"\nurl = \"http://127.0.0.1:3000\"\n\
             token = \"glsa_sim\"\n",
        );
        let built = build_all(&c).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(built[0].source.kind(), SourceKind::Grafana);
        let c = config(
            "version = 1\n[[sources]]\nkind = \"grafana\"\nurl = \"https://grafana.example.test\"\n",
        );
        let err = match build_all(&c) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("built without a token"),
        };
        assert!(err.contains("grafana"), "{err}");
    }
}
