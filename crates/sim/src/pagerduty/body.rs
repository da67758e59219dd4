//! Request bodies the way PagerDuty reads them: JSON (`Content-Type: application/json`), an
//! object at the top, and every refusal naming the field by its path (`incident.status`), so a
//! client's mistake reads like the API's own "Invalid Input Provided" details. Members this
//! simulator does not read are ignored, as PagerDuty ignores members it does not know.

use axum::http::{header, HeaderMap};
use serde_json::{Map, Value};

use super::error::ApiError;

/// The body's top-level object, after checking that there is a body and that it is JSON.
pub(crate) fn parse(headers: &HeaderMap, bytes: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::invalid(
            "request body: required, a JSON object (Content-Type: application/json)",
        ));
    }
    content_type(headers)?;
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| ApiError::invalid(format!("request body: not valid JSON ({e})")))?;
    match value {
        Value::Object(map) => Ok(map),
        other => Err(ApiError::invalid(format!(
            "request body: must be a JSON object, got {}",
            kind(&other)
        ))),
    }
}

/// `application/json` or PagerDuty's own `application/vnd.pagerduty+json`, any parameters.
fn content_type(headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return Err(ApiError::invalid(
            "Content-Type: required with a body; send application/json",
        ));
    };
    let text = String::from_utf8_lossy(value.as_bytes());
    let media = text
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match media.as_str() {
        "application/json" | "application/vnd.pagerduty+json" => Ok(()),
        _ => Err(ApiError::invalid(format!(
            "Content-Type: {text:?} is not supported; send application/json"
        ))),
    }
}

/// A JSON object and the path it was found at.
#[derive(Debug, Clone)]
pub(crate) struct Object<'a> {
    path: String,
    map: &'a Map<String, Value>,
}

impl<'a> Object<'a> {
    pub(crate) fn root(map: &'a Map<String, Value>) -> Object<'a> {
        Object {
            path: String::new(),
            map,
        }
    }

    /// The path of member `key`, such as `incident.status`.
    pub(crate) fn path_of(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// A refusal of member `key`: "`path`: `detail`".
    pub(crate) fn invalid(&self, key: &str, detail: impl std::fmt::Display) -> ApiError {
        ApiError::invalid(format!("{}: {detail}", self.path_of(key)))
    }

    /// A refusal of the object itself.
    pub(crate) fn invalid_here(&self, detail: impl std::fmt::Display) -> ApiError {
        let path = if self.path.is_empty() {
            "request body"
        } else {
            &self.path
        };
        ApiError::invalid(format!("{path}: {detail}"))
    }

    /// A member that is present and not `null` (PagerDuty reads `null` as absent).
    fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    fn wrong_type(&self, key: &str, expected: &str, got: &Value) -> ApiError {
        self.invalid(key, format!("must be {expected}, got {}", kind(got)))
    }

    fn required<T>(&self, key: &str, value: Option<T>) -> Result<T, ApiError> {
        value.ok_or_else(|| self.invalid(key, "required"))
    }

    pub(crate) fn object(&self, key: &str) -> Result<Option<Object<'a>>, ApiError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Object(map)) => Ok(Some(Object {
                path: self.path_of(key),
                map,
            })),
            Some(other) => Err(self.wrong_type(key, "an object", other)),
        }
    }

    pub(crate) fn required_object(&self, key: &str) -> Result<Object<'a>, ApiError> {
        let object = self.object(key)?;
        self.required(key, object)
    }

    pub(crate) fn string(&self, key: &str) -> Result<Option<&'a str>, ApiError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text)),
            Some(other) => Err(self.wrong_type(key, "a string", other)),
        }
    }

    pub(crate) fn required_string(&self, key: &str) -> Result<&'a str, ApiError> {
        let text = self.string(key)?;
        self.required(key, text)
    }

    /// A JSON integer (`3600`, not `3600.5` or `"3600"`).
    pub(crate) fn integer(&self, key: &str) -> Result<Option<i64>, ApiError> {
        match self.get(key) {
            None => Ok(None),
            Some(value @ Value::Number(n)) => n
                .as_i64()
                .map(Some)
                .ok_or_else(|| self.wrong_type(key, "an integer", value)),
            Some(other) => Err(self.wrong_type(key, "an integer", other)),
        }
    }

    pub(crate) fn required_integer(&self, key: &str) -> Result<i64, ApiError> {
        let n = self.integer(key)?;
        self.required(key, n)
    }

    /// An array of objects, each with its path (`incident.assignments[0]`).
    pub(crate) fn objects(&self, key: &str) -> Result<Option<Vec<Object<'a>>>, ApiError> {
        let items = match self.get(key) {
            None => return Ok(None),
            Some(Value::Array(items)) => items,
            Some(other) => return Err(self.wrong_type(key, "an array", other)),
        };
        items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let path = format!("{}[{i}]", self.path_of(key));
                match item {
                    Value::Object(map) => Ok(Object { path, map }),
                    other => Err(ApiError::invalid(format!(
                        "{path}: must be an object, got {}",
                        kind(other)
                    ))),
                }
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    /// A string that must be one of `allowed`.
    pub(crate) fn required_one_of(&self, key: &str, allowed: &[&str]) -> Result<&'a str, ApiError> {
        let text = self.required_string(key)?;
        if allowed.contains(&text) {
            Ok(text)
        } else {
            Err(self.unknown(key, text, allowed))
        }
    }

    fn unknown(&self, key: &str, text: &str, allowed: &[&str]) -> ApiError {
        self.invalid(
            key,
            format!(
                "unknown value {text:?}, expected one of {}",
                allowed.join(", ")
            ),
        )
    }

    /// A string out of `allowed`, read by `from_name`.
    pub(crate) fn word<T>(
        &self,
        key: &str,
        allowed: &[&str],
        from_name: impl Fn(&str) -> Option<T>,
    ) -> Result<Option<T>, ApiError> {
        self.string(key)?
            .map(|text| from_name(text).ok_or_else(|| self.unknown(key, text, allowed)))
            .transpose()
    }
}

/// How a JSON value reads in an error: its kind, with the value itself when it is short.
fn kind(value: &Value) -> String {
    let name = match value {
        Value::Null => return "null".to_owned(),
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => return "an array".to_owned(),
        Value::Object(_) => return "an object".to_owned(),
    };
    let text = value.to_string();
    if text.chars().count() <= 40 {
        format!("{name} ({text})")
    } else {
        name.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;
    use serde_json::json;

    use super::*;

    fn json_headers() -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        headers
    }

    fn detail(err: ApiError) -> String {
        match err {
            ApiError::InvalidInput(details) => details.join("; "),
            other => panic!("not invalid input: {other:?}"),
        }
    }

    #[test]
    fn bodies_must_be_json_objects_sent_as_json() {
        let ok = parse(&json_headers(), br#"{"a": 1}"#).expect("parses");
        assert_eq!(ok.get("a"), Some(&json!(1)));
        let refused =
            |headers: &HeaderMap, body: &[u8]| detail(parse(headers, body).expect_err("refused"));
        assert!(refused(&json_headers(), b"  ").starts_with("request body: required"));
        assert!(refused(&json_headers(), b"{\"a\":").starts_with("request body: not valid JSON"));
        assert_eq!(
            refused(&json_headers(), b"[1]"),
            "request body: must be a JSON object, got an array"
        );
        assert!(refused(&HeaderMap::new(), b"{}").starts_with("Content-Type: required"));
        let mut text = HeaderMap::new();
        text.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        assert!(refused(&text, b"{}").starts_with("Content-Type: \"text/plain\""));
    }

    #[test]
    fn fields_are_named_by_their_path() {
        let body = json!({"incident": {"type": 3, "assignments": [{"assignee": {}}, 7],
                          "level": 1.5, "status": "snoozed", "gone": null}});
        let map = body.as_object().expect("object");
        let root = Object::root(map);
        let incident = root.required_object("incident").expect("object");
        assert_eq!(
            detail(incident.required_string("type").expect_err("number")),
            "incident.type: must be a string, got a number (3)"
        );
        assert_eq!(
            detail(incident.objects("assignments").expect_err("7")),
            "incident.assignments[1]: must be an object, got a number (7)"
        );
        assert_eq!(
            detail(incident.integer("level").expect_err("fraction")),
            "incident.level: must be an integer, got a number (1.5)"
        );
        assert_eq!(
            detail(
                incident
                    .word("status", &["acknowledged", "resolved"], |_| None::<()>)
                    .expect_err("unknown")
            ),
            "incident.status: unknown value \"snoozed\", expected one of acknowledged, resolved"
        );
        assert_eq!(incident.string("gone"), Ok(None), "null reads as absent");
        assert_eq!(
            detail(root.required_object("note").expect_err("missing")),
            "note: required"
        );
    }
}
