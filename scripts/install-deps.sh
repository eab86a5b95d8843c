#!/usr/bin/env bash
# The one place that installs what building, testing and running streamapp
# needs from Debian. Idempotent: when every package is present it returns in
# well under a second without touching apt.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config
  librdkafka-dev librocksdb-dev
  libprotobuf-dev libprotoc-dev protobuf-compiler
  libyaml-cpp-dev libspdlog-dev libfmt-dev
  libboost-program-options-dev
  libgtest-dev libgmock-dev
  libsimdjson-dev libcpp-httplib-dev
  kcat python3 clang-format
  graphviz  # checks `stream-app describe --format dot` output in the tests
  python3-jsonschema python3-yaml  # the shipped topologies against docs/topology.schema.json
)
# Only the local Kafka broker needs these (scripts/kafka-local.sh).
JAVA_PACKAGES=(default-jdk-headless maven)

want=("${PACKAGES[@]}")
if [[ "${1:-}" == "--with-java" ]]; then want+=("${JAVA_PACKAGES[@]}"); fi

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# A JDK or Maven installed outside apt (e.g. a preinstalled toolchain) is fine.
if [[ "${1:-}" == "--with-java" ]]; then
  command -v java >/dev/null && missing=("${missing[@]/default-jdk-headless/}")
  command -v mvn >/dev/null && missing=("${missing[@]/maven/}")
fi
read -r -a missing <<<"${missing[*]:-}"
(( ${#missing[@]} == 0 )) && exit 0

echo "install-deps: installing ${missing[*]}" >&2
SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
