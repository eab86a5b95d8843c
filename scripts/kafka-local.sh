#!/usr/bin/env bash
# A real single-node Apache Kafka broker (KRaft, loopback) for local runs and
# tests, from Maven Central jars cached in <repo>/.cache (git-ignored).
#
#   kafka-local.sh start  [--port N|auto] [--dir D]   last stdout line: 127.0.0.1:PORT
#   kafka-local.sh stop   [--port N] [--dir D]
#   kafka-local.sh status [--port N] [--dir D]
#   kafka-local.sh fetch                              only fetch the jars
#
# The broker's files (config, data, log, pid) live in D, by default
# <repo>/.cache/kafka-local/<port>. A start on a port where a broker already
# answers reuses it.
set -euo pipefail

KAFKA_VERSION=3.9.1
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${STREAMAPP_CACHE_DIR:-$ROOT/.cache}"
JARS="$CACHE/kafka-jars-$KAFKA_VERSION"

log() { echo "kafka-local: $*" >&2; }
die() { log "error: $*"; exit 1; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# True when a Kafka broker answers a metadata request on the port.
broker_answers() {
  kcat -b "127.0.0.1:$1" -L -m 3 -J >/dev/null 2>&1
}

ensure_tools() {
  "$ROOT/scripts/install-deps.sh" --with-java
}

fetch_jars() {
  [[ -f "$JARS/.complete" ]] && return 0
  ensure_tools
  log "fetching Apache Kafka $KAFKA_VERSION jars from Maven Central into $JARS"
  rm -rf "$JARS.tmp" && mkdir -p "$JARS.tmp"
  mvn -B -q -f "$ROOT/scripts/kafka/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$JARS.tmp" >&2
  touch "$JARS.tmp/.complete"
  rm -rf "$JARS" && mv "$JARS.tmp" "$JARS"
}

pid_alive() { [[ -f "$1/broker.pid" ]] && kill -0 "$(cat "$1/broker.pid")" 2>/dev/null; }

write_config() {
  local dir=$1 port=$2 cport=$3
  cat >"$dir/server.properties" <<CONF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$dir/data
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=6
group.initial.rebalance.delay.ms=0
group.min.session.timeout.ms=1000
auto.create.topics.enable=false
delete.topic.enable=true
log.flush.interval.messages=9223372036854775807
# Abort the transactions of crashed producers soon after they time out
# (default 10 s between checks), so exactly-once tests do not wait for it.
transaction.abort.timed.out.transaction.cleanup.interval.ms=1000
# No time-based retention by default: generated data (stream-app generate)
# carries past event times, which the default 7 days would delete within
# minutes. Topics that set retention.ms (window changelogs) keep theirs.
log.retention.ms=-1
CONF
  cat >"$dir/log4j.properties" <<CONF
log4j.rootLogger=WARN, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=$dir/broker.log
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.server.KafkaServer=INFO
log4j.logger.kafka.server.KafkaRaftServer=INFO
CONF
}

cmd_start() {
  local port=$1 dir=$2
  if [[ "$port" == auto ]]; then port=$(free_port); fi
  [[ -z "$dir" ]] && dir="$CACHE/kafka-local/$port"
  if broker_answers "$port"; then
    log "reusing the broker that answers on 127.0.0.1:$port"
    echo "127.0.0.1:$port"
    return 0
  fi
  pid_alive "$dir" && die "a broker (pid $(cat "$dir/broker.pid")) runs from $dir but does not answer on $port"
  fetch_jars
  mkdir -p "$dir"
  local cport
  cport=$(free_port)
  write_config "$dir" "$port" "$cport"
  local cp="$JARS/*"
  if [[ ! -f "$dir/data/meta.properties" ]]; then
    local cluster_id
    cluster_id=$(java -cp "$cp" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)
    java -cp "$cp" -Dlog4j.configuration="file:$dir/log4j.properties" \
      kafka.tools.StorageTool format -t "$cluster_id" -c "$dir/server.properties" >"$dir/format.log" 2>&1 ||
      die "formatting the log dir failed: $(cat "$dir/format.log")"
  fi
  log "starting Kafka $KAFKA_VERSION on 127.0.0.1:$port (files in $dir)"
  # setsid: the broker must outlive the calling shell and not take its signals.
  setsid java -Xms256m -Xmx1g -XX:+UseG1GC -XX:TieredStopAtLevel=1 -Xshare:auto \
    -Djava.awt.headless=true -Dlog4j.configuration="file:$dir/log4j.properties" \
    -cp "$cp" kafka.Kafka "$dir/server.properties" >"$dir/stdout.log" 2>&1 </dev/null &
  echo $! >"$dir/broker.pid"
  echo "$port" >"$dir/port"
  local deadline=$((SECONDS + ${STREAMAPP_KAFKA_START_TIMEOUT:-120}))
  until broker_answers "$port"; do
    if ! pid_alive "$dir"; then
      tail -20 "$dir/broker.log" "$dir/stdout.log" >&2 || true
      die "the broker exited during start"
    fi
    ((SECONDS < deadline)) || { cmd_stop "$port" "$dir"; die "the broker did not answer within the timeout"; }
    sleep 0.2
  done
  log "ready"
  echo "127.0.0.1:$port"
}

cmd_stop() {
  local port=$1 dir=$2
  [[ -z "$dir" ]] && dir="$CACHE/kafka-local/$port"
  if ! pid_alive "$dir"; then
    log "no broker started from $dir is running"
    rm -f "$dir/broker.pid"
    return 0
  fi
  local pid
  pid=$(cat "$dir/broker.pid")
  kill -TERM "$pid"
  for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then
    log "broker $pid ignored SIGTERM for 30 s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$dir/broker.pid"
  log "stopped broker $pid"
}

cmd_status() {
  local port=$1 dir=$2
  [[ -z "$dir" ]] && dir="$CACHE/kafka-local/$port"
  [[ -f "$dir/port" ]] && port=$(cat "$dir/port")
  if pid_alive "$dir"; then
    echo "running: pid $(cat "$dir/broker.pid") on 127.0.0.1:$port"
  elif broker_answers "$port"; then
    echo "running: a broker not started from $dir answers on 127.0.0.1:$port"
  else
    echo "stopped"
    return 3
  fi
}

main() {
  local cmd=${1:-}
  shift || true
  local port=9092 dir=""
  while (($#)); do
    case $1 in
      --port) port=$2; shift 2 ;;
      --dir) dir=$2; shift 2 ;;
      *) die "unknown argument '$1' (expected --port N or --dir D)" ;;
    esac
  done
  # stop/status given only --dir: the port is recorded there.
  if [[ -n "$dir" && -f "$dir/port" && "$cmd" != start ]]; then port=$(cat "$dir/port"); fi
  case $cmd in
    start) cmd_start "$port" "$dir" ;;
    stop) cmd_stop "$port" "$dir" ;;
    status) cmd_status "$port" "$dir" ;;
    fetch) fetch_jars ;;
    *) die "usage: kafka-local.sh start|stop|status [--port N|auto] [--dir D] | fetch" ;;
  esac
}

main "$@"
