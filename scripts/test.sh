#!/usr/bin/env bash
# The README's second command: install what is needed, build, and run the
# whole test suite (unit and integration). --sanitize builds and runs it
# under AddressSanitizer and UndefinedBehaviorSanitizer in build-san/.
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
"$top/scripts/deps.sh"
builddir="$("$top/scripts/build.sh" "$@" | tail -1)"
cd "$builddir"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$top/tests/lsan.supp:print_suppressions=0"
status=0
make -s -j2 check || status=$?
# One closing line for people and CI: the sum over every test program.
p=0; f=0
for log in $(find . -name '*.trs'); do
  r=$(sed -n 's/^:test-result: //p' "$log")
  case "$r" in PASS|XFAIL) p=$((p+1));; SKIP) ;; *) f=$((f+1));; esac
done
if [ "$status" -ne 0 ]; then
  echo "---- failing test logs ----"
  for log in $(find . -name '*.trs'); do
    if ! grep -q '^:test-result: PASS' "$log"; then cat "${log%.trs}.log"; fi
  done
fi
echo "test programs: $p passed, $f failed"
exit "$status"
