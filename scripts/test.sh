#!/usr/bin/env bash
# The test command: installs what is missing, builds with warnings as errors,
# and runs every test (unit + integration against a real local Kafka broker)
# twice: in a Release build and under AddressSanitizer + UBSan.
#
#   scripts/test.sh [--only release|sanitize] [ctest args...]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

variants=(release sanitize)
if [[ "${1:-}" == "--only" ]]; then variants=("$2"); shift 2; fi

scripts/install-deps.sh --with-java
scripts/kafka-local.sh fetch

jobs=$(nproc)
for v in "${variants[@]}"; do
  case $v in
    release) flags=(-DCMAKE_BUILD_TYPE=Release) ;;
    sanitize) flags=(-DCMAKE_BUILD_TYPE=Debug -DSTREAMAPP_SANITIZE=ON) ;;
    *) echo "unknown variant $v" >&2; exit 2 ;;
  esac
  echo "=== $v: build ==="
  cmake -S . -B "build/$v" -G Ninja -DSTREAMAPP_WERROR=ON "${flags[@]}" >/dev/null
  cmake --build "build/$v" -j "$jobs"
  echo "=== $v: tests ==="
  # halt_on_error: a sanitizer report fails the test that caused it.
  ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "build/$v" --output-on-failure --timeout 900 "$@"
done
