package dev.holdfast.cli.relocate;

import dev.holdfast.oci.workload.WorkloadImages;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.yaml.snakeyaml.DumperOptions.ScalarStyle;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Finds the image strings of Kubernetes workloads in YAML text, with their exact character ranges,
 * without building or re-serialising anything: SnakeYAML's composer gives each scalar with its start
 * and end marks.
 *
 * <p>It reads the kinds {@code holdfast sync --from} reads ({@link WorkloadImages#podSpecPath}):
 * Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob and
 * PodTemplate, in any number of documents, and the items of {@code kind: List} (or any {@code
 * *List}). In each Pod spec: the {@code image} of every init container, container and ephemeral
 * container, and the {@code image.reference} of every volume. Other documents, comments and empty
 * documents are passed over.
 */
public final class ManifestScanner {

  private ManifestScanner() {}

  /**
   * The image scalars of {@code text}, in document order. Unset and empty images are left out.
   *
   * @param origin names the text in error messages (a file name)
   * @throws ManifestException when the text is not valid YAML, or an image field holds something
   *     other than a string
   */
  public static List<ImageScalar> scan(String text, String origin) {
    LoaderOptions options = new LoaderOptions();
    options.setCodePointLimit(Integer.MAX_VALUE); // the default, 3 MB, is less than some rendered charts
    options.setMergeOnCompose(true); // an image that comes through a merge key (<<: *base) is found too
    Composer composer = new Composer(new ParserImpl(new StreamReader(text), options), new Resolver(), options);
    Scan scan = new Scan(text, origin, TextPositions.of(text));
    try {
      while (composer.checkNode()) {
        scan.document++;
        scan.object(composer.getNode(), "");
      }
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      String at = mark == null ? "" : ":" + (mark.getLine() + 1) + ":" + (mark.getColumn() + 1);
      String context = e.getContext() == null ? "" : e.getContext() + ": ";
      throw new ManifestException(origin + at + " (document " + Math.max(scan.document, 1) + "): not valid YAML: "
          + context + e.getProblem(), e);
    } catch (YAMLException e) {
      throw new ManifestException(origin + " (document " + Math.max(scan.document, 1) + "): not valid YAML: "
          + e.getMessage(), e);
    }
    return List.copyOf(scan.found);
  }

  private static final class Scan {
    final String text;
    final String origin;
    final TextPositions positions;
    final List<ImageScalar> found = new ArrayList<>();
    int document;

    Scan(String text, String origin, TextPositions positions) {
      this.text = text;
      this.origin = origin;
      this.positions = positions;
    }

    void object(Node node, String path) {
      if (!(node instanceof MappingNode object)) {
        return; // not a Kubernetes object: an empty document, a list of images, a scalar
      }
      String kind = scalar(get(object, "kind")).orElse("");
      if (kind.endsWith("List") && get(object, "items") instanceof SequenceNode items) {
        for (int i = 0; i < items.getValue().size(); i++) {
          object(items.getValue().get(i), path + "items[" + i + "].");
        }
        return;
      }
      Optional<List<String>> specPath = WorkloadImages.podSpecPath(kind);
      if (specPath.isEmpty()) {
        return;
      }
      String name = get(object, "metadata") instanceof MappingNode metadata
          ? scalar(get(metadata, "name")).orElse("?") : "?";
      Node spec = object;
      StringBuilder specAt = new StringBuilder(path);
      for (String key : specPath.get()) {
        spec = spec instanceof MappingNode mapping ? get(mapping, key) : null;
        specAt.append(key).append('.');
      }
      if (spec instanceof MappingNode podSpec) {
        podSpec(podSpec, kind + "/" + name, specAt.toString());
      }
    }

    void podSpec(MappingNode spec, String object, String path) {
      for (String list : WorkloadImages.CONTAINER_LISTS) {
        if (get(spec, list) instanceof SequenceNode containers) {
          for (int i = 0; i < containers.getValue().size(); i++) {
            if (containers.getValue().get(i) instanceof MappingNode container) {
              image(get(container, "image"), object, path + list + "[" + i + "].image");
            }
          }
        }
      }
      if (get(spec, "volumes") instanceof SequenceNode volumes) {
        for (int i = 0; i < volumes.getValue().size(); i++) {
          if (volumes.getValue().get(i) instanceof MappingNode volume
              && get(volume, "image") instanceof MappingNode image) {
            image(get(image, "reference"), object, path + "volumes[" + i + "].image.reference");
          }
        }
      }
    }

    void image(Node node, String object, String path) {
      if (node == null || node instanceof ScalarNode s && (s.getTag().equals(Tag.NULL) || s.getValue().isBlank())) {
        return; // unset: nothing to rewrite
      }
      int start = positions.charIndex(node.getStartMark().getIndex());
      if (!(node instanceof ScalarNode scalar) || !scalar.getTag().equals(Tag.STR)) {
        String what = node instanceof ScalarNode s
            ? "the " + s.getTag().getValue().replace("tag:yaml.org,2002:", "") + " " + s.getValue()
            : node instanceof MappingNode ? "a mapping" : "a sequence";
        throw new ManifestException(origin + ":" + positions.line(start) + ":" + positions.column(start)
            + " (document " + document + ", " + object + ", " + path + "): an image must be a string, not " + what,
            null);
      }
      // An anchor or a tag before the scalar (&img, !!str) starts the node but is not replaced.
      while (start < text.length() && (text.charAt(start) == '&' || text.charAt(start) == '!')) {
        while (start < text.length() && !Character.isWhitespace(text.charAt(start))) {
          start++;
        }
        while (start < text.length() && Character.isWhitespace(text.charAt(start))) {
          start++;
        }
      }
      int end = positions.charIndex(node.getEndMark().getIndex());
      while (end > start && Character.isWhitespace(text.charAt(end - 1))) {
        end--; // a block scalar's range ends after its line breaks
      }
      String value = scalar.getValue();
      found.add(new ImageScalar(document, object, path, positions.line(start), positions.column(start), start, end,
          value, quoting(scalar.getScalarStyle(), text.substring(start, end), value)));
    }

    /** The style, when the scalar is written exactly as that style writes its value on one line. */
    private static Quoting quoting(ScalarStyle style, String written, String value) {
      return switch (style) {
        case PLAIN -> written.equals(value) ? Quoting.PLAIN : Quoting.OTHER;
        case SINGLE_QUOTED -> written.equals("'" + value.replace("'", "''") + "'") ? Quoting.SINGLE : Quoting.OTHER;
        case DOUBLE_QUOTED -> written.equals('"' + value + '"') && value.indexOf('\\') < 0 && value.indexOf('"') < 0
            ? Quoting.DOUBLE : Quoting.OTHER;
        default -> Quoting.OTHER;
      };
    }

    private static Node get(MappingNode mapping, String key) {
      Node value = null;
      for (NodeTuple tuple : mapping.getValue()) {
        if (tuple.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
          value = tuple.getValueNode(); // the last one wins, as in Kubernetes
        }
      }
      return value;
    }

    private static Optional<String> scalar(Node node) {
      return node instanceof ScalarNode s ? Optional.of(s.getValue()) : Optional.empty();
    }
  }
}
