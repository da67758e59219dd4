//! The endpoints: each reads its query, moves the world to now, and renders.
//!
//! `time_zone` only changes how `since`/`until` without an offset are read: timestamps are
//! always rendered in UTC (PagerDuty renders them in that zone; both are RFC 3339). `sort_by`,
//! `include[]`, `team_ids[]` and `is_overview` are accepted and ignored.

use axum::extract::{Path, RawQuery, State};
use axum::middleware::from_fn_with_state;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use super::error::ApiError;
use super::filters::{IncidentFilter, LogEntryFilter, OnCallFilter};
use super::gate::gate;
use super::query::Query;
use super::PagerDutyServer;

const DEFAULT_LIMIT: usize = 25;
const MAX_LIMIT: usize = 100;

type Reply = Result<Json<Value>, ApiError>;

pub(crate) fn router(server: PagerDutyServer) -> Router {
    Router::new()
        .route("/incidents", get(list_incidents))
        .route("/incidents/{id}", get(get_incident))
        .route("/incidents/{id}/log_entries", get(list_log_entries))
        .route("/oncalls", get(list_oncalls))
        .route("/users/me", get(current_user))
        .fallback(not_found)
        .layer(from_fn_with_state(server.clone(), gate))
        .with_state(server)
}

async fn list_incidents(State(server): State<PagerDutyServer>, RawQuery(raw): RawQuery) -> Reply {
    let q = Query::parse(raw.as_deref());
    let filter = IncidentFilter::read(&q, server.inner.account_tz)?;
    let page = q.page(DEFAULT_LIMIT, MAX_LIMIT)?;
    let world = server.inner.live.advance();
    let render = server.render(&world);
    let incidents = world
        .incidents()
        .iter()
        .filter(|i| filter.keeps(i))
        .map(|i| render.incident(i))
        .collect();
    Ok(Json(page.render("incidents", incidents)))
}

async fn get_incident(State(server): State<PagerDutyServer>, Path(id): Path<String>) -> Reply {
    let world = server.inner.live.advance();
    let incident = world.incident(&id).ok_or(ApiError::NotFound)?;
    Ok(Json(
        json!({ "incident": server.render(&world).incident(incident) }),
    ))
}

/// Newest first, as PagerDuty lists an incident's log.
async fn list_log_entries(
    State(server): State<PagerDutyServer>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Reply {
    let q = Query::parse(raw.as_deref());
    let filter = LogEntryFilter::read(&q, server.inner.account_tz)?;
    let page = q.page(DEFAULT_LIMIT, MAX_LIMIT)?;
    let world = server.inner.live.advance();
    let incident = world.incident(&id).ok_or(ApiError::NotFound)?;
    let render = server.render(&world);
    let entries = incident
        .log_entries
        .iter()
        .rev()
        .filter(|e| filter.keeps(e))
        .map(|e| render.log_entry(incident, e))
        .collect();
    Ok(Json(page.render("log_entries", entries)))
}

async fn list_oncalls(State(server): State<PagerDutyServer>, RawQuery(raw): RawQuery) -> Reply {
    let q = Query::parse(raw.as_deref());
    let page = q.page(DEFAULT_LIMIT, MAX_LIMIT)?;
    let world = server.inner.live.advance();
    let filter = OnCallFilter::read(&q, server.inner.account_tz, server.inner.live.now())?;
    let render = server.render(&world);
    let oncalls = filter
        .apply(world.oncalls())
        .iter()
        .map(|o| render.oncall(o))
        .collect();
    Ok(Json(page.render("oncalls", oncalls)))
}

async fn current_user(State(server): State<PagerDutyServer>) -> Reply {
    let world = server.inner.live.advance();
    let me = world
        .pagerduty()
        .user(&world.scenario().me.email)
        .ok_or(ApiError::NotFound)?;
    Ok(Json(json!({
        "user": server.render(&world).user(me, server.inner.account_tz.name()),
    })))
}

async fn not_found() -> ApiError {
    ApiError::NotFound
}
