package dev.holdfast.oci.auth;

import java.util.Objects;

/** A secret that proves who we are to a registry. {@code toString()} never shows the secret. */
public sealed interface Credential {

  /** A user name and password (or personal access token), sent as Basic auth or to a token server. */
  record Basic(String username, String password) implements Credential {
    public Basic {
      Objects.requireNonNull(username, "username");
      Objects.requireNonNull(password, "password");
    }

    @Override
    public String toString() {
      return "Basic[username=" + username + ", password=" + Masking.MASK + "]";
    }
  }

  /**
   * An OAuth2 refresh token (Docker config {@code identitytoken}), exchanged at the registry's
   * token server with {@code grant_type=refresh_token}.
   */
  record IdentityToken(String token) implements Credential {
    public IdentityToken {
      Objects.requireNonNull(token, "token");
    }

    @Override
    public String toString() {
      return "IdentityToken[" + Masking.MASK + "]";
    }
  }

  /**
   * A bearer token sent as-is in {@code Authorization: Bearer} (Docker config {@code registrytoken}).
   */
  record RegistryToken(String token) implements Credential {
    public RegistryToken {
      Objects.requireNonNull(token, "token");
    }

    @Override
    public String toString() {
      return "RegistryToken[" + Masking.MASK + "]";
    }
  }
}
