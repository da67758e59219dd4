//! The operations of a spec: which body schema (as a JSON pointer into the document) each
//! request and each declared response has. Built once at load; a flaw is recorded on the
//! operation it affects instead of failing the load.

use std::sync::Arc;

use serde_json::Value;

use crate::error::OperationInfo;
use crate::load::Flavor;
use crate::pointer;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// What a request or response carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Body {
    /// No body declared.
    None,
    /// Only non-JSON media types are declared.
    NotJson(Vec<String>),
    /// JSON without a schema: anything goes.
    AnyJson,
    /// JSON described by the schema at this pointer.
    Schema(String),
}

#[derive(Debug)]
pub(crate) struct Operation {
    pub(crate) info: Arc<OperationInfo>,
    pub(crate) request: Result<Body, String>,
    pub(crate) request_required: bool,
    /// Declared response keys (`200`, `4XX`, `default`) in document order.
    pub(crate) responses: Vec<(String, Result<Body, String>)>,
}

impl Operation {
    /// Index into `responses` of the one declared for `status`: exact code, then `NXX`, then
    /// `default`.
    pub(crate) fn response_index(&self, status: u16) -> Option<usize> {
        let exact = status.to_string();
        let range = format!("{}XX", status / 100);
        [exact.as_str(), range.as_str(), "default"]
            .iter()
            .find_map(|key| {
                self.responses
                    .iter()
                    .position(|(declared, _)| declared.eq_ignore_ascii_case(key))
            })
    }

    #[cfg(test)]
    fn response(&self, status: u16) -> Option<&(String, Result<Body, String>)> {
        self.response_index(status).map(|i| &self.responses[i])
    }
}

#[derive(Debug)]
pub(crate) struct PathItem {
    pub(crate) template: String,
    pub(crate) operations: Vec<Operation>,
}

/// Indexes every operation. Navigates values directly and builds pointers only for results:
/// resolving pointers from the root for each lookup is slow on large documents.
pub(crate) fn index(doc: &Value, flavor: Flavor) -> Vec<PathItem> {
    let Some(Value::Object(paths)) = doc.get("paths") else {
        return Vec::new();
    };
    paths
        .iter()
        .map(|(template, item)| {
            let item_at = pointer::join("/paths", template);
            let operations = METHODS
                .iter()
                .filter_map(|method| {
                    let op = item.get(*method).filter(|op| op.is_object())?;
                    let node = Node {
                        value: op,
                        at: pointer::join(&item_at, method),
                    };
                    let item = Node {
                        value: item,
                        at: item_at.clone(),
                    };
                    Some(operation(doc, flavor, template, method, &item, &node))
                })
                .collect();
            PathItem {
                template: template.clone(),
                operations,
            }
        })
        .collect()
}

/// A value of the document and its pointer.
#[derive(Clone)]
struct Node<'a> {
    value: &'a Value,
    at: String,
}

impl<'a> Node<'a> {
    fn child(&self, key: &str) -> Option<Node<'a>> {
        let value = match self.value {
            Value::Array(items) => items.get(key.parse::<usize>().ok()?)?,
            other => other.get(key)?,
        };
        Some(Node {
            value,
            at: pointer::join(&self.at, key),
        })
    }

    /// The members of an object child, in document order.
    fn members(&self, key: &str) -> Vec<(String, Node<'a>)> {
        let Some(Value::Object(map)) = self.value.get(key) else {
            return Vec::new();
        };
        let at = pointer::join(&self.at, key);
        map.iter()
            .map(|(name, value)| {
                let node = Node {
                    value,
                    at: pointer::join(&at, name),
                };
                (name.clone(), node)
            })
            .collect()
    }

    /// The elements of an array child.
    fn elements(&self, key: &str) -> Vec<Node<'a>> {
        let Some(Value::Array(items)) = self.value.get(key) else {
            return Vec::new();
        };
        let at = pointer::join(&self.at, key);
        items
            .iter()
            .enumerate()
            .map(|(i, value)| Node {
                value,
                at: format!("{at}/{i}"),
            })
            .collect()
    }
}

fn operation(
    doc: &Value,
    flavor: Flavor,
    template: &str,
    method: &str,
    item: &Node<'_>,
    op: &Node<'_>,
) -> Operation {
    let info = Arc::new(OperationInfo {
        method: method.to_ascii_uppercase(),
        template: template.to_string(),
        operation_id: op
            .value
            .get("operationId")
            .and_then(Value::as_str)
            .map(str::to_string),
    });
    let (request, request_required) = match flavor {
        Flavor::OpenApi30 => openapi_request(doc, op),
        Flavor::Swagger20 => swagger_request(doc, item, op),
    };
    let responses = op
        .members("responses")
        .into_iter()
        .map(|(key, response)| {
            let body = resolve(doc, response).and_then(|resolved| match flavor {
                Flavor::OpenApi30 => openapi_content(&resolved),
                Flavor::Swagger20 => Ok(swagger_schema(&resolved)),
            });
            (key, body)
        })
        .collect();
    Operation {
        info,
        request,
        request_required,
        responses,
    }
}

/// Follows local `$ref`s (of responses, request bodies, parameters) to the object they name.
fn resolve<'a>(doc: &'a Value, start: Node<'a>) -> Result<Node<'a>, String> {
    let mut node = start;
    // A cycle of `$ref`s would otherwise never end.
    for _ in 0..16 {
        let Some(reference) = node.value.get("$ref").and_then(Value::as_str) else {
            return Ok(node);
        };
        let at = &node.at;
        let target = pointer::local_ref_target(reference)
            .ok_or_else(|| format!("$ref {reference:?} at {at} is not a local reference"))?;
        let value = doc
            .pointer(&target)
            .ok_or_else(|| format!("$ref {reference:?} at {at} points at nothing"))?;
        node = Node { value, at: target };
    }
    Err("$ref chain does not end".to_string())
}

fn openapi_request(doc: &Value, op: &Node<'_>) -> (Result<Body, String>, bool) {
    let Some(body) = op.child("requestBody") else {
        return (Ok(Body::None), false);
    };
    match resolve(doc, body) {
        Ok(resolved) => {
            let required = resolved
                .value
                .get("required")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            (openapi_content(&resolved), required)
        }
        Err(reason) => (Err(reason), false),
    }
}

/// The body of an OpenAPI 3 request body or response object.
fn openapi_content(owner: &Node<'_>) -> Result<Body, String> {
    let Some(content) = owner.child("content") else {
        return Ok(Body::None);
    };
    let media_types: Vec<&String> = match content.value {
        Value::Object(map) if map.is_empty() => return Ok(Body::None),
        Value::Object(map) => map.keys().collect(),
        other => return Err(format!("{} is not an object: {other}", content.at)),
    };
    let Some(json) = pick_json(&media_types) else {
        return Ok(Body::NotJson(media_types.into_iter().cloned().collect()));
    };
    Ok(
        match content.child(json).and_then(|media| media.child("schema")) {
            Some(schema) => Body::Schema(schema.at),
            None => Body::AnyJson,
        },
    )
}

/// `application/json` first, then another JSON media type (`+json`, `/json`, then any
/// mentioning json).
fn pick_json<'a>(media_types: &[&'a String]) -> Option<&'a str> {
    let essence = |m: &str| {
        m.split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase()
    };
    let tests: [&dyn Fn(&str) -> bool; 3] = [
        &|e| e == "application/json",
        &|e| e.ends_with("+json") || e.ends_with("/json"),
        &|e| e.contains("json"),
    ];
    tests.iter().find_map(|test| {
        media_types
            .iter()
            .find(|m| test(&essence(m)))
            .map(|m| m.as_str())
    })
}

fn swagger_schema(response: &Node<'_>) -> Body {
    match response.child("schema") {
        Some(schema) => Body::Schema(schema.at),
        None => Body::None,
    }
}

fn swagger_request(doc: &Value, item: &Node<'_>, op: &Node<'_>) -> (Result<Body, String>, bool) {
    let mut form = false;
    // Operation-level parameters come first so they win over path-level ones.
    for param in op
        .elements("parameters")
        .into_iter()
        .chain(item.elements("parameters"))
    {
        let param = match resolve(doc, param) {
            Ok(resolved) => resolved,
            Err(reason) => return (Err(reason), false),
        };
        match param.value.get("in").and_then(Value::as_str) {
            Some("body") => {
                let required = param
                    .value
                    .get("required")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                let body = match param.child("schema") {
                    Some(schema) => Body::Schema(schema.at),
                    None => Body::AnyJson,
                };
                return (Ok(body), required);
            }
            Some("formData") => form = true,
            _ => {}
        }
    }
    if form {
        let consumes = op
            .value
            .get("consumes")
            .or_else(|| doc.get("consumes"))
            .and_then(Value::as_array)
            .map(|types| {
                types
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_else(|| vec!["application/x-www-form-urlencoded".to_string()]);
        return (Ok(Body::NotJson(consumes)), false);
    }
    (Ok(Body::None), false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn openapi_bodies_follow_refs_and_prefer_application_json() {
        let doc = json!({"paths": {"/a/{id}": {"post": {
            "operationId": "postA",
            "requestBody": {"$ref": "#/components/requestBodies/B"},
            "responses": {
                "200": {"content": {"text/plain": {}, "application/vnd.x+json": {"schema": {}}, "application/json": {"schema": {}}}},
                "204": {"description": "none"},
                "4XX": {"$ref": "#/components/responses/Missing"},
                "default": {"content": {"text/html": {}}}
            }
        }}}, "components": {"requestBodies": {"B": {"required": true, "content": {"application/json": {}}}}}});
        let items = index(&doc, Flavor::OpenApi30);
        let op = &items[0].operations[0];
        assert_eq!(op.info.to_string(), "POST /a/{id} (postA)");
        assert_eq!(op.request, Ok(Body::AnyJson));
        assert!(op.request_required);
        assert_eq!(
            op.response(200).map(|r| &r.1),
            Some(&Ok(Body::Schema(
                "/paths/~1a~1{id}/post/responses/200/content/application~1json/schema".into()
            )))
        );
        assert_eq!(op.response(204).map(|r| &r.1), Some(&Ok(Body::None)));
        let missing = op.response(404).expect("4XX");
        assert_eq!(missing.0, "4XX");
        assert!(missing
            .1
            .as_ref()
            .is_err_and(|e| e.contains("points at nothing")));
        assert_eq!(
            op.response(500).map(|r| &r.1),
            Some(&Ok(Body::NotJson(vec!["text/html".into()])))
        );
    }

    #[test]
    fn swagger_body_parameter_is_the_request_schema() {
        let doc = json!({"paths": {"/alerts": {
            "parameters": [{"$ref": "#/parameters/p"}],
            "post": {"parameters": [{"in": "query", "name": "q"}], "responses": {"200": {"schema": {"type": "object"}}, "400": {}}}
        }}, "parameters": {"p": {"in": "body", "name": "alerts", "required": true, "schema": {}}}});
        let items = index(&doc, Flavor::Swagger20);
        let op = &items[0].operations[0];
        assert_eq!(op.request, Ok(Body::Schema("/parameters/p/schema".into())));
        assert!(op.request_required);
        assert_eq!(
            op.response(200).map(|r| &r.1),
            Some(&Ok(Body::Schema(
                "/paths/~1alerts/post/responses/200/schema".into()
            )))
        );
        assert_eq!(op.response(400).map(|r| &r.1), Some(&Ok(Body::None)));
        assert_eq!(op.response(500), None);
    }

    #[test]
    fn status_matching_is_exact_then_range_then_default() {
        let op = Operation {
            info: Arc::new(OperationInfo {
                method: "GET".into(),
                template: "/".into(),
                operation_id: None,
            }),
            request: Ok(Body::None),
            request_required: false,
            responses: vec![
                ("default".into(), Ok(Body::None)),
                ("5xx".into(), Ok(Body::None)),
                ("503".into(), Ok(Body::None)),
            ],
        };
        let key = |status| op.response(status).map(|r| r.0.as_str());
        assert_eq!(key(503), Some("503"));
        assert_eq!(key(500), Some("5xx"));
        assert_eq!(key(404), Some("default"));
    }
}
