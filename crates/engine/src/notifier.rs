//! Desktop notifications. The [`Notifier`] trait is the platform seam: notify-rust speaks
//! D-Bus on Linux and the native APIs on macOS and Windows.

use opsdeck_domain::Notification;

#[derive(Debug, thiserror::Error)]
#[error("cannot show a desktop notification: {0}")]
pub struct NotifyError(pub String);

pub trait Notifier: Send + Sync {
    fn notify(&self, n: &Notification) -> Result<(), NotifyError>;
}

/// The system's notification service.
pub struct DesktopNotifier;

impl Notifier for DesktopNotifier {
    fn notify(&self, n: &Notification) -> Result<(), NotifyError> {
        let mut note = notify_rust::Notification::new();
        note.appname("opsdeck")
            .summary(&n.summary)
            .body(&n.body)
            .action("default", "Open incident");
        #[cfg(all(unix, not(target_os = "macos")))]
        {
            // Urgency and hints are freedesktop (D-Bus) notions; macOS and Windows lack them.
            use notify_rust::{Hint, Urgency};
            use opsdeck_domain::NotifyUrgency;
            note.urgency(match n.urgency {
                NotifyUrgency::Low => Urgency::Low,
                NotifyUrgency::Normal => Urgency::Normal,
                NotifyUrgency::Critical => Urgency::Critical,
            });
            note.hint(Hint::Category("im.received".into()));
            if n.urgency == NotifyUrgency::Critical {
                note.hint(Hint::SoundName("message-new-instant".into()));
            }
            note.hint(Hint::Custom(
                "x-opsdeck-incident".into(),
                n.incident_id.clone(),
            ));
            if let Some(url) = &n.url {
                note.hint(Hint::Custom("x-opsdeck-url".into(), url.clone()));
            }
        }
        note.show()
            .map(|_| ())
            .map_err(|e| NotifyError(e.to_string()))
    }
}

/// Drops notifications (used when `[notifications] enabled = false`).
pub struct Silent;

impl Notifier for Silent {
    fn notify(&self, _: &Notification) -> Result<(), NotifyError> {
        Ok(())
    }
}
