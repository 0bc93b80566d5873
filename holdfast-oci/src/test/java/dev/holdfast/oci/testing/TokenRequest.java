package dev.holdfast.oci.testing;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * One request the {@link TokenServer} received. Never holds a password.
 *
 * @param method {@code GET} or {@code POST}
 * @param grantType {@code basic} (GET with Basic credentials), {@code anonymous} (GET without),
 *     {@code password} or {@code refresh_token} (OAuth2 POST), or what an unsupported POST sent
 * @param username the user name the client presented, if any
 * @param credentialsSent whether the client presented a password or refresh token
 * @param scopes the raw requested scopes, e.g. {@code repository:demo/app:pull,push}
 * @param status the HTTP status the server answered
 */
public record TokenRequest(
    String method,
    String grantType,
    Optional<String> username,
    boolean credentialsSent,
    List<String> scopes,
    int status) {

  /** Copies the list. */
  public TokenRequest {
    scopes = List.copyOf(scopes);
  }

  /**
   * True when one requested scope names {@code resource} (e.g. {@code repository:demo/app}) with
   * exactly these actions, in any order: {@code hasScope("repository:x", "push", "pull")}.
   */
  public boolean hasScope(String resource, String... actions) {
    Set<String> wanted = new TreeSet<>(Arrays.asList(actions));
    for (String scope : scopes) {
      int last = scope.lastIndexOf(':');
      if (last > 0 && scope.substring(0, last).equals(resource)
          && new TreeSet<>(Arrays.asList(scope.substring(last + 1).split(","))).equals(wanted)) {
        return true;
      }
    }
    return false;
  }

  /** True when the server issued a token. */
  public boolean granted() {
    return status == 200;
  }
}
