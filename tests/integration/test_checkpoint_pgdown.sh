#!/usr/bin/env bash
# Checkpoints when the state's PostgreSQL goes away (issue 4). sluiced keeps
# its catalog and checkpoints in an external PostgreSQL (--state), which is
# stopped for about five seconds while three connections ingest:
#   - ingestion goes on (the stream log does not need PostgreSQL) and views
#     answer SELECTs;
#   - sluice.checkpoints shows failed checkpoints with an error, and once
#     PostgreSQL is back every view completes a later checkpoint;
#   - every view equals a reference answer over the acknowledged batches
#     (no statement may fail), and again after a kill -9 and restart, which
#     recovers from the checkpoints taken after the outage.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/acked_lib.sh"
gen_cleanup() {   # a failed test stops its load generator too
  local rc=$?
  [ -z "$GEN_PID" ] || kill "$GEN_PID" 2>/dev/null
  (exit "$rc")    # sl_cleanup takes the test's status from $?
  sl_cleanup
}
trap gen_cleanup EXIT

GEN="$SL_TMP/gen"

# The reference PostgreSQL holds sluiced's state (schema sluice) and the
# reference tables (schema public).
sl_ref_pg_start
PG_BINDIR="${SL_PG_BINDIR:-}"
[ -n "$PG_BINDIR" ] || PG_BINDIR="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
PG_USER=postgres
id sluice >/dev/null 2>&1 && PG_USER=sluice
# ref_ctl ARGS: pg_ctl on the reference cluster, as its owner (as lib.sh runs it)
ref_ctl() {
  if [ "$(id -u)" -eq 0 ]; then
    su "$PG_USER" -s /bin/sh -c "'$PG_BINDIR/pg_ctl' -D '$SL_REF_HOST/data' $*"
  else
    sh -c "'$PG_BINDIR/pg_ctl' -D '$SL_REF_HOST/data' $*"
  fi
}

SLUICED_ARGS=(--state "host=$SL_REF_HOST port=$SL_REF_PORT user=postgres dbname=postgres" --checkpoint-interval 1s)
sl_start "${SLUICED_ARGS[@]}"

STREAMS=(pd_a pd_b)
STREAMS_CSV="pd_a,pd_b"
declare -A WITH=([pd_a]="partitions = 2" [pd_b]="durability = 'none', partitions = 3")
declare -A DUR=([pd_a]=batch [pd_b]=none)
COLS="batch BIGINT, seq INT, auction BIGINT, bidder BIGINT, price BIGINT, channel TEXT"
# name|stream|parallelism|query; the first view of each stream lists its batches
VIEWS="
pd_a_batches_p2|pd_a|2|SELECT batch, count(*) AS n FROM @S@ GROUP BY batch
pd_a_agg_p4|pd_a|4|SELECT auction, count(*) AS n, count(price) AS np, max(price) AS top, min(price) AS low, sum(price) AS total, avg(price) AS mean FROM @S@ GROUP BY auction
pd_a_proj_p1|pd_a|1|SELECT batch, seq, auction, price FROM @S@ WHERE channel = 'Apple' AND price > 500
pd_b_batches_p1|pd_b|1|SELECT batch, count(*) AS n FROM @S@ GROUP BY batch
pd_b_chan_p4|pd_b|4|SELECT channel, count(DISTINCT bidder) AS bidders, count(*) AS n, max(price) AS top FROM @S@ GROUP BY channel HAVING count(*) > 3
"
acked_parse_views
acked_create "checkpoint_interval = '1 s', checkpoints_retained = 3, checkpoint_max_failures = 100"
for s in "${STREAMS[@]}"; do
  sl_expect "${DUR[$s]}" "$(sl_psql -At -c "SELECT durability FROM sluice.streams WHERE name = '$s'")" "durability of $s"
done

# rows_in: rows the batch views count (a SELECT on every view, bounded by
# timeout so a read that hangs on PostgreSQL fails instead of hanging)
rows_in() {
  local v n total=0
  for v in "${VIEW_NAMES[@]}"; do
    timeout 30 psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$SL_PORT" -U test -d sluice -At \
      -c "SELECT count(*) FROM $v" >/dev/null || sl_fail "SELECT from $v failed or hung"
  done
  for v in "${PRES[@]}"; do
    n="$(timeout 30 psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$SL_PORT" -U test -d sluice -At \
      -c "SELECT coalesce(sum(n), 0) FROM $v")" || sl_fail "SELECT from $v failed or hung"
    total=$((total + n))
  done
  echo "$total"
}

"$PY" "$GEN_PY" run --port "$SL_PORT" --streams "$STREAMS_CSV" --dir "$GEN" --workers 3 \
  --stop-file "$SL_TMP/stop" --pause-ms 5 --max-rows 120 >"$SL_TMP/gen.out" 2>"$SL_TMP/gen.err" &
GEN_PID=$!
wait_acks 30
# every view has a complete checkpoint before PostgreSQL goes away
for _ in $(seq 1 300); do
  [ "$(sl_psql -At -c "SELECT count(*) FROM sluice.views WHERE checkpoint IS NULL" 2>/dev/null)" = 0 ] && break
  sleep 0.1
done
sl_expect "0" "$(sl_psql -At -c "SELECT count(*) FROM sluice.views WHERE checkpoint IS NULL")" "views without a complete checkpoint after 30 s"

# PostgreSQL down for about five seconds
ref_ctl "-m fast -w stop >/dev/null" || sl_fail "could not stop the state's PostgreSQL"
down_acks="$(acks)"
down_rows="$(rows_in)" || sl_fail "reading the views once PostgreSQL stopped"
echo "PostgreSQL stopped: $down_acks batches acknowledged, $down_rows rows in"
SECONDS=0
while [ "$SECONDS" -lt 5 ] || [ "$(acks)" -lt $((down_acks + 30)) ]; do
  [ "$SECONDS" -lt 60 ] || sl_fail "ingestion stalled while PostgreSQL was down: $(acks) batches acknowledged, $down_acks when it stopped"
  kill -0 "$GEN_PID" 2>/dev/null || { cat "$SL_TMP/gen.err" >&2; sl_fail "the load generator exited while PostgreSQL was down"; }
  rows_in >/dev/null
  sleep 0.5
done
up_rows="$(rows_in)" || sl_fail "reading the views while PostgreSQL was down"
[ "$up_rows" -gt "$down_rows" ] || sl_fail "the views did not grow while PostgreSQL was down ($down_rows, then $up_rows rows)"
echo "while PostgreSQL was down: $(( $(acks) - down_acks )) batches acknowledged, views read; sluice.checkpoints said:"
timeout 30 psql -X -q -h 127.0.0.1 -p "$SL_PORT" -U test -d sluice -At \
  -c "SELECT * FROM sluice.checkpoints WHERE status = 'failed'" 2>&1 | tail -3
ref_ctl "-w -l '$SL_REF_HOST/log' -o \"-p $SL_REF_PORT -k $SL_REF_HOST -c listen_addresses='' -c fsync=off\" start >/dev/null" \
  || { tail "$SL_REF_HOST/log" >&2; sl_fail "could not start the state's PostgreSQL again"; }

# failed checkpoints are listed with their error, and every view completes
# a checkpoint after its last failed one
ckpt_ok() {
  sl_psql -At -F'|' -c "SELECT \"view\", id, status, error IS NOT NULL AND error <> '' FROM sluice.checkpoints" >"$SL_TMP/ckpts" 2>/dev/null || return 1
  awk -F'|' -v views="${VIEW_NAMES[*]}" '
    $3 == "failed" && $4 == "t" { failed++; if ($2 > lastfail[$1]) lastfail[$1] = $2 }
    $3 == "complete" { if ($2 > lastok[$1]) lastok[$1] = $2 }
    END {
      if (failed == 0) exit 1
      n = split(views, v, " ")
      for (i = 1; i <= n; i++) if (!(v[i] in lastok) || ((v[i] in lastfail) && lastok[v[i]] < lastfail[v[i]])) exit 1
    }' "$SL_TMP/ckpts"
}
for _ in $(seq 1 400); do ckpt_ok && break; sleep 0.1; done
if ! ckpt_ok; then
  cat "$SL_TMP/ckpts" >&2
  sl_fail "after PostgreSQL came back: no failed checkpoint with an error, or a view without a complete checkpoint after its last failed one"
fi
echo "checkpoints: $(grep -c '|failed|' "$SL_TMP/ckpts") failed, $(grep -c '|complete|' "$SL_TMP/ckpts") complete; e.g. $(sl_psql -At -c "SELECT error FROM sluice.checkpoints WHERE status = 'failed' LIMIT 1" | head -1)"

wait_acks $(($(acks) + 30))
touch "$SL_TMP/stop"
wait "$GEN_PID" || { cat "$SL_TMP/gen.err" >&2; sl_fail "the load generator failed"; }
echo "load: $(cat "$SL_TMP/gen.out")"
if [ -s "$SL_TMP/gen.err" ]; then cat "$SL_TMP/gen.err" >&2; sl_fail "the load generator saw errors"; fi
sl_expect_match '^acked [0-9]+ lost 0 errors -$' "$(cat "$SL_TMP/gen.out")" "every statement acknowledged"
verify after-outage

# kill -9: the restart recovers from the checkpoints taken after the outage
kill -KILL "$SL_PID"
{ wait "$SL_PID"; } 2>/dev/null
sl_start "${SLUICED_ARGS[@]}"
verify after-kill
for s in "${STREAMS[@]}"; do
  cmp -s "$SL_TMP/exp.after-outage/$s.csv" "$SL_TMP/exp.after-kill/$s.csv" \
    || sl_fail "$s: other batches after the kill than before it"
done
sl_pass
