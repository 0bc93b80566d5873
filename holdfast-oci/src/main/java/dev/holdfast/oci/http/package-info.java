/**
 * The HTTP transport of the registry client: one blocking HTTP/1.1 client (Apache HttpClient 5,
 * classic API) with a keep-alive pool per origin, streamed request and response bodies, the TLS
 * context each request names, and forward proxies ({@link dev.holdfast.oci.http.Proxies}: {@code
 * HTTPS_PROXY}, {@code HTTP_PROXY}, {@code NO_PROXY}, CONNECT tunnels for HTTPS).
 *
 * <p>It knows nothing of registries: redirects, authentication and retries are the registry
 * client's. It sets no system property and reads none.
 */
package dev.holdfast.oci.http;
