#!/usr/bin/env bash
# Builds the Kafka Streams side of the benchmark (bench/kstreams/):
#   1. fetches kafka-streams 3.9.1 and its runtime dependencies from Maven
#      Central into <cache>/kstreams-jars-3.9.1 (once; a .complete marker
#      holding the sha256 of pom.xml records a finished fetch, so editing the
#      pom fetches again),
#   2. compiles src/ with javac --release 17 into <cache>/kstreams-bench/classes
#      when a source is newer than the last compile.
# The last stdout line is the classpath to run with:
#   java -cp "$(bench/kstreams/build.sh | tail -1)" dev.streamapp.bench.StreamsBench ...
# Everything else goes to stderr. <cache> = ${STREAMAPP_CACHE_DIR:-<repo>/.cache}.
set -euo pipefail

KAFKA_VERSION=3.9.1
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CACHE="${STREAMAPP_CACHE_DIR:-$ROOT/.cache}"
JARS="$CACHE/kstreams-jars-$KAFKA_VERSION"
OUT="$CACHE/kstreams-bench"
CLASSES="$OUT/classes"
STAMP="$OUT/.compiled"

log() { echo "kstreams-build: $*" >&2; }
die() { log "error: $*"; exit 1; }

fetch_jars() {
  local pom_sum
  pom_sum=$(sha256sum "$HERE/pom.xml" | cut -d' ' -f1)
  [[ -f "$JARS/.complete" && "$(cat "$JARS/.complete")" == "$pom_sum" ]] && return 0
  command -v mvn >/dev/null || "$ROOT/scripts/install-deps.sh" --with-java
  command -v mvn >/dev/null || die "mvn not found"
  log "fetching Kafka Streams $KAFKA_VERSION jars from Maven Central into $JARS"
  rm -rf "$JARS.tmp" && mkdir -p "$JARS.tmp"
  mvn -B -q -f "$HERE/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$JARS.tmp" >&2
  echo "$pom_sum" >"$JARS.tmp/.complete"
  rm -rf "$JARS" && mv "$JARS.tmp" "$JARS"
}

jar_classpath() {
  local cp="" j
  for j in "$JARS"/*.jar; do cp+="${cp:+:}$j"; done
  [[ -n "$cp" ]] || die "no jars in $JARS"
  printf '%s' "$cp"
}

compile() {
  local jcp=$1
  command -v javac >/dev/null || die "javac not found (Java 17 JDK needed)"
  local -a sources
  mapfile -t sources < <(find "$HERE/src" -name '*.java' | sort)
  ((${#sources[@]})) || die "no Java sources under $HERE/src"
  # Recompile when there is no stamp or a source, this script or the jars
  # (their .complete marker) are newer.
  if [[ -f "$STAMP" && -z "$(find "$HERE/src" "$HERE/build.sh" "$JARS/.complete" -newer "$STAMP" -print -quit)" ]]; then
    return 0
  fi
  log "compiling ${#sources[@]} source(s) into $CLASSES"
  mkdir -p "$OUT"
  rm -rf "$CLASSES.tmp" && mkdir -p "$CLASSES.tmp"
  javac --release 17 -Xlint:all -Xlint:-options -Xlint:-processing -encoding UTF-8 \
    -cp "$jcp" -d "$CLASSES.tmp" "${sources[@]}" >&2
  rm -rf "$CLASSES" && mv "$CLASSES.tmp" "$CLASSES"
  touch "$STAMP"
}

main() {
  fetch_jars
  local jcp
  jcp=$(jar_classpath)
  compile "$jcp"
  echo "$CLASSES:$jcp"
}

main "$@"
