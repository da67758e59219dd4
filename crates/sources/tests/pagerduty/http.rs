//! The JSON client against a scripted server: which failures are retried, how often, and how
//! long a 429 waits. The simulator's injected 429 always says "retry after 1 s", so the cases
//! it cannot produce (a long or a zero wait) are scripted here.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use opsdeck_sources::http::{HttpOptions, JsonClient};
use opsdeck_sources::SourceError;
use reqwest::header::AUTHORIZATION;
use serde_json::{json, Value};

const SECRET: &str = "s3cret-t0ken-never-shown";

/// One scripted answer: status, extra headers, body.
#[derive(Clone)]
struct Answer(u16, Vec<(&'static str, &'static str)>, Value);

fn ok() -> Answer {
    Answer(200, vec![], json!({"ok": true}))
}

fn rate_limited(headers: Vec<(&'static str, &'static str)>) -> Answer {
    Answer(
        429,
        headers,
        json!({"error": {"message": "Rate Limit Exceeded", "code": 2020}}),
    )
}

#[derive(Clone, Default)]
struct Script {
    /// Answers in order; when they run out, `then` repeats.
    queue: Arc<Mutex<VecDeque<Answer>>>,
    then: Arc<Mutex<Option<Answer>>>,
    requests: Arc<Mutex<usize>>,
}

impl Script {
    fn requests(&self) -> usize {
        *self.requests.lock().expect("requests")
    }
}

async fn answer(script: Script) -> Response {
    *script.requests.lock().expect("requests") += 1;
    let next = script.queue.lock().expect("queue").pop_front();
    let Answer(status, headers, body) = next
        .or_else(|| script.then.lock().expect("then").clone())
        .unwrap_or_else(ok);
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        map.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
    let status = StatusCode::from_u16(status).expect("valid status");
    (status, map, axum::Json(body)).into_response()
}

/// A server answering `first` in order, then `then` forever; and a client for it.
async fn scripted(first: Vec<Answer>, then: Option<Answer>) -> (Script, JsonClient) {
    let script = Script::default();
    script.queue.lock().expect("queue").extend(first);
    *script.then.lock().expect("then") = then;
    let state = script.clone();
    let app = Router::new().route("/incidents", get(move || answer(state.clone())));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        // Ends with the test's runtime.
        let _ = axum::serve(listener, app).await;
    });
    let auth = format!("Token token={SECRET}");
    let client = JsonClient::new(
        "PagerDuty",
        &format!("http://{addr}"),
        Some((AUTHORIZATION, &auth)),
        &[],
        HttpOptions {
            timeout: Duration::from_secs(5),
            retries: 2,
            min_backoff: Duration::from_millis(10),
            max_per_minute: None,
            urgent_per_minute: None,
        },
    )
    .expect("client builds");
    (script, client)
}

/// The call, bounded: a client that retries forever fails here instead of hanging the suite.
async fn fetch(client: &JsonClient) -> Result<Value, SourceError> {
    tokio::time::timeout(
        Duration::from_secs(20),
        client.get_json::<Value>("incidents", &[], "application/json"),
    )
    .await
    .expect("the client gave up within 20 s")
    .map(|d| d.value)
}

#[tokio::test]
async fn a_long_retry_after_surfaces_at_once_instead_of_stalling_the_poll() {
    let (script, client) = scripted(vec![], Some(rate_limited(vec![("retry-after", "120")]))).await;
    let started = Instant::now();
    let err = fetch(&client).await.expect_err("429 surfaces");
    assert!(
        matches!(err, SourceError::RateLimited { retry_after, .. } if retry_after == Duration::from_secs(120)),
        "{err:?}"
    );
    assert_eq!(script.requests(), 1, "not retried inline");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    let text = err.to_string();
    assert!(text.contains("429") && text.contains("120"), "{text}");
    assert!(!text.contains(SECRET), "{text}");
}

#[tokio::test]
async fn a_short_rate_limit_is_waited_out_and_the_call_succeeds() {
    // No Retry-After: PagerDuty's own `ratelimit-reset` says how long.
    let (script, client) = scripted(vec![rate_limited(vec![("ratelimit-reset", "1")])], None).await;
    let started = Instant::now();
    assert_eq!(fetch(&client).await.expect("succeeds"), json!({"ok": true}));
    assert_eq!(script.requests(), 2);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "did not wait for the reset: {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_persistent_short_rate_limit_gives_up_after_the_configured_retries() {
    // A vendor that keeps saying "retry now" must not keep the poll busy forever.
    let (script, client) = scripted(vec![], Some(rate_limited(vec![("retry-after", "0")]))).await;
    let err = fetch(&client).await.expect_err("still limited");
    assert!(matches!(err, SourceError::RateLimited { .. }), "{err:?}");
    assert_eq!(script.requests(), 3, "one attempt and two retries");
}

#[tokio::test]
async fn server_errors_are_retried_and_client_errors_are_not() {
    let server_error = Answer(
        500,
        vec![],
        json!({"error": {"message": "Internal Server Error"}}),
    );
    let (script, client) = scripted(vec![server_error.clone()], None).await;
    assert!(fetch(&client).await.is_ok(), "one 500 is retried away");
    assert_eq!(script.requests(), 2);

    let (script, client) = scripted(vec![], Some(server_error)).await;
    let err = fetch(&client).await.expect_err("persistent 500");
    assert!(err.to_string().contains("500"), "{err}");
    assert_eq!(script.requests(), 3);

    let not_found = Answer(
        404,
        vec![],
        json!({"error": {"message": "Not Found", "code": 2100}}),
    );
    let (script, client) = scripted(vec![], Some(not_found)).await;
    let err = fetch(&client).await.expect_err("404");
    assert!(matches!(err, SourceError::NotFound { .. }), "{err:?}");
    assert_eq!(
        script.requests(),
        1,
        "a 404 will not change by asking again"
    );
    assert!(!err.to_string().contains(SECRET), "{err}");
}

#[test]
fn decode_errors_say_what_is_wrong_and_where() {
    use opsdeck_sources::pagerduty::wire::IncidentList;
    let decode = |body: &str| {
        opsdeck_sources::http::decode::<IncidentList>("PagerDuty", "/incidents", body.as_bytes())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_else(|| panic!("{body} decoded"))
    };
    let cut = decode(r#"{"incidents": [{"id": "Q1", "#);
    assert!(
        cut.contains("truncated JSON") && cut.contains("/incidents"),
        "{cut}"
    );
    let html = decode("<html>Bad gateway</html>");
    assert!(html.contains("malformed JSON"), "{html}");
    // The pagination envelope is checked with its path too (it once lost it to a flatten).
    let limit = decode(r#"{"incidents": [], "limit": "100", "more": false}"#);
    assert!(limit.contains("at limit"), "{limit}");
    let created = decode(
        r#"{"incidents": [{"id": "Q1", "created_at": 1777873620, "status": "triggered",
            "service": {"id": "P1"}}], "more": false}"#,
    );
    assert!(created.contains("incidents[0].created_at"), "{created}");
}
