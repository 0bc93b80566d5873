# shellcheck shell=bash
# Sourced by bin/* and .ci/run. Selects a JDK 21 or newer and exports JAVA_HOME and PATH.
# Order: $JAVA_HOME if it is 21+, else `java` on PATH if it is 21+, else the newest JDK 21+
# under /usr/lib/jvm; otherwise it stops with a message that says what it looked for.

holdfast_java_major() {  # holdfast_java_major JAVA_BIN -> major version on stdout, or nothing
  local java=$1 home line
  # A JDK's `release` file names its version: reading it is much cheaper than starting a JVM. Bash
  # builtins only, but for resolving a symlinked binary (/usr/bin/java): bin/holdfast runs this on
  # every command, and each external program costs a fork and an exec.
  [[ -L $java ]] && java=$(readlink -f "$java")
  home=${java%/*}; home=${home%/*}
  if [[ -f $home/release ]]; then
    while IFS= read -r line; do
      [[ $line == JAVA_VERSION=* ]] || continue
      line=${line#JAVA_VERSION=}; line=${line//\"/}; line=${line#1.}; line=${line%%[.+-]*}
      if [[ $line =~ ^[0-9]+$ ]]; then echo "$line"; return; fi
      break
    done <"$home/release"
  fi
  line=$("$1" -XshowSettings:properties -version 2>&1 | grep -m1 'java.specification.version' || true)
  line=${line##*= }
  line=${line#1.}
  [[ $line =~ ^[0-9]+$ ]] && echo "$line"
}

# holdfast_jdk_home JAVA_BIN -> the JDK directory of that binary, symlinks resolved
holdfast_jdk_home() {
  local java
  java=$(readlink -f "$1")
  java=${java%/*}
  echo "${java%/*}"
}

holdfast_select_jdk() {
  local min=21 major candidate best="" best_major=0 looked=()
  if [[ -n ${JAVA_HOME:-} ]]; then
    looked+=("JAVA_HOME=$JAVA_HOME")
    if [[ -x $JAVA_HOME/bin/java ]]; then
      major=$(holdfast_java_major "$JAVA_HOME/bin/java")
      if [[ -n $major && $major -ge $min ]]; then export JAVA_HOME; export PATH="$JAVA_HOME/bin:$PATH"; return 0; fi
      looked[-1]+=" (Java ${major:-unknown})"
    else
      looked[-1]+=" (no bin/java)"
    fi
  fi
  if candidate=$(command -v java 2>/dev/null); then
    major=$(holdfast_java_major "$candidate")
    looked+=("java on PATH: $candidate (Java ${major:-unknown})")
    if [[ -n $major && $major -ge $min ]]; then
      JAVA_HOME=$(holdfast_jdk_home "$candidate")
      export JAVA_HOME; export PATH="$JAVA_HOME/bin:$PATH"; return 0
    fi
  else
    looked+=("java on PATH: none")
  fi
  for candidate in /usr/lib/jvm/*/bin/java; do
    [[ -x $candidate ]] || continue
    major=$(holdfast_java_major "$candidate")
    [[ -n $major ]] || continue
    if (( major >= min && major > best_major )); then best=$candidate; best_major=$major; fi
  done
  looked+=("/usr/lib/jvm/*")
  if [[ -n $best ]]; then
    JAVA_HOME=$(holdfast_jdk_home "$best")
    export JAVA_HOME; export PATH="$JAVA_HOME/bin:$PATH"; return 0
  fi
  {
    echo "holdfast: needs a JDK $min or newer, and found none."
    echo "  looked at:"
    printf '    - %s\n' "${looked[@]}"
    echo "  install one (for example: apt-get install openjdk-21-jdk-headless, or a Temurin JDK under /usr/lib/jvm),"
    echo "  or point JAVA_HOME at it."
  } >&2
  return 1
}
