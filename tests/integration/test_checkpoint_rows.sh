#!/usr/bin/env bash
# Checkpoints of a view without aggregates: its rows are kept encoded, one
# after another in 16 kB chunks, with the place of every 1024th row noted;
# each checkpoint copies the rows after the previous one (a part starting
# at any row, mid-chunk). Rounds of rows of every size (a text larger than
# a chunk among them), a checkpoint after each, kill -9 in the middle and
# at the end, a clean restart: the view must equal PostgreSQL's answer, and
# the later checkpoints hold only the new rows. View c is only columns of
# the stream (reordered, one twice): its rows are copied from the log's
# bytes without being decoded; it must answer the same.
. "$(dirname "$0")/lib.sh"

sl_start --checkpoint-interval 200ms
sl_ref_pg_start
q() { sl_psql -At -F'|' -c "$1"; }
sl_psql -c "CREATE STREAM r (k BIGINT, t TEXT, ts TIMESTAMP)" \
  -c "CREATE MATERIALIZED VIEW p WITH (parallelism = 2) AS SELECT k, t, ts, k * 2 AS k2 FROM r WHERE k % 5 <> 0" \
  -c "CREATE MATERIALIZED VIEW c AS SELECT ts, k, t, k AS k1 FROM r"
sl_ref_psql -c "CREATE TABLE r (k BIGINT, t TEXT, ts TIMESTAMP)"
want() { sl_ref_psql -At -F'|' -c "SELECT k, t, ts, k * 2 FROM r WHERE k % 5 <> 0 ORDER BY k"; }
compare() {
  sl_expect "$(want | md5sum)" "$(q "SELECT * FROM p ORDER BY k" | md5sum)" "$1"
  sl_expect "$(sl_ref_psql -At -c "SELECT count(*) FROM r WHERE k % 5 <> 0")" "$(q "SELECT count(*) FROM p")" "$1: rows"
  sl_expect "$(sl_ref_psql -At -F'|' -c "SELECT ts, k, t, k FROM r ORDER BY k, ts" | md5sum)" \
    "$(q "SELECT * FROM c ORDER BY k, ts" | md5sum)" "$1: view c"
}
next=1
rows() { # rows $1 of them, texts of 0 to ~300 bytes, NULLs now and then, and one of 40000 bytes
  awk -v from="$next" -v n="$1" 'BEGIN {
    for (i = from; i < from + n; i++) {
      len = (i * 37) % 300; t = ""
      for (j = 0; j < len; j++) t = t sprintf("%c", 97 + (i + j) % 26)
      if (i % 97 == 0) t = "\\N"
      if (i % 1000 == 500) { t = ""; for (j = 0; j < 40000; j++) t = t "x" }
      printf "%d\t%s\t2026-01-%02d 10:%02d:%02d.%d\n", i, t, 1 + i % 28, i % 60, (i * 7) % 60, i % 10
    }
  }' >"$SL_TMP/r.tsv"
  next=$((next + $1))
  sl_psql -c "COPY r FROM STDIN" <"$SL_TMP/r.tsv" >/dev/null
  sl_ref_psql -c "COPY r FROM STDIN" <"$SL_TMP/r.tsv" >/dev/null
}
rows 1500
full="$(sl_wait_checkpoint p 0)"
full_bytes="$(q "SELECT bytes FROM sluice.checkpoints WHERE \"view\" = 'p' AND id = $full")"
last="$full"
# parts starting at rows that are not multiples of 1024, in chunks begun
# by earlier rounds
for n in 1700 333 2100 1; do
  rows "$n"
  last="$(sl_wait_checkpoint p "$last")"
done
small="$(q "SELECT bytes FROM sluice.checkpoints WHERE \"view\" = 'p' AND id = $last")"
echo "first checkpoint: $full_bytes bytes; the one after one row: $small bytes"
[ "$small" -lt $((full_bytes / 20)) ] || sl_fail "later checkpoints are not incremental: $small bytes vs $full_bytes"
kill -KILL "$SL_PID"; sleep 0.3; sl_start --checkpoint-interval 200ms
compare "after kill -9 in the middle"
last="$(q "SELECT coalesce(max(id), 0) FROM sluice.checkpoints WHERE \"view\" = 'p' AND status = 'complete'")"
for n in 777 1024 50; do
  rows "$n"
  last="$(sl_wait_checkpoint p "$last")"
done
# rows by INSERT, NULLs in every column
vals="($next, NULL, NULL), (NULL, 'no key', '2026-02-01 00:00:00'), (NULL, NULL, NULL), ($((next + 1)), '', NULL)"
sl_psql -c "INSERT INTO r VALUES $vals" >/dev/null
sl_ref_psql -c "INSERT INTO r VALUES $vals" >/dev/null
next=$((next + 2))
compare "before the second kill"
kill -KILL "$SL_PID"; sleep 0.3; sl_start --checkpoint-interval 200ms
compare "after kill -9 at the end"
sl_stop
sl_start --checkpoint-interval 200ms
compare "after a clean restart"
sl_pass
