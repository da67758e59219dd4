//! The runbooks of the shared day's alerts (`api-latency`, `connection-pool`,
//! `leaked-credentials`, `db-performance`), shipped with the app so the demo has real
//! checklists. Their files live in the repository's `runbooks/` folder; `opsdeck sim` and the
//! desktop demo write them beside the config they make.

use std::path::Path;

/// File name and text of each.
pub const DEMO_RUNBOOKS: &[(&str, &str)] = &[
    (
        "api-latency.md",
        include_str!("../../../runbooks/api-latency.md"),
    ),
    (
        "connection-pool.md",
        include_str!("../../../runbooks/connection-pool.md"),
    ),
    (
        "leaked-credentials.md",
        include_str!("../../../runbooks/leaked-credentials.md"),
    ),
    (
        "db-performance.md",
        include_str!("../../../runbooks/db-performance.md"),
    ),
];

/// Writes them into `dir` (created if need be), replacing what an earlier run wrote there.
pub fn write_demo_runbooks(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for (name, text) in DEMO_RUNBOOKS {
        std::fs::write(dir.join(name), text)?;
    }
    Ok(())
}
