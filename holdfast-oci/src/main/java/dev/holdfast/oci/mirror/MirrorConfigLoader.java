package dev.holdfast.oci.mirror;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.holdfast.oci.FileErrors;
import dev.holdfast.oci.ParseErrors;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads mirror configuration from files and directories into one {@link MirrorRules}, detecting
 * each file's format: containers-registries.conf(5) TOML, OpenShift ImageDigestMirrorSet /
 * ImageTagMirrorSet / ImageContentSourcePolicy (single, multi-document or {@code kind: List} YAML),
 * or Holdfast's {@code redirects:} list. Everything is validated here, once.
 */
public final class MirrorConfigLoader {

  private static final Logger LOG = LoggerFactory.getLogger(MirrorConfigLoader.class);
  private static final Pattern TOML_LINE = Pattern.compile("^\\s*(\\[|[A-Za-z0-9_\"'-]+\\s*=)");

  private MirrorConfigLoader() {}

  /** See {@link #load(List)}. */
  public static MirrorRules load(Path... paths) {
    return load(List.of(paths));
  }

  /**
   * Loads the given files and directories, in order. A directory is read like {@code
   * registries.conf.d}: its {@code .conf}/{@code .toml} files (v2 only) and {@code .yaml}/{@code
   * .yml}/{@code .json} files in lexical order, other files and subdirectories ignored. A
   * registries.conf entry or redirect replaces an earlier rule with the same prefix; mirror sets
   * from all inputs are merged and applied last.
   *
   * @throws MirrorConfigException naming the file, entry and field of the first problem found
   */
  public static MirrorRules load(List<Path> paths) {
    RuleSetBuilder builder = new RuleSetBuilder();
    for (Path path : paths) {
      if (Files.isDirectory(path)) {
        for (Path file : dropIns(path)) {
          loadFile(file, true, builder);
        }
      } else {
        loadFile(path, false, builder);
      }
    }
    return builder.build();
  }

  /**
   * A configuration that is not a file: a ConfigMap key, a policy's redirect rules, cluster
   * objects. {@code origin} names it in messages ({@code ConfigMap ns/name key registries.conf}).
   */
  public record Text(String origin, String content) {
    public Text {
      java.util.Objects.requireNonNull(origin, "origin");
      java.util.Objects.requireNonNull(content, "content");
    }
  }

  /**
   * Loads configuration texts in order, as {@link #load(List)} loads files: a text that starts like
   * TOML is a registries.conf, any other YAML (or JSON) text holds redirects or mirror sets.
   * Paths in a text (a redirect's {@code caBundle}) are relative to the working directory.
   *
   * @throws MirrorConfigException naming the origin, entry and field of the first problem found
   */
  public static MirrorRules loadTexts(List<Text> texts) {
    RuleSetBuilder builder = new RuleSetBuilder();
    for (Text text : texts) {
      load(Path.of(text.origin()), text.content(), null, false, builder);
    }
    return builder.build();
  }

  private static List<Path> dropIns(Path dir) {
    try (Stream<Path> entries = Files.list(dir)) {
      List<Path> files = new ArrayList<>();
      for (Path file : entries.sorted().toList()) {
        Format format = byExtension(file);
        if (Files.isRegularFile(file) && format != null) {
          files.add(file);
        } else {
          LOG.debug("{}: ignoring {} (not a .conf, .toml, .yaml, .yml or .json file)", dir, file);
        }
      }
      return files;
    } catch (IOException e) {
      throw new MirrorConfigException(dir, null, null, "cannot list the directory: " + FileErrors.reason(e), e);
    }
  }

  private enum Format { TOML, YAML }

  private static Format byExtension(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".conf") || name.endsWith(".toml")) {
      return Format.TOML;
    }
    if (name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json")) {
      return Format.YAML;
    }
    return null;
  }

  private static void loadFile(Path file, boolean dropIn, RuleSetBuilder builder) {
    load(file, read(file), byExtension(file), dropIn, builder);
  }

  private static void load(Path file, String text, Format format, boolean dropIn, RuleSetBuilder builder) {
    if (format == null) {
      format = sniff(text);
    }
    LOG.debug("Loading mirror configuration {} as {}", file, format);
    if (format == Format.TOML) {
      builder.replace(RegistriesConfParser.parse(file, parseToml(file, text), dropIn));
    } else {
      loadYaml(file, text, builder);
    }
  }

  private static String read(Path file) {
    if (!Files.exists(file)) {
      throw new MirrorConfigException(file, null, null, "the file does not exist");
    }
    try {
      byte[] bytes = Files.readAllBytes(file);
      return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new MirrorConfigException(file, null, null, "the file is not UTF-8 text", e);
    } catch (IOException e) {
      throw new MirrorConfigException(file, null, null, "cannot read the file: " + FileErrors.reason(e), e);
    }
  }

  // Without a telling extension: a first significant line like "[[registry]]" or "key = value"
  // is TOML; anything else is YAML (which JSON is, too).
  private static Format sniff(String text) {
    for (String line : text.split("\n")) {
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("#") || trimmed.equals("---")) {
        continue;
      }
      return TOML_LINE.matcher(trimmed).find() && !trimmed.startsWith("[{") ? Format.TOML : Format.YAML;
    }
    return Format.YAML;
  }

  private static JsonNode parseToml(Path file, String text) {
    try {
      return new TomlMapper().readTree(text);
    } catch (JacksonException e) {
      throw new MirrorConfigException(file, null, null, "not valid TOML" + ParseErrors.location(e) + ": "
          + ParseErrors.reason(e), e);
    }
  }

  private static void loadYaml(Path file, String text, RuleSetBuilder builder) {
    List<JsonNode> documents = new ArrayList<>();
    YAMLMapper mapper = new YAMLMapper();
    try (JsonParser parser = mapper.createParser(text)) {
      // One tree per YAML document; unlike readValues(), a top-level list stays one document.
      while (parser.nextToken() != null) {
        documents.add(mapper.readTree(parser));
      }
    } catch (JacksonException e) {
      throw new MirrorConfigException(file, null, null, "not valid YAML" + ParseErrors.location(e) + ": "
          + ParseErrors.reason(e), e);
    } catch (IOException | RuntimeException e) {
      throw new MirrorConfigException(file, null, null, "not valid YAML: " + e.getMessage(), e);
    }
    for (int i = 0; i < documents.size(); i++) {
      JsonNode document = documents.get(i);
      if (document == null || document.isNull() || document.isMissingNode()) {
        continue; // an empty document, e.g. a trailing "---"
      }
      String label = documents.size() > 1 ? "document " + (i + 1) : null;
      Fields fields = Fields.of(file, label == null ? "document" : label, document);
      if (document.has("kind")) {
        String kind = fields.string("kind").orElse("");
        if (!OpenShiftMirrorSets.isKind(kind)) {
          throw fields.problem("kind", "'" + kind + "' is not one of "
              + OpenShiftMirrorSets.IDMS + ", " + OpenShiftMirrorSets.ITMS + ", "
              + OpenShiftMirrorSets.ICSP + ", " + OpenShiftMirrorSets.LIST);
        }
        OpenShiftMirrorSets.read(file, label == null ? "" : label, document, builder);
      } else if (document.has(RedirectParser.KEY)) {
        builder.replace(RedirectParser.read(file, label, document));
      } else {
        throw fields.problem(null, "neither a 'kind' (ImageDigestMirrorSet, ImageTagMirrorSet,"
            + " ImageContentSourcePolicy, List) nor a 'redirects' list");
      }
    }
  }

}
