#!/usr/bin/env bash
# The stream log on a full disk, through the server (issue 4). --log-dir is
# a 4 MB tmpfs (we are root), filled up by a file but for a little room:
#   - ingestion goes on until INSERT/COPY fail with 53100 "could not extend
#     stream log: no space left on device", and keeps failing so while the
#     disk is full; nothing of a failed statement is ingested;
#   - sluiced stays up and its views equal the acknowledged rows;
#   - once space is freed ingestion works again;
#   - after a clean restart and after a kill -9, everything acknowledged is
#     still there, and opening the log reported no torn or corrupt batch.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || sl_fail "this test mounts a tmpfs and must run as root"

. "$(dirname "$0")/acked_lib.sh"
GEN="$SL_TMP/gen"

MNT="$SL_TMP/mnt"
mkdir -p "$MNT"
mount -t tmpfs -o size=4m tmpfs "$MNT" || sl_fail "could not mount a tmpfs on $MNT"
log_cleanup() {
  local rc=$?
  umount "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null
  (exit "$rc")   # sl_cleanup takes the test's status from $?
  sl_cleanup
}
trap log_cleanup EXIT

SLUICED_ARGS=(--log-dir "$MNT/log" --checkpoint-interval 1s)
sl_start "${SLUICED_ARGS[@]}"
sl_ref_pg_start

STREAMS=(df_f df_b)
STREAMS_CSV="df_f,df_b"
declare -A DUR=([df_f]=fsync [df_b]=batch)
declare -A PARTS=([df_f]=2 [df_b]=1)
declare -A WITH
for s in df_f df_b; do WITH[$s]="durability = '${DUR[$s]}', partitions = ${PARTS[$s]}"; done
COLS="batch BIGINT, seq INT, auction BIGINT, bidder BIGINT, price BIGINT, channel TEXT"
# name|stream|parallelism|query; the first view of each stream lists its batches
VIEWS="
df_f_batches_p1|df_f|1|SELECT batch, count(*) AS n FROM @S@ GROUP BY batch
df_f_agg_p2|df_f|2|SELECT auction, count(*) AS n, count(price) AS np, max(price) AS top, sum(price) AS total FROM @S@ GROUP BY auction
df_f_proj_p1|df_f|1|SELECT batch, seq, price, channel FROM @S@ WHERE price % 5 = 0
df_b_batches_p2|df_b|2|SELECT batch, count(*) AS n FROM @S@ GROUP BY batch
df_b_chan_p1|df_b|1|SELECT channel, count(DISTINCT bidder) AS bidders, count(*) AS n, min(price) AS low FROM @S@ GROUP BY channel
"
acked_parse_views
acked_create "checkpoint_interval = '1 s'"

# ingest LABEL ARGS...: a generator run to its end; prints its summary
ingest() {
  local label=$1; shift
  "$PY" "$GEN_PY" run --port "$SL_PORT" --streams "$STREAMS_CSV" --dir "$GEN" --workers 2 --max-rows 120 "$@" \
    >"$SL_TMP/gen.out" 2>"$SL_TMP/gen.err" || { cat "$SL_TMP/gen.err" >&2; sl_fail "$label: the load generator failed"; }
  if [ -s "$SL_TMP/gen.err" ]; then cat "$SL_TMP/gen.err" >&2; sl_fail "$label: unexpected errors"; fi
  echo "$label: $(cat "$SL_TMP/gen.out")"
}

ingest before --first-id 0 --max-batches 10
sl_expect "acked 20 lost 0 errors -" "$(cat "$SL_TMP/gen.out")" "ingestion before the disk is full"
[ -n "$(find "$MNT/log" -name '*.seg' 2>/dev/null)" ] || sl_fail "no log segment under --log-dir $MNT/log"
[ -z "$(find "$SL_DATA/log" -name '*.seg' 2>/dev/null)" ] || sl_fail "log segments under $SL_DATA/log, not --log-dir"
for s in "${STREAMS[@]}"; do
  sl_expect "${DUR[$s]}|t|t" "$(sl_psql -At -F'|' -c "SELECT durability, log_bytes > 0, log_segments > 0 FROM sluice.streams WHERE name = '$s'")" "sluice.streams for $s"
done

# fill the disk but for about 192 KiB, then ingest until 53100
avail="$(df -B1 --output=avail "$MNT" | tail -1 | tr -d ' ')"
dd if=/dev/zero of="$MNT/filler" bs=4096 count=$(((avail - 196608) / 4096)) status=none || sl_fail "could not write the filler"
ingest disk-full --first-id 100000 --max-batches 5000 --stop-on 53100
# each worker (one per stream) stopped at its first 53100
sl_expect_match '^acked [1-9][0-9]* lost 0 errors 53100:2$' "$(cat "$SL_TMP/gen.out")" "ingestion until the disk was full"
# no room at all now: statements of more than a page (the last page of a
# segment may still have room) must fail, with 53100
dd if=/dev/zero of="$MNT/filler2" bs=4096 status=none 2>/dev/null
pad="$(printf 'x%.0s' $(seq 1 60))"
values="$(seq 0 999 | awk -v pad="$pad" '{printf "%s(-1, %d, %d, 1, %d, '"'"'%s'"'"')", (NR > 1 ? ", " : ""), $1, $1, $1, pad}')"
out="$(sl_psql -v VERBOSITY=verbose -c "INSERT INTO df_f VALUES $values" 2>&1)" \
  && sl_fail "an INSERT of 1000 rows succeeded on a full disk: $out"
sl_expect_match '^ERROR:  53100: could not extend stream log: no space left on device' "$out" "INSERT on a full disk"
out="$(seq 0 999 | awk -v pad="$pad" '{printf "-2\t%d\t%d\t7\t\\N\t%s\n", $1, $1, pad}' | sl_psql -v VERBOSITY=verbose -c "COPY df_b FROM STDIN" 2>&1)" \
  && sl_fail "a COPY of 1000 rows succeeded on a full disk: $out"
sl_expect_match '^ERROR:  53100: could not extend stream log: no space left on device' "$out" "COPY on a full disk"
# the server is up, its views are whole and equal the acknowledged rows
kill -0 "$SL_PID" 2>/dev/null || sl_fail "sluiced exited on a full disk"
sl_expect "1" "$(sl_psql -At -c 'SELECT 1')" "SELECT 1 on a full disk"
sl_expect "0" "$(sl_psql -At -c "SELECT count(*) FROM sluice.views WHERE state <> 'RUNNING'")" "views not RUNNING on a full disk"
verify disk-full

# space back: ingestion works again
rm -f "$MNT/filler" "$MNT/filler2"
ingest space-freed --first-id 200000 --max-batches 15
sl_expect "acked 30 lost 0 errors -" "$(cat "$SL_TMP/gen.out")" "ingestion once space is freed"
verify space-freed

# restarts: clean, then kill -9
sl_stop
sl_start "${SLUICED_ARGS[@]}"
verify clean-restart
kill -KILL "$SL_PID"
{ wait "$SL_PID"; } 2>/dev/null
sl_start "${SLUICED_ARGS[@]}"
verify kill-restart
for s in "${STREAMS[@]}"; do
  for l in clean-restart kill-restart; do
    cmp -s "$SL_TMP/exp.space-freed/$s.csv" "$SL_TMP/exp.$l/$s.csv" || sl_fail "$s: other batches after the $l than before it"
  done
done
if grep -Ei 'torn|corrupt|cutting|follows the cut|checksum mismatch' "$SL_TMP/sluiced.log" >&2; then
  sl_fail "opening the stream log reported damage"
fi
sl_pass
