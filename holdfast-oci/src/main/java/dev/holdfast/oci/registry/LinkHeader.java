package dev.holdfast.oci.registry;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Finds the {@code rel="next"} target in {@code Link} headers (RFC 8288), as registries use them
 * to page tag lists: {@code Link: </v2/app/tags/list?n=100&last=b>; rel="next"}.
 */
final class LinkHeader {

  private LinkHeader() {}

  /** The URI reference of the first link with relation {@code next}, as written (may be relative). */
  static Optional<String> next(List<String> headerValues) {
    for (String header : headerValues) {
      int pos = 0;
      while (pos < header.length()) {
        int open = header.indexOf('<', pos);
        if (open < 0) {
          break;
        }
        int close = header.indexOf('>', open);
        if (close < 0) {
          break;
        }
        String target = header.substring(open + 1, close).trim();
        int end = nextLinkStart(header, close + 1);
        String params = header.substring(close + 1, end);
        if (hasNextRelation(params)) {
          return Optional.of(target);
        }
        pos = end;
      }
    }
    return Optional.empty();
  }

  /** Index of the '<' that starts the next link, skipping quoted strings; or the end. */
  private static int nextLinkStart(String header, int from) {
    boolean quoted = false;
    for (int i = from; i < header.length(); i++) {
      char c = header.charAt(i);
      if (quoted && c == '\\') {
        i++;
      } else if (c == '"') {
        quoted = !quoted;
      } else if (!quoted && c == '<') {
        return i;
      }
    }
    return header.length();
  }

  private static boolean hasNextRelation(String params) {
    for (String param : params.split(";")) {
      int eq = param.indexOf('=');
      if (eq < 0) {
        continue;
      }
      String name = param.substring(0, eq).trim().toLowerCase(Locale.ROOT);
      if (!name.equals("rel")) {
        continue;
      }
      String value = param.substring(eq + 1).trim().replaceAll("[,\\s]+$", "");
      if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
        value = value.substring(1, value.length() - 1);
      }
      for (String rel : value.trim().split("\\s+")) {
        if (rel.equalsIgnoreCase("next")) {
          return true;
        }
      }
    }
    return false;
  }
}
