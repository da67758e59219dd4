//! `opsdeck sim` and `opsdeck demo`.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::NaiveDate;
use clap::Args;
use opsdeck_cli::simulate::{self, default_config_out, ready_line, Request, DEMO_AT, DEMO_SPEED};
use opsdeck_sim::scenario::{self, Scenario};

use crate::exit::Failure;

#[derive(Args)]
pub struct SimArgs {
    /// The scenario file (YAML; see DESIGN.md "Scenario format").
    #[arg(long, value_name = "FILE")]
    scenario: PathBuf,
    /// The replayed date (default: today in the scenario's timezone).
    #[arg(long, value_name = "YYYY-MM-DD")]
    date: Option<NaiveDate>,
    /// Scenario time the clock starts at, e.g. "14:50" or "+1 04:00" (default: day_starts).
    #[arg(long, value_name = "TIME")]
    at: Option<String>,
    /// Simulated seconds per real second; 0 freezes the clock.
    #[arg(long, default_value_t = 1.0)]
    speed: f64,
    #[command(flatten)]
    out: OutArgs,
}

#[derive(Args)]
pub struct DemoArgs {
    #[command(flatten)]
    out: OutArgs,
}

#[derive(Args)]
pub struct OutArgs {
    /// Listen on P, P+1, … instead of ephemeral ports.
    #[arg(long, value_name = "P")]
    port_base: Option<u16>,
    /// Where to write the config for the simulated sources.
    #[arg(long, value_name = "PATH")]
    config_out: Option<PathBuf>,
    /// Also post the scenario's `via: prometheus` alerts to this real Alertmanager (as
    /// Prometheus would), and point the written config's alertmanager source at it.
    #[arg(long, value_name = "URL")]
    alertmanager: Option<String>,
}

pub async fn sim(args: SimArgs) -> Result<(), Failure> {
    let scenario =
        scenario::load_file(&args.scenario).map_err(|e| Failure::usage(e.to_string()))?;
    serve(Arc::new(scenario), args.date, args.at, args.speed, args.out).await
}

pub async fn demo(args: DemoArgs) -> Result<(), Failure> {
    serve(
        Arc::new(scenario::bundled_day()),
        None,
        Some(DEMO_AT.to_string()),
        DEMO_SPEED,
        args.out,
    )
    .await
}

async fn serve(
    scenario: Arc<Scenario>,
    date: Option<NaiveDate>,
    at: Option<String>,
    speed: f64,
    out: OutArgs,
) -> Result<(), Failure> {
    // Listen for Ctrl-C/SIGTERM before anything is announced (see `stop_signal`).
    let stop = super::stop_signal();
    let mut started = simulate::start(Request {
        scenario,
        date,
        at,
        speed,
        port_base: out.port_base,
        alertmanager: out.alertmanager,
    })
    .await
    .map_err(|e| {
        if e.is_usage() {
            Failure::usage(e.to_string())
        } else {
            Failure::failed(e.to_string())
        }
    })?;
    let config_path = out.config_out.unwrap_or_else(default_config_out);
    let kubeconfig = started
        .save(&config_path)
        .map_err(|e| Failure::failed(format!("cannot write the config: {e}")))?;
    println!(
        "{}",
        ready_line(&config_path, kubeconfig.as_deref(), &started)
    );
    eprintln!(
        "opsdeck sim: serving {} on loopback; config written to {} (Ctrl-C to stop)",
        started
            .sim
            .endpoints
            .keys()
            .cloned()
            .collect::<Vec<_>>()
            .join(", "),
        config_path.display()
    );
    if let Some(problem) = &started.prometheus_problem {
        eprintln!("opsdeck sim: {problem}");
    }
    stop.await;
    started.sim.stop().await;
    Ok(())
}
