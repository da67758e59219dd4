use std::sync::Arc;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use super::*;
use crate::scenario::{bundled_day, parse_str, Urgency};
use crate::world::Reassign;

const SAM: &str = "sam.okafor@example.test";
const PRIYA: &str = "priya.natarajan@example.test";

fn monday() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 5, 4).expect("valid date")
}

/// An instant on the replayed Monday (the shared day's zone is UTC).
fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 4, h, m, 0).unwrap()
}

fn day() -> World {
    World::new(Arc::new(bundled_day()), monday())
}

fn kinds_and_times(incident: &Incident) -> Vec<(LogEntryKind, DateTime<Utc>)> {
    incident
        .log_entries
        .iter()
        .map(|e| (e.kind, e.created_at))
        .collect()
}

fn incident<'w>(world: &'w World, id: &str) -> &'w Incident {
    world
        .incident(id)
        .unwrap_or_else(|| panic!("incident {id} exists"))
}

#[test]
fn by_six_the_first_page_is_acknowledged() {
    let mut world = day();
    let applied = world.advance_to(at(6, 0));
    let outcomes: Vec<(usize, EventKindName, &Outcome)> = applied
        .iter()
        .map(|a| (a.index, a.kind, &a.outcome))
        .collect();
    assert_eq!(
        outcomes,
        [
            (0, EventKindName::Alert, &Outcome::Applied),
            (1, EventKindName::Alert, &Outcome::Applied),
            (2, EventKindName::Page, &Outcome::Applied),
            (3, EventKindName::Page, &Outcome::Applied),
        ]
    );
    assert_eq!(applied[2].at, at(5, 47));

    assert_eq!(world.incidents().len(), 1);
    let q = incident(&world, "Q0PAY0001");
    assert_eq!(q.incident_number, 1);
    assert_eq!(q.status, IncidentStatus::Acknowledged);
    assert_eq!(q.urgency, Urgency::High);
    assert_eq!(
        q.title,
        "API response time critical: 40% of API calls time out"
    );
    assert_eq!(
        (q.service.id.as_str(), q.service.name.as_str()),
        ("PPAYAPI", "payments-api")
    );
    assert_eq!(q.service.escalation_policy.name, "Payments Primary");
    assert_eq!(q.assignee.person.email, SAM);
    assert_eq!(q.created_at, at(5, 47));
    assert_eq!(q.acknowledged_at, Some(at(5, 52)));
    assert_eq!(q.last_status_change_at, at(5, 52));
    assert!(matches!(&q.last_status_change_by, Agent::User(u) if u.person.email == SAM));
    assert_eq!(q.resolved_at, None);
    assert_eq!(
        kinds_and_times(q),
        [
            (LogEntryKind::Trigger, at(5, 47)),
            (LogEntryKind::Assign, at(5, 47)),
            (LogEntryKind::Acknowledge, at(5, 52)),
        ]
    );
    let [trigger, assign, ack] = &q.log_entries[..] else {
        panic!("three entries");
    };
    assert!(matches!(&trigger.agent, Agent::Service(s) if s.id == "PPAYAPI"));
    assert_eq!(trigger.channel, Channel::Api);
    assert_eq!(
        assign.assignee.as_ref().map(|u| u.person.email.as_str()),
        Some(SAM)
    );
    assert!(matches!(&ack.agent, Agent::User(u) if u.person.email == SAM));
    assert_eq!(ack.channel, Channel::Website);
    for entry in &q.log_entries {
        assert_eq!(entry.id.len(), 14, "{}", entry.id);
        assert!(entry.id.starts_with('R'));
        assert!(entry
            .id
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase()));
    }
    assert!(world.skipped().is_empty());
    assert_eq!(world.next_event_at(), Some(at(6, 4)));
}

#[test]
fn by_the_end_of_the_day_three_incidents_are_resolved() {
    let mut world = day();
    let applied = world.advance_to(Utc.with_ymd_and_hms(2026, 5, 5, 5, 0, 0).unwrap());
    assert_eq!(applied.len(), 40);
    assert_eq!(world.events_applied(), 40);
    assert_eq!(world.next_event_at(), None);

    let summary: Vec<(&str, u32, IncidentStatus)> = world
        .incidents()
        .iter()
        .map(|i| (i.id.as_str(), i.incident_number, i.status))
        .collect();
    assert_eq!(
        summary,
        [
            ("Q0PAY0001", 1, IncidentStatus::Resolved),
            ("Q0SEC0002", 2, IncidentStatus::Resolved),
            ("Q0DB00003", 3, IncidentStatus::Resolved),
        ]
    );
    let db = incident(&world, "Q0DB00003");
    assert_eq!(db.resolved_at, Some(at(23, 58)));
    assert_eq!(
        kinds_and_times(db),
        [
            (LogEntryKind::Trigger, at(22, 30)),
            (LogEntryKind::Assign, at(22, 30)),
            (LogEntryKind::Acknowledge, at(22, 38)),
            (LogEntryKind::Annotate, at(23, 58)),
            (LogEntryKind::Resolve, at(23, 58)),
        ]
    );
    let notes: Vec<&str> = db.notes().filter_map(|n| n.note.as_deref()).collect();
    assert_eq!(
        notes,
        ["Index created; batch job restarted and finished in 20 minutes."]
    );
    assert_eq!(incident(&world, "Q0SEC0002").service.id, "PSECIDS");
    assert_eq!(
        incident(&world, "Q0SEC0002").service.escalation_policy.name,
        "Security On-Call"
    );
    assert!(world.skipped().is_empty());
}

#[test]
fn ids_are_the_same_for_the_same_date_and_differ_for_another() {
    let end = Utc.with_ymd_and_hms(2026, 5, 5, 5, 0, 0).unwrap();
    let entry_ids = |world: &World| -> Vec<String> {
        world
            .incidents()
            .iter()
            .flat_map(|i| i.log_entries.iter().map(|e| e.id.clone()))
            .collect()
    };
    let mut a = day();
    let mut b = day();
    a.advance_to(end);
    b.advance_to(end);
    let ids = entry_ids(&a);
    assert_eq!(ids.len(), 3 * 5);
    assert_eq!(ids, entry_ids(&b));
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "log entry ids are unique");

    let tuesday = NaiveDate::from_ymd_opt(2026, 5, 5).expect("valid date");
    let mut c = World::new(Arc::new(bundled_day()), tuesday);
    c.advance_to(Utc.with_ymd_and_hms(2026, 5, 6, 5, 0, 0).unwrap());
    let other = entry_ids(&c);
    assert_eq!(other.len(), ids.len());
    assert!(other.iter().all(|id| !ids.contains(id)));

    // People, policies and schedules exist all year: their ids ignore the date.
    let user_ids =
        |w: &World| -> Vec<String> { w.pagerduty().users().iter().map(|u| u.id.clone()).collect() };
    assert_eq!(user_ids(&a), user_ids(&c));
    assert_eq!(user_ids(&a).len(), 3);
    assert!(user_ids(&a)
        .iter()
        .all(|id| id.len() == 7 && id.starts_with('P')));
    assert_eq!(a.oncalls()[0].schedule.id, c.oncalls()[0].schedule.id);
    assert_eq!(
        a.pagerduty().escalation_policies(),
        c.pagerduty().escalation_policies()
    );
}

#[test]
fn advancing_again_applies_nothing_twice() {
    let mut world = day();
    let first = world.advance_to(at(12, 0));
    assert!(!first.is_empty());
    let before = world.incidents().to_vec();
    assert!(world.advance_to(at(12, 0)).is_empty());
    assert!(world.advance_to(at(9, 0)).is_empty());
    assert_eq!(world.incidents(), &before[..]);

    // Stepping through the day minute by minute ends where one jump does.
    let mut stepped = day();
    let mut count = 0;
    let mut t = at(5, 0);
    while t <= at(12, 0) {
        count += stepped.advance_to(t).len();
        t += chrono::TimeDelta::minutes(1);
    }
    assert_eq!(count, first.len());
    assert_eq!(stepped.incidents(), world.incidents());
}

#[test]
fn a_scripted_acknowledge_after_opsdeck_acknowledged_is_a_no_op() {
    let mut world = day();
    world.advance_to(at(5, 50));
    assert_eq!(
        world.acknowledge("Q0PAY0001", SAM, at(5, 50)),
        Ok(Change::Changed)
    );
    let applied = world.advance_to(at(6, 0));
    let scripted_ack = applied
        .iter()
        .find(|a| a.index == 3)
        .expect("the 05:52 acknowledge ran");
    assert_eq!(scripted_ack.outcome, Outcome::AlreadyDone);
    assert!(world.skipped().is_empty());

    let q = incident(&world, "Q0PAY0001");
    assert_eq!(q.acknowledged_at, Some(at(5, 50)));
    let acks: Vec<&LogEntry> = q
        .log_entries
        .iter()
        .filter(|e| e.kind == LogEntryKind::Acknowledge)
        .collect();
    assert_eq!(acks.len(), 1);
    assert_eq!(acks[0].created_at, at(5, 50));
    assert_eq!(acks[0].channel, Channel::Api);
}

#[test]
fn a_scripted_acknowledge_of_a_resolved_incident_is_skipped_and_logged() {
    let mut world = day();
    assert_eq!(
        world.resolve("Q0PAY0001", SAM, at(5, 50)),
        Ok(Change::Changed),
        "the action first applies the 05:47 page"
    );
    let applied = world.advance_to(at(6, 0));
    let scripted_ack = applied
        .iter()
        .find(|a| a.index == 3)
        .expect("the 05:52 acknowledge ran");
    assert!(matches!(&scripted_ack.outcome, Outcome::Skipped(r) if r.contains("already resolved")));
    assert_eq!(world.skipped().len(), 1);
    let line = &world.skipped()[0];
    assert!(line.contains("events[3] (page)"), "{line}");
    assert!(line.contains("05:52"), "{line}");
    assert!(line.contains("acknowledge Q0PAY0001"), "{line}");

    let q = incident(&world, "Q0PAY0001");
    assert_eq!(q.status, IncidentStatus::Resolved);
    assert_eq!(q.acknowledged_at, None);
    assert_eq!(q.resolved_at, Some(at(5, 50)));

    // The 08:52 scripted resolve already happened, but its note is still news.
    let applied = world.advance_to(at(9, 0));
    let scripted_resolve = applied
        .iter()
        .find(|a| a.index == 12)
        .expect("the 08:52 resolve ran");
    assert_eq!(scripted_resolve.outcome, Outcome::Applied);
    let q = incident(&world, "Q0PAY0001");
    assert_eq!(q.resolved_at, Some(at(5, 50)));
    assert_eq!(
        q.log_entries
            .iter()
            .filter(|e| e.kind == LogEntryKind::Resolve)
            .count(),
        1
    );
    assert_eq!(q.notes().count(), 1);
    assert_eq!(world.skipped().len(), 1);
}

#[test]
fn actions_follow_pagerduty_rules() {
    let mut world = day();
    world.advance_to(at(6, 0));
    assert_eq!(
        world.acknowledge("Q0PAY0001", SAM, at(6, 1)),
        Ok(Change::AlreadyDone)
    );
    assert_eq!(
        world.add_note("Q0PAY0001", PRIYA, "pool at 200/200", at(6, 2)),
        Ok(Change::Changed)
    );
    assert_eq!(
        world.resolve("Q0PAY0001", PRIYA, at(6, 3)),
        Ok(Change::Changed)
    );
    assert_eq!(
        world.resolve("Q0PAY0001", SAM, at(6, 4)),
        Ok(Change::AlreadyDone)
    );
    assert!(matches!(
        world.acknowledge("Q0PAY0001", SAM, at(6, 5)),
        Err(WorldError::NotApplicable { .. })
    ));
    assert_eq!(
        world.add_note("Q0PAY0001", SAM, "postmortem Tuesday", at(6, 6)),
        Ok(Change::Changed)
    );
    assert_eq!(
        world.acknowledge("Q0NOPE", SAM, at(6, 7)),
        Err(WorldError::UnknownIncident("Q0NOPE".into()))
    );
    assert_eq!(
        world.acknowledge("Q0PAY0001", "ghost@example.test", at(6, 7)),
        Err(WorldError::UnknownPerson("ghost@example.test".into()))
    );
    // An incident that the clock has not reached does not exist yet.
    assert_eq!(
        world.acknowledge("Q0SEC0002", SAM, at(6, 8)),
        Err(WorldError::UnknownIncident("Q0SEC0002".into()))
    );

    let q = incident(&world, "Q0PAY0001");
    assert!(matches!(&q.last_status_change_by, Agent::User(u) if u.person.email == PRIYA));
    let notes: Vec<(&str, &str)> = q
        .notes()
        .map(|n| {
            let by = match &n.agent {
                Agent::User(u) => u.person.email.as_str(),
                Agent::Service(s) => s.name.as_str(),
            };
            (by, n.note.as_deref().unwrap_or(""))
        })
        .collect();
    assert_eq!(
        notes,
        [(PRIYA, "pool at 200/200"), (SAM, "postmortem Tuesday")]
    );
    let ids: Vec<&str> = q.log_entries.iter().map(|e| e.id.as_str()).collect();
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "action entries get their own ids");
}

#[test]
fn oncall_entries_carry_schedules_policies_and_the_days_instants() {
    let world = day();
    let oncalls = world.oncalls();
    assert_eq!(oncalls.len(), 2);
    let primary = &oncalls[0];
    assert_eq!(primary.schedule.name, "Payments Primary");
    assert_eq!(primary.user.person.email, SAM);
    assert_eq!(primary.start, at(5, 0));
    assert_eq!(
        primary.end,
        Utc.with_ymd_and_hms(2026, 5, 5, 9, 0, 0).unwrap()
    );
    assert_eq!(primary.escalation_level, 1);
    let payments = world
        .pagerduty()
        .service("payments-api")
        .expect("payments-api is a PagerDuty service");
    assert_eq!(primary.escalation_policy, payments.escalation_policy);
    assert_eq!(primary.user.id, world.pagerduty().users()[0].id);

    let secondary = &oncalls[1];
    assert_eq!(secondary.user.person.email, PRIYA);
    assert_eq!(secondary.escalation_policy.name, "Payments Secondary");
    assert_ne!(secondary.escalation_policy.id, primary.escalation_policy.id);
    assert_ne!(secondary.schedule.id, primary.schedule.id);
    assert_ne!(secondary.schedule.id, secondary.escalation_policy.id);
}

#[test]
fn events_apply_in_file_order_across_a_dst_gap() {
    let scenario = parse_str(
        r#"version: 1
name: gap
summary: spring forward
clock: {tz: Europe/Berlin, day_starts: "00:00"}
me: {name: Me, email: me@example.test}
services:
  - name: api
    pagerduty: {id: PAPI, escalation_policy: Primary}
events:
  - {at: "02:30", page: {id: Q1, service: api, title: t, urgency: low, assignee: me, state: triggered}}
  - {at: "03:15", page: {id: Q1, state: acknowledged}}
"#,
        "gap.yaml",
    )
    .expect("loads");
    let date = NaiveDate::from_ymd_opt(2026, 3, 29).expect("valid date");
    let mut world = World::new(Arc::new(scenario), date);
    // 02:30 does not exist and becomes 03:30 CEST (01:30 UTC), later than 03:15 CEST
    // (01:15 UTC): the acknowledge waits for the page it acknowledges.
    let utc = |h, m| Utc.with_ymd_and_hms(2026, 3, 29, h, m, 0).unwrap();
    assert!(world.advance_to(utc(1, 20)).is_empty());
    let applied = world.advance_to(utc(1, 30));
    assert_eq!(applied.len(), 2);
    assert!(applied
        .iter()
        .all(|a| a.outcome == Outcome::Applied && a.at == utc(1, 30)));
    assert_eq!(incident(&world, "Q1").status, IncidentStatus::Acknowledged);
    // Without `by`, the assignee acknowledges.
    assert_eq!(
        incident(&world, "Q1")
            .acknowledged_by
            .as_ref()
            .map(|u| u.person.email.as_str()),
        Some("me@example.test")
    );
}

fn minutes(n: i64) -> chrono::TimeDelta {
    chrono::TimeDelta::minutes(n)
}

fn email(user: &User) -> &str {
    user.person.email.as_str()
}

#[test]
fn reassigning_keeps_the_status_but_triggers_an_acknowledged_incident_again() {
    let mut world = day();
    // Before the 05:52 acknowledgement the page is triggered, and stays so.
    world.advance_to(at(5, 48));
    assert_eq!(
        world.reassign("Q0PAY0001", SAM, Reassign::User(PRIYA.into()), at(5, 48)),
        Ok(Change::Changed)
    );
    let q = incident(&world, "Q0PAY0001");
    assert_eq!(q.status, IncidentStatus::Triggered);
    assert_eq!(email(&q.assignee), PRIYA);
    assert_eq!(q.last_status_change_at, at(5, 47));

    // Sam's scripted 05:52 acknowledgement still happens.
    world.advance_to(at(6, 0));
    assert_eq!(
        incident(&world, "Q0PAY0001").status,
        IncidentStatus::Acknowledged
    );
    assert_eq!(
        world.reassign("Q0PAY0001", PRIYA, Reassign::User(SAM.into()), at(6, 10)),
        Ok(Change::Changed)
    );
    let q = incident(&world, "Q0PAY0001");
    assert_eq!(q.status, IncidentStatus::Triggered, "Sam is paged again");
    assert_eq!(email(&q.assignee), SAM);
    assert_eq!(q.last_status_change_at, at(6, 10));
    assert!(matches!(&q.last_status_change_by, Agent::User(u) if email(u) == PRIYA));
    let last = q.log_entries.last().expect("entries");
    assert_eq!(
        (last.kind, last.created_at, last.channel),
        (LogEntryKind::Assign, at(6, 10), Channel::Api)
    );
    assert!(matches!(&last.agent, Agent::User(u) if email(u) == PRIYA));
    assert_eq!(last.assignee.as_ref().map(email), Some(SAM));

    // Handing it to its assignee changes nothing.
    let entries = q.log_entries.len();
    assert_eq!(
        world.reassign("Q0PAY0001", SAM, Reassign::User(SAM.into()), at(6, 11)),
        Ok(Change::AlreadyDone)
    );
    assert_eq!(incident(&world, "Q0PAY0001").log_entries.len(), entries);
    assert_eq!(
        world.reassign(
            "Q0PAY0001",
            SAM,
            Reassign::User("ghost@example.test".into()),
            at(6, 12)
        ),
        Err(WorldError::UnknownPerson("ghost@example.test".into()))
    );
    assert_eq!(
        world.reassign("Q0NOPE", SAM, Reassign::User(PRIYA.into()), at(6, 12)),
        Err(WorldError::UnknownIncident("Q0NOPE".into()))
    );

    world
        .resolve("Q0PAY0001", SAM, at(6, 20))
        .expect("resolves");
    for to in [Reassign::User(PRIYA.into()), Reassign::EscalationLevel(2)] {
        let err = world
            .reassign("Q0PAY0001", SAM, to, at(6, 21))
            .expect_err("a resolved incident is not reassigned");
        assert!(err.to_string().contains("already resolved"), "{err}");
    }
}

#[test]
fn escalation_levels_are_the_policys_schedule_then_the_others_in_scenario_order() {
    let mut world = day();
    world.advance_to(at(6, 0));
    assert_eq!(
        world.reassign("Q0PAY0001", SAM, Reassign::EscalationLevel(2), at(6, 1)),
        Ok(Change::Changed)
    );
    let q = incident(&world, "Q0PAY0001");
    assert_eq!(
        email(&q.assignee),
        PRIYA,
        "Payments Secondary is on level 2"
    );
    assert_eq!(q.status, IncidentStatus::Triggered);
    assert_eq!(
        world.reassign("Q0PAY0001", SAM, Reassign::EscalationLevel(1), at(6, 2)),
        Ok(Change::Changed)
    );
    assert_eq!(email(&incident(&world, "Q0PAY0001").assignee), SAM);
    for level in [0, 3] {
        let err = world
            .reassign("Q0PAY0001", SAM, Reassign::EscalationLevel(level), at(6, 3))
            .expect_err("no such level");
        assert_eq!(
            err,
            WorldError::NoSuchLevel {
                policy: "Payments Primary".into(),
                level,
                levels: 2
            }
        );
        assert!(err.to_string().contains(&format!("level {level}")), "{err}");
    }

    // "Security On-Call" has no schedule of its name: nobody is on its first level, and the
    // two payments schedules follow.
    world.advance_to(at(11, 32));
    let err = world
        .reassign("Q0SEC0002", SAM, Reassign::EscalationLevel(1), at(11, 32))
        .expect_err("nobody on call");
    assert_eq!(
        err,
        WorldError::NobodyOnCall {
            policy: "Security On-Call".into(),
            level: 1,
            schedule: "Security On-Call".into()
        }
    );
    assert!(err.to_string().contains("level 1"), "{err}");
    assert_eq!(
        world.reassign("Q0SEC0002", SAM, Reassign::EscalationLevel(3), at(11, 32)),
        Ok(Change::Changed)
    );
    assert_eq!(email(&incident(&world, "Q0SEC0002").assignee), PRIYA);
    assert!(matches!(
        world.reassign("Q0SEC0002", SAM, Reassign::EscalationLevel(4), at(11, 32)),
        Err(WorldError::NoSuchLevel { levels: 3, .. })
    ));
}

#[test]
fn a_level_whose_shift_has_not_begun_has_nobody_on_call() {
    let scenario = parse_str(
        r#"version: 1
name: shifts
summary: a late shift
clock: {tz: UTC, day_starts: "00:00"}
me: {name: Me, email: me@example.test}
people: [{name: Late, email: late@example.test}]
oncall:
  - {schedule: Primary, user: me, from: "00:00", to: "23:59"}
  - {schedule: Backup, user: late@example.test, from: "12:00", to: "23:59"}
services:
  - name: api
    pagerduty: {id: PAPI, escalation_policy: Primary}
events:
  - {at: "09:00", page: {id: Q1, service: api, title: t, urgency: high, assignee: me, state: triggered}}
"#,
        "shifts.yaml",
    )
    .expect("loads");
    let mut world = World::new(Arc::new(scenario), monday());
    world.advance_to(at(9, 0));
    let me = "me@example.test";
    assert_eq!(
        world.reassign("Q1", me, Reassign::EscalationLevel(2), at(9, 0)),
        Err(WorldError::NobodyOnCall {
            policy: "Primary".into(),
            level: 2,
            schedule: "Backup".into()
        })
    );
    assert_eq!(
        world.reassign("Q1", me, Reassign::EscalationLevel(2), at(12, 0)),
        Ok(Change::Changed)
    );
    assert_eq!(email(&incident(&world, "Q1").assignee), "late@example.test");
}

#[test]
fn snoozing_needs_an_acknowledged_incident_and_ends_with_an_unacknowledge() {
    let mut world = day();
    world.advance_to(at(5, 48));
    let err = world
        .snooze("Q0PAY0001", SAM, minutes(60), at(5, 48))
        .expect_err("a triggered incident is not snoozed");
    assert!(
        matches!(
            &err,
            WorldError::NotApplicable {
                action: "snooze",
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("not acknowledged"), "{err}");

    world.advance_to(at(6, 0));
    for (duration, seconds) in [
        (chrono::TimeDelta::zero(), 0),
        (chrono::TimeDelta::seconds(-5), -5),
        (
            chrono::TimeDelta::days(7) + chrono::TimeDelta::seconds(1),
            604_801,
        ),
    ] {
        assert_eq!(
            world.snooze("Q0PAY0001", SAM, duration, at(6, 0)),
            Err(WorldError::SnoozeOutOfRange { seconds })
        );
    }
    assert_eq!(
        world.snooze("Q0PAY0001", SAM, minutes(60), at(6, 0)),
        Ok(Change::Changed)
    );
    let q = incident(&world, "Q0PAY0001");
    assert_eq!(q.status, IncidentStatus::Acknowledged);
    assert_eq!(q.snooze.map(|s| s.until), Some(at(7, 0)));
    let snooze = q.log_entries.last().expect("entries");
    assert_eq!(
        (snooze.kind, snooze.created_at, snooze.snoozed_until),
        (LogEntryKind::Snooze, at(6, 0), Some(at(7, 0)))
    );
    assert!(matches!(&snooze.agent, Agent::User(u) if email(u) == SAM));

    world.advance_to(at(6, 59));
    assert_eq!(
        incident(&world, "Q0PAY0001").status,
        IncidentStatus::Acknowledged
    );
    world.advance_to(at(7, 0));
    let q = incident(&world, "Q0PAY0001");
    assert_eq!(q.status, IncidentStatus::Triggered);
    assert_eq!(q.snooze, None);
    assert_eq!(q.last_status_change_at, at(7, 0));
    assert!(matches!(&q.last_status_change_by, Agent::Service(s) if s.id == "PPAYAPI"));
    let unack = q.log_entries.last().expect("entries");
    assert_eq!(
        (unack.kind, unack.created_at, unack.channel),
        (LogEntryKind::Unacknowledge, at(7, 0), Channel::Timeout)
    );
    assert!(matches!(&unack.agent, Agent::Service(s) if s.id == "PPAYAPI"));
    assert_eq!(world.advanced_to(), Some(at(7, 0)));

    // The scripted 08:52 resolve still applies to the triggered incident; then nothing snoozes.
    world.advance_to(at(9, 0));
    assert_eq!(
        incident(&world, "Q0PAY0001").status,
        IncidentStatus::Resolved
    );
    let err = world
        .snooze("Q0PAY0001", SAM, minutes(5), at(9, 1))
        .expect_err("resolved");
    assert!(err.to_string().contains("already resolved"), "{err}");
}

#[test]
fn a_snooze_ends_in_time_order_with_the_scripted_events() {
    let mut world = day();
    world
        .acknowledge("Q0PAY0001", SAM, at(5, 48))
        .expect("acks");
    world
        .snooze("Q0PAY0001", SAM, minutes(2), at(5, 49))
        .expect("snoozes until 05:51");
    // One jump past both: the snooze ends at 05:51, so Sam's scripted 05:52 acknowledgement
    // acknowledges again instead of being a no-op.
    let applied = world.advance_to(at(6, 0));
    let scripted_ack = applied
        .iter()
        .find(|a| a.index == 3)
        .expect("the 05:52 acknowledge ran");
    assert_eq!(scripted_ack.outcome, Outcome::Applied);
    let q = incident(&world, "Q0PAY0001");
    assert_eq!(q.status, IncidentStatus::Acknowledged);
    assert_eq!(
        kinds_and_times(q),
        [
            (LogEntryKind::Trigger, at(5, 47)),
            (LogEntryKind::Assign, at(5, 47)),
            (LogEntryKind::Acknowledge, at(5, 48)),
            (LogEntryKind::Snooze, at(5, 49)),
            (LogEntryKind::Unacknowledge, at(5, 51)),
            (LogEntryKind::Acknowledge, at(5, 52)),
        ]
    );
    let ids: Vec<&str> = q.log_entries.iter().map(|e| e.id.as_str()).collect();
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "{ids:?}");

    // Replaying the same actions mints the same ids.
    let mut again = day();
    again
        .acknowledge("Q0PAY0001", SAM, at(5, 48))
        .expect("acks");
    again
        .snooze("Q0PAY0001", SAM, minutes(2), at(5, 49))
        .expect("snoozes");
    again.advance_to(at(6, 0));
    assert_eq!(again.incidents(), world.incidents());
}

#[test]
fn a_snooze_ending_at_an_events_instant_ends_first() {
    let mut world = day();
    world
        .acknowledge("Q0PAY0001", SAM, at(5, 48))
        .expect("acks");
    world
        .snooze("Q0PAY0001", SAM, minutes(4), at(5, 48))
        .expect("snoozes until 05:52");
    world.advance_to(at(5, 52));
    let q = incident(&world, "Q0PAY0001");
    assert_eq!(q.status, IncidentStatus::Acknowledged);
    let tail: Vec<LogEntryKind> = q.log_entries.iter().rev().take(2).map(|e| e.kind).collect();
    assert_eq!(
        tail,
        [LogEntryKind::Acknowledge, LogEntryKind::Unacknowledge]
    );
}

#[test]
fn resolving_or_reassigning_ends_a_snooze() {
    let mut world = day();
    world.advance_to(at(6, 0));
    world
        .snooze("Q0PAY0001", SAM, minutes(30), at(6, 0))
        .expect("snoozes");
    world
        .reassign("Q0PAY0001", SAM, Reassign::User(PRIYA.into()), at(6, 5))
        .expect("reassigns");
    assert_eq!(incident(&world, "Q0PAY0001").snooze, None);
    world
        .acknowledge("Q0PAY0001", PRIYA, at(6, 6))
        .expect("acks");
    world
        .snooze("Q0PAY0001", PRIYA, minutes(30), at(6, 7))
        .expect("snoozes");
    assert_eq!(
        world.resolve_with("Q0PAY0001", PRIYA, Some("pool resized"), at(6, 8)),
        Ok(Change::Changed)
    );
    world.advance_to(at(7, 0));
    let q = incident(&world, "Q0PAY0001");
    assert_eq!(q.status, IncidentStatus::Resolved);
    assert_eq!(q.snooze, None);
    assert!(q
        .log_entries
        .iter()
        .all(|e| e.kind != LogEntryKind::Unacknowledge));
    let resolve = q.log_entries.last().expect("entries");
    assert_eq!(resolve.kind, LogEntryKind::Resolve);
    assert_eq!(resolve.note.as_deref(), Some("pool resized"));
    assert_eq!(q.notes().count(), 0, "a resolution is not a note");
}

#[test]
fn a_scripted_reassignment_follows_the_same_rules() {
    let scenario = parse_str(
        r#"version: 1
name: handover
summary: a scripted handover
clock: {tz: UTC, day_starts: "00:00"}
me: {name: Me, email: me@example.test}
people: [{name: Other, email: other@example.test}]
services:
  - name: api
    pagerduty: {id: PAPI, escalation_policy: Primary}
events:
  - {at: "06:00", page: {id: Q1, service: api, title: t, urgency: high, assignee: me, state: triggered}}
  - {at: "06:05", page: {id: Q1, state: acknowledged}}
  - {at: "06:10", page: {id: Q1, assignee: other@example.test}}
  - {at: "06:15", page: {id: Q1, assignee: me, state: acknowledged, by: me}}
  - {at: "06:20", page: {id: Q1, state: resolved}}
  - {at: "06:25", page: {id: Q1, assignee: other@example.test}}
"#,
        "handover.yaml",
    )
    .expect("loads");
    let mut world = World::new(Arc::new(scenario), monday());
    world.advance_to(at(6, 10));
    let q = incident(&world, "Q1");
    assert_eq!(q.status, IncidentStatus::Triggered);
    assert_eq!(email(&q.assignee), "other@example.test");
    world.advance_to(at(6, 15));
    let q = incident(&world, "Q1");
    assert_eq!(
        (q.status, email(&q.assignee)),
        (IncidentStatus::Acknowledged, "me@example.test")
    );
    let applied = world.advance_to(at(6, 30));
    assert!(
        matches!(&applied[1].outcome, Outcome::Skipped(r) if r.contains("reassign Q1: the incident is already resolved")),
        "{applied:?}"
    );
}

#[test]
fn acknowledging_a_snoozed_incident_again_ends_the_snooze() {
    let mut world = day();
    world.advance_to(at(6, 0));
    world
        .snooze("Q0PAY0001", SAM, minutes(60), at(6, 0))
        .expect("snoozes");
    assert_eq!(
        world.acknowledge("Q0PAY0001", PRIYA, at(6, 10)),
        Ok(Change::Changed)
    );
    let q = incident(&world, "Q0PAY0001");
    assert_eq!(q.snooze, None);
    assert_eq!(q.status, IncidentStatus::Acknowledged);
    let ack = q.log_entries.last().expect("entries");
    assert_eq!(
        (ack.kind, ack.created_at),
        (LogEntryKind::Acknowledge, at(6, 10))
    );
    assert_eq!(
        q.acknowledged_at,
        Some(at(5, 52)),
        "acknowledged_at keeps the first acknowledgement"
    );
    world.advance_to(at(7, 30));
    assert_eq!(
        incident(&world, "Q0PAY0001").status,
        IncidentStatus::Acknowledged,
        "the snooze no longer ends"
    );
    assert_eq!(
        world.acknowledge("Q0PAY0001", PRIYA, at(7, 31)),
        Ok(Change::AlreadyDone)
    );
}

#[test]
fn alerts_fire_and_resolve_with_their_history_kept() {
    use crate::scenario::AlertVia;
    let mut world = day();
    world.advance_to(at(6, 0));
    let firing: Vec<&str> = world
        .alerts()
        .firing(AlertVia::Prometheus)
        .map(|a| a.identity.name.as_str())
        .collect();
    assert_eq!(firing, ["DBConnectionPoolExhausted"]);
    let pool = &world.alerts().occurrences()[1];
    assert_eq!(pool.starts_at, at(5, 33));
    assert_eq!(pool.labels["alertname"], "DBConnectionPoolExhausted");
    assert_eq!(pool.labels["service"], "payments-api");
    assert_eq!(pool.labels["severity"], "warning");
    assert_eq!(
        pool.annotations["summary"],
        "connection pool 200/200 in use"
    );
    assert_eq!(
        pool.annotations["runbook_url"],
        "https://runbooks.example.test/connection-pool"
    );
    assert_eq!(pool.fingerprint, super::fingerprint(&pool.labels));
    let latency = &world.alerts().occurrences()[0];
    assert_eq!(latency.labels["route"], "/v1/checkout");
    assert_eq!(world.alerts().firing(AlertVia::Grafana).count(), 1);

    world.advance_to(at(6, 10));
    assert_eq!(world.alerts().firing(AlertVia::Prometheus).count(), 0);
    let pool = &world.alerts().occurrences()[1];
    assert_eq!(pool.ends_at, Some(at(6, 9)));
    assert!(pool.overlaps(at(6, 0), at(6, 5)));
    assert!(!pool.overlaps(at(6, 9), at(7, 0)));
}

#[test]
fn silences_from_outside_get_deterministic_ids() {
    use opsdeck_domain::matchers::parse;
    let posted = || super::PostedSilence {
        id: None,
        matchers: parse(r#"alertname="DBConnectionPoolExhausted""#).expect("matchers"),
        starts_at: at(5, 40),
        ends_at: at(7, 40),
        created_by: SAM.into(),
        comment: "known".into(),
        annotations: Default::default(),
    };
    let mut one = day();
    let mut two = day();
    let a = one
        .post_alertmanager_silence(posted(), at(5, 40))
        .expect("posted");
    let b = two
        .post_alertmanager_silence(posted(), at(5, 40))
        .expect("posted");
    assert_eq!(a, b);
    let labels = &one.alerts().occurrences()[1].labels.clone();
    assert_eq!(
        one.alertmanager_silences().silencing(labels, at(5, 41)),
        vec![a.clone()]
    );
    one.expire_alertmanager_silence(&a, at(5, 45))
        .expect("expires");
    assert!(one
        .alertmanager_silences()
        .silencing(labels, at(5, 46))
        .is_empty());
    let c = one
        .post_alertmanager_silence(posted(), at(5, 50))
        .expect("posted");
    assert_ne!(c, a, "each action mints its own id");
}

#[test]
fn grafana_rules_are_one_per_alert_name_with_ids_in_order_of_appearance() {
    let world = day();
    let rules: Vec<(u64, &str, &str)> = world
        .grafana_rules()
        .iter()
        .map(|r| (r.id, r.name.as_str(), r.group.as_str()))
        .collect();
    // The prometheus alerts have no Grafana rule.
    assert_eq!(
        rules,
        [
            (1, "APIResponseTimeCritical", "payments-api"),
            (2, "DBQueryRateHigh", "orders-db"),
            (3, "DBHighCPU", "orders-db"),
        ]
    );
    let latency = world.grafana_rule("APIResponseTimeCritical").expect("rule");
    assert_eq!(latency.uid.len(), 14);
    assert!(latency
        .uid
        .bytes()
        .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase()));
    assert_ne!(latency.uid, world.grafana_rules()[1].uid);
    assert_eq!(
        latency.labels.get("severity").map(String::as_str),
        Some("critical")
    );
    // Rules are configuration: the same on any date.
    let other_day = World::new(
        Arc::new(bundled_day()),
        NaiveDate::from_ymd_opt(2027, 1, 1).expect("valid date"),
    );
    assert_eq!(other_day.grafana_rules(), world.grafana_rules());
}

#[test]
fn annotations_hold_the_scenarios_notes_and_grafanas_alert_history() {
    use super::annotations::RuleState::{Alerting, Normal};
    let mut world = day();
    world.advance_to(Utc.with_ymd_and_hms(2026, 5, 5, 5, 0, 0).unwrap());
    /// Id, time, rule id, and (previous, new) state for state history.
    type Row = (u64, DateTime<Utc>, u64, Option<(RuleState, RuleState)>);
    let summary: Vec<Row> = world
        .annotations()
        .all()
        .iter()
        .map(|a| {
            let states = a.transition.as_ref().map(|t| (t.prev_state, t.new_state));
            (a.id, a.time, a.alert_id(), states)
        })
        .collect();
    // Only the Grafana alerts leave history; ids count both kinds in the order they happen.
    assert_eq!(
        summary,
        [
            (1, at(5, 30), 1, Some((Normal, Alerting))),
            (2, at(6, 11), 1, Some((Alerting, Normal))),
            (3, at(14, 16), 0, None),
            (4, at(14, 40), 2, Some((Normal, Alerting))),
            (5, at(15, 30), 2, Some((Alerting, Normal))),
            (6, at(22, 24), 3, Some((Normal, Alerting))),
            (7, at(22, 50), 0, None),
            (8, at(23, 41), 3, Some((Alerting, Normal))),
        ]
    );
    let release = world.annotations().get(3).expect("annotation 3");
    assert_eq!(
        release.text,
        "user-dashboard 2.8.0: new dashboard enabled for 10% of users"
    );
    assert_eq!(release.tags, ["deploy", "feature-flag"]);
    let cpu = world.annotations().get(6).expect("annotation 6");
    assert_eq!(
        cpu.text,
        "DBHighCPU {alertname=DBHighCPU, grafana_folder=opsdeck-sim, service=orders-db, \
         severity=critical} - firing"
    );
    assert_eq!(
        cpu.transition.as_ref().map(|t| t.rule_name.as_str()),
        Some("DBHighCPU")
    );
    assert!(cpu.tags.is_empty());
}

#[test]
fn an_annotation_naming_a_service_is_tagged_with_it() {
    let scenario = parse_str(
        r#"version: 1
name: notes
summary: two notes
clock: {tz: UTC, day_starts: "00:00"}
me: {name: Me, email: me@example.test}
services:
  - name: api
events:
  - {at: "09:00", annotation: {text: "deployed 1.2", tags: [deploy], service: api}}
  - {at: "09:05", annotation: {text: "note"}}
"#,
        "notes.yaml",
    )
    .expect("loads");
    let mut world = World::new(Arc::new(scenario), monday());
    let applied = world.advance_to(at(9, 5));
    assert!(applied.iter().all(|a| a.outcome == Outcome::Applied));
    let tags: Vec<(&str, &[String])> = world
        .annotations()
        .all()
        .iter()
        .map(|a| (a.text.as_str(), a.tags.as_slice()))
        .collect();
    assert_eq!(
        tags,
        [
            (
                "deployed 1.2",
                &["deploy".to_owned(), "service:api".to_owned()][..]
            ),
            ("note", &[][..]),
        ]
    );
    assert!(world.grafana_rules().is_empty());
}

#[test]
fn grafana_and_alertmanager_keep_their_own_silences() {
    use opsdeck_domain::matchers::parse;
    let posted = || super::PostedSilence {
        id: None,
        matchers: parse(r#"alertname="APIResponseTimeCritical""#).expect("matchers"),
        starts_at: at(5, 40),
        ends_at: at(7, 40),
        created_by: SAM.into(),
        comment: "known".into(),
        annotations: Default::default(),
    };
    let mut world = day();
    let grafana = world
        .post_grafana_silence(posted(), at(5, 40))
        .expect("posted");
    assert_eq!(
        grafana,
        world
            .ids()
            .uuid(ids::Origin::Action(1), &["grafana", "silence"])
    );
    let mut other = day();
    let alertmanager = other
        .post_alertmanager_silence(posted(), at(5, 40))
        .expect("posted");
    assert_ne!(grafana, alertmanager, "the same action in another store");
    assert!(world.alertmanager_silences().all().is_empty());
    assert_eq!(world.grafana_silences().all().len(), 1);
    let labels = world.alerts().occurrences()[0].labels.clone();
    assert_eq!(
        world.grafana_silences().silencing(&labels, at(5, 41)),
        vec![grafana.clone()]
    );
    world
        .expire_grafana_silence(&grafana, at(5, 45))
        .expect("expires");
    assert_eq!(
        world.expire_grafana_silence(&grafana, at(5, 46)),
        Err(SilenceError::AlreadyExpired(grafana.clone()))
    );
    assert_eq!(
        world.expire_silence(SilenceStore::Alertmanager, &grafana, at(5, 46)),
        Err(SilenceError::NotFound)
    );
}

mod kubernetes {
    use super::*;
    use crate::world::kubernetes::{ChangeType, Cluster, Kind, Object, Pod, RESTARTED_AT};

    fn pods_of<'c>(c: &'c Cluster, ns: &str) -> Vec<&'c Pod> {
        c.pods
            .values()
            .filter(|p| p.meta.namespace.as_deref() == Some(ns))
            .collect()
    }

    #[test]
    fn the_clusters_start_with_their_nodes_and_workloads_running() {
        let world = day();
        let c = world.kubernetes().cluster("prod-eu").expect("prod-eu");
        let nodes: Vec<&str> = c.nodes.keys().map(String::as_str).collect();
        assert_eq!(nodes, ["ip-10-0-1-11", "ip-10-0-1-12", "ip-10-0-1-13"]);
        assert!(c.nodes.values().all(|n| n.ready && !n.unschedulable));
        let pay = &c.deployments[&("payments".to_string(), "payments-api".to_string())];
        assert_eq!((pay.replicas, pay.revision), (3, 1));
        assert_eq!(pay.template.image, "ghcr.io/acme/payments-api:1.41.0");
        let pods = pods_of(c, "payments");
        assert_eq!(pods.len(), 3);
        assert!(pods.iter().all(|p| p.image == pay.template.image));
        // Spread over the nodes.
        let mut on: Vec<&str> = pods.iter().map(|p| p.node.as_str()).collect();
        on.dedup();
        assert_eq!(on.len(), 3, "{on:?}");
        assert_eq!(pods_of(c, "web").len(), 4);
        // Pod names are the ReplicaSet's, which is the Deployment's plus its template hash.
        let rs = c
            .replica_sets
            .values()
            .find(|rs| rs.deployment == "payments-api")
            .expect("a replica set");
        assert!(rs.meta.name.starts_with("payments-api-"));
        assert!(pods.iter().all(|p| p.meta.name.starts_with(&rs.meta.name)));
        assert_eq!(rs.meta.labels["pod-template-hash"], rs.pod_template_hash);
    }

    #[test]
    fn scaling_deploying_and_restarting_follow_the_scenario() {
        let mut world = day();
        world.advance_to(at(6, 5));
        let c = world.kubernetes().cluster("prod-eu").expect("prod-eu");
        let key = ("payments".to_string(), "payments-api".to_string());
        assert_eq!(c.deployments[&key].replicas, 6);
        assert_eq!(pods_of(c, "payments").len(), 6);
        let scaled = c
            .events
            .values()
            .filter(|e| e.reason == "ScalingReplicaSet" && e.message.contains("from 3 to 6"))
            .count();
        assert_eq!(scaled, 1);

        world.advance_to(at(8, 46));
        let c = world.kubernetes().cluster("prod-eu").expect("prod-eu");
        let pay = &c.deployments[&key];
        assert_eq!(pay.revision, 2);
        assert_eq!(pay.template.image, "ghcr.io/acme/payments-api:1.41.1");
        let sets: Vec<(u64, u32)> = {
            let mut v: Vec<(u64, u32)> = c
                .replica_sets
                .values()
                .filter(|rs| rs.deployment == "payments-api")
                .map(|rs| (rs.revision, rs.replicas))
                .collect();
            v.sort_unstable();
            v
        };
        assert_eq!(sets, [(1, 0), (2, 6)]);
        let pods = pods_of(c, "payments");
        assert_eq!(pods.len(), 6);
        assert!(pods.iter().all(|p| p.image.ends_with(":1.41.1")));

        // 11:52 deploys the same image: a restart, marked as kubectl marks it.
        world.advance_to(at(11, 53));
        let c = world.kubernetes().cluster("prod-eu").expect("prod-eu");
        let pay = &c.deployments[&key];
        assert_eq!(pay.revision, 3);
        assert_eq!(pay.template.image, "ghcr.io/acme/payments-api:1.41.1");
        assert!(pay.template.annotations.contains_key(RESTARTED_AT));
        let secret = c
            .events
            .values()
            .find(|e| e.involved_kind == "Secret")
            .expect("the 11:48 event");
        assert_eq!(
            (secret.reason.as_str(), secret.involved_name.as_str()),
            ("Updated", "orders-db-credentials")
        );
    }

    #[test]
    fn nodes_cordon_go_not_ready_and_come_back() {
        let mut world = day();
        let node =
            |w: &World| w.kubernetes().cluster("prod-eu").expect("c").nodes["ip-10-0-1-11"].clone();
        world.advance_to(at(18, 1));
        assert!(node(&world).unschedulable && node(&world).ready);
        world.advance_to(at(18, 3));
        assert!(!node(&world).ready);
        assert_eq!(node(&world).ready_since, at(18, 2));
        world.advance_to(at(18, 26));
        assert!(node(&world).ready && !node(&world).unschedulable);
        world.advance_to(at(18, 32));
        let c = world.kubernetes().cluster("prod-eu").expect("c");
        let backoff = c
            .events
            .values()
            .find(|e| e.reason == "BackOff")
            .expect("the 18:31 warning");
        assert_eq!(backoff.event_type, crate::scenario::K8sEventType::Warning);
        assert_eq!(backoff.involved_name, "user-dashboard-5c9f7b8d4-x2x8q");
        assert_eq!(backoff.count, 1);
    }

    #[test]
    fn every_change_is_kept_in_resource_version_order_and_ids_repeat() {
        let mut one = day();
        let mut two = day();
        one.advance_to(at(12, 0));
        two.advance_to(at(12, 0));
        let a = one.kubernetes().cluster("prod-eu").expect("c");
        let b = two.kubernetes().cluster("prod-eu").expect("c");
        let changes = a.changes_since(0);
        assert_eq!(changes.len() as u64, a.resource_version());
        assert!(changes
            .windows(2)
            .all(|w| w[0].resource_version < w[1].resource_version));
        assert!(changes
            .iter()
            .all(|c| c.object.meta().resource_version == c.resource_version));
        // Rollouts delete the old pods.
        assert!(changes
            .iter()
            .any(|c| c.change == ChangeType::Deleted && c.object.kind() == Kind::Pod));
        let uids =
            |c: &Cluster| -> Vec<String> { c.pods.values().map(|p| p.meta.uid.clone()).collect() };
        assert_eq!(uids(a), uids(b), "the same day mints the same ids");
        // A watch from the middle gets only what came after.
        let mid = changes[changes.len() / 2].resource_version;
        assert!(a
            .changes_since(mid)
            .iter()
            .all(|c| c.resource_version > mid));
        // Stored objects are as their last change left them.
        let last_pod = changes
            .iter()
            .rev()
            .find_map(|c| match (&c.object, c.change) {
                (Object::Pod(p), ChangeType::Added) => Some(p.clone()),
                _ => None,
            })
            .expect("a pod was added");
        let stored = &a.pods[&(
            last_pod.meta.namespace.clone().unwrap_or_default(),
            last_pod.meta.name.clone(),
        )];
        assert_eq!(stored, &last_pod);
    }

    #[test]
    fn a_rollback_reuses_the_replica_set_that_has_the_template() {
        use crate::world::kubernetes::DeploymentRef;
        let mut world = day();
        world.advance_to(at(8, 46));
        let key = ("payments".to_string(), "payments-api".to_string());
        let (first_rs, first_template) = {
            let c = world.kubernetes().cluster("prod-eu").expect("c");
            let rs = c
                .replica_sets
                .values()
                .find(|rs| rs.deployment == "payments-api" && rs.revision == 1)
                .expect("revision 1");
            (rs.meta.name.clone(), rs.template.clone())
        };
        let target = DeploymentRef {
            context: "prod-eu",
            namespace: "payments",
            name: "payments-api",
        };
        assert!(world.update_deployment(target, 6, first_template.clone(), at(8, 50)));
        let c = world.kubernetes().cluster("prod-eu").expect("c");
        let pay = &c.deployments[&key];
        assert_eq!(pay.revision, 3);
        assert_eq!(pay.template, first_template);
        let rs = &c.replica_sets[&("payments".to_string(), first_rs.clone())];
        assert_eq!(
            (rs.revision, rs.replicas),
            (3, 6),
            "the old ReplicaSet is reused"
        );
        assert_eq!(
            rs.meta.annotations["deployment.kubernetes.io/revision"],
            "3"
        );
        assert!(pods_of(c, "payments")
            .iter()
            .all(|p| p.image.ends_with(":1.41.0")));
        // Replicas alone scale the current ReplicaSet.
        assert!(world.update_deployment(target, 8, first_template, at(8, 51)));
        let c = world.kubernetes().cluster("prod-eu").expect("c");
        assert_eq!(pods_of(c, "payments").len(), 8);
        let missing = DeploymentRef {
            name: "nope",
            ..target
        };
        assert!(!world.update_deployment(
            missing,
            1,
            c.deployments[&key].template.clone(),
            at(8, 52)
        ));
    }
}
