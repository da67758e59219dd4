//! A private D-Bus session bus and a recording notification server on it, so the tests see
//! exactly what opsdeck sends without a real notification daemon or the user's session bus.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use zbus::message::Type;
use zbus::Variant;

use crate::support::{ChildGuard, Sandbox};

/// A `dbus-daemon` of our own. Its config lists no service directories, so nothing can be
/// auto-started on it (no real notification daemon, no keyring): only what a test puts there.
pub struct PrivateBus {
    pub address: String,
    _daemon: ChildGuard,
}

impl PrivateBus {
    /// A fresh sandbox whose children all talk to a new private bus.
    pub fn sandbox() -> (Sandbox, PrivateBus) {
        let mut sandbox = Sandbox::new();
        let bus = PrivateBus::start(&sandbox);
        sandbox.bus = Some(bus.address.clone());
        (sandbox, bus)
    }

    pub fn start(sandbox: &Sandbox) -> PrivateBus {
        let socket = sandbox.path("bus.socket");
        let config = sandbox.write(
            "bus.conf",
            &format!(
                r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
                socket.display()
            ),
        );
        let mut cmd = Command::new("dbus-daemon");
        cmd.arg(format!("--config-file={}", config.display()))
            .args(["--nofork", "--print-address"])
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", sandbox.path("home"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            // Its warnings (e.g. it may not raise the fd limit unprivileged) go to a file in the
            // sandbox, not into the test output.
            .stderr(
                std::fs::File::create(sandbox.path("dbus-daemon.log")).expect("create the bus log"),
            );
        let mut daemon = ChildGuard::spawn(cmd, "dbus-daemon");
        // The daemon prints its address once it listens: that line is the readiness signal.
        let stdout = daemon.child.stdout.take().expect("stdout pipe");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let address = rx
            .recv_timeout(Duration::from_secs(20))
            .expect("dbus-daemon printed no address within 20 s")
            .trim()
            .to_string();
        assert!(
            address.starts_with("unix:"),
            "unexpected dbus-daemon address {address:?}"
        );
        PrivateBus {
            address,
            _daemon: daemon,
        }
    }
}

/// One `Notify` call as the server received it.
#[derive(Debug, Clone)]
pub struct NotifyCall {
    pub app_name: String,
    pub replaces_id: u32,
    pub summary: String,
    pub body: String,
    pub actions: Vec<String>,
    /// Every hint, rendered as text (for messages and string hints).
    pub hints: HashMap<String, String>,
    /// The `urgency` hint (a byte: 0 low, 1 normal, 2 critical), if sent.
    pub urgency: Option<u8>,
}

pub type Recorded = Arc<Mutex<Vec<NotifyCall>>>;

/// Owns `org.freedesktop.Notifications` on the bus and answers like a minimal server,
/// recording every Notify. It runs on its own thread and ends when the bus goes away.
pub fn start_recording_server(address: &str) -> Recorded {
    let recorded: Recorded = Arc::default();
    let (ready_tx, ready_rx) = mpsc::channel::<Result<(), String>>();
    let calls = recorded.clone();
    let address = address.to_string();
    std::thread::spawn(move || {
        zbus::block_on(async move {
            let connection = match connect_and_own(&address).await {
                Ok(c) => c,
                Err(e) => {
                    let _ = ready_tx.send(Err(e.to_string()));
                    return;
                }
            };
            let _ = ready_tx.send(Ok(()));
            serve(&connection, &calls).await;
        })
    });
    // The name must be ours before opsdeck sends anything, or the call would go nowhere.
    match ready_rx.recv_timeout(Duration::from_secs(20)) {
        Ok(Ok(())) => recorded,
        Ok(Err(e)) => {
            panic!("the recording server could not own org.freedesktop.Notifications: {e}")
        }
        Err(_) => panic!("the recording server did not start within 20 s"),
    }
}

async fn connect_and_own(address: &str) -> zbus::Result<zbus::Connection> {
    let connection = zbus::connection::Builder::address(address).build().await?;
    connection
        .request_name("org.freedesktop.Notifications")
        .await?;
    Ok(connection)
}

type NotifyArgs = (
    String,
    u32,
    String,
    String,
    String,
    Vec<String>,
    HashMap<String, zbus::OwnedVariant>,
    i32,
);

async fn serve(connection: &zbus::Connection, calls: &Recorded) {
    let mut stream = zbus::MessageStream::from(connection);
    let mut next_id = 1u32;
    while let Some(Ok(msg)) = stream.next().await {
        let header = msg.header();
        if header.message_type() != Type::MethodCall
            || header.interface().map(|i| i.as_str()) != Some("org.freedesktop.Notifications")
        {
            continue;
        }
        let member = header
            .member()
            .map(|m| m.as_str().to_string())
            .unwrap_or_default();
        let reply = match member.as_str() {
            "Notify" => match msg.body().deserialize::<NotifyArgs>() {
                Ok((
                    app_name,
                    replaces_id,
                    _icon,
                    summary,
                    body,
                    actions,
                    hints,
                    _expire_timeout,
                )) => {
                    let urgency = hints.get("urgency").and_then(|v| match &**v {
                        Variant::U8(u) => Some(*u),
                        _ => None,
                    });
                    let hints = hints
                        .iter()
                        .map(|(k, v)| (k.clone(), hint_text(v)))
                        .collect();
                    calls
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .push(NotifyCall {
                            app_name,
                            replaces_id,
                            summary,
                            body,
                            actions,
                            hints,
                            urgency,
                        });
                    let id = next_id;
                    next_id += 1;
                    connection.reply(&header, &id).await
                }
                Err(e) => {
                    connection
                        .reply_dbus_error(&header, zbus::fdo::Error::InvalidArgs(e.to_string()))
                        .await
                }
            },
            "GetCapabilities" => connection.reply(&header, &vec!["body", "actions"]).await,
            "GetServerInformation" => {
                connection
                    .reply(&header, &("opsdeck-test", "opsdeck", "1", "1.2"))
                    .await
            }
            "CloseNotification" => connection.reply(&header, &()).await,
            other => {
                connection
                    .reply_dbus_error(&header, zbus::fdo::Error::UnknownMethod(other.to_string()))
                    .await
            }
        };
        if reply.is_err() {
            break;
        }
    }
}

fn hint_text(v: &zbus::OwnedVariant) -> String {
    match &**v {
        Variant::Str(s) => s.as_str().to_string(),
        other => format!("{other:?}"),
    }
}
