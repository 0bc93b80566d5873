/**
 * Image manifests and indexes (OCI image-spec v1.1 and Docker v2 schema 2): parsing with
 * validation, the exact pulled bytes, descriptors, platforms, and a canonical writer for new
 * indexes. No I/O.
 *
 * <p>Entry points: {@link dev.holdfast.oci.manifest.Manifest#parse}, {@link
 * dev.holdfast.oci.manifest.ImageIndex#of}, {@link dev.holdfast.oci.manifest.MediaTypes#ACCEPT}.
 */
package dev.holdfast.oci.manifest;
