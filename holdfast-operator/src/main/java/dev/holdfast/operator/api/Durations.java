package dev.holdfast.operator.api;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as Kubernetes users write them: {@code 90s}, {@code 30m}, {@code 24h}, {@code 30d}, {@code 1h30m}. */
public final class Durations {
  private static final Pattern PART = Pattern.compile("(\\d+)([smhd])");
  private static final Pattern WHOLE = Pattern.compile("(\\d+[smhd])+");

  private Durations() {}

  /**
   * Parses a duration.
   *
   * @throws IllegalArgumentException naming {@code field} when the text is not a duration
   */
  public static Duration parse(String text, String field) {
    if (text == null || !WHOLE.matcher(text.strip()).matches()) {
      throw new IllegalArgumentException(field + ": \"" + text + "\" is not a duration such as 90s, 30m, 24h or 30d");
    }
    Duration total = Duration.ZERO;
    Matcher part = PART.matcher(text.strip());
    while (part.find()) {
      long amount = Long.parseLong(part.group(1));
      total = total.plus(switch (part.group(2)) {
        case "s" -> Duration.ofSeconds(amount);
        case "m" -> Duration.ofMinutes(amount);
        case "h" -> Duration.ofHours(amount);
        default -> Duration.ofDays(amount);
      });
    }
    if (total.isZero()) {
      throw new IllegalArgumentException(field + ": \"" + text + "\" must be longer than zero");
    }
    return total;
  }
}
