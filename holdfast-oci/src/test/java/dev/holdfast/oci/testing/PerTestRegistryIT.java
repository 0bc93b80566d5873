package dev.holdfast.oci.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.extension.RegisterExtension;

/** An instance-field registration gives every test its own, fresh registry. */
class PerTestRegistryIT {

  private static final Set<Path> DATA_DIRS = new HashSet<>();

  @RegisterExtension final RegistryExtension registry = RegistryExtension.plain();

  @RepeatedTest(2)
  void eachTestGetsAFreshRunningRegistry() {
    assertThat(registry.isRunning()).isTrue();
    assertThat(registry.requests()).isEmpty();
    assertThat(DATA_DIRS.add(registry.dataDir())).as("a new data directory").isTrue();
  }

  @AfterAll
  static void dataDirectoriesAreDeleted() {
    assertThat(DATA_DIRS).hasSize(2).allSatisfy(dir -> assertThat(dir).doesNotExist());
  }
}
