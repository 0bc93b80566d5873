package dev.holdfast.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileErrorsTest {
  @TempDir Path dir;

  @Test
  void aMissingFile() {
    IOException e = catchThrowableOfType(IOException.class, () -> Files.readAllBytes(dir.resolve("nothing.pem")));
    assertThat(FileErrors.reason(e)).isEqualTo("no such file or directory");
  }

  @Test
  void aDirectoryReadAsAFile() {
    IOException e = catchThrowableOfType(IOException.class, () -> Files.readAllBytes(dir));
    assertThat(FileErrors.reason(e)).isEqualTo("is a directory");
  }

  @Test
  void aFileListedAsADirectory() throws IOException {
    Path file = Files.writeString(dir.resolve("file"), "x");
    IOException e = catchThrowableOfType(IOException.class, () -> Files.newDirectoryStream(file).close());
    assertThat(FileErrors.reason(e)).isEqualTo("not a directory");
  }

  @Test
  void aFileWhereADirectoryShouldBe() throws IOException {
    Path file = Files.writeString(dir.resolve("layout"), "x");
    IOException e = catchThrowableOfType(IOException.class, () -> Files.createDirectories(file));
    assertThat(FileErrors.reason(e)).isEqualTo("a file of that name is in the way");
  }

  @Test
  void theOtherKindsSayWhatTheSystemSaid() {
    // Built by hand: the tests run as root, which the file system never refuses.
    assertThat(FileErrors.reason(new AccessDeniedException("/etc/x.pem"))).isEqualTo("permission denied");
    assertThat(FileErrors.reason(new NotDirectoryException("/etc/x"))).isEqualTo("not a directory");
    assertThat(FileErrors.reason(new FileSystemException("/etc/x", null, "Input/output error")))
        .isEqualTo("input/output error");
    assertThat(FileErrors.reason(new IOException("Stream closed"))).isEqualTo("stream closed");
    assertThat(FileErrors.reason(new IOException())).isEqualTo("IOException");
  }
}
