#!/usr/bin/env bash
# Restart strategies, failpoints and the life of a view (issue 5):
# - failpoints are refused (42501) unless sluiced runs with --enable-failpoints;
# - a failpoint failing a job n times makes a fixed-delay job restart n times,
#   each at least restart_delay after its failure, then give up (FAILED);
# - none: the first failure is FAILED; failure-rate gives up past max_failures;
# - after restarts every view equals PostgreSQL's answer over the rows
#   ingested (exactly once), and a failing job leaves the others alone;
# - on_error = 'skip' skips and counts bad rows; 'fail' restarts and, the
#   error being in the data, keeps failing until ALTER ... SET (on_error =
#   'skip') and RESUME, after which it catches up exactly;
# - state_memory_limit fails a job with 53200;
# - bad options are errors at CREATE naming the option.
. "$(dirname "$0")/lib.sh"

sl_start
out="$(sl_psql -v VERBOSITY=verbose -c "SELECT sluice_failpoint('executor.aggregate.update', 'error(1)')" 2>&1 || true)"
sl_expect_match '42501' "$out" "failpoints refused without --enable-failpoints"
sl_stop

SL_PORT=""
SL_DATA="$SL_TMP/data2"
sl_start --enable-failpoints --checkpoint-interval 300ms
q() { sl_psql -At -F'|' -c "$1"; }

# bad options name themselves
out="$(sl_psql -c "CREATE STREAM x (a INT)" -c "CREATE MATERIALIZED VIEW bad WITH (restart_delay = 'soon') AS SELECT a FROM x" 2>&1 || true)"
sl_expect_match 'restart_delay' "$out" "a bad restart option is named"
out="$(sl_psql -c "CREATE MATERIALIZED VIEW bad WITH (restart_strategy = 'sometimes') AS SELECT a FROM x" 2>&1 || true)"
sl_expect_match 'restart_strategy' "$out" "a bad strategy is named"
out="$(sl_psql -c "CREATE MATERIALIZED VIEW bad WITH (on_error = 'ignore') AS SELECT a FROM x" 2>&1 || true)"
sl_expect_match 'on_error' "$out" "a bad on_error is named"
sl_psql -c "DROP STREAM x"

sl_psql <<'SQL'
CREATE STREAM bids (auction BIGINT, price BIGINT, channel TEXT);
CREATE MATERIALIZED VIEW fixed WITH (parallelism = 2)
  AS SELECT auction, count(*) AS n, sum(price) AS s, max(price) AS m FROM bids GROUP BY auction;
CREATE MATERIALIZED VIEW steady WITH (parallelism = 2)
  AS SELECT channel, count(*) AS n, sum(price) AS s FROM bids GROUP BY channel;
CREATE MATERIALIZED VIEW fd WITH (parallelism = 2, restart_strategy = 'fixed-delay', restart_attempts = 2, restart_delay = '700 ms')
  AS SELECT auction, count(*) AS n, sum(1000 / (price - 7777)) AS r FROM bids GROUP BY auction;
CREATE MATERIALIZED VIEW fr WITH (restart_strategy = 'failure-rate', max_failures = 2, failure_interval = '1 minute', restart_delay = '300 ms')
  AS SELECT auction, 1000 / (price - 7777) AS r FROM bids;
CREATE MATERIALIZED VIEW once WITH (restart_strategy = 'none')
  AS SELECT channel, sum(1000 / (price - 7777)) AS r FROM bids GROUP BY channel;
CREATE MATERIALIZED VIEW skipper WITH (on_error = 'skip')
  AS SELECT auction, 1000 / (price - 7777) AS r FROM bids;
SQL

sl_ref_pg_start
sl_ref_psql -c "CREATE TABLE bids (auction BIGINT, price BIGINT, channel TEXT)"
batch=0
rows() { # rows N: N generated rows as VALUES
  local n=$1 vals="" i
  for i in $(seq 1 "$n"); do
    batch=$((batch + 1))
    vals+="${vals:+,}($((batch % 17)), $(((batch * 7919) % 1000 + 1)), 'c$((batch % 3))')"
  done
  echo "$vals"
}
ins() { # ins VALUES: into both
  sl_psql -c "INSERT INTO bids VALUES $1" >/dev/null
  sl_ref_psql -c "INSERT INTO bids VALUES $1" >/dev/null
}
ref() { sl_ref_psql -At -F'|' -c "$1"; }
compare() { # compare LABEL: the healthy views equal PostgreSQL's answer
  sl_expect "$(ref "SELECT auction, count(*), sum(price), max(price) FROM bids GROUP BY 1 ORDER BY 1")" \
    "$(q "SELECT * FROM fixed ORDER BY auction")" "$1: fixed"
  sl_expect "$(ref "SELECT channel, count(*), sum(price) FROM bids GROUP BY 1 ORDER BY 1")" \
    "$(q "SELECT * FROM steady ORDER BY channel")" "$1: steady"
  sl_expect "$(ref "SELECT auction, 1000 / (price - 7777) FROM bids WHERE price <> 7777 ORDER BY 1, 2")" \
    "$(q "SELECT * FROM skipper ORDER BY 1, 2")" "$1: skipper"
}
wait_state() { # wait_state VIEW STATE: poll sluice.views (at most 20 s)
  for _ in $(seq 1 200); do
    [ "$(q "SELECT state FROM sluice.views WHERE name = '$1'")" = "$2" ] && return 0
    sleep 0.1
  done
  sl_fail "view $1 did not reach $2: $(q "SELECT * FROM sluice.views WHERE name = '$1'")"
}
restarts() { q "SELECT sum(restarts) FROM sluice.views"; }

ins "$(rows 50)"
sleep 0.8   # a checkpoint of each
compare "before failures"

# a failpoint firing once fails one job once: one restart, exact results
q "SELECT sluice_failpoint('executor.aggregate.update', 'error(1)')" >/dev/null
ins "$(rows 20)"
for _ in $(seq 1 100); do [ "$(restarts)" = 1 ] && break; sleep 0.1; done
sl_expect 1 "$(restarts)" "one failpoint hit, one restart"
sl_expect "$(printf 'RUNNING\nRUNNING\nRUNNING\nRUNNING\nRUNNING\nRUNNING')" "$(q "SELECT state FROM sluice.views ORDER BY name")" "every view runs after the restart"
compare "after a failpoint"
sl_expect "error|1" "$(q "SELECT spec, hits FROM sluice.failpoints WHERE name = 'executor.aggregate.update'" | sed 's/^off|/error|/')" "sluice.failpoints counts the hit"
# a failed exchange (routing to a task) fails that job too; the rows are in the log
q "SELECT sluice_failpoint('executor.exchange.send', 'error(1)')" >/dev/null
ins "$(rows 10)"
for _ in $(seq 1 100); do [ "$(restarts)" = 2 ] && break; sleep 0.1; done
sl_expect 2 "$(restarts)" "a failed exchange, one more restart"
compare "after a failed exchange"

# a row no view with 1000 / (price - 7777) can take: fd restarts twice and
# gives up, fr gives up at its third failure within the interval, once at
# its first; skipper counts it; fixed and steady are untouched
ins "(5, 7777, 'c1'), (6, 100, 'c2')"
wait_state once FAILED
wait_state fr FAILED
wait_state fd FAILED
sl_expect "failed" "$(q "SELECT action FROM sluice.failures WHERE view = 'once'")" "none: FAILED at the first failure"
sl_expect "failed restart restart" "$(q "SELECT action FROM sluice.failures WHERE view = 'fd' ORDER BY failed_at DESC" | tr '\n' ' ' | sed 's/ $//')" "fixed-delay, 2 attempts: two restarts, then FAILED"
sl_expect "failed restart restart" "$(q "SELECT action FROM sluice.failures WHERE view = 'fr' ORDER BY failed_at DESC" | tr '\n' ' ' | sed 's/ $//')" "failure-rate, 2 per minute: two restarts, then FAILED"
sl_expect "22012" "$(q "SELECT last_sqlstate FROM sluice.views WHERE name = 'fd'")" "the last error is kept"
# every restart decision of fd has the time it was running again, and not before its delay
sl_expect "t|t" "$(q "SELECT count(*) = 2 AND min(extract(epoch FROM restarted_at - failed_at)) >= 0.7, true FROM sluice.failures WHERE view = 'fd' AND action = 'restart' AND restarted_at IS NOT NULL")" "restarts are timed"
# each failure after a restart came at least restart_delay after the one before
mapfile -t ts < <(q "SELECT extract(epoch FROM failed_at) FROM sluice.failures WHERE view = 'fd' ORDER BY failed_at DESC")
for i in 0 1; do
  sl_expect 1 "$(echo "${ts[$i]} - ${ts[$((i + 1))]} >= 0.7" | bc -l)" "fd restarted no sooner than its restart_delay"
done
sl_expect 1 "$(q "SELECT skipped_rows FROM sluice.views WHERE name = 'skipper'")" "on_error skip counts the bad row"
sl_expect "RUNNING RUNNING RUNNING" "$(q "SELECT state FROM sluice.views WHERE name IN ('fixed', 'steady', 'skipper') ORDER BY name" | tr '\n' ' ' | sed 's/ $//')" "the other views run on"
ins "$(rows 30)"
compare "while three views are FAILED"
# a FAILED view stays readable (as of its last checkpoint)
q "SELECT count(*) FROM fd" >/dev/null || sl_fail "a FAILED view is not readable"

# the cause fixed (skip the bad row), RESUME: it catches up exactly
q "ALTER MATERIALIZED VIEW fd SET (on_error = 'skip')" >/dev/null
q "ALTER MATERIALIZED VIEW fd RESUME" >/dev/null
wait_state fd RUNNING
sl_expect "$(ref "SELECT auction, count(*), sum(1000 / (price - 7777)) FROM bids WHERE price <> 7777 GROUP BY 1 ORDER BY 1")" \
  "$(q "SELECT * FROM fd ORDER BY auction")" "fd resumed: exact"
sl_expect 1 "$(q "SELECT skipped_rows FROM sluice.views WHERE name = 'fd'")" "fd skipped the bad row once"

# state_memory_limit: 53200
sl_psql -c "CREATE MATERIALIZED VIEW small WITH (state_memory_limit = '16kB', restart_strategy = 'none') AS SELECT auction, price, count(*) AS n FROM bids GROUP BY auction, price" >/dev/null
ins "$(rows 400)"
wait_state small FAILED
sl_expect "53200" "$(q "SELECT last_sqlstate FROM sluice.views WHERE name = 'small'")" "state_memory_limit exceeded is 53200"
compare "after the memory limit"
sl_expect_match "small.*FAILED" "$(sl_psql -At -c 'SHOW QUERIES')" "SHOW QUERIES"

# the options survive a restart of sluiced (fd now skips), and the results too
sl_stop
sl_start --enable-failpoints --checkpoint-interval 300ms
compare "after a restart of sluiced"
ins "(7, 7777, 'c0')"
sleep 1
sl_expect "RUNNING|1" "$(q "SELECT state, skipped_rows FROM sluice.views WHERE name = 'fd'")" "ALTER ... SET was kept across a restart (skipped_rows counts since the start)"

# a checkpoint that can not be restored at start: the view stays (failing,
# its strategy retrying), the others are restored and exact
pgq() { psql -X -q -At -h "$SL_DATA/pg" -p 5432 -U sluice -d postgres -c "$1"; }
n="$(pgq "UPDATE sluice.checkpoint_state SET bytes = '\\xdeadbeef' WHERE job = 'steady' RETURNING 1" 2>/dev/null | wc -l)"
[ "$n" -gt 0 ] || sl_fail "could not corrupt a checkpoint in the private PostgreSQL"
sl_stop   # steady has not moved since its last checkpoint: no new one
sl_start --enable-failpoints --checkpoint-interval 300ms
st="$(q "SELECT state, last_sqlstate FROM sluice.views WHERE name = 'steady'")"
case "$st" in RESTARTING\|XX001|FAILED\|XX001) ;; *) sl_fail "a view whose checkpoint is corrupt: [$st]" ;; esac
sl_expect "$(ref "SELECT auction, count(*), sum(price), max(price) FROM bids GROUP BY 1 ORDER BY 1")" \
  "$(q "SELECT * FROM fixed ORDER BY auction")" "the other views are restored"
out="$(sl_psql -v VERBOSITY=verbose -c "SELECT * FROM steady" 2>&1 || true)"
sl_expect_match 'XX001' "$out" "reading the view gives the restore error"
sl_pass
