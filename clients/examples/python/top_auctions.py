#!/usr/bin/env python3
"""top_auctions.py — an application on psycopg2 that registers a standing
query in Sluice and keeps an exact local copy of it from its changes.

It creates the stream and the view if they are missing, inserts bids with
parameters, then reads the view's changes through a cursor subscription
(BEGIN; DECLARE ... CURSOR FOR SUBSCRIBE; FETCH ALL ... WITH (timeout)),
applying each diff to a dictionary. It prints the local copy and checks it
against a snapshot SELECT of the view.

Usage: top_auctions.py [port]
"""
import sys
import time

import psycopg2

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 6543
DSN = f"host=127.0.0.1 port={PORT} user=app dbname=sluice"


def main():
    admin = psycopg2.connect(DSN)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("CREATE STREAM IF NOT EXISTS py_bids (auction BIGINT, bidder BIGINT, price BIGINT)")
        cur.execute("""CREATE MATERIALIZED VIEW IF NOT EXISTS py_top WITH (parallelism = 2) AS
                       SELECT auction, count(*) AS bids, max(price) AS top
                       FROM py_bids GROUP BY auction HAVING count(*) >= 1""")

    sub = psycopg2.connect(DSN)  # autocommit off: psycopg2 opens the transaction
    cur = sub.cursor()
    cur.execute("DECLARE changes CURSOR FOR SUBSCRIBE py_top")

    copy = {}  # (auction, bids, top) -> multiplicity

    def apply(rows):
        for progress, diff, auction, bids, top in rows:
            key = (int(auction), int(bids), int(top))
            copy[key] = copy.get(key, 0) + int(diff)
            if copy[key] == 0:
                del copy[key]

    cur.execute("FETCH ALL changes WITH (timeout = '1s')")
    apply(cur.fetchall())

    with admin.cursor() as ins:
        for auction, bidder, price in [(10, 1, 500), (11, 2, 90), (10, 3, 700), (12, 4, 5)]:
            ins.execute("INSERT INTO py_bids VALUES (%s, %s, %s)", (auction, bidder, price))

    with admin.cursor() as snap:
        snap.execute("SELECT auction, bids, top FROM py_top ORDER BY auction")
        expected = sorted((int(a), int(b), int(t)) for a, b, t in snap.fetchall())

    deadline = time.time() + 10
    while sorted(copy) != expected and time.time() < deadline:
        cur.execute("FETCH ALL changes WITH (timeout = '1s')")
        apply(cur.fetchall())
    sub.rollback()

    for row in sorted(copy):
        print("auction %d: %d bids, top %d" % row)
    if sorted(copy) != expected:
        print("local copy differs from the view:", sorted(copy), expected, file=sys.stderr)
        return 1
    print("local copy equals the view")
    return 0


if __name__ == "__main__":
    sys.exit(main())
