//! Reading a spec file: JSON or YAML into a plain `serde_json::Value`, and telling which
//! description format and which vendor it is.
//!
//! Typed OpenAPI models reject the vendor files (or Swagger 2.0), so the document stays a
//! `Value` and everything else walks it leniently.

use std::fmt;
use std::path::Path;

use serde_json::Value;

use crate::error::ContractError;

/// The description format of a spec document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    OpenApi30,
    Swagger20,
}

/// Whose API a spec describes; selects the overlay of known vendor flaws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Vendor {
    PagerDuty,
    GitHub,
    Alertmanager,
    Grafana,
}

impl fmt::Display for Vendor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Vendor::PagerDuty => "PagerDuty",
            Vendor::GitHub => "GitHub",
            Vendor::Alertmanager => "Alertmanager",
            Vendor::Grafana => "Grafana",
        })
    }
}

impl Vendor {
    /// Recognises the vendor from `info.title`, falling back to the server host.
    pub fn detect(doc: &Value) -> Option<Vendor> {
        let title = doc
            .pointer("/info/title")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_ascii_lowercase();
        let servers = doc
            .get("servers")
            .and_then(Value::as_array)
            .map(|servers| {
                servers
                    .iter()
                    .filter_map(|s| s.get("url").and_then(Value::as_str))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default()
            .to_ascii_lowercase();
        let host = doc.get("host").and_then(Value::as_str).unwrap_or_default();
        let seen = |needle: &str| {
            title.contains(needle) || servers.contains(needle) || host.contains(needle)
        };
        if seen("pagerduty") {
            Some(Vendor::PagerDuty)
        } else if seen("github") {
            Some(Vendor::GitHub)
        } else if seen("alertmanager") {
            Some(Vendor::Alertmanager)
        } else if seen("grafana") {
            Some(Vendor::Grafana)
        } else {
            None
        }
    }
}

/// Reads and parses `path`: `.yaml`/`.yml` as YAML, anything else as JSON.
pub(crate) fn read_document(path: &Path) -> Result<Value, ContractError> {
    let text = std::fs::read_to_string(path).map_err(|source| ContractError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let is_yaml = matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    );
    if is_yaml {
        yaml_serde::from_str(&text).map_err(|e| ContractError::Parse {
            path: path.to_path_buf(),
            syntax: "YAML",
            message: e.to_string(),
        })
    } else {
        serde_json::from_str(&text).map_err(|e| ContractError::Parse {
            path: path.to_path_buf(),
            syntax: "JSON",
            message: e.to_string(),
        })
    }
}

pub(crate) fn detect_flavor(doc: &Value, path: &Path) -> Result<Flavor, ContractError> {
    let unsupported = |found: String| ContractError::UnsupportedFormat {
        path: path.to_path_buf(),
        found,
    };
    if let Some(version) = doc.get("openapi") {
        return match version.as_str() {
            Some(v) if v.starts_with("3.0") => Ok(Flavor::OpenApi30),
            _ => Err(unsupported(format!("openapi: {version}"))),
        };
    }
    match doc.get("swagger") {
        Some(v) if v.as_str() == Some("2.0") => Ok(Flavor::Swagger20),
        Some(v) => Err(unsupported(format!("swagger: {v}"))),
        None => Err(unsupported(
            "neither an `openapi` nor a `swagger` field".to_string(),
        )),
    }
}

/// Path prefixes the document's paths are served under: Swagger's `basePath`, or the path part
/// of each OpenAPI server URL. Empty and `/` prefixes are dropped.
pub(crate) fn base_paths(doc: &Value) -> Vec<String> {
    let mut bases: Vec<String> = Vec::new();
    if let Some(base) = doc.get("basePath").and_then(Value::as_str) {
        bases.push(base.to_string());
    }
    for url in doc
        .get("servers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|s| s.get("url").and_then(Value::as_str))
    {
        let path = match url.split_once("://") {
            Some((_, rest)) => rest.find('/').map_or("", |i| &rest[i..]),
            None => url,
        };
        bases.push(path.to_string());
    }
    let mut cleaned: Vec<String> = bases
        .iter()
        .map(|b| b.trim_end_matches('/').to_string())
        .filter(|b| b.starts_with('/'))
        .collect();
    cleaned.dedup();
    cleaned
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn detects_vendor_from_title_or_server() {
        assert_eq!(
            Vendor::detect(&json!({"info": {"title": "PagerDuty API"}})),
            Some(Vendor::PagerDuty)
        );
        assert_eq!(
            Vendor::detect(
                &json!({"info": {"title": "x"}, "servers": [{"url": "https://api.github.com"}]})
            ),
            Some(Vendor::GitHub)
        );
        assert_eq!(
            Vendor::detect(&json!({"info": {"title": "Alertmanager API"}})),
            Some(Vendor::Alertmanager)
        );
        assert_eq!(Vendor::detect(&json!({"info": {"title": "Pets"}})), None);
    }

    #[test]
    fn flavor_accepts_only_openapi_30_and_swagger_20() {
        let p = Path::new("x.json");
        assert_eq!(
            detect_flavor(&json!({"openapi": "3.0.3"}), p).ok(),
            Some(Flavor::OpenApi30)
        );
        assert_eq!(
            detect_flavor(&json!({"swagger": "2.0"}), p).ok(),
            Some(Flavor::Swagger20)
        );
        assert!(detect_flavor(&json!({"openapi": "3.1.0"}), p).is_err());
        assert!(detect_flavor(&json!({}), p).is_err());
    }

    #[test]
    fn base_paths_come_from_base_path_and_server_urls() {
        assert_eq!(
            base_paths(&json!({"basePath": "/api/v2/"})),
            vec!["/api/v2"]
        );
        assert_eq!(
            base_paths(
                &json!({"servers": [{"url": "https://events.pagerduty.com/v2"}, {"url": "/api"}, {"url": "https://api.github.com"}]})
            ),
            vec!["/v2", "/api"]
        );
    }
}
