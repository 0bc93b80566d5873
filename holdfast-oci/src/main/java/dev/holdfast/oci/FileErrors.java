package dev.holdfast.oci;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.Locale;

/**
 * Words for why a file could not be read, for messages that name the file themselves. An {@link
 * IOException}'s own text is a Java class name and the path again ({@code
 * java.nio.file.NoSuchFileException: /etc/x.pem}), or the path alone.
 */
public final class FileErrors {
  private FileErrors() {}

  /**
   * Why {@code e} happened, without the exception's class or the path: "no such file or
   * directory", "permission denied", "not a directory", "a file of that name is in the way", else
   * the operating system's reason or the exception's message, starting in lower case.
   */
  public static String reason(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "no such file or directory";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof NotDirectoryException) {
      return "not a directory";
    }
    if (e instanceof FileAlreadyExistsException) {
      return "a file of that name is in the way";
    }
    String reason = e instanceof FileSystemException fs ? fs.getReason() : e.getMessage();
    if (reason == null || reason.isBlank()) {
      reason = e.getMessage();
    }
    if (reason == null || reason.isBlank()) {
      return e.getClass().getSimpleName();
    }
    return reason.substring(0, 1).toLowerCase(Locale.ROOT) + reason.substring(1);
  }
}
