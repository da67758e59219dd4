fn main() {
    // tauri.conf.json and capabilities/ (none: the app's own commands need no capability) sit at
    // this package's root, where tauri-build looks by default.
    println!("cargo:rerun-if-changed=tauri.conf.json");
    println!("cargo:rerun-if-changed=dist");
    tauri_build::build();
}
