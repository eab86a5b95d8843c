#!/usr/bin/env bash
# CTest fixture: starts one broker for the integration tests of a run on a
# free port and records its address in STATE/bootstrap; stops it afterwards.
# With STREAMAPP_BOOTSTRAP set, that broker is used and nothing is started.
set -euo pipefail
cmd=$1 state=$2
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
mkdir -p "$state"
case $cmd in
  start)
    if [[ -n "${STREAMAPP_BOOTSTRAP:-}" ]]; then
      echo "$STREAMAPP_BOOTSTRAP" >"$state/bootstrap"
      exit 0
    fi
    # A broker left by an interrupted run is stopped first; its data is dropped.
    "$root/scripts/kafka-local.sh" stop --dir "$state/kafka" >/dev/null 2>&1 || true
    rm -rf "$state/kafka"
    "$root/scripts/kafka-local.sh" start --port auto --dir "$state/kafka" | tail -1 >"$state/bootstrap.tmp"
    mv "$state/bootstrap.tmp" "$state/bootstrap"
    echo "broker at $(cat "$state/bootstrap")"
    ;;
  stop)
    rm -f "$state/bootstrap"
    [[ -n "${STREAMAPP_BOOTSTRAP:-}" ]] && exit 0
    "$root/scripts/kafka-local.sh" stop --dir "$state/kafka"
    ;;
esac
