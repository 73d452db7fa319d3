# acked_lib.sh — shared by the tests that ingest with ingest_acked.py and
# compare views with a reference PostgreSQL over exactly the batches that
# are in (test_recovery_crash, test_checkpoint_pgdown, test_log_diskfull).
# Sourced after lib.sh. The test sets:
#   STREAMS (array), STREAMS_CSV, COLS, WITH (assoc: stream -> WITH options),
#   VIEWS (lines name|stream|parallelism|query, @S@ standing for the stream;
#   the first view of each stream must be its batch list:
#   SELECT batch, count(*) AS n ... GROUP BY batch), GEN (the generator's dir)
# and gets: VQ (view -> query), PRES (stream -> its batch view), VIEW_NAMES,
# acked_create, acks, wait_acks, verify.
PY=/usr/bin/python3   # Debian's, with psycopg2 (not a pyenv python3)
GEN_PY="$SL_TOP_SRCDIR/tests/integration/ingest_acked.py"
GEN_PID=

declare -A VQ PRES
VIEW_NAMES=()
acked_parse_views() {
  local name stream par q
  while IFS='|' read -r name stream par q; do
    [ -n "$name" ] || continue
    VQ[$name]="${q//@S@/$stream}"
    VIEW_NAMES+=("$name")
    [ -n "${PRES[$stream]:-}" ] || PRES[$stream]=$name
  done <<<"$VIEWS"
}

# acked_create VIEW_OPTIONS: the streams and their tables in the reference,
# then the views WITH (parallelism = P, VIEW_OPTIONS)
acked_create() {
  local s name stream par q
  for s in "${STREAMS[@]}"; do
    sl_psql -c "CREATE STREAM $s ($COLS) WITH (${WITH[$s]})" || sl_fail "CREATE STREAM $s"
    sl_ref_psql -c "CREATE TABLE public.$s ($COLS)"
  done
  while IFS='|' read -r name stream par q; do
    [ -n "$name" ] || continue
    sl_psql -c "CREATE MATERIALIZED VIEW $name WITH (parallelism = $par, $1) AS ${q//@S@/$stream}" \
      || sl_fail "CREATE MATERIALIZED VIEW $name"
  done <<<"$VIEWS"
}

acks() { cat "$GEN"/w.* 2>/dev/null | grep -c '^A' || true; }
# wait_acks N: until N batches are acknowledged in all (the generator runs)
wait_acks() {
  for _ in $(seq 1 600); do
    [ "$(acks)" -ge "$1" ] && return 0
    kill -0 "$GEN_PID" 2>/dev/null || sl_fail "the load generator exited"
    sleep 0.1
  done
  sl_fail "fewer than $1 batches acknowledged after 60 s ($(acks))"
}

# verify LABEL: the batches in each stream's batch view are the ones they
# must be; every view equals the reference's answer over those batches.
# Leaves the rows that are in under $SL_TMP/exp.LABEL.
verify() {
  local label=$1 out="$SL_TMP/exp.$1" args=() s v expect got summary
  for s in "${STREAMS[@]}"; do
    sl_psql -At -F'|' -c "SELECT batch, n FROM ${PRES[$s]}" >"$SL_TMP/pres.$s" \
      || sl_fail "$label: could not read ${PRES[$s]}"
    args+=("$s=$SL_TMP/pres.$s")
  done
  summary="$("$PY" "$GEN_PY" check --dir "$GEN" --streams "$STREAMS_CSV" --out "$out" "${args[@]}")" \
    || sl_fail "$label: the batches in the views are not the acknowledged ones"
  echo "$label: $summary"
  for s in "${STREAMS[@]}"; do
    sl_ref_psql -c "TRUNCATE public.$s" -c "\\copy public.$s FROM '$out/$s.csv' WITH (FORMAT csv)"
  done
  for v in "${VIEW_NAMES[@]}"; do
    expect="$(sl_ref_psql -At -F'|' -c "SET search_path = public" -c "${VQ[$v]}" | LC_ALL=C sort)"
    got="$(sl_psql -At -F'|' -c "SELECT * FROM $v" | LC_ALL=C sort)" || sl_fail "$label: could not read $v"
    [ -n "$expect" ] || sl_fail "$label: the reference answer for $v is empty"
    if [ "$got" != "$expect" ]; then
      diff <(printf '%s\n' "$expect") <(printf '%s\n' "$got") | head -20 >&2
      sl_fail "$label: view $v differs from PostgreSQL's answer over the batches that are in (< reference, > sluice)"
    fi
  done
  echo "$label: ${#VIEW_NAMES[@]} views equal PostgreSQL's answer"
}
