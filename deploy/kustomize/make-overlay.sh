#!/usr/bin/env bash
# deploy/kustomize/make-overlay.sh DIR -- writes into DIR (a new, private directory) the kustomize
# overlay that `make deploy` and `make undeploy` apply: deploy/kustomize/base, plus
#   - the image IMG (default holdfast:VERSION) and the namespace NAMESPACE (default holdfast-system);
#   - the Secret holdfast-registry from REGISTRY_USERNAME, REGISTRY_PASSWORD (and PULL_USERNAME,
#     PULL_PASSWORD), each value kept byte for byte in a file of DIR;
#   - the policy: REGISTRY, REPOSITORY (default: REGISTRY_USERNAME, the account's own namespace on
#     docker.io, quay.io and ghcr.io) and EXCLUDE_NAMESPACES as the operator's environment, as the
#     image clone controller's users set them.
# With --credentials-optional (undeploy) nothing is required. The caller deletes DIR.
set -euo pipefail
dir=${1:?usage: make-overlay.sh DIR [--credentials-optional]}
required=true
[[ ${2:-} == --credentials-optional ]] && required=false
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
version=$(sed -n 's/^ *newTag: *//p' "$here/base/kustomization.yaml")
img=${IMG:-holdfast:$version}
namespace=${NAMESPACE:-holdfast-system}

if $required; then
  missing=()
  for name in REGISTRY REGISTRY_USERNAME REGISTRY_PASSWORD; do [[ -n ${!name:-} ]] || missing+=("$name"); done
  if (( ${#missing[@]} )); then
    echo "make deploy: set ${missing[*]} (REGISTRY is the destination registry: docker.io, quay.io," \
      "ghcr.io or your own; optional: REPOSITORY, EXCLUDE_NAMESPACES, IMG, NAMESPACE)" >&2
    exit 2
  fi
fi

# yaml_string VALUE: VALUE as a double-quoted YAML string
yaml_string() {
  local s=${1//\\/\\\\}
  s=${s//\"/\\\"}
  printf '"%s"' "$s"
}

# IMG: NAME[:TAG] or NAME@DIGEST; a colon after the last slash starts the tag
image_lines() {
  local name=$1 tag=""
  if [[ $name == *@* ]]; then
    printf '    newName: %s\n    digest: %s\n' "$(yaml_string "${name%%@*}")" "$(yaml_string "${name#*@}")"
    return
  fi
  if [[ ${name##*/} == *:* ]]; then
    tag=${name##*:}
    name=${name%:*}
  fi
  printf '    newName: %s\n' "$(yaml_string "$name")"
  [[ -z $tag ]] || printf '    newTag: %s\n' "$(yaml_string "$tag")"
}

umask 077
files=()
for pair in username:REGISTRY_USERNAME password:REGISTRY_PASSWORD pull-username:PULL_USERNAME \
    pull-password:PULL_PASSWORD; do
  key=${pair%%:*} var=${pair#*:}
  if [[ -n ${!var:-} ]]; then
    printf '%s' "${!var}" >"$dir/$key"
    files+=("$key")
  fi
done
checksum=$(cd "$dir" && cat "${files[@]}" </dev/null 2>/dev/null | sha256sum | cut -c1-64)

env_lines=""
repository=${REPOSITORY:-${REGISTRY_USERNAME:-}}
for pair in REGISTRY:${REGISTRY:-} REPOSITORY:$repository EXCLUDE_NAMESPACES:${EXCLUDE_NAMESPACES:-}; do
  name=${pair%%:*} value=${pair#*:}
  [[ -n $value ]] && env_lines+="            - name: $name
              value: $(yaml_string "$value")
"
done

{
  echo "apiVersion: kustomize.config.k8s.io/v1beta1"
  echo "kind: Kustomization"
  echo "namespace: $namespace"
  echo "resources:"
  echo "  - $(realpath --relative-to="$dir" "$here/base")"
  echo "images:"
  echo "  - name: holdfast"
  image_lines "$img"
  echo "secretGenerator:"
  echo "  - name: holdfast-registry"
  echo "    type: Opaque"
  echo "    options:"
  echo "      disableNameSuffixHash: true"
  echo "      labels:"
  echo "        app.kubernetes.io/name: holdfast"
  echo "        app.kubernetes.io/instance: holdfast"
  if (( ${#files[@]} )); then
    echo "    files:"
    for key in "${files[@]}"; do echo "      - $key"; done
  fi
  echo "patches:"
  echo "  - path: policy.yaml"
} >"$dir/kustomization.yaml"

{
  echo "apiVersion: apps/v1"
  echo "kind: Deployment"
  echo "metadata:"
  echo "  name: holdfast"
  echo "spec:"
  echo "  template:"
  echo "    metadata:"
  echo "      annotations:"
  echo "        # a new password rolls the replicas"
  echo "        checksum/credentials: \"$checksum\""
  echo "    spec:"
  echo "      containers:"
  echo "        - name: operator"
  if [[ -n $env_lines ]]; then
    echo "          env:"
    printf '%s' "$env_lines"
  fi
} >"$dir/policy.yaml"
