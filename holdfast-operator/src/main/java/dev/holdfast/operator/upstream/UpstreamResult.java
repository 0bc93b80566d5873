package dev.holdfast.operator.upstream;

import java.time.Instant;
import java.util.Optional;

/**
 * What an upstream check found for a source.
 *
 * @param state {@code Available}, {@code NotFound}, {@code Unauthorized} or {@code Unreachable}
 * @param digest the digest the source (its tag) names now, when it answered
 * @param at when it was checked
 * @param message in words, for the condition and the Event
 */
public record UpstreamResult(String state, Optional<String> digest, Instant at, String message) {
  public static final String AVAILABLE = "Available";
  public static final String NOT_FOUND = "NotFound";
  public static final String UNAUTHORIZED = "Unauthorized";
  public static final String UNREACHABLE = "Unreachable";
  /** The tag names another digest than the copy's. */
  public static final String TAG_MOVED = "TagMoved";
}
