package dev.holdfast.oci.registry;

/**
 * One Distribution API operation (pull a manifest, push a blob, ...): a per-call class builds the
 * {@link Call}s and reads the responses; {@link RegistryCaller} does HTTP, auth, retries and errors.
 */
interface RegistryOperation<T> {

  T run(RegistryCaller caller);

  /** {@code /v2/<repository>/<rest>}. */
  static String path(String repository, String rest) {
    return "/v2/" + repository + "/" + rest;
  }

  /** A {@code Location} the registry returned, resolved against the request it answered. */
  static String location(Response response, String registry, String action) {
    String location = response.header("Location").orElseThrow(() -> new RegistryException(registry,
        action, response.status, null, "the registry's answer has no Location header", null));
    return response.uri.resolve(location.trim()).toString();
  }

  /** Appends a query parameter to a URL that may already have a query. */
  static String withQuery(String url, String parameter) {
    return url + (url.contains("?") ? "&" : "?") + parameter;
  }
}
