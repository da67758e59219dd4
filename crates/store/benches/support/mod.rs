//! What the store's benchmarks share: their flags, a timer of wall and CPU time, and
//! deterministic pseudo-random numbers (each bench uses part of it).
#![allow(dead_code)]

use std::time::{Duration as StdDuration, Instant};

/// The command line: `--bench` (which `cargo bench` passes) asks for the real run, and
/// `-- --entries N` / `-- --queries N` scale a run for profiling.
pub struct Args {
    pub full: bool,
    pub entries: Option<usize>,
    pub queries: Option<usize>,
}

impl Args {
    pub fn parse() -> Args {
        let args: Vec<String> = std::env::args().collect();
        Args {
            full: args.iter().any(|arg| arg == "--bench"),
            entries: flag(&args, "--entries"),
            queries: flag(&args, "--queries"),
        }
    }
}

fn flag(args: &[String], name: &str) -> Option<usize> {
    let value = args.iter().skip_while(|arg| *arg != name).nth(1)?;
    Some(
        value
            .parse()
            .unwrap_or_else(|_| panic!("{name} takes a number, not {value:?}")),
    )
}

/// Wall time, and this thread's CPU time where the OS reports it (the machine may be shared:
/// a rate well below what the CPU time allows means the run was starved).
#[derive(Default)]
pub struct Timer {
    wall: StdDuration,
    cpu: Option<StdDuration>,
    started: Option<(Instant, Option<StdDuration>)>,
}

impl Timer {
    pub fn start(&mut self) {
        self.started = Some((Instant::now(), thread_cpu_time()));
    }

    pub fn stop(&mut self) {
        if let Some((wall, cpu)) = self.started.take() {
            self.wall += wall.elapsed();
            self.cpu = match (cpu, thread_cpu_time()) {
                (Some(before), Some(after)) => {
                    Some(self.cpu.unwrap_or_default() + after.saturating_sub(before))
                }
                _ => None,
            };
        }
    }

    pub fn report_rate(&self, what: &str, n: usize) {
        let wall = self.wall.as_secs_f64();
        let cpu = match self.cpu {
            Some(cpu) => format!(
                " (CPU {:.2} s = {:.0} entries/CPU-s)",
                cpu.as_secs_f64(),
                n as f64 / cpu.as_secs_f64()
            ),
            None => String::new(),
        };
        println!(
            "{what}: {n} entries in {wall:.2} s = {:.0} entries/s{cpu}",
            n as f64 / wall
        );
    }
}

/// On-CPU time of the calling thread (Linux: the first field of schedstat, in ns).
pub fn thread_cpu_time() -> Option<StdDuration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns = text.split_whitespace().next()?.parse().ok()?;
    Some(StdDuration::from_nanos(ns))
}

pub fn ms(d: StdDuration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// A bijective 64-bit mix (splitmix64's finalizer): distinct `i` give distinct ids.
pub fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// A tiny deterministic PRNG: the bench must not depend on `rand` or vary between runs.
pub struct XorShift(pub u64);

impl XorShift {
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}
