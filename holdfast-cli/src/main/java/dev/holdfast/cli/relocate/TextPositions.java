package dev.holdfast.cli.relocate;

import java.util.Arrays;

/**
 * Positions in a text: SnakeYAML's marks count code points, Java strings count UTF-16 chars, and
 * the two differ after any character outside the Basic Multilingual Plane (an emoji in a comment).
 */
final class TextPositions {
  private final String text;
  private final int[] charIndexOfCodePoint; // null when every code point is one char
  private final int[] lineStarts;

  private TextPositions(String text, int[] charIndexOfCodePoint, int[] lineStarts) {
    this.text = text;
    this.charIndexOfCodePoint = charIndexOfCodePoint;
    this.lineStarts = lineStarts;
  }

  static TextPositions of(String text) {
    int[] charIndex = null;
    if (text.codePointCount(0, text.length()) != text.length()) {
      charIndex = new int[text.codePointCount(0, text.length()) + 1];
      int c = 0;
      for (int cp = 0; cp < charIndex.length - 1; cp++) {
        charIndex[cp] = c;
        c += Character.charCount(text.codePointAt(c));
      }
      charIndex[charIndex.length - 1] = text.length();
    }
    int[] starts = new int[16];
    int lines = 1;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        if (lines == starts.length) {
          starts = Arrays.copyOf(starts, lines * 2);
        }
        starts[lines++] = i + 1;
      }
    }
    return new TextPositions(text, charIndex, Arrays.copyOf(starts, lines));
  }

  /** The char index of a code-point index, as SnakeYAML's {@code Mark.getIndex()} gives it. */
  int charIndex(int codePointIndex) {
    return charIndexOfCodePoint == null ? codePointIndex : charIndexOfCodePoint[codePointIndex];
  }

  /** The line of a char index, from 1. */
  int line(int charIndex) {
    int found = Arrays.binarySearch(lineStarts, charIndex);
    return found >= 0 ? found + 1 : -found - 1;
  }

  /** The column of a char index, from 1, in code points. */
  int column(int charIndex) {
    int lineStart = lineStarts[line(charIndex) - 1];
    return text.codePointCount(lineStart, charIndex) + 1;
  }
}
