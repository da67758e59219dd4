//! `opsdeck auth set`: with no Secret Service reachable it fails (exit 1) without ever echoing
//! the token; with one, the stored token is what a `token_keyring` source syncs with.

use std::io::Write;

use crate::dbus::PrivateBus;
use crate::support::{ChildGuard, Sandbox, Sim, DATE};

const TOKEN: &str = "s3cr3t-token-do-not-print";

#[test]
fn auth_set_without_secret_service_fails_without_leaking_the_token() {
    let mut sandbox = Sandbox::new();
    // A bus with nothing on it and nothing it can start: no keyring daemon answers.
    let bus = PrivateBus::start(&sandbox);
    sandbox.bus = Some(bus.address.clone());
    let run = sandbox.run_with_stdin(&["auth", "set", "pagerduty"], Some(&format!("{TOKEN}\n")));
    run.expect_code(1);
    assert!(
        !run.stderr().trim().is_empty(),
        "failed without a message: {}",
        run.describe()
    );
    assert!(
        !run.stderr().contains(TOKEN),
        "the token leaked to stderr: {}",
        run.describe()
    );
    assert!(
        !run.stdout().contains(TOKEN),
        "the token leaked to stdout: {}",
        run.describe()
    );
    // Nothing was written in place of the keychain either.
    let leaked = walk(sandbox.dir.path())
        .into_iter()
        .filter(|p| std::fs::read(p).is_ok_and(|b| contains(&b, TOKEN.as_bytes())))
        .collect::<Vec<_>>();
    assert!(leaked.is_empty(), "the token was written to {leaked:?}");
}

#[test]
fn auth_set_with_empty_input_is_bad_input() {
    let sandbox = Sandbox::new();
    let run = sandbox.run_with_stdin(&["auth", "set", "pagerduty"], Some("\n"));
    run.expect_code(2);
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else if path.is_file() {
            out.push(path);
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The real round trip through a Secret Service (gnome-keyring on a private bus): `auth set`
/// stores the token, and a config that names it with `token_keyring` syncs with it — while the
/// same config failed before the token was stored.
#[test]
fn a_token_stored_with_auth_set_is_used_from_the_keychain() {
    let (sandbox, bus) = PrivateBus::sandbox();
    let _keyring = start_gnome_keyring(&sandbox, &bus.address);
    let sim = Sim::frozen(&sandbox, "06:00");
    let url = sim.ready["endpoints"]["pagerduty"]
        .as_str()
        .expect("pagerduty url")
        .to_string();
    let config = sandbox.write(
        "keyring.toml",
        &format!(
            "version = 1\ntimezone = \"UTC\"\n[[sources]]\nkind = \"pagerduty\"\nurl = \"{url}\"\ntoken_keyring = \"pd-test\"\n"
        ),
    );
    let config = config.display().to_string();
    let db = sandbox.path("keyring.sqlite").display().to_string();

    let before = sandbox.run(&["--config", &config, "--db", &db, "sync", "--once"]);
    before.expect_code(2);
    assert!(
        before.stderr().contains("no token in the keychain"),
        "{}",
        before.describe()
    );

    let stored = sandbox.run_with_stdin(&["auth", "set", "pd-test"], Some(&format!("{TOKEN}\n")));
    stored.expect_code(0);
    assert!(!stored.stderr().contains(TOKEN), "{}", stored.describe());

    let after = sandbox.run(&["--config", &config, "--db", &db, "sync", "--once"]);
    after.expect_code(0);
    let timeline = sandbox.run(&[
        "--config", &config, "--db", &db, "timeline", "--day", DATE, "--json",
    ]);
    timeline.expect_code(0);
    assert!(
        timeline.stdout().contains("Q0PAY0001"),
        "{}",
        timeline.describe()
    );
    sim.stop();
}

/// gnome-keyring's Secret Service on the private bus, its login keyring unlocked with a known
/// password fed on stdin (as a desktop session's PAM module would).
fn start_gnome_keyring(sandbox: &Sandbox, bus: &str) -> ChildGuard {
    let mut cmd = std::process::Command::new("gnome-keyring-daemon");
    cmd.args(["--unlock", "--components=secrets", "--foreground"])
        .env("HOME", sandbox.path("home"))
        .env("XDG_RUNTIME_DIR", sandbox.path("runtime"))
        .env("XDG_DATA_HOME", sandbox.path("data"))
        .env("DBUS_SESSION_BUS_ADDRESS", bus)
        .env_remove("DISPLAY")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(sandbox.path("gnome-keyring.log")).expect("keyring log"));
    let mut guard = ChildGuard::spawn(cmd, "gnome-keyring-daemon (apt package gnome-keyring)");
    {
        let mut stdin = guard.child.stdin.take().expect("stdin pipe");
        stdin
            .write_all(b"opsdeck-test-password")
            .expect("unlock password");
    }
    // Ready once it owns org.freedesktop.secrets on the bus (asked with dbus-send, from the
    // same Debian package as the bus daemon).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let reply = std::process::Command::new("dbus-send")
            .arg(format!("--bus={bus}"))
            .args([
                "--print-reply",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
            ])
            .args([
                "org.freedesktop.DBus.NameHasOwner",
                "string:org.freedesktop.secrets",
            ])
            .output()
            .expect("run dbus-send");
        if String::from_utf8_lossy(&reply.stdout).contains("boolean true") {
            return guard;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "gnome-keyring-daemon did not own org.freedesktop.secrets within 20 s (see {})",
            sandbox.path("gnome-keyring.log").display()
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}
