#!/usr/bin/env bash
# The whole benchmark in one command (bench/README.md, docs/benchmarks.md):
# installs what it needs, builds stream-app and bench-tool (Release), fetches
# Kafka Streams 3.9.1 and compiles its side, starts a broker and runs every
# system on every workload; the report lands in bench/results/ (--out DIR).
#
#   bench/run.sh [--smoke] [bench/run.py options]
#
# STREAMAPP_BIN and BENCH_TOOL_BIN name already built binaries (the test
# suite's smoke run); then nothing is built here.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

"$ROOT/scripts/install-deps.sh" --with-java >&2
if [[ -z "${STREAMAPP_BIN:-}" || -z "${BENCH_TOOL_BIN:-}" ]]; then
  cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build/release --target stream-app bench-tool -j "$(nproc)" >&2
  STREAMAPP_BIN="$ROOT/build/release/framework/stream-app"
  BENCH_TOOL_BIN="$ROOT/build/release/bench/tool/bench-tool"
fi
"$ROOT/scripts/kafka-local.sh" fetch
classpath="$("$ROOT/bench/kstreams/build.sh" | tail -1)"

exec python3 "$ROOT/bench/run.py" --stream-app "$STREAMAPP_BIN" --bench-tool "$BENCH_TOOL_BIN" \
  --kstreams-classpath "$classpath" "$@"
