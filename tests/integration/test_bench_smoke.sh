#!/usr/bin/env bash
# sluice-bench, a short run of every mode: gen (deterministic, the event
# mix), the limit loops, the PostgreSQL baselines against a scratch
# PostgreSQL, and ingest/process/latency against a private sluiced. Every
# mode checks the server's answer against its own baseline and exits
# non-zero on a MISMATCH. No timing assertions.
set -o pipefail
. "${SL_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"
# any failing command fails the test (not set -e: lib.sh's exit trap must
# still stop the servers)
trap 'sl_fail "line $LINENO: a command failed"' ERR
BENCH="$SL_TOP_BUILDDIR/clients/sluice-bench"
[ -x "$BENCH" ] || sl_fail "$BENCH is not built"

# ---- gen ---------------------------------------------------------------------
"$BENCH" gen --events 5000 --seed 3 --kind all >"$SL_TMP/a.csv"
"$BENCH" gen --events 5000 --seed 3 --kind all >"$SL_TMP/b.csv"
"$BENCH" gen --events 5000 --seed 4 --kind all >"$SL_TMP/c.csv"
cmp -s "$SL_TMP/a.csv" "$SL_TMP/b.csv" || sl_fail "gen is not deterministic for a seed"
if cmp -s "$SL_TMP/a.csv" "$SL_TMP/c.csv"; then sl_fail "gen ignores the seed"; fi
sl_expect "100 300 4600" "$(awk -F, '{n[$1]++} END {print n["person"], n["auction"], n["bid"]}' "$SL_TMP/a.csv")" "event mix of 5000 events"
"$BENCH" gen --events 1234 --seed 3 --kind bid >"$SL_TMP/bids.csv"
sl_expect 1234 "$(wc -l <"$SL_TMP/bids.csv" | tr -d ' ')" "bid lines"
sl_expect_match '^[0-9]+,[0-9]+,[0-9]+,[^,]+,https://www\.nexmark\.com/[a-z]+/[a-z]+/[a-z]+/item\.htm\?query=1[^,]*,2020-01-01 00:00:00\.[0-9]{6},[a-z]+$' \
  "$(head -1 "$SL_TMP/bids.csv")" "a bid line"
# bid lines are the bid-tagged lines of the full stream
sl_expect "$(grep '^bid,' "$SL_TMP/a.csv" | head -1234 | cut -d, -f2- | md5sum)" "$(head -1234 "$SL_TMP/bids.csv" | md5sum)" "--kind bid vs --kind all"
if "$BENCH" gen --kind nope --events 1 >/dev/null 2>&1; then sl_fail "a bad --kind was accepted"; fi
if "$BENCH" process --workload q9 >/dev/null 2>&1; then sl_fail "a bad --workload was accepted"; fi

# ---- the limit loops -----------------------------------------------------------
out="$("$BENCH" limits --events 20000)"
for m in generator ingest-limit; do
  sl_expect_match "RESULT \{\"mode\":\"$m\",\"workload\":\"bid\",\"events\":20000," "$out" "$m result"
done
for w in q0 q1 q2 agg distinct; do
  sl_expect_match "RESULT \{\"mode\":\"process-limit\",\"workload\":\"$w\",\"events\":20000," "$out" "process-limit $w"
done
sl_expect_match '"nproc":[0-9]+\}' "$out" "nproc in RESULT"
for w in first-write rewrite; do
  sl_expect_match "RESULT \{\"mode\":\"memory\",\"workload\":\"$w\",\"events\":256,.*\"check\":\"-\"" "$out" "memory $w"
done

# ---- the PostgreSQL baselines --------------------------------------------------
sl_ref_pg_start
PG="host=$SL_REF_HOST port=$SL_REF_PORT user=postgres dbname=postgres"
out="$("$BENCH" pg --pg "$PG" --events 20000 --batch 1000)" || sl_fail "pg mode failed: $out"
sl_expect_match '"mode":"pg-copy","workload":"bid","events":20000,.*"check":"ok"' "$out" "pg-copy"
sl_expect_match '"mode":"pg-trigger","workload":"agg","events":20000,.*"check":"ok"' "$out" "pg-trigger"
# the trigger baseline's summary equals PostgreSQL's own GROUP BY of the same rows
sl_ref_psql -c "CREATE TABLE t ($(echo auction BIGINT, bidder BIGINT, price BIGINT, channel TEXT, url TEXT, date_time TIMESTAMP, extra TEXT))"
"$BENCH" gen --events 20000 --kind bid | sl_ref_psql -c "COPY t FROM STDIN WITH (FORMAT csv)"
sl_expect "$(sl_ref_psql -At -c "SELECT count(*), sum(price) FROM t")" "20000|$(cut -d, -f3 < <("$BENCH" gen --events 20000 --kind bid) | paste -sd+ | bc)" "PostgreSQL reads the generated CSV"

# ---- sluiced ---------------------------------------------------------------------
sl_start --workers 2
SL="host=127.0.0.1 port=$SL_PORT user=test dbname=sluice"
out="$("$BENCH" ingest --sluice "$SL" --events 30000 --connections 2 --partitions 2 --workload agg --pg "$PG")" \
  || sl_fail "ingest failed: $out"
sl_expect_match '"mode":"ingest","workload":"bid","events":30000,.*"ratio_vs_pg":[0-9.]+,.*"peak_rss_kb":[0-9]+,.*"check":"ok"' "$out" "ingest"
sl_expect_match '"settings":\{"sluice_version":"[^"]+","workers":"2"' "$out" "server settings in RESULT"
sl_expect 30000 "$(sl_psql -At -c "SELECT rows FROM sluice.streams WHERE name = 'bid'")" "rows in the stream"

out="$("$BENCH" process --sluice "$SL" --events 30000 --parallelism 2)" || sl_fail "process failed: $out"
for w in q0 q1 q2 agg distinct; do
  sl_expect_match "\"mode\":\"process\",\"workload\":\"$w\",\"events\":30000,.*\"check\":\"ok\"" "$out" "process $w"
done
if printf '%s' "$out" | grep -q MISMATCH; then sl_fail "process reported a MISMATCH: $out"; fi

# a parallelism list alternating two values: every run checked, and the
# speedup of each adjacent pair reported with their median (no speed asserted)
out="$("$BENCH" process --sluice "$SL" --events 30000 --workload agg --parallelism 1,2,1,2)" \
  || sl_fail "process 1,2,1,2 failed: $out"
sl_expect 4 "$(printf '%s\n' "$out" | grep -c '"mode":"process","workload":"agg",.*"check":"ok"')" "process runs checked"
sl_expect_match 'agg: parallelism 2 vs 1, pairs [0-9.]+ [0-9.]+; median [0-9.]+x' "$out" "the pairs' speedups"

# e2e: the view exists first and the rows are ingested into it (live
# routing: the columnar path for agg, rows for distinct, q2's WHERE)
out="$("$BENCH" e2e --sluice "$SL" --events 30000 --connections 2 --workload agg,q2,distinct --pg "$PG")" \
  || sl_fail "e2e failed: $out"
for w in agg q2 distinct; do
  sl_expect_match "\"mode\":\"e2e\",\"workload\":\"$w\",\"events\":30000,.*\"check\":\"ok\"" "$out" "e2e $w"
done
sl_expect_match '"mode":"e2e","workload":"agg",.*"ratio_vs_pg":[0-9.]+' "$out" "e2e agg against the trigger baseline"

out="$("$BENCH" latency --sluice "$SL" --rate 5000 --duration 1 --workload q0,q2,agg)" || sl_fail "latency failed: $out"
for w in q0 q2 agg; do
  sl_expect_match "\"mode\":\"latency\",\"workload\":\"$w\",\"events\":5000,.*\"p50_ms\":[0-9.]+,\"p99_ms\":[0-9.]+,\"max_ms\":[0-9.]+,\"check\":\"ok\"" "$out" "latency $w"
done

# check: a view equal to the baseline passes; a wrong answer is a MISMATCH
# and a non-zero exit
sl_psql -q -c "DROP STREAM IF EXISTS bid CASCADE" \
  -c "CREATE STREAM bid (auction BIGINT, bidder BIGINT, price BIGINT, channel TEXT, url TEXT, date_time TIMESTAMP, extra TEXT)"
"$BENCH" gen --events 3000 --kind bid | sl_psql -c "COPY bid FROM STDIN WITH (FORMAT csv)"
sl_psql -q -c "CREATE MATERIALIZED VIEW v_agg AS SELECT auction, count(*), max(price), avg(price) FROM bid GROUP BY auction" \
  -c "CREATE MATERIALIZED VIEW v_q0 AS SELECT auction, bidder, price, date_time, extra FROM bid" \
  -c "CREATE MATERIALIZED VIEW v_q0_bad AS SELECT auction, bidder, price, date_time, extra FROM bid WHERE price <> 1176" \
  -c "CREATE MATERIALIZED VIEW v_q1_bad AS SELECT auction, bidder, 0.909 * price, date_time, extra FROM bid"
out="$("$BENCH" check --sluice "$SL" --events 3000 --workload agg --view v_agg)" || sl_fail "check of a right view failed: $out"
sl_expect_match '"mode":"check","workload":"agg",.*"check":"ok"' "$out" "check agg"
"$BENCH" check --sluice "$SL" --events 3000 --workload q0 --view v_q0 >/dev/null || sl_fail "check of q0 failed"
for bad in "q0 v_q0_bad" "q1 v_q1_bad" "q2 v_q0"; do
  set -- $bad
  if out="$("$BENCH" check --sluice "$SL" --events 3000 --workload "$1" --view "$2" 2>&1)"; then
    sl_fail "check of a wrong view $2 as $1 passed: $out"
  fi
  sl_expect_match '"check":"MISMATCH"' "$out" "wrong view $2 as $1"
done
sl_psql -q -c "INSERT INTO bid VALUES (1000, 1, 5, 'Google', 'u', now(), 'x')"
if "$BENCH" check --sluice "$SL" --events 3000 --workload agg --view v_agg >/dev/null 2>&1; then
  sl_fail "check missed an extra row in v_agg"
fi

# ---- durability: ingestion per mode, checkpoints on/off, checkpoint size, recovery
out="$("$BENCH" ingest --sluice "$SL" --events 20000 --workload agg --durability fsync,batch,none --copy-rows 5000)" \
  || sl_fail "ingest --durability failed: $out"
for d in fsync batch none; do
  sl_expect_match "\"mode\":\"ingest\",\"workload\":\"bid\",\"events\":20000,.*\"check\":\"ok\".*\"durability\":\"$d\"" "$out" "ingest durability $d"
done
if "$BENCH" process --sluice "$SL" --events 10 --durability fsync,none >/dev/null 2>&1; then
  sl_fail "several --durability modes outside ingest were accepted"
fi

out="$("$BENCH" checkpoint --sluice "$SL" --events 30000 --repeat 1 --copy-rows 3000 --interval '100 ms')" \
  || sl_fail "checkpoint failed: $out"
for m in ckpt-off ckpt-on; do
  sl_expect_match "\"mode\":\"$m\",\"workload\":\"agg\",\"events\":30000,.*\"check\":\"ok\"" "$out" "checkpoint $m"
done
sl_expect_match '"mode":"ckpt-ratio",.*"ratio_on_off":[0-9.e+-]+' "$out" "checkpoint ratio"

# a full checkpoint holds every key group; after 3 keys changed, the next
# holds at most their 3 key groups and fewer bytes
out="$("$BENCH" checkpoint-size --sluice "$SL" --keys 1000,5000 --touch 3)" || sl_fail "checkpoint-size failed: $out"
for k in 1k 5k; do
  full="$(grep -E "^RESULT \{\"mode\":\"ckpt-full\",\"workload\":\"$k keys\"" <<<"$out")"
  incr="$(grep -E "^RESULT \{\"mode\":\"ckpt-incr\",\"workload\":\"$k keys\"" <<<"$out")"
  sl_expect_match '"check":"ok"' "$full" "checkpoint-size $k full"
  sl_expect_match '"check":"ok"' "$incr" "checkpoint-size $k incremental"
  fb="$(grep -oE '"bytes":[0-9]+' <<<"$full" | cut -d: -f2)"
  ib="$(grep -oE '"bytes":[0-9]+' <<<"$incr" | cut -d: -f2)"
  fk="$(grep -oE '"key_groups":[0-9]+' <<<"$full" | cut -d: -f2)"
  ik="$(grep -oE '"key_groups":[0-9]+' <<<"$incr" | cut -d: -f2)"
  [ "$fk" -ge 100 ] && [ "$fk" -le 128 ] || sl_fail "checkpoint-size $k: the full checkpoint has $fk key groups"
  [ "$ik" -ge 1 ] && [ "$ik" -le 3 ] || sl_fail "checkpoint-size $k: the incremental checkpoint has $ik key groups"
  [ "$ib" -lt "$fb" ] || sl_fail "checkpoint-size $k: incremental $ib bytes, full $fb"
done

# recovery: sluice-bench runs its own sluiced, kills it with SIGKILL after a
# complete checkpoint (plus 3 rows only in the log) and checks the view's
# groups, counts and maxima after the restart
if "$BENCH" recovery --sluice "$SL" --keys 10 >/dev/null 2>&1; then sl_fail "recovery without --sluiced was accepted"; fi
out="$("$BENCH" recovery --sluiced "$SLUICED" --data "$SL_TMP/rec" --keys 1000,5000 --touch 3)" \
  || sl_fail "recovery failed: $out"
for k in 1k 5k; do
  sl_expect_match "\"mode\":\"recovery\",\"workload\":\"$k keys\",.*\"check\":\"ok\".*\"restore_ms\":[0-9.e+-]+" "$out" "recovery $k"
done
sl_expect_match 'restored checkpoint [0-9]+ \(5000 groups' "$(cat "$SL_TMP/rec/sluiced-bench.log")" "the restored checkpoint in the server log"
sl_pass
