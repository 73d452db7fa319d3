#!/usr/bin/env bash
# Backpressure: a view that falls behind holds ingestion back instead of
# queueing without bound, and loses nothing. The view's task is stalled
# (failpoint executor.aggregate.update, one 3 s sleep) while 2.4M rows are
# COPY'd in 24 COPYs; its lag (rows queued, sluice.views) must reach the
# limit and never pass it by more than what the ingesting connections had
# routed when they checked (a chunk each), and every row must count once.
# Limits (executor/stream.c): 262,144 rows for a view on the row path,
# 1,048,576 on the columnar path.
. "$(dirname "$0")/lib.sh"

sl_start --checkpoint-interval 0 --workers 2 --enable-failpoints
q() { sl_psql -At -F'|' -c "$1"; }
seq 1 2400000 | awk '{print $1 % 1000 "\t" $1}' | split -l 100000 - "$SL_TMP/part."

run_case() { # name, view SQL, limit
  local name=$1 sql=$2 limit=$3
  # a new stream: rows replayed from the log count as queued at once
  sl_psql -q -c "DROP STREAM IF EXISTS kv CASCADE" -c "CREATE STREAM kv (k BIGINT, v BIGINT)" \
    -c "CREATE MATERIALIZED VIEW $name WITH (parallelism = 1) AS $sql"
  sl_psql -q -c "SELECT sluice_failpoint('executor.aggregate.update', 'sleep(3000,1)')" >/dev/null
  (for f in "$SL_TMP"/part.*; do sl_psql -q -c "COPY kv FROM STDIN" <"$f"; done; echo done >"$SL_TMP/copied.$name") &
  local copier=$! max=0 lag
  while [ ! -e "$SL_TMP/copied.$name" ]; do
    lag="$(q "SELECT lag FROM sluice.views WHERE name = '$name'")"
    [ -n "$lag" ] && [ "$lag" -gt "$max" ] && max=$lag
    sleep 0.05
  done
  wait "$copier"
  echo "$name: most rows queued $max (limit $limit)"
  [ "$max" -ge $((limit / 2)) ] || sl_fail "$name: the stalled view never had half its limit queued ($max): the test did not test"
  [ "$max" -le $((limit + 2 * 4096)) ] || sl_fail "$name: $max rows queued, the limit is $limit"
  sl_expect "2400000" "$(q "SELECT sum(n) FROM $name")" "$name: every row once"
  sl_psql -q -c "DROP MATERIALIZED VIEW $name" -c "SELECT sluice_failpoint('executor.aggregate.update', 'off')" >/dev/null
}
# columnar: a grouped view over an integer column
run_case colv "SELECT k, count(*) AS n, max(v) AS m FROM kv GROUP BY k" 1048576
# row path: the key is an expression
run_case rowv "SELECT k % 7 AS g, count(*) AS n FROM kv GROUP BY 1" 262144
sl_pass
