//! Start-up probe for `scripts/measure-desktop.sh`: with `OPSDECK_PAINT_PROBE=<file>` set, the
//! first `first_paint` call from the webview writes, once, the milliseconds from process start to
//! that call into `<file>` (first line). Then, when the page tells them, `page_ms=N`: of those,
//! the milliseconds since the page's navigation started (`performance.now()`; the rest is the
//! process and the webview starting), and `entries=N`: the timeline entries that frame showed.
//! Without the variable the command does nothing.
//!
//! The webview calls `first_paint` once the first frame showing the timeline has been presented
//! (ui/src/lib/probe.ts: in the animation frame after the one that rendered it). It cannot choose
//! the file (the path comes only from the environment) and cannot write twice.
//!
//! "Process start" is the kernel's start time of this process (field 22 of /proc/self/stat, on
//! the boot-time clock that /proc/uptime also reads), so exec, the dynamic loader and everything
//! before `run()` count too, and nothing needs to be recorded at start-up. Both values tick at
//! 10 ms (USER_HZ = 100 on Linux), so the figure is ±10 ms. Linux only: elsewhere, or if /proc is
//! unreadable, the probe says so on stderr and writes nothing.
//!
//! The same file is compiled into the hello-world baseline (bench/desktop-baseline), so both
//! binaries are measured by the same code.

use std::sync::atomic::{AtomicBool, Ordering};

/// The environment variable naming the file the probe writes.
pub const ENV: &str = "OPSDECK_PAINT_PROBE";

static WRITTEN: AtomicBool = AtomicBool::new(false);

/// The webview reports its first painted timeline, with its own clock and how many entries it
/// showed (the baseline page has no entries). A no-op unless the probe is on, and after the
/// first call.
#[tauri::command]
pub fn first_paint(page_ms: Option<f64>, entries: Option<u32>) {
    let Some(path) = std::env::var_os(ENV) else {
        return;
    };
    if WRITTEN.swap(true, Ordering::SeqCst) {
        return;
    }
    let path = std::path::PathBuf::from(path);
    let Some(ms) = process_age_ms() else {
        eprintln!("{ENV}: cannot read the process start time from /proc");
        return;
    };
    // Write then rename, so a reader never sees a half-written file.
    let mut tmp = path.clone().into_os_string();
    tmp.push(".tmp");
    let mut text = format!("{ms}\n");
    if let Some(p) = page_ms.filter(|p| p.is_finite() && *p >= 0.0) {
        text.push_str(&format!("page_ms={p:.0}\n"));
    }
    if let Some(n) = entries {
        text.push_str(&format!("entries={n}\n"));
    }
    let result = std::fs::write(&tmp, text).and_then(|()| std::fs::rename(&tmp, &path));
    if let Err(e) = result {
        eprintln!("{ENV}: cannot write {}: {e}", path.display());
    }
}

/// Milliseconds this process has been alive: /proc/uptime (seconds since boot, two decimals)
/// minus the start time in /proc/self/stat (clock ticks since boot).
fn process_age_ms() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let uptime = std::fs::read_to_string("/proc/uptime").ok()?;
    age_ms(&stat, &uptime)
}

fn age_ms(stat: &str, uptime: &str) -> Option<u64> {
    // Field 2 (comm) may hold spaces and parentheses: count the fields after the last ')'.
    // They start at field 3, so starttime (field 22) is the 20th of them.
    let after_comm = &stat[stat.rfind(')')? + 1..];
    let start_ticks: u64 = after_comm.split_whitespace().nth(19)?.parse().ok()?;
    // "4502.60 4435.16": whole seconds and centiseconds, read as integers to stay exact.
    let (secs, centis) = uptime.split_whitespace().next()?.split_once('.')?;
    let uptime_centis = secs.parse::<u64>().ok()? * 100 + centis.parse::<u64>().ok()?;
    Some(uptime_centis.checked_sub(start_ticks)? * 10)
}

#[cfg(test)]
mod tests {
    use super::age_ms;

    #[test]
    fn age_from_proc_fields() {
        // comm with a space and a ')' inside; starttime (field 22) is 400000 ticks = 4000.00 s.
        let stat =
            "123 (a b) c) S 1 123 123 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 9 0 400000 1000 50";
        assert_eq!(age_ms(stat, "4001.23 99.00\n"), Some(1230));
        assert_eq!(age_ms(stat, "3999.00 99.00\n"), None);
        assert_eq!(age_ms("garbage", "1.00 1.00"), None);
    }
}
