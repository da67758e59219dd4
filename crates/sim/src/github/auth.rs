//! The token of a request, as GitHub takes it: `Authorization: Bearer <token>` or
//! `Authorization: token <token>` (either scheme in any case). The simulator accepts any
//! non-empty token; without one, GitHub answers 401 "Requires authentication".

use axum::http::{header, HeaderMap};

use super::error::ApiError;

pub(crate) fn token(headers: &HeaderMap) -> Result<String, ApiError> {
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or(ApiError::RequiresAuthentication)?
        .trim();
    let (scheme, token) = value
        .split_once(' ')
        .ok_or(ApiError::RequiresAuthentication)?;
    let token = token.trim();
    let known = scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("token");
    if known && !token.is_empty() {
        Ok(token.to_owned())
    } else {
        Err(ApiError::RequiresAuthentication)
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn bearer_or_token_and_nothing_else() {
        let with = |v: &'static str| {
            let mut h = HeaderMap::new();
            h.insert(header::AUTHORIZATION, HeaderValue::from_static(v));
            token(&h)
        };
        assert_eq!(with("Bearer ghp_1"), Ok("ghp_1".to_owned()));
        assert_eq!(with("token ghp_2"), Ok("ghp_2".to_owned()));
        assert_eq!(with("TOKEN  ghp_3 "), Ok("ghp_3".to_owned()));
        for bad in ["Bearer ", "Basic abc", "ghp_4", "token"] {
            assert_eq!(with(bad), Err(ApiError::RequiresAuthentication), "{bad}");
        }
        assert_eq!(
            token(&HeaderMap::new()),
            Err(ApiError::RequiresAuthentication)
        );
    }
}
