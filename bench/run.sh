#!/usr/bin/env bash
# bench/run.sh -- Holdfast and skopeo side by side, in the same run, copying between two local
# registries (CNCF distribution `docker-registry`) on 127.0.0.1. Not part of the test suite.
#
# Usage: bench/run.sh [options]
#   --runs N              timed runs per scenario and tool (default 5)
#   --scenarios LIST      comma list of (default start,a,b,c,rss):
#                           start  JVM start-up: `holdfast --version` (java -jar, and bin/holdfast)
#                           a      one image of BIG_LAYERS random layers totalling BIG_SIZE:
#                                  `skopeo copy` vs `holdfast copy`, fresh destination each time
#                           b      SMALL_COUNT images sharing one SMALL_BASE base layer, each with its
#                                  own SMALL_LAYER layer: `skopeo sync --src yaml` vs `holdfast sync`
#                           c      the same syncs again right after (b), destination already complete
#                           rss    peak RSS of `holdfast copy` of BIG_SIZE vs RSS_SIZE (default 4GiB)
#   --tools LIST          skopeo,holdfast (default both; holdfast is skipped with a warning when the
#                         jar has no `copy` command)
#   --alt-jar JAR         also time another build of holdfast (e.g. a branch's), as tool ALT_NAME,
#                         run as `java $HOLDFAST_JAVA_OPTS -jar JAR`; compare with --launcher jar so
#                         that both get the same JVM options
#   --alt-root DIR        also time another checkout's (or unpacked archive's) DIR/bin/holdfast, as
#                         users run it: its own jar and AOT cache (build it first)
#   --alt-env VAR=VALUE   run that other holdfast with VAR=VALUE in its environment (repeatable);
#                         without --alt-jar/--alt-root, it is this holdfast with that environment
#   --alt-name NAME       the other holdfast's name in the results (default holdfast-alt). It ends
#                         one alternative: the --alt-jar/--alt-root/--alt-env before it belong to
#                         it, and several alternatives may follow one another, e.g.
#                         --alt-root ../other --alt-name other --alt-env HOLDFAST_NATIVE_CRYPTO=off --alt-name jdk
#   --big-size SIZE       size of the scenario (a) image (default 1GiB); KiB/MiB/GiB suffixes
#   --big-layers N        layers of the big images (default 8)
#   --small-count N       images in (b)/(c) (default 50)
#   --small-base SIZE     shared base layer (default 16MiB)
#   --small-layer SIZE    own layer of each small image (default 1MiB)
#   --rss-size SIZE       the large image of scenario rss (default 4GiB; needs ~3x that on disk:
#                         layout, registry A, registry B). --rss-size 0 skips the large copy.
#   --rss-runs N          runs per size in scenario rss (default 3)
#   --tls                 serve both registries over HTTPS with a CA generated in WORKDIR/tls
#   --launcher script|jar script (default): time bin/holdfast as users run it, with its JVM flags
#                         (it adds a staleness check and a JDK probe, ~0.05 s); jar: time plain
#                         `java $HOLDFAST_JAVA_OPTS -jar holdfast.jar`, i.e. the JVM's own defaults
#   --workdir DIR         where images, registries, logs and results go (default /tmp/holdfast-bench)
#   --port-a P --port-b P loopback ports of registries A (source) and B (destination) (5401, 5402)
#   --keep                keep image layouts and registry storage (the next run reuses layouts and
#                         registry A's content); default: delete them at exit, keep results
#   -h, --help            this text
#
# What is measured, per timed command (GNU time -v): wall time, client user+sys CPU seconds, peak
# RSS of the client (the largest process: skopeo, or the JVM); and the CPU seconds registries A and
# B spent meanwhile (utime+stime from /proc/PID/stat). Registry B is stopped, wiped and restarted
# before every timed (a), (b) and rss command (wiping a running registry would leave its in-memory
# blob cache lying); (c) follows its tool's (b) without wiping. skopeo runs with a fresh private
# blob-info cache per (a)/(b) run (kept for its (c)); the tool order alternates between runs.
#
# Output: WORKDIR/results.csv (one row per timed command), WORKDIR/summary.md (the markdown table
# printed at the end), WORKDIR/logs/ (each command's output and time -v report).
# Needs: skopeo, docker-registry, curl, python3, GNU time (/usr/bin/time), openssl for --tls, and a
# JDK 21+ (bin/lib/jdk.sh). Missing OS packages are installed with apt-get (root or sudo).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=${TMPDIR:-/tmp}/holdfast-bench RUNS=5 SCEN=start,a,b,c,rss TOOLS=skopeo,holdfast
BIG_SIZE=1GiB BIG_LAYERS=8 SMALL_COUNT=50 SMALL_BASE=16MiB SMALL_LAYER=1MiB
RSS_SIZE=4GiB RSS_RUNS=3 TLS=0 KEEP=0 LAUNCHER=script PA=5401 PB=5402
ALT_NAMES=() ALT_KIND=() ALT_PATH=() ALT_ENV=()   # the alternatives: name, jar|root|same, path, "VAR=VALUE ..."
alt_jar= alt_root= alt_env=()                      # the alternative being read
end_alt() {  # end_alt NAME: the --alt-* options read so far make the alternative NAME
  local kind=same path=
  if [[ -n $alt_jar ]]; then kind=jar path=$alt_jar; fi
  if [[ -n $alt_root ]]; then kind=root path=$alt_root; fi
  ALT_NAMES+=("$1") ALT_KIND+=("$kind") ALT_PATH+=("$path") ALT_ENV+=("${alt_env[*]}")
  alt_jar= alt_root= alt_env=()
}
while [[ $# -gt 0 ]]; do
  case $1 in
    --runs) RUNS=$2; shift 2 ;;             --scenarios) SCEN=$2; shift 2 ;;
    --tools) TOOLS=$2; shift 2 ;;           --big-size) BIG_SIZE=$2; shift 2 ;;
    --big-layers) BIG_LAYERS=$2; shift 2 ;; --small-count) SMALL_COUNT=$2; shift 2 ;;
    --small-base) SMALL_BASE=$2; shift 2 ;; --small-layer) SMALL_LAYER=$2; shift 2 ;;
    --rss-size) RSS_SIZE=$2; shift 2 ;;     --rss-runs) RSS_RUNS=$2; shift 2 ;;
    --tls) TLS=1; shift ;;                  --keep) KEEP=1; shift ;;
    --launcher) LAUNCHER=$2; shift 2 ;;     --workdir) WORK=$2; shift 2 ;;
    --port-a) PA=$2; shift 2 ;;             --port-b) PB=$2; shift 2 ;;
    --alt-jar) alt_jar=$2; shift 2 ;;       --alt-name) end_alt "$2"; shift 2 ;;
    --alt-root) alt_root=$2; shift 2 ;;     --alt-env) alt_env+=("$2"); shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
has() { [[ ,$SCEN, == *,$1,* ]]; }
uses() { [[ ,$TOOLS, == *,$1,* ]]; }
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
die() { echo "run.sh: $*" >&2; exit 1; }
for n in "$RUNS" "$RSS_RUNS" "$BIG_LAYERS" "$SMALL_COUNT" "$PA" "$PB"; do
  [[ $n =~ ^[0-9]+$ ]] || die "'$n' is not a number"
done
[[ $LAUNCHER == jar || $LAUNCHER == script ]] || die "--launcher must be jar or script, not '$LAUNCHER'"
[[ $PA != "$PB" ]] || die "--port-a and --port-b must differ"
for s in ${SCEN//,/ }; do [[ $s =~ ^(start|a|b|c|rss)$ ]] || die "unknown scenario '$s' in --scenarios"; done
for t in ${TOOLS//,/ }; do [[ $t =~ ^(skopeo|holdfast)$ ]] || die "unknown tool '$t' in --tools"; done
if [[ -n $alt_jar || -n $alt_root || ${#alt_env[@]} -gt 0 ]]; then end_alt holdfast-alt; fi
for i in "${!ALT_NAMES[@]}"; do
  name=${ALT_NAMES[$i]}
  [[ $name =~ ^[a-z0-9-]+$ && $name != skopeo && $name != holdfast ]] || die "--alt-name $name: a lower-case word other than skopeo and holdfast"
  [[ ,$TOOLS, != *,$name,* ]] || die "--alt-name $name: given twice"
  case ${ALT_KIND[$i]} in
    jar) [[ -f ${ALT_PATH[$i]} ]] || die "--alt-jar ${ALT_PATH[$i]}: no such file" ;;
    root) [[ -x ${ALT_PATH[$i]}/bin/holdfast ]] || die "--alt-root ${ALT_PATH[$i]}: no bin/holdfast there" ;;
  esac
  for e in ${ALT_ENV[$i]}; do [[ $e =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || die "--alt-env $e: expected VAR=VALUE"; done
  TOOLS+=,$name
done
START_TIME=$SECONDS LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- dependencies ------------------------------------------------------------------------------
need=()
command -v skopeo >/dev/null || need+=(skopeo)
command -v docker-registry >/dev/null || need+=(docker-registry)
command -v curl >/dev/null || need+=(curl)
command -v python3 >/dev/null || need+=(python3)
[[ -x /usr/bin/time ]] || need+=(time)
[[ $TLS == 0 ]] || command -v openssl >/dev/null || need+=(openssl)
if [[ ${#need[@]} -gt 0 ]]; then
  log "installing ${need[*]} with apt-get"
  SUDO=; [[ $(id -u) -eq 0 ]] || SUDO=sudo
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
# shellcheck source=../bin/lib/jdk.sh
source "$ROOT/bin/lib/jdk.sh"
holdfast_select_jdk

mkdir -p "$WORK"/logs; WORK=$(cd "$WORK" && pwd)
A=127.0.0.1:$PA B=127.0.0.1:$PB
CSV=$WORK/results.csv SUMMARY=$WORK/summary.md IMAGES=$WORK/images
TICK=$(getconf CLK_TCK)

for port in "$PA" "$PB"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    die "port $port on 127.0.0.1 is in use; pick others with --port-a/--port-b"
  fi
done

# ---- build: the CLI jar, and the test harness that writes the images ----------------------------
log "building holdfast (bin/holdfast --version) and the test harness"
"$ROOT/bin/holdfast" --version > "$WORK/logs/holdfast-version.txt"
JAR=$ROOT/holdfast-cli/target/holdfast.jar
(cd "$ROOT" && ./mvnw -B -ntp -q -pl holdfast-oci test-compile dependency:build-classpath \
  -Dmdep.outputFile="$WORK/test-classpath.txt" -Dmdep.includeScope=test) > "$WORK/logs/build.txt" 2>&1 \
  || { cat "$WORK/logs/build.txt" >&2; die "building the test harness failed"; }
HARNESS_CP=$ROOT/holdfast-oci/target/test-classes:$ROOT/holdfast-oci/target/classes:$(cat "$WORK/test-classpath.txt")

if [[ $LAUNCHER == jar ]]; then
  # the JVM's defaults: no flags but the caller's
  # shellcheck disable=SC2206
  HF=("$JAVA_HOME/bin/java" ${HOLDFAST_JAVA_OPTS:-} -jar "$JAR")
else
  HF=(env JAVA_HOME="$JAVA_HOME" "$ROOT/bin/holdfast")
fi
for i in "${!ALT_NAMES[@]}"; do  # ALT_<i>: the command line of alternative i
  # shellcheck disable=SC2206 # the environment is a list of VAR=VALUE words
  cmd=(env ${ALT_ENV[$i]})
  case ${ALT_KIND[$i]} in
    # shellcheck disable=SC2206
    jar) cmd+=("$JAVA_HOME/bin/java" ${HOLDFAST_JAVA_OPTS:-} -jar "$(cd "$(dirname "${ALT_PATH[$i]}")" && pwd)/$(basename "${ALT_PATH[$i]}")") ;;
    root) cmd+=(JAVA_HOME="$JAVA_HOME" "$(cd "${ALT_PATH[$i]}" && pwd)/bin/holdfast") ;;
    same) if [[ ${HF[0]} == env ]]; then cmd+=("${HF[@]:1}"); else cmd+=("${HF[@]}"); fi ;;
  esac
  eval "ALT_$i=(\"\${cmd[@]}\")"
done
if uses holdfast && ! "${HF[@]}" copy --help >/dev/null 2>&1; then
  log "WARNING: this holdfast has no 'copy' command yet; timing skopeo only"
  TOOLS=skopeo
fi

# ---- registries -----------------------------------------------------------------------------------
SCHEME=http CURL_TLS=() SK_SRC_TLS=(--src-tls-verify=false) SK_DST_TLS=(--dest-tls-verify=false) HF_TLS=()
if [[ $TLS == 1 ]]; then
  tls=$WORK/tls
  mkdir -p "$tls/certs"
  if [[ ! -f $tls/server.crt ]]; then
    log "creating a test CA and a server certificate for 127.0.0.1 in $tls"
    openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 30 -subj "/CN=holdfast bench CA" \
      -keyout "$tls/ca.key" -out "$tls/certs/ca.crt" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -sha256 -subj "/CN=localhost" \
      -keyout "$tls/server.key" -out "$tls/server.csr" 2>/dev/null
    printf '%s\n' "subjectAltName=DNS:localhost,IP:127.0.0.1" "basicConstraints=critical,CA:FALSE" \
      "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth" > "$tls/server.ext"
    openssl x509 -req -sha256 -days 30 -in "$tls/server.csr" -CA "$tls/certs/ca.crt" -CAkey "$tls/ca.key" \
      -CAcreateserial -out "$tls/server.crt" -extfile "$tls/server.ext" 2>/dev/null
  fi
  # skopeo's cert dir must hold only ca.crt
  SCHEME=https CURL_TLS=(--cacert "$tls/certs/ca.crt")
  SK_SRC_TLS=(--src-cert-dir "$tls/certs") SK_DST_TLS=(--dest-cert-dir "$tls/certs")
  HF_TLS=(--ca-file "$tls/certs/ca.crt")
  if uses holdfast && ! "${HF[@]}" copy --help 2>&1 | grep -q -- --ca-file; then
    log "WARNING: this holdfast copy has no --ca-file; timing skopeo only over TLS"
    TOOLS=skopeo
  fi
fi

declare -A REG_PID
start_reg() {  # start_reg NAME PORT [wipe]: (re)start registry NAME; wipe its storage while stopped
  local name=$1 port=$2 dir=$WORK/reg-$1
  stop_reg "$name"
  [[ ${3:-} == wipe ]] && rm -rf "$dir/storage"
  mkdir -p "$dir/storage"
  {
    echo "version: 0.1"
    echo "log: {level: warn, accesslog: {disabled: true}}"
    echo "storage:"
    echo "  filesystem: {rootdirectory: $dir/storage}"
    echo "  cache: {blobdescriptor: inmemory}"
    echo "  maintenance: {uploadpurging: {enabled: false}}"
    echo "http:"
    echo "  addr: 127.0.0.1:$port"
    echo "  secret: holdfast-bench-$port"
    if [[ $TLS == 1 ]]; then
      echo "  tls: {certificate: $WORK/tls/server.crt, key: $WORK/tls/server.key}"
    fi
  } > "$dir/registry.yml"
  docker-registry serve "$dir/registry.yml" </dev/null >"$dir/registry.log" 2>&1 &
  REG_PID[$name]=$!
  local code deadline=$((SECONDS + 30))
  while :; do
    kill -0 "${REG_PID[$name]}" 2>/dev/null || { tail -n 20 "$dir/registry.log" >&2; die "registry $name exited"; }
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "${CURL_TLS[@]}" "$SCHEME://127.0.0.1:$port/v2/" || true)
    [[ $code == 200 ]] && break
    (( SECONDS < deadline )) || die "registry $name gives no answer on port $port (log: $dir/registry.log)"
    sleep 0.1
  done
}
stop_reg() {
  local pid=${REG_PID[$1]:-}
  [[ -n $pid ]] || return 0
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  unset "REG_PID[$1]"
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
cleanup() {
  local rc=$?
  stop_reg A; stop_reg B
  if [[ $KEEP == 0 ]]; then rm -rf "$WORK/reg-A" "$WORK/reg-B" "$IMAGES" "$WORK/skopeo"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# skopeo with a private configuration and blob-info cache. As root, containers/image keeps that
# cache in /var/lib/containers/cache whatever HOME says; claiming a non-root uid through
# _CONTAINERS_ROOTLESS_UID makes it follow XDG_DATA_HOME (as the test harness's Skopeo class does).
SKD=$WORK/skopeo
fresh_skopeo() {
  rm -rf "$SKD"; mkdir -p "$SKD"/{home,data,config,cache,run,tmp}; chmod 700 "$SKD/run"
  echo '{"default":[{"type":"insecureAcceptAnything"}]}' > "$SKD/policy.json"
  echo 'unqualified-search-registries = []' > "$SKD/registries.conf"
}
SK=(env HOME="$SKD/home" XDG_DATA_HOME="$SKD/data" XDG_CONFIG_HOME="$SKD/config" XDG_CACHE_HOME="$SKD/cache"
    XDG_RUNTIME_DIR="$SKD/run" TMPDIR="$SKD/tmp" CONTAINERS_REGISTRIES_CONF="$SKD/registries.conf"
    REGISTRY_AUTH_FILE="$SKD/auth.json" _CONTAINERS_ROOTLESS_UID=1000 skopeo --policy "$SKD/policy.json")

# ---- images ---------------------------------------------------------------------------------------
gen() {  # gen NAME big|small ARGS... : writes layout IMAGES/NAME once per settings; sets SIZE_<NAME>_*
  local name=$1 out=$IMAGES/$1.out; shift
  if [[ ! -f $out || $(head -n1 "$out") != "# $*" ]]; then
    rm -rf "${IMAGES:?}/$name" "$out"; mkdir -p "$IMAGES"
    log "generating images: $name ($*)"
    { echo "# $*"; "$JAVA_HOME/bin/java" -cp "$HARNESS_CP" dev.holdfast.oci.testing.BenchImages "$1" "$IMAGES/$name" "${@:2}"; } > "$out.tmp"
    mv "$out.tmp" "$out"
  fi
  local k v
  while IFS== read -r k v; do [[ $k == \#* ]] || printf -v "SIZE_${name}_$k" '%s' "$v"; done < "$out"
}
fresh_skopeo
if has a || has rss; then gen big big big "$BIG_SIZE" "$BIG_LAYERS" 1; fi
if has b || has c; then gen small small "$SMALL_COUNT" "$SMALL_BASE" "$SMALL_LAYER"; fi
RSS_BIG=0
if has rss && [[ $RSS_SIZE != 0 ]]; then gen huge big huge "$RSS_SIZE" "$BIG_LAYERS" 4; RSS_BIG=1; fi

# ---- registry A: seeded once (kept with --keep; reused when it already holds the images) ----------
start_reg A "$PA"
seed() {  # seed LAYOUT TAG REPO:TAG -- push unless A already has that manifest
  local want; want=$(python3 -c 'import json,sys; print(next(m["digest"] for m in json.load(open(sys.argv[1]+"/index.json"))["manifests"] if m["annotations"]["org.opencontainers.image.ref.name"]==sys.argv[2]))' "$1" "$2")
  local have; have=$(curl -sI "${CURL_TLS[@]}" -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    "$SCHEME://$A/v2/${3%:*}/manifests/${3##*:}" | tr -d '\r' | awk -F': ' 'tolower($1)=="docker-content-digest"{print $2}')
  if [[ $have == "$want" ]]; then return 0; fi
  "${SK[@]}" copy -q --preserve-digests "${SK_DST_TLS[@]}" "oci:$1:$2" "docker://$A/$3"
}
log "seeding registry A ($SCHEME://$A) with skopeo"
if has a || has rss; then seed "$IMAGES/big" big bench/big:v1; fi
if [[ $RSS_BIG == 1 ]]; then seed "$IMAGES/huge" huge bench/huge:v1; fi
if has b || has c; then
  for i in $(seq 1 "$SMALL_COUNT"); do seed "$IMAGES/small" "small-$i" "bench/small-$i:v1"; done
fi

# image lists for the syncs. skopeo sync without --scoped keeps the last path component
# (A/bench/small-1 -> B/skopeo/small-1); holdfast sync keeps registry and path below the target
# (A/bench/small-1 -> B/holdfast/127.0.0.1_PORT/bench/small-1). Same images, same bytes.
{ echo "$A:"
  if [[ $TLS == 1 ]]; then echo "  cert-dir: $WORK/tls/certs"; else echo "  tls-verify: false"; fi
  echo "  images:"
  for i in $(seq 1 "$SMALL_COUNT"); do echo "    bench/small-$i: [v1]"; done; } > "$WORK/skopeo-sync.yaml"
{ echo "images:"; for i in $(seq 1 "$SMALL_COUNT"); do echo "  - $A/bench/small-$i:v1"; done; } > "$WORK/holdfast-sync.yaml"

# ---- timing -------------------------------------------------------------------------------------
echo "scenario,tool,run,wall_s,user_s,sys_s,cpu_s,max_rss_kb,regA_cpu_s,regB_cpu_s,bytes" > "$CSV"
timed() {  # timed SCENARIO TOOL RUN BYTES CMD... -- one CSV row; stops the script if CMD fails
  local scen=$1 tool=$2 run=$3 bytes=$4; shift 4
  local base=$WORK/logs/$scen-$tool-$run a0 b0=0 a1 b1=0
  a0=$(cpu_ticks "${REG_PID[A]}"); [[ -n ${REG_PID[B]:-} ]] && b0=$(cpu_ticks "${REG_PID[B]}")
  if ! /usr/bin/time -v -o "$base.time" "$@" >"$base.out" 2>"$base.err"; then
    tail -n 20 "$base.err" "$base.out" >&2
    die "$scen/$tool run $run failed: $* (logs: $base.*)"
  fi
  a1=$(cpu_ticks "${REG_PID[A]}"); [[ -n ${REG_PID[B]:-} ]] && b1=$(cpu_ticks "${REG_PID[B]}")
  awk -v s="$scen" -v t="$tool" -v r="$run" -v ca=$((a1 - a0)) -v cb=$((b1 - b0)) -v hz="$TICK" -v by="$bytes" '
    /Elapsed \(wall clock\)/ { n = split($NF, p, ":"); w = 0; for (i = 1; i <= n; i++) w = w * 60 + p[i] }
    /Maximum resident set size/ { rss = $NF }
    /User time/ { u = $NF } /System time/ { sy = $NF }
    END { printf "%s,%s,%s,%.2f,%.2f,%.2f,%.2f,%d,%.2f,%.2f,%s\n", s, t, r, w, u, sy, u + sy, rss, ca / hz, cb / hz, by }' \
    "$base.time" | tee -a "$CSV" | awk -F, '{ printf "    %-5s %-8s run %s: wall %6.2fs  cpu %6.2fs  rss %5.0f MiB  regA %5.2fs  regB %5.2fs\n", $1, $2, $3, $4, $7, $8 / 1024, $9, $10 }' >&2
}
check_dest() {  # check_dest REPO:TAG DIGEST -- B really holds the copy
  local got; got=$(curl -sI "${CURL_TLS[@]}" -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    "$SCHEME://$B/v2/${1%:*}/manifests/${1##*:}" | tr -d '\r' | awk -F': ' 'tolower($1)=="docker-content-digest"{print $2}')
  [[ $got == "$2" ]] || die "after the copy, B has ${got:-nothing} for $1, expected $2"
}
order() {  # the tools, in an order that rotates from run to run
  local list=() t n i out=()
  for t in skopeo holdfast "${ALT_NAMES[@]}"; do if uses "$t"; then list+=("$t"); fi; done
  n=${#list[@]}
  for ((i = 0; i < n; i++)); do out+=("${list[$(( (i + $1 - 1) % n ))]}"); done
  echo "${out[*]}"
}
hf() {  # hf TOOL: the command line of a holdfast build
  local i
  if [[ $1 == holdfast ]]; then echo HF; return; fi
  for i in "${!ALT_NAMES[@]}"; do if [[ ${ALT_NAMES[$i]} == "$1" ]]; then echo "ALT_$i"; return; fi; done
}
copy_big() {  # copy_big SCENARIO TOOL RUN NAME
  local s=$1 t=$2 r=$3 name=$4 bytes digest
  bytes=SIZE_${name}_logical digest=SIZE_${name}_digest
  start_reg B "$PB" wipe
  fresh_skopeo
  if [[ $t == skopeo ]]; then
    timed "$s" "$t" "$r" "${!bytes}" "${SK[@]}" copy -q "${SK_SRC_TLS[@]}" "${SK_DST_TLS[@]}" \
      "docker://$A/bench/$name:v1" "docker://$B/bench/$name:v1"
  else
    local -n cmd=$(hf "$t")
    timed "$s" "$t" "$r" "${!bytes}" "${cmd[@]}" copy "${HF_TLS[@]}" "docker://$A/bench/$name:v1" "docker://$B/bench/$name:v1"
  fi
  check_dest "bench/$name:v1" "${!digest}"
}
sync_small() {  # sync_small TOOL RUN -- scenario b, then c without wiping
  local t=$1 r=$2 first
  start_reg B "$PB" wipe
  fresh_skopeo
  for s in b c; do
    has "$s" || continue
    if [[ $t == skopeo ]]; then
      timed "$s" "$t" "$r" "$SIZE_small_unique" "${SK[@]}" sync --src yaml --dest docker "${SK_DST_TLS[@]}" \
        "$WORK/skopeo-sync.yaml" "$B/skopeo"
      first=skopeo/small-1:v1
    else
      local -n cmd=$(hf "$t")
      timed "$s" "$t" "$r" "$SIZE_small_unique" "${cmd[@]}" sync "${HF_TLS[@]}" --from "$WORK/holdfast-sync.yaml" --to "$B/holdfast"
      first=holdfast/127.0.0.1_$PA/bench/small-1:v1
    fi
    if [[ $s == b ]]; then check_dest "$first" "$(python3 -c 'import json,sys; print(next(m["digest"] for m in json.load(open(sys.argv[1]))["manifests"] if m["annotations"]["org.opencontainers.image.ref.name"]=="small-1"))' "$IMAGES/small/index.json")"; fi
  done
}

if has start && uses holdfast; then
  log "scenario start: JVM start-up, holdfast --version"
  for run in $(seq 1 "$RUNS"); do
    timed start holdfast-jar "$run" 0 "$JAVA_HOME/bin/java" ${HOLDFAST_JAVA_OPTS:-} -jar "$JAR" --version
    timed start holdfast-script "$run" 0 env JAVA_HOME="$JAVA_HOME" "$ROOT/bin/holdfast" --version
  done
fi
if has a; then
  log "scenario a: one $BIG_SIZE image of $BIG_LAYERS layers, $RUNS run(s)"
  for run in $(seq 1 "$RUNS"); do
    for t in $(order "$run"); do copy_big a "$t" "$run" big; done
  done
fi
if has b || has c; then
  log "scenarios b/c: $SMALL_COUNT images sharing a $SMALL_BASE base layer (+$SMALL_LAYER each), $RUNS run(s)"
  for run in $(seq 1 "$RUNS"); do
    for t in $(order "$run"); do sync_small "$t" "$run"; done
  done
fi
if has rss && uses holdfast; then
  log "scenario rss: holdfast copy of $BIG_SIZE$([[ $RSS_BIG == 1 ]] && echo " and $RSS_SIZE"), $RSS_RUNS run(s)"
  for run in $(seq 1 "$RSS_RUNS"); do
    copy_big rss-small holdfast "$run" big
    if [[ $RSS_BIG == 1 ]]; then copy_big rss-large holdfast "$run" huge; fi
  done
fi
stop_reg B

# ---- summary ----------------------------------------------------------------------------------------
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
log "done in $((SECONDS - START_TIME)) s; results in $CSV"
python3 "$ROOT/bench/summary.py" "$CSV" \
  --meta "runs=$RUNS, big=$BIG_SIZE in $BIG_LAYERS layers, small=$SMALL_COUNT x ($SMALL_BASE shared + $SMALL_LAYER), rss-large=$RSS_SIZE, scheme=$SCHEME, launcher=$LAUNCHER, load average $LOAD_START at start, $LOAD_END at end" \
  --sync-limit "$([[ $TLS == 1 ]] && echo 0.5 || echo 0.7)" | tee "$SUMMARY"
