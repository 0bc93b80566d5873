#!/usr/bin/env python3
"""Builds examples/upstream, the OCI image layout the README's first command copies from.

It is laid out as `holdfast sync --to oci:DIR` writes a layout on the connected side of an air gap:
each image is named by its full original reference. It holds small but real images: a static "hello" program (no C library, hello.c beside this file)
for linux/amd64 and linux/arm64, packed as an OCI index, plus a second image that shares the
program layer and adds a notes layer. The bytes are deterministic (tar mtime 0, gzip without name
or time), so rebuilding gives the same digests.

    sudo apt-get install gcc gcc-aarch64-linux-gnu   # the compilers, only to rebuild
    python3 examples/upstream-src/build.py           # rewrites examples/upstream
"""
import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(os.path.dirname(HERE), "upstream")
CFLAGS = ["-static", "-nostdlib", "-Os", "-s", "-fno-asynchronous-unwind-tables", "-fno-stack-protector",
          "-Wl,--build-id=none", "-Wl,-z,max-page-size=4096"]
COMPILERS = {"amd64": "gcc", "arm64": "aarch64-linux-gnu-gcc"}
OCI = {
    "index": "application/vnd.oci.image.index.v1+json",
    "manifest": "application/vnd.oci.image.manifest.v1+json",
    "config": "application/vnd.oci.image.config.v1+json",
    "layer": "application/vnd.oci.image.layer.v1.tar+gzip",
}


def put(data, media_type, **extra):
    digest = hashlib.sha256(data).hexdigest()
    with open(os.path.join(OUT, "blobs", "sha256", digest), "wb") as f:
        f.write(data)
    d = {"mediaType": media_type, "digest": "sha256:" + digest, "size": len(data)}
    d.update(extra)
    return d


def put_json(obj, media_type, **extra):
    return put(json.dumps(obj, separators=(",", ":"), sort_keys=True).encode(), media_type, **extra)


def layer(files):
    """files: [(path, bytes, mode)] -> (gzip'ed tar bytes, diff_id)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path, data, mode in files:
            info = tarfile.TarInfo(path)
            info.size, info.mode, info.mtime, info.uname, info.gname = len(data), mode, 0, "root", "root"
            tar.addfile(info, io.BytesIO(data))
    tar_bytes = raw.getvalue()
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0, compresslevel=9) as gz:
        gz.write(tar_bytes)
    return out.getvalue(), "sha256:" + hashlib.sha256(tar_bytes).hexdigest()


def image(arch, layers):
    blobs = [(put(data, OCI["layer"]), diff_id) for data, diff_id in layers]
    config = {
        "architecture": arch, "os": "linux",
        "config": {"Entrypoint": ["/hello"], "Labels": {"org.opencontainers.image.source": "holdfast examples"}},
        "rootfs": {"type": "layers", "diff_ids": [diff_id for _, diff_id in blobs]},
        "history": [{"created_by": "examples/upstream-src/build.py"} for _ in blobs],
    }
    manifest = {"schemaVersion": 2, "mediaType": OCI["manifest"], "config": put_json(config, OCI["config"]),
                "layers": [d for d, _ in blobs]}
    return put_json(manifest, OCI["manifest"], platform={"architecture": arch, "os": "linux"})


def main():
    binaries = {}
    with tempfile.TemporaryDirectory() as tmp:
        for arch, cc in COMPILERS.items():
            exe = os.path.join(tmp, "hello-" + arch)
            subprocess.run([cc, *CFLAGS, "-o", exe, os.path.join(HERE, "hello.c")], check=True)
            with open(exe, "rb") as f:
                binaries[arch] = f.read()
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(os.path.join(OUT, "blobs", "sha256"))
    notes = layer([("notes/README", b"A second layer on top of the shared hello layer.\n", 0o644)])
    refs = []
    for name, extra in (("registry.example.com/samples/hello:1.0", []), ("registry.example.com/samples/hello-notes:1.0", [notes])):
        children = [image(arch, [layer([("hello", binaries[arch], 0o755)])] + extra) for arch in COMPILERS]
        index = put_json({"schemaVersion": 2, "mediaType": OCI["index"], "manifests": children}, OCI["index"])
        index["annotations"] = {"org.opencontainers.image.ref.name": name}
        refs.append(index)
    with open(os.path.join(OUT, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    with open(os.path.join(OUT, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "mediaType": OCI["index"], "manifests": refs}, f, indent=2)
    print("wrote", OUT, file=sys.stderr)


if __name__ == "__main__":
    main()
