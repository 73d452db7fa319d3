#!/usr/bin/env bash
# Measures everything issue 6's targets name, in one run, on this machine:
# the limit loops, PostgreSQL (plain COPY and the trigger baseline),
# sluiced ingestion, processing at parallelism 1 and 2, latency at
# 100,000 events/s, and the state memory of 1M groups. Prints sluice-bench's
# tables; docs/benchmarks.md records a run of it.
#   scripts/bench_targets.sh [EVENTS]        (default 2000000)
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
EVENTS="${1:-2000000}"
export SL_TOP_SRCDIR="$top" SL_TOP_BUILDDIR="${SL_TOP_BUILDDIR:-$top/build}"
. "$top/tests/integration/lib.sh"
BENCH="$SL_TOP_BUILDDIR/clients/sluice-bench"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo); load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "commit: $(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown); events: $EVENTS"

sl_start --checkpoint-interval 0
# PostgreSQL as a user would run it, with fsync on: sluiced acknowledges a
# COPY once its log is fsynced (durability batch), PostgreSQL once its WAL
# is; SL_REF_FSYNC=off compares with a PostgreSQL that does not flush
export SL_REF_FSYNC="${SL_REF_FSYNC:-on}"
echo "reference PostgreSQL: fsync=$SL_REF_FSYNC; sluiced: durability batch"
sl_ref_pg_start
SL="host=127.0.0.1 port=$SL_PORT user=bench dbname=sluice"
PG="host=$SL_REF_HOST port=$SL_REF_PORT user=postgres dbname=postgres"
run() { echo; echo "\$ sluice-bench $*"; "$BENCH" "$@" 2>&1 | grep -v '^RESULT '; }
# Before the runs that need both cores (and the latency runs, which wait
# for fsyncs): the earlier runs' data flushed, PostgreSQL's checkpoint of
# the trigger baseline's tables done, so that they measure their own work
# and not the writeback of gigabytes another benchmark left behind.
settle() { sl_ref_psql -c CHECKPOINT; sync; sleep 1; }

# what memory costs here: a first write into new pages against a rewrite
run limits --events "$EVENTS"
run pg --pg "$PG" --events "$EVENTS"
# three runs: the first after a start writes into page-cache pages the machine never touched
run ingest --sluice "$SL" --pg "$PG" --events "$EVENTS" --connections 2 --repeat 3 --server-pid "$SL_PID"
settle
run process --sluice "$SL" --events "$EVENTS" --workload q0,q1,q2,agg --parallelism 1 --server-pid "$SL_PID"
# parallelism 1 against 2 on the same loaded stream, eight times each,
# alternating (the speed of this machine drifts between runs: each pair is
# compared, and the median of the pairs reported; with four pairs one slow
# run moved the median by 0.2); four times the events, so that runs last
# about half a second
settle
run process --sluice "$SL" --events "$((EVENTS * 4))" --workload agg --parallelism 1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2 --server-pid "$SL_PID"
# end to end: the view exists, the bids are COPY'd into it; against the trigger baseline of the same run
# three runs: the first writes its log into memory the machine never touched
run e2e --sluice "$SL" --pg "$PG" --events "$EVENTS" --connections 2 --workload agg --repeat 3 --server-pid "$SL_PID"
settle
run latency --sluice "$SL" --rate 100000 --duration 5 --workload q2,agg --server-pid "$SL_PID"

# state memory: 1M groups of (bigint key, count, max), from sluice.tasks
echo
echo "\$ 1,000,000 groups of (bigint, count(*), max(bigint)) at parallelism 2"
sl_psql -q -c "CREATE STREAM kv (k BIGINT, v BIGINT)" \
  -c "CREATE MATERIALIZED VIEW kvv WITH (parallelism = 2) AS SELECT k, count(*) AS n, max(v) AS m FROM kv GROUP BY k"
seq 1 1000000 | awk '{print $1 "\t" $1 * 3}' | sl_psql -q -c "COPY kv FROM STDIN"
sl_psql -At -c "SELECT 'groups: ' || count(*) FROM kvv" \
  -c "SELECT 'state bytes (sluice.tasks): ' || sum(state_bytes) FROM sluice.tasks WHERE view = 'kvv'"
echo "sluiced RSS: $(awk '/VmRSS/ {print $2 " kB"}' "/proc/$SL_PID/status")"
sl_pass
