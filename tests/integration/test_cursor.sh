#!/usr/bin/env bash
# Subscriptions through a driver's ordinary query API (psycopg2):
# BEGIN; DECLARE c CURSOR FOR SUBSCRIBE v; FETCH ALL c WITH (timeout = '1s')
# returns the snapshot, then only the changes since the last FETCH, in
# order, each exactly once; an empty FETCH waits about its timeout.
. "$(dirname "$0")/lib.sh"
sl_start
sl_psql -c "CREATE STREAM bids (auction BIGINT, price BIGINT)"
sl_psql -c "INSERT INTO bids VALUES (1, 5)"
sl_psql -c "CREATE MATERIALIZED VIEW top WITH (parallelism = 2) AS SELECT auction, max(price) AS top FROM bids GROUP BY auction"
# Debian's python3 (with python3-psycopg2 from scripts/deps.sh), not a pyenv one
/usr/bin/python3 - "$SL_PORT" <<'PY' || sl_fail "psycopg2 cursor subscription"
import sys, time, psycopg2
port = int(sys.argv[1])
dsn = f"host=127.0.0.1 port={port} user=app dbname=sluice"
sub = psycopg2.connect(dsn)            # autocommit off: psycopg2 sends BEGIN
ins = psycopg2.connect(dsn)
ins.autocommit = True
cur = sub.cursor()
cur.execute("DECLARE c CURSOR FOR SUBSCRIBE top")
cur.execute("FETCH ALL c WITH (timeout = '1s')")
snap = cur.fetchall()
assert [r[1:] for r in snap] == [(1, 1, 5)], snap
assert [d.name for d in cur.description] == ["progress", "diff", "auction", "top"], cur.description
ins.cursor().execute("INSERT INTO bids VALUES (%s, %s), (%s, %s)", (1, 50, 2, 7))   # client-side params
model = {}
for p, d, a, t in snap:
    model[(a, t)] = model.get((a, t), 0) + d
seen = []
deadline = time.time() + 10
while time.time() < deadline and len(seen) < 3:
    cur.execute("FETCH ALL c WITH (timeout = '1s')")
    seen += cur.fetchall()
progress = [r[0] for r in seen]
assert progress == sorted(progress) and progress[0] > snap[0][0], progress
for p, d, a, t in seen:
    model[(int(a), int(t))] = model.get((int(a), int(t)), 0) + int(d)
final = sorted(k for k, n in model.items() for _ in range(n))
assert final == [(1, 50), (2, 7)], (final, seen)
t0 = time.time()
cur.execute("FETCH ALL c WITH (timeout = '300ms')")
assert cur.fetchall() == [] and time.time() - t0 >= 0.25
sub.rollback()                          # ends the transaction: the cursor is gone
try:
    cur.execute("FETCH ALL c")
    sys.exit("cursor survived ROLLBACK")
except psycopg2.Error as e:
    assert e.pgcode == "34000", e.pgcode
print("cursor subscription ok:", len(seen), "changes")
PY
out="$(psql -X -h 127.0.0.1 -p "$SL_PORT" -U test -d sluice -v VERBOSITY=verbose -c "DECLARE d CURSOR FOR SUBSCRIBE top" 2>&1 || true)"
sl_expect_match '25P01: DECLARE CURSOR can only be used in transaction blocks' "$out" "DECLARE outside a transaction"
sl_pass
