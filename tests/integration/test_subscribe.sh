#!/usr/bin/env bash
# COPY (SUBSCRIBE view) TO STDOUT with psql: the snapshot, then every change
# while rows arrive; Ctrl-C (a CancelRequest) ends it with 57014. Replaying
# the diffs must give exactly the view's final contents, and progress
# numbers never decrease. View raw (only stream columns) is copied from the
# log's bytes until someone subscribes.
. "$(dirname "$0")/lib.sh"
sl_start --workers 2
sl_psql -c "CREATE STREAM bids (auction BIGINT, price BIGINT, channel TEXT)"
sl_psql -c "INSERT INTO bids VALUES (1, 100, 'a'), (2, 50, NULL), (3, 7, 'c')"
sl_psql -c "CREATE MATERIALIZED VIEW top WITH (parallelism = 4) AS SELECT auction, count(*) AS n, max(price) AS top, count(DISTINCT channel) AS ch FROM bids GROUP BY auction HAVING max(price) > 10"
sl_psql -c "CREATE MATERIALIZED VIEW big AS SELECT auction, price FROM bids WHERE price >= 500"
# only columns of the stream: rows are copied from the log's bytes until
# someone subscribes, then go the general way (their changes are rows)
sl_psql -c "CREATE MATERIALIZED VIEW raw AS SELECT price, auction, channel FROM bids"

for v in top big raw; do
  psql -X -h 127.0.0.1 -p "$SL_PORT" -U test -d sluice -c "COPY (SUBSCRIBE $v) TO STDOUT" >"$SL_TMP/$v.out" 2>"$SL_TMP/$v.err" &
  echo $! >"$SL_TMP/$v.pid"
done
sleep 0.5
python3 - >"$SL_TMP/more.csv" <<'PY'
import random
random.seed(3)
for i in range(20000):
    print(f"{random.randint(1, 300)},{random.randint(1, 1000)},{random.choice(['a','b','c',''])}")
PY
split -l 2000 "$SL_TMP/more.csv" "$SL_TMP/chunk."
for f in "$SL_TMP"/chunk.*; do
  sl_psql -c "\\copy bids FROM '$f' WITH (FORMAT csv)"
done
sl_psql -c "INSERT INTO bids VALUES (1, 5000, 'z')"
# wait until both subscribers have caught up with the final state
sleep 1
for v in top big raw; do
  kill -INT "$(cat "$SL_TMP/$v.pid")"
done
for v in top big raw; do
  wait "$(cat "$SL_TMP/$v.pid")" 2>/dev/null || true
  grep -q 'canceling statement due to user request' "$SL_TMP/$v.err" || sl_fail "$v: no cancel message: $(cat "$SL_TMP/$v.err")"
  sl_psql -At -F$'\t' -c "SELECT * FROM $v" | sort >"$SL_TMP/$v.final"
  python3 - "$SL_TMP/$v.out" >"$SL_TMP/$v.replayed" <<'PY' || sl_fail "$v: replay failed"
import collections, sys
rows = collections.Counter()
last = -1
for line in open(sys.argv[1]):
    parts = line.rstrip("\n").split("\t")
    progress, diff, row = int(parts[0]), int(parts[1]), "\t".join("" if p == "\\N" else p for p in parts[2:])
    if progress < last:
        sys.exit(f"progress went back: {progress} after {last}")
    last = progress
    rows[row] += diff
    if rows[row] < 0:
        sys.exit(f"row retracted more often than added: {row}")
for row, n in sorted(rows.items()):
    for _ in range(n):
        print(row)
PY
  sort -o "$SL_TMP/$v.replayed" "$SL_TMP/$v.replayed"
  if ! cmp -s "$SL_TMP/$v.final" "$SL_TMP/$v.replayed"; then
    diff "$SL_TMP/$v.final" "$SL_TMP/$v.replayed" | head >&2
    sl_fail "$v: replayed changes differ from the view"
  fi
  [ "$(wc -l <"$SL_TMP/$v.final")" -gt 0 ] && [ "$(wc -l <"$SL_TMP/$v.out")" -ge "$(wc -l <"$SL_TMP/$v.final")" ] || sl_fail "$v: no changes were streamed"
  echo "$v: $(wc -l <"$SL_TMP/$v.out") change rows replay to the $(wc -l <"$SL_TMP/$v.final") rows of the view"
done

# resume AS OF the last progress seen: exactly the changes made while away
last="$(tail -1 "$SL_TMP/top.out" | cut -f1)"
sl_psql -c "INSERT INTO bids VALUES (1, 6000, 'q'), (999, 50, 'new')"
psql -X -h 127.0.0.1 -p "$SL_PORT" -U test -d sluice -c "COPY (SUBSCRIBE top AS OF $last) TO STDOUT" >"$SL_TMP/resume.out" 2>&1 &
rpid=$!
sleep 1
kill -INT "$rpid"; wait "$rpid" 2>/dev/null || true
grep -v '^ERROR' "$SL_TMP/resume.out" | awk -F'\t' -v l="$last" '$1 <= l {bad = 1} END {exit bad}' \
  || sl_fail "AS OF $last sent changes at or before $last"
sl_expect_match $'\t-1\t1\t' "$(cat "$SL_TMP/resume.out")" "AS OF: the old row of auction 1 retracted"
sl_expect_match $'\t1\t999\t1\t50\t1' "$(cat "$SL_TMP/resume.out")" "AS OF: the new auction"
err="$(psql -X -h 127.0.0.1 -p "$SL_PORT" -U test -d sluice -v VERBOSITY=verbose -c "COPY (SUBSCRIBE top AS OF 999999) TO STDOUT" 2>&1 || true)"
sl_expect_match '22023: AS OF 999999 is ahead of the view' "$err" "AS OF in the future"
sl_pass
