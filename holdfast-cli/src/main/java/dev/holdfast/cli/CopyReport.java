package dev.holdfast.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdfast.oci.copy.CopyResult;
import dev.holdfast.oci.copy.CopyStats;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/** The end of a copy or sync: a summary table or JSON, and the exit code. */
final class CopyReport {
  /** Every image copied or already present. */
  static final int ALL_COPIED = 0;
  /** Every image failed. */
  static final int ALL_FAILED = 1;
  /** Some images failed, others were copied. */
  static final int SOME_FAILED = 3;

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private CopyReport() {}

  static int exitCode(List<CopyResult> results) {
    long failed = results.stream().filter(r -> r instanceof CopyResult.Failed).count();
    if (failed == 0) {
      return ALL_COPIED;
    }
    return failed == results.size() ? ALL_FAILED : SOME_FAILED;
  }

  static String status(CopyResult result) {
    return switch (result) {
      case CopyResult.Copied c -> "copied";
      case CopyResult.AlreadyPresent p -> "present";
      case CopyResult.Failed f -> "failed";
    };
  }

  /** One log line for a finished image. */
  static String line(CopyResult result) {
    CopyStats s = result.stats();
    return switch (result) {
      case CopyResult.Copied c -> String.format(Locale.ROOT,
          "copied  %s -> %s %s (%d blobs copied, %d skipped, %d mounted, %s, %.1fs)%s%s", c.request().source(),
          c.destination(), c.digest(), s.blobsCopied(), s.blobsSkipped(), s.blobsMounted(), bytes(s.bytes()),
          c.elapsed().toMillis() / 1000.0,
          c.platformFilterChangedDigest() ? " [platform filter: digest differs from source " + c.sourceDigest() + "]" : "",
          mirrorNote(c));
      case CopyResult.AlreadyPresent p -> String.format(Locale.ROOT, "present %s -> %s %s%s", p.request().source(),
          p.destination(), p.digest(), mirrorNote(p));
      case CopyResult.Failed f -> "failed  " + f.request().source() + " -> " + f.destination() + ": "
          + f.cause().getMessage();
    };
  }

  static void printTable(PrintWriter out, List<CopyResult> results) {
    // as wide as the longest source: every source is shown whole
    int width = Math.max(6, results.stream().mapToInt(r -> r.request().source().toString().length()).max().orElse(6));
    String format = "%-8s %-" + width + "s %-10s %8s %s%n";
    out.printf(Locale.ROOT, format, "STATUS", "SOURCE", "BYTES", "BLOBS", "DESTINATION / DIGEST / ERROR");
    long bytes = 0;
    for (CopyResult r : results) {
      CopyStats s = r.stats();
      bytes += s.bytes();
      String detail = switch (r) {
        case CopyResult.Copied c -> c.destination() + " " + c.digest()
            + (c.platformFilterChangedDigest() ? " (filtered from " + c.sourceDigest() + ")" : "");
        case CopyResult.AlreadyPresent p -> p.destination() + " " + p.digest();
        case CopyResult.Failed f -> f.cause().getMessage();
      } + mirrorNote(r);
      out.printf(Locale.ROOT, format, status(r), r.request().source(), bytes(s.bytes()),
          s.blobsCopied() + s.blobsMounted() + "/" + (s.blobsCopied() + s.blobsMounted() + s.blobsSkipped()), detail);
    }
    long failed = results.stream().filter(r -> r instanceof CopyResult.Failed).count();
    long present = results.stream().filter(r -> r instanceof CopyResult.AlreadyPresent).count();
    out.printf(Locale.ROOT, "%d %s: %d copied, %d already present, %d failed; %s transferred%n", results.size(),
        results.size() == 1 ? "image" : "images", results.size() - failed - present, present, failed, bytes(bytes));
    out.flush();
  }

  /** " (from MIRROR)" when a location other than the named source served the image. */
  static String mirrorNote(CopyResult result) {
    return result.servedBy().filter(served -> !served.equals(result.request().source()))
        .map(served -> " (from " + served + ")").orElse("");
  }

  static void printJson(PrintWriter out, List<CopyResult> results) {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode images = root.putArray("images");
    long bytes = 0;
    for (CopyResult r : results) {
      ObjectNode n = images.addObject();
      n.put("status", status(r));
      n.put("source", r.request().source().toString());
      r.servedBy().ifPresent(s -> n.put("servedBy", s.toString()));
      n.put("destination", r.destination().toString());
      switch (r) {
        case CopyResult.Copied c -> {
          n.put("digest", c.digest().toString());
          n.put("sourceDigest", c.sourceDigest().toString());
          n.put("platformFilterChangedDigest", c.platformFilterChangedDigest());
        }
        case CopyResult.AlreadyPresent p -> n.put("digest", p.digest().toString());
        case CopyResult.Failed f -> {
          n.put("error", f.cause().getMessage());
          n.put("errorType", f.cause().getClass().getSimpleName());
        }
      }
      CopyStats s = r.stats();
      n.put("bytes", s.bytes());
      n.put("blobsCopied", s.blobsCopied());
      n.put("blobsSkipped", s.blobsSkipped());
      n.put("blobsMounted", s.blobsMounted());
      n.put("blobsHashedByDestination", s.blobsHashedByDestination());
      n.put("manifests", s.manifests());
      n.put("referrers", s.referrers());
      n.put("seconds", r.elapsed().toMillis() / 1000.0);
      bytes += s.bytes();
    }
    ObjectNode summary = root.putObject("summary");
    summary.put("images", results.size());
    summary.put("copied", results.stream().filter(r -> r instanceof CopyResult.Copied).count());
    summary.put("alreadyPresent", results.stream().filter(r -> r instanceof CopyResult.AlreadyPresent).count());
    summary.put("failed", results.stream().filter(r -> r instanceof CopyResult.Failed).count());
    summary.put("bytes", bytes);
    summary.put("exitCode", exitCode(results));
    try {
      out.println(JSON.writeValueAsString(root));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("write the JSON report", e);
    }
    out.flush();
  }

  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double value = n;
    int unit = -1;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
  }
}
