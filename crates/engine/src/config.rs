//! The configuration file (TOML, `version = 1`). Every key is documented in the README's
//! "Configuration" section; unknown keys are errors that name the key.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, NaiveTime, Utc};
use opsdeck_domain::{LowUrgency, NotifyPolicy, QuietHours, SourceKind};
use serde::{Deserialize, Serialize};

use crate::clock::ScaledClock;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config {path}: {message}")]
    Invalid { path: PathBuf, message: String },
    #[error("cannot write config {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub version: u32,
    /// IANA zone that defines "Today"; default: the system's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// Who I am (email), when the sources cannot tell.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub me: Option<String>,
    /// Present only in configs written by `opsdeck sim`: the simulated clock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock: Option<ClockConfig>,
    #[serde(default)]
    pub sources: Vec<SourceConfig>,
    #[serde(default)]
    pub services: Vec<ServiceConfig>,
    #[serde(default)]
    pub notifications: NotificationsConfig,
    #[serde(default)]
    pub actions: ActionsConfig,
    #[serde(default)]
    pub desktop: DesktopConfig,
    #[serde(default)]
    pub changes: ChangesConfig,
    #[serde(default, skip_serializing_if = "RunbooksConfig::is_default")]
    pub runbooks: RunbooksConfig,
    #[serde(default, skip_serializing_if = "ShiftsConfig::is_default")]
    pub shifts: ShiftsConfig,
    #[serde(default, skip_serializing_if = "HistoryConfig::is_default")]
    pub history: HistoryConfig,
}

/// Shifts and their handoff reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShiftsConfig {
    /// Office hours ("HH:MM", local) on `working_days`: pages outside them count as out of
    /// hours in the handoff.
    #[serde(default = "default_work_start")]
    pub working_hours_start: NaiveTime,
    #[serde(default = "default_work_end")]
    pub working_hours_end: NaiveTime,
    /// Lower-case English weekday names: "mon" … "sun".
    #[serde(default = "default_work_days")]
    pub working_days: Vec<WeekdayName>,
}

/// A weekday as written in the config.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WeekdayName {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl From<WeekdayName> for chrono::Weekday {
    fn from(d: WeekdayName) -> chrono::Weekday {
        match d {
            WeekdayName::Mon => chrono::Weekday::Mon,
            WeekdayName::Tue => chrono::Weekday::Tue,
            WeekdayName::Wed => chrono::Weekday::Wed,
            WeekdayName::Thu => chrono::Weekday::Thu,
            WeekdayName::Fri => chrono::Weekday::Fri,
            WeekdayName::Sat => chrono::Weekday::Sat,
            WeekdayName::Sun => chrono::Weekday::Sun,
        }
    }
}

fn default_work_start() -> NaiveTime {
    opsdeck_domain::WorkingHours::default().start
}
fn default_work_end() -> NaiveTime {
    opsdeck_domain::WorkingHours::default().end
}
fn default_work_days() -> Vec<WeekdayName> {
    use WeekdayName::*;
    vec![Mon, Tue, Wed, Thu, Fri]
}

impl Default for ShiftsConfig {
    fn default() -> Self {
        ShiftsConfig {
            working_hours_start: default_work_start(),
            working_hours_end: default_work_end(),
            working_days: default_work_days(),
        }
    }
}

impl ShiftsConfig {
    fn is_default(&self) -> bool {
        *self == ShiftsConfig::default()
    }

    pub fn working_hours(&self) -> opsdeck_domain::WorkingHours {
        opsdeck_domain::WorkingHours {
            start: self.working_hours_start,
            end: self.working_hours_end,
            days: self.working_days.iter().map(|d| (*d).into()).collect(),
        }
    }
}

/// How long the cache keeps the past.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryConfig {
    /// Entries, runs, shifts and silences older than this are deleted (and the file
    /// vacuumed) once a day; "365d" by default. Open pages are kept whatever their age.
    #[serde(default = "default_retention", with = "humantime_serde")]
    pub retention: Duration,
}

fn default_retention() -> Duration {
    Duration::from_secs(365 * 86_400)
}

impl Default for HistoryConfig {
    fn default() -> Self {
        HistoryConfig {
            retention: default_retention(),
        }
    }
}

impl HistoryConfig {
    fn is_default(&self) -> bool {
        *self == HistoryConfig::default()
    }

    pub fn retention(&self) -> chrono::Duration {
        chrono::Duration::from_std(self.retention).unwrap_or(chrono::Duration::days(365))
    }
}

/// Where runbooks are read from.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunbooksConfig {
    /// Folders of Markdown runbooks (a checkout of the team's runbook repository is the usual
    /// one), read recursively; `~/` is the home folder, other relative paths are beside the
    /// config. Empty: `$XDG_DATA_HOME/opsdeck/runbooks`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub folders: Vec<PathBuf>,
}

impl RunbooksConfig {
    fn is_default(&self) -> bool {
        self.folders.is_empty()
    }

    /// The folders to read: the configured ones, else the default.
    pub fn folders(&self) -> Vec<PathBuf> {
        if self.folders.is_empty() {
            vec![crate::paths::default_runbooks_dir()]
        } else {
            self.folders.clone()
        }
    }
}

/// "What changed?" before an alert or a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangesConfig {
    /// How far back from an alert or page to look for deploys, CI runs, scaling, annotations.
    #[serde(default = "default_changes_window", with = "humantime_serde")]
    pub window: Duration,
}

fn default_changes_window() -> Duration {
    Duration::from_secs(60 * opsdeck_domain::DEFAULT_WINDOW_MINUTES as u64)
}

impl Default for ChangesConfig {
    fn default() -> Self {
        ChangesConfig {
            window: default_changes_window(),
        }
    }
}

impl ChangesConfig {
    pub fn window(&self) -> chrono::Duration {
        chrono::Duration::from_std(self.window).unwrap_or(chrono::Duration::hours(1))
    }
}

/// The desktop app's own preferences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DesktopConfig {
    /// Start opsdeck (in the tray) when I log in.
    #[serde(default)]
    pub start_at_login: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionsConfig {
    /// How long a plan's confirmation token works (real time).
    #[serde(default = "default_token_lifetime", with = "humantime_serde")]
    pub token_lifetime: Duration,
}

fn default_token_lifetime() -> Duration {
    Duration::from_secs(120)
}

impl Default for ActionsConfig {
    fn default() -> Self {
        ActionsConfig {
            token_lifetime: default_token_lifetime(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClockConfig {
    /// The simulated instant at `real_at`.
    pub simulated_at: DateTime<Utc>,
    /// The wall-clock instant the simulator started.
    pub real_at: DateTime<Utc>,
    /// Simulated seconds per real second; 0 = frozen.
    pub speed: f64,
}

impl ClockConfig {
    pub fn clock(&self) -> ScaledClock {
        ScaledClock {
            simulated_at: self.simulated_at,
            real_at: self.real_at,
            speed: self.speed,
        }
    }
}

/// Re-exported: the protection levels are domain rules ([`opsdeck_domain::check_confirmation`]).
pub use opsdeck_domain::Protection;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    pub kind: SourceKind,
    /// Unique among sources; defaults to the kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Kubernetes only: the kubeconfig file and the context to use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubeconfig: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// A literal token: allowed for loopback URLs only (the simulator's throwaway token).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// The environment variable holding the token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_env: Option<String>,
    /// The OS keychain entry holding the token (`opsdeck auth set NAME` writes it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_keyring: Option<String>,
    #[serde(default)]
    pub protection: Protection,
    #[serde(default = "default_poll_interval", with = "humantime_serde")]
    pub poll_interval: Duration,
    #[serde(default = "default_timeout", with = "humantime_serde")]
    pub timeout: Duration,
    /// How far the first sync on an empty cache reaches back.
    #[serde(default = "default_backfill", with = "humantime_serde")]
    pub backfill: Duration,
    /// The quick poll for new pages, between full polls; "0s" turns it off.
    #[serde(default = "default_fast_poll_interval", with = "humantime_serde")]
    pub fast_poll_interval: Duration,
    /// The fraction of the vendor's per-user request budget opsdeck may spend, in (0, 1].
    #[serde(default = "default_budget_share")]
    pub budget_share: f64,
    /// Alertmanager only: the Prometheus source (by name) whose `ALERTS` series tell what fired
    /// and resolved while opsdeck was not polling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backfill_from: Option<String>,
    /// GitHub only: repositories (`owner/name`) to watch besides those `[[services]]` map.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub repos: Vec<String>,
}

/// GitHub's REST API, when a github source names no `url` (GitHub Enterprise:
/// `https://HOST/api/v3`).
pub const GITHUB_API: &str = "https://api.github.com";

/// PagerDuty allows 960 requests per minute per user, across all of that user's tokens.
pub const PAGERDUTY_PER_MINUTE: u32 = 960;

// The budget at the defaults, for PagerDuty: a share of 0.10 is 960 × 0.10 = 96 requests/min.
// The quick poll every 3 s is 20/min (one list request; a new page adds its log entries once).
// The full poll every 30 s is 2/min × (2 list requests + 1 log-entries request per changed
// incident) — about 4–10/min on a busy night — plus the on-call entries every 5 minutes
// (about 1/min) and `users/me` once. That is roughly 25–35 of the 96, leaving room for actions
// and a burst of changes; the rate limiter holds the 96 whatever happens.
fn default_poll_interval() -> Duration {
    Duration::from_secs(30)
}
fn default_fast_poll_interval() -> Duration {
    Duration::from_secs(3)
}
fn default_budget_share() -> f64 {
    0.10
}
fn default_timeout() -> Duration {
    Duration::from_secs(10)
}
fn default_backfill() -> Duration {
    Duration::from_secs(24 * 3600)
}

impl SourceConfig {
    pub fn name(&self) -> &str {
        self.name.as_deref().unwrap_or(self.kind.as_str())
    }

    /// The most requests per minute this source may send: the vendor's per-user limit times
    /// `budget_share` (at least 1); `None` for vendors without a known per-user limit.
    pub fn max_per_minute(&self) -> Option<u32> {
        let vendor = match self.kind {
            SourceKind::Pagerduty => PAGERDUTY_PER_MINUTE,
            _ => return None,
        };
        // The epsilon keeps 960 × 0.1 (= 96.00000000000001) and 960 × 0.3 (= 287.99…) whole.
        let share = (f64::from(vendor) * self.budget_share + 1e-9).floor();
        Some((share as u32).clamp(1, vendor))
    }

    /// The quick poll's interval, or `None` when it is off: turned off with "0s", or no
    /// quicker than the full poll, which already asks for everything that often.
    pub fn fast_poll(&self) -> Option<Duration> {
        let fast = self.fast_poll_interval;
        (!fast.is_zero() && fast < self.poll_interval).then_some(fast)
    }

    /// Requests a minute the quick poll makes, kept aside from the budget for it.
    pub fn fast_poll_per_minute(&self) -> Option<u32> {
        self.fast_poll()
            .map(|fast| (60.0 / fast.as_secs_f64()).ceil() as u32)
    }

    pub fn new(kind: SourceKind, url: &str) -> SourceConfig {
        SourceConfig {
            kind,
            name: None,
            url: Some(url.to_string()),
            kubeconfig: None,
            context: None,
            token: None,
            token_env: None,
            token_keyring: None,
            protection: Protection::default(),
            poll_interval: default_poll_interval(),
            timeout: default_timeout(),
            backfill: default_backfill(),
            fast_poll_interval: default_fast_poll_interval(),
            budget_share: default_budget_share(),
            backfill_from: None,
            repos: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceConfig {
    pub name: String,
    /// The PagerDuty service id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pagerduty: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubernetes: Option<KubernetesTarget>,
    /// `owner/repo`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub github: Option<String>,
    /// The service's vitals: PromQL queries, and its SLO.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prometheus: Option<ServiceVitals>,
}

/// PromQL queries for a service's vitals panel; each gives one value over time (a query that
/// gives several series shows the first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceVitals {
    /// The Prometheus source to ask; default: the only one configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Failed requests per request (0–1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_rate: Option<String>,
    /// Seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_p99: Option<String>,
    /// Used per available (0–1): CPU, connections, queue depth…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saturation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slo: Option<SloConfig>,
}

impl ServiceVitals {
    /// The configured queries by vital name, in display order.
    pub fn queries(&self) -> Vec<(&'static str, &str)> {
        opsdeck_domain::VITAL_NAMES
            .iter()
            .filter_map(|name| {
                let query = match *name {
                    "error_rate" => self.error_rate.as_deref(),
                    "latency_p99" => self.latency_p99.as_deref(),
                    _ => self.saturation.as_deref(),
                };
                Some((*name, query?))
            })
            .collect()
    }
}

/// An availability objective over a rolling window, measured with the `error_rate` query:
/// attainment is 1 − its average over the window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SloConfig {
    /// A fraction: 0.999 for 99.9 %.
    pub objective: f64,
    #[serde(default = "default_slo_window", with = "humantime_serde")]
    pub window: Duration,
}

fn default_slo_window() -> Duration {
    Duration::from_secs(30 * 24 * 3600)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KubernetesTarget {
    pub context: String,
    pub namespace: String,
    pub deployment: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotificationsConfig {
    /// Desktop notifications for pages.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Low-urgency pages assigned to me: `quiet` (one silent notification) or `none`.
    #[serde(default)]
    pub low_urgency: LowUrgency,
    /// Re-notify a high-urgency page until it is acknowledged; "0s" turns reminders off.
    #[serde(default = "default_remind_every", with = "humantime_serde")]
    pub remind_every: Duration,
    /// Local times ("22:00" to "07:00") when only high urgency notifies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quiet_hours: Option<QuietHoursConfig>,
    /// This many new pages at once give one summary (plus one per high-urgency page).
    #[serde(default = "default_batch_from")]
    pub batch_from: usize,
    /// Raise an alarm when a source has failed this long while I am on call.
    #[serde(default = "default_self_alarm_after", with = "humantime_serde")]
    pub self_alarm_after: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuietHoursConfig {
    /// "HH:MM", local time.
    pub start: NaiveTime,
    pub end: NaiveTime,
}

fn default_remind_every() -> Duration {
    Duration::from_secs(300)
}
fn default_batch_from() -> usize {
    3
}
fn default_self_alarm_after() -> Duration {
    Duration::from_secs(300)
}

impl Default for NotificationsConfig {
    fn default() -> Self {
        NotificationsConfig {
            enabled: true,
            low_urgency: LowUrgency::default(),
            remind_every: default_remind_every(),
            quiet_hours: None,
            batch_from: default_batch_from(),
            self_alarm_after: default_self_alarm_after(),
        }
    }
}

impl NotificationsConfig {
    pub fn policy(&self) -> NotifyPolicy {
        NotifyPolicy {
            low_urgency: self.low_urgency,
            remind_every: (!self.remind_every.is_zero()).then_some(self.remind_every),
            quiet_hours: self.quiet_hours.map(|q| QuietHours {
                start: q.start,
                end: q.end,
            }),
            batch_from: self.batch_from,
        }
    }
}

fn yes() -> bool {
    true
}

impl Config {
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.into(),
            source,
        })?;
        Config::parse(&text, path)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let invalid = |message: String| ConfigError::Invalid {
            path: path.into(),
            message,
        };
        let mut config: Config =
            toml::from_str(text).map_err(|e| invalid(e.to_string().trim_end().to_string()))?;
        // `~/` is the home folder, as in kubectl's own paths; another relative kubeconfig is
        // beside the config, wherever opsdeck runs from.
        let home = directories::BaseDirs::new().map(|b| b.home_dir().to_path_buf());
        let resolve = |k: &mut PathBuf| {
            if !k.is_relative() {
                return;
            }
            match (k.strip_prefix("~"), &home, path.parent()) {
                (Ok(rest), Some(home), _) => *k = home.join(rest),
                (Err(_), _, Some(dir)) => *k = dir.join(&*k),
                _ => {}
            }
        };
        for s in &mut config.sources {
            if let Some(k) = s.kubeconfig.as_mut() {
                resolve(k);
            }
        }
        for folder in &mut config.runbooks.folders {
            resolve(folder);
        }
        if config.version != 1 {
            return Err(invalid(format!(
                "unsupported version {} (this opsdeck reads version = 1)",
                config.version
            )));
        }
        if let Some(tz) = &config.timezone {
            tz.parse::<chrono_tz::Tz>()
                .map_err(|_| invalid(format!("timezone: unknown IANA zone {tz:?}")))?;
        }
        let window = config.changes.window;
        if window.is_zero() || window > Duration::from_secs(24 * 3600) {
            return Err(invalid(format!(
                "changes.window: {} is out of range; give a duration from 1m to 24h (default 1h)",
                humantime_serde::re::humantime::format_duration(window)
            )));
        }
        validate_vitals(&config).map_err(invalid)?;
        if config.history.retention < Duration::from_secs(86_400) {
            return Err(invalid(format!(
                "history.retention: {} is too short; give at least 1d (default 365d)",
                humantime_serde::re::humantime::format_duration(config.history.retention)
            )));
        }
        let hours = &config.shifts;
        if hours.working_hours_start >= hours.working_hours_end {
            return Err(invalid(format!(
                "shifts.working_hours_start ({}) must be before shifts.working_hours_end ({})",
                hours.working_hours_start.format("%H:%M"),
                hours.working_hours_end.format("%H:%M")
            )));
        }
        let mut names = std::collections::HashSet::new();
        for (i, s) in config.sources.iter().enumerate() {
            let at = format!("sources[{i}] ({})", s.name());
            if !names.insert(s.name().to_string()) {
                return Err(invalid(format!(
                    "{at}: duplicate source name; give each source a distinct `name`"
                )));
            }
            match (s.kind, &s.url) {
                (SourceKind::Kubernetes, _) => {
                    if s.context.is_none() {
                        return Err(invalid(format!(
                            "{at}: kubernetes sources need `context` (a context of the kubeconfig)"
                        )));
                    }
                    if s.url.is_some()
                        || s.token.is_some()
                        || s.token_env.is_some()
                        || s.token_keyring.is_some()
                    {
                        return Err(invalid(format!(
                            "{at}: kubernetes sources take `kubeconfig` and `context`, not `url` \
                             or a token: the kubeconfig names the server and the credentials"
                        )));
                    }
                }
                (_, _) if !s.repos.is_empty() && s.kind != SourceKind::Github => {
                    return Err(invalid(format!("{at}: `repos` is for github sources only")))
                }
                (_, _) if s.kubeconfig.is_some() || s.context.is_some() => {
                    return Err(invalid(format!(
                        "{at}: `kubeconfig` and `context` are for kubernetes sources only"
                    )))
                }
                (SourceKind::Opsdeck, _) => {
                    return Err(invalid(format!(
                        "{at}: `opsdeck` is not a configurable source"
                    )))
                }
                // github.com's API unless a GitHub Enterprise URL is given.
                (SourceKind::Github, None) => {
                    if s.token.is_some() {
                        return Err(invalid(format!(
                            "{at}: a literal `token` is allowed only for loopback URLs; use \
                             `token_env` or `token_keyring` (or GITHUB_TOKEN, or `gh auth login`)"
                        )));
                    }
                }
                (_, None) => return Err(invalid(format!("{at}: missing `url`"))),
                (_, Some(url)) => {
                    let parsed = url::Url::parse(url)
                        .map_err(|e| invalid(format!("{at}: url {url:?}: {e}")))?;
                    if !matches!(parsed.scheme(), "http" | "https") {
                        return Err(invalid(format!(
                            "{at}: url must start with http:// or https://, not {}:",
                            parsed.scheme()
                        )));
                    }
                    // A password in the URL would be a secret in the config file, and would
                    // show wherever the URL does (error messages name it).
                    if !parsed.username().is_empty() || parsed.password().is_some() {
                        return Err(invalid(format!(
                            "{at}: url must not carry credentials (user:password@); put the \
                             token in `token_env` or `token_keyring` instead"
                        )));
                    }
                    if s.token.is_some() && !is_loopback(&parsed) {
                        return Err(invalid(format!(
                            "{at}: a literal `token` is allowed only for loopback URLs; use `token_env` or \
                             `token_keyring` (store it with `opsdeck auth set {}`)",
                            s.name()
                        )));
                    }
                }
            }
            if s.poll_interval < Duration::from_secs(1) {
                return Err(invalid(format!("{at}: poll_interval must be at least 1s")));
            }
            if !(s.budget_share > 0.0 && s.budget_share <= 1.0) {
                return Err(invalid(format!(
                    "{at}: budget_share must be a fraction in (0, 1] of the vendor's per-user \
                     request budget (0.1 = 10 %), got {}",
                    s.budget_share
                )));
            }
            if let Some(fast) = s.fast_poll() {
                // The quick poll may take at most half the budget: the full poll needs the rest.
                if let Some(allowed) = s.max_per_minute() {
                    let quick = Duration::from_secs(60).as_secs_f64() / fast.as_secs_f64();
                    if quick > f64::from(allowed) / 2.0 {
                        let slowest_ok = Duration::from_secs(120)
                            .checked_div(allowed)
                            .unwrap_or(Duration::from_secs(120));
                        return Err(invalid(format!(
                            "{at}: fast_poll_interval ({}) would spend {quick:.0} of the {allowed} \
                             requests/min that budget_share = {} allows; quick polls may take at \
                             most half of it (fast_poll_interval of at least {}), or raise \
                             budget_share",
                            humantime_serde::re::humantime::format_duration(fast),
                            s.budget_share,
                            humantime_serde::re::humantime::format_duration(slowest_ok)
                        )));
                    }
                }
            }
        }
        Ok(config)
    }

    /// Writes atomically (temp file + rename) so a reader never sees half a config.
    pub fn save(&self, path: &Path) -> Result<(), ConfigError> {
        let text = toml::to_string_pretty(self).map_err(|e| ConfigError::Invalid {
            path: path.into(),
            message: e.to_string(),
        })?;
        write_atomically(path, text.as_bytes()).map_err(|source| ConfigError::Write {
            path: path.into(),
            source,
        })
    }

    pub fn timezone(&self) -> chrono_tz::Tz {
        self.timezone
            .as_deref()
            .and_then(|t| t.parse().ok())
            .unwrap_or_else(system_timezone)
    }

    pub fn is_simulated(&self) -> bool {
        self.clock.is_some()
    }
}

/// Each service's `prometheus` table: something to show, a sane SLO, a source that exists.
fn validate_vitals(config: &Config) -> Result<(), String> {
    let prometheus: Vec<&str> = config
        .sources
        .iter()
        .filter(|s| s.kind == SourceKind::Prometheus)
        .map(SourceConfig::name)
        .collect();
    for (i, s) in config.sources.iter().enumerate() {
        let Some(from) = &s.backfill_from else {
            continue;
        };
        let at = format!("sources[{i}] ({}).backfill_from", s.name());
        if s.kind != SourceKind::Alertmanager {
            return Err(format!(
                "{at}: only alertmanager sources backfill from Prometheus"
            ));
        }
        if !prometheus.contains(&from.as_str()) {
            return Err(format!(
                "{at}: no source named {from:?} of kind prometheus (there are: {})",
                if prometheus.is_empty() {
                    "none".to_string()
                } else {
                    prometheus.join(", ")
                }
            ));
        }
    }
    for (i, svc) in config.services.iter().enumerate() {
        let Some(vitals) = &svc.prometheus else {
            continue;
        };
        let at = format!("services[{i}] ({}).prometheus", svc.name);
        if vitals.queries().is_empty() {
            return Err(format!(
                "{at}: give at least one of error_rate, latency_p99, saturation (PromQL)"
            ));
        }
        if let Some((name, _)) = vitals.queries().iter().find(|(_, q)| q.trim().is_empty()) {
            return Err(format!("{at}.{name}: the query is empty"));
        }
        if let Some(slo) = &vitals.slo {
            if !(slo.objective > 0.0 && slo.objective < 1.0) {
                return Err(format!(
                    "{at}.slo.objective: {} is not a fraction between 0 and 1 (write 0.999 for \
                     99.9 %)",
                    slo.objective
                ));
            }
            if vitals.error_rate.is_none() {
                return Err(format!(
                    "{at}.slo: an SLO is measured with the error_rate query; add one"
                ));
            }
            let window = slo.window.as_secs();
            if !(3600..=400 * 24 * 3600).contains(&window) {
                return Err(format!(
                    "{at}.slo.window: {} is out of range; give a duration from 1h to 400d",
                    humantime_serde::re::humantime::format_duration(slo.window)
                ));
            }
        }
        match &vitals.source {
            Some(name) if !prometheus.contains(&name.as_str()) => {
                return Err(format!(
                    "{at}.source: no source named {name:?} of kind prometheus (there are: {})",
                    if prometheus.is_empty() {
                        "none".to_string()
                    } else {
                        prometheus.join(", ")
                    }
                ));
            }
            None if prometheus.len() > 1 => {
                return Err(format!(
                    "{at}: several Prometheus sources are configured ({}); name one with `source`",
                    prometheus.join(", ")
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

/// The machine's zone (UTC when it cannot be told).
pub fn system_timezone() -> chrono_tz::Tz {
    iana_time_zone::get_timezone()
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(chrono_tz::UTC)
}

pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("config"),
        std::process::id()
    ));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

pub fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, String> {
        Config::parse(text, Path::new("test.toml")).map_err(|e| e.to_string())
    }

    #[test]
    fn a_full_config_parses_with_defaults() {
        let c = parse(
            r#"
            version = 1
            timezone = "Europe/Berlin"
            [[sources]]
            kind = "pagerduty"
            url = "https://api.pagerduty.com"
            token_env = "PAGERDUTY_TOKEN"
            poll_interval = "1m"
            [[services]]
            name = "payments-api"
            pagerduty = "PPAYAPI"
            "#,
        )
        .unwrap();
        assert_eq!(c.sources[0].name(), "pagerduty");
        assert_eq!(c.sources[0].poll_interval, Duration::from_secs(60));
        assert_eq!(c.sources[0].backfill, Duration::from_secs(86400));
        assert_eq!(c.sources[0].protection, Protection::Confirm);
        assert!(c.notifications.enabled);
        assert_eq!(c.timezone(), chrono_tz::Europe::Berlin);
    }

    #[test]
    fn kubernetes_sources_take_a_kubeconfig_and_context_not_a_url() {
        let text = "version = 1\n[[sources]]\nkind = \"kubernetes\"\nname = \"prod-eu\"\n\
                    kubeconfig = \"clusters/kubeconfig\"\ncontext = \"prod-eu\"\n";
        let c = Config::parse(text, Path::new("/etc/opsdeck/config.toml")).unwrap();
        assert_eq!(
            c.sources[0].kubeconfig.as_deref(),
            Some(Path::new("/etc/opsdeck/clusters/kubeconfig")),
            "relative to the config's folder"
        );
        let home = Config::parse(
            &text.replace("clusters/kubeconfig", "~/.kube/work.yaml"),
            Path::new("/etc/opsdeck/config.toml"),
        )
        .unwrap();
        let home_dir = directories::BaseDirs::new()
            .unwrap()
            .home_dir()
            .to_path_buf();
        assert_eq!(
            home.sources[0].kubeconfig.as_deref(),
            Some(home_dir.join(".kube/work.yaml").as_path())
        );
        let e = parse(&format!("{text}url = \"https://k8s.example.test\"\n")).unwrap_err();
        assert!(e.contains("not `url`"), "{e}");
        let e = parse("version = 1\n[[sources]]\nkind = \"kubernetes\"\n").unwrap_err();
        assert!(e.contains("need `context`"), "{e}");
        let e = parse(
            "version = 1\n[[sources]]\nkind = \"pagerduty\"\nurl = \"http://127.0.0.1:1\"\n\
             context = \"prod-eu\"\n",
        )
        .unwrap_err();
        assert!(e.contains("kubernetes sources only"), "{e}");
    }

    #[test]
    fn unknown_keys_are_named() {
        let e = parse("version = 1\n[[sources]]\nkind = \"pagerduty\"\nurl = \"http://127.0.0.1:1\"\ntokn = \"x\"\n").unwrap_err();
        assert!(e.contains("tokn"), "{e}");
        assert!(e.contains("test.toml"), "{e}");
    }

    #[test]
    fn literal_tokens_only_for_loopback() {
        let ok = parse("version = 1\n[[sources]]\nkind = \"pagerduty\"\nurl = \"http://127.0.0.1:9\"\ntoken = \"sim\"\n");
        assert!(ok.is_ok(), "{ok:?}");
        let e = parse("version = 1\n[[sources]]\nkind = \"pagerduty\"\nurl = \"https://api.pagerduty.com\"\ntoken = \"secret\"\n").unwrap_err();
        assert!(e.contains("loopback"), "{e}");
        assert!(!e.contains("secret"), "the token must not be echoed: {e}");
    }

    #[test]
    fn bad_versions_zones_and_duplicates_are_errors() {
        assert!(parse("version = 2\n").unwrap_err().contains("version 2"));
        assert!(parse("version = 1\ntimezone = \"Mars/Olympus\"\n")
            .unwrap_err()
            .contains("Mars/Olympus"));
        let dup = "version = 1\n[[sources]]\nkind = \"pagerduty\"\nurl = \"http://127.0.0.1:1\"\n[[sources]]\nkind = \"pagerduty\"\nurl = \"http://127.0.0.1:2\"\n";
        assert!(parse(dup).unwrap_err().contains("duplicate"));
        assert!(parse("version = 1\n[[sources]]\nkind = \"pagerduty\"\n")
            .unwrap_err()
            .contains("missing `url`"));
    }

    #[test]
    fn save_then_load_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/opsdeck.toml");
        let mut c = parse("version = 1\n").unwrap();
        let mut s = SourceConfig::new(SourceKind::Pagerduty, "http://127.0.0.1:4000");
        s.token = Some("sim".into());
        c.sources.push(s);
        c.save(&path).unwrap();
        assert_eq!(Config::load(&path).unwrap(), c);
    }

    #[test]
    fn the_what_changed_window() {
        let base = "version = 1\n";
        assert_eq!(
            parse(base).unwrap().changes.window(),
            chrono::Duration::hours(1)
        );
        let c = parse(&format!("{base}[changes]\nwindow = \"90m\"\n")).unwrap();
        assert_eq!(c.changes.window(), chrono::Duration::minutes(90));
        for bad in ["\"0s\"", "\"25h\"", "\"soon\""] {
            let err = parse(&format!("{base}[changes]\nwindow = {bad}\n")).unwrap_err();
            assert!(err.contains("window"), "{bad}: {err}");
        }
    }

    #[test]
    fn the_request_budget_and_the_quick_poll() {
        let pd = "version = 1\n[[sources]]\nkind = \"pagerduty\"\nurl = \"http://127.0.0.1:1\"\n";
        let defaults = &parse(pd).unwrap().sources[0];
        assert_eq!(defaults.budget_share, 0.10);
        assert_eq!(defaults.max_per_minute(), Some(96));
        assert_eq!(defaults.fast_poll_interval, Duration::from_secs(3));
        assert_eq!(defaults.fast_poll(), Some(Duration::from_secs(3)));

        let c = parse(&format!(
            "{pd}budget_share = 0.3\nfast_poll_interval = \"1s\"\n"
        ))
        .unwrap();
        assert_eq!(c.sources[0].max_per_minute(), Some(288));
        assert_eq!(c.sources[0].fast_poll(), Some(Duration::from_secs(1)));
        let all = parse(&format!("{pd}budget_share = 1\n")).unwrap();
        assert_eq!(all.sources[0].max_per_minute(), Some(960));
        // "0s" turns the quick poll off; so does one no quicker than the full poll.
        let off = parse(&format!("{pd}fast_poll_interval = \"0s\"\n")).unwrap();
        assert_eq!(off.sources[0].fast_poll(), None);
        let slow = parse(&format!(
            "{pd}poll_interval = \"5s\"\nfast_poll_interval = \"5s\"\n"
        ))
        .unwrap();
        assert_eq!(slow.sources[0].fast_poll(), None);

        for bad in ["0", "0.0", "-0.1", "1.5", "nan", "\"ten percent\""] {
            let err = parse(&format!("{pd}budget_share = {bad}\n")).unwrap_err();
            assert!(err.contains("budget_share"), "{bad}: {err}");
        }
        for (bad, says) in [
            ("fast_poll_interval = \"soon\"", vec!["fast_poll_interval"]),
            ("fast_poll_interval = 3", vec!["fast_poll_interval"]),
            // 60 quick polls a minute are more than half of 96.
            (
                "fast_poll_interval = \"1s\"",
                vec!["fast_poll_interval", "budget_share", "1s 250ms"],
            ),
            (
                "fast_poll_interval = \"200ms\"\nbudget_share = 0.5",
                vec!["fast_poll_interval", "300 of the 480"],
            ),
        ] {
            let err = parse(&format!("{pd}{bad}\n")).unwrap_err();
            for word in says {
                assert!(err.contains(word), "{bad}: {err} does not say {word}");
            }
        }
        // With the whole budget, 200 ms (300/min) is within half of 960.
        let quick = parse(&format!(
            "{pd}fast_poll_interval = \"200ms\"\nbudget_share = 1.0\n"
        ))
        .unwrap();
        assert_eq!(
            quick.sources[0].fast_poll(),
            Some(Duration::from_millis(200))
        );
    }

    #[test]
    fn notification_preferences() {
        let c = parse(
            "version = 1\n[notifications]\nlow_urgency = \"none\"\nremind_every = \"0s\"\n\
             batch_from = 5\nself_alarm_after = \"2m\"\n\
             quiet_hours = { start = \"22:00\", end = \"07:00\" }\n",
        )
        .unwrap();
        let p = c.notifications.policy();
        assert_eq!(p.low_urgency, LowUrgency::None);
        assert_eq!(p.remind_every, None);
        assert_eq!(p.batch_from, 5);
        let q = p.quiet_hours.unwrap();
        assert_eq!(q.start, NaiveTime::from_hms_opt(22, 0, 0).unwrap());
        assert_eq!(q.end, NaiveTime::from_hms_opt(7, 0, 0).unwrap());
        assert_eq!(c.notifications.self_alarm_after, Duration::from_secs(120));
        let d = parse("version = 1\n").unwrap().notifications.policy();
        assert_eq!(d, NotifyPolicy::default());
        for (bad, says) in [
            ("low_urgency = \"loud\"", "low_urgency"),
            (
                "quiet_hours = { start = \"25:00\", end = \"07:00\" }",
                "quiet_hours",
            ),
            ("remind_every = \"soon\"", "remind_every"),
        ] {
            let err = parse(&format!("version = 1\n[notifications]\n{bad}\n")).unwrap_err();
            assert!(err.contains(says), "{bad}: {err}");
        }
    }

    #[test]
    fn alertmanagers_backfill_from_a_named_prometheus() {
        let prom = "version = 1\n[[sources]]\nkind = \"prometheus\"\nname = \"prom\"\nurl = \"http://127.0.0.1:9090\"\n";
        let am = "[[sources]]\nkind = \"alertmanager\"\nurl = \"http://127.0.0.1:9093\"\n";
        let c = parse(&format!("{prom}{am}backfill_from = \"prom\"\n")).unwrap();
        assert_eq!(c.sources[1].backfill_from.as_deref(), Some("prom"));
        let err = parse(&format!("{prom}{am}backfill_from = \"thanos\"\n")).unwrap_err();
        assert!(
            err.contains("no source named \"thanos\" of kind prometheus"),
            "{err}"
        );
        let pd = "[[sources]]\nkind = \"pagerduty\"\nurl = \"http://127.0.0.1:9\"\ntoken = \"t\"\nbackfill_from = \"prom\"\n";
        let err = parse(&format!("{prom}{pd}")).unwrap_err();
        assert!(err.contains("only alertmanager sources"), "{err}");
    }

    #[test]
    fn service_vitals_are_checked_where_they_are_written() {
        let prom =
            "version = 1\n[[sources]]\nkind = \"prometheus\"\nurl = \"http://127.0.0.1:9090\"\n";
        let svc = "[[services]]\nname = \"pay\"\n[services.prometheus]\n";
        let c = parse(&format!(
            "{prom}{svc}error_rate = 'rate(errors[5m])'\nslo = {{ objective = 0.999 }}\n"
        ))
        .unwrap();
        let vitals = c.services[0].prometheus.as_ref().expect("vitals");
        assert_eq!(vitals.queries(), [("error_rate", "rate(errors[5m])")]);
        let slo = vitals.slo.as_ref().expect("slo");
        assert_eq!(
            slo.window,
            Duration::from_secs(30 * 24 * 3600),
            "30d by default"
        );

        for (body, says) in [
            ("", "at least one of error_rate"),
            ("error_rate = ' '\n", "error_rate: the query is empty"),
            (
                "error_rate = 'x'\nslo = { objective = 99.9 }\n",
                "write 0.999 for",
            ),
            (
                "latency_p99 = 'x'\nslo = { objective = 0.99 }\n",
                "measured with the error_rate query",
            ),
            (
                "error_rate = 'x'\nslo = { objective = 0.99, window = \"10m\" }\n",
                "from 1h to 400d",
            ),
            (
                "error_rate = 'x'\nsource = \"thanos\"\n",
                "no source named \"thanos\"",
            ),
            ("error_rate = 'x'\nqueries = 1\n", "unknown field `queries`"),
        ] {
            let err = parse(&format!("{prom}{svc}{body}")).unwrap_err();
            assert!(err.contains(says), "{body}: {err}");
            assert!(
                err.contains("services[0] (pay).prometheus") || says.starts_with("unknown"),
                "{err}"
            );
        }
        let two = format!(
            "{prom}[[sources]]\nkind = \"prometheus\"\nname = \"p2\"\nurl = \"http://127.0.0.1:9091\"\n{svc}error_rate = 'x'\n"
        );
        assert!(parse(&two).unwrap_err().contains("name one with `source`"));
    }

    #[test]
    fn alertmanager_sources_need_a_web_url_and_no_token() {
        let c = parse(
            "version = 1\n[[sources]]\nkind = \"alertmanager\"\nname = \"am-eu\"\n\
             url = \"https://alertmanager.eu.example.test\"\n[[sources]]\n\
             kind = \"alertmanager\"\nname = \"am-us\"\nurl = \"http://127.0.0.1:9093\"\n",
        )
        .unwrap();
        assert_eq!(c.sources[0].kind, SourceKind::Alertmanager);
        assert_eq!(c.sources[1].name(), "am-us");
        // No request budget: the quick poll's budget check does not apply.
        assert_eq!(c.sources[0].max_per_minute(), None);

        let am = "version = 1\n[[sources]]\nkind = \"alertmanager\"\n";
        for (bad, says) in [
            ("", "missing `url`"),
            ("url = \"alertmanager:9093\"\n", "http:// or https://"),
            ("url = \"ftp://alertmanager:9093\"\n", "not ftp:"),
            (
                "url = \"https://ops:hunter2@proxy.example.test/am\"\n",
                "must not carry credentials",
            ),
        ] {
            let err = parse(&format!("{am}{bad}")).unwrap_err();
            assert!(err.contains(says), "{bad}: {err}");
            assert!(!err.contains("hunter2"), "{err}");
        }
    }
}
