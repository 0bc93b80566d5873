#!/usr/bin/env bash
# bench/scale.sh [--small] [--pods N] [--namespaces N] [--images N] [--rewrite Webhook|Patch]
#                [--webhook-load SECONDS] [--workdir DIR]
# The operator at scale (issue 25): `holdfast operator`, a process of its own, against a real control
# plane (bin/testenv) where PODS bare Pods across NAMESPACES namespaces name IMAGES distinct one-layer
# images of a local registry (CNCF distribution); it copies them to a second one. Reports the time
# until every ImageCopy exists and until all are Ready, the operator's peak RSS and heap and its CPU,
# the API server's own count of requests (apiserver_request_total at the operator's start, during the
# run, and for 30 s after) and the status writes per ImageCopy. With --webhook-load SECONDS (default
# 60; 0: none; Webhook mode only) a driver in a JVM of its own sends 1,000 AdmissionReviews/s to the
# operator's own webhook (the URL and CA it registered) from the first Pod on, after 10 s of warm-up.
# Defaults: 10,000 Pods, 100 namespaces, 2,000 images, Webhook; --small: 1,000 Pods, 20 namespaces,
# 200 images. The operator's JVM options: SCALE_OPERATOR_JAVA_OPTS (default: the image's flags, with
# -XX:MaxRAM=512m standing for the chart's 512Mi memory limit). SCALE_TIMEOUT_MINUTES (default 20):
# how long after the first Pod to wait for all Ready. Not part of the test suite; needs what bin/test
# needs.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../bin/lib/jdk.sh
source "$ROOT/bin/lib/jdk.sh"
holdfast_select_jdk
PODS=10000 NAMESPACES=100 IMAGES=2000 REWRITE=Webhook WEBHOOK_LOAD=60
WORK=${TMPDIR:-/tmp}/holdfast-bench-scale
while (($#)); do
  case $1 in
    --small) PODS=1000 NAMESPACES=20 IMAGES=200; shift ;;
    --pods) PODS=$2; shift 2 ;;
    --namespaces) NAMESPACES=$2; shift 2 ;;
    --images) IMAGES=$2; shift 2 ;;
    --rewrite) REWRITE=$2; shift 2 ;;
    --webhook-load) WEBHOOK_LOAD=$2; shift 2 ;;
    --workdir) WORK=$2; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench/scale.sh: unknown option $1 (--help lists them)" >&2; exit 2 ;;
  esac
done
cd "$ROOT"
bin/testenv build
rm -rf "$WORK"; mkdir -p "$WORK"
# the jar, the test classes and their classpath (the last module's file is holdfast-cli's)
./mvnw -B -q -ntp package dependency:build-classpath -DskipTests -Dmdep.outputFile="$WORK/classpath.txt" \
  -Dmdep.includeScope=test
"$JAVA_HOME/bin/java" -Dholdfast.root="$ROOT" -cp "holdfast-cli/target/test-classes:$(cat "$WORK/classpath.txt")" \
  dev.holdfast.cli.bench.Scale holdfast-cli/target/holdfast.jar "$WORK" "$PODS" "$NAMESPACES" "$IMAGES" \
  "$REWRITE" "$WEBHOOK_LOAD" | tee "$WORK/summary.txt"
echo "bench/scale.sh: the report is in $WORK/summary.txt; operator.log, memory.csv and the API server's metrics beside it" >&2
