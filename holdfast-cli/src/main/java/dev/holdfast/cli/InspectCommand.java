package dev.holdfast.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdfast.oci.auth.CredentialException;
import dev.holdfast.oci.copy.ImageLocation;
import dev.holdfast.oci.layout.OciLayout;
import dev.holdfast.oci.layout.OciLayoutException;
import dev.holdfast.oci.manifest.Descriptor;
import dev.holdfast.oci.manifest.ImageIndex;
import dev.holdfast.oci.manifest.ImageManifest;
import dev.holdfast.oci.manifest.InvalidManifestException;
import dev.holdfast.oci.manifest.Manifest;
import dev.holdfast.oci.manifest.Platform;
import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.oci.registry.RegistryClient;
import dev.holdfast.oci.registry.RegistryException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code holdfast inspect IMAGE}: digest, media type, size and platforms of an image. */
@Command(name = "inspect", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    description = {
      "Shows an image's digest, media type, size and platforms, as the registry stores it.",
      "IMAGE is a reference (docker://REF also works) or oci:DIR[:NAME], an image of an OCI layout.",
      "",
      "Exit status: 0 shown; 1 the registry refused or failed (not found, unauthorized, TLS, ...);"
          + " 2 usage error or an unusable registry option (--authfile, --ca-file, ...)."
    })
final class InspectCommand implements Callable<Integer> {

  /** Output formats; lower-case because they are typed on the command line as is. */
  enum Format {
    text,
    json
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long MAX_CONFIG = 4L * 1024 * 1024;

  @Spec CommandSpec spec;
  @Mixin RegistryOptions registry = new RegistryOptions();

  @Option(names = "--raw", description = "Print the manifest bytes exactly as the registry stores them.")
  boolean raw;

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT",
      description = "${COMPLETION-CANDIDATES}: text (the default) or one JSON object.")
  Format output = Format.text;

  @Parameters(index = "0", paramLabel = "IMAGE",
      description = "The image, e.g. registry.example/app:1.0 or oci:DIR:NAME.")
  String image;

  /** Where {@code --raw} writes bytes; stdout unless a test replaces it. */
  OutputStream rawOut = System.out;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Reader reader;
    try {
      reader = switch (ImageLocation.parse(image)) {
        case ImageLocation.Layout layout -> new FromLayout(OciLayout.open(layout.directory()), layout);
        case ImageLocation.Registry location -> new FromRegistry(registry.newClient(err), location.reference());
      };
    } catch (IllegalArgumentException e) {
      throw new BadInput(spec, e.getMessage(), e);
    } catch (OciLayoutException e) {
      err.println("holdfast inspect: " + e.getMessage());
      return 1;
    }
    try (reader) {
      Manifest manifest = reader.manifest();
      if (raw) {
        rawOut.write(manifest.raw());
        rawOut.flush();
        return 0;
      }
      ObjectNode json = describe(reader, manifest);
      if (output == Format.json) {
        out.println(JSON.writeValueAsString(json));
      } else {
        printText(out, json);
      }
      out.flush();
      return 0;
    } catch (RegistryException | InvalidManifestException | CredentialException | OciLayoutException e) {
      err.println("holdfast inspect: " + e.getMessage());
      return 1;
    } catch (IOException e) {
      err.println("holdfast inspect: writing the output failed: " + e.getMessage());
      return 1;
    }
  }

  /** Where the image is read: a registry or an OCI layout. */
  private sealed interface Reader extends AutoCloseable {
    String name();

    Manifest manifest();

    InputStream blob(Descriptor descriptor);

    /** Closes the registry client's connections; a layout holds nothing open. */
    @Override
    default void close() {}
  }

  private record FromRegistry(RegistryClient client, ImageReference reference) implements Reader {
    @Override
    public String name() {
      return reference.toString();
    }

    @Override
    public Manifest manifest() {
      return client.getManifest(reference);
    }

    @Override
    public InputStream blob(Descriptor descriptor) {
      return client.openBlob(reference, descriptor);
    }

    @Override
    public void close() {
      client.close();
    }
  }

  private record FromLayout(OciLayout layout, ImageLocation.Layout location) implements Reader {
    @Override
    public String name() {
      return location.toString();
    }

    @Override
    public Manifest manifest() {
      Descriptor top = layout.resolve(location.name());
      return Manifest.parse(layout.readBlob(top), top.mediaType());
    }

    @Override
    public InputStream blob(Descriptor descriptor) {
      return layout.openBlob(descriptor);
    }
  }

  private static ObjectNode describe(Reader reader, Manifest manifest) {
    ObjectNode json = JSON.createObjectNode();
    json.put("name", reader.name());
    json.put("digest", manifest.digest().toString());
    json.put("mediaType", manifest.mediaType());
    json.put("size", manifest.size());
    ArrayNode platforms = json.putArray("platforms");
    switch (manifest) {
      case ImageIndex index -> {
        ArrayNode manifests = json.putArray("manifests");
        for (Descriptor child : index.manifests()) {
          child.platform().ifPresent(p -> platforms.add(p.toString()));
          ObjectNode entry = manifests.addObject();
          entry.put("digest", child.digest().toString());
          entry.put("mediaType", child.mediaType());
          entry.put("size", child.size());
          child.platform().ifPresent(p -> entry.put("platform", p.toString()));
          child.artifactType().ifPresent(t -> entry.put("artifactType", t));
        }
      }
      case ImageManifest image -> {
        platformOf(reader, image).ifPresent(p -> platforms.add(p.toString()));
        json.put("config", image.config().digest().toString());
        json.put("layers", image.layers().size());
        json.put("layersSize", image.layers().stream().mapToLong(Descriptor::size).sum());
      }
    }
    return json;
  }

  /** An image manifest's platform, from its config blob (os, architecture, variant). */
  private static Optional<Platform> platformOf(Reader reader, ImageManifest image) {
    if (image.config().size() > MAX_CONFIG) {
      return Optional.empty();
    }
    try (InputStream in = reader.blob(image.config())) {
      JsonNode config = JSON.readTree(in.readAllBytes());
      if (config == null || !config.hasNonNull("os") || !config.hasNonNull("architecture")) {
        return Optional.empty();
      }
      return Optional.of(Platform.of(config.get("os").asText(), config.get("architecture").asText(),
          config.hasNonNull("variant") ? config.get("variant").asText() : null));
    } catch (IOException e) {
      return Optional.empty(); // not JSON: an artifact, not a runnable image
    }
  }

  private static void printText(PrintWriter out, ObjectNode json) {
    out.printf("Name:       %s%n", json.get("name").asText());
    out.printf("Digest:     %s%n", json.get("digest").asText());
    out.printf("Media type: %s%n", json.get("mediaType").asText());
    out.printf("Size:       %d%n", json.get("size").asLong());
    StringBuilder platforms = new StringBuilder();
    json.get("platforms").forEach(p -> platforms.append(platforms.isEmpty() ? "" : ", ").append(p.asText()));
    out.printf("Platforms:  %s%n", platforms.isEmpty() ? "(unknown)" : platforms);
    if (json.has("layers")) {
      out.printf("Layers:     %d (%d bytes)%n", json.get("layers").asInt(), json.get("layersSize").asLong());
    }
    if (json.has("manifests")) {
      out.println("Manifests:");
      for (JsonNode entry : json.get("manifests")) {
        out.printf("  %s  %-16s %8d  %s%n", entry.get("digest").asText(),
            entry.has("platform") ? entry.get("platform").asText() : "-",
            entry.get("size").asLong(), entry.get("mediaType").asText());
      }
    }
  }
}
