package dev.holdfast.oci.tls;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits PEM text into its {@code -----BEGIN X-----} ... {@code -----END Y-----} blocks, without
 * judging them: what a block may hold is for the caller ({@link PemBundle} skips bad blocks, {@link
 * ClientIdentity} refuses them). Text outside blocks is ignored.
 */
final class PemBlocks {

  private static final Pattern BEGIN = Pattern.compile("^-----BEGIN ([A-Z0-9 ]*)-----$");
  private static final Pattern END = Pattern.compile("^-----END ([A-Z0-9 ]*)-----$");

  /**
   * One block.
   *
   * @param position its number in the text, from 1, counting every BEGIN line
   * @param line the line its BEGIN is on, from 1
   * @param label the BEGIN line's label
   * @param endLabel the END line's label, or null when the text ends, or another block begins,
   *     before an END line
   * @param base64 the body, header lines left out
   * @param headers whether the body had {@code Name: value} header lines (legacy PEM encryption)
   */
  record Block(int position, int line, String label, String endLabel, String base64, boolean headers) {
    boolean terminated() {
      return endLabel != null;
    }
  }

  private PemBlocks() {}

  static List<Block> split(String text) {
    List<Block> blocks = new ArrayList<>();
    String[] lines = text.split("\\r?\\n|\\r", -1);
    for (int i = 0; i < lines.length; i++) {
      Matcher begin = BEGIN.matcher(lines[i].strip());
      if (!begin.matches()) {
        continue;
      }
      StringBuilder body = new StringBuilder();
      boolean headers = false;
      String endLabel = null;
      int j = i + 1;
      for (; j < lines.length; j++) {
        String line = lines[j].strip();
        Matcher end = END.matcher(line);
        if (end.matches()) {
          endLabel = end.group(1);
          break;
        }
        if (BEGIN.matcher(line).matches()) {
          break; // a new block starts: this one has no END
        }
        if (line.contains(":")) {
          headers = true;
        } else {
          body.append(line);
        }
      }
      blocks.add(new Block(blocks.size() + 1, i + 1, begin.group(1), endLabel, body.toString(), headers));
      i = endLabel == null ? j - 1 : j;
    }
    return blocks;
  }
}
