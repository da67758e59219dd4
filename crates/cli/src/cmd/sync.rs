//! `opsdeck sync [--once]`.

use clap::Args;
use opsdeck_engine::Change;

use super::Global;
use crate::exit::Failure;

#[derive(Args)]
pub struct SyncArgs {
    /// Sync every source once and exit (1 if any failed; the others are still synced).
    #[arg(long)]
    once: bool,
}

pub async fn run(global: &Global, args: SyncArgs) -> Result<(), Failure> {
    let cockpit = global.open()?;
    if args.once {
        let results = cockpit.sync_once().await;
        let mut failed = Vec::new();
        for r in &results {
            match &r.result {
                Ok(o) => eprintln!("{}: ok ({} new, {} changed)", r.name, o.inserted, o.updated),
                Err(e) => {
                    eprintln!("{}: FAILED: {e}", r.name);
                    failed.push(r.name.clone());
                }
            }
        }
        // Silences tied to incidents this sync saw resolve end now, as the supervisor would.
        for r in cockpit.release_resolved().await {
            match &r.outcome {
                Ok(o) => eprintln!(
                    "{}: {} (PagerDuty {} resolved)",
                    r.source, o.message, r.incident
                ),
                Err(e) => eprintln!(
                    "{}: could not expire silence {} tied to PagerDuty {}: {e}",
                    r.source, r.silence, r.incident
                ),
            }
        }
        return if failed.is_empty() {
            Ok(())
        } else {
            Err(Failure::failed(format!(
                "sync failed for {}",
                failed.join(", ")
            )))
        };
    }
    // Installed before polling starts, so an early SIGTERM still stops gracefully.
    let stop = super::stop_signal();
    tokio::pin!(stop);
    let mut feed = cockpit.subscribe();
    cockpit.start().await;
    eprintln!(
        "opsdeck sync: polling {} source(s); Ctrl-C to stop",
        cockpit.config().sources.len()
    );
    // One stop future for the whole loop: a signal that arrives while a change is being printed
    // is not lost, and SIGTERM stops as gracefully as Ctrl-C.
    loop {
        tokio::select! {
            _ = &mut stop => break,
            change = feed.recv() => match change {
                Ok(Change::Entries { source, ids }) => eprintln!("{source}: {} entries changed", ids.len()),
                Ok(Change::Health { .. } | Change::Shifts) => {}
                Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => eprintln!("({n} changes not shown)"),
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            },
        }
    }
    cockpit.shutdown().await;
    Ok(())
}
