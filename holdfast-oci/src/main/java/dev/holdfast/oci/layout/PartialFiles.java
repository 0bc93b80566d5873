package dev.holdfast.oci.layout;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The temporary files a layout write is filling ({@code .holdfast-blob-*.partial} and the like):
 * removed when the process is stopped (Ctrl-C, SIGTERM) while they are written, and by the next
 * run that opens the layout for writing, should a process have died without its shutdown hooks.
 */
final class PartialFiles {
  private PartialFiles() {}

  static final String PREFIX = ".holdfast-";
  static final String SUFFIX = ".partial";

  private static final Set<Path> inProgress = ConcurrentHashMap.newKeySet();
  private static volatile boolean stopping;

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(PartialFiles::removeAll, "holdfast-partial-files"));
  }

  /** A new temporary file in {@code directory}, removed at exit unless {@link #done} first. */
  static Path create(Path directory, String kind) throws IOException {
    Path temp = Files.createTempFile(directory, PREFIX + kind, SUFFIX);
    inProgress.add(temp);
    if (stopping) {
      remove(temp);
      throw new IOException("the process is stopping");
    }
    return temp;
  }

  /** The file was moved into place, or deleted: nothing left to remove. */
  static void done(Path temp) {
    inProgress.remove(temp);
  }

  /** Removes what an earlier process left in {@code directory}; returns how many files. */
  static int removeLeftovers(Path directory) {
    int removed = 0;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, PREFIX + "*" + SUFFIX)) {
      for (Path file : files) {
        if (!inProgress.contains(file) && Files.deleteIfExists(file)) {
          removed++;
        }
      }
    } catch (IOException e) {
      // best effort: a leftover .partial file is ignored by every reader
    }
    return removed;
  }

  private static void removeAll() {
    stopping = true;
    inProgress.forEach(PartialFiles::remove);
  }

  private static void remove(Path temp) {
    try {
      Files.deleteIfExists(temp);
    } catch (IOException e) {
      // best effort, as above
    }
    inProgress.remove(temp);
  }
}
