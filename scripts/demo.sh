#!/usr/bin/env bash
# Sets up the machine and opens the opsdeck window on the bundled simulated day (no accounts).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm --prefix ui run build
cargo build --bin opsdeck-desktop
exec target/debug/opsdeck-desktop --demo "$@"
