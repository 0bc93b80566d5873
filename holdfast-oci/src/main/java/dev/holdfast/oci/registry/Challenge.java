package dev.holdfast.oci.registry;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One authentication challenge from a {@code WWW-Authenticate} header, parsed with the RFC 7235
 * grammar: several challenges per header, parameters as tokens or quoted strings (with
 * backslash escapes and commas inside quotes), or a token68.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc7235#section-4.1">RFC 7235, section 4.1</a>
 */
record Challenge(String scheme, Map<String, String> params, String token68) {

  Challenge {
    params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
  }

  /** The scheme in lower case ({@code bearer}, {@code basic}). */
  String schemeLower() {
    return scheme.toLowerCase(Locale.ROOT);
  }

  boolean isBearer() {
    return schemeLower().equals("bearer");
  }

  boolean isBasic() {
    return schemeLower().equals("basic");
  }

  /** A parameter by case-insensitive name. */
  Optional<String> param(String name) {
    return Optional.ofNullable(params.get(name.toLowerCase(Locale.ROOT)));
  }

  /** Parses one or more header values; an unparseable tail ends the list (never throws). */
  static List<Challenge> parseAll(List<String> headerValues) {
    List<Challenge> out = new ArrayList<>();
    for (String value : headerValues) {
      out.addAll(parse(value));
    }
    return out;
  }

  /** Parses one header value into its challenges; a malformed tail is dropped (never throws). */
  static List<Challenge> parse(String header) {
    return new Parser(header == null ? "" : header).challenges();
  }

  private static final class Parser {
    private final String text;
    private int pos;

    Parser(String text) {
      this.text = text;
    }

    List<Challenge> challenges() {
      List<Challenge> out = new ArrayList<>();
      while (true) {
        skipSeparators();
        if (pos >= text.length()) {
          return out;
        }
        String scheme = token();
        if (scheme.isEmpty()) {
          return out; // garbage: stop rather than guess
        }
        Map<String, String> params = new LinkedHashMap<>();
        String token68 = null;
        int afterScheme = pos;
        skipSpaces();
        if (pos > afterScheme && pos < text.length() && text.charAt(pos) != ',') {
          int mark = pos;
          String t68 = token68();
          skipSpaces();
          if (!t68.isEmpty() && (pos >= text.length() || text.charAt(pos) == ',')
              && !looksLikeParam(mark)) {
            token68 = t68;
          } else {
            pos = mark;
            if (!params(params)) {
              out.add(new Challenge(scheme, params, null));
              return out;
            }
          }
        }
        out.add(new Challenge(scheme, params, token68));
      }
    }

    /** Reads auth-params until the next challenge starts; false when the input is malformed. */
    private boolean params(Map<String, String> params) {
      while (true) {
        skipSpaces();
        int start = pos;
        String name = token();
        skipSpaces();
        if (name.isEmpty() || pos >= text.length() || text.charAt(pos) != '=') {
          pos = start; // a new challenge's scheme (or garbage, which challenges() stops at)
          return !name.isEmpty() || pos >= text.length();
        }
        pos++; // '='
        skipSpaces();
        String value;
        if (pos < text.length() && text.charAt(pos) == '"') {
          value = quoted();
          if (value == null) {
            return false;
          }
        } else {
          value = token();
        }
        params.putIfAbsent(name.toLowerCase(Locale.ROOT), value);
        skipSpaces();
        if (pos >= text.length()) {
          return true;
        }
        if (text.charAt(pos) != ',') {
          return false;
        }
        // a comma: either the next param or the next challenge; skip empty list elements
        while (pos < text.length() && (text.charAt(pos) == ',' || isSpace(text.charAt(pos)))) {
          pos++;
        }
        if (pos >= text.length()) {
          return true;
        }
        int mark = pos;
        String next = token();
        skipSpaces();
        boolean isParam = !next.isEmpty() && pos < text.length() && text.charAt(pos) == '=';
        pos = mark;
        if (!isParam) {
          return true;
        }
      }
    }

    private boolean looksLikeParam(int from) {
      int save = pos;
      pos = from;
      String name = token();
      skipSpaces();
      boolean result = !name.isEmpty() && pos < text.length() && text.charAt(pos) == '='
          && !isToken68Padding(from);
      pos = save;
      return result;
    }

    /** token68 ends with '=' padding; "abc=" followed by end or comma is a token68, not a param. */
    private boolean isToken68Padding(int from) {
      int i = from;
      while (i < text.length() && isToken68Char(text.charAt(i))) {
        i++;
      }
      while (i < text.length() && text.charAt(i) == '=') {
        i++;
      }
      int j = i;
      while (j < text.length() && isSpace(text.charAt(j))) {
        j++;
      }
      return i > from && (j >= text.length() || text.charAt(j) == ',');
    }

    private String quoted() {
      StringBuilder value = new StringBuilder();
      pos++; // opening quote
      while (pos < text.length()) {
        char c = text.charAt(pos++);
        if (c == '\\') {
          if (pos >= text.length()) {
            return null;
          }
          value.append(text.charAt(pos++));
        } else if (c == '"') {
          return value.toString();
        } else {
          value.append(c);
        }
      }
      return null; // unterminated
    }

    private String token() {
      int start = pos;
      while (pos < text.length() && isTokenChar(text.charAt(pos))) {
        pos++;
      }
      return text.substring(start, pos);
    }

    private String token68() {
      int start = pos;
      while (pos < text.length() && isToken68Char(text.charAt(pos))) {
        pos++;
      }
      while (pos < text.length() && text.charAt(pos) == '=') {
        pos++;
      }
      return text.substring(start, pos);
    }

    private void skipSpaces() {
      while (pos < text.length() && isSpace(text.charAt(pos))) {
        pos++;
      }
    }

    private void skipSeparators() {
      while (pos < text.length() && (isSpace(text.charAt(pos)) || text.charAt(pos) == ',')) {
        pos++;
      }
    }

    private static boolean isSpace(char c) {
      return c == ' ' || c == '\t';
    }

    private static boolean isTokenChar(char c) {
      return c > 32 && c < 127 && "()<>@,;:\\\"/[]?={} \t".indexOf(c) < 0;
    }

    private static boolean isToken68Char(char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || "-._~+/".indexOf(c) >= 0;
    }
  }
}
