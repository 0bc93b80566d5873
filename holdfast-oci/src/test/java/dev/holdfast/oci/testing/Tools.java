package dev.holdfast.oci.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Finds and runs the external programs the harness needs, with errors that say what to install. */
final class Tools {

  /** Debian/Ubuntu package of each program. */
  private static final Map<String, String> PACKAGES = Map.of(
      "docker-registry", "docker-registry",
      "skopeo", "skopeo",
      "openssl", "openssl",
      "htpasswd", "apache2-utils",
      "tinyproxy", "tinyproxy");

  /** Exit code and output of a finished program. */
  record Result(int exitCode, byte[] stdoutBytes, String stderr) {
    String stdout() {
      return new String(stdoutBytes, StandardCharsets.UTF_8);
    }
  }

  private Tools() {}

  /** The absolute path of {@code program} on PATH, or an exception naming the package. */
  static Path find(String program) {
    return find(program, System.getenv().getOrDefault("PATH", ""));
  }

  static Path find(String program, String path) {
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, program);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    String pkg = PACKAGES.getOrDefault(program, program);
    throw new IllegalStateException("'" + program + "' was not found on PATH; the registry test"
        + " harness needs it. Install the package '" + pkg + "' (Debian/Ubuntu: sudo apt-get"
        + " install " + pkg + "), or run .ci/run which installs it.");
  }

  /**
   * Runs a program to completion (stdin closed) and returns its output; never throws on a
   * non-zero exit. {@code env} entries are added to (or, with a null value, removed from) the
   * inherited environment.
   */
  static Result run(List<String> command, Map<String, String> env, Duration timeout) {
    List<String> cmd = new ArrayList<>(command);
    cmd.set(0, find(cmd.get(0)).toString());
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    env.forEach((k, v) -> {
      if (v == null) {
        pb.environment().remove(k);
      } else {
        pb.environment().put(k, v);
      }
    });
    Path out = null;
    Path err = null;
    try {
      out = Files.createTempFile("holdfast-tool-", ".out");
      err = Files.createTempFile("holdfast-tool-", ".err");
      pb.redirectOutput(out.toFile()).redirectError(err.toFile());
      Process p = pb.start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new IllegalStateException(command.get(0) + " did not finish within " + timeout
            + ": " + tail(Files.readString(err, StandardCharsets.UTF_8), 2000));
      }
      return new Result(p.exitValue(), Files.readAllBytes(out),
          Files.readString(err, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("could not run " + command.get(0), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command.get(0), e);
    } finally {
      deleteQuietly(out);
      deleteQuietly(err);
    }
  }

  /** Like {@link #run} but throws with stderr when the exit code is not 0. */
  static Result check(List<String> command, Map<String, String> env, Duration timeout) {
    Result r = run(command, env, timeout);
    if (r.exitCode() != 0) {
      throw new IllegalStateException(command.get(0) + " " + String.join(" ", command.subList(1, Math.min(3, command.size())))
          + " failed with exit code " + r.exitCode() + ": " + tail(r.stderr(), 2000));
    }
    return r;
  }

  /** A bcrypt entry (the registry accepts only bcrypt) from the {@code htpasswd} CLI. */
  static String htpasswdLine(Credentials c) {
    Result r = check(List.of("htpasswd", "-Bbn", c.username(), c.password()), Map.of(),
        Duration.ofSeconds(30));
    String line = r.stdout().lines().findFirst().orElse("");
    if (!line.startsWith(c.username() + ":$2")) {
      throw new IllegalStateException("htpasswd -B did not print a bcrypt entry for " + c.username());
    }
    return line + "\n";
  }

  /** Deletes a directory tree, quietly: a leftover temp file is harmless. */
  static void deleteTree(Path root) {
    try (var paths = Files.walk(root)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // nothing to do
    }
  }

  static String tail(String text, int maxChars) {
    return text.length() <= maxChars ? text : "..." + text.substring(text.length() - maxChars);
  }

  /** The last {@code maxChars} characters of a file, or a note why there are none. */
  static String tail(Path file, int maxChars) {
    try {
      return Files.exists(file) ? tail(Files.readString(file, StandardCharsets.UTF_8), maxChars)
          : "(" + file + " does not exist)";
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e.getMessage() + ")";
    }
  }

  private static void deleteQuietly(Path p) {
    if (p != null) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException ignored) {
        // a temp file we could not delete is harmless
      }
    }
  }
}
