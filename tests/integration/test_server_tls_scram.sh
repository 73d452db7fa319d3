#!/usr/bin/env bash
# TLS with a self-signed certificate made here, --tls-required, and
# SCRAM-SHA-256 against a password file made with --make-verifier.
. "$(dirname "$0")/lib.sh"

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
  -keyout "$SL_TMP/server.key" -out "$SL_TMP/server.crt" >/dev/null 2>&1 || sl_fail "openssl could not make a certificate"
chmod 600 "$SL_TMP/server.key"
printf 'secret-pw\n' | "$SLUICED" --make-verifier >"$SL_TMP/verifier" || sl_fail "--make-verifier failed"
grep -q '^SCRAM-SHA-256\$4096:' "$SL_TMP/verifier" || sl_fail "verifier format: $(cat "$SL_TMP/verifier")"
printf 'alice:%s\n' "$(cat "$SL_TMP/verifier")" >"$SL_TMP/passwords"

SL_PORT="$(sl_free_port)"
"$SLUICED" -D "$SL_TMP/data" -p "$SL_PORT" --tls-cert "$SL_TMP/server.crt" --tls-key "$SL_TMP/server.key" \
  --tls-required --auth scram --password-file "$SL_TMP/passwords" >>"$SL_TMP/sluiced.log" 2>&1 &
SL_PID=$!
SL_PIDS+=("$SL_PID")
for _ in $(seq 1 100); do
  [ -S "$SL_TMP/data/.s.PGSQL.$SL_PORT" ] && break
  sleep 0.1
done

conn="host=127.0.0.1 port=$SL_PORT user=alice dbname=sluice"
# TLS + the right password
out="$(PGPASSWORD=secret-pw psql -X "$conn sslmode=require" -Atc 'SELECT 1' 2>&1)" || sl_fail "TLS+SCRAM: $out"
sl_expect 1 "$out" "TLS + SCRAM"
info="$(PGPASSWORD=secret-pw psql -X "$conn sslmode=require" -c '\conninfo' 2>&1)"
sl_expect_match 'SSL connection \(protocol: TLSv1\.[23]' "$info" "psql sees TLS"
# verify-ca against our own certificate
out="$(PGPASSWORD=secret-pw psql -X "$conn sslmode=verify-ca sslrootcert=$SL_TMP/server.crt" -Atc "SELECT 'verified'" 2>&1)" \
  || sl_fail "verify-ca: $out"
sl_expect verified "$out" "verify-ca"
# the wrong password: 28P01 and nothing else
out="$(PGPASSWORD=wrong psql -X "$conn sslmode=require" -c 'SELECT 1' 2>&1 || true)"
sl_expect_match 'password authentication failed for user "alice"' "$out" "wrong password"
out="$(PGPASSWORD=whatever psql -X "host=127.0.0.1 port=$SL_PORT user=mallory dbname=sluice sslmode=require" -c 'SELECT 1' 2>&1 || true)"
sl_expect_match 'password authentication failed for user "mallory"' "$out" "unknown user looks the same"
# without TLS: refused
out="$(PGPASSWORD=secret-pw psql -X "$conn sslmode=disable" -c 'SELECT 1' 2>&1 || true)"
sl_expect_match 'requires TLS' "$out" "tls_required"
# the Unix socket stays trusted
sl_expect local "$(psql -X -h "$SL_TMP/data" -p "$SL_PORT" -U anyone -d sluice -Atc "SELECT 'local'")" "Unix socket trust"
sl_pass
