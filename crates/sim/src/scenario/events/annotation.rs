//! `annotation` events: Grafana annotations.

use super::super::declared::Declared;
use super::super::event::Annotation;
use super::super::fields::Fields;
use super::super::ScenarioError;

pub(super) fn parse(
    body: &Fields<'_, '_>,
    declared: &Declared<'_>,
) -> Result<Annotation, ScenarioError> {
    body.only(&["text", "tags", "service"])?;
    let text = body.string("text")?;
    let tags = body.strings("tags")?;
    let service = body.opt_string("service")?;
    if let Some(service) = &service {
        declared
            .service(service)
            .map_err(|kind| body.error("service", kind))?;
    }
    Ok(Annotation {
        text,
        tags,
        service,
    })
}
