//! Request headers PagerDuty insists on: an API token, an `Accept` it can answer, and on
//! writes a `From` naming the user who acts.

use axum::http::{header, HeaderMap};

use super::error::ApiError;

/// The token of `Authorization: Token token=<token>` (API keys) or `Bearer <token>` (OAuth).
/// The simulator accepts any non-empty token.
pub(crate) fn token(headers: &HeaderMap) -> Result<String, ApiError> {
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or(ApiError::Unauthenticated)?
        .trim();
    let token = if let Some(rest) = value.strip_prefix("Token ") {
        rest.trim_start().strip_prefix("token=")
    } else {
        value.strip_prefix("Bearer ")
    };
    match token.map(str::trim) {
        Some(token) if !token.is_empty() => Ok(token.to_owned()),
        _ => Err(ApiError::Unauthenticated),
    }
}

/// PagerDuty's versioned media type (`application/vnd.pagerduty+json;version=2`), plain JSON or
/// a wildcard; no `Accept` at all means the same.
pub(crate) fn accept(headers: &HeaderMap) -> Result<(), ApiError> {
    let values: Vec<&str> = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    if values.is_empty() {
        return Ok(());
    }
    let acceptable = values
        .iter()
        .flat_map(|v| v.split(','))
        .any(acceptable_range);
    if acceptable {
        Ok(())
    } else {
        Err(ApiError::invalid(format!(
            "Accept: {:?} is not supported; send application/vnd.pagerduty+json;version=2",
            values.join(", ")
        )))
    }
}

/// The email of `From`, which every write must carry: PagerDuty acts on behalf of that user
/// (an API token belongs to the account, not to a person). Whether the account has such a
/// user is the caller's to check.
pub(crate) fn from_email(headers: &HeaderMap) -> Result<String, ApiError> {
    headers
        .get(header::FROM)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .ok_or(ApiError::FromRequired)
}

fn acceptable_range(range: &str) -> bool {
    let mut parts = range.split(';').map(str::trim);
    let media = parts.next().unwrap_or("").to_ascii_lowercase();
    let version = parts
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("version"))
        .map(|(_, v)| v.trim().trim_matches('"'));
    match media.as_str() {
        "*/*" | "application/*" | "application/json" => true,
        "application/vnd.pagerduty+json" => version.is_none_or(|v| v == "2"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(header::HeaderName, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.append(k.clone(), HeaderValue::from_static(v));
        }
        map
    }

    #[test]
    fn tokens_in_either_scheme_and_nothing_else() {
        let ok = |v| token(&headers(&[(header::AUTHORIZATION, v)]));
        assert_eq!(ok("Token token=abc"), Ok("abc".to_owned()));
        assert_eq!(ok("Bearer xyz"), Ok("xyz".to_owned()));
        for bad in ["Token token=", "Token abc", "Basic abc", "Bearer  ", "abc"] {
            assert_eq!(ok(bad), Err(ApiError::Unauthenticated), "{bad}");
        }
        assert_eq!(token(&HeaderMap::new()), Err(ApiError::Unauthenticated));
    }

    #[test]
    fn accept_takes_pagerduty_v2_json_and_wildcards() {
        let check = |v| accept(&headers(&[(header::ACCEPT, v)]));
        for ok in [
            "application/vnd.pagerduty+json;version=2",
            "application/vnd.pagerduty+json; version=\"2\"",
            "application/json",
            "text/html, */*;q=0.1",
        ] {
            assert_eq!(check(ok), Ok(()), "{ok}");
        }
        for bad in ["application/vnd.pagerduty+json;version=1", "text/html"] {
            let err = check(bad).expect_err(bad);
            assert!(err.to_string().contains("Accept"), "{err}");
        }
        assert_eq!(accept(&HeaderMap::new()), Ok(()));
    }

    #[test]
    fn from_must_name_someone() {
        let from = |v| from_email(&headers(&[(header::FROM, v)]));
        assert_eq!(
            from(" sam@example.test "),
            Ok("sam@example.test".to_owned())
        );
        assert_eq!(from("  "), Err(ApiError::FromRequired));
        assert_eq!(from_email(&HeaderMap::new()), Err(ApiError::FromRequired));
    }
}
