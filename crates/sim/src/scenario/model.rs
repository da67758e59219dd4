//! The loaded scenario: its declarations and its events, all validated.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;

use super::event::Event;
use super::time::{instant_in, ScenarioTime, TimeError};

#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    pub version: u32,
    pub name: String,
    pub summary: String,
    pub clock: Clock,
    pub me: Person,
    pub people: Vec<Person>,
    pub oncall: Vec<OnCallShift>,
    pub services: Vec<Service>,
    pub clusters: Vec<Cluster>,
    pub events: Vec<Event>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Clock {
    pub tz: Tz,
    pub day_starts: NaiveTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Person {
    pub name: String,
    pub email: String,
}

/// A PagerDuty on-call entry; `user` is the person's email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnCallShift {
    pub schedule: String,
    pub user: String,
    pub from: ScenarioTime,
    pub to: ScenarioTime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub name: String,
    pub pagerduty: Option<PagerDutyService>,
    pub kubernetes: Option<KubernetesWorkload>,
    pub github: Option<GitHubRepo>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PagerDutyService {
    pub id: String,
    pub escalation_policy: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KubernetesWorkload {
    pub context: String,
    pub namespace: String,
    pub deployment: String,
    pub replicas: u32,
    pub image: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitHubRepo {
    pub repo: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cluster {
    pub context: String,
    pub nodes: Vec<String>,
}

impl Scenario {
    /// `me` followed by `people`.
    pub fn everyone(&self) -> impl Iterator<Item = &Person> {
        std::iter::once(&self.me).chain(self.people.iter())
    }

    pub fn person(&self, email: &str) -> Option<&Person> {
        self.everyone().find(|p| p.email == email)
    }

    pub fn service(&self, name: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.name == name)
    }

    /// The instant of scenario time `t` when the day is replayed on `date`.
    pub fn instant(&self, date: NaiveDate, t: ScenarioTime) -> DateTime<Utc> {
        instant_in(self.clock.tz, date, t)
    }

    /// The instant at which the replayed day begins (`clock.day_starts` on `date`).
    pub fn day_start(&self, date: NaiveDate) -> DateTime<Utc> {
        self.instant(
            date,
            ScenarioTime {
                day_offset: 0,
                time: self.clock.day_starts,
            },
        )
    }

    /// Reads a scenario time such as `"14:50"` or `"+1 04:00"` (the `--at` flag) under this
    /// scenario's `day_starts` rule.
    pub fn parse_time(&self, text: &str) -> Result<ScenarioTime, TimeError> {
        ScenarioTime::parse(text, self.clock.day_starts)
    }

    /// The instant of event `index`, if there is such an event.
    pub fn event_instant(&self, date: NaiveDate, index: usize) -> Option<DateTime<Utc>> {
        self.events.get(index).map(|e| self.instant(date, e.at))
    }
}
