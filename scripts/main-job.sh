#!/usr/bin/env bash
# The main job, end to end on this machine: installs what is missing, builds
# stream-app, starts a local Kafka broker, writes sample orders, runs
# topologies/example.yaml (every stateless step) on them, and shows the output.
#
#   scripts/main-job.sh [--records N] [--seconds S]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
records=2000 seconds=15
while (($#)); do
  case $1 in
    --records) records=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    *) echo "usage: $0 [--records N] [--seconds S]" >&2; exit 2 ;;
  esac
done

scripts/install-deps.sh --with-java
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release --target stream-app -j "$(nproc)"
app=build/release/framework/stream-app

bootstrap=$(scripts/kafka-local.sh start --port "${STREAMAPP_PORT:-9092}" | tail -1)
echo "== broker: $bootstrap"
# A fresh run id keeps repeated runs apart (topics and consumer group).
run=$(date +%s)
sed -e "s/id: example-app/id: example-app-$run/" -e "s/topic: orders\$/topic: orders-$run/" \
  topologies/example.yaml >"build/example-$run.yaml"
$app validate "build/example-$run.yaml"
$app topics create "orders-$run" -p 6 -b "$bootstrap" >/dev/null
$app topics create orders-big orders-de orders-fr orders-us orders-es orders-unknown order-items order-totals \
  -p 6 -b "$bootstrap" --if-not-exists >/dev/null

echo "== writing $records sample orders to orders-$run"
python3 scripts/example-orders.py "$records" | kcat -P -b "$bootstrap" -t "orders-$run" -K $'\t'

echo "== running topologies/example.yaml for ${seconds}s (log: build/example-$run.log)"
$app run --topology "build/example-$run.yaml" --bootstrap-servers "$bootstrap" >"build/example-$run.log" 2>&1 &
pid=$!
sleep "$seconds"
kill -TERM "$pid"
wait "$pid"
# The worker's own lines; the example's peek steps log every record.
grep -v -e '-peek ' "build/example-$run.log" | cut -c1-200

echo "== output (records per topic; a sample of each)"
for t in orders-big orders-de orders-fr orders-us orders-es orders-unknown order-items order-totals \
  "example-app-$run-dlq"; do
  n=$(kcat -C -b "$bootstrap" -t "$t" -e -q -f '%k\n' 2>/dev/null | wc -l)
  echo "-- $t: $n record(s) in the topic"
  kcat -C -b "$bootstrap" -t "$t" -e -q -c 2 -f '   key=%k value=%s\n' 2>/dev/null || true
done
echo "the broker keeps running; stop it with: scripts/kafka-local.sh stop --port ${STREAMAPP_PORT:-9092}"
