#!/usr/bin/env bash
# Streams end to end: DDL errors, INSERT through the simple and the extended
# protocol (pgbench -M prepared), COPY text and CSV, a bad row rejecting its
# whole COPY with line and column, DROP with and without CASCADE.
. "$(dirname "$0")/lib.sh"
sl_start

sl_psql -c "CREATE STREAM ev (k INT, v BIGINT, note TEXT)"
err="$(psql -X -h 127.0.0.1 -p "$SL_PORT" -U test -d sluice -v VERBOSITY=verbose -c "CREATE STREAM ev (a INT)" 2>&1 || true)"
sl_expect_match '42P07: relation "ev" already exists' "$err" "duplicate stream"
err="$(psql -X -h 127.0.0.1 -p "$SL_PORT" -U test -d sluice -v VERBOSITY=verbose -c "CREATE STREAM s2 (a blob)" 2>&1 || true)"
sl_expect_match '42704: type "blob" does not exist' "$err" "unknown type"
sl_psql -c "CREATE MATERIALIZED VIEW per_k WITH (parallelism = 3) AS SELECT k, count(*) AS n, sum(v) AS s FROM ev GROUP BY k"
sl_psql -c "CREATE MATERIALIZED VIEW notes AS SELECT k, upper(note) AS u FROM ev WHERE note IS NOT NULL"

# INSERT, simple protocol
sl_psql -c "INSERT INTO ev VALUES (1, 10, 'a'), (2, 20, NULL)"
sl_psql -c "INSERT INTO ev (v, k) VALUES (5, 1)"
err="$(psql -X -h 127.0.0.1 -p "$SL_PORT" -U test -d sluice -v VERBOSITY=verbose -c "INSERT INTO ev VALUES ('x', 1, 'b')" 2>&1 || true)"
sl_expect_match '22P02: invalid input syntax for type integer: "x"' "$err" "bad INSERT value"
err="$(psql -X -h 127.0.0.1 -p "$SL_PORT" -U test -d sluice -v VERBOSITY=verbose -c "INSERT INTO ev (nope) VALUES (1)" 2>&1 || true)"
sl_expect_match '42703: column "nope" of stream "ev" does not exist' "$err" "bad INSERT column"

# INSERT through the extended protocol with parameters
cat >"$SL_TMP/ins.sql" <<'SQL'
\set k random(101, 105)
INSERT INTO ev VALUES (:k, 1, 'p');
SQL
out="$(pgbench -n -h 127.0.0.1 -p "$SL_PORT" -U test -M prepared -c 2 -t 250 -f "$SL_TMP/ins.sql" sluice 2>&1)" || sl_fail "pgbench: $out"
sl_expect_match 'number of failed transactions: 0 ' "$out" "prepared INSERTs"

# COPY, text and CSV, with quoting, NULLs and a header
printf '3\t30\tplain\n3\t\\N\t\\N\n' | sl_psql -c "COPY ev FROM STDIN"
printf 'k,v,note\n4,40,"with, comma"\n4,,""\n' | sl_psql -c "COPY ev FROM STDIN WITH (FORMAT csv, HEADER)"
# a column list in another order (rows built as values, not encoded as parsed)
printf '70\t7\n' | sl_psql -c "COPY ev (v, k) FROM STDIN"

# a bad row rejects the whole COPY and names its line and column
err="$(printf '5,1,ok\n5,2,ok\n5,oops,bad\n' | psql -X -h 127.0.0.1 -p "$SL_PORT" -U test -d sluice -v VERBOSITY=verbose -c "COPY ev FROM STDIN WITH (FORMAT csv)" 2>&1 || true)"
sl_expect_match '22P02: invalid input syntax for type bigint: "oops"' "$err" "bad COPY row"
sl_expect_match 'CONTEXT:  COPY ev, line 3, column v: "oops"' "$err" "COPY context"
err="$(printf '6,1\n' | psql -X -h 127.0.0.1 -p "$SL_PORT" -U test -d sluice -v VERBOSITY=verbose -c "COPY ev FROM STDIN WITH (FORMAT csv)" 2>&1 || true)"
sl_expect_match '22P04: missing data for column "note"' "$err" "short COPY row"

# the view saw exactly the accepted rows: k=5 and k=6 never arrived
ones="$(sl_psql -At -c 'SELECT n FROM per_k WHERE k = 3')"
sl_expect 2 "$ones" "COPY text rows"
sl_expect "" "$(sl_psql -At -c 'SELECT n FROM per_k WHERE k = 5')" "rejected COPY ingested nothing"
sl_expect "" "$(sl_psql -At -c 'SELECT n FROM per_k WHERE k = 6')" "rejected short row"
sl_expect "40" "$(sl_psql -At -c 'SELECT s FROM per_k WHERE k = 4')" "CSV NULL and empty string"
sl_expect "$(printf '\nWITH, COMMA')" "$(sl_psql -At -c "SELECT u FROM notes WHERE k = 4 ORDER BY u")" "CSV quoting: '' is an empty string, not NULL"
total="$(sl_psql -At -c 'SELECT k, n FROM per_k ORDER BY k' | awk -F'|' '{s += $2} END {print s}')"
sl_expect "1|70" "$(sl_psql -At -c 'SELECT n, s FROM per_k WHERE k = 7')" "COPY with a column list"
sl_expect $((3 + 500 + 2 + 2 + 1)) "$total" "every accepted row counted once"

# system views
sl_expect "ev|1" "$(sl_psql -At -c "SELECT name, partitions FROM sluice.streams")" "sluice.streams"
sl_expect "per_k|3|RUNNING" "$(sl_psql -At -c "SELECT name, parallelism, state FROM sluice.views WHERE name = 'per_k'")" "sluice.views"
sl_expect "3" "$(sl_psql -At -c "SELECT task FROM sluice.tasks WHERE view = 'per_k'" | wc -l)" "one row per task"
sl_expect "0|0|42|1|43|85|2|86|127" "$(sl_psql -At -c "SELECT task, first_key_group, last_key_group FROM sluice.tasks WHERE view = 'per_k' ORDER BY task" | tr '\n' '|' | sed 's/|$//')" "key-group ranges"

sl_expect "1|k|integer 2|v|bigint 3|note|text" "$(sl_psql -At -c "SELECT position, name, type FROM sluice.columns WHERE relation = 'ev' ORDER BY position" | tr '\n' ' ' | sed 's/ $//')" "sluice.columns"
# ORDER BY a column that is not selected, as PostgreSQL allows
sl_expect "note v k" "$(sl_psql -At -c "SELECT name FROM sluice.columns WHERE relation = 'ev' ORDER BY position DESC" | tr '\n' ' ' | sed 's/ $//')" "ORDER BY a hidden column"

# EXPLAIN shows the partitioned plan
plan="$(sl_psql -At -c "EXPLAIN CREATE MATERIALIZED VIEW x WITH (parallelism = 4) AS SELECT k, count(*) FROM ev WHERE v > 1 GROUP BY k")"
sl_expect_match 'HashAggregate  \(4 tasks, key groups 0\.\.127\)' "$plan" "EXPLAIN aggregate"
sl_expect_match 'Exchange  hash\(k\) mod 128' "$plan" "EXPLAIN exchange"
sl_expect_match 'Filter: \(v > 1\)' "$plan" "EXPLAIN filter"
sl_expect_match 'Source  stream ev' "$plan" "EXPLAIN source"

# reading a stream directly explains itself; DROP needs CASCADE
err="$(psql -X -h 127.0.0.1 -p "$SL_PORT" -U test -d sluice -v VERBOSITY=verbose -c "SELECT * FROM ev" 2>&1 || true)"
sl_expect_match '42809: "ev" is a stream' "$err" "stream read directly"
err="$(psql -X -h 127.0.0.1 -p "$SL_PORT" -U test -d sluice -v VERBOSITY=verbose -c "DROP STREAM ev" 2>&1 || true)"
sl_expect_match '2BP01: cannot drop stream ev because other objects depend on it' "$err" "DROP without CASCADE"
sl_psql -c "DROP MATERIALIZED VIEW notes"
sl_psql -c "DROP STREAM ev CASCADE"
sl_expect "" "$(sl_psql -At -c 'SHOW STREAMS')" "no streams left"
sl_psql -c "DROP STREAM IF EXISTS ev"
sl_pass
