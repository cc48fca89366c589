#!/usr/bin/env bash
# Installs the real peers the test suite talks to (Debian packages), if any is missing.
# Runs before `npm test`; a machine that already has them skips this in a second.
set -euo pipefail
PACKAGES=(postgresql prometheus prometheus-alertmanager prometheus-node-exporter victoria-metrics chromium)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing test peers: ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
