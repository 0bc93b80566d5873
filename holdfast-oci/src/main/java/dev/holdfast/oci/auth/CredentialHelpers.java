package dev.holdfast.oci.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Runs Docker credential helpers ({@code docker-credential-<name> get}) found on a search path.
 *
 * <p>The protocol: the server URL on stdin, {@code {"ServerURL":..,"Username":..,"Secret":..}} on
 * stdout; a user name of {@code <token>} means the secret is an identity (refresh) token; a helper
 * that fails saying "credentials not found" has nothing for that server.
 *
 * @see <a href="https://github.com/docker/docker-credential-helpers">docker-credential-helpers</a>
 */
public final class CredentialHelpers {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final String PREFIX = "docker-credential-";
  private static final String NOT_FOUND = "credentials not found";
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final List<Path> searchPath;
  private final Duration timeout;

  private CredentialHelpers(List<Path> searchPath, Duration timeout) {
    this.searchPath = List.copyOf(searchPath);
    this.timeout = timeout;
  }

  /** Helpers found on the directories of the {@code PATH} environment variable. */
  public static CredentialHelpers onSystemPath() {
    return onPath(splitPath(System.getenv("PATH")));
  }

  /** Helpers found in the given directories, in order. */
  public static CredentialHelpers onPath(List<Path> directories) {
    return new CredentialHelpers(directories, Duration.ofSeconds(30));
  }

  /** A copy that stops a helper after {@code timeout}. */
  public CredentialHelpers withTimeout(Duration timeout) {
    return new CredentialHelpers(searchPath, timeout);
  }

  static List<Path> splitPath(String path) {
    List<Path> directories = new ArrayList<>();
    if (path != null) {
      for (String part : path.split(java.io.File.pathSeparator)) {
        if (!part.isEmpty()) {
          directories.add(Path.of(part));
        }
      }
    }
    return directories;
  }

  /** The executable for {@code helper}, if one is on the search path. */
  Optional<Path> find(String helper) {
    if (!NAME.matcher(helper).matches()) {
      throw new CredentialException("invalid credential helper name \"" + helper + "\"");
    }
    for (Path directory : searchPath) {
      Path candidate = directory.resolve(PREFIX + helper);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /**
   * Runs {@code docker-credential-<helper> get} with {@code serverUrl} on stdin.
   *
   * @return the credential, or empty when the helper says it has none for that server
   * @throws CredentialException when the helper is missing, fails, times out or answers nonsense;
   *     the message names the helper and the server, never the helper's answer
   */
  public Optional<Credential> get(String helper, String serverUrl) {
    String what = "credential helper " + PREFIX + helper + " (get " + serverUrl + ")";
    Path executable = find(helper).orElseThrow(() -> new MissingHelperException(
        what + ": no executable " + PREFIX + helper + " on the search path " + searchPath));
    ChildProcesses.Result result = ChildProcesses.run(List.of(executable.toString(), "get"), Map.of(),
        serverUrl.getBytes(StandardCharsets.UTF_8), timeout, what);
    String out = new String(result.stdout(), StandardCharsets.UTF_8);
    if (result.exitCode() != 0) {
      // On failure the helpers print an error message (not a secret) on stdout.
      String message = (out + " " + result.stderr()).strip();
      if (message.toLowerCase(java.util.Locale.ROOT).contains(NOT_FOUND)) {
        return Optional.empty();
      }
      throw new CredentialException(what + ": exited with status " + result.exitCode()
          + (message.isEmpty() ? "" : ": " + ChildProcesses.firstLine(message)));
    }
    return parseAnswer(out, what);
  }

  private static Optional<Credential> parseAnswer(String out, String what) {
    JsonNode answer;
    try {
      answer = MAPPER.readTree(out);
    } catch (IOException e) {
      // no cause and no excerpt: the output may hold a secret
      throw new CredentialException(what + ": answer is not JSON");
    }
    if (answer == null || !answer.isObject()) {
      throw new CredentialException(what + ": answer is not a JSON object");
    }
    String username = answer.path("Username").asText("");
    String secret = answer.path("Secret").asText("");
    if (secret.isEmpty()) {
      return Optional.empty();
    }
    if (username.equals("<token>")) {
      return Optional.of(new Credential.IdentityToken(secret));
    }
    return Optional.of(new Credential.Basic(username, secret));
  }

  @Override
  public String toString() {
    return "CredentialHelpers[searchPath=" + searchPath + "]";
  }

  /** The helper's executable is not on the search path. */
  static final class MissingHelperException extends CredentialException {
    MissingHelperException(String message) {
      super(message);
    }
  }
}
