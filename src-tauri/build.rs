fn main() {
    // The config lives at the repository root while the shell's sources live in src-tauri/, so
    // tauri-build must be told where the capabilities are; without the rerun line, capability
    // edits would be silently ignored by incremental builds.
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    println!("cargo:rerun-if-changed=tauri.conf.json");
    tauri_build::try_build(
        tauri_build::Attributes::new().capabilities_path_pattern("./src-tauri/capabilities/**/*"),
    )
    .expect("tauri-build failed");
}
