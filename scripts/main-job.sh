#!/usr/bin/env bash
# The main job, end to end on this machine: installs what is missing, builds
# stream-app, starts a local Kafka broker and runs the demo against it.
#
# Today the demo is the broker smoke path (a transactional round trip through
# the real broker); it grows into the crypto pipeline as the product does.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
scripts/install-deps.sh --with-java
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release -j "$(nproc)"
bootstrap=$(scripts/kafka-local.sh start --port "${STREAMAPP_PORT:-9092}" | tail -1)
echo "broker: $bootstrap"
build/release/framework/stream-app --version
STREAMAPP_BOOTSTRAP="$bootstrap" build/release/tests/integration_tests --gtest_filter='BrokerSmoke.*'
echo "the broker keeps running; stop it with: scripts/kafka-local.sh stop --port ${STREAMAPP_PORT:-9092}"
