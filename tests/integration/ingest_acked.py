#!/usr/bin/python3
# ingest_acked.py — the load generator of the recovery tests
# (test_recovery_crash.sh, test_checkpoint_pgdown.sh, test_log_diskfull.sh).
# Run it with Debian's /usr/bin/python3 (python3-psycopg2 from
# scripts/deps.sh), not a pyenv python3.
#
# Every batch has a unique id; its rows follow from the id alone
# (batch_rows), so nothing but the ids needs recording. Columns of every
# stream: batch bigint, seq int, auction bigint, bidder bigint,
# price bigint, channel text. Batch b goes to streams[b % len(streams)],
# as a COPY or as one multi-row INSERT.
#
#   ingest_acked.py run --port P --streams a,b --dir D [--workers 4]
#       [--first-id 0] [--max-batches N] [--stop-file F] [--stop-on CODE]
#       [--max-rows 200] [--pause-ms 0]
#     W connections send batches until F exists, or N batches each, or (with
#     --stop-on) until a statement fails with that SQLSTATE, or once the
#     process that started it is gone or D is removed. Worker w sends
#     ids first + w, first + w + W, ... and appends to D/w.<first>.<w> one
#     line per batch, flushed before the next is sent:
#       A id        acknowledged: the client got CommandComplete
#       L id        in flight when the connection was lost (or the server
#                   answered 57xxx/08xxx): it may or may not be in
#       E id CODE   refused with SQLSTATE CODE: it must not be in
#     A lost connection is reopened (retrying every 50 ms) and the next id is
#     sent; a batch is never sent twice. At the end it prints one line:
#       acked N lost N errors CODE:N,... (or -)
#
#   ingest_acked.py check --dir D --streams a,b --out DIR STREAM=FILE...
#     FILE is a stream's "batch|n" lines (SELECT batch, count(*) ... GROUP
#     BY batch over a view, psql -At). Checks that every acknowledged batch
#     is there, each batch present has exactly its rows (no duplicate, no
#     part), and no batch is there that was refused, never sent, or belongs
#     to another stream. Writes DIR/STREAM.csv, the rows of the batches that
#     are in (CSV, an empty field is NULL), for a reference PostgreSQL, and
#     prints: present N acked N inflight_present N inflight_absent N.
#     Exit status 1, with a line per problem on stderr, if a check fails.
import glob
import io
import os
import random
import sys
import threading
import time

CHANNELS = ["Google", "Facebook", "Baidu", "Apple", "channel-7", "channel-13"]


def batch_rows(bid, max_rows=200):
    r = random.Random(bid * 1000003 + 17)
    n = r.randint(1, max_rows)
    rows = []
    for seq in range(n):
        # skew: half of the rows hit ten hot auctions
        auction = r.randint(1, 10) if r.random() < 0.5 else r.randint(1, 3000)
        if r.random() < 0.01:
            auction = None
        bidder = r.randint(1, 2000)
        price = r.choice([r.randint(1, 1000), r.randint(1, 10 ** 9)])
        if r.random() < 0.03:
            price = None
        channel = None if r.random() < 0.02 else r.choice(CHANNELS)
        rows.append((bid, seq, auction, bidder, price, channel))
    return rows


def opts(argv):
    """--name value pairs and bare words; --name may repeat."""
    o, words = {}, []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a.startswith("--"):
            o.setdefault(a[2:], []).append(argv[i + 1])
            i += 2
        else:
            words.append(a)
            i += 1
    return o, words


def get(o, name, default=None):
    return o[name][-1] if name in o else default


# ---------------------------------------------------------------- run

def copy_text(rows):
    out = io.StringIO()
    for row in rows:
        out.write("\t".join("\\N" if v is None else str(v) for v in row))
        out.write("\n")
    out.seek(0)
    return out


def insert_sql(stream, rows):
    def lit(v):
        if v is None:
            return "NULL"
        if isinstance(v, str):
            return "'" + v.replace("'", "''") + "'"
        return str(v)
    return "INSERT INTO %s VALUES %s" % (
        stream, ", ".join("(" + ", ".join(lit(v) for v in row) + ")" for row in rows))


def maybe_in(code):
    # the connection ended under the statement (admin shutdown, crash,
    # cannot connect now): the batch may or may not have been taken
    return code is None or code[:2] in ("57", "08")


class Worker(threading.Thread):
    def __init__(self, w, cfg):
        super().__init__(daemon=True)
        self.w, self.cfg = w, cfg
        self.acked = self.lost = 0
        self.errors = {}
        self.conn = None
        path = os.path.join(cfg["dir"], "w.%d.%d" % (cfg["first"], w))
        self.out = open(path, "a")

    def stopping(self):
        # the stop file, or the test gone (its shell died, its folder removed)
        f = self.cfg["stop_file"]
        return ((f is not None and os.path.exists(f)) or os.getppid() != self.cfg["parent"]
                or not os.path.isdir(self.cfg["dir"]))

    def connect(self):
        import psycopg2
        while self.conn is None:
            if self.stopping():
                return False
            try:
                self.conn = psycopg2.connect(host="127.0.0.1", port=self.cfg["port"], user="test",
                                             dbname="sluice", connect_timeout=5)
                self.conn.autocommit = True
            except psycopg2.Error:
                self.conn = None
                time.sleep(0.05)
        return True

    def record(self, line):
        self.out.write(line + "\n")
        self.out.flush()

    def run(self):
        import psycopg2
        cfg = self.cfg
        streams = cfg["streams"]
        k = 0
        while cfg["max"] is None or k < cfg["max"]:
            if self.stopping() or not self.connect():
                break
            bid = cfg["first"] + self.w + k * cfg["workers"]
            k += 1
            stream = streams[bid % len(streams)]
            rows = batch_rows(bid, cfg["max_rows"])
            try:
                with self.conn.cursor() as cur:
                    if (bid // len(streams)) % 2 == 0:
                        cur.copy_expert("COPY %s FROM STDIN" % stream, copy_text(rows))
                    else:
                        cur.execute(insert_sql(stream, rows))
                self.record("A %d" % bid)
                self.acked += 1
            except psycopg2.Error as e:
                code = e.pgcode
                if maybe_in(code):
                    self.record("L %d" % bid)
                    self.lost += 1
                else:
                    self.record("E %d %s" % (bid, code))
                    self.errors[code] = self.errors.get(code, 0) + 1
                    if code not in cfg["stop_on"]:
                        sys.stderr.write("ingest_acked: batch %d into %s: %s %s\n"
                                         % (bid, stream, code, str(e).strip()))
                if self.conn is not None and self.conn.closed:
                    self.conn = None
                if code is not None and code in cfg["stop_on"]:
                    break
                if self.conn is not None:
                    try:
                        self.conn.rollback()
                    except psycopg2.Error:
                        self.conn = None
            if cfg["pause"]:
                time.sleep(cfg["pause"])
        if self.conn is not None:
            try:
                self.conn.close()
            except Exception:
                pass
        self.out.close()


def cmd_run(argv):
    o, _ = opts(argv)
    cfg = {
        "port": int(get(o, "port")),
        "streams": get(o, "streams").split(","),
        "dir": get(o, "dir"),
        "workers": int(get(o, "workers", "4")),
        "first": int(get(o, "first-id", "0")),
        "max": int(get(o, "max-batches")) if "max-batches" in o else None,
        "stop_file": get(o, "stop-file"),
        "stop_on": set(o.get("stop-on", [])),
        "max_rows": int(get(o, "max-rows", "200")),
        "pause": int(get(o, "pause-ms", "0")) / 1000.0,
        "parent": os.getppid(),
    }
    os.makedirs(cfg["dir"], exist_ok=True)
    with open(os.path.join(cfg["dir"], "max-rows"), "w") as f:
        f.write("%d\n" % cfg["max_rows"])
    ws = [Worker(w, cfg) for w in range(cfg["workers"])]
    for w in ws:
        w.start()
    for w in ws:
        w.join()
    errors = {}
    for w in ws:
        for c, n in w.errors.items():
            errors[c] = errors.get(c, 0) + n
    print("acked %d lost %d errors %s" % (
        sum(w.acked for w in ws), sum(w.lost for w in ws),
        ",".join("%s:%d" % kv for kv in sorted(errors.items())) or "-"))
    return 0


# ---------------------------------------------------------------- check

def cmd_check(argv):
    o, words = opts(argv)
    d = get(o, "dir")
    streams = get(o, "streams").split(",")
    outdir = get(o, "out")
    max_rows = int(open(os.path.join(d, "max-rows")).read())
    status = {}  # id -> 'A' | 'L' | 'E code'
    for path in glob.glob(os.path.join(d, "w.*")):
        for line in open(path):
            f = line.split()
            if not f:
                continue
            bid = int(f[1])
            if bid in status:
                print("batch %d was sent twice (generator bug)" % bid, file=sys.stderr)
                return 1
            status[bid] = f[0] if f[0] != "E" else "E " + f[2]
    problems = []
    present = {}
    for w in words:
        stream, path = w.split("=", 1)
        if stream not in streams:
            problems.append("%s: not one of the streams %s" % (stream, streams))
            continue
        ids = set()
        for line in open(path):
            line = line.strip()
            if not line:
                continue
            b, n = line.split("|")
            if b == "":
                problems.append("%s: a row with a NULL batch id" % stream)
                continue
            bid, n = int(b), int(n)
            if bid in ids:
                problems.append("%s: batch %d listed twice" % (stream, bid))
            ids.add(bid)
            st = status.get(bid)
            if st is None:
                problems.append("%s: batch %d is in but was never sent" % (stream, bid))
                continue
            if streams[bid % len(streams)] != stream:
                problems.append("%s: batch %d belongs to stream %s" % (stream, bid, streams[bid % len(streams)]))
                continue
            if st.startswith("E"):
                problems.append("%s: batch %d is in, but its statement failed with %s" % (stream, bid, st[2:]))
            want = len(batch_rows(bid, max_rows))
            if n != want:
                problems.append("%s: batch %d (%s) has %d rows in the view, it was sent with %d%s" % (
                    stream, bid, "acknowledged" if st == "A" else st, n, want,
                    " (duplicated)" if n > want else " (partly lost)"))
        present[stream] = ids
        for bid, st in status.items():
            if st == "A" and streams[bid % len(streams)] == stream and bid not in ids:
                problems.append("%s: acknowledged batch %d is missing" % (stream, bid))
    for p in problems[:40]:
        print("check: " + p, file=sys.stderr)
    if len(problems) > 40:
        print("check: ... %d problems in all" % len(problems), file=sys.stderr)
    if problems:
        return 1
    os.makedirs(outdir, exist_ok=True)
    for stream, ids in present.items():
        with open(os.path.join(outdir, stream + ".csv"), "w") as f:
            for bid in sorted(ids):
                for row in batch_rows(bid, max_rows):
                    f.write(",".join("" if v is None else str(v) for v in row) + "\n")
    allp = set().union(*present.values()) if present else set()
    checked = set(streams[b % len(streams)] for b in status) & set(present)
    inflight = [b for b, st in status.items() if st == "L" and streams[b % len(streams)] in checked]
    print("present %d acked %d inflight_present %d inflight_absent %d" % (
        len(allp), sum(1 for b, st in status.items() if st == "A" and streams[b % len(streams)] in checked),
        sum(1 for b in inflight if b in allp), sum(1 for b in inflight if b not in allp)))
    return 0


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in ("run", "check"):
        print(__doc__ or "usage: ingest_acked.py run|check ...", file=sys.stderr)
        sys.exit(2)
    sys.exit(cmd_run(sys.argv[2:]) if sys.argv[1] == "run" else cmd_check(sys.argv[2:]))
