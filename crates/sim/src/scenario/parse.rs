//! Reading a scenario document: the top-level sections here, the events in `events/`.

use std::collections::BTreeSet;

use chrono_tz::Tz;
use yaml_serde::Value;

use super::declared::Declared;
use super::error::{ErrorKind, Location, ScenarioError};
use super::events::parse_events;
use super::fields::{type_name, Fields, Place};
use super::model::{
    Clock, Cluster, GitHubRepo, KubernetesWorkload, OnCallShift, PagerDutyService, Person,
    Scenario, Service,
};
use super::time::parse_clock;

const TOP_KEYS: &[&str] = &[
    "version", "name", "summary", "clock", "me", "people", "oncall", "services", "clusters",
    "events",
];

pub fn parse_str(text: &str, file: &str) -> Result<Scenario, ScenarioError> {
    let syntax = |e: yaml_serde::Error| {
        let location = e.location().map_or(Location::File, |l| Location::Line {
            line: l.line(),
            column: l.column(),
        });
        ScenarioError::new(file, location, None, ErrorKind::Syntax(e.to_string()))
    };
    let mut root: Value = yaml_serde::from_str(text).map_err(syntax)?;
    // Merge keys (`<<: *defaults`) let authors share event defaults.
    root.apply_merge().map_err(syntax)?;

    let top = Fields::of(&root, Place::section(file, ""), None)?;
    top.only(TOP_KEYS)?;
    let version = version(&top)?;
    let name = top.string("name")?;
    let summary = top.string("summary")?;
    let clock = clock(&top)?;
    let me = person(&top.nested_section("me")?)?;
    let people = people(&top, &me)?;
    let services = services(&top)?;
    let clusters = clusters(&top)?;
    let declared = Declared::new(&me, &people, &services, &clusters);
    let oncall = oncall(&top, &clock, &declared)?;
    let events = parse_events(&top, &clock, &declared)?;
    Ok(Scenario {
        version,
        name,
        summary,
        clock,
        me,
        people,
        oncall,
        services,
        clusters,
        events,
    })
}

impl<'a, 'f> Fields<'a, 'f> {
    /// A required mapping that is a section of its own (`clock`, `services[2].kubernetes`).
    fn nested_section(&self, key: &str) -> Result<Fields<'a, 'f>, ScenarioError> {
        Fields::of(self.required(key)?, self.place.child(key), Some(key))
    }

    fn opt_section(&self, key: &str) -> Result<Option<Fields<'a, 'f>>, ScenarioError> {
        self.get(key)
            .map(|v| Fields::of(v, self.place.child(key), Some(key)))
            .transpose()
    }

    /// Each item of the list under `key` as a section `key[i]`.
    fn sections(&self, key: &str) -> Result<Vec<Fields<'a, 'f>>, ScenarioError> {
        let list = self.list(key)?;
        list.iter()
            .enumerate()
            .map(|(i, item)| Fields::of(item, self.place.child(&format!("{key}[{i}]")), None))
            .collect()
    }
}

fn version(top: &Fields<'_, '_>) -> Result<u32, ScenarioError> {
    let value = top.required("version")?;
    match value {
        Value::Number(n) if n.as_u64() == Some(1) => Ok(1),
        Value::Number(n) => Err(top.error("version", ErrorKind::UnsupportedVersion(n.to_string()))),
        other => Err(top.error(
            "version",
            ErrorKind::WrongType {
                expected: "the integer 1",
                found: type_name(other),
            },
        )),
    }
}

fn clock(top: &Fields<'_, '_>) -> Result<Clock, ScenarioError> {
    let clock = top.nested_section("clock")?;
    clock.only(&["tz", "day_starts"])?;
    let tz_name = clock.string("tz")?;
    let tz: Tz = tz_name
        .parse()
        .map_err(|_| clock.error("tz", ErrorKind::UnknownTimeZone(tz_name.clone())))?;
    let day_starts_value = clock.required("day_starts")?;
    let Value::String(text) = day_starts_value else {
        return Err(clock.error(
            "day_starts",
            ErrorKind::WrongType {
                expected: "a quoted time such as \"05:00\"",
                found: type_name(day_starts_value),
            },
        ));
    };
    let day_starts = parse_clock(text).map_err(|reason| {
        clock.error(
            "day_starts",
            ErrorKind::BadTime {
                value: text.clone(),
                reason,
            },
        )
    })?;
    Ok(Clock { tz, day_starts })
}

fn person(fields: &Fields<'_, '_>) -> Result<Person, ScenarioError> {
    fields.only(&["name", "email"])?;
    let name = fields.string("name")?;
    let email = fields.string("email")?;
    if email == "me" {
        return Err(fields.error(
            "email",
            ErrorKind::Invalid("\"me\" is reserved for the cockpit's user".into()),
        ));
    }
    Ok(Person { name, email })
}

fn people(top: &Fields<'_, '_>, me: &Person) -> Result<Vec<Person>, ScenarioError> {
    let mut seen = BTreeSet::from([me.email.clone()]);
    let mut people = Vec::new();
    for fields in top.sections("people")? {
        let p = person(&fields)?;
        if !seen.insert(p.email.clone()) {
            return Err(fields.error("email", ErrorKind::Duplicate(p.email)));
        }
        people.push(p);
    }
    Ok(people)
}

fn services(top: &Fields<'_, '_>) -> Result<Vec<Service>, ScenarioError> {
    let mut names = BTreeSet::new();
    let mut pagerduty_ids = BTreeSet::new();
    let mut services = Vec::new();
    for fields in top.sections("services")? {
        fields.only(&["name", "pagerduty", "kubernetes", "github"])?;
        let name = fields.string("name")?;
        if !names.insert(name.clone()) {
            return Err(fields.error("name", ErrorKind::Duplicate(name)));
        }
        let pagerduty = match fields.opt_section("pagerduty")? {
            None => None,
            Some(pd) => {
                pd.only(&["id", "escalation_policy"])?;
                let id = pd.string("id")?;
                if !pagerduty_ids.insert(id.clone()) {
                    return Err(pd.error("id", ErrorKind::Duplicate(id)));
                }
                Some(PagerDutyService {
                    id,
                    escalation_policy: pd.string("escalation_policy")?,
                })
            }
        };
        let kubernetes = match fields.opt_section("kubernetes")? {
            None => None,
            Some(k8s) => {
                k8s.only(&["context", "namespace", "deployment", "replicas", "image"])?;
                Some(KubernetesWorkload {
                    context: k8s.string("context")?,
                    namespace: k8s.string("namespace")?,
                    deployment: k8s.string("deployment")?,
                    replicas: k8s.u32("replicas")?,
                    image: k8s.string("image")?,
                })
            }
        };
        let github = match fields.opt_section("github")? {
            None => None,
            Some(gh) => {
                gh.only(&["repo"])?;
                Some(GitHubRepo {
                    repo: gh.string("repo")?,
                })
            }
        };
        services.push(Service {
            name,
            pagerduty,
            kubernetes,
            github,
        });
    }
    Ok(services)
}

fn clusters(top: &Fields<'_, '_>) -> Result<Vec<Cluster>, ScenarioError> {
    let mut contexts = BTreeSet::new();
    let mut clusters = Vec::new();
    for fields in top.sections("clusters")? {
        fields.only(&["context", "nodes"])?;
        let context = fields.string("context")?;
        if !contexts.insert(context.clone()) {
            return Err(fields.error("context", ErrorKind::Duplicate(context)));
        }
        let nodes = fields.strings("nodes")?;
        let mut seen = BTreeSet::new();
        if let Some((i, node)) = nodes
            .iter()
            .enumerate()
            .find(|(_, n)| !seen.insert(n.as_str()))
        {
            return Err(fields.error(&format!("nodes[{i}]"), ErrorKind::Duplicate(node.clone())));
        }
        clusters.push(Cluster { context, nodes });
    }
    Ok(clusters)
}

fn oncall(
    top: &Fields<'_, '_>,
    clock: &Clock,
    declared: &Declared<'_>,
) -> Result<Vec<OnCallShift>, ScenarioError> {
    let mut shifts = Vec::new();
    for fields in top.sections("oncall")? {
        fields.only(&["schedule", "user", "from", "to"])?;
        let schedule = fields.string("schedule")?;
        let user = declared
            .person(&fields.string("user")?)
            .map_err(|kind| fields.error("user", kind))?;
        let from = fields.time("from", clock.day_starts)?;
        let to = fields.time("to", clock.day_starts)?;
        if to <= from {
            return Err(fields.error(
                "to",
                ErrorKind::Invalid(format!("the shift must end after it starts ({from})")),
            ));
        }
        shifts.push(OnCallShift {
            schedule,
            user,
            from,
            to,
        });
    }
    Ok(shifts)
}
