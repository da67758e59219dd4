//! Polling GitHub for the configured repositories: workflow runs created since the start of
//! the backfill's first day, the jobs of the runs that failed, and deployments with their
//! statuses.
//!
//! Every GET is conditional: the ETag of each page and of each deployment's statuses is kept,
//! and a 304 (which GitHub does not count against the rate limit) reuses what was read before.
//! Entries are rebuilt from that state at every poll and only those that differ from what the
//! last successful poll returned are handed on, so an idle repository costs a few 304s and
//! stores nothing; a failed poll hands everything on again next time.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use opsdeck_domain::{ActionRequest, Effect, NewEntry, SourceKind};
use reqwest::header::{HeaderName, AUTHORIZATION};
use serde::de::DeserializeOwned;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::actions;
use super::map::{self, FailedJob, RunContext};
use super::wire::{Deployment, DeploymentStatus, JobList, Run};
use crate::http::{Budget, Fetched, HttpOptions, JsonClient};
use crate::{ActionContext, ActionError, PollContext, PollOutput, Source, SourceError};

pub(super) const ACCEPT: &str = "application/vnd.github+json";
const API_VERSION: (&str, &str) = ("x-github-api-version", "2022-11-28");
/// GitHub's largest page.
const PER_PAGE: u32 = 100;
/// GitHub answers at most 1,000 runs to a filtered list: ten pages of a hundred.
const MAX_PAGES: u32 = 10;

pub struct GithubConfig {
    /// Unique among sources.
    pub name: String,
    /// The REST API's base: `https://api.github.com`, or GitHub Enterprise's
    /// `https://HOST/api/v3`.
    pub url: String,
    /// Never logged.
    pub token: String,
    /// `owner/repo`, each polled.
    pub repos: Vec<String>,
    /// `owner/repo` (any case) → opsdeck service.
    pub services: HashMap<String, String>,
    pub http: HttpOptions,
}

/// A list page as last read, and its ETag.
struct Page<T> {
    etag: Option<String>,
    items: Vec<(T, Value)>,
    has_next: bool,
}

#[derive(Default)]
struct State {
    run_pages: HashMap<String, Page<Run>>,
    deployment_pages: HashMap<String, Page<Deployment>>,
    /// Each deployment's statuses page, by path.
    status_pages: HashMap<String, Page<DeploymentStatus>>,
    /// Per deployment id: its statuses as last read (a settled one is not asked again).
    statuses: HashMap<u64, Vec<DeploymentStatus>>,
    /// Per run id: the attempt whose failed jobs were read, and them.
    jobs: HashMap<u64, (Option<u32>, Vec<FailedJob>)>,
    /// Runs seen failing, with the attempt that failed: a later attempt that passes is flaky.
    failed_before: HashMap<u64, u32>,
    /// What the last successful poll handed on, by external id: a hash of the entry.
    emitted: HashMap<String, [u8; 32]>,
}

pub struct GithubSource {
    name: String,
    pub(super) client: JsonClient,
    pub(super) repos: Vec<String>,
    services: HashMap<String, String>,
    state: Mutex<State>,
}

impl GithubSource {
    pub fn new(config: GithubConfig) -> Result<GithubSource, SourceError> {
        if config.token.trim().is_empty() {
            return Err(SourceError::Config(format!(
                "GitHub {}: a token is required (GITHUB_TOKEN, `gh auth token`, the keychain)",
                config.name
            )));
        }
        let mut repos = Vec::new();
        for repo in &config.repos {
            let repo = repo.trim().trim_matches('/');
            match repo.split_once('/') {
                Some((owner, name))
                    if !owner.is_empty() && !name.is_empty() && !name.contains('/') =>
                {
                    if !repos.iter().any(|r: &String| r.eq_ignore_ascii_case(repo)) {
                        repos.push(repo.to_string());
                    }
                }
                _ => {
                    return Err(SourceError::Config(format!(
                        "GitHub {}: {repo:?} is not a repository (owner/name)",
                        config.name
                    )))
                }
            }
        }
        let auth = format!("Bearer {}", config.token.trim());
        let client = JsonClient::new(
            "GitHub",
            &config.url,
            Some((AUTHORIZATION, &auth)),
            &[(HeaderName::from_static(API_VERSION.0), API_VERSION.1)],
            config.http,
        )?;
        Ok(GithubSource {
            name: config.name,
            client,
            repos,
            services: config
                .services
                .into_iter()
                .map(|(repo, service)| (repo.to_ascii_lowercase(), service))
                .collect(),
            state: Mutex::new(State::default()),
        })
    }

    pub(super) fn name_of(&self) -> &str {
        &self.name
    }

    pub(super) fn service_of(&self, repo: &str) -> Option<&str> {
        self.services
            .get(&repo.to_ascii_lowercase())
            .map(String::as_str)
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // A cache: whatever a panicking holder left is still safe to reuse or refetch.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// One page of a list, conditionally: a 304 returns the page as read before.
    async fn page<T: DeserializeOwned + Clone>(
        &self,
        path: &str,
        query: Vec<(&str, String)>,
        cache: impl Fn(&mut State) -> &mut HashMap<String, Page<T>>,
        unwrap: impl Fn(Value) -> Result<Vec<Value>, SourceError>,
    ) -> Result<(Vec<(T, Value)>, bool), SourceError> {
        let key = format!(
            "{path}?{}",
            query
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("&")
        );
        let etag = cache(&mut self.state())
            .get(&key)
            .and_then(|p| p.etag.clone());
        match self
            .client
            .get_conditional::<Value>(path, &query, ACCEPT, etag.as_deref())
            .await?
        {
            Fetched::NotModified => {
                let mut state = self.state();
                let page = cache(&mut state).get(&key);
                Ok(page.map_or((Vec::new(), false), |p| (p.items.clone(), p.has_next)))
            }
            Fetched::Fresh {
                body,
                etag,
                has_next,
            } => {
                let mut items = Vec::new();
                for raw in unwrap(body.raw)? {
                    let item: T = serde_path_to_error::deserialize(&raw).map_err(|e| {
                        SourceError::Decode {
                            vendor: "GitHub",
                            path: format!("/{}", path.trim_start_matches('/')),
                            detail: format!("unexpected shape at {}: {}", e.path(), e.inner()),
                        }
                    })?;
                    items.push((item, raw));
                }
                cache(&mut self.state()).insert(
                    key,
                    Page {
                        etag,
                        items: items.clone(),
                        has_next,
                    },
                );
                Ok((items, has_next))
            }
        }
    }

    /// The repository's runs created on or after `since_day` (a date, so the URL and its ETag
    /// stay the same all day), newest first, every page up to GitHub's 1,000.
    async fn runs(&self, repo: &str, since_day: &str) -> Result<Vec<(Run, Value)>, SourceError> {
        let path = format!("repos/{repo}/actions/runs");
        let mut all = Vec::new();
        for page in 1..=MAX_PAGES {
            let query = vec![
                ("created", format!(">={since_day}")),
                ("per_page", PER_PAGE.to_string()),
                ("page", page.to_string()),
            ];
            let (items, has_next) = self
                .page(
                    &path,
                    query,
                    |s| &mut s.run_pages,
                    |raw| items_of(raw, "workflow_runs", &path),
                )
                .await?;
            all.extend(items);
            if !has_next {
                break;
            }
        }
        Ok(all)
    }

    /// The failed jobs of a failed run, read once per attempt. A run deleted since it was
    /// listed has none to show; that is not a failed poll.
    async fn failed_jobs(&self, repo: &str, run: &Run) -> Result<Vec<FailedJob>, SourceError> {
        if let Some((attempt, jobs)) = self.state().jobs.get(&run.id) {
            if *attempt == run.run_attempt {
                return Ok(jobs.clone());
            }
        }
        let path = format!("repos/{repo}/actions/runs/{}/jobs", run.id);
        let query = [
            ("filter", "latest".to_string()),
            ("per_page", PER_PAGE.to_string()),
        ];
        let jobs = match self.client.get_json::<JobList>(&path, &query, ACCEPT).await {
            Ok(list) => map::failed_jobs(&list.value.jobs),
            Err(SourceError::NotFound { .. }) => Vec::new(),
            Err(e) => return Err(e),
        };
        self.state()
            .jobs
            .insert(run.id, (run.run_attempt, jobs.clone()));
        Ok(jobs)
    }

    /// Deployments created since `since`, newest first, with their statuses; statuses are
    /// re-read (conditionally) only while a deployment is not settled.
    async fn deployments(
        &self,
        repo: &str,
        since: DateTime<Utc>,
    ) -> Result<Vec<(Deployment, Value, Vec<DeploymentStatus>)>, SourceError> {
        let path = format!("repos/{repo}/deployments");
        let mut recent = Vec::new();
        for page in 1..=MAX_PAGES {
            let query = vec![
                ("per_page", PER_PAGE.to_string()),
                ("page", page.to_string()),
            ];
            let (items, has_next) = self
                .page(
                    &path,
                    query,
                    |s| &mut s.deployment_pages,
                    |raw| items_of(raw, "", &path),
                )
                .await?;
            let older = items.iter().any(|(d, _)| d.created_at < since);
            recent.extend(items.into_iter().filter(|(d, _)| d.created_at >= since));
            if !has_next || older {
                break;
            }
        }
        let mut out = Vec::new();
        for (d, raw) in recent {
            let settled = self
                .state()
                .statuses
                .get(&d.id)
                .filter(|s| map::deployment_settled(s))
                .cloned();
            let statuses = match settled {
                Some(statuses) => statuses,
                None => {
                    let path = format!("repos/{repo}/deployments/{}/statuses", d.id);
                    let query = vec![("per_page", PER_PAGE.to_string())];
                    match self
                        .page(
                            &path,
                            query,
                            |s| &mut s.status_pages,
                            |raw| items_of(raw, "", &path),
                        )
                        .await
                    {
                        Ok((items, _)) => {
                            let list: Vec<DeploymentStatus> =
                                items.into_iter().map(|(s, _)| s).collect();
                            self.state().statuses.insert(d.id, list.clone());
                            list
                        }
                        // Deleted since it was listed: nothing more to know of it.
                        Err(SourceError::NotFound { .. }) => Vec::new(),
                        Err(e) => return Err(e),
                    }
                }
            };
            out.push((d, raw, statuses));
        }
        Ok(out)
    }

    async fn poll_repo(&self, repo: &str, ctx: &PollContext) -> Result<Vec<NewEntry>, SourceError> {
        let since = ctx.now - ctx.backfill;
        let since_day = since.date_naive().format("%Y-%m-%d").to_string();
        let runs = self.runs(repo, &since_day).await?;
        let deployments = self.deployments(repo, since).await?;
        let service = self.service_of(repo);

        let mut failed = HashMap::new();
        for (run, _) in runs.iter().filter(|(r, _)| map::run_failed(r)) {
            failed.insert(run.id, self.failed_jobs(repo, run).await?);
        }
        let flaky = {
            let mut state = self.state();
            for (run, _) in runs.iter().filter(|(r, _)| map::run_failed(r)) {
                state
                    .failed_before
                    .insert(run.id, run.run_attempt.unwrap_or(1));
            }
            let plain: Vec<Run> = runs.iter().map(|(r, _)| r.clone()).collect();
            map::flaky_runs(&plain, &state.failed_before)
        };
        let mut entries = Vec::new();
        for (run, raw) in &runs {
            let end = run.updated_at.unwrap_or(ctx.now) + chrono::Duration::minutes(1);
            let start = run.run_started_at.unwrap_or(run.created_at);
            let environment = deployments
                .iter()
                .find(|(d, _, _)| {
                    d.sha == run.head_sha && d.created_at >= start && d.created_at <= end
                })
                .map(|(d, _, _)| d.environment.as_str());
            entries.push(map::run_entry(
                run,
                raw.clone(),
                &RunContext {
                    repo,
                    service,
                    failed_jobs: failed.get(&run.id).map(Vec::as_slice),
                    flaky: flaky.get(&run.id),
                    environment,
                },
            ));
        }
        for (d, raw, statuses) in &deployments {
            entries.push(map::deployment_entry(
                d,
                statuses,
                raw.clone(),
                repo,
                service,
            ));
        }
        Ok(entries)
    }
}

/// The items of a list answer: the array under `key`, or the body itself when `key` is empty.
fn items_of(raw: Value, key: &str, path: &str) -> Result<Vec<Value>, SourceError> {
    let list = if key.is_empty() {
        raw
    } else {
        match raw {
            Value::Object(mut o) => o.remove(key).unwrap_or(Value::Null),
            other => other,
        }
    };
    match list {
        Value::Array(items) => Ok(items),
        other => Err(SourceError::Decode {
            vendor: "GitHub",
            path: format!("/{}", path.trim_start_matches('/')),
            detail: format!(
                "expected a list{}, got {}",
                if key.is_empty() {
                    String::new()
                } else {
                    format!(" under `{key}`")
                },
                kind_of(&other)
            ),
        }),
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn digest(entry: &NewEntry) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(entry.title.as_bytes());
    h.update(format!("{:?}{:?}{:?}", entry.status, entry.severity, entry.ended_at).as_bytes());
    h.update(entry.details.to_string().as_bytes());
    h.update(entry.url.as_deref().unwrap_or_default().as_bytes());
    h.finalize().into()
}

#[async_trait]
impl Source for GithubSource {
    fn name(&self) -> &str {
        &self.name
    }

    fn kind(&self) -> SourceKind {
        SourceKind::Github
    }

    async fn poll(&self, ctx: &PollContext) -> Result<PollOutput, SourceError> {
        let mut entries = Vec::new();
        for repo in &self.repos {
            entries.extend(self.poll_repo(repo, ctx).await?);
        }
        let mut state = self.state();
        entries.retain(|e| state.emitted.get(&e.external_id) != Some(&digest(e)));
        for e in &entries {
            state.emitted.insert(e.external_id.clone(), digest(e));
        }
        Ok(PollOutput {
            entries,
            cursor: None,
            me: None,
            oncall: None,
            silences: None,
        })
    }

    fn budget(&self) -> Option<Budget> {
        Some(self.client.budget())
    }

    async fn plan_action(
        &self,
        request: &ActionRequest,
        ctx: &ActionContext,
    ) -> Result<Effect, ActionError> {
        actions::plan(self, request, ctx).await
    }

    async fn execute_action(
        &self,
        request: &ActionRequest,
        ctx: &ActionContext,
    ) -> Result<String, ActionError> {
        actions::execute(self, request, ctx).await
    }
}
