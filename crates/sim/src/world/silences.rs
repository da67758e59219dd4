//! Silences as Alertmanager keeps them (Grafana's alerting keeps its own, with the same rules):
//! created and updated with Alertmanager's validation, expired early on request, and matched
//! against alerts with Alertmanager's semantics (the matchers opsdeck itself uses).

use chrono::{DateTime, Utc};
use opsdeck_domain::matchers::{LabelSet, Matcher};

/// `pending` before it starts, `active` until it ends, `expired` after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SilenceState {
    Pending,
    Active,
    Expired,
}

impl SilenceState {
    pub fn as_str(self) -> &'static str {
        match self {
            SilenceState::Pending => "pending",
            SilenceState::Active => "active",
            SilenceState::Expired => "expired",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Silence {
    pub id: String,
    pub matchers: Vec<Matcher>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub created_by: String,
    pub comment: String,
    pub annotations: LabelSet,
    pub updated_at: DateTime<Utc>,
}

impl Silence {
    pub fn state(&self, now: DateTime<Utc>) -> SilenceState {
        if self.ends_at <= now {
            SilenceState::Expired
        } else if self.starts_at > now {
            SilenceState::Pending
        } else {
            SilenceState::Active
        }
    }

    /// Whether it silences an alert with `labels` at `now`.
    pub fn silences(&self, labels: &LabelSet, now: DateTime<Utc>) -> bool {
        self.state(now) == SilenceState::Active && self.matchers.iter().all(|m| m.matches(labels))
    }
}

/// A silence as posted: `id` names one to update.
#[derive(Debug, Clone)]
pub struct PostedSilence {
    pub id: Option<String>,
    pub matchers: Vec<Matcher>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub created_by: String,
    pub comment: String,
    pub annotations: LabelSet,
}

/// Why a silence was refused, in Alertmanager's words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SilenceError {
    #[error("silence not found")]
    NotFound,
    #[error("silence {0} already expired")]
    AlreadyExpired(String),
    #[error("silence invalid: {0}")]
    Invalid(&'static str),
}

#[derive(Debug, Clone, Default)]
pub struct Silences {
    /// In creation order.
    list: Vec<Silence>,
}

impl Silences {
    pub fn all(&self) -> &[Silence] {
        &self.list
    }

    pub fn get(&self, id: &str) -> Option<&Silence> {
        self.list.iter().find(|s| s.id == id)
    }

    /// The ids of the silences muting `labels` at `now`, in creation order.
    pub fn silencing(&self, labels: &LabelSet, now: DateTime<Utc>) -> Vec<String> {
        self.list
            .iter()
            .filter(|s| s.silences(labels, now))
            .map(|s| s.id.clone())
            .collect()
    }

    /// Creates a silence, or updates the one `posted.id` names, returning its id. As in
    /// Alertmanager: a start in the past becomes now; changing the matchers or the start of a
    /// silence that has started, or touching an expired one, expires it and creates a new one
    /// (with an id from `mint`); otherwise it is updated in place.
    pub fn post(
        &mut self,
        mut posted: PostedSilence,
        now: DateTime<Utc>,
        mint: impl FnOnce() -> String,
    ) -> Result<String, SilenceError> {
        validate(&posted, now)?;
        if posted.starts_at < now {
            posted.starts_at = now;
        }
        if let Some(id) = posted.id.take() {
            let index = self
                .list
                .iter()
                .position(|s| s.id == id)
                .ok_or(SilenceError::NotFound)?;
            let old = &mut self.list[index];
            let state = old.state(now);
            let same_scope = old.matchers == posted.matchers
                && (state == SilenceState::Pending || old.starts_at <= posted.starts_at);
            if state != SilenceState::Expired && same_scope {
                if state == SilenceState::Pending {
                    old.starts_at = posted.starts_at;
                }
                old.ends_at = posted.ends_at;
                old.created_by = posted.created_by;
                old.comment = posted.comment;
                old.annotations = posted.annotations;
                old.updated_at = now;
                return Ok(id);
            }
            if state != SilenceState::Expired {
                expire_now(old, now);
            }
        }
        let id = mint();
        self.list.push(Silence {
            id: id.clone(),
            matchers: posted.matchers,
            starts_at: posted.starts_at,
            ends_at: posted.ends_at,
            created_by: posted.created_by,
            comment: posted.comment,
            annotations: posted.annotations,
            updated_at: now,
        });
        Ok(id)
    }

    /// Ends a silence now; a pending one never starts.
    pub fn expire(&mut self, id: &str, now: DateTime<Utc>) -> Result<(), SilenceError> {
        let silence = self
            .list
            .iter_mut()
            .find(|s| s.id == id)
            .ok_or(SilenceError::NotFound)?;
        if silence.state(now) == SilenceState::Expired {
            return Err(SilenceError::AlreadyExpired(id.to_owned()));
        }
        expire_now(silence, now);
        Ok(())
    }
}

fn expire_now(silence: &mut Silence, now: DateTime<Utc>) {
    if silence.starts_at > now {
        silence.starts_at = now;
    }
    silence.ends_at = now;
    silence.updated_at = now;
}

/// Alertmanager's checks (`silence.validateSilence`), in its order and words.
fn validate(posted: &PostedSilence, now: DateTime<Utc>) -> Result<(), SilenceError> {
    if posted.matchers.is_empty() {
        return Err(SilenceError::Invalid("at least one matcher required"));
    }
    if posted.matchers.iter().all(Matcher::matches_empty) {
        return Err(SilenceError::Invalid(
            "at least one matcher must not match the empty string",
        ));
    }
    if posted.ends_at < posted.starts_at {
        return Err(SilenceError::Invalid(
            "end time must not be before start time",
        ));
    }
    if posted.ends_at < now {
        return Err(SilenceError::Invalid("end time can't be in the past"));
    }
    if posted.created_by.is_empty() {
        return Err(SilenceError::Invalid("creator information missing"));
    }
    if posted.comment.is_empty() {
        return Err(SilenceError::Invalid("comment missing"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use opsdeck_domain::matchers::parse;

    use super::*;

    fn at(minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, 4, 6, minute, 0)
            .single()
            .expect("valid")
    }

    fn posted(matchers: &str, from: u32, to: u32) -> PostedSilence {
        PostedSilence {
            id: None,
            matchers: parse(matchers).expect("matchers"),
            starts_at: at(from),
            ends_at: at(to),
            created_by: "sam".into(),
            comment: "noisy".into(),
            annotations: LabelSet::new(),
        }
    }

    fn labels(pairs: &[(&str, &str)]) -> LabelSet {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn a_silence_mutes_matching_alerts_while_active_only() {
        let mut silences = Silences::default();
        let id = silences
            .post(
                posted(r#"alertname="A", service=~"pay.*""#, 10, 20),
                at(5),
                || "s1".into(),
            )
            .expect("created");
        let hit = labels(&[("alertname", "A"), ("service", "payments-api")]);
        let miss = labels(&[("alertname", "A"), ("service", "orders")]);
        assert!(silences.silencing(&hit, at(9)).is_empty(), "pending");
        assert_eq!(silences.silencing(&hit, at(10)), vec![id.clone()]);
        assert!(silences.silencing(&miss, at(10)).is_empty());
        assert!(silences.silencing(&hit, at(20)).is_empty(), "expired");
        assert_eq!(
            silences.get(&id).unwrap().state(at(9)),
            SilenceState::Pending
        );
    }

    #[test]
    fn refusals_use_alertmanager_words() {
        let mut silences = Silences::default();
        let mut post = |p: PostedSilence| silences.post(p, at(30), || "x".into());
        assert_eq!(
            post(posted(r#"a=~".*""#, 30, 40)),
            Err(SilenceError::Invalid(
                "at least one matcher must not match the empty string"
            ))
        );
        assert_eq!(
            post(posted(r#"a="1""#, 30, 20)),
            Err(SilenceError::Invalid(
                "end time must not be before start time"
            ))
        );
        assert_eq!(
            post(posted(r#"a="1""#, 10, 20)),
            Err(SilenceError::Invalid("end time can't be in the past"))
        );
        let mut anonymous = posted(r#"a="1""#, 30, 40);
        anonymous.created_by.clear();
        assert_eq!(
            post(anonymous),
            Err(SilenceError::Invalid("creator information missing"))
        );
        let mut unexplained = posted(r#"a="1""#, 30, 40);
        unexplained.comment.clear();
        assert_eq!(
            post(unexplained),
            Err(SilenceError::Invalid("comment missing"))
        );
        let mut unknown = posted(r#"a="1""#, 30, 40);
        unknown.id = Some("nope".into());
        assert_eq!(post(unknown), Err(SilenceError::NotFound));
    }

    #[test]
    fn updates_keep_the_id_unless_the_scope_changes() {
        let mut silences = Silences::default();
        let id = silences
            .post(posted(r#"a="1""#, 0, 30), at(0), || "s1".into())
            .unwrap();
        // A new end and comment: in place.
        let mut longer = posted(r#"a="1""#, 0, 50);
        longer.id = Some(id.clone());
        longer.comment = "still noisy".into();
        assert_eq!(
            silences.post(longer, at(10), || "s2".into()),
            Ok(id.clone())
        );
        assert_eq!(silences.get(&id).unwrap().ends_at, at(50));
        // New matchers: the old one ends now and a new one starts.
        let mut wider = posted(r#"a=~"1|2""#, 10, 50);
        wider.id = Some(id.clone());
        assert_eq!(
            silences.post(wider, at(12), || "s3".into()),
            Ok("s3".into())
        );
        assert_eq!(
            silences.get(&id).unwrap().state(at(12)),
            SilenceState::Expired
        );
        assert_eq!(
            silences.get("s3").unwrap().starts_at,
            at(12),
            "a past start is now"
        );
    }

    #[test]
    fn expiring_ends_it_once() {
        let mut silences = Silences::default();
        let id = silences
            .post(posted(r#"a="1""#, 0, 30), at(0), || "s1".into())
            .unwrap();
        silences.expire(&id, at(5)).expect("expires");
        assert_eq!(silences.get(&id).unwrap().ends_at, at(5));
        assert_eq!(
            silences.expire(&id, at(6)),
            Err(SilenceError::AlreadyExpired(id.clone()))
        );
        assert_eq!(silences.expire("nope", at(6)), Err(SilenceError::NotFound));
    }
}
