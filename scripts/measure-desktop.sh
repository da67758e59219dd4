#!/usr/bin/env bash
# Measures the desktop app against the platform's floor, side by side in one run, under a private
# Xvfb: time to the first painted timeline, and the memory of the whole process tree once idle
# (summed RSS and PSS of the main process, WebKitWebProcess, WebKitNetworkProcess, ...).
#
# The floor is bench/desktop-baseline (binary opsdeck-baseline): a hello-world Tauri window built
# the same way (debug profile, same tauri, custom-protocol, same CSP, same start-up probe).
# The app shows Today's timeline from `opsdeck sim` frozen at 06:00 on the bundled day.
#
# Prints figures and ratios (aims: start <= 1.2x, memory <= 1.3x the floor) and exits 0 whatever
# they are; it is not a test. A human records the figures in the README.
#
#   scripts/measure-desktop.sh [--runs N] [--no-build] [--keep]
#
#   --runs N     measured launches of each binary, alternating (default 3); the medians are reported
#   --no-build   use target/debug as it is (default: build the UI if stale, cargo build the bins)
#   --keep       keep the temp dir (logs, probe files) and print its path
#
# Start: the probe's figure, milliseconds from the kernel's start time of the process to the first
# frame that shows the timeline (src-tauri/src/probe.rs, ui/src/lib/probe.ts). The column
# "launch" is the same thing seen from outside (spawn to probe file), as a cross-check.
# Idle: at least SETTLE s (3) after the paint, then until the process tree used < 3% of a core
# over the last second (sampled every 0.5 s; at most 30 s after the paint, else flagged).
# Each binary is launched once unmeasured first (warm page cache for both), then the runs
# alternate and swap order each round. Every launch gets a fresh HOME and XDG dirs (and the app a
# fresh copy of the simulator's config, hence an empty cache next to it); both binaries
# share one Xvfb, one environment and, if dbus-run-session exists, one private session bus.
# WEBKIT_* variables already in the environment reach both binaries (the header line lists them).
# Under Xvfb there is no GPU: WebKit's Skia paints on GL emulated by llvmpipe, which costs the
# app's busier first frame ~300 ms more than the baseline's; WEBKIT_SKIA_ENABLE_CPU_RENDERING=1
# (for both) shows the start without that artefact.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=3
build=1
keep=0
while [ $# -gt 0 ]; do
    case "$1" in
        --runs)
            runs="${2:?--runs needs a number}"
            shift 2
            ;;
        --no-build) build=0; shift ;;
        --keep) keep=1; shift ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "measure-desktop: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
case "$runs" in '' | *[!0-9]* | 0) echo "measure-desktop: --runs wants a positive number" >&2; exit 2 ;; esac

if [ "$build" = 1 ]; then
    # The app embeds ui/dist at compile time: rebuild it when any UI source is newer.
    if [ ! -f ui/dist/index.html ] ||
        [ -n "$(find ui/src ui/index.html ui/package.json ui/vite.config.ts -newer ui/dist/index.html -print -quit)" ]; then
        npm --prefix ui run build
    fi
    cargo build --workspace --bins
fi
for bin in target/debug/opsdeck target/debug/opsdeck-desktop target/debug/opsdeck-baseline; do
    [ -x "$bin" ] || { echo "measure-desktop: $bin missing (run without --no-build)" >&2; exit 1; }
done
command -v Xvfb >/dev/null || { echo "measure-desktop: Xvfb not found (apt-get install xvfb)" >&2; exit 1; }

read -r -d '' measure <<'PY' || true
import json, os, select, shutil, signal, statistics, subprocess, sys, tempfile, time

RUNS, KEEP = int(sys.argv[1]), sys.argv[2] == "1"
ROOT = os.getcwd()
PROBE_ENV = "OPSDECK_PAINT_PROBE"
PAINT_DEADLINE = 90.0   # s from launch to the probe file
SETTLE = 3.0            # s after the paint before idle is even checked
IDLE_CPU = 0.03         # share of one core over the last second
IDLE_DEADLINE = 30.0    # s after the paint; measured anyway, flagged "busy"
AIM_START, AIM_MEM = 1.2, 1.3
TICK = os.sysconf("SC_CLK_TCK")

tmp = tempfile.mkdtemp(prefix="opsdeck-measure.")
groups = []  # process groups to kill on the way out


def start(cmd, log, **kw):
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=kw.pop("stdout", log),
                         stderr=log, start_new_session=True, **kw)
    groups.append(p)
    return p


def kill(p):
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    p.wait()


def stat(pid):
    """(ppid, utime+stime ticks, comm) or None."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            s = f.read()
    except OSError:
        return None
    comm = s[s.index("(") + 1:s.rindex(")")]
    fields = s[s.rindex(")") + 2:].split()
    return int(fields[1]), int(fields[11]) + int(fields[12]), comm


def tree(root):
    """root and all its descendants, from the ppid of every process in /proc."""
    kids = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            st = stat(int(name))
            if st:
                kids.setdefault(st[0], []).append(int(name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(kids.get(pid, []))
    return out


def cpu_ticks(pids):
    return sum(st[1] for st in map(stat, pids) if st)


def memory(pids):
    """{comm: [rss_kib, pss_kib]} over the tree, from smaps_rollup."""
    per = {}
    for pid in pids:
        st = stat(pid)
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                text = f.read()
        except OSError:
            continue
        vals = {}
        for line in text.splitlines():
            parts = line.split()
            if parts and parts[0] in ("Rss:", "Pss:"):
                vals[parts[0]] = int(parts[1])
        acc = per.setdefault(st[2] if st else str(pid), [0, 0])
        acc[0] += vals.get("Rss:", 0)
        acc[1] += vals.get("Pss:", 0)
    return per


def wait_gone(pids, deadline=10.0):
    end = time.monotonic() + deadline
    while time.monotonic() < end and any(os.path.exists(f"/proc/{p}") and stat(p) for p in pids):
        time.sleep(0.05)


def launch(label, binary, args, env_base, n, measure=True):
    run_dir = os.path.join(tmp, f"{label}-{n}")
    home = os.path.join(run_dir, "home")
    for d in ("config", "data", "cache", "state"):
        os.makedirs(os.path.join(home, d))
    probe = os.path.join(run_dir, "paint")
    env = dict(env_base, HOME=home, XDG_CONFIG_HOME=f"{home}/config", XDG_DATA_HOME=f"{home}/data",
               XDG_CACHE_HOME=f"{home}/cache", XDG_STATE_HOME=f"{home}/state")
    env[PROBE_ENV] = probe
    if "--config" in args:
        # A copy of the simulator's config per launch: the app keeps its cache next to the config
        # (sim.sqlite), so every launch starts as cold as the baseline's fresh WebKit dirs.
        i = args.index("--config") + 1
        cfg = os.path.join(run_dir, "sim.toml")
        shutil.copyfile(args[i], cfg)
        args = [*args[:i], cfg, *args[i + 1:]]
    log = open(os.path.join(run_dir, "app.log"), "w")
    t0 = time.monotonic()
    p = start([binary, *args], log, env=env, cwd=ROOT)
    try:
        while not os.path.exists(probe):
            if p.poll() is not None or time.monotonic() - t0 > PAINT_DEADLINE:
                why = f"exited ({p.returncode})" if p.poll() is not None else f"no paint in {PAINT_DEADLINE:.0f} s"
                tail = open(log.name).read()[-2000:]
                print(f"  {label} run {n}: {why}; log {log.name}:\n{tail}", flush=True)
                return None
            time.sleep(0.01)
        launch_ms = (time.monotonic() - t0) * 1000
        t_paint = time.monotonic()
        lines = open(probe).read().split()
        start_ms = int(lines[0])
        extra = dict(l.split("=", 1) for l in lines[1:] if "=" in l)
        entries = extra.get("entries", "-")
        page_ms = float(extra["page_ms"]) if "page_ms" in extra else None
        if not measure:
            return None
        # Idle: past SETTLE, then CPU of the whole tree over the last second below IDLE_CPU.
        samples = []  # (time, ticks)
        busy = True
        while True:
            now = time.monotonic()
            samples.append((now, cpu_ticks(tree(p.pid))))
            samples = [s for s in samples if now - s[0] <= 1.05]
            if now - t_paint >= SETTLE and now - samples[0][0] >= 0.95:
                used = (samples[-1][1] - samples[0][1]) / TICK / (now - samples[0][0])
                if used < IDLE_CPU:
                    busy = False
                    break
            if now - t_paint >= IDLE_DEADLINE or p.poll() is not None:
                break
            time.sleep(0.5)
        idle_s = time.monotonic() - t_paint
        pids = tree(p.pid)
        per = memory(pids)
        rss = sum(v[0] for v in per.values()) / 1024
        pss = sum(v[1] for v in per.values()) / 1024
        r = dict(start=start_ms, launch=launch_ms, page=page_ms, rss=rss, pss=pss, idle=idle_s,
                 busy=busy, procs=len(pids), per=per, entries=entries)
        page = f"{page_ms:5.0f}" if page_ms is not None else "  n/a"
        print(f"  {label:<8} run {n}: start {start_ms:5d} ms (launch {launch_ms:5.0f}, page {page})  "
              f"RSS {rss:6.1f} MiB  PSS {pss:6.1f} MiB  {len(pids)} procs  "
              f"idle after {idle_s:4.1f} s{' (still busy)' if busy else ''}  entries {entries}", flush=True)
        return r
    finally:
        pids = tree(p.pid)
        kill(p)
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        wait_gone(pids)
        groups.remove(p)
        log.close()


def main():
    # One private X server for every launch.
    num = next(n for n in (100 + (os.getpid() + i) % 300 for i in range(300))
               if not os.path.exists(f"/tmp/.X{n}-lock") and not os.path.exists(f"/tmp/.X11-unix/X{n}"))
    xlog = open(os.path.join(tmp, "xvfb.log"), "w")
    xvfb = start(["Xvfb", f":{num}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"], xlog)
    end = time.monotonic() + 20
    while not os.path.exists(f"/tmp/.X11-unix/X{num}"):
        if xvfb.poll() is not None or time.monotonic() > end:
            sys.exit(f"measure-desktop: Xvfb :{num} did not start; see {xlog.name}")
        time.sleep(0.05)

    # The simulator, frozen at 06:00 on the bundled day; it prints one JSON line once it listens.
    sim_cfg = os.path.join(tmp, "sim.toml")
    slog = open(os.path.join(tmp, "sim.log"), "w")
    sim = start([os.path.join(ROOT, "target/debug/opsdeck"), "sim", "--scenario",
                 os.path.join(ROOT, "crates/sim/scenarios/day-in-the-life.yaml"), "--at", "06:00",
                 "--speed", "0", "--config-out", sim_cfg], slog, stdout=subprocess.PIPE)
    ready, _, _ = select.select([sim.stdout], [], [], 30)
    line = sim.stdout.readline() if ready else b""
    if not line:
        sys.exit(f"measure-desktop: opsdeck sim printed no ready line; see {slog.name}")
    sim_now = json.loads(line).get("now")

    env = {k: v for k, v in os.environ.items() if k not in (PROBE_ENV, "WAYLAND_DISPLAY")}
    env["DISPLAY"] = f":{num}"
    env["GDK_BACKEND"] = "x11"
    binaries = {
        "app": (os.path.join(ROOT, "target/debug/opsdeck-desktop"), ["--config", sim_cfg]),
        "baseline": (os.path.join(ROOT, "target/debug/opsdeck-baseline"), []),
    }
    webkit = {k: v for k, v in env.items() if k.startswith("WEBKIT_")}
    print(f"Xvfb :{num} 1280x800x24, opsdeck sim at {sim_now}, {RUNS} runs each, "
          f"session bus: {'private' if 'DBUS_SESSION_BUS_ADDRESS' in env else 'none'}, "
          f"WEBKIT_* for both: {webkit or 'none'}", flush=True)

    print("warm-up (not measured)", flush=True)
    for label, (binary, args) in binaries.items():
        launch(label, binary, args, env, 0, measure=False)
    results = {label: [] for label in binaries}
    for n in range(1, RUNS + 1):
        order = list(binaries) if n % 2 else list(reversed(binaries))
        for label in order:
            r = launch(label, *binaries[label], env, n)
            if r:
                results[label].append(r)

    def med(label, key):
        vals = [r[key] for r in results[label] if r[key] is not None]
        return statistics.median(vals) if vals else None

    print()
    print("medians (start: process start to first painted timeline, of which 'page' after the")
    print("page's navigation began; launch: spawn to probe file, seen from outside):")
    print(f"{'':<10}{'start ms':>10}{'page ms':>10}{'launch ms':>11}{'RSS MiB':>10}{'PSS MiB':>10}{'runs':>6}")
    for label in binaries:
        row = [med(label, k) for k in ("start", "page", "launch", "rss", "pss")]
        cells = [f"{v:>10.0f}" if v is not None else f"{'n/a':>10}" for v in row[:3]]
        cells += [f"{v:>10.1f}" if v is not None else f"{'n/a':>10}" for v in row[3:]]
        print(f"{label:<10}{cells[0]}{cells[1]} {cells[2]}{cells[3]}{cells[4]}{len(results[label]):>6}")

    # Where the memory is: median per process name.
    names = sorted({c for rs in results.values() for r in rs for c in r["per"]})
    if names:
        print("\nper process (median RSS / PSS MiB):")
        for c in names:
            cells = []
            for label in binaries:
                rss = [r["per"].get(c, [0, 0])[0] / 1024 for r in results[label]]
                pss = [r["per"].get(c, [0, 0])[1] / 1024 for r in results[label]]
                cells.append(f"{label} {statistics.median(rss):6.1f} / {statistics.median(pss):6.1f}"
                             if rss else f"{label} n/a")
            print(f"  {c:<17}" + "    ".join(cells))

    if not results["app"] or not results["baseline"]:
        print("\nno ratios: a binary never painted (see the logs above)")
        return
    print("\napp / baseline:")
    for key, name, aim in (("start", "start", AIM_START), ("rss", "RSS  ", AIM_MEM), ("pss", "PSS  ", AIM_MEM)):
        ratio = med("app", key) / med("baseline", key)
        print(f"  {name} {ratio:5.2f}x  (aim <= {aim}x: {'met' if ratio <= aim else 'NOT met'})")
    if any(r["busy"] for rs in results.values() for r in rs):
        print(f"  note: some runs never went idle within {IDLE_DEADLINE:.0f} s; memory was read anyway")


try:
    main()
finally:
    for p in list(groups):
        kill(p)
    if KEEP:
        print(f"\nlogs kept in {tmp}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)
PY

# A private session bus shared by both binaries, so nothing reaches the user's desktop session.
# Its daemon's chatter goes to a log; the measurement's own stderr stays on fd 3.
if command -v dbus-run-session >/dev/null; then
    bus_log=$(mktemp -t opsdeck-measure-bus.XXXXXX)
    trap 'rm -f "$bus_log"' EXIT
    dbus-run-session -- sh -c 'exec python3 -c "$0" "$@" 2>&3' "$measure" "$runs" "$keep" 3>&2 2>"$bus_log"
else
    python3 -c "$measure" "$runs" "$keep"
fi
