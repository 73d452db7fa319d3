#!/usr/bin/env bash
# psql and pgbench against a real sluiced: simple query, several statements,
# errors with position, SET/SHOW, transactions, the Unix socket, pgbench in
# every query mode.
. "$(dirname "$0")/lib.sh"
sl_start

sl_expect 1 "$(sl_psql -Atc 'SELECT 1')" "SELECT 1"
sl_expect "7|ab|t|5" "$(sl_psql -Atc "SELECT 1 + 2 * 3 AS x, 'a' || 'b', NULL IS NULL, CAST('5' AS INT)")" "expressions"
sl_expect "x" "$(sl_psql -Atc 'SELECT 1 + 2 * 3 AS x' -P footer=off -F, | head -0; psql -X -h 127.0.0.1 -p "$SL_PORT" -U test -d sluice -c 'SELECT 1 AS x' | head -1 | tr -d ' ')" "column name"
out="$(sl_psql -At <<'SQL'
SELECT 1; SELECT 2;
SHOW server_version;
SET extra_float_digits = 3;
SHOW extra_float_digits;
SET application_name = 'itest';
SHOW application_name;
SELECT current_database();
SQL
)"
sl_expect "$(printf '1\n2\n15.0\n3\nitest\nsluice')" "$out" "multi-statement session"

# syntax error: SQLSTATE and the caret under the offending token
err="$(psql -X -h 127.0.0.1 -p "$SL_PORT" -U test -d sluice -v VERBOSITY=verbose -c 'SELECT 1 FORM t' 2>&1 || true)"
sl_expect_match 'ERROR:  42601: syntax error at or near "t"' "$err" "syntax error"
sl_expect_match 'LINE 1: SELECT 1 FORM t' "$err" "error line"
caret="$(printf '%s\n' "$err" | grep -A1 '^LINE 1' | tail -1)"
sl_expect "                      ^" "$caret" "caret position"

# runtime errors keep their SQLSTATE and the session goes on
err="$(psql -X -h 127.0.0.1 -p "$SL_PORT" -U test -d sluice -v VERBOSITY=verbose -c 'SELECT 2147483647 + 1' 2>&1 || true)"
sl_expect_match '22003: integer out of range' "$err" "overflow"

# transactions: 25P02 after an error until ROLLBACK
out="$(psql -X -h 127.0.0.1 -p "$SL_PORT" -U test -d sluice -v VERBOSITY=verbose 2>&1 <<'SQL'
BEGIN;
SELECT 1/0;
SELECT 1;
ROLLBACK;
SELECT 'after';
SQL
)"
sl_expect_match '22012: division by zero' "$out" "division by zero"
sl_expect_match '25P02: current transaction is aborted' "$out" "aborted transaction"
sl_expect_match 'after' "$out" "after rollback"

# the Unix socket in the data directory
sl_expect "unix" "$(psql -X -h "$SL_DATA" -p "$SL_PORT" -U test -d sluice -Atc "SELECT 'unix'")" "Unix socket"

# pgbench, custom script, every query mode
cat >"$SL_TMP/bench.sql" <<'SQL'
\set n random(1, 100000)
SELECT :n + 1 AS next, 'k' || :n AS key;
SQL
for mode in simple extended prepared; do
  out="$(pgbench -n -h 127.0.0.1 -p "$SL_PORT" -U test -M "$mode" -c 2 -t 300 -f "$SL_TMP/bench.sql" sluice 2>&1)" \
    || sl_fail "pgbench -M $mode failed: $out"
  sl_expect_match 'number of transactions actually processed: 600/600' "$out" "pgbench $mode processed"
  sl_expect_match 'number of failed transactions: 0 ' "$out" "pgbench $mode failures"
done

# SHOW names its column as PostgreSQL does
sl_expect "DateStyle" "$(psql -X -h 127.0.0.1 -p "$SL_PORT" -U test -d sluice -c 'SHOW datestyle' | head -1 | tr -d ' ')" "SHOW column"

# clean stop on SIGTERM: a running statement is canceled and its client
# told 57P01, an idle one too
psql -X -h 127.0.0.1 -p "$SL_PORT" -U test -d sluice -v VERBOSITY=verbose -c 'SELECT pg_sleep(20)' \
  >"$SL_TMP/busy.out" 2>&1 &
busy=$!
python3 - "$SL_PORT" >"$SL_TMP/idle.out" 2>&1 <<'PY' &
import socket, struct, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
p = b"user\0idle\0database\0sluice\0\0"
s.sendall(struct.pack("!ii", 8 + len(p), 196608) + p)
data = b""
s.settimeout(30)
while True:
    chunk = s.recv(4096)
    if not chunk:
        break
    data += chunk
print("57P01" if b"C57P01\0" in data and b"terminating connection due to administrator command" in data else "no 57P01")
PY
idle=$!
sleep 1
sl_stop
wait "$busy" || true
wait "$idle" || true
sl_expect_match '57P01: terminating connection due to administrator command' "$(cat "$SL_TMP/busy.out")" "busy client at stop"
sl_expect "57P01" "$(cat "$SL_TMP/idle.out")" "idle client at stop"
sl_pass
