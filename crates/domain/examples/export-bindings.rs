//! Prints the UI's TypeScript bindings, or writes them to the path given as first argument:
//! `cargo run -p opsdeck-domain --example export-bindings -- ui/src/lib/bindings.ts`

use std::process::ExitCode;

fn main() -> ExitCode {
    let text = opsdeck_domain::typescript_bindings();
    match std::env::args_os().nth(1) {
        None => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Some(path) => match std::fs::write(&path, text) {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("cannot write {}: {err}", path.to_string_lossy());
                ExitCode::FAILURE
            }
        },
    }
}
