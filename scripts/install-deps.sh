#!/usr/bin/env bash
# Installs the Debian 12 packages Bay Kiosk needs to build, test and run.
# Idempotent: packages already present are left alone. Needs root (or sudo).
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config git python3
  libsqlite3-dev sqlite3 nlohmann-json3-dev doctest-dev
  libsodium-dev libzstd-dev libcli11-dev libspdlog-dev libcpp-httplib-dev libssl-dev openssl libmicrohttpd-dev
  clang libclang-rt-14-dev
  libimgui-dev libglfw3-dev libfreetype-dev fonts-wqy-microhei
  libbenchmark-dev
  libcairo2-dev libqrencode-dev poppler-utils
  xvfb xauth xdotool x11-apps libgl1-mesa-dri
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} Debian packages already installed"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
echo "install-deps: installing ${#missing[@]} Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-deps: done"
