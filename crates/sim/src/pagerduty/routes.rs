//! The endpoints: a read parses its query, moves the world to now, and renders; the writes
//! are in `actions`.
//!
//! `time_zone` only changes how `since`/`until` without an offset are read: timestamps are
//! always rendered in UTC (PagerDuty renders them in that zone; both are RFC 3339).
//! `include[]`, `team_ids[]` and `is_overview` are accepted and ignored.

use axum::extract::{Path, RawQuery, State};
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use super::actions;
use super::error::ApiError;
use super::filters::{IncidentFilter, IncidentOrder, LogEntryFilter, OnCallFilter};
use super::gate::gate;
use super::query::Query;
use super::PagerDutyServer;
use crate::world::Incident;

const DEFAULT_LIMIT: usize = 25;
const MAX_LIMIT: usize = 100;

type Reply = Result<Json<Value>, ApiError>;

pub(crate) fn router(server: PagerDutyServer) -> Router {
    Router::new()
        .route("/incidents", get(list_incidents))
        .route(
            "/incidents/{id}",
            get(get_incident).put(actions::update_incident),
        )
        .route("/incidents/{id}/log_entries", get(list_log_entries))
        .route(
            "/incidents/{id}/notes",
            get(list_notes).post(actions::create_note),
        )
        .route("/incidents/{id}/snooze", post(actions::snooze_incident))
        .route("/oncalls", get(list_oncalls))
        .route("/users", get(list_users))
        .route("/users/me", get(current_user))
        .fallback(not_found)
        .layer(from_fn_with_state(server.clone(), gate))
        .with_state(server)
}

async fn list_incidents(State(server): State<PagerDutyServer>, RawQuery(raw): RawQuery) -> Reply {
    let q = Query::parse(raw.as_deref());
    let filter = IncidentFilter::read(&q, server.inner.account_tz)?;
    let order = IncidentOrder::read(&q)?;
    let page = q.page(DEFAULT_LIMIT, MAX_LIMIT)?;
    let world = server.inner.live.advance();
    let render = server.render(&world);
    let mut kept: Vec<&Incident> = world
        .incidents()
        .iter()
        .filter(|i| filter.keeps(i))
        .collect();
    order.apply(&mut kept);
    let incidents = kept.into_iter().map(|i| render.incident(i)).collect();
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

/// Oldest first; PagerDuty does not paginate an incident's notes.
async fn list_notes(State(server): State<PagerDutyServer>, Path(id): Path<String>) -> Reply {
    let world = server.inner.live.advance();
    let incident = world.incident(&id).ok_or(ApiError::NotFound)?;
    let render = server.render(&world);
    let notes: Vec<Value> = incident.notes().map(|n| render.note(n)).collect();
    Ok(Json(json!({ "notes": notes })))
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

/// `query` keeps the users whose name or email contains it, whatever the case. The account's
/// order: `me`, then the scenario's people.
async fn list_users(State(server): State<PagerDutyServer>, RawQuery(raw): RawQuery) -> Reply {
    let q = Query::parse(raw.as_deref());
    let page = q.page(DEFAULT_LIMIT, MAX_LIMIT)?;
    let needle = q.one("query").unwrap_or("").trim().to_lowercase();
    let world = server.inner.live.advance();
    let render = server.render(&world);
    let tz = server.inner.account_tz.name();
    let users = world
        .pagerduty()
        .users()
        .iter()
        .filter(|u| {
            u.person.name.to_lowercase().contains(&needle)
                || u.person.email.to_lowercase().contains(&needle)
        })
        .map(|u| render.user(u, tz))
        .collect();
    Ok(Json(page.render("users", users)))
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
