//! Kubernetes at scale (a plain binary, not a timed test).
//!
//! `cargo bench -p opsdeck-sources --bench kubernetes_scale` (cargo passes `--bench`) watches 20
//! cluster contexts of 5,000 pods each (50 Deployments × 100 replicas per context, 10 nodes)
//! through the simulator and measures the engine side: one `KubernetesSource` per context, its
//! five watchers and its cluster model.
//! - time to initial sync: from the first poll of all 20 sources (concurrently) until every one
//!   has answered Ok with its five kinds listed;
//! - memory: this process's RSS after the sync minus its RSS before any source existed, and
//!   its peak (VmHWM).
//!
//! The simulator runs in a child process (this binary again, with `--serve-sim`), so its world
//! and its rendering stay out of the figures: the child prints the path of the kubeconfig it
//! wrote and serves until its stdin closes.
//!
//! Without `--bench` (`cargo test --benches` in CI) it runs once on 2 contexts of 50 pods.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use futures::future::join_all;
use opsdeck_sim::run::{start, SimOptions};
use opsdeck_sim::scenario::{parse_str, Scenario};
use opsdeck_sources::kubernetes::{KubernetesConfig, KubernetesSource, ServiceMap, ServiceTarget};
use opsdeck_sources::{PollContext, Source};

/// The role of the child process.
const SERVE_SIM: &str = "--serve-sim";
/// The simulated clock, frozen here: the Deployments rolled out at the start of the day
/// before, which the 24-hour backfill just reaches (one rollout entry per Deployment).
const AT: &str = "05:00";
const NODES: usize = 10;
/// How long a poll waits for the first lists, and the whole sync may take.
const SYNC_TIMEOUT: StdDuration = StdDuration::from_secs(600);

fn date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 5, 4).expect("date")
}

#[derive(Debug, Clone, Copy)]
struct Size {
    contexts: usize,
    deployments: usize,
    replicas: usize,
}

impl Size {
    fn pods_per_context(&self) -> usize {
        self.deployments * self.replicas
    }

    fn args(&self) -> [String; 3] {
        [self.contexts, self.deployments, self.replicas].map(|n| n.to_string())
    }

    fn from_args(args: &[String]) -> Size {
        let n = |i: usize| -> usize {
            args.get(i)
                .and_then(|a| a.parse().ok())
                .unwrap_or_else(|| panic!("{SERVE_SIM} wants contexts, deployments, replicas"))
        };
        Size {
            contexts: n(0),
            deployments: n(1),
            replicas: n(2),
        }
    }
}

fn context(c: usize) -> String {
    format!("ctx-{c:02}")
}

fn service(c: usize, d: usize) -> String {
    format!("svc-{c:02}-{d:02}")
}

/// Ten namespaces per context, the Deployments spread over them.
fn namespace(d: usize) -> String {
    format!("team-{:02}", d % 10)
}

fn deployment(d: usize) -> String {
    format!("app-{d:02}")
}

/// The scenario: `contexts` clusters, each with its nodes and `deployments` services of
/// `replicas` pods; no events (the clusters only stand there).
fn scenario_yaml(size: Size) -> String {
    let mut y = String::from(
        "version: 1\n\
         name: kubernetes-scale\n\
         summary: Many big clusters standing still, for the Kubernetes scale bench.\n\
         clock: {tz: UTC, day_starts: \"05:00\"}\n\
         me: {name: Bench Mark, email: bench@example.test}\n\
         services:\n",
    );
    for c in 0..size.contexts {
        for d in 0..size.deployments {
            let _ = writeln!(
                y,
                "  - name: {}\n    kubernetes: {{context: {}, namespace: {}, deployment: {}, \
                 replicas: {}, image: \"ghcr.io/acme/{}:1.0.{d}\"}}",
                service(c, d),
                context(c),
                namespace(d),
                deployment(d),
                size.replicas,
                deployment(d),
            );
        }
    }
    y.push_str("clusters:\n");
    for c in 0..size.contexts {
        let nodes: Vec<String> = (0..NODES).map(|n| format!("node-{c:02}-{n:02}")).collect();
        let _ = writeln!(
            y,
            "  - context: {}\n    nodes: [{}]",
            context(c),
            nodes.join(", ")
        );
    }
    y.push_str("events: []\n");
    y
}

fn scenario(size: Size) -> Scenario {
    parse_str(&scenario_yaml(size), "kubernetes-scale (generated)").expect("the scenario loads")
}

/// The child's role: serve the clusters until stdin closes.
fn serve_sim(size: Size) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let started = Instant::now();
        let scenario = scenario(size);
        let at = scenario.parse_time(AT).expect("time");
        let sim = start(SimOptions {
            scenario: Arc::new(scenario),
            date: date(),
            at,
            speed: 0.0,
            port_base: None,
        })
        .await
        .expect("simulator starts");
        let pods: usize = {
            let world = sim.world.lock().expect("world");
            world.kubernetes().clusters().map(|c| c.pods.len()).sum()
        };
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("kubeconfig");
        let kubeconfig = sim.kubeconfig("bench-token").expect("clusters");
        std::fs::write(&path, kubeconfig.to_string()).expect("kubeconfig written");
        eprintln!(
            "simulator (pid {}): {} contexts, {pods} pods, serving after {:.1} s",
            std::process::id(),
            size.contexts,
            started.elapsed().as_secs_f64()
        );
        let mut stdout = std::io::stdout();
        let _ = writeln!(stdout, "{}", path.display());
        let _ = stdout.flush();
        let _ = tokio::task::spawn_blocking(|| {
            std::io::copy(&mut std::io::stdin(), &mut std::io::sink())
        })
        .await;
        sim.stop().await;
        drop(dir);
    });
}

/// A `kB` figure of /proc/<pid>/status (`VmRSS`, `VmHWM`), in KiB.
fn status_kib(pid: &str, field: &str) -> u64 {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    text.lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// The simulator's process: killed (after a chance to stop by itself) when dropped, its
/// kubeconfig's directory removed.
struct SimChild {
    child: Child,
    kubeconfig: Option<PathBuf>,
}

impl SimChild {
    fn spawn(size: Size) -> SimChild {
        let exe = std::env::current_exe().expect("this binary");
        let mut child = Command::new(exe)
            .arg(SERVE_SIM)
            .args(size.args())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the simulator process starts");
        let stdout = child.stdout.take().expect("piped");
        let mut sim = SimChild {
            child,
            kubeconfig: None,
        };
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let path = line.trim();
        assert!(
            !path.is_empty(),
            "the simulator process printed no kubeconfig"
        );
        sim.kubeconfig = Some(PathBuf::from(path));
        sim
    }

    fn kubeconfig(&self) -> &Path {
        self.kubeconfig.as_deref().expect("read at spawn")
    }
}

impl Drop for SimChild {
    fn drop(&mut self) {
        // Closing stdin asks it to stop; it gets a few seconds, then it is killed.
        drop(self.child.stdin.take());
        let deadline = Instant::now() + StdDuration::from_secs(8);
        while matches!(self.child.try_wait(), Ok(None)) && Instant::now() < deadline {
            std::thread::sleep(StdDuration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(dir) = self.kubeconfig.as_deref().and_then(Path::parent) {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

fn sources(kubeconfig: &Path, size: Size) -> Vec<KubernetesSource> {
    let known: Vec<String> = (0..size.contexts)
        .flat_map(|c| (0..size.deployments).map(move |d| service(c, d)))
        .collect();
    (0..size.contexts)
        .map(|c| {
            let targets: Vec<ServiceTarget> = (0..size.deployments)
                .map(|d| ServiceTarget {
                    service: service(c, d),
                    namespace: namespace(d),
                    deployment: deployment(d),
                })
                .collect();
            KubernetesSource::new(KubernetesConfig {
                name: format!("kubernetes/{}", context(c)),
                kubeconfig: Some(kubeconfig.to_path_buf()),
                context: context(c),
                services: ServiceMap::new(&targets, known.iter().cloned()),
                timeout: SYNC_TIMEOUT,
            })
        })
        .collect()
}

/// One source's initial sync: polled until it answers Ok with every kind listed.
struct Synced {
    after: StdDuration,
    entries: usize,
    polls: usize,
}

async fn sync(source: &KubernetesSource, now: DateTime<Utc>, started: Instant) -> Synced {
    let ctx = PollContext {
        now,
        cursor: None,
        backfill: Duration::hours(24),
    };
    let mut synced = Synced {
        after: StdDuration::ZERO,
        entries: 0,
        polls: 0,
    };
    loop {
        synced.polls += 1;
        match source.poll(&ctx).await {
            Ok(out) => {
                synced.entries += out.entries.len();
                if source.lists().await >= 5 {
                    synced.after = started.elapsed();
                    return synced;
                }
            }
            Err(e) => eprintln!("{}: poll failed, polling again: {e}", source.context()),
        }
        assert!(
            started.elapsed() < SYNC_TIMEOUT,
            "{} not synced within {SYNC_TIMEOUT:?}",
            source.context()
        );
        tokio::time::sleep(StdDuration::from_millis(100)).await;
    }
}

/// The body of one context's pod list, as the simulator sends it: what each watcher reads
/// and decodes on its first list.
async fn pod_list_bytes(kubeconfig: &Path, context: &str) -> Option<usize> {
    let config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(kubeconfig).ok()?).ok()?;
    let server = config["clusters"]
        .as_array()?
        .iter()
        .find(|c| c["name"] == context)?["cluster"]["server"]
        .as_str()?
        .to_owned();
    let body = reqwest::Client::new()
        .get(format!("{server}/api/v1/pods?limit=500"))
        .bearer_auth("bench-token")
        .send()
        .await
        .ok()?
        .bytes()
        .await
        .ok()?;
    Some(body.len())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == SERVE_SIM) {
        serve_sim(Size::from_args(&args[i + 1..]));
        return;
    }
    let full = args.iter().any(|a| a == "--bench");
    let size = if full {
        Size {
            contexts: 20,
            deployments: 50,
            replicas: 100,
        }
    } else {
        Size {
            contexts: 2,
            deployments: 5,
            replicas: 5,
        }
    };
    let total_pods = size.contexts * size.pods_per_context();
    println!(
        "opsdeck kubernetes scale bench ({}): {} contexts × {} pods ({} Deployments × {} \
         replicas, {NODES} nodes each), {total_pods} pods",
        if full {
            "full"
        } else {
            "smoke: pass --bench for the real run"
        },
        size.contexts,
        size.pods_per_context(),
        size.deployments,
        size.replicas,
    );
    let now = {
        let scenario = scenario(size);
        scenario.instant(date(), scenario.parse_time(AT).expect("time"))
    };

    let started = Instant::now();
    let sim = SimChild::spawn(size);
    let sim_pid = sim.child.id().to_string();
    println!(
        "simulator child ready after {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let baseline = status_kib("self", "VmRSS");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let sources = sources(sim.kubeconfig(), size);
        let started = Instant::now();
        let synced = join_all(sources.iter().map(|s| sync(s, now, started))).await;
        let all = started.elapsed();
        let rss = status_kib("self", "VmRSS");
        let peak = status_kib("self", "VmHWM");

        let mut times: Vec<f64> = synced.iter().map(|s| s.after.as_secs_f64()).collect();
        times.sort_by(f64::total_cmp);
        let entries: usize = synced.iter().map(|s| s.entries).sum();
        let polls: usize = synced.iter().map(|s| s.polls).sum();
        let mut lists = 0;
        for s in &sources {
            lists += s.lists().await;
        }
        println!(
            "initial sync: all {} sources Ok in {:.2} s (first {:.2} s, median {:.2} s, last \
             {:.2} s); {polls} polls, {lists} complete lists, {entries} entries",
            sources.len(),
            all.as_secs_f64(),
            times[0],
            times[times.len() / 2],
            times[times.len() - 1],
        );
        let delta = rss.saturating_sub(baseline);
        println!(
            "engine memory: RSS {:.1} MiB before the sources, {:.1} MiB after the sync \
             (+{:.1} MiB, {:.0} bytes per pod); peak (VmHWM) {:.1} MiB (+{:.1} MiB)",
            mib(baseline),
            mib(rss),
            mib(delta),
            (delta * 1024) as f64 / total_pods as f64,
            mib(peak),
            mib(peak.saturating_sub(baseline)),
        );
        tokio::time::sleep(StdDuration::from_secs(5)).await;
        let settled = status_kib("self", "VmRSS");
        println!(
            "5 s later, watching: RSS {:.1} MiB (+{:.1} MiB); simulator child RSS {:.1} MiB",
            mib(settled),
            mib(settled.saturating_sub(baseline)),
            mib(status_kib(&sim_pid, "VmRSS")),
        );
        if let Some(bytes) = pod_list_bytes(sim.kubeconfig(), &context(0)).await {
            println!(
                "one context's pod list (what its pod watcher lists first): {:.1} MB of JSON",
                bytes as f64 / 1e6
            );
        }
        drop(sources);
    });
    drop(sim);
    println!("whole run: {:.1} s", started.elapsed().as_secs_f64());
}
