//! [`Spec`]: a loaded, converted document and the cached validators compiled from it.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use jsonschema::error::ValidationErrorKind;
use jsonschema::{Draft, Registry, Validator};
use serde_json::{json, Value};

use crate::convert::{self, Direction};
use crate::error::{ContractError, OperationInfo, SchemaError, Target, Violation};
use crate::load::{self, Flavor, Vendor};
use crate::operations::{self, Body, Operation, PathItem};
use crate::overlay::{self, Patch};
use crate::paths::{self, PathMatcher};
use crate::{formats, pointer};

/// Longest error message kept; `anyOf` failures otherwise print the whole offending value.
const MAX_MESSAGE: usize = 300;

/// A vendor's API description, ready to validate bodies against.
///
/// Cheap to share: validators are compiled on first use per (operation, request/response
/// status) and cached, so keep one `Spec` per file, e.g. in a `static OnceLock<Spec>`.
pub struct Spec {
    title: String,
    vendor: Option<Vendor>,
    flavor: Flavor,
    base_paths: Vec<String>,
    items: Vec<PathItem>,
    matcher: PathMatcher,
    request: View,
    response: View,
    cache: Mutex<HashMap<CacheKey, Slot>>,
}

/// The document as seen from one direction, registered as a JSON Schema resource.
struct View {
    uri: &'static str,
    registry: Registry<'static>,
}

/// (path item, operation, `None` for the request or the index of the declared response).
type CacheKey = (usize, usize, Option<usize>);
type Slot = Arc<OnceLock<Result<Validator, String>>>;

impl Spec {
    /// Loads a spec, recognising its vendor from the document and applying that vendor's
    /// built-in overlay.
    pub fn load(path: &Path) -> Result<Spec, ContractError> {
        Spec::build(path, None, None)
    }

    /// Loads a spec as `vendor`'s, applying that vendor's built-in overlay.
    pub fn load_as(path: &Path, vendor: Vendor) -> Result<Spec, ContractError> {
        Spec::build(path, Some(vendor), None)
    }

    /// Loads a spec with `overlay` instead of the built-in one (extend
    /// [`crate::builtin_overlay`] to add to it).
    pub fn load_with_overlay(
        path: &Path,
        vendor: Option<Vendor>,
        overlay: &[Patch],
    ) -> Result<Spec, ContractError> {
        Spec::build(path, vendor, Some(overlay))
    }

    fn build(
        path: &Path,
        vendor: Option<Vendor>,
        overlay: Option<&[Patch]>,
    ) -> Result<Spec, ContractError> {
        let mut doc = load::read_document(path)?;
        let flavor = load::detect_flavor(&doc, path)?;
        let vendor = vendor.or_else(|| Vendor::detect(&doc));
        let title = doc
            .pointer("/info/title")
            .and_then(Value::as_str)
            .map_or_else(|| path.display().to_string(), str::to_string);
        let builtin;
        let patches = match overlay {
            Some(patches) => patches,
            None => {
                builtin = vendor.map_or_else(Vec::new, |v| overlay::builtin_overlay(v, &title));
                &builtin
            }
        };
        let mut moved = overlay::apply_all(&mut doc, patches)?;
        let converted = convert::to_draft7(&mut doc, flavor);
        moved.extend(converted.moved.iter().cloned());
        pointer::retarget_refs(&mut doc, &moved);
        let items = operations::index(&doc, flavor);
        let matcher = PathMatcher::new(items.iter().map(|item| item.template.as_str()));
        let base_paths = load::base_paths(&doc);
        let (request_doc, response_doc) = if converted.directions_differ() {
            let mut request_doc = doc.clone();
            converted.restrict(&mut request_doc, Direction::Request);
            converted.restrict(&mut doc, Direction::Response);
            (Arc::new(request_doc), Arc::new(doc))
        } else {
            let shared = Arc::new(doc);
            (Arc::clone(&shared), shared)
        };
        Ok(Spec {
            request: View::new("urn:opsdeck:contract:request", request_doc, &title)?,
            response: View::new("urn:opsdeck:contract:response", response_doc, &title)?,
            title,
            vendor,
            flavor,
            base_paths,
            items,
            matcher,
            cache: Mutex::new(HashMap::new()),
        })
    }

    /// `info.title` of the document.
    pub fn title(&self) -> &str {
        &self.title
    }

    pub fn vendor(&self) -> Option<Vendor> {
        self.vendor
    }

    pub fn flavor(&self) -> Flavor {
        self.flavor
    }

    /// Every operation of the spec, in document order.
    pub fn operations(&self) -> impl Iterator<Item = &OperationInfo> {
        self.items
            .iter()
            .flat_map(|item| item.operations.iter().map(|op| &*op.info))
    }

    /// The operation `method` + `path_and_query` is served by, if the spec has one.
    pub fn operation(&self, method: &str, path_and_query: &str) -> Option<OperationInfo> {
        self.locate(method, path_and_query)
            .ok()
            .map(|(i, j)| OperationInfo::clone(&self.items[i].operations[j].info))
    }

    /// Validates a response body. `path_and_query` may carry a query string and the spec's base
    /// path; `status` picks the declared response (exact, then `NXX`, then `default`). An empty
    /// body is `Value::Null`.
    pub fn validate_response(
        &self,
        method: &str,
        path_and_query: &str,
        status: u16,
        body: &Value,
    ) -> Result<(), Violation> {
        let (i, j) = self.locate(method, path_and_query)?;
        let op = &self.items[i].operations[j];
        let Some(index) = op.response_index(status) else {
            return Err(Violation::UndeclaredStatus {
                operation: Arc::clone(&op.info),
                status,
                declared: op.responses.iter().map(|(key, _)| key.clone()).collect(),
            });
        };
        let (declared, declared_body) = &op.responses[index];
        let target = Target::Response {
            status,
            declared: declared.clone(),
        };
        self.check(op, (i, j, Some(index)), declared_body, false, target, body)
    }

    /// Validates a request body. An absent body is `Value::Null`; it passes when the spec
    /// declares no body or an optional one.
    pub fn validate_request(
        &self,
        method: &str,
        path_and_query: &str,
        body: &Value,
    ) -> Result<(), Violation> {
        let (i, j) = self.locate(method, path_and_query)?;
        let op = &self.items[i].operations[j];
        self.check(
            op,
            (i, j, None),
            &op.request,
            op.request_required,
            Target::Request,
            body,
        )
    }

    fn locate(&self, method: &str, path_and_query: &str) -> Result<(usize, usize), Violation> {
        let path = paths::strip_query(path_and_query);
        paths::candidates(path, &self.base_paths)
            .into_iter()
            .find_map(|candidate| {
                let i = self.matcher.find(candidate)?;
                let j = self.items[i]
                    .operations
                    .iter()
                    .position(|op| op.info.method.eq_ignore_ascii_case(method))?;
                Some((i, j))
            })
            .ok_or_else(|| Violation::NoOperation {
                spec: self.title.clone(),
                method: method.to_ascii_uppercase(),
                path: path_and_query.to_string(),
            })
    }

    fn check(
        &self,
        op: &Operation,
        key: CacheKey,
        declared: &Result<Body, String>,
        required: bool,
        target: Target,
        body: &Value,
    ) -> Result<(), Violation> {
        let operation = || Arc::clone(&op.info);
        let schema_ptr = match declared {
            Err(reason) => {
                return Err(Violation::Unusable {
                    operation: operation(),
                    target,
                    reason: reason.clone(),
                })
            }
            Ok(Body::NotJson(media_types)) => {
                return Err(Violation::NotJson {
                    operation: operation(),
                    target,
                    media_types: media_types.clone(),
                })
            }
            Ok(Body::None) if body.is_null() => return Ok(()),
            Ok(Body::None) => {
                return Err(Violation::UnexpectedBody {
                    operation: operation(),
                    target,
                })
            }
            Ok(_) if body.is_null() && target == Target::Request => {
                return match required {
                    true => Err(Violation::MissingBody {
                        operation: operation(),
                        target,
                    }),
                    false => Ok(()),
                };
            }
            Ok(Body::AnyJson) => return Ok(()),
            Ok(Body::Schema(schema_ptr)) => schema_ptr,
        };
        let view = match target {
            Target::Request => &self.request,
            Target::Response { .. } => &self.response,
        };
        let slot = self.slot(key);
        let validator = slot
            .get_or_init(|| view.compile(schema_ptr))
            .as_ref()
            .map_err(|reason| Violation::Unusable {
                operation: operation(),
                target: target.clone(),
                reason: reason.clone(),
            })?;
        let errors: Vec<SchemaError> = validator.iter_errors(body).map(schema_error).collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Violation::Invalid {
                operation: operation(),
                target,
                errors,
            })
        }
    }

    fn slot(&self, key: CacheKey) -> Slot {
        // A panic elsewhere while holding the lock leaves the map itself intact.
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(cache.entry(key).or_default())
    }
}

impl View {
    fn new(uri: &'static str, doc: Arc<Value>, title: &str) -> Result<View, ContractError> {
        let registry = Registry::new()
            // Without this the document (which has no `$schema`) would be read as 2020-12.
            .draft(Draft::Draft7)
            .add(uri, doc)
            .and_then(|builder| builder.prepare())
            .map_err(|e| ContractError::Registry {
                title: title.to_string(),
                message: e.to_string(),
            })?;
        Ok(View { uri, registry })
    }

    fn compile(&self, schema_ptr: &str) -> Result<Validator, String> {
        let root = json!({"$ref": format!("{}#{}", self.uri, pointer::to_fragment(schema_ptr))});
        jsonschema::options()
            .with_draft(Draft::Draft7)
            .with_registry(&self.registry)
            .should_validate_formats(true)
            .with_format("partial-time", formats::is_partial_time)
            .build(&root)
            .map_err(|e| format!("schema at {schema_ptr} does not compile: {e}"))
    }
}

fn schema_error(error: jsonschema::ValidationError<'_>) -> SchemaError {
    describe(&error, true)
}

/// Branch errors shown per `anyOf` / `oneOf` branch.
const MAX_BRANCH_ERRORS: usize = 3;
/// Longest rendering of the offending value at the start of a message.
const MAX_INSTANCE: usize = 80;

fn describe(error: &jsonschema::ValidationError<'_>, with_branches: bool) -> SchemaError {
    // The absolute location names the keyword inside the document (through `$ref`s), which
    // says far more than the path relative to the one-line root schema.
    let schema_path = error
        .absolute_keyword_location()
        .and_then(|uri| uri.fragment())
        .and_then(|fragment| pointer::local_ref_target(&format!("#{}", fragment.as_str())))
        .unwrap_or_else(|| error.schema_path().to_string());
    let branches = match error.kind() {
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context }
            if with_branches =>
        {
            context
                .iter()
                .map(|errors| {
                    errors
                        .iter()
                        .take(MAX_BRANCH_ERRORS)
                        .map(|e| describe(e, false))
                        .collect()
                })
                .collect()
        }
        _ => Vec::new(),
    };
    SchemaError {
        instance_path: error.instance_path().to_string(),
        schema_path,
        message: message(error),
        branches,
    }
}

/// The error's message with a long offending value (which jsonschema puts first) shortened.
fn message(error: &jsonschema::ValidationError<'_>) -> String {
    let full = error.to_string();
    let instance = error.instance().to_string();
    let mut message = match full.strip_prefix(instance.as_str()) {
        Some(rest) if instance.len() > MAX_INSTANCE => {
            format!("{}{rest}", truncate(&instance, MAX_INSTANCE))
        }
        _ => full,
    };
    if message.chars().count() > MAX_MESSAGE {
        message = truncate(&message, MAX_MESSAGE);
    }
    message
}

fn truncate(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn spec_can_live_in_a_static() {
        assert_send_sync::<Spec>();
    }
}
