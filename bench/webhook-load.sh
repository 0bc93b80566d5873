#!/usr/bin/env bash
# bench/webhook-load.sh [WebhookLoad options] -- the admission webhook's latency at a fixed rate of
# AdmissionReviews over kept-alive HTTPS (issue 20's acceptance: 1,000/s for 60 s, each Pod with 5
# containers, p99 <= 2 ms, zero registry calls). Not part of the test suite; needs no cluster.
#
# The server (WebhookServer, AdmissionHandler, Prometheus metrics, the operator's own certificate)
# and the load generator share one JVM on loopback: the figures include the client's own CPU, on
# the same cores. Options (defaults): --rate 1000 --seconds 60 --warmup 15 --connections 8
#   --containers 5 --images 200 --client socket|http --out FILE (raw latencies in microseconds).
# JVM options: WEBHOOK_LOAD_JAVA_OPTS (default: the operator's launcher flags, -XX:+UseSerialGC
# -Xmx128m, plus -Xms128m -XX:+AlwaysPreTouch so that heap growth is not measured).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../bin/lib/jdk.sh
source "$ROOT/bin/lib/jdk.sh"
holdfast_select_jdk
WORK=${TMPDIR:-/tmp}/holdfast-bench-webhook
cd "$ROOT"
mkdir -p "$WORK"
# the operator's classes, its test classes and their classpath (the last module's file is the operator's)
./mvnw -B -q -ntp -pl holdfast-operator -am package dependency:build-classpath -DskipTests \
  -Dmdep.outputFile="$WORK/classpath.txt" -Dmdep.includeScope=test
echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) before the JVM starts" >&2
# shellcheck disable=SC2086 # WEBHOOK_LOAD_JAVA_OPTS is a list of options
exec "$JAVA_HOME/bin/java" ${WEBHOOK_LOAD_JAVA_OPTS:--XX:+UseSerialGC -Xms128m -Xmx128m -XX:+AlwaysPreTouch} \
  -cp "holdfast-operator/target/test-classes:holdfast-operator/target/classes:$(cat "$WORK/classpath.txt")" \
  dev.holdfast.operator.webhook.bench.WebhookLoad "$@"
