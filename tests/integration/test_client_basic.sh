#!/usr/bin/env bash
# sluice -c / -f against a scratch PostgreSQL (same protocol as sluiced):
# output formats, errors with SQLSTATE and caret, exit codes, connection
# strings and environment, \copy, \conninfo, \d on a server without streams,
# notices, \timing, COPY FROM STDIN data inside a script.
. "$(dirname "$0")/lib.sh"
SLUICE="$SL_TOP_BUILDDIR/clients/sluice/sluice"
[ -x "$SLUICE" ] || sl_fail "sluice was not built: $SLUICE"

# A scratch PostgreSQL on 127.0.0.1 (TCP) and a socket, as an unprivileged user.
pg_bindir="${SL_PG_BINDIR:-}"
[ -n "$pg_bindir" ] || pg_bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
pg_user=postgres
id sluice >/dev/null 2>&1 && pg_user=sluice
PGDIR="$SL_TMP/pg"
mkdir -p "$PGDIR"
run=(sh -c)
if [ "$(id -u)" -eq 0 ]; then chown "$pg_user" "$PGDIR"; run=(su "$pg_user" -s /bin/sh -c); fi
PORT="$(sl_free_port)"
"${run[@]}" "'$pg_bindir/initdb' -D '$PGDIR/data' -A trust -U postgres -E UTF8 --locale=C >'$PGDIR/initdb.log' 2>&1" \
  || { cat "$PGDIR/initdb.log" >&2; sl_fail "initdb failed"; }
"${run[@]}" "'$pg_bindir/pg_ctl' -D '$PGDIR/data' -w -l '$PGDIR/log' -o \"-p $PORT -k $PGDIR -c listen_addresses=127.0.0.1 -c fsync=off\" start >/dev/null" \
  || { cat "$PGDIR/log" >&2; sl_fail "PostgreSQL did not start"; }
# lib.sh's EXIT trap calls sl_ref_pg_stop; point it at this cluster
SL_REF_STOP=("${run[@]}" "'$pg_bindir/pg_ctl' -D '$PGDIR/data' -m immediate stop >/dev/null 2>&1")

unset PGHOST PGPORT PGUSER PGDATABASE PGHOSTADDR PGSERVICE
sq() { "$SLUICE" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres "$@"; }
out() { sq "$@" 2>&1; }

# ---- aligned, expanded, unaligned, tuples-only; NULL shown as empty ----
got="$(sq -c "SELECT 1 AS a, 'xy' AS b, NULL::text AS c UNION ALL SELECT 22, 'long value', 'z'")"
want=" a  |     b      | c 
----+------------+---
  1 | xy         | 
 22 | long value | z
(2 rows)"
sl_expect "$want" "$got" "aligned table"
sl_expect "$(printf -- '-[ RECORD 1 ]\na | 1\nb | \n')" "$(sq -x -c "SELECT 1 AS a, NULL AS b")" "expanded"
sl_expect "$(printf 'a|b\n1|xy\n(1 row)')" "$(sq -A -c "SELECT 1 AS a, 'xy' AS b")" "unaligned"
sl_expect "1|xy" "$(sq -At -c "SELECT 1 AS a, 'xy' AS b")" "unaligned tuples only"
sl_expect " 1 | xy" "$(sq -t -c "SELECT 1 AS a, 'xy' AS b")" "aligned tuples only"

# ---- command tags, -q, several -c in order ----
sl_expect "$(printf 'CREATE TABLE\nINSERT 0 2')" \
  "$(sq -c "CREATE TABLE t (a int, b text)" -c "INSERT INTO t VALUES (1, 'one'), (2, 'two')")" "command tags"
sl_expect "" "$(sq -q -c "INSERT INTO t VALUES (3, 'three')")" "-q hides command tags"

# ---- errors: SQLSTATE always, LINE and caret, exit code 1 ----
err="$(sq -c "SELECT 1 FORM t" 2>&1)"; rc=$?
sl_expect 1 "$rc" "exit code after an SQL error in -c"
sl_expect "$(printf 'ERROR:  42601: syntax error at or near "t"\nLINE 1: SELECT 1 FORM t\n                      ^')" "$err" "error with caret"

# ---- a script: splitter, dollar quotes, comments, multi-line error ----
cat >"$SL_TMP/script.sql" <<'SQL'
-- a comment; with a semicolon
SELECT 'a;b' AS s /* a; comment */, $x$ dollar; quoted $x$ AS d;
SELECT
  1 +
  'nope'::int AS broken;
INSERT INTO t VALUES (4, E'it\'s; four');
SELECT b FROM t WHERE a = 4
SQL
got="$(sq -A -t -f "$SL_TMP/script.sql" 2>"$SL_TMP/err")"; rc=$?
sl_expect 1 "$rc" "exit code after an SQL error in -f"
sl_expect "$(printf "a;b| dollar; quoted \nINSERT 0 1\nit's; four")" "$got" "script output"
err="$(cat "$SL_TMP/err")"
sl_expect_match "^sluice:$SL_TMP/script.sql:5: ERROR:  22P02: invalid input syntax for type integer: \"nope\"" "$err" "script error prefix"
sl_expect_match 'LINE 3:   .nope.::int AS broken;' "$err" "error on the right line of a multi-line statement"
sl_expect "$(printf '%10s^' '')" "$(printf '%s\n' "$err" | sed -n '3p')" "caret column on line 3"

# ON_ERROR_STOP: exit 3 and nothing after the error runs
sq -c "DELETE FROM t WHERE a = 4" >/dev/null
sq -v ON_ERROR_STOP=1 -f "$SL_TMP/script.sql" >/dev/null 2>&1; rc=$?
sl_expect 3 "$rc" "exit code with ON_ERROR_STOP"
sl_expect 0 "$(sq -At -c "SELECT count(*) FROM t WHERE a = 4")" "statements after the error did not run"
# no error: exit 0
sq -q -f /dev/null; sl_expect 0 "$?" "empty script"
# stdin as a script
sl_expect "7" "$(printf 'SELECT 3 +\n 4;\n' | "$SLUICE" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -At)" "script on stdin"

# ---- connection: failure exit 2, defaults, URI, conninfo, environment ----
err="$("$SLUICE" -c "SELECT 1" 2>&1)"; rc=$?
sl_expect 2 "$rc" "exit code when the connection fails"
sl_expect_match '127\.0\.0\.1.*6543' "$err" "default host 127.0.0.1 and port 6543"
"$SLUICE" -h 127.0.0.1 -p "$(sl_free_port)" -c "SELECT 1" >/dev/null 2>&1; sl_expect 2 "$?" "refused port"
sl_expect "u" "$("$SLUICE" -At -c "SELECT 'u'" "postgresql://postgres@127.0.0.1:$PORT/postgres")" "URI"
sl_expect "k" "$("$SLUICE" -At "host=127.0.0.1 port=$PORT user=postgres dbname=postgres" -c "SELECT 'k'")" "key=value conninfo"
sl_expect "e" "$(PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres "$SLUICE" -At -d postgres -c "SELECT 'e'")" "PGHOST/PGPORT/PGUSER"
sl_expect "s" "$("$SLUICE" -h "$PGDIR" -p "$PORT" -U postgres -d postgres -At -c "SELECT 's'")" "Unix socket"
got="$(sq -c '\conninfo')"
sl_expect_match "You are connected to database \"postgres\" as user \"postgres\" on host \"127.0.0.1\" at port \"$PORT\"" "$got" "\\conninfo"
sl_expect_match "No TLS" "$got" "\\conninfo without TLS"
err="$(sq -c "SELECT 1" "sslmode=require" 2>&1)"; rc=$?
sl_expect 2 "$rc" "sslmode=require against a server without TLS"

# ---- \copy from a local CSV file with a header ----
printf 'a,b\n10,"ten, with comma"\n11,\n12,twelve\n' >"$SL_TMP/in.csv"
sl_expect "COPY 3" "$(sq -c "\\copy t (a, b) from '$SL_TMP/in.csv' with (format csv, header)")" "\\copy from a CSV file"
sl_expect "$(printf '10|ten, with comma\n11|\n12|twelve')" "$(sq -At -c "SELECT a, b FROM t WHERE a >= 10 ORDER BY a")" "rows copied"
sl_expect "t" "$(sq -At -c "SELECT b IS NULL FROM t WHERE a = 11")" "CSV empty field is NULL"
err="$(sq -c "\\copy t from '$SL_TMP/missing.csv'" 2>&1)"; rc=$?
sl_expect 1 "$rc" "\\copy of a missing file"
sl_expect_match 'No such file' "$err" "\\copy missing file message"
sq -c "\\copy (SELECT a, b FROM t WHERE a >= 10 ORDER BY a) to '$SL_TMP/out.csv' with (format csv)" >/dev/null
sl_expect "$(printf '10,"ten, with comma"\n11,\n12,twelve')" "$(cat "$SL_TMP/out.csv")" "\\copy to a file"

# COPY FROM STDIN with its data inside the script
printf 'COPY t FROM STDIN;\n20\ttwenty\n21\t\\N\n\\.\nSELECT count(*) FROM t WHERE a IN (20, 21);\n' >"$SL_TMP/copy.sql"
sl_expect "$(printf 'COPY 2\n2')" "$(sq -At -f "$SL_TMP/copy.sql")" "COPY FROM STDIN in a script"

# ---- \d on a server without streams: a clear message, exit 1 ----
err="$(sq -c '\d' 2>&1)"; rc=$?
sl_expect 1 "$rc" "\\d against PostgreSQL"
sl_expect_match 'does not list streams \(SHOW STREAMS failed' "$err" "\\d message"
err="$(sq -c '\d bids' 2>&1)"; rc=$?
sl_expect 1 "$rc" "\\d NAME against PostgreSQL"
sl_expect_match 'no usable sluice.streams system view' "$err" "\\d NAME message"
err="$(sq -c '\nosuch' 2>&1)"; rc=$?
sl_expect 1 "$rc" "unknown meta-command"
sl_expect 'invalid command \nosuch. Try \? for help.' "$err" "unknown meta-command message"

# ---- notices and \timing ----
err="$(sq -c "DO \$\$ BEGIN RAISE NOTICE 'hello %', 42; END \$\$" 2>&1 >/dev/null)"
sl_expect "NOTICE:  hello 42" "$err" "notice"
got="$(printf '\\timing on\nSELECT 1;\n' | "$SLUICE" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -At)"
sl_expect_match '^Timing is on\.' "$got" "\\timing on"
sl_expect_match 'Time: [0-9]+\.[0-9]{3} ms' "$got" "\\timing output"

# ---- usage ----
"$SLUICE" --bogus >/dev/null 2>&1; sl_expect 1 "$?" "bad option"
sl_expect_match 'Exit codes' "$("$SLUICE" --help)" "--help"
sl_pass
