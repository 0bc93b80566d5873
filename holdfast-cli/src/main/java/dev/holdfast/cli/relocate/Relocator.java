package dev.holdfast.cli.relocate;

import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.oci.reference.InvalidReferenceException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Rewrites the image references of manifests to their copies, pinned by digest: a function of the
 * texts, the {@link Copies} and the {@link ReferenceForm}. Only the image scalars change; every other
 * character of each text is kept. An image that already names a copy is left as it is, so a second
 * run changes nothing; an image without a copy is left as it is and reported.
 */
public final class Relocator {

  private Relocator() {}

  /** A manifest file: the name it is reported under, and its text. */
  public record Manifest(String name, String text) {}

  /** What became of one image scalar. */
  public sealed interface Outcome permits Rewritten, AlreadyCopy, NoCopy {
    /** The manifest's name. */
    String file();

    /** The scalar. */
    ImageScalar image();
  }

  /** Rewritten from {@code source} to {@code copy}. */
  public record Rewritten(String file, ImageScalar image, ImageReference source, String copy) implements Outcome {}

  /** Already names a copy: left as it is. */
  public record AlreadyCopy(String file, ImageScalar image) implements Outcome {}

  /** {@code source} has no copy: left as it is. */
  public record NoCopy(String file, ImageScalar image, ImageReference source, String reason) implements Outcome {}

  /**
   * The manifests as they become, in the order given, and what became of each image scalar.
   */
  public record Result(List<Manifest> manifests, List<Outcome> outcomes) {

    /** The scalars whose source has no copy. */
    public List<NoCopy> noCopy() {
      return outcomes.stream().filter(NoCopy.class::isInstance).map(NoCopy.class::cast).toList();
    }

    /** How many scalars ended as {@code type}. */
    public long count(Class<? extends Outcome> type) {
      return outcomes.stream().filter(type::isInstance).count();
    }

    /**
     * The lock file's mapping: each rewritten source (normalised) to its copy as written, and the
     * entries of {@code previous} whose copy an image still names (as a second run finds them), so
     * that a second run writes the same lock.
     */
    public SortedMap<String, String> lock(Map<String, String> previous) {
      Set<String> named = new HashSet<>();
      outcomes.stream().filter(AlreadyCopy.class::isInstance).forEach(o -> named.add(o.image().value()));
      SortedMap<String, String> lock = new TreeMap<>();
      previous.forEach((source, copy) -> {
        if (named.contains(copy)) {
          lock.put(source, copy);
        }
      });
      for (Outcome outcome : outcomes) {
        if (outcome instanceof Rewritten rewritten) {
          lock.put(rewritten.source().toString(), rewritten.copy());
        }
      }
      return lock;
    }
  }

  /**
   * Relocates {@code manifests}. Every text is scanned and every image parsed before the first
   * lookup, so bad input fails before any registry is asked; each distinct source is looked up once.
   *
   * @throws ManifestException naming the file, the position, the document and the path of the first
   *     problem: YAML that does not parse, an image that is not a string or not a valid reference
   */
  public static Result relocate(List<Manifest> manifests, Copies copies, ReferenceForm form) {
    List<List<Found>> found = new ArrayList<>();
    for (Manifest manifest : manifests) {
      List<Found> images = new ArrayList<>();
      for (ImageScalar image : ManifestScanner.scan(manifest.text(), manifest.name())) {
        images.add(new Found(image, parse(image, manifest.name())));
      }
      found.add(images);
    }
    Map<ImageReference, Copies.Lookup> lookups = new HashMap<>();
    List<Manifest> relocated = new ArrayList<>();
    List<Outcome> outcomes = new ArrayList<>();
    for (int i = 0; i < manifests.size(); i++) {
      Manifest manifest = manifests.get(i);
      List<Splice> splices = new ArrayList<>();
      for (Found f : found.get(i)) {
        Outcome outcome = decide(manifest.name(), f, copies, form, lookups);
        outcomes.add(outcome);
        if (outcome instanceof Rewritten rewritten) {
          splices.add(new Splice(f.image().start(), f.image().end(), f.image().quoting().render(rewritten.copy())));
        }
      }
      relocated.add(new Manifest(manifest.name(), Splice.apply(manifest.text(), splices)));
    }
    return new Result(List.copyOf(relocated), List.copyOf(outcomes));
  }

  private record Found(ImageScalar image, ImageReference reference) {}

  private static Outcome decide(String file, Found found, Copies copies, ReferenceForm form,
      Map<ImageReference, Copies.Lookup> lookups) {
    ImageReference source = found.reference();
    if (copies.isCopy(source)) {
      return new AlreadyCopy(file, found.image());
    }
    return switch (lookups.computeIfAbsent(source, copies::find)) {
      case Copies.Found copy -> {
        String text = form.render(copy.copy(), source);
        yield text.equals(found.image().value()) ? new AlreadyCopy(file, found.image())
            : new Rewritten(file, found.image(), source, text);
      }
      case Copies.Missing missing -> new NoCopy(file, found.image(), source, missing.reason());
    };
  }

  private static ImageReference parse(ImageScalar image, String file) {
    try {
      return ImageReference.parse(image.value().strip());
    } catch (InvalidReferenceException e) {
      throw new ManifestException(image.where(file) + ": invalid image reference \"" + image.value() + "\": "
          + e.problem(), e);
    }
  }

  /** Replace {@code [start, end)} with {@code text}. */
  record Splice(int start, int end, String text) {

    /**
     * The text with every splice made; splices of one range (a scalar reached through several
     * aliases of its anchor) are made once.
     */
    static String apply(String text, List<Splice> splices) {
      List<Splice> ordered = new ArrayList<>(splices);
      ordered.sort(Comparator.comparingInt(Splice::start));
      StringBuilder out = new StringBuilder(text.length() + 64 * ordered.size());
      int at = 0;
      for (Splice splice : ordered) {
        if (splice.start() < at) {
          continue; // the same range again
        }
        out.append(text, at, splice.start()).append(splice.text());
        at = splice.end();
      }
      return out.append(text, at, text.length()).toString();
    }
  }
}
