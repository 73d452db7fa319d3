#!/usr/bin/env bash
# The application examples run end to end against a real sluiced and
# check what they print: Python on psycopg2, JavaScript on node-postgres.
. "$(dirname "$0")/lib.sh"
sl_start
out="$(/usr/bin/python3 "$SL_TOP_SRCDIR/clients/examples/python/top_auctions.py" "$SL_PORT" 2>&1)" \
  || sl_fail "python example: $out"
sl_expect "$(printf 'auction 10: 2 bids, top 700\nauction 11: 1 bids, top 90\nauction 12: 1 bids, top 5\nlocal copy equals the view')" \
  "$out" "python example output"
if [ -d "$SL_TOP_SRCDIR/clients/examples/js/node_modules/pg" ]; then
  out="$(cd "$SL_TOP_SRCDIR/clients/examples/js" && node top_auctions.js "$SL_PORT" 2>&1)" || sl_fail "js example: $out"
  sl_expect_match 'cursor model: \["1\|2\|250","2\|1\|70"\]' "$out" "js cursor"
  sl_expect_match 'notifications: 4 ' "$out" "js notifications"
  sl_expect_match '^ok$' "$(printf '%s\n' "$out" | tail -1)" "js example"
else
  sl_fail "node-postgres is not installed (scripts/deps.sh installs it)"
fi

# C on libpq: subscribes with COPY, keeps a local copy, and reconnects and
# resubscribes when sluiced restarts (definitions survive; stream data does
# not yet, so the copy is rebuilt from the new snapshot)
"$SL_TOP_BUILDDIR/clients/examples/c/top_auctions" "host=127.0.0.1 port=$SL_PORT user=app dbname=sluice" 12 \
  >"$SL_TMP/c.out" 2>"$SL_TMP/c.err" &
cpid=$!
for _ in $(seq 1 50); do grep -q subscribed "$SL_TMP/c.err" && break; sleep 0.1; done
sl_psql -c "INSERT INTO c_bids VALUES (1, 10), (1, 20), (2, 5)"
sleep 1
sl_stop
sl_start
for _ in $(seq 1 50); do [ "$(grep -c subscribed "$SL_TMP/c.err")" -ge 2 ] && break; sleep 0.2; done
sl_psql -c "INSERT INTO c_bids VALUES (3, 30), (3, 40), (4, 1)"
wait "$cpid" || sl_fail "C example failed: $(cat "$SL_TMP/c.err")"
grep -q '2 subscription(s)' "$SL_TMP/c.err" || sl_fail "C example did not resubscribe: $(cat "$SL_TMP/c.err")"
sl_expect "$(sl_psql -At -c 'SELECT auction, bids, top FROM c_top ORDER BY auction')" "$(cat "$SL_TMP/c.out")" "C example's local copy"
sl_pass
