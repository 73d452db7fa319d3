#!/usr/bin/env bash
# sluice against sluiced: \d and \d NAME through SHOW and the sluice.*
# system views, then \subscribe under tmux: the live table redraws as rows
# are inserted from another connection, Ctrl-C cancels the subscription
# without an error and the prompt comes back.
. "$(dirname "$0")/lib.sh"
SLUICE="$SL_TOP_BUILDDIR/clients/sluice/sluice"
[ -x "$SLUICE" ] || sl_fail "sluice was not built: $SLUICE"
command -v tmux >/dev/null || sl_fail "tmux is not installed (Debian package tmux)"
sl_start
sq() { "$SLUICE" -h 127.0.0.1 -p "$SL_PORT" -U test -d sluice "$@"; }

sq -q -c "CREATE STREAM ev (k INT, v BIGINT)" \
      -c "CREATE MATERIALIZED VIEW per_k AS SELECT k, count(*) AS n, sum(v) AS total FROM ev GROUP BY k" \
      -c "INSERT INTO ev VALUES (1, 10), (2, 20)" || sl_fail "setup"
got="$(sq -c '\d')"
sl_expect_match 'List of streams' "$got" "\\d streams title"
sl_expect_match ' per_k +\| ev ' "$got" "\\d lists the view"
got="$(sq -c '\d per_k')"
sl_expect_match '^Materialized view "per_k"' "$got" "\\d NAME title"
sl_expect_match ' total +\| numeric' "$got" "\\d NAME columns"
got="$(sq -c '\d ev')"
sl_expect_match 'columns: k integer, v bigint' "$got" "\\d stream"

export TMUX_TMPDIR="$SL_TMP/tmux"
mkdir -p "$TMUX_TMPDIR"
S=sluicesub
tmux new-session -d -s "$S" -x 100 -y 40 \
  "env HOME='$SL_TMP' LANG=C.UTF-8 TERM=xterm '$SLUICE' -h 127.0.0.1 -p '$SL_PORT' -U test -d sluice; echo SLUICE-EXITED-\$?; sleep 30"
trap 'r=$?; tmux kill-session -t "$S" 2>/dev/null; (exit $r); sl_cleanup' EXIT
screen() { tmux capture-pane -t "$S" -p; }
# type a line (tmux would take a trailing ; as its own separator)
typeln() {
  local t="$1"
  case "$t" in *';') t="${t%;}\\;" ;; esac
  tmux send-keys -t "$S" -l -- "$t"; tmux send-keys -t "$S" Enter
}
wait_for() {
  for _ in $(seq 1 100); do
    screen | grep -Eq -- "$1" && return 0
    sleep 0.1
  done
  screen >&2
  sl_fail "screen never showed /$1/ ($2)"
}

wait_for '^sluice=> ?$' "prompt"
typeln '\subscribe per_k'
wait_for '^per_k: progress [0-9]+, 2 rows  \(Ctrl-C to stop\)' "subscription header"
wait_for '^ k \| n \| total *$' "live table header"
wait_for '^ 2 \| 1 \|    20$' "snapshot row"
# changes from another connection redraw the table
sq -q -c "INSERT INTO ev VALUES (2, 5), (3, 7)"
wait_for '^per_k: progress [0-9]+, 3 rows' "redrawn header"
wait_for '^ 2 \| 2 \|    25$' "updated row"
wait_for '^ 3 \| 1 \|     7$' "new row"
screen | grep -Eq '^ 2 \| 1 \|    20$' && sl_fail "the retracted row is still shown"
tmux send-keys -t "$S" C-c
wait_for '^sluice=> ?$' "prompt after Ctrl-C"
screen | grep -q 'ERROR' && { screen >&2; sl_fail "Ctrl-C showed an error"; }
typeln "SELECT 'back' AS still;"
wait_for '^ back$' "session usable after the subscription"
typeln '\q'
wait_for '^SLUICE-EXITED-0$' "\\q"
sl_pass
