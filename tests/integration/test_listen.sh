#!/usr/bin/env bash
# LISTEN on a view: each change arrives as a notification with a JSON
# payload (progress, diff, row), as psql shows them.
. "$(dirname "$0")/lib.sh"
sl_start
sl_psql -c "CREATE STREAM bids (auction BIGINT, price BIGINT, ch TEXT)"
sl_psql -c "CREATE MATERIALIZED VIEW top AS SELECT auction, max(price) AS top, min(ch) AS ch FROM bids GROUP BY auction"
out="$(psql -X -h 127.0.0.1 -p "$SL_PORT" -U test -d sluice 2>&1 <<SQL
LISTEN top;
LISTEN not_a_view;
\\! psql -X -q -h 127.0.0.1 -p $SL_PORT -U test -d sluice -c "INSERT INTO bids VALUES (1, 5, 'a\"b'), (2, 7, NULL)"
SELECT pg_sleep(0.5);
\\! psql -X -q -h 127.0.0.1 -p $SL_PORT -U test -d sluice -c "INSERT INTO bids VALUES (1, 50, 'z'), (2, 1, 'y')"
SELECT pg_sleep(0.5);
UNLISTEN top;
\\! psql -X -q -h 127.0.0.1 -p $SL_PORT -U test -d sluice -c "INSERT INTO bids VALUES (3, 3, 'c')"
SELECT pg_sleep(0.5);
SELECT 'done';
SQL
)"
n="$(printf '%s\n' "$out" | grep -c 'Asynchronous notification "top"')"
sl_expect 6 "$n" "notifications (2 rows, then -1/+1 for auctions 1 and 2)"
sl_expect_match '"progress":1,"diff":1,"row":\{"auction":1,"top":5,"ch":"a\\"b"\}' "$out" "first row, JSON escaping"
sl_expect_match '"row":\{"auction":2,"top":7,"ch":null\}' "$out" "NULL as null"
sl_expect_match '"progress":2,"diff":-1,"row":\{"auction":1,"top":5' "$out" "retraction"
sl_expect_match '"progress":2,"diff":1,"row":\{"auction":1,"top":50' "$out" "new row"
printf '%s\n' "$out" | grep -q '"auction":3' && sl_fail "notified after UNLISTEN"
printf '%s\n' "$out" | grep -q 'not_a_view' && sl_fail "a plain channel was notified"
sl_pass
