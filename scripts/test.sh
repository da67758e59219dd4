#!/usr/bin/env bash
# Sets up the machine and runs everything CI runs: the UI's checks and tests, formatting, lints,
# and the whole Rust test-suite (unit, integration, contract, the real window over WebDriver),
# and the benchmarks once in their quick test mode. Each phase prints how long it took.
set -euo pipefail
cd "$(dirname "$0")/.."

phase() {
  local name=$1; shift
  local t0=$SECONDS
  echo "=== $name"
  "$@"
  echo "=== $name: $((SECONDS - t0)) s"
}

phase setup bash scripts/setup.sh
phase "ui check" npm --prefix ui run check
phase "ui test" npm --prefix ui test
# The desktop binary embeds ui/dist at compile time, so the UI is built before any Rust.
phase "ui build" npm --prefix ui run build
phase "cargo fmt" cargo fmt --all -- --check
phase "cargo clippy" cargo clippy --workspace --all-targets -- -D warnings
# The end-to-end tests run the `opsdeck` binary of another package: build every binary first.
phase "cargo build" cargo build --workspace --bins
phase "cargo test" cargo test --workspace --all-targets
