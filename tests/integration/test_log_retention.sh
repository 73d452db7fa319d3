#!/usr/bin/env bash
# Log retention: with retention 'checkpointed' (the default) a stream's
# segments go once every retained checkpoint of every view passed them;
# with 'all' they stay. Small segments (--log-segment-bytes) make it show.
# A view created later on the trimmed stream starts from the oldest row
# kept; after kill -9 every view is still exact.
. "$(dirname "$0")/lib.sh"

ARGS=(--checkpoint-interval 200ms --log-segment-bytes 8192)
sl_start "${ARGS[@]}"
q() { sl_psql -At -F'|' -c "$1"; }
sl_psql -c "CREATE STREAM trim (k BIGINT, v BIGINT)" -c "CREATE STREAM keep (k BIGINT, v BIGINT) WITH (retention = 'all')" \
  -c "CREATE MATERIALIZED VIEW tv WITH (checkpoints_retained = 2) AS SELECT k % 10 AS g, count(*) AS n, sum(v) AS s FROM trim GROUP BY 1" \
  -c "CREATE MATERIALIZED VIEW kv WITH (checkpoints_retained = 2) AS SELECT k % 10 AS g, count(*) AS n, sum(v) AS s FROM keep GROUP BY 1"
for round in $(seq 1 30); do
  seq $((round * 200 - 199)) $((round * 200)) | awk '{print $1 "\t" $1 * 2}' >"$SL_TMP/r.tsv"
  sl_psql -c "COPY trim FROM STDIN" <"$SL_TMP/r.tsv" >/dev/null
  sl_psql -c "COPY keep FROM STDIN" <"$SL_TMP/r.tsv" >/dev/null
  sleep 0.1
done
want="$(seq 1 6000 | awk '{n[$1 % 10]++; s[$1 % 10] += $1 * 2} END {for (g = 0; g < 10; g++) print g "|" n[g] "|" s[g]}')"
sl_expect "$want" "$(q "SELECT * FROM tv ORDER BY g")" "view over the trimmed stream"
sl_expect "$want" "$(q "SELECT * FROM kv ORDER BY g")" "view over the kept stream"
# a checkpoint after the last rows lets the trim catch up
for _ in $(seq 1 50); do
  t="$(q "SELECT log_segments FROM sluice.streams WHERE name = 'trim'")"
  [ "$t" -le 3 ] && break
  sleep 0.1
done
k="$(q "SELECT log_segments FROM sluice.streams WHERE name = 'keep'")"
echo "segments: trim $t, keep $k"
[ "$t" -le 3 ] || sl_fail "the checkpointed stream kept $t segments"
[ "$k" -ge 6 ] || sl_fail "the stream with retention 'all' kept only $k segments"
sl_expect "6000" "$(q "SELECT rows FROM sluice.streams WHERE name = 'keep'")" "every row of the kept stream is in its log"
# a view created now starts from the oldest kept row: all of 'keep', part of 'trim'
sl_psql -c "CREATE MATERIALIZED VIEW kv2 AS SELECT count(*) AS n FROM keep" -c "CREATE MATERIALIZED VIEW tv2 AS SELECT count(*) AS n FROM trim"
sl_expect "6000" "$(q "SELECT n FROM kv2")" "a new view over the kept stream sees every row"
n="$(q "SELECT n FROM tv2")"
[ "$n" -lt 6000 ] || sl_fail "a new view over the trimmed stream saw every row ($n): nothing was trimmed"
sl_expect "$n" "$(q "SELECT rows FROM sluice.streams WHERE name = 'trim'")" "it starts from the oldest row kept"
kill -KILL "$SL_PID"
sleep 0.3
sl_start "${ARGS[@]}"
sl_expect "$want" "$(q "SELECT * FROM tv ORDER BY g")" "trimmed stream's view after kill -9"
sl_expect "$want" "$(q "SELECT * FROM kv ORDER BY g")" "kept stream's view after kill -9"

# recycling: DROP STREAM puts the segments in DATA/log/.free; a new stream
# writes over them (its old batches past the end never count), also across
# another kill -9
nfree() { find "$SL_DATA/log/.free" -name '*.free' 2>/dev/null | wc -l; }
before="$(nfree)"
sl_psql -c "DROP STREAM keep CASCADE" >/dev/null
after="$(nfree)"
echo "pool files: $before before DROP STREAM keep, $after after"
[ "$after" -ge $((before + k)) ] || sl_fail "DROP STREAM did not recycle its $k segments ($before -> $after)"
sl_psql -c "CREATE STREAM again (k BIGINT, v BIGINT) WITH (retention = 'all')" \
  -c "CREATE MATERIALIZED VIEW av AS SELECT k % 10 AS g, count(*) AS n, sum(v) AS s FROM again GROUP BY 1" >/dev/null
seq 1 1000 | awk '{print $1 "\t" $1 * 2}' | sl_psql -c "COPY again FROM STDIN" >/dev/null
[ "$(nfree)" -lt "$after" ] || sl_fail "the new stream's segments were not taken from the pool"
want2="$(seq 1 1000 | awk '{n[$1 % 10]++; s[$1 % 10] += $1 * 2} END {for (g = 0; g < 10; g++) print g "|" n[g] "|" s[g]}')"
sl_expect "$want2" "$(q "SELECT * FROM av ORDER BY g")" "view over a stream written into recycled segments"
kill -KILL "$SL_PID"
sleep 0.3
sl_start "${ARGS[@]}"
sl_expect "1000" "$(q "SELECT rows FROM sluice.streams WHERE name = 'again'")" "recycled segments after kill -9: only the new rows"
sl_expect "$want2" "$(q "SELECT * FROM av ORDER BY g")" "its view after kill -9"
sl_pass
