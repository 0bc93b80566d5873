# shellcheck shell=bash
# Sourced by bin/holdfast. Writes the images that the training run of the JVM's ahead-of-time cache
# copies, besides the samples of examples/upstream. The cache keeps, for every method, the highest
# compilation tier it reached in the training run, and a method the run used often enough to be
# fully compiled there is compiled at once in later runs instead of being profiled again. The
# samples alone (two small images) leave the paths every request runs, and the blob stream, far
# short of that; a training run shaped like Holdfast's main job (many images sharing a base, and
# one large layer) made a 50-image sync ~0.12 CPU-s (~13 %) cheaper. (The training compiles with
# C1 alone and leaves the crypto out, see bin/holdfast; docs/benchmarks.md.)
# Needs only coreutils and tar; the images are deterministic (zero-filled files in uncompressed tar
# layers), so every build trains on the same bytes.

# holdfast_training_blob LAYOUT FILE MEDIATYPE: moves FILE into LAYOUT's blobs and prints its
# descriptor (JSON)
holdfast_training_blob() {
  local layout=$1 file=$2 type=$3 sum size
  sum=$(sha256sum "$file"); sum=${sum%% *}
  size=$(stat -c %s "$file")
  mv "$file" "$layout/blobs/sha256/$sum"
  printf '{"mediaType":"%s","digest":"sha256:%s","size":%d}' "$type" "$sum" "$size"
}

# holdfast_training_layer LAYOUT WORK NAME KIB: an uncompressed tar layer holding one file, NAME:
# KIB KiB of zeros followed by NAME; prints its descriptor
holdfast_training_layer() {
  local layout=$1 work=$2 name=$3 kib=$4
  mkdir -p "$work/files"
  { head -c "${kib}K" /dev/zero; printf '%s' "$name"; } >"$work/files/$name"
  tar -C "$work/files" --owner=0 --group=0 --numeric-owner --mtime=@0 -cf "$work/layer.tar" "$name"
  rm -rf "$work/files"
  holdfast_training_blob "$layout" "$work/layer.tar" application/vnd.oci.image.layer.v1.tar
}

# holdfast_training_layout DIR [COUNT] [BIG_MIB]: an OCI layout in DIR (created) with COUNT images
# (default 40) that share a 4 MiB base layer and each add a 64 KiB layer of their own, and one
# image with a single BIG_MIB MiB layer (default 256). Each is tagged with a full reference,
# registry.example.com/training/img-N:1 and registry.example.com/training/big:1, as
# `holdfast sync --from oci:DIR` expects.
holdfast_training_layout() {
  local dir=$1 count=${2:-40} big=${3:-256} work base own layers name config manifest i
  local entries=()
  mkdir -p "$dir/blobs/sha256"
  work=$(mktemp -d "$dir/.work.XXXXXX")
  base=$(holdfast_training_layer "$dir" "$work" base 4096)
  for ((i = 0; i <= count; i++)); do
    if ((i == 0)); then
      own=$(holdfast_training_layer "$dir" "$work" big $((big * 1024)))
      layers=$own name=registry.example.com/training/big:1
    else
      own=$(holdfast_training_layer "$dir" "$work" "own-$i" 64)
      layers=$base,$own name=registry.example.com/training/img-$i:1
    fi
    # uncompressed layers: each diff ID is the layer's own digest
    printf '{"architecture":"amd64","os":"linux","config":{"Labels":{"name":"%s"}},"rootfs":{"type":"layers","diff_ids":[%s]}}' \
      "$name" "$(grep -o '"sha256:[0-9a-f]*"' <<<"$layers" | paste -sd,)" >"$work/config"
    config=$(holdfast_training_blob "$dir" "$work/config" application/vnd.oci.image.config.v1+json)
    printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":%s,"layers":[%s]}' \
      "$config" "$layers" >"$work/manifest"
    manifest=$(holdfast_training_blob "$dir" "$work/manifest" application/vnd.oci.image.manifest.v1+json)
    entries+=("${manifest%\}},\"annotations\":{\"org.opencontainers.image.ref.name\":\"$name\"}}")
  done
  rm -rf "$work"
  local IFS=,
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[%s]}' "${entries[*]}" >"$dir/index.json"
  printf '{"imageLayoutVersion":"1.0.0"}' >"$dir/oci-layout"
}
