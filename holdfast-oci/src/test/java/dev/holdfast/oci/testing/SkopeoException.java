package dev.holdfast.oci.testing;

/** skopeo exited with a non-zero code; the message names the command (credentials masked). */
public final class SkopeoException extends RuntimeException {

  private final int exitCode;
  private final String stderr;

  SkopeoException(String command, int exitCode, String stderr) {
    super(command + " failed with exit code " + exitCode + ": " + Tools.tail(stderr.strip(), 3000));
    this.exitCode = exitCode;
    this.stderr = stderr;
  }

  /** skopeo's exit code. */
  public int exitCode() {
    return exitCode;
  }

  /** What skopeo printed on stderr. */
  public String stderr() {
    return stderr;
  }
}
