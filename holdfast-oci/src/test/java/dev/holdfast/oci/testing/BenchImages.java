package dev.holdfast.oci.testing;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes the synthetic images of {@code bench/run.sh} into OCI layouts and prints their sizes as
 * {@code key=value} lines (shell-friendly). Not a test; run with the test classpath:
 *
 * <pre>
 * java -cp ... dev.holdfast.oci.testing.BenchImages big LAYOUT TAG TOTAL LAYERS SEED
 * java -cp ... dev.holdfast.oci.testing.BenchImages small LAYOUT COUNT BASE_SIZE LAYER_SIZE
 * </pre>
 *
 * <p>{@code big}: one image of {@code LAYERS} random layers totalling about {@code TOTAL}.
 * {@code small}: {@code COUNT} images tagged {@code small-1..COUNT}, each with one shared base layer
 * of {@code BASE_SIZE} and one own layer of {@code LAYER_SIZE}. Sizes take KiB/MiB/GiB suffixes.
 * Layers are gzip with stored deflate blocks: random bytes do not compress, and this keeps
 * generation at disk speed while registries and clients still see ordinary gzip layers (skopeo
 * would otherwise recompress uncompressed layers on the way to a registry).
 *
 * <p>Output: {@code logical} = bytes of all manifests, configs and layers of every image counted
 * per image; {@code unique} = bytes of the distinct blobs and manifests, i.e. what a copy that
 * shares blobs between images transfers; {@code images}; {@code digest} for a single image.
 */
public final class BenchImages {

  private BenchImages() {}

  /** Entry point; see the class comment. */
  public static void main(String[] args) {
    try {
      if (args.length == 6 && args[0].equals("big")) {
        big(Path.of(args[1]), args[2], parseSize(args[3]), Integer.parseInt(args[4]),
            Long.parseLong(args[5]));
      } else if (args.length == 5 && args[0].equals("small")) {
        small(Path.of(args[1]), Integer.parseInt(args[2]), parseSize(args[3]), parseSize(args[4]));
      } else {
        System.err.println("usage: BenchImages big LAYOUT TAG TOTAL LAYERS SEED"
            + " | small LAYOUT COUNT BASE_SIZE LAYER_SIZE (sizes like 16MiB, 1GiB)");
        System.exit(2);
      }
    } catch (IllegalArgumentException e) {
      System.err.println("BenchImages: " + e.getMessage());
      System.exit(2);
    }
  }

  private static void big(Path layout, String tag, long total, int layers, long seed) {
    if (layers < 1) {
      throw new IllegalArgumentException("LAYERS must be at least 1, got " + layers);
    }
    WrittenImage image = SyntheticImage.builder().seed(seed).layers(layers)
        .layerSize(total / layers).build().writeTo(layout, tag);
    long bytes = imageBytes(image);
    System.out.println("images=1");
    System.out.println("logical=" + bytes);
    System.out.println("unique=" + bytes);
    System.out.println("digest=" + image.digest());
  }

  private static void small(Path layout, int count, long baseSize, long layerSize) {
    long logical = 0;
    Map<String, Long> distinct = new HashMap<>();
    for (int i = 1; i <= count; i++) {
      WrittenImage image = SyntheticImage.builder().seed(1000 + i).baseSeed(42).baseLayers(1)
          .baseLayerSize(baseSize).layers(1).layerSize(layerSize).build()
          .writeTo(layout, "small-" + i);
      logical += imageBytes(image);
      distinct.put(image.top().digest(), image.top().size());
      image.blobs().forEach(b -> distinct.put(b.digest(), b.size()));
    }
    System.out.println("images=" + count);
    System.out.println("logical=" + logical);
    System.out.println("unique=" + distinct.values().stream().mapToLong(Long::longValue).sum());
  }

  /** Manifest + config + layers of a single-platform image. */
  private static long imageBytes(WrittenImage image) {
    List<Descriptor> blobs = image.blobs();
    return image.top().size() + blobs.stream().mapToLong(Descriptor::size).sum();
  }

  /** Parses {@code 123}, {@code 16MiB}, {@code 1GiB}, {@code 512KiB} (binary units). */
  static long parseSize(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    long unit = 1;
    for (var e : Map.of("kib", 1L << 10, "mib", 1L << 20, "gib", 1L << 30).entrySet()) {
      if (t.endsWith(e.getKey())) {
        unit = e.getValue();
        t = t.substring(0, t.length() - e.getKey().length());
      }
    }
    try {
      long n = Long.parseLong(t);
      if (n < 0) {
        throw new NumberFormatException();
      }
      return Math.multiplyExact(n, unit);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException(
          "size '" + text + "' is not a non-negative number with an optional KiB/MiB/GiB suffix");
    }
  }
}
