#!/usr/bin/env bash
# The catalog lives in PostgreSQL: the private cluster sluiced manages (run
# as an unprivileged user when sluiced is root), or any PostgreSQL given
# with --state. A restarted sluiced brings every stream and view back.
. "$(dirname "$0")/lib.sh"

sl_start
sl_psql -c "CREATE STREAM bids (auction BIGINT, price BIGINT, channel TEXT) WITH (partitions = 2)"
sl_psql -c "CREATE MATERIALIZED VIEW top WITH (parallelism = 2) AS SELECT auction, max(price) AS top FROM bids WHERE price > 0 GROUP BY auction"
sl_psql -c "CREATE STREAM gone (x INT)"
sl_psql -c "DROP STREAM gone"
if [ "$(id -u)" -eq 0 ]; then
  pgusers="$(ps -eo user,comm,args | awk -v d="$SL_DATA/pg" '$2 == "postgres" && index($0, d) {print $1}' | sort -u | tr '\n' ' ')"
  case "$pgusers" in
    *root*) sl_fail "the private PostgreSQL runs as root: $pgusers" ;;
    "") sl_fail "no private PostgreSQL process found" ;;
  esac
  echo "private PostgreSQL runs as: $pgusers"
fi
# the private PostgreSQL killed: sluiced starts it again within seconds
pm="$(head -1 "$SL_DATA/pg/data/postmaster.pid")"
kill -KILL "$pm"
for _ in $(seq 1 100); do
  sl_psql -c "CREATE STREAM after_crash (x INT)" >/dev/null 2>&1 && break
  sleep 0.2
done
sl_expect "after_crash" "$(sl_psql -At -c "SELECT name FROM sluice.streams WHERE name = 'after_crash'")" "catalog write after a PostgreSQL crash"
grep -q 'private PostgreSQL is down' "$SL_TMP/sluiced.log" || sl_fail "the restart was not logged"
sl_stop
sl_start
sl_expect "after_crash bids" "$(sl_psql -At -c 'SELECT name FROM sluice.streams ORDER BY name' | tr '\n' ' ' | sed 's/ $//')" "streams restored"
sl_expect "top|bids|2" "$(sl_psql -At -c 'SHOW MATERIALIZED VIEWS' | cut -d'|' -f1-3)" "view restored"
sl_psql -c "DROP STREAM after_crash"
sl_psql -c "INSERT INTO bids VALUES (1, 10, 'a'), (1, 30, 'b'), (2, 5, NULL)"
sl_expect "$(printf '1|30\n2|5')" "$(sl_psql -At -c 'SELECT * FROM top ORDER BY auction')" "restored view works"
sl_stop

# an external PostgreSQL with --state
sl_ref_pg_start
SL_PORT="$(sl_free_port)"
SL_DATA="$SL_TMP/data2"
sl_start --state "host=$SL_REF_HOST port=$SL_REF_PORT user=postgres dbname=postgres"
sl_psql -c "CREATE STREAM ext (a INT)"
sl_expect "ext|stream" "$(sl_ref_psql -At -c 'SELECT name, kind FROM sluice.catalog')" "catalog row in the external PostgreSQL"
sl_expect_match '^[1-9][0-9]*$' "$(sl_ref_psql -At -c 'SELECT max(version) FROM sluice.schema_version')" "schema version"
sl_stop
sl_start --state "host=$SL_REF_HOST port=$SL_REF_PORT user=postgres dbname=postgres"
sl_expect "ext" "$(sl_psql -At -c 'SHOW STREAMS' | cut -d'|' -f1)" "restored from the external PostgreSQL"
sl_pass
