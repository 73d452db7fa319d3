#!/usr/bin/env bash
# Incremental checkpoints: a key group where few groups changed is written
# as a delta (only those groups); after MAX_DELTAS deltas, or when many
# changed, whole again (retiring its deltas). A restore applies a key
# group's whole part then its deltas in order: after kill -9 the view must
# equal PostgreSQL's answer, through many rounds of deltas and rewrites.
. "$(dirname "$0")/lib.sh"

sl_start --checkpoint-interval 200ms
sl_ref_pg_start
q() { sl_psql -At -F'|' -c "$1"; }
sl_psql -c "CREATE STREAM kv (k BIGINT, v BIGINT)" \
  -c "CREATE MATERIALIZED VIEW g WITH (parallelism = 2) AS SELECT k, count(*) AS n, sum(v) AS s, max(v) AS m, count(DISTINCT v % 7) AS d FROM kv GROUP BY k"
sl_ref_psql -c "CREATE TABLE kv (k BIGINT, v BIGINT)"
ins() { sl_psql -c "INSERT INTO kv VALUES $1" >/dev/null; sl_ref_psql -c "INSERT INTO kv VALUES $1" >/dev/null; }
seq 1 20000 | awk '{print $1 "\t" $1 * 3}' >"$SL_TMP/kv.tsv"
sl_psql -c "COPY kv FROM STDIN" <"$SL_TMP/kv.tsv" >/dev/null
sl_ref_psql -c "COPY kv FROM STDIN" <"$SL_TMP/kv.tsv" >/dev/null
full="$(sl_wait_checkpoint g 0)"
full_bytes="$(q "SELECT bytes FROM sluice.checkpoints WHERE \"view\" = 'g' AND id = $full")"
last="$full"
compare() {
  if [ -n "${SL_DEBUG_DIFF:-}" ]; then diff <(sl_ref_psql -At -F"|" -c "SELECT k, count(*), sum(v), max(v), count(DISTINCT v % 7) FROM kv GROUP BY k ORDER BY k") <(q "SELECT * FROM g ORDER BY k") | head -20 >&2; fi
  sl_expect "$(sl_ref_psql -At -F'|' -c "SELECT k, count(*), sum(v), max(v), count(DISTINCT v % 7) FROM kv GROUP BY k ORDER BY k" | md5sum)" \
    "$(q "SELECT * FROM g ORDER BY k" | md5sum)" "$1"
}
RANDOM=7
for round in $(seq 1 14); do
  vals=""
  for _ in 1 2 3 4 5; do k=$((RANDOM % 20000 + 1)); vals+="${vals:+,}($k, $((RANDOM % 1000)))"; done
  ins "$vals"
  last="$(sl_wait_checkpoint g "$last")"
  if [ "$round" = 7 ]; then
    kill -KILL "$SL_PID"; sleep 0.3; sl_start --checkpoint-interval 200ms
    compare "after kill -9 in the middle of the deltas"
    last="$(q "SELECT coalesce(max(id), 0) FROM sluice.checkpoints WHERE \"view\" = 'g' AND status = 'complete'")"
  fi
done
small="$(q "SELECT max(bytes) FROM sluice.checkpoints WHERE \"view\" = 'g' AND id > $full AND status = 'complete'")"
echo "whole checkpoint: $full_bytes bytes; largest later one: $small bytes"
[ "$small" -lt $((full_bytes / 10)) ] || sl_fail "later checkpoints are not incremental: $small bytes vs $full_bytes"
kill -KILL "$SL_PID"
sleep 0.3
sl_start --checkpoint-interval 200ms
compare "after kill -9 at the end"
sl_stop
sl_start --checkpoint-interval 200ms
compare "after a clean restart"
sl_pass
