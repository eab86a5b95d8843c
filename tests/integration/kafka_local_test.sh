#!/usr/bin/env bash
# scripts/kafka-local.sh: a second start on the same port reuses the broker,
# and stop leaves no broker process behind.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dir=$(mktemp -d /tmp/streamapp-kafka-local-test-XXXXXX)
trap '"$root/scripts/kafka-local.sh" stop --dir "$dir" >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

first=$("$root/scripts/kafka-local.sh" start --port auto --dir "$dir" | tail -1)
[[ "$first" =~ ^127\.0\.0\.1:[0-9]+$ ]] || fail "start printed '$first'"
port=${first#127.0.0.1:}
pid=$(cat "$dir/broker.pid")
kill -0 "$pid" || fail "no broker process $pid"
"$root/scripts/kafka-local.sh" status --dir "$dir" | grep -q "running: pid $pid" || fail "status does not report pid $pid"

second=$("$root/scripts/kafka-local.sh" start --port "$port" --dir "$dir" 2>&1 | tail -1)
[[ "$second" == "$first" ]] || fail "second start printed '$second', expected '$first'"
[[ $(cat "$dir/broker.pid") == "$pid" ]] || fail "second start replaced the broker"
(( $(pgrep -f "kafka.Kafka $dir/server.properties" | wc -l) == 1 )) || fail "more than one broker runs from $dir"

"$root/scripts/kafka-local.sh" stop --dir "$dir"
! kill -0 "$pid" 2>/dev/null || fail "broker $pid still runs after stop"
! pgrep -f "kafka.Kafka $dir/server.properties" >/dev/null || fail "a broker process is left behind"
if "$root/scripts/kafka-local.sh" status --dir "$dir"; then fail "status says running after stop"; fi
echo "kafka-local: reuse and stop OK"
