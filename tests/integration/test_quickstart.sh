#!/usr/bin/env bash
# Runs every ```sql block of docs/quickstart.md in order with psql, from the
# repository's top folder, and checks the results the page promises.
. "$(dirname "$0")/lib.sh"
sl_start
awk '/^```sql$/ {on = 1; next} /^```$/ {on = 0} on {print}' "$SL_TOP_SRCDIR/docs/quickstart.md" >"$SL_TMP/quickstart.sql"
[ -s "$SL_TMP/quickstart.sql" ] || sl_fail "no sql blocks in docs/quickstart.md"
out="$(cd "$SL_TOP_SRCDIR" && sl_psql -f "$SL_TMP/quickstart.sql" 2>&1)" || sl_fail "quickstart failed: $out"
sl_expect_match ' /buy  \|    3 \|     3 \|' "$out" "per_page after the file"
sl_expect_match ' /home \|    3 \|     3' "$out" "per_page after the extra insert"
sl_expect_match 'HashAggregate' "$out" "EXPLAIN"
sl_expect_match 'per_page \| clicks' "$out" "SHOW MATERIALIZED VIEWS"
sl_pass
