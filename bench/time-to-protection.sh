#!/usr/bin/env bash
# bench/time-to-protection.sh [RUNS] [LAYERS] [LAYER_BYTES] -- how long after a Deployment names a
# new image the operator has a verified copy (ImageCopy Ready) and the Deployment points at it, next
# to `holdfast copy` of the same image between the same two local registries. Not part of the test
# suite. Needs what bin/test needs; starts its own control plane (bin/testenv) and registries.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../bin/lib/jdk.sh
source "$ROOT/bin/lib/jdk.sh"
holdfast_select_jdk
RUNS=${1:-5} LAYERS=${2:-4} LAYER_BYTES=${3:-33554432}
WORK=${TMPDIR:-/tmp}/holdfast-bench-ttp
cd "$ROOT"
bin/testenv build
rm -rf "$WORK"; mkdir -p "$WORK"
# the jar, the test classes and their classpath (the last module's file is holdfast-cli's)
./mvnw -B -q -ntp package dependency:build-classpath -DskipTests -Dmdep.outputFile="$WORK/classpath.txt" \
  -Dmdep.includeScope=test
exec "$JAVA_HOME/bin/java" -Dholdfast.root="$ROOT" -cp "holdfast-cli/target/test-classes:$(cat "$WORK/classpath.txt")" \
  dev.holdfast.cli.bench.TimeToProtection holdfast-cli/target/holdfast.jar "$WORK" "$RUNS" "$LAYERS" "$LAYER_BYTES"
