package dev.holdfast.oci.registry;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A repository and whether the call pushes to it: the unit of authorisation for Bearer tokens
 * ({@code repository:<name>:pull}, {@code repository:<name>:pull,push} or {@code
 * repository:<name>:delete}).
 *
 * @see <a href="https://distribution.github.io/distribution/spec/auth/scope/">token scope</a>
 */
record Scope(String repository, boolean push, boolean delete) {

  static Scope pull(String repository) {
    return new Scope(repository, false, false);
  }

  static Scope push(String repository) {
    return new Scope(repository, true, false);
  }

  /** {@code repository:<name>:delete}, which deleting a manifest needs. */
  static Scope delete(String repository) {
    return new Scope(repository, false, true);
  }

  /** The scope string for the token request. */
  String text() {
    return "repository:" + repository + (delete ? ":delete" : push ? ":pull,push" : ":pull");
  }

  /** All scopes as one cache key, order kept. */
  static String key(List<Scope> scopes) {
    return scopes.stream().map(Scope::text).collect(Collectors.joining(" "));
  }
}
