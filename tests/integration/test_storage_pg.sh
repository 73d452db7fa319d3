#!/usr/bin/env bash
# test_storage_pg.sh — the private PostgreSQL and the store against a real
# cluster (storage/check_pg): as root the cluster runs as user sluice;
# catalog, incremental checkpoints, stop/start, SIGKILL of the postmaster;
# and a data directory whose path is too long for a Unix socket.
. "${SL_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"

CHECK_PG="$SL_TOP_BUILDDIR/storage/check_pg"
[ -x "$CHECK_PG" ] || sl_fail "$CHECK_PG is not built (make check builds it)"
BINDIR="${SL_PG_BINDIR:-}"
[ -n "$BINDIR" ] || BINDIR="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"

# stop any cluster a failed run left behind, before lib.sh removes $SL_TMP
storage_cleanup() {
  for d in "$SL_TMP"/full/pg/data "$SL_TMP"/l*/pg/data; do
    [ -f "$d/postmaster.pid" ] || continue
    if [ "$(id -u)" -eq 0 ]; then
      su "$(stat -c %U "$d")" -s /bin/sh -c "'$BINDIR/pg_ctl' -D '$d' -m immediate stop" >/dev/null 2>&1
    else
      "$BINDIR/pg_ctl" -D "$d" -m immediate stop >/dev/null 2>&1
    fi
  done
  sl_cleanup
}
trap storage_cleanup EXIT

mkdir -p "$SL_TMP/full"
"$CHECK_PG" full "$SL_TMP/full" >"$SL_TMP/full.out" 2>&1 || { cat "$SL_TMP/full.out" >&2; sl_fail "check_pg full"; }
grep -q '^ok: all$' "$SL_TMP/full.out" || { cat "$SL_TMP/full.out" >&2; sl_fail "check_pg full did not finish"; }
grep '^ok:' "$SL_TMP/full.out"
# the manager logged what it did
grep -q 'initializing a new cluster' "$SL_TMP/full.out" || sl_fail "no initdb logged"
grep -q 'starting it again' "$SL_TMP/full.out" || sl_fail "the restart after SIGKILL was not logged"
if [ "$(id -u)" -eq 0 ]; then
  owner="$(stat -c %U "$SL_TMP/full/pg/data")"
  [ "$owner" != root ] || sl_fail "the cluster's files belong to root"
fi
# the cluster was stopped at the end
[ ! -f "$SL_TMP/full/pg/data/postmaster.pid" ] || sl_fail "the cluster is still running"
# Unix socket only: no TCP listener configured
grep -q "^listen_addresses = ''" "$SL_TMP/full/pg/data/postgresql.conf" || sl_fail "listen_addresses not set"

# a data directory too long for sun_path: the socket goes to /tmp
long="$SL_TMP/l$(printf 'x%.0s' $(seq 1 60))/$(printf 'y%.0s' $(seq 1 40))"
mkdir -p "$long"
"$CHECK_PG" short "$long" >"$SL_TMP/short.out" 2>&1 || { cat "$SL_TMP/short.out" >&2; sl_fail "check_pg short"; }
grep '^ok:' "$SL_TMP/short.out"
sl_pass
