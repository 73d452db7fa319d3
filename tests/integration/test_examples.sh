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
sl_pass
