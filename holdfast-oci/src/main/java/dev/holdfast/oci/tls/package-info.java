/**
 * TLS trust for registries: PEM bundles parsed block by block ({@link
 * dev.holdfast.oci.tls.PemBundle}) and per-registry trust and insecure settings ({@link
 * dev.holdfast.oci.tls.TrustConfig}).
 */
package dev.holdfast.oci.tls;
