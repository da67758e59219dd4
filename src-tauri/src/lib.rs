//! The desktop shell: the only Rust that knows Tauri. Everything it shows comes from the
//! Tauri-free crates under `crates/`; this crate wires commands, events and the window.

mod args;
mod commands;
mod error;
mod events;
mod probe;
mod state;

use tauri::Manager;

pub fn run() {
    let args = match args::Args::parse(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(message) => {
            eprintln!("opsdeck-desktop: {message}\n{}", args::USAGE);
            std::process::exit(2);
        }
    };
    tauri::Builder::default()
        .plugin(tauri_plugin_opener::init())
        .manage(state::Shell::new(&args))
        .setup(move |app| {
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                let shell = handle.state::<state::Shell>();
                if let Err(e) = shell.boot(&args).await {
                    tracing::error!("{e}");
                    shell.set_boot_error(e.to_string());
                }
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
            commands::plan_action,
            commands::confirm_action,
            commands::oncall_summary,
            probe::first_paint,
        ])
        .run(tauri::generate_context!())
        .expect("error while running the opsdeck window");
}
