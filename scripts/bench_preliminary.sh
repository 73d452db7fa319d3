#!/usr/bin/env bash
# A preliminary measurement until sluice-bench (issue 6) lands: COPY of
# generated bid rows into sluiced (no view; a grouped view at parallelism 1
# and 2) and, in the same run, plain PostgreSQL COPY of the same file.
# Prints events/s and events/s per server core (server CPU time from /proc).
#   scripts/bench_preliminary.sh [ROWS]
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
ROWS="${1:-1000000}"
export SL_TOP_SRCDIR="$top" SL_TOP_BUILDDIR="${SL_TOP_BUILDDIR:-$top/build}"
. "$top/tests/integration/lib.sh"
python3 - "$ROWS" >"$SL_TMP/bids.csv" <<'PY'
import random, sys
random.seed(1)
n = int(sys.argv[1])
chans = ["Google", "Facebook", "Baidu", "Apple"]
out = sys.stdout
for i in range(n):
    a = 1000 + (i // 50) * 3 if random.random() < 0.5 else random.randint(1000, 1000 + i // 16 + 10)
    out.write(f"{a},{random.randint(1000, 3000)},{int(round(10 ** (random.random() * 6) * 100))},{random.choice(chans)}\n")
PY
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz="$(getconf CLK_TCK)"
report() { # name rows seconds cpu_ticks
  awk -v n="$1" -v r="$2" -v s="$3" -v t="$4" -v hz="$hz" 'BEGIN {
    c = t / hz; printf "%-34s %9d rows %7.2f s %10.0f ev/s %10.0f ev/s per server core\n", n, r, s, r / s, (c > 0 ? r / c : 0) }'
}
now() { date +%s.%N; }
sl_start --workers 2
COLS="auction BIGINT, bidder BIGINT, price BIGINT, channel TEXT"
run_copy() { # label, setup SQL
  sl_psql -q -c "DROP STREAM IF EXISTS bids CASCADE" -c "CREATE STREAM bids ($COLS)" ${2:+-c "$2"}
  local c0 t0 t1 c1
  c0="$(cpu "$SL_PID")"; t0="$(now)"
  sl_psql -q -c "\\copy bids FROM '$SL_TMP/bids.csv' WITH (FORMAT csv)"
  # a snapshot read waits until the view has applied every row
  if [ -n "${2:-}" ]; then sl_psql -q -At -c "SELECT * FROM v LIMIT 1" >/dev/null; fi
  t1="$(now)"; c1="$(cpu "$SL_PID")"
  report "$1" "$ROWS" "$(echo "$t1 - $t0" | bc)" "$((c1 - c0))"
}
echo "machine: $(nproc) cores; rows: $ROWS; command: $0 $ROWS"
run_copy "sluiced COPY, no view" ""
run_copy "sluiced COPY + count/max by auction, p=1" "CREATE MATERIALIZED VIEW v WITH (parallelism = 1) AS SELECT auction, count(*), max(price) FROM bids GROUP BY auction"
run_copy "sluiced COPY + count/max by auction, p=2" "CREATE MATERIALIZED VIEW v WITH (parallelism = 2) AS SELECT auction, count(*), max(price) FROM bids GROUP BY auction"
sl_ref_pg_start
sl_ref_psql -q -c "CREATE TABLE bids ($COLS)"
pgpid="$(head -1 "$SL_REF_HOST/data/postmaster.pid")"
t0="$(now)"
sl_ref_psql -q -c "\\copy bids FROM '$SL_TMP/bids.csv' WITH (FORMAT csv)"
t1="$(now)"
report "PostgreSQL COPY into a table" "$ROWS" "$(echo "$t1 - $t0" | bc)" 0
sl_pass
