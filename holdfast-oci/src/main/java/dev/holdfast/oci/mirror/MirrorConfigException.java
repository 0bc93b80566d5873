package dev.holdfast.oci.mirror;

import dev.holdfast.oci.OciException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Mirror configuration that cannot be used: unreadable or malformed files, invalid fields, or a
 * rule whose rewrite yields an invalid reference. The message names the file, the entry and the
 * field.
 */
public class MirrorConfigException extends OciException {

  private final Path file;
  private final String entry;
  private final String field;

  MirrorConfigException(Path file, String entry, String field, String problem, Throwable cause) {
    super(message(file, entry, field, problem), cause);
    this.file = file;
    this.entry = entry;
    this.field = field;
  }

  MirrorConfigException(Path file, String entry, String field, String problem) {
    this(file, entry, field, problem, null);
  }

  private static String message(Path file, String entry, String field, String problem) {
    StringBuilder where = new StringBuilder("invalid mirror configuration");
    if (file != null) {
      where.append(" ").append(file);
    }
    if (entry != null) {
      where.append(": ").append(entry);
    }
    if (field != null) {
      where.append(": field '").append(field).append("'");
    }
    return where.append(": ").append(problem).toString();
  }

  /** The file at fault, when the problem is in a file. */
  public Optional<Path> file() {
    return Optional.ofNullable(file);
  }

  /** The entry at fault (e.g. {@code registry[2] (prefix "docker.io")}), when known. */
  public Optional<String> entry() {
    return Optional.ofNullable(entry);
  }

  /** The field at fault (e.g. {@code pull-from-mirror}), when known. */
  public Optional<String> field() {
    return Optional.ofNullable(field);
  }
}
