#!/usr/bin/env bash
# Exactly-once recovery after kill -9 (issue 4). Four connections send
# deterministic batches (COPY and multi-row INSERT, each batch with a unique
# id) into three streams, one per durability mode, while sluiced is
# SIGKILLed four times at random moments (before and after checkpoints
# taken every second) and started again. Then:
#   - every acknowledged batch is in every view exactly once, no batch is
#     in twice or in part, and a batch in flight at a kill is in all views
#     or in none;
#   - every view (parallelism 1 and 4: grouped count/sum/max/min/avg/
#     count DISTINCT with HAVING, a filtered projection, a global
#     aggregate) equals a reference PostgreSQL's answer over exactly the
#     batches that are in;
#   - a clean stop (SIGTERM, final checkpoint) and a restart, then a kill -9
#     of the idle server and a restart, give the same answers.
# RANDOM is seeded from SL_RECOVERY_SEED when set (the seed is printed).
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
SEED="${SL_RECOVERY_SEED:-$$}"
RANDOM=$SEED
echo "seed $SEED (SL_RECOVERY_SEED=$SEED repeats the random waits)"

STREAMS=(rc_fsync rc_batch rc_none)
STREAMS_CSV="rc_fsync,rc_batch,rc_none"
declare -A DUR=([rc_fsync]=fsync [rc_batch]=batch [rc_none]=none)
declare -A PARTS=([rc_fsync]=4 [rc_batch]=2 [rc_none]=1)
declare -A WITH
for s in rc_fsync rc_batch rc_none; do WITH[$s]="durability = '${DUR[$s]}', partitions = ${PARTS[$s]}"; done
COLS="batch BIGINT, seq INT, auction BIGINT, bidder BIGINT, price BIGINT, channel TEXT"
# name|stream|parallelism|query (@S@ is the stream); the first view of each
# stream is its list of batches
VIEWS="
rc_batch_batches_p1|rc_batch|1|SELECT batch, count(*) AS n FROM @S@ GROUP BY batch
rc_batch_batches_p4|rc_batch|4|SELECT batch, count(*) AS n FROM @S@ GROUP BY batch
rc_batch_agg_p4|rc_batch|4|SELECT auction, count(*) AS n, count(price) AS np, max(price) AS top, min(price) AS low, sum(price) AS total FROM @S@ GROUP BY auction
rc_batch_chan_p1|rc_batch|1|SELECT channel, count(DISTINCT bidder) AS bidders, count(*) AS n, avg(price) AS mean FROM @S@ GROUP BY channel HAVING count(*) > 5
rc_batch_proj_p4|rc_batch|4|SELECT batch, seq, auction, price, channel FROM @S@ WHERE price % 7 = 0 OR auction IS NULL
rc_batch_total_p1|rc_batch|1|SELECT count(*) AS n, sum(price) AS s, count(DISTINCT channel) AS c FROM @S@
rc_fsync_batches_p4|rc_fsync|4|SELECT batch, count(*) AS n FROM @S@ GROUP BY batch
rc_fsync_agg_p1|rc_fsync|1|SELECT auction, count(*) AS n, max(price) AS top, sum(price) AS total, count(DISTINCT bidder) AS bidders FROM @S@ GROUP BY auction
rc_fsync_proj_p4|rc_fsync|4|SELECT batch, seq, bidder, price FROM @S@ WHERE bidder < 100
rc_none_batches_p1|rc_none|1|SELECT batch, count(*) AS n FROM @S@ GROUP BY batch
rc_none_agg_p4|rc_none|4|SELECT channel, count(*) AS n, count(price) AS np, sum(price) AS total, max(auction) AS a FROM @S@ GROUP BY channel
"
acked_parse_views

SLUICED_ARGS=(--checkpoint-interval 1s)
sl_start "${SLUICED_ARGS[@]}"
sl_ref_pg_start
acked_create "checkpoint_interval = '1 s', checkpoints_retained = 3, checkpoint_max_failures = 100"
for s in "${STREAMS[@]}"; do
  sl_expect "${DUR[$s]}" "$(sl_psql -At -c "SELECT durability FROM sluice.streams WHERE name = '$s'")" "durability of $s"
done

# newest_checkpoint: the highest id of a complete checkpoint (0 if none);
# it grows with every checkpoint of the view that is furthest ahead
newest_checkpoint() {
  sl_psql -At -c "SELECT coalesce(max(id), 0) FROM sluice.checkpoints WHERE status = 'complete'" 2>/dev/null || echo -1
}
# wait_checkpoint N: until a checkpoint above N is complete
wait_checkpoint() {
  for _ in $(seq 1 300); do
    [ "$(newest_checkpoint)" -gt "$1" ] && return 0
    sleep 0.1
  done
  sl_fail "no checkpoint completed within 30 s (sluice.checkpoints: $(sl_psql -At -c 'SELECT * FROM sluice.checkpoints' 2>&1 | tail -5))"
}
crash() {
  kill -KILL "$SL_PID"
  { wait "$SL_PID"; } 2>/dev/null
  sleep "0.$((RANDOM % 5))"
  sl_start "${SLUICED_ARGS[@]}"
}

"$PY" "$GEN_PY" run --port "$SL_PORT" --streams "$STREAMS_CSV" --dir "$GEN" --workers 4 \
  --stop-file "$SL_TMP/stop" --pause-ms 3 --max-rows 60 >"$SL_TMP/gen.out" 2>"$SL_TMP/gen.err" &
GEN_PID=$!
for i in 1 2 3 4; do
  base="$(newest_checkpoint)"
  wait_acks $(($(acks) + 5 + RANDOM % 40))
  # kill 1 comes as early as it can (before the views' first checkpoints,
  # if sluiced is quick enough), 2 and 4 after a checkpoint of this run,
  # 3 whenever
  case $i in
    1) ;;
    2|4) wait_checkpoint "$base"; sleep "$((RANDOM % 2)).$((RANDOM % 10))" ;;
    *) sleep "$((RANDOM % 2)).$((RANDOM % 10))" ;;
  esac
  echo "kill $i: $(acks) batches acknowledged, newest complete checkpoint $(newest_checkpoint)"
  crash
done
base="$(newest_checkpoint)"
wait_acks $(($(acks) + 50))
wait_checkpoint "$base"
touch "$SL_TMP/stop"
wait "$GEN_PID" || { cat "$SL_TMP/gen.err" >&2; sl_fail "the load generator failed"; }
echo "load: $(cat "$SL_TMP/gen.out")"
if [ -s "$SL_TMP/gen.err" ]; then cat "$SL_TMP/gen.err" >&2; sl_fail "the load generator saw errors other than lost connections"; fi
grep -q ' errors -$' "$SL_TMP/gen.out" || sl_fail "statements failed: $(cat "$SL_TMP/gen.out")"

verify after-kills
sl_expect_match '^[1-9][0-9]*$' "$(sl_psql -At -c "SELECT count(*) FROM sluice.checkpoints WHERE status = 'complete'")" "complete checkpoints"
sl_expect_match '[1-9]' "$(sl_psql -At -c 'SHOW CHECKPOINTS' | grep -c complete)" "SHOW CHECKPOINTS"
sl_expect "0" "$(sl_psql -At -c "SELECT count(*) FROM sluice.views WHERE checkpoint IS NULL")" "views without a complete checkpoint"
sl_expect_match '^[0-9]+$' "$(sl_psql -At -c "SELECT min(log_lag) FROM sluice.views")" "log_lag"
sl_expect "3" "$(sl_psql -At -c "SELECT count(*) FROM sluice.streams WHERE log_bytes > 0 AND log_segments > 0")" "streams with a log"

# a clean stop takes a final checkpoint; the restart gives the same answers
sl_stop
sl_start "${SLUICED_ARGS[@]}"
verify after-clean-restart
for s in "${STREAMS[@]}"; do
  cmp -s "$SL_TMP/exp.after-kills/$s.csv" "$SL_TMP/exp.after-clean-restart/$s.csv" \
    || sl_fail "$s: other batches after the clean restart than before it"
done
# and a kill -9 of the idle server right after
kill -KILL "$SL_PID"
{ wait "$SL_PID"; } 2>/dev/null
sl_start "${SLUICED_ARGS[@]}"
verify after-idle-kill
for s in "${STREAMS[@]}"; do
  cmp -s "$SL_TMP/exp.after-kills/$s.csv" "$SL_TMP/exp.after-idle-kill/$s.csv" \
    || sl_fail "$s: other batches after the idle kill than before it"
done
sl_pass
