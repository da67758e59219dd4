//! The desktop shell: the only Rust that knows Tauri. Everything it shows comes from the
//! Tauri-free crates under `crates/`; this crate wires commands, events, the window and the tray.

mod args;
mod commands;
mod error;
mod events;
mod instance;
mod login;
mod probe;
mod state;
mod tray;
mod window;

use tauri::Manager;

pub fn run() {
    let args = match args::Args::parse(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(message) => {
            eprintln!("opsdeck-desktop: {message}\n{}", args::USAGE);
            std::process::exit(2);
        }
    };
    init_logs();
    let context = tauri::generate_context!();
    tauri::Builder::default()
        // First: a second launch hands over to the running opsdeck before anything else starts.
        .plugin(instance::plugin(&context.config().identifier))
        .plugin(tauri_plugin_opener::init())
        .plugin(login::plugin(&args))
        .on_window_event(window::on_event)
        .setup(move |app| {
            let handle = app.handle().clone();
            app.manage(state::Shell::new(
                &args,
                window::click_handler(handle.clone()),
            ));
            tray::create(&handle);
            window::first_show(&handle, args.hidden);
            tauri::async_runtime::spawn(async move {
                let shell = handle.state::<state::Shell>();
                if let Err(e) = shell.boot(&args).await {
                    tracing::error!("{e}");
                    shell.set_boot_error(e.to_string());
                }
                login::apply(&handle, &shell);
                events::forward(handle.clone());
            });
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_status,
            commands::timeline_today,
            commands::source_health,
            commands::start_demo,
            commands::refresh,
            commands::open_entry_link,
            commands::timeline_entry,
            commands::suspects,
            commands::vitals,
            commands::workloads,
            commands::pod_logs,
            commands::runbook_library,
            commands::runbook,
            commands::entry_runbooks,
            commands::runbook_runs,
            commands::runbook_run,
            commands::start_runbook_run,
            commands::record_runbook_step,
            commands::plan_runbook_step,
            commands::runbook_patch,
            commands::plan_action,
            commands::confirm_action,
            commands::cancel_action,
            commands::oncall_summary,
            commands::timeline_day,
            commands::shifts,
            commands::handoff,
            commands::edit_handoff,
            commands::handoff_markdown,
            commands::export_handoff,
            commands::start_shift,
            commands::stop_shift,
            commands::morning_read,
            commands::mark_morning_read,
            commands::postmortem,
            commands::export_postmortem,
            commands::search_history,
            probe::first_paint,
        ])
        .run(context)
        .expect("error while running the opsdeck window");
}

/// Logs on stderr, like the `opsdeck` command: `OPSDECK_LOG=info` (or `debug`); warnings by
/// default.
fn init_logs() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("OPSDECK_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
}
