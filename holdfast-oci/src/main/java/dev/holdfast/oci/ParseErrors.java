package dev.holdfast.oci;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Where and why a YAML, JSON or TOML text could not be parsed, each on one line, for messages that
 * name the file themselves: {@code not valid YAML at line 2, column 1: while parsing a flow
 * sequence: expected ',' or ']', but got <stream end>}. The parsers' own messages span several
 * lines and quote the text with a caret under it.
 */
public final class ParseErrors {
  private ParseErrors() {}

  /** {@code " at line L, column C"} (both from 1), or nothing when the parser did not say. */
  public static String location(JacksonException e) {
    if (e.getCause() instanceof MarkedYAMLException yaml && yaml.getProblemMark() != null) {
      Mark mark = yaml.getProblemMark(); // SnakeYAML counts from 0
      return " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
    }
    JsonLocation location = e.getLocation();
    return location == null || location.getLineNr() < 1
        ? ""
        : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
  }

  /** The parser's reason, without the location or the quoted text, on one line. */
  public static String reason(JacksonException e) {
    String reason;
    if (e.getCause() instanceof MarkedYAMLException yaml && yaml.getProblem() != null) {
      reason = yaml.getContext() == null ? yaml.getProblem() : yaml.getContext() + ": " + yaml.getProblem();
    } else {
      reason = e.getOriginalMessage();
    }
    return reason == null || reason.isBlank() ? e.getClass().getSimpleName() : reason.strip().replaceAll("\\s+", " ");
  }
}
