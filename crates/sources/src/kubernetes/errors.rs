//! kube-rs errors as opsdeck's [`SourceError`]: what failed, where, and what to fix, without
//! the kubeconfig's credentials (kube never puts them in its errors; the cluster URL is
//! enough to tell which context failed).

use kube::runtime::watcher;
use kube::Error as KubeError;

use crate::SourceError;

pub const VENDOR: &str = "Kubernetes";

/// The innermost cause of an error chain, which for a connection failure is the one that says
/// what happened ("Connection refused").
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut cause = e.source();
    while let Some(c) = cause {
        let text = c.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        cause = c.source();
    }
    parts.join(": ")
}

pub fn from_kube(url: &str, path: &str, e: &KubeError) -> SourceError {
    match e {
        KubeError::Api(status) => match status.code {
            401 => SourceError::Unauthorized {
                vendor: VENDOR,
                path: path.to_string(),
                hint: "the kubeconfig's credentials for this context were refused".into(),
            },
            403 => SourceError::Forbidden {
                vendor: VENDOR,
                path: path.to_string(),
                message: status.message.clone(),
            },
            404 => SourceError::NotFound {
                vendor: VENDOR,
                path: path.to_string(),
                message: status.message.clone(),
            },
            400 | 409 | 422 => SourceError::Rejected {
                vendor: VENDOR,
                path: path.to_string(),
                status: status.code,
                message: status.message.clone(),
            },
            code => SourceError::Status {
                vendor: VENDOR,
                path: path.to_string(),
                status: code,
                message: format!("{} ({})", status.message, status.reason),
            },
        },
        KubeError::SerdeError(_)
        | KubeError::FromUtf8(_)
        | KubeError::LinesCodecMaxLineLengthExceeded => SourceError::Decode {
            vendor: VENDOR,
            path: path.to_string(),
            detail: chain(e),
        },
        _ => SourceError::Connect {
            vendor: VENDOR,
            url: url.to_string(),
            message: chain(e),
        },
    }
}

pub fn from_watcher(url: &str, path: &str, e: &watcher::Error) -> SourceError {
    match e {
        watcher::Error::InitialListFailed(k)
        | watcher::Error::WatchStartFailed(k)
        | watcher::Error::WatchFailed(k) => from_kube(url, path, k),
        watcher::Error::WatchError(status) => from_kube(url, path, &KubeError::Api(status.clone())),
        watcher::Error::NoResourceVersion => SourceError::Decode {
            vendor: VENDOR,
            path: path.to_string(),
            detail: "a list came without metadata.resourceVersion, so it cannot be watched".into(),
        },
    }
}
