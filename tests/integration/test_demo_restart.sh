#!/usr/bin/env bash
# The README's demo (sluiced --demo) over restarts: its sample rows are
# durable, so a restart (clean or kill -9) must neither lose nor repeat them.
. "$(dirname "$0")/lib.sh"

want="$(printf '1|2|300\n2|1|120')"
sl_start --demo
sl_expect "$want" "$(sl_psql -At -c 'SELECT * FROM top_auctions ORDER BY auction')" "demo view on the first start"
sl_psql -c "INSERT INTO bids VALUES (3, 14, 999, 'Apple', now())"
sl_stop
sl_start --demo
want3="$(printf '1|2|300\n2|1|120\n3|1|999')"
sl_expect "$want3" "$(sl_psql -At -c 'SELECT * FROM top_auctions ORDER BY auction')" "after a clean restart"
kill -KILL "$SL_PID"
sleep 0.5
sl_start --demo
sl_expect "$want3" "$(sl_psql -At -c 'SELECT * FROM top_auctions ORDER BY auction')" "after kill -9"
sl_pass
