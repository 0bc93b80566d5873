/**
 * TLS for registries: PEM bundles parsed block by block ({@link dev.holdfast.oci.tls.PemBundle}),
 * client certificates for mutual TLS ({@link dev.holdfast.oci.tls.ClientIdentity}), certs.d
 * directories ({@link dev.holdfast.oci.tls.CertsDirectories}) and per-registry trust, client
 * certificates and insecure settings ({@link dev.holdfast.oci.tls.TrustConfig}).
 */
package dev.holdfast.oci.tls;
