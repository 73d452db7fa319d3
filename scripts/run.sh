#!/usr/bin/env bash
# The README's first command: install what is needed, build, and start
# sluiced in the foreground on port 6543 with its private PostgreSQL and
# a demo stream and standing query.
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
"$top/scripts/deps.sh"
builddir="$("$top/scripts/build.sh" | tail -1)"
datadir="${SLUICE_DATA:-$top/data}"
exec "$builddir/server/sluiced" -D "$datadir" --demo "$@"
