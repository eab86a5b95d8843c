#!/usr/bin/env bash
# Static checks of docker/ (tests/docker/check.py): builds the compose-file
# loader (Go, compose-go from the Go module proxy) into BUILD_DIR, then runs
# the checks against this build's stream-app.
#   tests/docker/check.sh STREAM_APP BUILD_DIR [--image-libraries]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
app=$1 out=$2
export PATH="$PATH:/usr/local/go/bin"
if ! command -v go >/dev/null; then
  echo "check.sh: Go is needed to load docker/compose.yaml with compose-go (not found on PATH or /usr/local/go/bin)" >&2
  exit 1
fi
mkdir -p "$out"
(cd "$here/composecheck" && go build -mod=readonly -o "$out/composecheck" .)
exec python3 "$here/check.py" --stream-app "$app" --composecheck "$out/composecheck" "${@:3}"
