#!/usr/bin/env bash
# Garbage, oversized and truncated messages get an error and lose only their
# own connection; too many connections get 53300; the server keeps serving.
. "$(dirname "$0")/lib.sh"
sl_start --max-connections 3 --max-message-size 4096

python3 - "$SL_PORT" <<'PY' || sl_fail "garbage client script failed"
import os, random, socket, struct, sys, time
port = int(sys.argv[1])
random.seed(7)

def conn():
    s = socket.create_connection(("127.0.0.1", port), timeout=0.5)
    return s

def startup(s):
    params = b"user\0fuzz\0database\0sluice\0\0"
    s.sendall(struct.pack("!ii", 8 + len(params), 196608) + params)
    data = b""
    s.settimeout(5)
    while not data.endswith(b"Z\0\0\0\5I"):
        chunk = s.recv(4096)
        if not chunk:
            raise SystemExit("closed during startup")
        data += chunk
    s.settimeout(0.3)
    return data

def read_all(s):
    data = b""
    try:
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    except socket.timeout:
        pass
    return data

# 1. random bytes instead of a startup packet
for i in range(20):
    s = conn()
    s.sendall(os.urandom(random.randint(1, 300)))
    read_all(s)
    s.close()
# 2. a huge startup length
s = conn(); s.sendall(struct.pack("!ii", 0x7fffffff, 196608)); read_all(s); s.close()
# 3. after startup: an unknown message type -> FATAL 08P01
s = conn(); startup(s); s.sendall(b"\x01\0\0\0\4"); d = read_all(s); s.close()
assert b"08P01" in d and b"invalid frontend message type" in d, d
# 4. a message larger than max_message_size -> FATAL 54000
s = conn(); startup(s); s.sendall(b"Q" + struct.pack("!i", 100000)); d = read_all(s); s.close()
assert b"54000" in d, d
# 5. a bad length (< 4)
s = conn(); startup(s); s.sendall(b"Q" + struct.pack("!i", 2)); d = read_all(s); s.close()
assert b"08P01" in d, d
# 6. a truncated Bind body -> FATAL 08P01 and closed
s = conn(); startup(s)
s.sendall(b"P" + struct.pack("!i", 4 + 2 + 9 + 2) + b"\0SELECT 1\0" + b"\0\0")
s.sendall(b"B" + struct.pack("!i", 4 + 3) + b"\0\0\xff")
d = read_all(s); s.close()
assert b"08P01" in d, d
# 7. a query string without its NUL
s = conn(); startup(s); s.sendall(b"Q" + struct.pack("!i", 4 + 8) + b"SELECT 1"); d = read_all(s); s.close()
assert b"08P01" in d, d
# 8. random messages after startup
for i in range(30):
    s = conn(); startup(s)
    body = os.urandom(random.randint(0, 200))
    t = random.choice(b"QPBDESCHdcfpXz")
    s.sendall(bytes([t]) + struct.pack("!i", 4 + len(body)) + body + b"S\0\0\0\4")
    read_all(s); s.close()
print("garbage done")

# 9. backpressure: 12 pipelined queries of 1 MB answers each, sent in one
# small packet by a client that reads nothing for a second; every one must
# be answered once it reads (the server stops reading while its output is
# not drained, and must go back to the queries it already holds)
s = conn(); startup(s)
q = b"SELECT repeat('x', 1000000)\0"
N = 12
s.sendall((b"Q" + struct.pack("!i", 4 + len(q)) + q) * N)
time.sleep(1)
s.settimeout(30)
data = b""; n = 0; pos = 0
while n < N:
    chunk = s.recv(1 << 20)
    if not chunk:
        raise SystemExit("closed after %d answers" % n)
    data += chunk
    while len(data) - pos >= 5:
        t = data[pos:pos + 1]; ln = struct.unpack("!i", data[pos + 1:pos + 5])[0]
        if len(data) - pos < 1 + ln:
            break
        if t == b"Z":
            n += 1
        pos += 1 + ln
    data = data[pos:]; pos = 0
s.close()
print("backpressure done")
PY

# still serving
sl_expect 1 "$(sl_psql -Atc 'SELECT 1')" "alive after garbage"

# too many connections: hold 3, the 4th is refused with 53300
for i in 1 2 3; do
  (sleep 3 | psql -X -h 127.0.0.1 -p "$SL_PORT" -U test -d sluice >/dev/null 2>&1 &)
done
sleep 1
out="$(psql -X -h 127.0.0.1 -p "$SL_PORT" -U test -d sluice -v VERBOSITY=verbose -c 'SELECT 1' 2>&1 || true)"
sl_expect_match 'sorry, too many clients already' "$out" "too many connections"
sleep 3
sl_expect 1 "$(sl_psql -Atc 'SELECT 1')" "alive after the limit"
sl_pass
