//! JSON pointer helpers (RFC 6901) and their URI-fragment form.

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use serde_json::Value;

/// Characters that may not appear raw in a URI fragment; path templates bring `{` and `}`.
const FRAGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// Escapes one reference token: `~` → `~0`, `/` → `~1`.
pub(crate) fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Appends `token` to `pointer`.
pub(crate) fn join(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", escape(token))
}

/// Splits a pointer into its parent pointer and its unescaped last token.
pub(crate) fn split_last(pointer: &str) -> Option<(&str, String)> {
    let (parent, last) = pointer.rsplit_once('/')?;
    Some((parent, last.replace("~1", "/").replace("~0", "~")))
}

/// `pointer` as it must appear after `#` in a `$ref`.
pub(crate) fn to_fragment(pointer: &str) -> String {
    utf8_percent_encode(pointer, FRAGMENT).to_string()
}

/// The local pointer a `$ref` such as `#/components/schemas/X` names, or `None` for remote refs.
pub(crate) fn local_ref_target(reference: &str) -> Option<String> {
    let fragment = reference.strip_prefix('#')?;
    percent_encoding::percent_decode_str(fragment)
        .decode_utf8()
        .ok()
        .map(|decoded| decoded.into_owned())
}

/// Rewrites every local `$ref` in `doc` that points at or below an old pointer of `moves`
/// ((old, new) pairs) to the new one.
pub(crate) fn retarget_refs(doc: &mut Value, moves: &[(String, String)]) {
    if moves.is_empty() {
        return;
    }
    match doc {
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                match value {
                    Value::String(reference) if key == "$ref" => {
                        if let Some(moved) = retarget(reference, moves) {
                            *reference = moved;
                        }
                    }
                    _ => retarget_refs(value, moves),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| retarget_refs(item, moves)),
        _ => {}
    }
}

fn retarget(reference: &str, moves: &[(String, String)]) -> Option<String> {
    let target = local_ref_target(reference)?;
    moves.iter().find_map(|(old, new)| {
        let rest = target.strip_prefix(old.as_str())?;
        (rest.is_empty() || rest.starts_with('/'))
            .then(|| format!("#{}", to_fragment(&format!("{new}{rest}"))))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_joins_tokens() {
        assert_eq!(join("/paths", "/users/{id}"), "/paths/~1users~1{id}");
        assert_eq!(join("", "a~b"), "/a~0b");
    }

    #[test]
    fn splits_last_token_unescaped() {
        assert_eq!(
            split_last("/paths/~1users~1{id}"),
            Some(("/paths", "/users/{id}".to_string()))
        );
        assert_eq!(split_last("no-slash"), None);
    }

    #[test]
    fn fragment_encodes_braces_but_keeps_pointer_syntax() {
        assert_eq!(
            to_fragment("/paths/~1users~1{id}/get"),
            "/paths/~1users~1%7Bid%7D/get"
        );
    }

    #[test]
    fn refs_are_retargeted_at_segment_boundaries_only() {
        let mut doc = serde_json::json!({"a": [{"$ref": "#/S/oneOf/1"}, {"$ref": "#/S/oneOfX"}], "$ref": "#/S/oneOf"});
        retarget_refs(&mut doc, &[("/S/oneOf".into(), "/S/anyOf".into())]);
        assert_eq!(
            doc,
            serde_json::json!({"a": [{"$ref": "#/S/anyOf/1"}, {"$ref": "#/S/oneOfX"}], "$ref": "#/S/anyOf"})
        );
    }

    #[test]
    fn local_refs_are_decoded_and_remote_refs_refused() {
        assert_eq!(
            local_ref_target("#/paths/~1a~1%7Bid%7D").as_deref(),
            Some("/paths/~1a~1{id}")
        );
        assert_eq!(local_ref_target("other.json#/a"), None);
    }
}
