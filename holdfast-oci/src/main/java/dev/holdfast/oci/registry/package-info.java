/**
 * A client for the OCI Distribution API over the HTTP transport of {@link dev.holdfast.oci.http}:
 * {@link dev.holdfast.oci.registry.RegistryClient} and its typed exceptions, rooted at {@link
 * dev.holdfast.oci.registry.RegistryException}.
 *
 * <p>Inside, one package-private class per registry call (a {@code RegistryOperation}: {@code
 * ManifestPuller}, {@code BlobPusher}, {@code BlobMounter}, ...) builds requests and reads answers;
 * one caller ({@code RegistryCaller}) sends them through these layers, outermost first:
 *
 * <ol>
 *   <li>retry: connection errors, 408, 429 and 5xx are retried with exponential backoff and jitter,
 *       or after the registry's {@code Retry-After} ({@link dev.holdfast.oci.registry.RetryPolicy}),
       which then holds the whole registry: no call sends to it before the wait is over ({@link
       dev.holdfast.oci.registry.RetryAfterHolds}, shareable between clients);
 *       streamed uploads are not repeated (the caller's stream is gone) but fail retryable;
 *   <li>scheme: HTTPS with verified TLS, except that loopback registries and registries configured
 *       insecure may be plain HTTP, decided once per registry by a {@code GET /v2/} whose
 *       connection the following calls reuse (a registry served over plain HTTP never makes the
 *       client load TLS trust);
 *   <li>the per-registry concurrency limit (an open blob stream holds its permit);
 *   <li>authentication: Basic, or Bearer tokens per repository scope from the token server the
 *       registry's challenge names (GET with Basic credentials, or the OAuth2 POST with an identity
 *       token), cached until shortly before they expire, and one retry on 401 with a fresh one;
 *   <li>redirects, followed by the client with at most 10 hops, sending credentials only to the
 *       registry's own origin.
 * </ol>
 *
 * <p>The transport keeps connections per origin, applies the read timeout to every socket read (a
 * stalled body fails too), and writes each upload from one reusable buffer, so a
 * registry-to-registry copy moves bytes socket, buffer (hashed in place), socket.
 *
 * <p>Every manifest and blob byte is hashed as it arrives; a wrong digest or length is a {@link
 * dev.holdfast.oci.registry.DigestMismatchException} naming both values.
 *
 * @see <a href="https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md">OCI
 *     distribution spec 1.1</a>
 * @see <a href="https://distribution.github.io/distribution/spec/auth/token/">token authentication</a>
 */
package dev.holdfast.oci.registry;
