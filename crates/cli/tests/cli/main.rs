//! Integration tests of the `opsdeck` binary: the simulator, sync and the timeline contract,
//! exit codes, desktop notifications over a private D-Bus session bus, and `auth set`.
//! Every child runs in a sandbox (temporary HOME and XDG dirs, no access to the user's bus).

mod action;
mod auth;
mod dbus;
mod exit_codes;
mod handoff;
mod notify;
mod runbooks;
mod sim;
mod support;
mod sync_loop;
mod timeline;
