//! The desktop shell: the only Rust that knows Tauri. Everything it shows comes from the
//! Tauri-free crates under `crates/`; this crate wires commands, events and the window.

mod commands;
mod state;

pub fn run() {
    let config_path = opsdeck_engine::paths::default_config_path();
    tauri::Builder::default()
        .manage(state::Shell { config_path })
        .invoke_handler(tauri::generate_handler![commands::app_status])
        .run(tauri::generate_context!())
        .expect("error while running the opsdeck window");
}
