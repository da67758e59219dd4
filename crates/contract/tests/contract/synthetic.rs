//! Small hand-written specs for behaviour the vendor files do not pin down cleanly.

use std::io::Write;

use opsdeck_contract::{ContractError, Spec, Violation};
use serde_json::{json, Value};

fn spec_from(doc: &Value, extension: &str) -> Result<Spec, ContractError> {
    let mut file = tempfile::Builder::new()
        .suffix(extension)
        .tempfile()
        .expect("temp file");
    let text = match extension {
        ".yaml" => yaml_text(doc),
        _ => doc.to_string(),
    };
    file.write_all(text.as_bytes()).expect("write spec");
    Spec::load(file.path())
}

/// JSON is valid YAML 1.2, which is enough to exercise the YAML path.
fn yaml_text(doc: &Value) -> String {
    format!("# a YAML spec\n{doc}\n")
}

fn notes_api() -> Value {
    json!({
        "openapi": "3.0.3",
        "info": {"title": "Notes", "version": "1"},
        "servers": [{"url": "https://notes.example/v1"}],
        "paths": {"/notes/{id}": {
            "put": {
                "operationId": "putNote",
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Note"}}}},
                "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Note"}}}}}
            }
        }},
        "components": {"schemas": {"Note": {
            "type": "object",
            "required": ["id", "text", "secret"],
            "properties": {
                "id": {"type": "string", "readOnly": true},
                "text": {"type": "string"},
                "secret": {"type": "string", "writeOnly": true},
                "parent": {"allOf": [{"$ref": "#/components/schemas/Ref"}], "nullable": true}
            }
        }, "Ref": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}}}
    })
}

#[test]
fn read_only_and_write_only_required_apply_per_direction() {
    let spec = spec_from(&notes_api(), ".json").unwrap_or_else(|e| panic!("{e}"));
    let path = "/v1/notes/n1";
    assert_eq!(
        spec.validate_request("PUT", path, &json!({"text": "t", "secret": "s"})),
        Ok(())
    );
    let request = spec
        .validate_request("PUT", path, &json!({"text": "t"}))
        .expect_err("writeOnly secret is required in requests");
    assert!(
        request
            .to_string()
            .contains("\"secret\" is a required property"),
        "{request}"
    );
    assert_eq!(
        spec.validate_response("PUT", path, 200, &json!({"id": "n1", "text": "t"})),
        Ok(())
    );
    let response = spec
        .validate_response("PUT", path, 200, &json!({"text": "t"}))
        .expect_err("readOnly id is required in responses");
    assert!(
        response
            .to_string()
            .contains("\"id\" is a required property"),
        "{response}"
    );
}

#[test]
fn nullable_beside_all_of_admits_null_but_keeps_the_shape() {
    let spec = spec_from(&notes_api(), ".yaml").unwrap_or_else(|e| panic!("{e}"));
    let note = |parent: Value| json!({"id": "n1", "text": "t", "parent": parent});
    assert_eq!(
        spec.validate_response("PUT", "/notes/n1", 200, &note(Value::Null)),
        Ok(())
    );
    assert_eq!(
        spec.validate_response("PUT", "/notes/n1", 200, &note(json!({"id": "n0"}))),
        Ok(())
    );
    let violation = spec
        .validate_response("PUT", "/notes/n1", 200, &note(json!({})))
        .expect_err("a non-null parent still needs its id");
    assert!(violation.to_string().contains("/parent"), "{violation}");
}

#[test]
fn a_missing_required_request_body_is_reported() {
    let spec = spec_from(&notes_api(), ".json").unwrap_or_else(|e| panic!("{e}"));
    let violation = spec
        .validate_request("PUT", "/notes/n1", &Value::Null)
        .expect_err("the body is required");
    assert!(
        matches!(violation, Violation::MissingBody { .. }),
        "{violation}"
    );
}

#[test]
fn an_uncompilable_schema_fails_only_its_operation() {
    let mut doc = notes_api();
    doc["paths"]["/broken"] = json!({"get": {"operationId": "broken", "responses": {"200": {
        "content": {"application/json": {"schema": {"type": "strin"}}}
    }}}});
    let spec = spec_from(&doc, ".json").unwrap_or_else(|e| panic!("{e}"));
    let violation = spec
        .validate_response("GET", "/broken", 200, &json!("x"))
        .expect_err("an invalid schema cannot validate");
    assert!(
        matches!(violation, Violation::Unusable { .. }),
        "{violation}"
    );
    assert!(
        violation
            .to_string()
            .starts_with("GET /broken (broken) response 200: cannot validate"),
        "{violation}"
    );
    assert_eq!(
        spec.validate_response("PUT", "/notes/n1", 200, &json!({"id": "n1", "text": "t"})),
        Ok(())
    );
}

#[test]
fn unsupported_documents_are_refused() {
    let error = spec_from(&json!({"openapi": "3.1.0", "paths": {}}), ".json")
        .err()
        .expect("3.1 is not supported");
    assert!(
        matches!(error, ContractError::UnsupportedFormat { .. }),
        "{error}"
    );
}
