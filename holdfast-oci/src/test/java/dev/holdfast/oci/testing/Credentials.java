package dev.holdfast.oci.testing;

import java.util.Objects;

/** A user name and password for a test registry; {@link #toString()} masks the password. */
public record Credentials(String username, String password) {

  /** Validates the parts (no ':' in the user name, as Basic auth cannot carry it). */
  public Credentials {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
    if (username.isEmpty() || username.contains(":")) {
      throw new IllegalArgumentException("invalid user name '" + username + "'");
    }
  }

  /** {@code user:password}, the form skopeo's {@code --creds} takes. */
  public String colonSeparated() {
    return username + ":" + password;
  }

  /** The same user with another password, for "wrong password" tests. */
  public Credentials withPassword(String otherPassword) {
    return new Credentials(username, otherPassword);
  }

  @Override
  public String toString() {
    return "Credentials[username=" + username + ", password=***]";
  }
}
