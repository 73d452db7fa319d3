#!/usr/bin/env bash
# Configures and builds Sluice in a build folder (default: build/).
#   scripts/build.sh [--sanitize] [--builddir DIR]
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
builddir="$top/build"
confargs=(--enable-werror)
while [ $# -gt 0 ]; do
  case "$1" in
    --sanitize) confargs+=(--enable-sanitizers); builddir="$top/build-san" ;;
    --builddir) builddir="$2"; shift ;;
    *) echo "build.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
cd "$top"
if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt Makefile.in ] \
   || [ -n "$(find . -name local.am -newer Makefile.in 2>/dev/null | head -1)" ]; then
  autoreconf -fi >/dev/null
fi
mkdir -p "$builddir"
cd "$builddir"
if [ ! -f Makefile ] || [ "$top/configure" -nt Makefile ]; then
  "$top/configure" -q "${confargs[@]}"
fi
make -s -j"$(nproc)"
echo "$builddir"
