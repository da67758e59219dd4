//! A `NewEntry` as the column values the `entries` table stores, with the content hash that
//! tells a re-sync whether anything changed.

use opsdeck_domain::NewEntry;
use sha2::{Digest, Sha256};

use crate::error::{Result, StoreError};
use crate::time::to_millis;

pub(crate) struct EncodedEntry {
    pub id: String,
    pub started_at: i64,
    pub ended_at: Option<i64>,
    pub details: String,
    pub raw: String,
    pub content_hash: [u8; 32],
}

impl EncodedEntry {
    pub fn encode(entry: &NewEntry) -> Result<Self> {
        let id = entry.id();
        let json = |column: &'static str, value: &serde_json::Value| {
            serde_json::to_string(value).map_err(|source| StoreError::EncodeJson {
                id: id.clone(),
                column,
                source,
            })
        };
        let details = json("details", &entry.details)?;
        let raw = json("raw", &entry.raw)?;
        let started_at = to_millis(entry.started_at);
        let ended_at = entry.ended_at.map(to_millis);

        // Hash what is stored (milliseconds, JSON text), not the in-memory values, so an entry
        // read back and re-upserted hashes the same.
        let mut hash = FieldHasher::default();
        hash.text(Some(entry.kind.as_str()));
        hash.text(Some(entry.severity.as_str()));
        hash.text(entry.status.map(|s| s.as_str()));
        hash.text(Some(&entry.title));
        hash.text(entry.service.as_deref());
        hash.text(entry.url.as_deref());
        hash.int(Some(started_at));
        hash.int(ended_at);
        hash.text(Some(&details));
        hash.text(Some(&raw));

        Ok(Self {
            id,
            started_at,
            ended_at,
            details,
            raw,
            content_hash: hash.finish(),
        })
    }
}

/// Length-prefixed fields with a distinct marker for "absent", so no two different rows can
/// produce the same byte stream (`Some("")` vs `None`, or text moving between fields).
#[derive(Default)]
struct FieldHasher(Sha256);

impl FieldHasher {
    const ABSENT: u64 = u64::MAX;

    fn text(&mut self, value: Option<&str>) {
        match value {
            Some(text) => {
                self.0.update((text.len() as u64).to_le_bytes());
                self.0.update(text.as_bytes());
            }
            None => self.0.update(Self::ABSENT.to_le_bytes()),
        }
    }

    fn int(&mut self, value: Option<i64>) {
        match value {
            Some(n) => {
                self.0.update(8u64.to_le_bytes());
                self.0.update(n.to_le_bytes());
            }
            None => self.0.update(Self::ABSENT.to_le_bytes()),
        }
    }

    fn finish(self) -> [u8; 32] {
        self.0.finalize().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use opsdeck_domain::{EntryKind, Severity, SourceKind};
    use serde_json::json;

    fn entry() -> NewEntry {
        NewEntry {
            source: SourceKind::Github,
            kind: EntryKind::CiRun,
            severity: Severity::Info,
            status: None,
            title: "build".into(),
            service: Some(String::new()),
            url: None,
            started_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
            ended_at: None,
            external_id: "1".into(),
            details: json!({}),
            raw: json!(null),
        }
    }

    #[test]
    fn absent_and_empty_hash_differently() {
        let base = EncodedEntry::encode(&entry()).unwrap().content_hash;
        let mut absent = entry();
        absent.service = None;
        assert_ne!(EncodedEntry::encode(&absent).unwrap().content_hash, base);
        let mut moved = entry();
        moved.service = None;
        moved.url = Some(String::new());
        assert_ne!(EncodedEntry::encode(&moved).unwrap().content_hash, base);
    }

    #[test]
    fn raw_payload_counts_as_content() {
        let base = EncodedEntry::encode(&entry()).unwrap().content_hash;
        let mut changed = entry();
        changed.raw = json!({"etag": "2"});
        assert_ne!(EncodedEntry::encode(&changed).unwrap().content_hash, base);
        assert_eq!(EncodedEntry::encode(&entry()).unwrap().content_hash, base);
    }
}
