//! A hello-world Tauri window: the floor opsdeck-desktop is measured against
//! (scripts/measure-desktop.sh). Nothing but one window, one static page and the start-up probe.

// The very probe opsdeck-desktop uses, so both binaries are measured by the same code.
#[path = "../../../src-tauri/src/probe.rs"]
mod probe;

fn main() {
    tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![probe::first_paint])
        .run(tauri::generate_context!())
        .expect("error while running the baseline window");
}
