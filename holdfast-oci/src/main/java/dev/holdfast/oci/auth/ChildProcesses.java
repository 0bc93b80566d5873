package dev.holdfast.oci.auth;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs the programs that hand out credentials: Docker credential helpers, kubelet credential
 * provider plugins.
 */
final class ChildProcesses {
  private ChildProcesses() {}

  /** How a program ended and what it printed. */
  record Result(int exitCode, byte[] stdout, String stderr) {}

  /**
   * Runs {@code command} with {@code env} added to the environment and {@code input} on stdin.
   *
   * @param what names the program and its purpose in error messages
   * @throws CredentialException when it cannot start, or does not end within {@code timeout}
   */
  static Result run(List<String> command, Map<String, String> env, byte[] input, Duration timeout,
      String what) {
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(env);
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new CredentialException(what + ": cannot start: " + e.getMessage(), e);
    }
    try {
      CompletableFuture<byte[]> stdout = readAsync(process.getInputStream());
      CompletableFuture<byte[]> stderr = readAsync(process.getErrorStream());
      try (OutputStream stdin = process.getOutputStream()) {
        stdin.write(input);
      } catch (IOException e) {
        // the program may exit without reading stdin; its exit status tells what happened
      }
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new CredentialException(what + ": no answer within " + timeout.toSeconds() + "s");
      }
      return new Result(process.exitValue(), stdout.get(5, TimeUnit.SECONDS),
          new String(stderr.get(5, TimeUnit.SECONDS), StandardCharsets.UTF_8));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CredentialException(what + ": interrupted", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new CredentialException(what + ": cannot read its output", e);
    } finally {
      process.destroyForcibly();
    }
  }

  /** The first line of a program's message, at most 200 characters, for an error message. */
  static String firstLine(String message) {
    String line = message == null ? "" : message.lines().findFirst().orElse("");
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }

  /** Drains a stream on a virtual thread, so a chatty program cannot block on a full pipe. */
  private static CompletableFuture<byte[]> readAsync(InputStream in) {
    CompletableFuture<byte[]> result = new CompletableFuture<>();
    Thread.ofVirtual().name("credential-program-reader").start(() -> {
      try (in; ByteArrayOutputStream buffer = new ByteArrayOutputStream()) {
        in.transferTo(buffer);
        result.complete(buffer.toByteArray());
      } catch (IOException e) {
        result.completeExceptionally(new UncheckedIOException(e));
      }
    });
    return result;
  }
}
