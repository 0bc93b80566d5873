#!/usr/bin/env bash
# bench/fault-destination-outage.sh [OUTAGE_SECONDS] [IMAGES] -- issue 25's fault test "destination
# registry down for 60 s under load" at full length: holdfast-operator's DestinationOutageIT with the
# outage and the number of images given (defaults: 60 s, 100 images; the test suite runs the same test
# with 15 s and 50 images). The test asserts what it asserts in the suite (see its Javadoc: what was
# lost, what was duplicated); this prints its figures line. Needs what bin/test needs; starts its own
# control plane (bin/testenv) and registries.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../bin/lib/jdk.sh
source "$ROOT/bin/lib/jdk.sh"
holdfast_select_jdk
OUTAGE=${1:-60} IMAGES=${2:-100}
cd "$ROOT"
bin/testenv build
status=0
./mvnw -B -ntp -pl holdfast-operator -am verify -Dtest=DestinationOutageIT -Dsurefire.failIfNoSpecifiedTests=false \
  -Dholdfast.fault.outageSeconds="$OUTAGE" -Dholdfast.fault.images="$IMAGES" || status=$?
grep -h '^Destination outage:' holdfast-operator/target/surefire-reports/*DestinationOutageIT-output.txt || true
exit "$status"
