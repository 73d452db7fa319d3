#!/usr/bin/env bash
# test_storage_diskfull.sh — the stream log on a full disk: a 2 MB tmpfs
# (we are root), appends until ENOSPC get 53100, the log stays consistent
# across a reopen, and appends succeed again once space is freed
# (storage/check_fill); a pool of recycled segments gives its space back.
. "${SL_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"

CHECK_FILL="$SL_TOP_BUILDDIR/storage/check_fill"
[ -x "$CHECK_FILL" ] || sl_fail "$CHECK_FILL is not built (make check builds it)"
[ "$(id -u)" -eq 0 ] || sl_fail "this test mounts a tmpfs and must run as root"

MNT="$SL_TMP/mnt"
mkdir -p "$MNT"
mount -t tmpfs -o size=2m tmpfs "$MNT" || sl_fail "could not mount a tmpfs on $MNT"
diskfull_cleanup() {
  local rc=$?
  umount "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null
  (exit "$rc")   # sl_cleanup takes the test's status from $?
  sl_cleanup
}
trap diskfull_cleanup EXIT

# space to give back later
dd if=/dev/zero of="$MNT/filler" bs=64k count=8 status=none || sl_fail "filler"
"$CHECK_FILL" fill "$MNT/log" "$MNT/filler" >"$SL_TMP/fill.out" 2>&1 \
  || { cat "$SL_TMP/fill.out" >&2; sl_fail "check_fill fill"; }
cat "$SL_TMP/fill.out"
grep -q 'could not extend stream log: no space left on device' "$SL_TMP/fill.out" || sl_fail "no 53100 message"
# nothing was cut at reopen: the failed writes left no torn tail
! grep -q 'torn or corrupt' "$SL_TMP/fill.out" || sl_fail "a reopen found a torn tail"

# a fresh process reads every batch back
"$CHECK_FILL" verify "$MNT/log" >"$SL_TMP/verify.out" 2>&1 \
  || { cat "$SL_TMP/verify.out" >&2; sl_fail "check_fill verify"; }
cat "$SL_TMP/verify.out"
! grep -q 'torn or corrupt' "$SL_TMP/verify.out" || sl_fail "verify found a torn tail"

# recycled segments on a full disk: the pool gives its space back and the
# append that found the disk full succeeds
rm -rf "$MNT/log" "$MNT/filler"
mkdir -p "$MNT/pool"
"$CHECK_FILL" pool "$MNT/plog" "$MNT/pool" >"$SL_TMP/pool.out" 2>&1 \
  || { cat "$SL_TMP/pool.out" >&2; sl_fail "check_fill pool"; }
cat "$SL_TMP/pool.out"
grep -q 'disk full: deleted .* bytes of recycled segments' "$SL_TMP/pool.out" || sl_fail "no warning for the pool"
sl_pass
