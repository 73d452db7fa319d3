# lib.sh — sourced by every integration test. Starts a private sluiced
# (with its own private PostgreSQL) on a free port and stops it on exit.
#
#   . "$SL_TOP_SRCDIR/tests/integration/lib.sh"
#   sl_start [sluiced args...]      # sets SL_PORT, SL_DATA, SL_PID
#   sl_psql -c 'SELECT 1'           # psql against it, ON_ERROR_STOP on
#   sl_expect "expected" actual     # compare, fail the test with a message
#   sl_pass                         # end of test
set -u
: "${SL_TOP_SRCDIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${SL_TOP_BUILDDIR:=$SL_TOP_SRCDIR/build}"
SLUICED="$SL_TOP_BUILDDIR/server/sluiced"
SL_TMP="$(mktemp -d /tmp/sluice-test.XXXXXX)"
chmod 0755 "$SL_TMP"
SL_PIDS=()
SL_FAILED=0

sl_log() { printf '%s\n' "$*" >&2; }
sl_fail() { sl_log "FAIL: $*"; SL_FAILED=1; exit 1; }

sl_cleanup() {
  local rc=$?
  for pid in "${SL_PIDS[@]:-}"; do
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null
  done
  for pid in "${SL_PIDS[@]:-}"; do
    [ -n "$pid" ] || continue
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  # a sanitizer report in the server's log fails the test
  if [ -f "$SL_TMP/sluiced.log" ] && grep -qE 'ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:' "$SL_TMP/sluiced.log"; then
    sl_log "FAIL: sanitizer report in sluiced's log:"; cat "$SL_TMP/sluiced.log" >&2
    rc=1
  fi
  if [ "$rc" -ne 0 ] && [ -f "$SL_TMP/sluiced.log" ]; then
    sl_log "---- sluiced log (tail) ----"; tail -n 60 "$SL_TMP/sluiced.log" >&2
  fi
  sl_ref_pg_stop
  # The private PostgreSQL may still be shutting down.
  pkill -f "postgres -D $SL_TMP" 2>/dev/null || true
  rm -rf "$SL_TMP"
  exit "$rc"
}
trap sl_cleanup EXIT

sl_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# sl_start [args...]: start sluiced and wait until it answers SELECT 1.
sl_start() {
  SL_PORT="${SL_PORT:-$(sl_free_port)}"
  SL_DATA="${SL_DATA:-$SL_TMP/data}"
  "$SLUICED" -D "$SL_DATA" -p "$SL_PORT" "$@" >>"$SL_TMP/sluiced.log" 2>&1 &
  SL_PID=$!
  SL_PIDS+=("$SL_PID")
  for _ in $(seq 1 300); do
    if psql -X -q -h 127.0.0.1 -p "$SL_PORT" -U test -d sluice -Atc 'SELECT 1' >/dev/null 2>&1; then
      return 0
    fi
    kill -0 "$SL_PID" 2>/dev/null || { cat "$SL_TMP/sluiced.log" >&2; sl_fail "sluiced exited during start"; }
    sleep 0.1
  done
  sl_fail "sluiced did not answer within 30 s"
}

# sl_stop: SIGTERM and wait.
sl_stop() {
  kill -TERM "$SL_PID" 2>/dev/null || true
  for _ in $(seq 1 300); do kill -0 "$SL_PID" 2>/dev/null || return 0; sleep 0.1; done
  sl_fail "sluiced did not stop within 30 s of SIGTERM"
}

sl_psql() {
  psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$SL_PORT" -U test -d sluice "$@"
}

# sl_expect EXPECTED ACTUAL [what]
sl_expect() {
  if [ "$1" != "$2" ]; then
    sl_fail "${3:-value}: expected [$1], got [$2]"
  fi
}

# sl_expect_match REGEX ACTUAL [what]
sl_expect_match() {
  # a here-string, not a pipe: grep -q may stop reading early, and under
  # pipefail the writer's SIGPIPE would turn a match into a failure
  if ! grep -Eq -- "$1" <<<"$2"; then
    sl_fail "${3:-value}: expected to match /$1/, got [$2]"
  fi
}

sl_pass() { echo "PASS: $(basename "$0")"; exit 0; }

# sl_wait_checkpoint VIEW AFTER: waits (up to 10 s) until the view has a
# complete checkpoint newer than id AFTER; prints its id
sl_wait_checkpoint() {
  for _ in $(seq 1 100); do
    local id
    id="$(sl_psql -At -c "SELECT max(id) FROM sluice.checkpoints WHERE \"view\" = '$1' AND status = 'complete'")"
    if [ -n "$id" ] && [ "$id" -gt "$2" ]; then echo "$id"; return 0; fi
    sleep 0.1
  done
  sl_fail "view $1: no checkpoint after $2"
}

# sl_ref_pg_start: a reference PostgreSQL (for differential tests), run as
# an unprivileged user in $SL_TMP/ref on a free port; sets SL_REF_PORT and
# SL_REF_HOST (its socket directory). Stopped by the EXIT trap. It runs
# with fsync=off unless SL_REF_FSYNC=on (the benchmarks compare durable
# runs with a durable PostgreSQL).
sl_ref_pg_start() {
  local fsync="${SL_REF_FSYNC:-off}"
  local bindir="${SL_PG_BINDIR:-}"
  [ -n "$bindir" ] || bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
  local user=postgres
  id sluice >/dev/null 2>&1 && user=sluice
  SL_REF_PORT="$(sl_free_port)"
  SL_REF_HOST="$SL_TMP/ref"
  mkdir -p "$SL_REF_HOST"
  local run=(sh -c)
  if [ "$(id -u)" -eq 0 ]; then
    chown "$user" "$SL_REF_HOST"
    run=(su "$user" -s /bin/sh -c)
  fi
  "${run[@]}" "'$bindir/initdb' -D '$SL_REF_HOST/data' -A trust -U postgres -E UTF8 --locale=C >'$SL_REF_HOST/initdb.log' 2>&1" \
    || { cat "$SL_REF_HOST/initdb.log" >&2; sl_fail "initdb of the reference PostgreSQL failed"; }
  "${run[@]}" "'$bindir/pg_ctl' -D '$SL_REF_HOST/data' -w -l '$SL_REF_HOST/log' -o \"-p $SL_REF_PORT -k $SL_REF_HOST -c listen_addresses='' -c fsync=$fsync\" start >/dev/null" \
    || { cat "$SL_REF_HOST/log" >&2; sl_fail "the reference PostgreSQL did not start"; }
  SL_REF_STOP=("${run[@]}" "'$bindir/pg_ctl' -D '$SL_REF_HOST/data' -m immediate stop >/dev/null 2>&1")
}

sl_ref_psql() {
  psql -X -q -v ON_ERROR_STOP=1 -h "$SL_REF_HOST" -p "$SL_REF_PORT" -U postgres -d postgres "$@"
}

sl_ref_pg_stop() {
  if [ -n "${SL_REF_STOP+x}" ]; then "${SL_REF_STOP[@]}" || true; unset SL_REF_STOP; fi
}
