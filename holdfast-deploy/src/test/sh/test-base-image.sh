#!/usr/bin/env bash
# test-base-image.sh JAVA_HOME OUT -- makes OUT/base.tar, a base image for the test build of the
# operator's image (`docker save` format, which Jib reads with tar://), with no network: a JRE
# jlinked from JAVA_HOME at /opt/java/openjdk, as eclipse-temurin lays it out, plus the shared
# libraries it loads, copied from this machine. PATH and JAVA_HOME are set as in eclipse-temurin.
# No /tmp and nothing writable: ImageIT runs the image's entrypoint on it as the image's user, as on
# a read-only root file system. Kept while it is newer than this script and JAVA_HOME's release file.
set -euo pipefail
java_home=$1 out=$2
if [[ -s $out/base.tar && $out/base.tar -nt ${BASH_SOURCE[0]} && $out/base.tar -nt $java_home/release ]]; then
  echo "test-base-image: $out/base.tar is current"
  exit 0
fi
rm -rf "$out"
mkdir -p "$out"
rootfs=$out/rootfs
mkdir -p "$rootfs/opt/java" "$rootfs/etc"
# The modules of eclipse-temurin's JRE that an operator could touch (java.se, the HTTP server of the
# webhook and probes, DNS, zip file systems, sun.misc.Unsafe, management).
modules=java.se,jdk.httpserver,jdk.unsupported,jdk.naming.dns,jdk.zipfs,jdk.management,jdk.crypto.ec,jdk.crypto.cryptoki,jdk.charsets,jdk.localedata
"$java_home/bin/jlink" --add-modules "$modules" --output "$rootfs/opt/java/openjdk" \
  --strip-debug --no-man-pages --no-header-files
# the libraries every ELF file of the JRE needs, at the paths the dynamic loader looks in
while IFS= read -r lib; do
  [[ $lib == "$rootfs"/* ]] && continue # the JRE's own libraries
  mkdir -p "$rootfs$(dirname "$lib")"
  cp -L "$lib" "$rootfs$lib"
done < <(find "$rootfs/opt/java/openjdk" -type f \( -name '*.so' -o -path '*/bin/*' \) -print0 \
  | xargs -0 ldd 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// && $1 !~ /:$/ {print $1}' | sort -u)
printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' >"$rootfs/etc/group"
chmod -R go-w "$rootfs"

tar -C "$rootfs" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf "$out/layer.tar" .
diff_id=sha256:$(sha256sum "$out/layer.tar" | cut -c1-64)
cat >"$out/config.json" <<JSON
{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","JAVA_HOME=/opt/java/openjdk"]},"rootfs":{"type":"layers","diff_ids":["$diff_id"]},"history":[{"created_by":"holdfast-deploy/src/test/sh/test-base-image.sh"}]}
JSON
echo '[{"Config":"config.json","RepoTags":["holdfast-test-base:latest"],"Layers":["layer.tar"]}]' >"$out/manifest.json"
tar -C "$out" -cf "$out/base.tar" manifest.json config.json layer.tar
rm -rf "$rootfs" "$out/layer.tar"
echo "test-base-image: $out/base.tar ($(du -h "$out/base.tar" | cut -f1))"
