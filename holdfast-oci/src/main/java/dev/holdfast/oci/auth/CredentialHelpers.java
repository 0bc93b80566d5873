package dev.holdfast.oci.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
    Process process;
    try {
      process = new ProcessBuilder(executable.toString(), "get").start();
    } catch (IOException e) {
      throw new CredentialException(what + ": cannot start: " + e.getMessage(), e);
    }
    try {
      CompletableFuture<byte[]> stdout = readAsync(process.getInputStream());
      CompletableFuture<byte[]> stderr = readAsync(process.getErrorStream());
      try (OutputStream stdin = process.getOutputStream()) {
        stdin.write(serverUrl.getBytes(StandardCharsets.UTF_8));
      } catch (IOException e) {
        // the helper may exit without reading stdin; its exit status tells what happened
      }
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new CredentialException(what + ": no answer within " + timeout.toSeconds() + "s");
      }
      String out = new String(stdout.get(5, TimeUnit.SECONDS), StandardCharsets.UTF_8);
      String err = new String(stderr.get(5, TimeUnit.SECONDS), StandardCharsets.UTF_8);
      if (process.exitValue() != 0) {
        // On failure the helpers print an error message (not a secret) on stdout.
        String message = (out + " " + err).strip();
        if (message.toLowerCase(java.util.Locale.ROOT).contains(NOT_FOUND)) {
          return Optional.empty();
        }
        throw new CredentialException(what + ": exited with status " + process.exitValue()
            + (message.isEmpty() ? "" : ": " + firstLine(message)));
      }
      return parseAnswer(out, what);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CredentialException(what + ": interrupted", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new CredentialException(what + ": cannot read its output", e);
    } finally {
      process.destroyForcibly();
    }
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

  private static String firstLine(String message) {
    String line = message.lines().findFirst().orElse("");
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }

  /** Drains a stream on a virtual thread, so a chatty helper cannot block on a full pipe. */
  private static CompletableFuture<byte[]> readAsync(InputStream in) {
    CompletableFuture<byte[]> result = new CompletableFuture<>();
    Thread.ofVirtual().name("credential-helper-reader").start(() -> {
      try (in; ByteArrayOutputStream buffer = new ByteArrayOutputStream()) {
        in.transferTo(buffer);
        result.complete(buffer.toByteArray());
      } catch (IOException e) {
        result.completeExceptionally(new UncheckedIOException(e));
      }
    });
    return result;
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
