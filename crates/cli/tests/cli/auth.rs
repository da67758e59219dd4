//! `opsdeck auth set`: with no Secret Service reachable it fails (exit 1) without ever echoing
//! the token.

use crate::dbus::PrivateBus;
use crate::support::Sandbox;

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
