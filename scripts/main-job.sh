#!/usr/bin/env bash
# The main job, end to end on this machine: installs what is missing, builds
# stream-app, starts a local Kafka broker, generates crypto trades and
# tickers (`stream-app generate crypto`), runs topologies/crypto.yaml on them
# exactly-once, and shows the candles, indicators, alerts and market-cap
# shares it wrote.
#
#   scripts/main-job.sh [--records N] [--seconds S] [--seed S]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
records=200000 seconds=45 seed=42
while (($#)); do
  case $1 in
    --records) records=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    *) echo "usage: $0 [--records N] [--seconds S] [--seed S]" >&2; exit 2 ;;
  esac
done

scripts/install-deps.sh --with-java
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release --target stream-app -j "$(nproc)"
app=build/release/framework/stream-app

bootstrap=$(scripts/kafka-local.sh start --port "${STREAMAPP_PORT:-9092}" | tail -1)
echo "== broker: $bootstrap"
# A fresh run id keeps repeated runs apart: every topic (crypto.* ->
# crypto-<run>.*) and the application id (consumer group, internal topics).
run=$(date +%s)
prefix="crypto-$run"
topology="build/crypto-$run.yaml"
sed -e "s/crypto\./$prefix./g" -e "s/id: crypto-analytics/id: crypto-analytics-$run/" \
  topologies/crypto.yaml >"$topology"
$app validate "$topology"
outputs=(trades.clean ohlcv.1m ohlcv.5m ohlcv.15m ohlcv.1h ohlcv.4h ohlcv.1d indicators.1m alerts tickers.averages
  tickers.volume_change market_cap_share)
topics=("$prefix.trades")
for o in "${outputs[@]}"; do topics+=("$prefix.$o"); done
$app topics create "${topics[@]}" -p 6 -b "$bootstrap" >/dev/null
$app topics create "$prefix.tickers" -p 1 -b "$bootstrap" >/dev/null  # the topology declares 1

echo "== generating $records trades (seed $seed) and the minute tickers"
$app generate crypto --count "$records" --seed "$seed" --topic "$prefix.trades" \
  --set "tickers_topic=$prefix.tickers" --bootstrap-servers "$bootstrap"

echo "== running topologies/crypto.yaml (exactly-once) for ${seconds}s (log: build/crypto-$run.log)"
$app run --topology "$topology" --bootstrap-servers "$bootstrap" --state-dir "build/crypto-$run-state" \
  >"build/crypto-$run.log" 2>&1 &
pid=$!
sleep "$seconds"
kill -TERM "$pid"
wait "$pid"
grep -E 'rec/s in' "build/crypto-$run.log" | tail -1 | cut -c1-240

echo "== output: records per topic (committed transactions only)"
read_topic() { kcat -C -b "$bootstrap" -t "$1" -e -q -X isolation.level=read_committed -f '%k\t%s\n' 2>/dev/null; }
for o in "${outputs[@]}" dlq; do
  printf '   %-28s %s\n' "$prefix.$o" "$(read_topic "$prefix.$o" | wc -l)"
done
echo "== the last 1m candles of BTCUSDT"
read_topic "$prefix.ohlcv.1m" | grep '^BTCUSDT' | tail -3 | python3 scripts/show-records.py candle
echo "== the latest indicators per symbol (1m candles)"
read_topic "$prefix.indicators.1m" | python3 scripts/show-records.py indicators
echo "== alerts (z-score |z| > 3, volume > 3 x the 20-candle mean)"
read_topic "$prefix.alerts" | tail -8 | python3 scripts/show-records.py alert
echo "== market-cap share per coin, the last closed minute"
read_topic "$prefix.market_cap_share" | python3 scripts/show-records.py share
echo "the broker keeps running; stop it with: scripts/kafka-local.sh stop --port ${STREAMAPP_PORT:-9092}"
