#!/usr/bin/env bash
# Differential test: the same generated rows (random keys, NULLs, skew) go
# to Sluice and to a PostgreSQL table; every view's contents must equal
# PostgreSQL's answer to the same query, for parallelism 1, 2 and 4.
. "$(dirname "$0")/lib.sh"
sl_start --workers 2
sl_ref_pg_start

ROWS=${SL_DIFF_ROWS:-200000}
python3 - "$ROWS" >"$SL_TMP/rows.csv" <<'PY'
import random, sys
random.seed(42)
n = int(sys.argv[1])
chans = ["Google", "Facebook", "Baidu", "Apple", "channel-7", "channel-13"]
for i in range(n):
    # skew: half of the rows hit ten hot auctions
    auction = random.randint(1, 10) if random.random() < 0.5 else random.randint(1, 5000)
    auction = "" if random.random() < 0.01 else str(auction)
    bidder = str(random.randint(1, 2000))
    price = "" if random.random() < 0.03 else str(random.choice([random.randint(1, 1000), random.randint(1, 10**9)]))
    chan = "" if random.random() < 0.02 else random.choice(chans)
    ratio = "" if random.random() < 0.05 else "%.3f" % random.uniform(-5, 5)
    print(f"{auction},{bidder},{price},{chan},{ratio}")
PY

COLS="auction BIGINT, bidder BIGINT, price BIGINT, channel TEXT, ratio DOUBLE PRECISION"
sl_psql -c "CREATE STREAM bids ($COLS) WITH (partitions = 4)"
sl_ref_psql -c "CREATE TABLE bids ($COLS)"

# the views, each at parallelism 1, 2 and 4
declare -A Q
Q[agg]="SELECT auction, count(*) AS n, count(price) AS np, max(price) AS top, min(price) AS low, sum(price) AS total, avg(price) AS mean FROM bids GROUP BY auction"
Q[distinct]="SELECT channel, count(DISTINCT bidder) AS bidders, count(*) AS n FROM bids GROUP BY channel"
Q[filtered]="SELECT auction, price, price * 0.908 AS euro FROM bids WHERE auction % 123 = 0"
Q[having]="SELECT channel, sum(ratio) AS r, avg(ratio) AS ar, count(*) AS n FROM bids WHERE price > 1000 GROUP BY channel HAVING count(*) > 10"
Q[global]="SELECT count(*) AS n, sum(price) AS s, max(channel) AS c FROM bids"
# float sums depend on the order rows are added in: compare them rounded
declare -A P
P[having]="channel, round(r::numeric, 6), round(ar::numeric, 9), n"
Q[expr]="SELECT auction % 10 AS bucket, sum(price / 100) AS s, count(*) AS n FROM bids WHERE channel LIKE 'channel-%' OR channel IS NULL GROUP BY auction % 10"

# half the rows before the views exist (they must start from the beginning),
# half after, in several COPYs and INSERTs
head -n $((ROWS / 2)) "$SL_TMP/rows.csv" >"$SL_TMP/a.csv"
tail -n +$((ROWS / 2 + 1)) "$SL_TMP/rows.csv" >"$SL_TMP/b.csv"
sl_psql -c "\\copy bids FROM '$SL_TMP/a.csv' WITH (FORMAT csv)"
for p in 1 2 4; do
  for k in "${!Q[@]}"; do
    sl_psql -c "CREATE MATERIALIZED VIEW ${k}_$p WITH (parallelism = $p) AS ${Q[$k]}"
  done
done
split -l 5000 "$SL_TMP/b.csv" "$SL_TMP/part."
for f in "$SL_TMP"/part.*; do
  sl_psql -c "\\copy bids FROM '$f' WITH (FORMAT csv)"
done
sl_psql -c "INSERT INTO bids VALUES (7, 1, 123, 'Apple', 0.5), (NULL, 2, NULL, NULL, NULL), (7, 3, 9999999999, 'Apple', -1)"
sl_ref_psql -c "\\copy bids FROM '$SL_TMP/rows.csv' WITH (FORMAT csv)"
sl_ref_psql -c "INSERT INTO bids VALUES (7, 1, 123, 'Apple', 0.5), (NULL, 2, NULL, NULL, NULL), (7, 3, 9999999999, 'Apple', -1)"

# compare: the same query over the view in Sluice and over the table in PostgreSQL,
# every column, rows sorted the same way
for k in "${!Q[@]}"; do
  cols="${P[$k]:-*}"
  expect="$(sl_ref_psql -At -F'|' -c "SELECT $cols FROM (${Q[$k]}) q ORDER BY 1, 2, 3")"
  [ -n "$expect" ] || sl_fail "reference answer for $k is empty"
  for p in 1 2 4; do
    got="$(sl_psql -At -F'|' -c "SELECT $cols FROM ${k}_$p ORDER BY 1, 2, 3")"
    if [ "$got" != "$expect" ]; then
      diff <(printf '%s\n' "$expect") <(printf '%s\n' "$got") | head -20 >&2
      sl_fail "view ${k}_$p differs from PostgreSQL's answer"
    fi
  done
  echo "view $k: $(printf '%s\n' "$expect" | wc -l) rows equal PostgreSQL's at parallelism 1, 2 and 4"
done
total="$(sl_psql -At -c "SELECT n FROM global_4")"
sl_expect "$((ROWS + 3))" "$total" "rows counted"
sl_pass
