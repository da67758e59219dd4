//! Polling PagerDuty: incidents created since the last poll (with an overlap window, because
//! PagerDuty's lists are eventually consistent), every open incident, and the ones opsdeck still
//! holds as open — each with its log entries when it changed.
//!
//! Between those full polls, the quick poll ([`Source::poll_new`]) asks one cheap question —
//! the newest triggered incidents — and brings in full only the ones the cursor has never seen,
//! so a new page is on the desktop within seconds without spending the budget on the rest.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Mutex;

use async_trait::async_trait;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use opsdeck_domain::{ActionRequest, Effect, SourceKind};
use reqwest::header::AUTHORIZATION;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::map::incident_entry;
use super::wire::{
    Incident, IncidentBody, IncidentList, IncidentStatus, LogEntry, LogEntryList, UserBody,
};
use crate::http::{Budget, HttpOptions, JsonClient};
use crate::{ActionContext, ActionError, PollContext, PollOutput, Source, SourceError};

const VENDOR: &str = "PagerDuty";
pub(super) const ACCEPT: &str = "application/vnd.pagerduty+json;version=2";
const PAGE_LIMIT: u64 = 100;
/// How many of the newest triggered incidents the quick poll looks at. More new pages than
/// this between two quick polls are left to the full poll.
const QUICK_LIMIT: u64 = 25;
/// A list that keeps saying `more` past this many pages is a vendor bug, not a busy day.
const MAX_PAGES: u64 = 100;

pub struct PagerDutyConfig {
    pub name: String,
    pub url: String,
    /// Never logged: only handed to the HTTP client as a sensitive header.
    pub token: String,
    /// PagerDuty service id → opsdeck service name (from the config's `[[services]]`).
    pub services: HashMap<String, String>,
    pub http: HttpOptions,
    /// How far each poll reaches behind the previous one.
    pub overlap: Duration,
}

pub struct PagerDutySource {
    name: String,
    pub(super) client: JsonClient,
    pub(super) services: HashMap<String, String>,
    overlap: Duration,
    me: Mutex<Option<Me>>,
    /// Incidents opsdeck just changed: the next poll fetches them even if their fingerprint
    /// looks the same (two changes within one second of a frozen simulated clock do).
    refetch: Mutex<BTreeSet<String>>,
    /// When the on-call entries were last fetched (real time).
    pub(super) oncall_fetched: Mutex<Option<std::time::Instant>>,
    /// Incidents the quick poll already handed over that the stored cursor does not know yet:
    /// not fetched again until the full poll has taken them over.
    announced: Mutex<BTreeSet<String>>,
}

#[derive(Debug, Clone)]
pub(super) struct Me {
    pub(super) id: String,
    pub(super) email: String,
}

/// What one poll hands the next, stored by the engine between runs.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Cursor {
    since: Option<DateTime<Utc>>,
    /// Incident id → what it looked like last time, for incidents still worth watching. An
    /// unchanged incident is not re-fetched or re-emitted.
    #[serde(default)]
    seen: BTreeMap<String, String>,
}

impl PagerDutySource {
    pub fn new(config: PagerDutyConfig) -> Result<PagerDutySource, SourceError> {
        let auth = format!("Token token={}", config.token);
        let client = JsonClient::new(
            VENDOR,
            &config.url,
            Some((AUTHORIZATION, &auth)),
            &[],
            config.http,
        )?;
        Ok(PagerDutySource {
            name: config.name,
            client,
            services: config.services,
            overlap: config.overlap,
            me: Mutex::new(None),
            refetch: Mutex::new(BTreeSet::new()),
            oncall_fetched: Mutex::new(None),
            announced: Mutex::new(BTreeSet::new()),
        })
    }

    /// Makes the next poll fetch `incident_id` and its log afresh.
    pub(super) fn forget(&self, incident_id: &str) {
        if let Ok(mut set) = self.refetch.lock() {
            set.insert(incident_id.to_string());
        }
    }

    fn take_refetch(&self) -> BTreeSet<String> {
        self.refetch
            .lock()
            .map(|mut set| std::mem::take(&mut *set))
            .unwrap_or_default()
    }

    pub(super) async fn me(&self) -> Result<Me, SourceError> {
        if let Some(me) = self.cached_me() {
            return Ok(me);
        }
        let body = self
            .client
            .get_json::<UserBody>("users/me", &[], ACCEPT)
            .await?;
        let me = Me {
            id: body.value.user.id,
            email: body.value.user.email,
        };
        if let Ok(mut slot) = self.me.lock() {
            *slot = Some(me.clone());
        }
        Ok(me)
    }

    fn cached_me(&self) -> Option<Me> {
        self.me.lock().ok().and_then(|m| m.clone())
    }

    async fn list_incidents(
        &self,
        query: &[(&str, String)],
    ) -> Result<Vec<(Incident, Value)>, SourceError> {
        let mut out = Vec::new();
        for page in 0..MAX_PAGES {
            let mut q: Vec<(&str, String)> = query.to_vec();
            q.push(("limit", PAGE_LIMIT.to_string()));
            q.push(("offset", (page * PAGE_LIMIT).to_string()));
            q.push(("total", "true".into()));
            let body = self
                .client
                .get_json::<IncidentList>("incidents", &q, ACCEPT)
                .await?;
            let raws = body
                .raw
                .get("incidents")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let more = body.value.more.unwrap_or(false) && !body.value.incidents.is_empty();
            out.extend(body.value.incidents.into_iter().zip(raws));
            if !more {
                return Ok(out);
            }
        }
        Err(SourceError::Decode {
            vendor: VENDOR,
            path: "/incidents".into(),
            detail: format!("still `more: true` after {MAX_PAGES} pages"),
        })
    }

    async fn log_entries(
        &self,
        incident_id: &str,
    ) -> Result<(Vec<LogEntry>, Vec<Value>), SourceError> {
        let path = format!("incidents/{incident_id}/log_entries");
        let (mut entries, mut raws) = (Vec::new(), Vec::new());
        for page in 0..MAX_PAGES {
            let q = [
                ("limit", PAGE_LIMIT.to_string()),
                ("offset", (page * PAGE_LIMIT).to_string()),
                ("time_zone", "UTC".to_string()),
            ];
            let body = self
                .client
                .get_json::<LogEntryList>(&path, &q, ACCEPT)
                .await?;
            raws.extend(
                body.raw
                    .get("log_entries")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default(),
            );
            let more = body.value.more.unwrap_or(false) && !body.value.log_entries.is_empty();
            entries.extend(body.value.log_entries);
            if !more {
                return Ok((entries, raws));
            }
        }
        Err(SourceError::Decode {
            vendor: VENDOR,
            path: format!("/{path}"),
            detail: format!("still `more: true` after {MAX_PAGES} pages"),
        })
    }
}

/// Changes whenever anything opsdeck shows about the incident changes.
fn fingerprint(i: &Incident, raw: &Value) -> String {
    let assignees: Vec<&str> = i
        .assignments
        .iter()
        .map(|a| a.assignee.id.as_str())
        .collect();
    format!(
        "{:?}|{}|{}|{}|{}",
        i.status,
        i.last_status_change_at
            .map(|t| t.to_rfc3339())
            .unwrap_or_default(),
        raw.get("updated_at").and_then(Value::as_str).unwrap_or(""),
        assignees.join(","),
        i.urgency.map(|u| format!("{u:?}")).unwrap_or_default(),
    )
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[async_trait]
impl Source for PagerDutySource {
    fn name(&self) -> &str {
        &self.name
    }

    fn kind(&self) -> SourceKind {
        SourceKind::Pagerduty
    }

    async fn poll(&self, ctx: &PollContext) -> Result<PollOutput, SourceError> {
        let refetch = self.take_refetch();
        let result = self.poll_with(ctx, &refetch).await;
        if result.is_err() {
            // Not fetched after all: the next poll must still do it.
            for id in &refetch {
                self.forget(id);
            }
        }
        result
    }

    async fn poll_new(&self, ctx: &PollContext) -> Result<Option<PollOutput>, SourceError> {
        self.poll_new_pages(ctx).await.map(Some)
    }

    fn budget(&self) -> Option<Budget> {
        Some(self.client.budget())
    }

    async fn plan_action(
        &self,
        request: &ActionRequest,
        ctx: &ActionContext,
    ) -> Result<Effect, ActionError> {
        self.plan(request, ctx).await
    }

    async fn execute_action(
        &self,
        request: &ActionRequest,
        ctx: &ActionContext,
    ) -> Result<String, ActionError> {
        self.execute(request, ctx).await
    }
}

impl PagerDutySource {
    /// One request, on the client's urgent lane, for the newest triggered incidents; each one
    /// neither the cursor nor an earlier quick poll knows is handed over as it is listed, so a
    /// burst of pages costs one request, not one per page. Its log is left to the next full
    /// poll, which finds the incident new (the cursor is left alone here) and stores it again
    /// with its log.
    async fn poll_new_pages(&self, ctx: &PollContext) -> Result<PollOutput, SourceError> {
        let known: Cursor = ctx
            .cursor
            .as_deref()
            .and_then(|c| serde_json::from_str(c).ok())
            .unwrap_or_default();
        let query = [
            ("statuses[]", "triggered".to_string()),
            ("date_range", "all".to_string()),
            ("time_zone", "UTC".to_string()),
            ("limit", QUICK_LIMIT.to_string()),
            // Newest first, so a new page is in the first page however many are open.
            ("sort_by", "created_at:desc".to_string()),
        ];
        let body = self
            .client
            .urgent()
            .get_json::<IncidentList>("incidents", &query, ACCEPT)
            .await?;
        let raws = body
            .raw
            .get("incidents")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let announced = {
            let mut announced = self.announced.lock().unwrap_or_else(|p| p.into_inner());
            // Once the full poll has stored an incident, its cursor watches it.
            announced.retain(|id| !known.seen.contains_key(id));
            announced.clone()
        };
        let new: Vec<(Incident, Value)> = body
            .value
            .incidents
            .into_iter()
            .zip(raws)
            .filter(|(i, _)| !known.seen.contains_key(&i.id) && !announced.contains(&i.id))
            .collect();
        if new.is_empty() {
            return Ok(PollOutput::default());
        }
        let me = self.me().await?;
        let entries = new
            .iter()
            .map(|(incident, raw)| {
                incident_entry(incident, raw, &[], &[], Some(&me.id), Some(&self.services))
            })
            .collect();
        self.announced
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend(new.into_iter().map(|(i, _)| i.id));
        Ok(PollOutput {
            entries,
            cursor: None,
            me: None,
            oncall: None,
            silences: None,
        })
    }

    async fn poll_with(
        &self,
        ctx: &PollContext,
        refetch: &BTreeSet<String>,
    ) -> Result<PollOutput, SourceError> {
        let me = self.me().await?;
        let previous: Cursor = ctx
            .cursor
            .as_deref()
            .and_then(|c| serde_json::from_str(c).ok())
            .unwrap_or_default();
        // A cursor from the future (a simulator restarted at an earlier time, a clock set back)
        // would ask for an empty window: start over from the backfill instead.
        let since = match previous.since {
            Some(s) if s <= ctx.now => s - self.overlap,
            _ => ctx.now - ctx.backfill,
        };

        let mut incidents: BTreeMap<String, (Incident, Value)> = BTreeMap::new();
        let window = [
            ("since", rfc3339(since)),
            ("until", rfc3339(ctx.now)),
            ("time_zone", "UTC".into()),
        ];
        for found in self.list_incidents(&window).await? {
            incidents.insert(found.0.id.clone(), found);
        }
        let open = [
            ("statuses[]", "triggered".to_string()),
            ("statuses[]", "acknowledged".to_string()),
            ("date_range", "all".to_string()),
            ("time_zone", "UTC".to_string()),
        ];
        for found in self.list_incidents(&open).await? {
            incidents.insert(found.0.id.clone(), found);
        }
        // Incidents we last saw open and that left both lists were resolved (or merged) since:
        // fetch them so the timeline shows how they ended.
        let resolved_since = previous
            .seen
            .iter()
            .filter(|(_, print)| !print.starts_with("Resolved"))
            .map(|(id, _)| id);
        let wanted: BTreeSet<&String> = resolved_since.chain(refetch.iter()).collect();
        for id in wanted {
            if incidents.contains_key(id) {
                continue;
            }
            match self
                .client
                .get_json::<IncidentBody>(&format!("incidents/{id}"), &[], ACCEPT)
                .await
            {
                Ok(body) => {
                    let raw = body.raw.get("incident").cloned().unwrap_or(Value::Null);
                    incidents.insert(id.clone(), (body.value.incident, raw));
                }
                // Deleted or merged away: nothing more to learn about it.
                Err(SourceError::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }

        let mut entries = Vec::new();
        let mut seen = BTreeMap::new();
        for (id, (incident, raw)) in &incidents {
            let print = fingerprint(incident, raw);
            let unchanged = previous.seen.get(id) == Some(&print) && !refetch.contains(id);
            // Keep watching what is open or still inside the overlap window.
            if incident.status != IncidentStatus::Resolved || incident.created_at >= since {
                seen.insert(id.clone(), print);
            }
            if unchanged {
                continue;
            }
            let (log, raw_log) = self.log_entries(id).await?;
            entries.push(incident_entry(
                incident,
                raw,
                &log,
                &raw_log,
                Some(&me.id),
                Some(&self.services),
            ));
        }
        // After the pages, and never at their expense: a failure here keeps the last on-call
        // entries and is tried again on the next poll.
        let oncall = if self.oncall_due() {
            match self.fetch_oncall(&me.id, &me.email, ctx.now).await {
                Ok(shifts) => {
                    self.oncall_fetched_now();
                    Some(shifts)
                }
                Err(e) => {
                    tracing::warn!(source = %self.name, %e, "on-call entries not refreshed");
                    None
                }
            }
        } else {
            None
        };
        let cursor = Cursor {
            since: Some(ctx.now),
            seen,
        };
        Ok(PollOutput {
            entries,
            cursor: Some(
                serde_json::to_string(&cursor)
                    .map_err(|e| SourceError::Config(format!("cannot save cursor: {e}")))?,
            ),
            me: Some(me.email),
            oncall,
            silences: None,
        })
    }
}
