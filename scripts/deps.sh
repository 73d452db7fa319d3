#!/usr/bin/env bash
# Installs every Debian package Sluice needs to build, run and test.
# Idempotent: packages already present are left alone.
set -euo pipefail

PKGS=(build-essential autoconf automake libtool pkg-config
      libevent-dev libssl-dev libpq-dev libcunit1-dev libedit-dev lemon
      postgresql postgresql-contrib postgresql-client openssl
      tmux expect python3 python3-psycopg2 ca-certificates bc)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "deps.sh: run as root or install sudo" >&2; exit 1; fi
fi

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js (for the node-postgres example): only when the machine has none.
command -v node >/dev/null || missing+=(nodejs npm)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "deps.sh: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# The Debian postgresql package starts a cluster of its own; Sluice does
# not use it (sluiced runs a private one), so keep it from taking memory.
if command -v pg_lsclusters >/dev/null && pg_lsclusters -h 2>/dev/null | grep -q online; then
  $SUDO pg_ctlcluster --force "$(pg_lsclusters -h | awk 'NR==1{print $1}')" main stop 2>/dev/null || true
fi
# The private PostgreSQL cannot run as root: give it a user of its own.
if [ "$(id -u)" -eq 0 ] && ! id sluice >/dev/null 2>&1; then
  useradd --system --no-create-home --shell /usr/sbin/nologin sluice
fi
# node-postgres for the JavaScript example, from the npm registry
top="$(cd "$(dirname "$0")/.." && pwd)"
if command -v npm >/dev/null && [ ! -d "$top/clients/examples/js/node_modules/pg" ]; then
  (cd "$top/clients/examples/js" && npm install --no-audit --no-fund --silent >/dev/null 2>&1) \
    || echo "deps.sh: npm install of node-postgres failed" >&2
fi
