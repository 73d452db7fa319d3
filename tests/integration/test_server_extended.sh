#!/usr/bin/env bash
# A libpq program checks the extended protocol: typed text and binary
# parameters and results, prepared statements, errors, transactions, cancel.
. "$(dirname "$0")/lib.sh"
sl_start --io-threads 1
"$SL_TOP_BUILDDIR/tests/integration/pq_extended" "host=127.0.0.1 port=$SL_PORT user=test dbname=sluice" \
  || sl_fail "pq_extended reported failures"
sl_pass
