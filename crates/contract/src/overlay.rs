//! Known flaws of the vendors' documents, fixed by JSON-pointer patches applied to the raw
//! document before conversion (pointers therefore mean the vendor's own file).
//!
//! Each patch fixes one specific flaw instead of loosening validation, and states what it
//! expects to find: when the target disappears or changes upstream, loading fails and the patch
//! has to be revisited (dropped if the vendor fixed the flaw).

use serde_json::{json, Value};

use crate::error::ContractError;
use crate::load::Vendor;
use crate::pointer;

/// One change to a spec document.
#[derive(Debug, Clone, PartialEq)]
pub struct Patch {
    pointer: String,
    op: PatchOp,
    why: String,
}

#[derive(Debug, Clone, PartialEq)]
enum PatchOp {
    /// The value at the pointer must currently equal `from`.
    Replace { from: Value, to: Value },
    /// The pointer's parent object must exist and must not yet have the key.
    Add(Value),
    /// The schema at the pointer must have `oneOf` (and no `anyOf`); it becomes `anyOf`.
    OneOfToAnyOf,
}

impl Patch {
    /// Replaces the value at `pointer`, which must currently be `from`.
    pub fn replace(pointer: &str, from: Value, to: Value, why: &str) -> Patch {
        Patch {
            pointer: pointer.to_string(),
            op: PatchOp::Replace { from, to },
            why: why.to_string(),
        }
    }

    /// Adds a member at `pointer`; its parent object must exist and lack that member.
    pub fn add(pointer: &str, value: Value, why: &str) -> Patch {
        Patch {
            pointer: pointer.to_string(),
            op: PatchOp::Add(value),
            why: why.to_string(),
        }
    }

    /// Turns the `oneOf` of the schema at `pointer` into `anyOf`, for branches that overlap
    /// without a discriminator (a body matching two of them is fine, not an error). `$ref`s into
    /// the branches follow.
    pub fn one_of_to_any_of(pointer: &str, why: &str) -> Patch {
        Patch {
            pointer: pointer.to_string(),
            op: PatchOp::OneOfToAnyOf,
            why: why.to_string(),
        }
    }

    pub fn pointer(&self) -> &str {
        &self.pointer
    }

    pub fn why(&self) -> &str {
        &self.why
    }

    fn fail(&self, problem: String) -> ContractError {
        ContractError::Overlay {
            pointer: self.pointer.clone(),
            why: self.why.clone(),
            problem,
        }
    }

    /// Applies the patch; returns a (old, new) pointer move when branches changed place.
    fn apply(&self, doc: &mut Value) -> Result<Option<(String, String)>, ContractError> {
        match &self.op {
            PatchOp::Replace { from, to } => {
                let target = doc.pointer_mut(&self.pointer).ok_or_else(|| {
                    self.fail("target does not exist (did the vendor change this part?)".into())
                })?;
                if target != from {
                    return Err(self.fail(format!(
                        "expected {from} there but found {}; the flaw may be fixed upstream",
                        abbreviate(target)
                    )));
                }
                *target = to.clone();
            }
            PatchOp::Add(value) => {
                let (parent, key) = pointer::split_last(&self.pointer)
                    .ok_or_else(|| self.fail("not a JSON pointer".into()))?;
                let object = doc
                    .pointer_mut(parent)
                    .and_then(Value::as_object_mut)
                    .ok_or_else(|| {
                        self.fail(format!(
                            "parent {parent} does not exist or is not an object"
                        ))
                    })?;
                if let Some(existing) = object.get(&key) {
                    return Err(self.fail(format!(
                        "already present as {}; the flaw may be fixed upstream",
                        abbreviate(existing)
                    )));
                }
                object.insert(key, value.clone());
            }
            PatchOp::OneOfToAnyOf => {
                let object = doc
                    .pointer_mut(&self.pointer)
                    .and_then(Value::as_object_mut)
                    .ok_or_else(|| self.fail("target does not exist or is not a schema".into()))?;
                if !object.contains_key("oneOf") {
                    return Err(
                        self.fail("target has no oneOf; the flaw may be fixed upstream".into())
                    );
                }
                if object.contains_key("anyOf") {
                    return Err(self.fail("target already has an anyOf".into()));
                }
                let branches = object.remove("oneOf").unwrap_or_default();
                object.insert("anyOf".into(), branches);
                return Ok(Some((
                    format!("{}/oneOf", self.pointer),
                    format!("{}/anyOf", self.pointer),
                )));
            }
        }
        Ok(None)
    }
}

fn abbreviate(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(120) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// Applies `patches` in order; the first one that cannot apply fails the load. Returns the
/// (old, new) pointers of moved branch lists; the caller retargets `$ref`s into them.
pub(crate) fn apply_all(
    doc: &mut Value,
    patches: &[Patch],
) -> Result<Vec<(String, String)>, ContractError> {
    let mut moved = Vec::new();
    for patch in patches {
        moved.extend(patch.apply(doc)?);
    }
    Ok(moved)
}

/// The built-in patches for a vendor's document, recognised by its `info.title`. A title the
/// overlay does not know gets no patches (the example tests notice when that matters).
pub fn builtin_overlay(vendor: Vendor, title: &str) -> Vec<Patch> {
    match (vendor, title) {
        (Vendor::PagerDuty, "PagerDuty API") => pagerduty_rest(),
        _ => Vec::new(),
    }
}

fn pagerduty_rest() -> Vec<Patch> {
    let incident = "/components/schemas/Incident/allOf/1/properties";
    let support_hours = "/components/schemas/SupportHours/properties";
    vec![
        // Open incidents carry `null` here in PagerDuty's own examples (and on the wire); the
        // schema forgot `nullable`.
        Patch::add(
            &format!("{incident}/resolved_at/nullable"),
            json!(true),
            "Incident.resolved_at is null until the incident is resolved",
        ),
        Patch::add(
            &format!("{incident}/resolve_reason/nullable"),
            json!(true),
            "Incident.resolve_reason is null unless resolved by a merge",
        ),
        Patch::add(
            &format!("{incident}/alert_grouping/properties/ended_at/nullable"),
            json!(true),
            "Incident.alert_grouping.ended_at is null while the group is open",
        ),
        // These branches overlap (each accepts any object with a `type`), so a real body matches
        // several and `oneOf` rejects it; there is no discriminator to pick one.
        Patch::one_of_to_any_of(
            "/components/schemas/Channel",
            "Channel variants overlap: {\"type\": \"api\"} matches several",
        ),
        Patch::one_of_to_any_of(
            "/components/schemas/Service/allOf/1/properties/alert_grouping_parameters",
            "AlertGroupingParameters and its settings-reference variant overlap",
        ),
        // PagerDuty's own examples send and return `{"type": "round_robin"}` (one even an array
        // of those); no example uses the bare string the schema declares.
        Patch::replace(
            "/components/schemas/EscalationRule/properties/escalation_rule_assignment_strategy",
            json!({
                "type": "string",
                "description": "The strategy used to assign the escalation rule to an incident.",
                "enum": ["round_robin", "assign_to_everyone"]
            }),
            json!({
                "type": "object",
                "description": "The strategy used to assign the escalation rule to an incident.",
                "properties": {"type": {"type": "string", "enum": ["round_robin", "assign_to_everyone"]}},
                "required": ["type"]
            }),
            "EscalationRule.escalation_rule_assignment_strategy is an object {type}",
        ),
        // The create-incident reference sends `details` as free text; the schema says object.
        Patch::replace(
            "/components/schemas/IncidentBody/properties/details/type",
            json!("object"),
            json!("string"),
            "IncidentBody.details is a string",
        ),
        // Support hours are a wall-clock time of day in the service's time zone ("09:00:00"),
        // RFC 3339 `partial-time`, not `time` (which requires a UTC offset).
        Patch::replace(
            &format!("{support_hours}/start_time/format"),
            json!("time"),
            json!("partial-time"),
            "SupportHours.start_time is a time of day without offset",
        ),
        Patch::replace(
            &format!("{support_hours}/end_time/format"),
            json!("time"),
            json!("partial-time"),
            "SupportHours.end_time is a time of day without offset",
        ),
        // LogEntry's own `type` enum, every example and the real API say
        // `acknowledge_log_entry`; with the subtype's `acknowledgement_log_entry` an acknowledge
        // entry matches no branch of the log-entry lists' `oneOf`, so every real incident log
        // with an acknowledgement would fail.
        Patch::replace(
            "/components/schemas/AcknowledgeLogEntry/allOf/1/properties/type/enum",
            json!(["acknowledgement_log_entry"]),
            json!(["acknowledge_log_entry"]),
            "AcknowledgeLogEntry.type is acknowledge_log_entry, as LogEntry's enum and the API say",
        ),
        // Every endpoint answers 401 to a missing or revoked token; GET /users/me forgot to
        // declare it, so a correct 401 there would count as an undeclared status.
        Patch::add(
            "/paths/~1users~1me/get/responses/401",
            json!({"$ref": "#/components/responses/Unauthorized"}),
            "GET /users/me answers 401 without a valid token, like every endpoint",
        ),
        // Updating an incident answers 400 like every other write (the bulk PUT /incidents and
        // the snooze and note endpoints declare it): no or an unknown `From` header, a body it
        // cannot read, or a change that no longer applies ("Incident Already Resolved"). Only
        // this operation forgot to declare it.
        Patch::add(
            "/paths/~1incidents~1{id}/put/responses/400",
            json!({"$ref": "#/components/responses/ArgumentError"}),
            "PUT /incidents/{id} answers 400 to invalid input, like every write",
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replace_checks_the_current_value() {
        let mut doc = json!({"a": {"format": "time"}});
        let patch = Patch::replace("/a/format", json!("time"), json!("partial-time"), "why");
        patch.apply(&mut doc).expect("applies");
        assert_eq!(doc, json!({"a": {"format": "partial-time"}}));
        let again = patch
            .apply(&mut doc)
            .expect_err("second application must fail");
        assert!(again.to_string().contains("fixed upstream"), "{again}");
    }

    #[test]
    fn missing_target_fails_loudly() {
        let mut doc = json!({"a": {}});
        let err = Patch::replace("/a/b", json!(1), json!(2), "because")
            .apply(&mut doc)
            .expect_err("target is missing");
        assert_eq!(
            err.to_string(),
            "overlay patch at /a/b (because): target does not exist (did the vendor change this part?)"
        );
    }

    #[test]
    fn add_needs_a_parent_and_a_free_key() {
        let mut doc = json!({"a": {"x": 1}});
        Patch::add("/a/nullable", json!(true), "w")
            .apply(&mut doc)
            .expect("adds");
        assert_eq!(doc, json!({"a": {"x": 1, "nullable": true}}));
        assert!(Patch::add("/a/x", json!(2), "w").apply(&mut doc).is_err());
        assert!(Patch::add("/b/x", json!(2), "w").apply(&mut doc).is_err());
    }

    #[test]
    fn one_of_to_any_of_moves_refs_along() {
        let mut doc = json!({"S": {"oneOf": [{"type": "string"}]}, "T": {"$ref": "#/S/oneOf/0"}});
        let moved =
            apply_all(&mut doc, &[Patch::one_of_to_any_of("/S", "overlap")]).expect("applies");
        pointer::retarget_refs(&mut doc, &moved);
        assert_eq!(
            doc,
            json!({"S": {"anyOf": [{"type": "string"}]}, "T": {"$ref": "#/S/anyOf/0"}})
        );
        let err = apply_all(&mut doc, &[Patch::one_of_to_any_of("/S", "overlap")])
            .expect_err("no oneOf left");
        assert!(err.to_string().contains("has no oneOf"), "{err}");
    }

    #[test]
    fn builtin_overlay_is_chosen_by_vendor_and_title() {
        assert!(!builtin_overlay(Vendor::PagerDuty, "PagerDuty API").is_empty());
        assert!(builtin_overlay(Vendor::PagerDuty, "PagerDuty V2 Events API").is_empty());
        assert!(builtin_overlay(Vendor::Alertmanager, "Alertmanager API").is_empty());
    }
}
