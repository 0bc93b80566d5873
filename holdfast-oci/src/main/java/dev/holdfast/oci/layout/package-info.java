/**
 * OCI image layouts on disk ({@code oci-layout}, {@code index.json}, {@code blobs/}), read and
 * written the way skopeo's {@code oci:} transport does, with crash-safe writes.
 */
package dev.holdfast.oci.layout;
