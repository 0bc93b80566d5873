package dev.holdfast.oci.auth;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * One entry of a Docker {@code auths} map (or of a bare {@code .dockercfg} map).
 *
 * <p>Precedence, as the Docker daemon applies it: {@code registrytoken}, then {@code
 * identitytoken}, then {@code auth} (base64 of {@code user:password}), then {@code
 * username}/{@code password}. An entry with none of them (Docker writes {@code {}} when a
 * credential store holds the secret) yields no credential. Messages never contain a value.
 */
final class AuthEntry {
  private AuthEntry() {}

  static Optional<Credential> parse(JsonNode entry, String source, String key) {
    String where = source + ": entry \"" + key + "\"";
    if (!entry.isObject()) {
      throw new CredentialException(where + " must be a JSON object");
    }
    Optional<String> registryToken = text(entry, "registrytoken", where);
    if (registryToken.isPresent()) {
      return Optional.of(new Credential.RegistryToken(registryToken.get()));
    }
    Optional<String> identityToken = text(entry, "identitytoken", where);
    if (identityToken.isPresent()) {
      return Optional.of(new Credential.IdentityToken(identityToken.get()));
    }
    Optional<String> auth = text(entry, "auth", where);
    if (auth.isPresent()) {
      return Optional.of(decodeAuth(auth.get(), where));
    }
    Optional<String> username = text(entry, "username", where);
    Optional<String> password = text(entry, "password", where);
    if (username.isPresent() || password.isPresent()) {
      return Optional.of(new Credential.Basic(username.orElse(""), password.orElse("")));
    }
    return Optional.empty();
  }

  /** A non-empty string field; empty strings count as absent, other types are an error. */
  private static Optional<String> text(JsonNode entry, String field, String where) {
    JsonNode node = entry.get(field);
    if (node == null || node.isNull()) {
      return Optional.empty();
    }
    if (!node.isTextual()) {
      throw new CredentialException(where + ": field \"" + field + "\" must be a string");
    }
    return node.textValue().isEmpty() ? Optional.empty() : Optional.of(node.textValue());
  }

  private static Credential decodeAuth(String auth, String where) {
    String decoded;
    try {
      // strict, as Docker and the kubelet decode it; line breaks some tools add are tolerated
      decoded = new String(Base64.getDecoder().decode(auth.replaceAll("\\s", "")), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      // no cause: the decoder's message may quote the input
      throw new CredentialException(where + ": field \"auth\" is not valid base64");
    }
    int colon = decoded.indexOf(':');
    if (colon < 0) {
      throw new CredentialException(where + ": field \"auth\" must be base64 of \"username:password\""
          + " (no ':' found after decoding)");
    }
    return new Credential.Basic(decoded.substring(0, colon), decoded.substring(colon + 1));
  }
}
