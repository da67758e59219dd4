//! Kubernetes events: `deploy`, `scale`, `k8s_event` and `node`.

use super::super::declared::Declared;
use super::super::error::ErrorKind;
use super::super::event::{
    Deploy, K8sEvent, K8sEventType, NodeChange, NodeState, ObjectRef, Scale,
};
use super::super::fields::Fields;
use super::super::ScenarioError;
use super::person;

pub(super) fn deploy(
    body: &Fields<'_, '_>,
    declared: &Declared<'_>,
) -> Result<Deploy, ScenarioError> {
    body.only(&["service", "image", "reason", "by"])?;
    Ok(Deploy {
        service: workload_service(body, declared)?,
        image: body.string("image")?,
        reason: body.opt_string("reason")?,
        by: person(body, declared, "by")?,
    })
}

pub(super) fn scale(
    body: &Fields<'_, '_>,
    declared: &Declared<'_>,
) -> Result<Scale, ScenarioError> {
    body.only(&["service", "replicas", "by"])?;
    Ok(Scale {
        service: workload_service(body, declared)?,
        replicas: body.u32("replicas")?,
        by: person(body, declared, "by")?,
    })
}

/// A service that runs on Kubernetes, since deploys and scaling act on its Deployment.
fn workload_service(
    body: &Fields<'_, '_>,
    declared: &Declared<'_>,
) -> Result<String, ScenarioError> {
    let service = body.string("service")?;
    let declared_service = declared
        .service(&service)
        .map_err(|kind| body.error("service", kind))?;
    if declared_service.kubernetes.is_none() {
        return Err(body.error("service", ErrorKind::NoKubernetes { service }));
    }
    Ok(service)
}

pub(super) fn k8s_event(
    body: &Fields<'_, '_>,
    declared: &Declared<'_>,
) -> Result<K8sEvent, ScenarioError> {
    body.only(&[
        "context",
        "namespace",
        "object",
        "type",
        "reason",
        "message",
    ])?;
    let context = body.string("context")?;
    declared
        .context(&context)
        .map_err(|kind| body.error("context", kind))?;
    let namespace = body.string("namespace")?;
    let object_text = body.string("object")?;
    let object = match object_text.split_once('/') {
        Some((kind, name)) if !kind.is_empty() && !name.is_empty() && !name.contains('/') => {
            ObjectRef {
                kind: kind.to_owned(),
                name: name.to_owned(),
            }
        }
        _ => {
            return Err(body.error(
                "object",
                ErrorKind::Invalid(format!("\"{object_text}\" is not Kind/name")),
            ))
        }
    };
    Ok(K8sEvent {
        context,
        namespace,
        object,
        event_type: body.word("type", K8sEventType::ALL_NAMES, K8sEventType::from_name)?,
        reason: body.string("reason")?,
        message: body.string("message")?,
    })
}

pub(super) fn node(
    body: &Fields<'_, '_>,
    declared: &Declared<'_>,
) -> Result<NodeChange, ScenarioError> {
    body.only(&["context", "name", "state"])?;
    let context = body.string("context")?;
    declared
        .context(&context)
        .map_err(|kind| body.error("context", kind))?;
    let name = body.string("name")?;
    declared
        .node(&context, &name)
        .map_err(|kind| body.error("name", kind))?;
    Ok(NodeChange {
        context,
        name,
        state: body.word("state", NodeState::ALL_NAMES, NodeState::from_name)?,
    })
}
