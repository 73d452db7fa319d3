#!/usr/bin/env bash
# Replay: a view created over rows already in a stream's log catches up on
# its tasks, each reading a share of the log's batches and routing rows to
# the others. Every kind of view (columnar, row path, without aggregates,
# with WHERE) at parallelism 1, 2 and 3 must answer what PostgreSQL
# answers over the same rows, a read right after CREATE must wait for the
# whole replay, rows ingested during a replay count once, a view dropped
# in the middle of its replay goes without harm, and after kill -9 the
# restored views (replayed again at start) still answer the same.
. "$(dirname "$0")/lib.sh"

sl_start --checkpoint-interval 300ms --workers 3 --enable-failpoints
sl_ref_pg_start
q() { sl_psql -At -F'|' -c "$1"; }
r() { sl_ref_psql -At -F'|' -c "$1"; }

# 120 COPYs (log batches) of 2,000 rows: many batches for the strides
awk 'BEGIN { srand(5); for (i = 1; i <= 240000; i++) {
       k = int(rand() * 5000); v = int(rand() * 2000000) - 1000000;
       printf "%d\t%s\t%d\tc%d\t%s\n", k, (i % 97 == 0 ? "\\N" : v), i % 7, i % 13, (i % 89 == 0 ? "\\N" : "2026-01-01 00:00:00") }}' \
  >"$SL_TMP/rows.tsv"
split -l 2000 "$SL_TMP/rows.tsv" "$SL_TMP/part."
sl_psql -q -c "CREATE STREAM s (k BIGINT, v BIGINT, i INT, t TEXT, ts TIMESTAMP)"
for f in "$SL_TMP"/part.*; do sl_psql -q -c "COPY s FROM STDIN" <"$f"; done
r "CREATE TABLE s (k BIGINT, v BIGINT, i INT, t TEXT, ts TIMESTAMP)" >/dev/null
r "COPY s FROM STDIN" <"$SL_TMP/rows.tsv" >/dev/null

declare -A SQL=(
  [col]="SELECT k, count(*) AS n, count(v) AS nv, sum(v) AS sv, min(v) AS lo, max(v) AS hi, max(i) AS mi FROM s GROUP BY k"
  [colw]="SELECT i, count(*) AS n, sum(v) AS sv FROM s WHERE v > 0 GROUP BY i"
  [rowp]="SELECT t, count(*) AS n, avg(v) AS av, count(DISTINCT i) AS di FROM s GROUP BY t"
  [proj]="SELECT k, v, t FROM s WHERE i = 3"
)
declare -A ORDER=([col]="k" [colw]="i" [rowp]="t" [proj]="k, v, t")
for p in 1 2 3; do
  for name in col colw rowp proj; do
    v="${name}_$p"
    # CREATE, then read at once in the same session: the read waits for the replay
    got="$(sl_psql -At -F'|' -c "CREATE MATERIALIZED VIEW $v WITH (parallelism = $p) AS ${SQL[$name]}" \
                              -c "SELECT * FROM $v ORDER BY ${ORDER[$name]}" | grep -v '^CREATE')"
    want="$(r "${SQL[$name]} ORDER BY ${ORDER[$name]}")"
    [ -n "$want" ] || sl_fail "no reference rows for $name"
    sl_expect "$want" "$got" "$v right after CREATE"
  done
done
sl_expect "0" "$(q "SELECT max(lag) FROM sluice.views")" "every replay is over"

# rows ingested while a replay runs count once
sl_psql -q -c "CREATE MATERIALIZED VIEW live AS SELECT k, count(*) AS n, sum(v) AS sv FROM s GROUP BY k" \
  -c "COPY s FROM STDIN" <"$SL_TMP/part.aa"
r "COPY s FROM STDIN" <"$SL_TMP/part.aa" >/dev/null
sl_expect "$(r "SELECT k, count(*), sum(v) FROM s GROUP BY k ORDER BY k")" "$(q "SELECT * FROM live ORDER BY k")" \
  "a view ingested into during its replay"
sl_expect "$(r "SELECT k, count(*), count(v), sum(v), min(v), max(v), max(i) FROM s GROUP BY k ORDER BY k")" \
  "$(q "SELECT * FROM col_2 ORDER BY k")" "a view past its replay keeps up"

# subscribers arriving during a replay: the snapshot each one gets and the
# changes after it add up to exactly the view, and the view to what
# PostgreSQL says, whether the rows they missed were applied in place by
# the replaying task or handed to the other one.
#   sub_during_replay VIEW FAILPOINT SPEC SUBSCRIBERS
sub_during_replay() {
  local view="$1" fp="$2" spec="$3" nsubs="$4" i
  sl_psql -q -c "SELECT sluice_failpoint('$fp', '$spec')" \
    -c "CREATE MATERIALIZED VIEW $view WITH (parallelism = 2) AS SELECT k, count(*) AS n, sum(v) AS sv FROM s GROUP BY k"
  for i in $(seq 1 "$nsubs"); do
    sleep 0.05
    psql -X -h 127.0.0.1 -p "$SL_PORT" -U test -d sluice -c "COPY (SUBSCRIBE $view) TO STDOUT" >"$SL_TMP/sub.$i" 2>"$SL_TMP/sub.$i.err" &
    echo $! >"$SL_TMP/sub.$i.pid"
  done
  sl_expect "$(r "SELECT count(DISTINCT k) FROM s")" "$(q "SELECT count(*) FROM $view")" "$view after its replay"
  sl_psql -q -c "SELECT sluice_failpoint('$fp', 'off')"
  sl_expect "yes" "$(q "SELECT CASE WHEN hits > 0 THEN 'yes' ELSE 'no' END FROM sluice.failpoints WHERE name = '$fp'")" \
    "$fp slowed the replay of $view down"
  sleep 1
  sl_expect "$(r "SELECT k, count(*), sum(v) FROM s GROUP BY k ORDER BY k")" "$(q "SELECT * FROM $view ORDER BY k")" \
    "$view, subscribed to during its replay"
  q "SELECT * FROM $view" | tr '|' '\t' | sort >"$SL_TMP/$view.final"
  for i in $(seq 1 "$nsubs"); do
    kill -INT "$(cat "$SL_TMP/sub.$i.pid")"
    wait "$(cat "$SL_TMP/sub.$i.pid")" 2>/dev/null || true
    python3 - "$SL_TMP/sub.$i" >"$SL_TMP/sub.$i.folded" <<'PY' || sl_fail "$view subscriber $i: its changes do not fold"
import collections, sys
rows = collections.Counter()
for line in open(sys.argv[1]):
    parts = line.rstrip("\n").split("\t")
    row = "\t".join("" if p == "\\N" else p for p in parts[2:])
    rows[row] += int(parts[1])
    if rows[row] < 0:
        sys.exit("a row retracted more often than added")
for row, n in sorted(rows.items()):
    print("\n".join([row] * n)) if n else None
PY
    sort -o "$SL_TMP/sub.$i.folded" "$SL_TMP/sub.$i.folded"
    [ -s "$SL_TMP/sub.$i.folded" ] || sl_fail "$view subscriber $i got nothing: $(cat "$SL_TMP/sub.$i.err")"
    if ! cmp -s "$SL_TMP/$view.final" "$SL_TMP/sub.$i.folded"; then
      diff "$SL_TMP/$view.final" "$SL_TMP/sub.$i.folded" | head >&2
      sl_fail "$view subscriber $i, arrived during the replay: its snapshot and changes differ from the view"
    fi
  done
}
# every apply sleeps 2 ms: subscribers arrive at any point of it
sub_during_replay subd executor.aggregate.update 'sleep(2)' 3
# the first task to apply what the other routed to it waits 1.5 s first:
# the subscriber arrives while those rows wait, handed over as indexes
# into the other's decoded columns, and they are applied as changes
sub_during_replay subq executor.replay.drain 'sleep(1500,1)' 1

# dropped in the middle of its replay (and again, and again): no harm
for x in 1 2 3; do
  sl_psql -q -c "CREATE MATERIALIZED VIEW gone WITH (parallelism = 3) AS SELECT t, count(*) FROM s GROUP BY t" \
    -c "DROP MATERIALIZED VIEW gone"
done
sl_expect "1" "$(q "SELECT 1")" "the server is up after drops during replays"

# kill -9: the views are restored from their checkpoints and replay the rest
sleep 1
kill -9 "$SL_PID"
wait "$SL_PID" 2>/dev/null || true
sl_start --checkpoint-interval 300ms --workers 3 --enable-failpoints
for p in 1 3; do
  for name in col rowp proj; do
    sl_expect "$(r "${SQL[$name]} ORDER BY ${ORDER[$name]}")" "$(q "SELECT * FROM ${name}_$p ORDER BY ${ORDER[$name]}")" \
      "${name}_$p after kill -9"
  done
done

# a log batch corrupted while sluiced runs (its page cache says so): a view
# replaying it fails with XX001, having applied nothing of that batch, and
# the server and the other views go on
seg="$(ls "$SL_DATA"/log/s/0/*.seg | head -1)"
size="$(stat -c %s "$seg")"
printf 'Z' | dd of="$seg" bs=1 seek=$((size / 2)) conv=notrunc status=none
sl_psql -q -c "CREATE MATERIALIZED VIEW bad WITH (parallelism = 2, restart_strategy = 'none') AS SELECT k, count(*) FROM s GROUP BY k" \
  -c "CREATE MATERIALIZED VIEW bad2 WITH (restart_strategy = 'none') AS SELECT t, count(*) FROM s GROUP BY t"
for v in bad bad2; do
  for _ in $(seq 1 100); do
    st="$(q "SELECT state FROM sluice.views WHERE name = '$v'")"
    [ "$st" = "FAILED" ] && break
    sleep 0.1
  done
  sl_expect "FAILED" "$st" "$v over a corrupted batch"
  sl_expect_match 'XX001.*checksum mismatch' "$(sl_psql -At -F'|' -c "SHOW QUERIES" | grep "^$v|")" "$v's error"
done
sl_expect "$(r "SELECT k, count(*), sum(v) FROM s GROUP BY k ORDER BY k")" "$(q "SELECT * FROM live ORDER BY k")" \
  "the other views are untouched"
sl_pass
