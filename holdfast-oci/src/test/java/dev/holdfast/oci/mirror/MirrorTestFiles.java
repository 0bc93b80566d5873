package dev.holdfast.oci.mirror;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** Finds the tiny per-scenario configuration files under {@code src/test/resources/mirror/}. */
final class MirrorTestFiles {

  private MirrorTestFiles() {}

  static Path path(String relative) {
    URL url = MirrorTestFiles.class.getResource("/mirror/" + relative);
    if (url == null) {
      throw new IllegalArgumentException("no test resource mirror/" + relative);
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Loads comma-separated resources, in order. */
  static MirrorRules load(String commaSeparated) {
    List<Path> paths = Arrays.stream(commaSeparated.split(",")).map(String::strip)
        .map(MirrorTestFiles::path).toList();
    return MirrorConfigLoader.load(paths);
  }
}
