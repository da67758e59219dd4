//! `opsdeck`: the cockpit for scripts, tests and people without a display. Same engine as the
//! desktop app. Exit codes: 0 success, 1 the operation failed, 2 bad usage or input.

mod cmd;
mod exit;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::exit::Failure;

#[derive(Parser)]
#[command(
    name = "opsdeck",
    version,
    about = "A cockpit for the engineer on call"
)]
struct Cli {
    /// Configuration file (default: the XDG config path, e.g. ~/.config/opsdeck/config.toml).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Local cache (default: the XDG data path; for a simulator's config, beside that config).
    #[arg(long, global = true, value_name = "FILE")]
    db: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve a scenario's simulated vendors on loopback and write a config pointing at them.
    Sim(cmd::sim::SimArgs),
    /// The simulator on the bundled demo day from 05:40 at 30× real time.
    Demo(cmd::sim::DemoArgs),
    /// Pull every source into the local cache (once with --once, else until stopped).
    Sync(cmd::sync::SyncArgs),
    /// Print the timeline of a day (default: Today) or of a window.
    Timeline(cmd::timeline::TimelineArgs),
    /// Check every source, the clock and desktop notifications.
    Doctor,
    /// Plan an action (what it will do, and a single-use token), or confirm a plan.
    Action {
        #[command(subcommand)]
        command: cmd::action::ActionCommand,
    },
    /// List the runbook library and what each runbook is linked to.
    Runbooks(cmd::runbooks::RunbooksArgs),
    /// One runbook: `render FILE` prints the sanitized HTML the app shows; `patch RUN` a run's
    /// suggested edits as a diff.
    Runbook {
        #[command(subcommand)]
        command: cmd::runbooks::RunbookCommand,
    },
    /// Manage source tokens in the OS keychain.
    Auth {
        #[command(subcommand)]
        command: cmd::auth::AuthCommand,
    },
    /// A shift's handoff report: Markdown, or JSON (DESIGN.md's handoff contract).
    Handoff(cmd::shifts::HandoffArgs),
    /// My shifts, newest first.
    Shifts(cmd::shifts::ShiftsArgs),
    /// Start or stop a shift by hand; edit its handoff summary and "watch next" items.
    Shift {
        #[command(subcommand)]
        command: cmd::shifts::ShiftCommand,
    },
    /// An incident's postmortem timeline as Markdown.
    Postmortem(cmd::shifts::PostmortemArgs),
    /// Full-text search over the whole history, newest first.
    Search(cmd::history::SearchArgs),
    /// Delete what is older than the retention (and vacuum the cache).
    Prune(cmd::history::PruneArgs),
}

fn main() {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("OPSDECK_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        // Colour codes only for a person at a terminal: piped or logged stderr stays plain text.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let global = cmd::Global {
        config: cli.config,
        db: cli.db,
    };
    let result = match cli.command {
        Command::Sim(args) => runtime().and_then(|rt| rt.block_on(cmd::sim::sim(args))),
        Command::Demo(args) => runtime().and_then(|rt| rt.block_on(cmd::sim::demo(args))),
        Command::Sync(args) => runtime().and_then(|rt| rt.block_on(cmd::sync::run(&global, args))),
        Command::Timeline(args) => cmd::timeline::run(&global, args),
        Command::Doctor => runtime().and_then(|rt| rt.block_on(cmd::doctor::run(&global))),
        Command::Action { command } => {
            runtime().and_then(|rt| rt.block_on(cmd::action::run(&global, command)))
        }
        Command::Auth { command } => cmd::auth::run(&global, command),
        Command::Runbooks(args) => cmd::runbooks::list(&global, args),
        Command::Runbook { command } => cmd::runbooks::run(&global, command),
        Command::Handoff(args) => cmd::shifts::handoff(&global, args),
        Command::Shifts(args) => cmd::shifts::list(&global, args),
        Command::Shift { command } => cmd::shifts::shift(&global, command),
        Command::Postmortem(args) => cmd::shifts::postmortem(&global, args),
        Command::Search(args) => cmd::history::search(&global, args),
        Command::Prune(args) => cmd::history::prune(&global, args),
    };
    if let Err(failure) = result {
        eprintln!("opsdeck: {}", failure.message);
        std::process::exit(failure.code);
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::failed(format!("cannot start the async runtime: {e}")))
}
