//! Turns the schemas of an OpenAPI 3.0 / Swagger 2.0 document into draft 7 JSON Schema, in place.
//!
//! Every schema keeps its JSON pointer, so validators can be compiled from
//! `{"$ref": "<doc>#<pointer of an operation's schema>"}` and overlay pointers (applied before
//! conversion) mean the vendor's own file.

use serde_json::{json, Map, Value};

use crate::load::Flavor;
use crate::pointer;

/// Which side of an exchange a view of the document validates. OpenAPI lets a property be
/// `required` and `readOnly` at once, meaning "required in responses only" (and the converse for
/// `writeOnly`), which one draft 7 document cannot express; each direction gets its own copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Direction {
    Request,
    Response,
}

/// What converting a document found out that later steps need.
#[derive(Debug, Default)]
pub(crate) struct Converted {
    /// (old, new) pointers of branch lists renamed from `oneOf` to `anyOf`, for the `$ref`s
    /// into them.
    pub(crate) moved: Vec<(String, String)>,
    /// Schemas (by pointer) with `required` properties that are `readOnly`, and those names.
    read_only_required: Vec<(String, Vec<String>)>,
    /// Likewise for `writeOnly`.
    write_only_required: Vec<(String, Vec<String>)>,
}

impl Converted {
    /// Whether the two directions see different documents.
    pub(crate) fn directions_differ(&self) -> bool {
        !self.read_only_required.is_empty() || !self.write_only_required.is_empty()
    }

    /// Drops from `required` the properties `direction` never carries: `readOnly` ones in
    /// requests, `writeOnly` ones in responses.
    pub(crate) fn restrict(&self, doc: &mut Value, direction: Direction) {
        let absent = match direction {
            Direction::Request => &self.read_only_required,
            Direction::Response => &self.write_only_required,
        };
        for (at, names) in absent {
            if let Some(Value::Array(required)) = doc.pointer_mut(&format!("{at}/required")) {
                required
                    .retain(|name| !name.as_str().is_some_and(|n| names.iter().any(|x| x == n)));
            }
        }
    }
}

/// Converts every schema of `doc` to draft 7.
pub(crate) fn to_draft7(doc: &mut Value, flavor: Flavor) -> Converted {
    let mut converted = Converted::default();
    for root in schema_roots(doc, flavor) {
        if let Some(schema) = doc.pointer_mut(&root) {
            let mut path = root;
            convert_schema(schema, flavor, &mut path, &mut converted);
        }
    }
    converted
}

/// Pointers of the schemas that hang off the document's structure (components, definitions,
/// parameters, bodies, responses, headers). Nested schemas are reached from these.
///
/// Walks values directly: resolving thousands of pointers from the root costs hundreds of
/// milliseconds on a 2.7 MB document in a debug build.
fn schema_roots(doc: &Value, flavor: Flavor) -> Vec<String> {
    let mut roots = Vec::new();
    let components = doc.get("components");
    match flavor {
        Flavor::OpenApi30 => {
            for (at, _) in members(components, "/components", "schemas") {
                roots.push(at);
            }
            for (at, parameter) in members(components, "/components", "parameters") {
                parameter_roots(parameter, &at, &mut roots);
            }
            for (at, header) in members(components, "/components", "headers") {
                schema_root(header, &at, &mut roots);
            }
            for (at, body) in members(components, "/components", "requestBodies") {
                content_roots(body, &at, &mut roots);
            }
            for (at, response) in members(components, "/components", "responses") {
                response_roots(response, &at, &mut roots);
            }
        }
        Flavor::Swagger20 => {
            for (at, _) in members(Some(doc), "", "definitions") {
                roots.push(at);
            }
            for (at, parameter) in members(Some(doc), "", "parameters") {
                schema_root(parameter, &at, &mut roots);
            }
            for (at, response) in members(Some(doc), "", "responses") {
                schema_root(response, &at, &mut roots);
            }
        }
    }
    for (item_at, item) in members(Some(doc), "", "paths") {
        let Some(item) = item.as_object() else {
            continue;
        };
        for (key, member) in item {
            let member_at = pointer::join(&item_at, key);
            if key == "parameters" {
                list_roots(Some(member), &member_at, &mut roots);
                continue;
            }
            list_roots(
                member.get("parameters"),
                &format!("{member_at}/parameters"),
                &mut roots,
            );
            if let Some(body) = member.get("requestBody") {
                content_roots(body, &format!("{member_at}/requestBody"), &mut roots);
            }
            for (at, response) in members(Some(member), &member_at, "responses") {
                response_roots(response, &at, &mut roots);
            }
        }
    }
    roots
}

/// (pointer, value) of each member of the object `parent[key]`; `parent_at` is `parent`'s pointer.
fn members<'a>(parent: Option<&'a Value>, parent_at: &str, key: &str) -> Vec<(String, &'a Value)> {
    let at = format!("{parent_at}/{key}");
    match parent.and_then(|p| p.get(key)) {
        Some(Value::Object(map)) => map
            .iter()
            .map(|(name, value)| (pointer::join(&at, name), value))
            .collect(),
        _ => Vec::new(),
    }
}

fn schema_root(owner: &Value, at: &str, roots: &mut Vec<String>) {
    if owner.get("schema").is_some_and(Value::is_object) {
        roots.push(format!("{at}/schema"));
    }
}

fn content_roots(owner: &Value, at: &str, roots: &mut Vec<String>) {
    for (media_at, media) in members(Some(owner), at, "content") {
        schema_root(media, &media_at, roots);
    }
}

fn parameter_roots(parameter: &Value, at: &str, roots: &mut Vec<String>) {
    schema_root(parameter, at, roots);
    content_roots(parameter, at, roots);
}

fn response_roots(response: &Value, at: &str, roots: &mut Vec<String>) {
    schema_root(response, at, roots);
    content_roots(response, at, roots);
    for (header_at, header) in members(Some(response), at, "headers") {
        schema_root(header, &header_at, roots);
    }
}

fn list_roots(list: Option<&Value>, at: &str, roots: &mut Vec<String>) {
    for (i, parameter) in list
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        parameter_roots(parameter, &format!("{at}/{i}"), roots);
    }
}

/// Calls `f` on every direct subschema of a schema object, with `path` extended to point at it
/// (one buffer for the whole walk: a 2.7 MB document has tens of thousands of schemas).
fn for_each_subschema(
    obj: &mut Map<String, Value>,
    path: &mut String,
    f: &mut impl FnMut(&mut Value, &mut String),
) {
    let len = path.len();
    let mut visit = |path: &mut String, schema: &mut Value, key: &str, token: Option<&str>| {
        path.push('/');
        path.push_str(key);
        if let Some(token) = token {
            path.push('/');
            if token.contains(['~', '/']) {
                path.push_str(&pointer::escape(token));
            } else {
                path.push_str(token);
            }
        }
        f(schema, path);
        path.truncate(len);
    };
    for key in ["properties", "patternProperties"] {
        if let Some(Value::Object(map)) = obj.get_mut(key) {
            for (name, schema) in map.iter_mut() {
                visit(path, schema, key, Some(name));
            }
        }
    }
    for key in ["items", "additionalProperties", "not"] {
        match obj.get_mut(key) {
            Some(schema @ Value::Object(_)) => visit(path, schema, key, None),
            Some(Value::Array(list)) if key == "items" => {
                for (i, schema) in list.iter_mut().enumerate() {
                    visit(path, schema, key, Some(&i.to_string()));
                }
            }
            _ => {}
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(list)) = obj.get_mut(key) {
            for (i, schema) in list.iter_mut().enumerate() {
                visit(path, schema, key, Some(&i.to_string()));
            }
        }
    }
}

/// `path` is the schema's pointer.
fn convert_schema(schema: &mut Value, flavor: Flavor, path: &mut String, out: &mut Converted) {
    let Some(obj) = schema.as_object_mut() else {
        return;
    };
    for_each_subschema(obj, path, &mut |sub, path| {
        convert_schema(sub, flavor, path, out)
    });
    if flavor == Flavor::Swagger20 {
        if let Some(flag) = obj.remove("x-nullable") {
            obj.insert("nullable".into(), flag);
        }
        // A file upload has no JSON type; leaving `type: file` would make the schema invalid.
        if obj.get("type").and_then(Value::as_str) == Some("file") {
            obj.remove("type");
        }
    }
    convert_exclusive_bound(obj, "exclusiveMinimum", "minimum");
    convert_exclusive_bound(obj, "exclusiveMaximum", "maximum");
    if apply_discriminator(obj) {
        out.moved
            .push((format!("{path}/oneOf"), format!("{path}/anyOf")));
    }
    for (flag, list) in [
        ("readOnly", &mut out.read_only_required),
        ("writeOnly", &mut out.write_only_required),
    ] {
        let names = required_flagged(obj, flag);
        if !names.is_empty() {
            list.push((path.clone(), names));
        }
    }
    let nullable = obj.remove("nullable") == Some(Value::Bool(true));
    if nullable {
        make_nullable(schema);
    }
}

/// Names in `required` whose property schema carries `flag: true`.
fn required_flagged(obj: &Map<String, Value>, flag: &str) -> Vec<String> {
    let (Some(Value::Object(properties)), Some(Value::Array(required))) =
        (obj.get("properties"), obj.get("required"))
    else {
        return Vec::new();
    };
    required
        .iter()
        .filter_map(Value::as_str)
        .filter(|name| {
            properties
                .get(*name)
                .is_some_and(|p| p.get(flag) == Some(&Value::Bool(true)))
        })
        .map(str::to_string)
        .collect()
}

/// Draft 4 / OpenAPI 3.0 write `exclusiveMinimum: true` beside `minimum`; draft 7 wants the
/// bound itself in `exclusiveMinimum`.
fn convert_exclusive_bound(obj: &mut Map<String, Value>, exclusive: &str, bound: &str) {
    match obj.get(exclusive) {
        Some(Value::Bool(true)) => match obj.remove(bound) {
            Some(limit) => {
                obj.insert(exclusive.into(), limit);
            }
            None => {
                obj.remove(exclusive);
            }
        },
        Some(Value::Bool(false)) => {
            obj.remove(exclusive);
        }
        _ => {}
    }
}

/// With a discriminator, the property value picks the branch, so branches may overlap and
/// "exactly one" (`oneOf`) is the wrong test: it becomes `anyOf`, and each explicit mapping
/// entry adds "if the property has this value, the mapped schema must hold" to `allOf`
/// (appended, so existing `allOf` pointers stay valid). Returns whether `oneOf` was renamed.
fn apply_discriminator(obj: &mut Map<String, Value>) -> bool {
    let Some(discriminator) = obj.get("discriminator") else {
        return false;
    };
    let Some(property) = discriminator.get("propertyName").and_then(Value::as_str) else {
        return false;
    };
    if !obj.contains_key("oneOf") || obj.contains_key("anyOf") {
        return false;
    }
    let checks: Vec<Value> = discriminator
        .get("mapping")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(value, target)| {
            let target = target.as_str()?;
            Some(json!({
                "if": {"properties": {property: {"const": value}}, "required": [property]},
                "then": {"$ref": target},
            }))
        })
        .collect();
    if let Some(branches) = obj.remove("oneOf") {
        obj.insert("anyOf".into(), branches);
    }
    match obj.get_mut("allOf") {
        _ if checks.is_empty() => {}
        Some(Value::Array(all)) => all.extend(checks),
        _ => {
            obj.insert("allOf".into(), Value::Array(checks));
        }
    }
    true
}

/// Lets `null` through a schema whose other constraints stay as they are.
fn make_nullable(schema: &mut Value) {
    let Some(obj) = schema.as_object_mut() else {
        return;
    };
    if let Some(reference) = obj.remove("$ref") {
        // Beside `$ref` every other keyword is ignored (OpenAPI 3.0 and draft 7 alike), so only
        // annotations move to the wrapper.
        let mut wrapper = Map::new();
        for key in [
            "title",
            "description",
            "readOnly",
            "writeOnly",
            "deprecated",
        ] {
            if let Some(value) = obj.remove(key) {
                wrapper.insert(key.into(), value);
            }
        }
        wrapper.insert(
            "anyOf".into(),
            json!([{"type": "null"}, {"$ref": reference}]),
        );
        *schema = Value::Object(wrapper);
        return;
    }
    match obj.get_mut("type") {
        Some(Value::String(single)) => {
            let single = std::mem::take(single);
            obj.insert("type".into(), json!([single, "null"]));
        }
        Some(Value::Array(types)) if !types.contains(&json!("null")) => types.push(json!("null")),
        _ => {}
    }
    if let Some(Value::Array(values)) = obj.get_mut("enum") {
        if !values.contains(&Value::Null) {
            values.push(Value::Null);
        }
    }
    // null must pass every allOf branch; making each branch nullable keeps non-null semantics.
    if let Some(Value::Array(branches)) = obj.get_mut("allOf") {
        branches.iter_mut().for_each(make_nullable);
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(branches)) = obj.get_mut(key) {
            let null = json!({"type": "null"});
            if !branches.contains(&null) {
                branches.push(null);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn converted(schema: Value) -> Value {
        let mut doc = json!({"openapi": "3.0.3", "components": {"schemas": {"S": schema}}});
        let converted = to_draft7(&mut doc, Flavor::OpenApi30);
        pointer::retarget_refs(&mut doc, &converted.moved);
        doc["components"]["schemas"]["S"].take()
    }

    #[test]
    fn nullable_type_gains_null_and_enum_gains_null() {
        assert_eq!(
            converted(json!({"type": "string", "enum": ["a"], "nullable": true})),
            json!({"type": ["string", "null"], "enum": ["a", null]})
        );
    }

    #[test]
    fn nullable_beside_ref_wraps_the_ref() {
        assert_eq!(
            converted(
                json!({"$ref": "#/components/schemas/T", "nullable": true, "description": "d"})
            ),
            json!({"description": "d", "anyOf": [{"type": "null"}, {"$ref": "#/components/schemas/T"}]})
        );
    }

    #[test]
    fn nullable_beside_all_of_makes_each_branch_nullable() {
        assert_eq!(
            converted(json!({"allOf": [{"$ref": "#/x"}, {"type": "object"}], "nullable": true})),
            json!({"allOf": [{"anyOf": [{"type": "null"}, {"$ref": "#/x"}]}, {"type": ["object", "null"]}]})
        );
    }

    #[test]
    fn nested_schemas_are_converted() {
        assert_eq!(
            converted(json!({"properties": {"a": {"type": "integer", "nullable": true}}})),
            json!({"properties": {"a": {"type": ["integer", "null"]}}})
        );
    }

    #[test]
    fn boolean_exclusive_bounds_become_numbers() {
        assert_eq!(
            converted(
                json!({"minimum": 0, "exclusiveMinimum": true, "maximum": 9, "exclusiveMaximum": false})
            ),
            json!({"exclusiveMinimum": 0, "maximum": 9})
        );
    }

    #[test]
    fn discriminated_one_of_becomes_any_of_with_mapping_checks() {
        let schema = converted(json!({
            "oneOf": [{"$ref": "#/a"}, {"$ref": "#/b"}],
            "discriminator": {"propertyName": "kind", "mapping": {"a": "#/a"}}
        }));
        assert_eq!(schema["anyOf"], json!([{"$ref": "#/a"}, {"$ref": "#/b"}]));
        assert_eq!(schema.get("oneOf"), None);
        assert_eq!(
            schema["allOf"],
            json!([{"if": {"properties": {"kind": {"const": "a"}}, "required": ["kind"]}, "then": {"$ref": "#/a"}}])
        );
    }

    #[test]
    fn refs_into_a_renamed_one_of_follow_it() {
        let mut doc = json!({"openapi": "3.0.3", "components": {"schemas": {
            "S": {"oneOf": [{"type": "string"}], "discriminator": {"propertyName": "k"}},
            "T": {"$ref": "#/components/schemas/S/oneOf/0"}
        }}});
        let converted = to_draft7(&mut doc, Flavor::OpenApi30);
        pointer::retarget_refs(&mut doc, &converted.moved);
        assert_eq!(
            doc["components"]["schemas"]["T"],
            json!({"$ref": "#/components/schemas/S/anyOf/0"})
        );
    }

    #[test]
    fn swagger_x_nullable_and_file_type_are_converted() {
        let mut doc = json!({"swagger": "2.0", "definitions": {
            "S": {"type": "string", "x-nullable": true},
            "F": {"type": "file"}
        }});
        to_draft7(&mut doc, Flavor::Swagger20);
        assert_eq!(doc["definitions"]["S"], json!({"type": ["string", "null"]}));
        assert_eq!(doc["definitions"]["F"], json!({}));
    }

    #[test]
    fn operation_schemas_are_converted_too() {
        let mut doc = json!({"openapi": "3.0.3", "paths": {"/a": {"get": {"responses": {"200": {
            "content": {"application/json": {"schema": {"type": "string", "nullable": true}}}
        }}}}}});
        to_draft7(&mut doc, Flavor::OpenApi30);
        assert_eq!(
            doc.pointer("/paths/~1a/get/responses/200/content/application~1json/schema"),
            Some(&json!({"type": ["string", "null"]}))
        );
    }

    #[test]
    fn direction_drops_read_only_from_requests_and_write_only_from_responses() {
        let schema = json!({
            "properties": {"id": {"readOnly": true}, "secret": {"writeOnly": true}, "name": {}},
            "required": ["id", "secret", "name"]
        });
        let mut doc = json!({"openapi": "3.0.3", "components": {"schemas": {"S": {"properties": {"inner": schema}}}}});
        let converted = to_draft7(&mut doc, Flavor::OpenApi30);
        assert!(converted.directions_differ());
        let mut request = doc.clone();
        converted.restrict(&mut request, Direction::Request);
        assert_eq!(
            request["components"]["schemas"]["S"]["properties"]["inner"]["required"],
            json!(["secret", "name"])
        );
        let mut response = doc;
        converted.restrict(&mut response, Direction::Response);
        assert_eq!(
            response["components"]["schemas"]["S"]["properties"]["inner"]["required"],
            json!(["id", "name"])
        );
    }
}
