#!/usr/bin/env bash
# sluice interactively, under tmux: a multi-line statement with the
# continuation prompt, \x, \timing, Ctrl-C at the prompt (clears the line)
# and during a query (cancels it), \q, and the history file.
. "$(dirname "$0")/lib.sh"
SLUICE="$SL_TOP_BUILDDIR/clients/sluice/sluice"
[ -x "$SLUICE" ] || sl_fail "sluice was not built: $SLUICE"
command -v tmux >/dev/null || sl_fail "tmux is not installed (Debian package tmux)"

sl_ref_pg_start   # a scratch PostgreSQL on a socket in $SL_REF_HOST

export TMUX_TMPDIR="$SL_TMP/tmux"
mkdir -p "$TMUX_TMPDIR"
HOMEDIR="$SL_TMP/home"
mkdir -p "$HOMEDIR"
S=sluicetty
tmux new-session -d -s "$S" -x 120 -y 50 \
  "env HOME='$HOMEDIR' LANG=C.UTF-8 TERM=xterm '$SLUICE' -h '$SL_REF_HOST' -p '$SL_REF_PORT' -U postgres -d postgres; echo SLUICE-EXITED-\$?; sleep 30"
trap 'r=$?; tmux kill-session -t "$S" 2>/dev/null; (exit $r); sl_cleanup' EXIT

screen() { tmux capture-pane -t "$S" -p; }
# type a line (tmux would take a trailing ; as its own separator)
typeln() {
  local t="$1"
  case "$t" in *';') t="${t%;}\\;" ;; esac
  tmux send-keys -t "$S" -l -- "$t"; tmux send-keys -t "$S" Enter
}
# wait until the screen matches a regex
wait_for() {
  for _ in $(seq 1 100); do
    screen | grep -Eq -- "$1" && return 0
    sleep 0.1
  done
  screen >&2
  sl_fail "screen never showed /$1/ ($2)"
}

wait_for '^postgres=> ?$' "first prompt"
typeln "SELECT 1 AS one,"
wait_for '^postgres-> ?$' "continuation prompt"
typeln "  'two' AS two, 'it''s (' AS three"
typeln ";"
wait_for '^ one \| two \| three *$' "table header"
wait_for '^   1 \| two \| it.s \($' "table row"
wait_for '^\(1 row\)$' "footer"

typeln '\x'
wait_for '^Expanded display is on\.$' "\\x"
typeln "SELECT 5 AS five, 'v' AS vee;"
wait_for '^-\[ RECORD 1 \]' "expanded record"
wait_for '^five \| 5$' "expanded field"
typeln '\x off'
typeln '\timing'
wait_for '^Timing is on\.$' "\\timing"
typeln "SELECT 42 AS answer;"
wait_for '^Time: [0-9]+\.[0-9]{3} ms$' "timing line"

# Ctrl-C at the prompt drops the half-typed statement
tmux send-keys -t "$S" -l "SELECT 'junk"
sleep 0.3
tmux send-keys -t "$S" C-c
typeln "SELECT 'after-ctrl-c' AS ok;"
wait_for '^ after-ctrl-c$' "statement after Ctrl-C at the prompt"
screen | grep -q 'unterminated' && sl_fail "the dropped line was sent"

# Ctrl-C during a query cancels it and the prompt comes back
typeln "SELECT pg_sleep(60);"
sleep 1
tmux send-keys -t "$S" C-c
wait_for '^(\^C)?Cancel request sent$' "cancel sent"
wait_for '^ERROR:  57014: canceling statement due to user request$' "query cancelled"
typeln "SELECT 'alive' AS still;"
wait_for '^ alive$' "session usable after cancel"

typeln '\q'
wait_for '^SLUICE-EXITED-0$' "\\q exits 0"
[ -s "$HOMEDIR/.sluice_history" ] || sl_fail "no ~/.sluice_history"
grep -q "after-ctrl-c" "$HOMEDIR/.sluice_history" || sl_fail "history lacks a typed line"
sl_pass
