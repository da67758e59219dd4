//! Desktop notifications. The [`Notifier`] trait is the platform seam: notify-rust speaks
//! D-Bus on Linux and the native APIs on macOS and Windows.

use std::sync::Arc;

use opsdeck_domain::Notification;

#[derive(Debug, thiserror::Error)]
#[error("cannot show a desktop notification: {0}")]
pub struct NotifyError(pub String);

pub trait Notifier: Send + Sync {
    fn notify(&self, n: &Notification) -> Result<(), NotifyError>;
}

/// Called with the incident id (empty for opsdeck's own alarms) when the user clicks a
/// notification.
pub type ClickHandler = Arc<dyn Fn(&str) + Send + Sync>;

/// The system's notification service.
#[derive(Default, Clone)]
pub struct DesktopNotifier {
    on_click: Option<ClickHandler>,
}

impl DesktopNotifier {
    /// Clicking a notification calls `on_click` (the desktop app focuses the incident).
    pub fn with_click(on_click: ClickHandler) -> DesktopNotifier {
        DesktopNotifier {
            on_click: Some(on_click),
        }
    }
}

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
            if n.sound {
                note.hint(Hint::SoundName("message-new-instant".into()));
            } else {
                note.hint(Hint::SuppressSound(true));
            }
            note.hint(Hint::Custom(
                "x-opsdeck-incident".into(),
                n.incident_id.clone(),
            ));
            if let Some(url) = &n.url {
                note.hint(Hint::Custom("x-opsdeck-url".into(), url.clone()));
            }
        }
        let handle = note.show().map_err(|e| NotifyError(e.to_string()))?;
        self.watch_click(handle, &n.incident_id);
        Ok(())
    }
}

impl DesktopNotifier {
    /// Waits, on a thread of its own, for the user to click the notification or for it to
    /// close. Only freedesktop servers report clicks back over D-Bus.
    #[cfg(all(unix, not(target_os = "macos")))]
    fn watch_click(&self, handle: notify_rust::NotificationHandle, incident_id: &str) {
        let Some(on_click) = self.on_click.clone() else {
            return;
        };
        let incident = incident_id.to_string();
        let spawned = std::thread::Builder::new()
            .name("notification-click".into())
            .spawn(move || {
                handle.wait_for_action(|action| {
                    if action == "default" {
                        on_click(&incident);
                    }
                });
            });
        if let Err(e) = spawned {
            tracing::warn!(%e, "cannot watch the notification for a click");
        }
    }

    #[cfg(not(all(unix, not(target_os = "macos"))))]
    fn watch_click(&self, _handle: notify_rust::NotificationHandle, _incident_id: &str) {}
}

/// Drops notifications (used when `[notifications] enabled = false`).
pub struct Silent;

impl Notifier for Silent {
    fn notify(&self, _: &Notification) -> Result<(), NotifyError> {
        Ok(())
    }
}
