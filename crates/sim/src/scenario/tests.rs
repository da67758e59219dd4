use std::path::PathBuf;

use chrono::{NaiveDate, TimeZone, Utc};

use super::*;

const BASE: &str = r#"version: 1
name: test-day
summary: a small day for loader tests
clock: {tz: UTC, day_starts: "05:00"}
me: {name: Me Myself, email: me@example.test}
people:
  - {name: Pat Doe, email: pat@example.test}
oncall:
  - {schedule: Primary, user: me, from: "05:00", to: "+1 05:00"}
services:
  - name: api
    pagerduty: {id: PAPI, escalation_policy: Primary}
    kubernetes: {context: prod, namespace: web, deployment: api, replicas: 2, image: "img:1"}
  - name: db
    pagerduty: {id: PDB, escalation_policy: Primary}
  - name: edge
    kubernetes: {context: edge-ctx, namespace: edge, deployment: edge, replicas: 1, image: "edge:1"}
clusters:
  - {context: prod, nodes: [n1, n2]}
events:
"#;

const OPEN_PAGE: &str = r#"  - {at: "06:00", page: {id: P1, service: api, title: slow, urgency: high, assignee: me, state: triggered}}
"#;

const FIRE_ALERT: &str = r#"  - {at: "06:00", alert: {name: Slow, service: api, severity: critical, via: grafana, state: firing, summary: s, labels: {route: /a}}}
"#;

fn with_events(events: &str) -> String {
    format!("{BASE}{events}")
}

fn load(text: &str) -> Result<Scenario, ScenarioError> {
    parse_str(text, "day.yaml")
}

fn fails(text: &str) -> ScenarioError {
    match load(text) {
        Ok(_) => panic!("expected a load error for:\n{text}"),
        Err(e) => e,
    }
}

fn shared_scenarios_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/scenarios")
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
}

#[test]
fn the_base_snippet_loads() {
    let scenario = load(&with_events(&format!("{OPEN_PAGE}{FIRE_ALERT}"))).expect("base loads");
    assert_eq!(scenario.events.len(), 2);
    assert_eq!(scenario.services.len(), 3);
}

#[test]
fn the_shared_day_loads_with_everything_in_it() {
    let s = bundled_day();
    assert_eq!(s.name, "day-in-the-life");
    assert_eq!(s.clock.tz, chrono_tz::UTC);
    assert_eq!(s.me.email, "sam.okafor@example.test");
    assert_eq!(s.people.len(), 2);
    assert_eq!(s.oncall.len(), 2);
    assert_eq!(s.services.len(), 4);
    assert_eq!(s.clusters.len(), 1);
    assert_eq!(s.clusters[0].nodes.len(), 3);
    assert_eq!(s.events.len(), 40);
    assert!(s.events.iter().enumerate().all(|(i, e)| e.index == i));

    let count = |name: EventKindName| s.events.iter().filter(|e| e.kind.name() == name).count();
    assert_eq!(count(EventKindName::Alert), 10);
    assert_eq!(count(EventKindName::Page), 9);
    assert_eq!(count(EventKindName::Ci), 6);
    assert_eq!(count(EventKindName::Deploy), 3);
    assert_eq!(count(EventKindName::Scale), 1);
    assert_eq!(count(EventKindName::K8sEvent), 2);
    assert_eq!(count(EventKindName::Node), 7);
    assert_eq!(count(EventKindName::Annotation), 2);

    let opened: Vec<&str> = s
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Page(PageEvent::Open(open)) => Some(open.id.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(opened, ["Q0PAY0001", "Q0SEC0002", "Q0DB00003"]);
    let fired = s
        .events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Alert(AlertEvent::Fire(_))))
        .count();
    assert_eq!(fired, 5);
    let runs = s
        .events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Ci(CiEvent::Start(_))))
        .count();
    assert_eq!(runs, 5);

    // `me` is resolved to an email, and the page's times are the scenario's own.
    let EventKind::Page(PageEvent::Open(first)) = &s.events[2].kind else {
        panic!("events[2] opens the first page: {:?}", s.events[2]);
    };
    assert_eq!(first.assignee, "sam.okafor@example.test");
    assert_eq!(s.events[2].at.to_string(), "05:47");
    let EventKind::Alert(AlertEvent::Resolve(resolve)) = &s.events[5].kind else {
        panic!("events[5] resolves an alert: {:?}", s.events[5]);
    };
    assert_eq!(resolve.resolves.len(), 1);
    assert_eq!(resolve.resolves[0].name, "DBConnectionPoolExhausted");
    assert_eq!(s.oncall[1].user, "priya.natarajan@example.test");
    assert_eq!(s.oncall[0].to.to_string(), "+1 09:00");
}

#[test]
fn the_bundled_copy_matches_the_shared_scenario() {
    let shared = shared_scenarios_dir().join("day-in-the-life.yaml");
    match std::fs::read_to_string(&shared) {
        Ok(text) => assert!(
            text == BUNDLED_DAY_YAML,
            "crates/sim/scenarios/day-in-the-life.yaml differs from {}; copy it over",
            shared.display()
        ),
        Err(e) => println!("skipped: {} is not readable here ({e})", shared.display()),
    }
}

#[test]
fn every_shared_scenario_loads() {
    let dir = shared_scenarios_dir();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        println!("skipped: {} is not present here", dir.display());
        return;
    };
    let mut loaded = 0;
    for entry in entries {
        let path = entry.expect("readable directory entry").path();
        let is_yaml = path
            .extension()
            .is_some_and(|ext| ext == "yaml" || ext == "yml");
        if is_yaml {
            if let Err(e) = load_file(&path) {
                panic!("{e}");
            }
            loaded += 1;
        }
    }
    assert!(loaded >= 1, "no scenario found in {}", dir.display());
}

#[test]
fn load_file_names_the_path_in_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("broken.yaml");
    std::fs::write(&path, with_events("  - {at: \"06:00\", pager: {}}\n")).expect("write");
    let e = load_file(&path).expect_err("unknown kind");
    assert_eq!(e.file, path.display().to_string());
    assert!(e
        .to_string()
        .starts_with(&format!("{}: events[0]", path.display())));

    let missing = dir.path().join("absent.yaml");
    let e = load_file(&missing).expect_err("no such file");
    assert_eq!(e.location, Location::File);
    assert!(matches!(e.kind, ErrorKind::Io(_)));
    assert!(e.to_string().starts_with(&missing.display().to_string()));
}

#[test]
fn errors_read_like_the_design_says() {
    let e = fails(&with_events(&format!(
        "{OPEN_PAGE}{OPEN_PAGE}{OPEN_PAGE}  - {{at: \"07:00\", page: {{id: P2, service: api, title: t, assignee: me, state: triggered}}}}\n"
    )));
    assert_eq!(
        e.to_string(),
        r#"day.yaml: events[3] (page): missing required key "urgency""#
    );
    assert_eq!(e.file, "day.yaml");
    assert_eq!(e.event_index(), Some(3));
    assert_eq!(e.key(), Some("urgency"));
    assert_eq!(
        e.location,
        Location::Event {
            index: 3,
            kind: Some(EventKindName::Page)
        }
    );
}

type KindCheck = fn(&ErrorKind) -> bool;

/// Event mistakes: (what, events, index, key, expected kind).
const EVENT_MISTAKES: &[(&str, &str, usize, Option<&str>, KindCheck)] = &[
    (
        "unknown key in a kind",
        r#"  - {at: "06:00", page: {id: P1, service: api, title: t, urgency: high, assignee: me, state: triggered, colour: red}}
"#,
        0,
        Some("colour"),
        |k| matches!(k, ErrorKind::UnknownKey { .. }),
    ),
    (
        "unknown key in nested labels' parent",
        r#"  - {at: "06:00", annotation: {text: t, tag: [x]}}
"#,
        0,
        Some("tag"),
        |k| matches!(k, ErrorKind::UnknownKey { .. }),
    ),
    (
        "unknown event kind",
        r#"  - {at: "06:00", pager: {id: P1}}
"#,
        0,
        Some("pager"),
        |k| matches!(k, ErrorKind::UnknownEventKind),
    ),
    (
        "no event kind",
        r#"  - {at: "06:00"}
"#,
        0,
        None,
        |k| matches!(k, ErrorKind::NoEventKind),
    ),
    (
        "two event kinds",
        r#"  - {at: "06:00", annotation: {text: t}, node: {context: prod, name: n1, state: Ready}}
"#,
        0,
        Some("node"),
        |k| matches!(k, ErrorKind::SeveralEventKinds { kinds } if kinds.len() == 2),
    ),
    (
        "event without at",
        r#"  - {annotation: {text: t}}
"#,
        0,
        Some("at"),
        |k| matches!(k, ErrorKind::MissingKey),
    ),
    (
        "page opened without a title",
        r#"  - {at: "06:00", page: {id: P1, service: api, urgency: high, assignee: me, state: triggered}}
"#,
        0,
        Some("title"),
        |k| matches!(k, ErrorKind::MissingKey),
    ),
    (
        "page opened without a state",
        r#"  - {at: "06:00", page: {id: P1, service: api, title: t, urgency: high, assignee: me}}
"#,
        0,
        Some("state"),
        |k| matches!(k, ErrorKind::MissingKey),
    ),
    (
        "alert fired without a summary",
        r#"  - {at: "06:00", alert: {name: Slow, service: api, severity: critical, via: grafana, state: firing}}
"#,
        0,
        Some("summary"),
        |k| matches!(k, ErrorKind::MissingKey),
    ),
    (
        "alert firing again must repeat its required keys",
        r#"  - {at: "06:00", alert: {name: Slow, service: api, severity: critical, via: grafana, state: firing, summary: s}}
  - {at: "06:10", alert: {name: Slow, state: resolved}}
  - {at: "06:20", alert: {name: Slow, state: firing}}
"#,
        2,
        Some("service"),
        |k| matches!(k, ErrorKind::MissingKey),
    ),
    (
        "ci run started without a commit",
        r#"  - {at: "06:00", ci: {id: 1, repo: a/b, workflow: ci, branch: main, title: t, state: queued}}
"#,
        0,
        Some("commit"),
        |k| matches!(k, ErrorKind::MissingKey),
    ),
    (
        "k8s event without a message",
        r#"  - {at: "06:00", k8s_event: {context: prod, namespace: web, object: Pod/a, type: Normal, reason: R}}
"#,
        0,
        Some("message"),
        |k| matches!(k, ErrorKind::MissingKey),
    ),
    (
        "replicas as a string",
        r#"  - {at: "06:00", scale: {service: api, replicas: six}}
"#,
        0,
        Some("replicas"),
        |k| {
            matches!(
                k,
                ErrorKind::WrongType {
                    found: "a string",
                    ..
                }
            )
        },
    ),
    (
        "ci id as a string",
        r#"  - {at: "06:00", ci: {id: run-1, repo: a/b, workflow: ci, branch: main, commit: abc, title: t, state: queued}}
"#,
        0,
        Some("id"),
        |k| matches!(k, ErrorKind::WrongType { .. }),
    ),
    (
        "a label that is a list",
        r#"  - {at: "06:00", alert: {name: Slow, service: api, severity: critical, via: grafana, state: firing, summary: s, labels: {route: [a]}}}
"#,
        0,
        Some("labels.route"),
        |k| {
            matches!(
                k,
                ErrorKind::WrongType {
                    found: "a list",
                    ..
                }
            )
        },
    ),
    (
        "a kind that is not a mapping",
        r#"  - {at: "06:00", annotation: hello}
"#,
        0,
        Some("annotation"),
        |k| {
            matches!(
                k,
                ErrorKind::WrongType {
                    expected: "a mapping",
                    ..
                }
            )
        },
    ),
    (
        "tags that are not strings",
        r#"  - {at: "06:00", annotation: {text: t, tags: [ok, {a: b}]}}
"#,
        0,
        Some("tags[1]"),
        |k| matches!(k, ErrorKind::WrongType { .. }),
    ),
    (
        "bad urgency",
        r#"  - {at: "06:00", page: {id: P1, service: api, title: t, urgency: urgent, assignee: me, state: triggered}}
"#,
        0,
        Some("urgency"),
        |k| matches!(k, ErrorKind::BadValue { value, .. } if value == "urgent"),
    ),
    (
        "bad page state",
        r#"  - {at: "06:00", page: {id: P1, service: api, title: t, urgency: low, assignee: me, state: open}}
"#,
        0,
        Some("state"),
        |k| matches!(k, ErrorKind::BadValue { .. }),
    ),
    (
        "bad alert state",
        r#"  - {at: "06:00", alert: {name: Slow, service: api, severity: critical, via: grafana, state: pending, summary: s}}
"#,
        0,
        Some("state"),
        |k| matches!(k, ErrorKind::BadValue { .. }),
    ),
    (
        "bad via",
        r#"  - {at: "06:00", alert: {name: Slow, service: api, severity: critical, via: datadog, state: firing, summary: s}}
"#,
        0,
        Some("via"),
        |k| matches!(k, ErrorKind::BadValue { .. }),
    ),
    (
        "bad conclusion",
        r#"  - {at: "06:00", ci: {id: 1, repo: a/b, workflow: ci, branch: main, commit: abc, title: t, state: completed, conclusion: passed}}
"#,
        0,
        Some("conclusion"),
        |k| matches!(k, ErrorKind::BadValue { .. }),
    ),
    (
        "bad ci state",
        r#"  - {at: "06:00", ci: {id: 1, repo: a/b, workflow: ci, branch: main, commit: abc, title: t, state: done}}
"#,
        0,
        Some("state"),
        |k| matches!(k, ErrorKind::BadValue { .. }),
    ),
    (
        "bad node state",
        r#"  - {at: "06:00", node: {context: prod, name: n1, state: Down}}
"#,
        0,
        Some("state"),
        |k| matches!(k, ErrorKind::BadValue { .. }),
    ),
    (
        "bad k8s event type",
        r#"  - {at: "06:00", k8s_event: {context: prod, namespace: web, object: Pod/a, type: Error, reason: R, message: m}}
"#,
        0,
        Some("type"),
        |k| matches!(k, ErrorKind::BadValue { .. }),
    ),
    (
        "k8s object without a kind",
        r#"  - {at: "06:00", k8s_event: {context: prod, namespace: web, object: just-a-name, type: Normal, reason: R, message: m}}
"#,
        0,
        Some("object"),
        |k| matches!(k, ErrorKind::Invalid(_)),
    ),
    (
        "hour 25",
        r#"  - {at: "25:00", annotation: {text: t}}
"#,
        0,
        Some("at"),
        |k| {
            matches!(
                k,
                ErrorKind::BadTime {
                    reason: TimeError::OutOfRange,
                    ..
                }
            )
        },
    ),
    (
        "two days ahead",
        r#"  - {at: "+2 05:00", annotation: {text: t}}
"#,
        0,
        Some("at"),
        |k| {
            matches!(
                k,
                ErrorKind::BadTime {
                    reason: TimeError::DayOffset,
                    ..
                }
            )
        },
    ),
    (
        "a time that is a number",
        r#"  - {at: 530, annotation: {text: t}}
"#,
        0,
        Some("at"),
        |k| {
            matches!(
                k,
                ErrorKind::WrongType {
                    found: "a number",
                    ..
                }
            )
        },
    ),
    (
        "times out of order",
        r#"  - {at: "07:00", annotation: {text: a}}
  - {at: "06:59", annotation: {text: b}}
"#,
        1,
        Some("at"),
        |k| matches!(k, ErrorKind::OutOfOrder { at, previous } if at.to_string() == "06:59" && previous.to_string() == "07:00"),
    ),
    (
        "next morning before the evening",
        r#"  - {at: "04:00", annotation: {text: a}}
  - {at: "23:00", annotation: {text: b}}
"#,
        1,
        Some("at"),
        |k| matches!(k, ErrorKind::OutOfOrder { .. }),
    ),
    (
        "completed run without a conclusion",
        r#"  - {at: "06:00", ci: {id: 1, repo: a/b, workflow: ci, branch: main, commit: abc, title: t, state: completed}}
"#,
        0,
        Some("conclusion"),
        |k| matches!(k, ErrorKind::ConclusionRequired),
    ),
    (
        "run completed by a later event without a conclusion",
        r#"  - {at: "06:00", ci: {id: 1, repo: a/b, workflow: ci, branch: main, commit: abc, title: t, state: in_progress}}
  - {at: "06:05", ci: {id: 1, state: completed}}
"#,
        1,
        Some("conclusion"),
        |k| matches!(k, ErrorKind::ConclusionRequired),
    ),
    (
        "a conclusion on a queued run",
        r#"  - {at: "06:00", ci: {id: 1, repo: a/b, workflow: ci, branch: main, commit: abc, title: t, state: queued, conclusion: success}}
"#,
        0,
        Some("conclusion"),
        |k| matches!(k, ErrorKind::Invalid(_)),
    ),
    (
        "a run that changes its commit",
        r#"  - {at: "06:00", ci: {id: 1, repo: a/b, workflow: ci, branch: main, commit: abc, title: t, state: queued}}
  - {at: "06:05", ci: {id: 1, commit: def, state: in_progress}}
"#,
        1,
        Some("commit"),
        |k| matches!(k, ErrorKind::Invalid(_)),
    ),
    (
        "alert on an undeclared service",
        r#"  - {at: "06:00", alert: {name: Slow, service: nope, severity: critical, via: grafana, state: firing, summary: s}}
"#,
        0,
        Some("service"),
        |k| matches!(k, ErrorKind::UndeclaredService(s) if s == "nope"),
    ),
    (
        "page on an undeclared service",
        r#"  - {at: "06:00", page: {id: P1, service: nope, title: t, urgency: high, assignee: me, state: triggered}}
"#,
        0,
        Some("service"),
        |k| matches!(k, ErrorKind::UndeclaredService(_)),
    ),
    (
        "annotation on an undeclared service",
        r#"  - {at: "06:00", annotation: {text: t, service: nope}}
"#,
        0,
        Some("service"),
        |k| matches!(k, ErrorKind::UndeclaredService(_)),
    ),
    (
        "page for a service without pagerduty",
        r#"  - {at: "06:00", page: {id: P1, service: edge, title: t, urgency: high, assignee: me, state: triggered}}
"#,
        0,
        Some("service"),
        |k| matches!(k, ErrorKind::NoPagerDuty { .. }),
    ),
    (
        "undeclared assignee",
        r#"  - {at: "06:00", page: {id: P1, service: api, title: t, urgency: high, assignee: who@example.test, state: triggered}}
"#,
        0,
        Some("assignee"),
        |k| matches!(k, ErrorKind::UndeclaredPerson(p) if p == "who@example.test"),
    ),
    (
        "undeclared acknowledger",
        r#"  - {at: "06:00", page: {id: P1, service: api, title: t, urgency: high, assignee: me, state: triggered}}
  - {at: "06:05", page: {id: P1, state: acknowledged, by: somebody}}
"#,
        1,
        Some("by"),
        |k| matches!(k, ErrorKind::UndeclaredPerson(_)),
    ),
    (
        "undeclared deployer",
        r#"  - {at: "06:00", deploy: {service: api, image: "img:2", by: ghost@example.test}}
"#,
        0,
        Some("by"),
        |k| matches!(k, ErrorKind::UndeclaredPerson(_)),
    ),
    (
        "undeclared context",
        r#"  - {at: "06:00", k8s_event: {context: staging, namespace: web, object: Pod/a, type: Normal, reason: R, message: m}}
"#,
        0,
        Some("context"),
        |k| matches!(k, ErrorKind::UndeclaredContext(c) if c == "staging"),
    ),
    (
        "node in an undeclared context",
        r#"  - {at: "06:00", node: {context: staging, name: n1, state: Ready}}
"#,
        0,
        Some("context"),
        |k| matches!(k, ErrorKind::UndeclaredContext(_)),
    ),
    (
        "undeclared node",
        r#"  - {at: "06:00", node: {context: prod, name: n9, state: NotReady}}
"#,
        0,
        Some("name"),
        |k| matches!(k, ErrorKind::UndeclaredNode { context, node } if context == "prod" && node == "n9"),
    ),
    (
        "node of a context known only from a service",
        r#"  - {at: "06:00", node: {context: edge-ctx, name: n1, state: NotReady}}
"#,
        0,
        Some("name"),
        |k| matches!(k, ErrorKind::UndeclaredNode { .. }),
    ),
    (
        "resolving an alert that never fired",
        r#"  - {at: "06:00", alert: {name: Slow, state: resolved}}
"#,
        0,
        Some("name"),
        |k| matches!(k, ErrorKind::ResolvesNothing { name } if name == "Slow"),
    ),
    (
        "resolving with labels the firing alert lacks",
        r#"  - {at: "06:00", alert: {name: Slow, service: api, severity: critical, via: grafana, state: firing, summary: s, labels: {route: /a}}}
  - {at: "06:10", alert: {name: Slow, state: resolved, labels: {route: /b}}}
"#,
        1,
        Some("name"),
        |k| matches!(k, ErrorKind::ResolvesNothing { .. }),
    ),
    (
        "resolving twice",
        r#"  - {at: "06:00", alert: {name: Slow, service: api, severity: critical, via: grafana, state: firing, summary: s}}
  - {at: "06:10", alert: {name: Slow, state: resolved}}
  - {at: "06:20", alert: {name: Slow, state: resolved}}
"#,
        2,
        Some("name"),
        |k| matches!(k, ErrorKind::ResolvesNothing { .. }),
    ),
    (
        "scaling a service without kubernetes",
        r#"  - {at: "06:00", scale: {service: db, replicas: 3}}
"#,
        0,
        Some("service"),
        |k| matches!(k, ErrorKind::NoKubernetes { service } if service == "db"),
    ),
    (
        "deploying a service without kubernetes",
        r#"  - {at: "06:00", deploy: {service: db, image: "db:2"}}
"#,
        0,
        Some("service"),
        |k| matches!(k, ErrorKind::NoKubernetes { .. }),
    ),
    (
        "an event that is not a mapping",
        r#"  - "06:00"
"#,
        0,
        None,
        |k| {
            matches!(
                k,
                ErrorKind::WrongType {
                    expected: "a mapping",
                    ..
                }
            )
        },
    ),
];

#[test]
fn each_event_mistake_names_file_index_and_key() {
    for (what, events, index, key, check) in EVENT_MISTAKES {
        let e = fails(&with_events(events));
        assert_eq!(e.file, "day.yaml", "{what}");
        assert_eq!(e.event_index(), Some(*index), "{what}: {e}");
        assert_eq!(e.key(), *key, "{what}: {e}");
        assert!(check(&e.kind), "{what}: unexpected {:?} ({e})", e.kind);
        let shown = e.to_string();
        assert!(
            shown.starts_with(&format!("day.yaml: events[{index}]")),
            "{what}: {shown}"
        );
        if let Some(key) = key {
            assert!(shown.contains(&format!("\"{key}\"")), "{what}: {shown}");
        }
    }
}

/// Mistakes outside `events`: (what, replace this, with this, section, key, expected kind).
const SECTION_MISTAKES: &[(&str, &str, &str, &str, &str, KindCheck)] = &[
    (
        "unknown top-level key",
        "name: test-day\n",
        "name: test-day\ncolour: blue\n",
        "",
        "colour",
        |k| matches!(k, ErrorKind::UnknownKey { .. }),
    ),
    (
        "missing summary",
        "summary: a small day for loader tests\n",
        "",
        "",
        "summary",
        |k| matches!(k, ErrorKind::MissingKey),
    ),
    (
        "version 2",
        "version: 1\n",
        "version: 2\n",
        "",
        "version",
        |k| matches!(k, ErrorKind::UnsupportedVersion(v) if v == "2"),
    ),
    (
        "version as a string",
        "version: 1\n",
        "version: \"1\"\n",
        "",
        "version",
        |k| matches!(k, ErrorKind::WrongType { .. }),
    ),
    (
        "unknown time zone",
        "tz: UTC",
        "tz: Mars/Olympus_Mons",
        "clock",
        "tz",
        |k| matches!(k, ErrorKind::UnknownTimeZone(tz) if tz == "Mars/Olympus_Mons"),
    ),
    (
        "bad day start",
        "day_starts: \"05:00\"",
        "day_starts: \"5am\"",
        "clock",
        "day_starts",
        |k| matches!(k, ErrorKind::BadTime { .. }),
    ),
    (
        "unknown key in clock",
        "day_starts: \"05:00\"}",
        "day_starts: \"05:00\", speed: 2}",
        "clock",
        "speed",
        |k| matches!(k, ErrorKind::UnknownKey { .. }),
    ),
    (
        "me without an email",
        "me: {name: Me Myself, email: me@example.test}",
        "me: {name: Me Myself}",
        "me",
        "email",
        |k| matches!(k, ErrorKind::MissingKey),
    ),
    (
        "a person listed twice",
        "  - {name: Pat Doe, email: pat@example.test}\n",
        "  - {name: Pat Doe, email: pat@example.test}\n  - {name: Pat Again, email: pat@example.test}\n",
        "people[1]",
        "email",
        |k| matches!(k, ErrorKind::Duplicate(_)),
    ),
    (
        "unknown key in a service's kubernetes part",
        "context: edge-ctx, namespace: edge,",
        "context: edge-ctx, namespace: edge, port: 80,",
        "services[2].kubernetes",
        "port",
        |k| matches!(k, ErrorKind::UnknownKey { .. }),
    ),
    (
        "missing image in a service's kubernetes part",
        "replicas: 1, image: \"edge:1\"",
        "replicas: 1",
        "services[2].kubernetes",
        "image",
        |k| matches!(k, ErrorKind::MissingKey),
    ),
    (
        "missing escalation policy",
        "pagerduty: {id: PDB, escalation_policy: Primary}",
        "pagerduty: {id: PDB}",
        "services[1].pagerduty",
        "escalation_policy",
        |k| matches!(k, ErrorKind::MissingKey),
    ),
    (
        "a service declared twice",
        "  - name: edge\n",
        "  - name: db\n",
        "services[2]",
        "name",
        |k| matches!(k, ErrorKind::Duplicate(_)),
    ),
    (
        "oncall for an undeclared person",
        "user: me, from",
        "user: ghost@example.test, from",
        "oncall[0]",
        "user",
        |k| matches!(k, ErrorKind::UndeclaredPerson(_)),
    ),
    (
        "oncall ending before it starts",
        "to: \"+1 05:00\"",
        "to: \"05:00\"",
        "oncall[0]",
        "to",
        |k| matches!(k, ErrorKind::Invalid(_)),
    ),
    (
        "nodes that are not a list",
        "nodes: [n1, n2]",
        "nodes: n1",
        "clusters[0]",
        "nodes",
        |k| matches!(k, ErrorKind::WrongType { .. }),
    ),
];

#[test]
fn each_section_mistake_names_file_section_and_key() {
    for (what, from, to, section, key, check) in SECTION_MISTAKES {
        assert!(BASE.contains(from), "{what}: the base lacks {from:?}");
        let text = with_events(OPEN_PAGE).replacen(from, to, 1);
        let e = fails(&text);
        assert_eq!(e.file, "day.yaml", "{what}");
        assert_eq!(e.section(), Some(*section), "{what}: {e}");
        assert_eq!(e.key(), Some(*key), "{what}: {e}");
        assert!(check(&e.kind), "{what}: unexpected {:?} ({e})", e.kind);
        assert!(e.to_string().contains(&format!("\"{key}\"")), "{what}: {e}");
    }
}

#[test]
fn events_are_required() {
    let e = fails(&BASE.replacen("events:\n", "", 1));
    assert_eq!((e.section(), e.key()), (Some(""), Some("events")));
    assert!(matches!(e.kind, ErrorKind::MissingKey));
}

#[test]
fn section_paths_read_well() {
    let e = fails(&with_events("").replacen("tz: UTC", "tz: Nowhere/Town", 1));
    assert_eq!(
        e.to_string(),
        r#"day.yaml: clock: key "tz": unknown IANA time zone "Nowhere/Town""#
    );
    let e = fails(&with_events("").replacen("name: test-day\n", "name: test-day\nx: 1\n", 1));
    assert!(
        e.to_string()
            .starts_with(r#"day.yaml: top level: unknown key "x""#),
        "{e}"
    );
}

#[test]
fn yaml_syntax_errors_name_the_line() {
    let text = with_events("  - {at: \"06:00\", annotation: {text: [unclosed}\n");
    let e = fails(&text);
    let Location::Line { line, .. } = e.location else {
        panic!("expected a line: {e:?}");
    };
    assert_eq!(line, text.lines().count());
    assert!(matches!(e.kind, ErrorKind::Syntax(_)));
    assert!(
        e.to_string().starts_with(&format!("day.yaml: line {line}")),
        "{e}"
    );
}

#[test]
fn later_page_events_carry_only_what_changes() {
    let s = load(&with_events(&format!(
        "{OPEN_PAGE}  - {{at: \"06:05\", page: {{id: P1, state: acknowledged, by: pat@example.test}}}}\n  - {{at: \"06:06\", page: {{id: P1, note: looking}}}}\n"
    )))
    .expect("loads");
    let EventKind::Page(PageEvent::Update(update)) = &s.events[1].kind else {
        panic!("an update: {:?}", s.events[1]);
    };
    assert_eq!(update.state, Some(PageState::Acknowledged));
    assert_eq!(update.by.as_deref(), Some("pat@example.test"));
    assert!(
        matches!(&s.events[2].kind, EventKind::Page(PageEvent::Update(u)) if u.state.is_none() && u.note.as_deref() == Some("looking"))
    );
}

#[test]
fn a_partial_resolve_ends_every_matching_firing_alert() {
    let s = load(&with_events(
        r#"  - {at: "06:00", alert: {name: Slow, service: api, severity: critical, via: grafana, state: firing, summary: s, labels: {route: /a}}}
  - {at: "06:01", alert: {name: Slow, service: api, severity: critical, via: grafana, state: firing, summary: s, labels: {route: /b}}}
  - {at: "06:02", alert: {name: Slow, service: db, severity: warning, via: prometheus, state: firing, summary: s, labels: {route: /c}}}
  - {at: "06:03", alert: {name: Slow, state: resolved, service: api}}
  - {at: "06:04", alert: {name: Slow, state: resolved}}
"#,
    ))
    .expect("loads");
    let resolved = |i: usize| match &s.events[i].kind {
        EventKind::Alert(AlertEvent::Resolve(r)) => r
            .resolves
            .iter()
            .map(|id| id.labels.get("route").cloned().unwrap_or_default())
            .collect::<Vec<_>>(),
        other => panic!("a resolve: {other:?}"),
    };
    // The service filter leaves the db alert firing for the next, label-free resolve.
    assert_eq!(resolved(3), ["/a", "/b"]);
    assert_eq!(resolved(4), ["/c"]);
}

#[test]
fn an_alert_event_for_a_firing_alert_updates_it() {
    let s = load(&with_events(&format!(
        "{FIRE_ALERT}  - {{at: \"06:05\", alert: {{name: Slow, labels: {{route: /a}}, summary: worse}}}}\n"
    )))
    .expect("loads");
    assert!(
        matches!(&s.events[1].kind, EventKind::Alert(AlertEvent::Update(u)) if u.summary.as_deref() == Some("worse"))
    );
    let e = fails(&with_events(&format!(
        "{FIRE_ALERT}  - {{at: \"06:05\", alert: {{name: Slow, labels: {{route: /a}}, service: db}}}}\n"
    )));
    assert_eq!((e.event_index(), e.key()), (Some(1), Some("service")));
}

#[test]
fn contexts_declared_by_services_count_for_k8s_events() {
    let s = load(&with_events(
        r#"  - {at: "06:00", k8s_event: {context: edge-ctx, namespace: edge, object: Deployment/edge, type: Warning, reason: R, message: m}}
"#,
    ))
    .expect("loads");
    let EventKind::K8sEvent(event) = &s.events[0].kind else {
        panic!("a k8s event");
    };
    assert_eq!(event.object.kind, "Deployment");
    assert_eq!(event.event_type, K8sEventType::Warning);
}

#[test]
fn times_before_day_start_belong_to_the_next_day() {
    let s = load(&with_events(
        r#"  - {at: "23:00", annotation: {text: late}}
  - {at: "04:59", annotation: {text: night}}
  - {at: "+1 05:30", annotation: {text: morning after}}
"#,
    ))
    .expect("rollover keeps the order");
    let d = date(2026, 5, 4);
    assert_eq!(s.events[1].at.day_offset, 1);
    assert_eq!(
        s.event_instant(d, 1),
        Some(Utc.with_ymd_and_hms(2026, 5, 5, 4, 59, 0).unwrap())
    );
    assert_eq!(
        s.event_instant(d, 2),
        Some(Utc.with_ymd_and_hms(2026, 5, 5, 5, 30, 0).unwrap())
    );
    assert_eq!(
        s.day_start(d),
        Utc.with_ymd_and_hms(2026, 5, 4, 5, 0, 0).unwrap()
    );
    assert_eq!(
        s.parse_time("04:00").map(|t| s.instant(d, t)),
        Ok(Utc.with_ymd_and_hms(2026, 5, 5, 4, 0, 0).unwrap())
    );
    assert_eq!(s.parse_time("+2 04:00"), Err(TimeError::DayOffset));
}

fn berlin() -> Scenario {
    load(
        &with_events("")
            .replacen("events:\n", "events: []\n", 1)
            .replacen("tz: UTC", "tz: Europe/Berlin", 1)
            .replacen("day_starts: \"05:00\"", "day_starts: \"00:00\"", 1)
            .replacen("to: \"+1 05:00\"", "to: \"23:00\"", 1),
    )
    .expect("berlin loads")
}

#[test]
fn a_time_in_the_spring_dst_gap_moves_forward_by_the_gap() {
    let s = berlin();
    let d = date(2026, 3, 29);
    let at = |text: &str| s.instant(d, s.parse_time(text).expect("valid time"));
    // 02:00–03:00 does not exist that night: 02:30 is read as 03:30 CEST = 01:30 UTC.
    assert_eq!(
        at("02:30"),
        Utc.with_ymd_and_hms(2026, 3, 29, 1, 30, 0).unwrap()
    );
    assert_eq!(
        at("02:00"),
        Utc.with_ymd_and_hms(2026, 3, 29, 1, 0, 0).unwrap()
    );
    assert_eq!(
        at("01:59"),
        Utc.with_ymd_and_hms(2026, 3, 29, 0, 59, 0).unwrap()
    );
    assert_eq!(
        at("03:00"),
        Utc.with_ymd_and_hms(2026, 3, 29, 1, 0, 0).unwrap()
    );
    assert_eq!(
        at("12:00"),
        Utc.with_ymd_and_hms(2026, 3, 29, 10, 0, 0).unwrap()
    );
}

#[test]
fn an_ambiguous_autumn_time_takes_its_first_occurrence() {
    let s = berlin();
    let d = date(2026, 10, 25);
    let at = |text: &str| s.instant(d, s.parse_time(text).expect("valid time"));
    // 02:00–03:00 happens twice: first in CEST (+02:00), then in CET (+01:00).
    assert_eq!(
        at("02:30"),
        Utc.with_ymd_and_hms(2026, 10, 25, 0, 30, 0).unwrap()
    );
    assert_eq!(
        at("01:59"),
        Utc.with_ymd_and_hms(2026, 10, 24, 23, 59, 0).unwrap()
    );
    assert_eq!(
        at("03:00"),
        Utc.with_ymd_and_hms(2026, 10, 25, 2, 0, 0).unwrap()
    );
    assert_eq!(
        s.day_start(d),
        Utc.with_ymd_and_hms(2026, 10, 24, 22, 0, 0).unwrap()
    );
}

#[test]
fn merge_keys_and_unquoted_times_are_read() {
    let s = load(&with_events(
        r#"  - at: 06:00
    alert: &slow {name: Slow, service: api, severity: critical, via: grafana, state: firing, summary: s}
  - at: "06:10"
    alert: {<<: *slow, state: resolved, severity: ~, service: ~, via: ~, summary: ~}
"#,
    ))
    .expect("loads");
    assert_eq!(s.events[0].at.to_string(), "06:00");
    assert!(matches!(
        &s.events[1].kind,
        EventKind::Alert(AlertEvent::Resolve(_))
    ));
}
