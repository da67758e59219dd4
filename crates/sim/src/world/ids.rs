//! Deterministic ids. The same scenario replayed on the same date mints the same ids, so tests,
//! caches and re-syncs see stable identities; ids of things that exist all year (people,
//! schedules, policies) depend on the scenario only.

use chrono::NaiveDate;
use sha2::{Digest, Sha256};

/// What caused a minted thing: a scripted event or the n-th action taken from outside.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Origin {
    Event(usize),
    Action(u64),
}

impl Origin {
    fn key(self) -> String {
        match self {
            Origin::Event(index) => format!("event:{index}"),
            Origin::Action(n) => format!("action:{n}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ids {
    scenario: String,
    date: NaiveDate,
}

impl Ids {
    pub fn new(scenario: &str, date: NaiveDate) -> Self {
        Ids {
            scenario: scenario.to_owned(),
            date,
        }
    }

    /// An id for something that happens on the replayed date: `prefix` then base36 characters,
    /// `len` in all (PagerDuty log entries look like `R2XGXEI3W0FHMR`).
    pub fn dated(&self, prefix: char, len: usize, origin: Origin, parts: &[&str]) -> String {
        let date = self.date.to_string();
        let origin = origin.key();
        let mut all = vec![self.scenario.as_str(), date.as_str(), origin.as_str()];
        all.extend_from_slice(parts);
        with_prefix(prefix, len, &all)
    }

    /// A version-4-shaped UUID for something that happens on the replayed date (Alertmanager
    /// silence ids look like `7d2a59c4-1f0e-4b8a-9c3e-5a1b2c3d4e5f`).
    pub fn uuid(&self, origin: Origin, parts: &[&str]) -> String {
        let date = self.date.to_string();
        let origin = origin.key();
        let mut all = vec![self.scenario.as_str(), date.as_str(), origin.as_str()];
        all.extend_from_slice(parts);
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&digest(&all)[..16]);
        bytes[6] = (bytes[6] & 0x0f) | 0x40;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        let hex = hex::encode(bytes);
        format!(
            "{}-{}-{}-{}-{}",
            &hex[..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..]
        )
    }

    /// A numeric id for something that happens on the replayed date (GitHub deployments look
    /// like `123456789`): nine digits, far below 2^53 so JavaScript clients read them exactly.
    pub fn dated_number(&self, origin: Origin, parts: &[&str]) -> u64 {
        let date = self.date.to_string();
        let origin = origin.key();
        let mut all = vec![self.scenario.as_str(), date.as_str(), origin.as_str()];
        all.extend_from_slice(parts);
        number(&all)
    }

    /// A numeric id stable for the scenario whatever the date (GitHub repositories, users,
    /// workflows and environments exist all year).
    pub fn stable_number(&self, parts: &[&str]) -> u64 {
        let mut all = vec![self.scenario.as_str()];
        all.extend_from_slice(parts);
        number(&all)
    }

    /// An id stable for the scenario whatever the date (PagerDuty users look like `PXPGF42`).
    pub fn stable(&self, prefix: char, len: usize, parts: &[&str]) -> String {
        let mut all = vec![self.scenario.as_str()];
        all.extend_from_slice(parts);
        with_prefix(prefix, len, &all)
    }
}

fn with_prefix(prefix: char, len: usize, parts: &[&str]) -> String {
    let mut id = String::with_capacity(len);
    id.push(prefix.to_ascii_uppercase());
    id.push_str(&base36(&digest(parts), len.saturating_sub(1)));
    id
}

/// A number in `100_000_000..1_000_000_000`: as long as GitHub's ids of that kind, far below
/// 2^53 so JavaScript clients read it exactly, and never 0. Callers that need uniqueness step
/// past a taken one.
fn number(parts: &[&str]) -> u64 {
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest(parts)[..8]);
    100_000_000 + u64::from_be_bytes(first) % 900_000_000
}

/// Length-prefixed parts, so ("ab", "c") and ("a", "bc") hash differently.
fn digest(parts: &[&str]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part.as_bytes());
    }
    hasher.finalize().into()
}

/// Up to 24 uppercase base36 characters from the digest's first 128 bits (36^24 > 2^124).
fn base36(digest: &[u8; 32], len: usize) -> String {
    const ALPHABET: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut first = [0u8; 16];
    first.copy_from_slice(&digest[..16]);
    let mut n = u128::from_be_bytes(first);
    (0..len.min(24))
        .map(|_| {
            let c = ALPHABET[(n % 36) as usize] as char;
            n /= 36;
            c
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(date: (i32, u32, u32)) -> Ids {
        let d = NaiveDate::from_ymd_opt(date.0, date.1, date.2).expect("valid date");
        Ids::new("day", d)
    }

    #[test]
    fn dated_ids_look_like_pagerduty_and_depend_on_everything() {
        let a = ids((2026, 5, 4));
        let id = a.dated('R', 14, Origin::Event(3), &["trigger"]);
        assert_eq!(id.len(), 14);
        assert!(id.starts_with('R'));
        assert!(id
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase()));
        assert_eq!(
            id,
            ids((2026, 5, 4)).dated('R', 14, Origin::Event(3), &["trigger"])
        );
        assert_ne!(
            id,
            ids((2026, 5, 5)).dated('R', 14, Origin::Event(3), &["trigger"])
        );
        assert_ne!(id, a.dated('R', 14, Origin::Event(4), &["trigger"]));
        assert_ne!(id, a.dated('R', 14, Origin::Action(3), &["trigger"]));
        assert_ne!(id, a.dated('R', 14, Origin::Event(3), &["assign"]));
    }

    #[test]
    fn uuids_are_version_4_shaped_and_deterministic() {
        let a = ids((2026, 5, 4));
        let id = a.uuid(Origin::Action(1), &["silence"]);
        assert_eq!(id.len(), 36);
        assert_eq!(id.as_bytes()[14], b'4');
        assert!(matches!(id.as_bytes()[19], b'8' | b'9' | b'a' | b'b'));
        assert_eq!(id, ids((2026, 5, 4)).uuid(Origin::Action(1), &["silence"]));
        assert_ne!(id, a.uuid(Origin::Action(2), &["silence"]));
    }

    #[test]
    fn numbers_have_nine_digits_and_depend_on_everything() {
        let a = ids((2026, 5, 4));
        let n = a.dated_number(Origin::Event(3), &["deployment"]);
        assert!((100_000_000..1_000_000_000).contains(&n), "{n}");
        assert_eq!(
            n,
            ids((2026, 5, 4)).dated_number(Origin::Event(3), &["deployment"])
        );
        assert_ne!(
            n,
            ids((2026, 5, 5)).dated_number(Origin::Event(3), &["deployment"])
        );
        assert_ne!(n, a.dated_number(Origin::Action(3), &["deployment"]));
        let repo = a.stable_number(&["repository", "acme/api"]);
        assert_eq!(
            repo,
            ids((2027, 1, 1)).stable_number(&["repository", "acme/api"])
        );
        assert_ne!(repo, a.stable_number(&["repository", "acme/web"]));
    }

    #[test]
    fn stable_ids_ignore_the_date() {
        let user = ids((2026, 5, 4)).stable('P', 7, &["user", "sam@example.test"]);
        assert_eq!(user.len(), 7);
        assert_eq!(
            user,
            ids((2027, 1, 1)).stable('P', 7, &["user", "sam@example.test"])
        );
        assert_ne!(
            user,
            ids((2026, 5, 4)).stable('P', 7, &["user", "lee@example.test"])
        );
        assert_ne!(
            ids((2026, 5, 4)).stable('P', 7, &["ab", "c"]),
            ids((2026, 5, 4)).stable('P', 7, &["a", "bc"])
        );
    }
}
