package dev.holdfast.oci.mirror;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.holdfast.oci.reference.ImageReference;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Loading: every importer, format detection, and invalid configuration refused with the field. */
class MirrorConfigLoaderTest {

  private static List<String> candidates(MirrorRules rules, String reference) {
    return rules.resolve(ImageReference.parse(reference)).candidates().stream()
        .map(c -> c.reference().toString()).toList();
  }

  // --- Importers

  @Test
  void readsTheV1FormatFromATopLevelFile() {
    MirrorRules rules = MirrorTestFiles.load("importers/v1.conf");
    assertThat(rules.rules()).extracting(MirrorRule::prefix)
        .containsExactly("blocked.local", "insecure.local:5000");
    MirrorRule insecure = rules.ruleFor("insecure.local:5000/app").orElseThrow();
    assertThat(insecure.insecure()).isTrue();
    assertThat(insecure.blocked()).isTrue();
    assertThat(rules.ruleFor("blocked.local/app").orElseThrow().insecure()).isFalse();
  }

  @Test
  void loadsTextsThatAreNotFilesAndNamesTheirOriginInErrors() {
    MirrorRules rules = MirrorConfigLoader.loadTexts(List.of(
        new MirrorConfigLoader.Text("ImagePolicy edge", """
            redirects:
            - src: docker.io/
              to: project-a.azurecr.io/docker-mirror/
            """),
        new MirrorConfigLoader.Text("ConfigMap ops/mirrors key registries.conf", """
            [[registry]]
            prefix = "quay.io"
            location = "quay.io"
            [[registry.mirror]]
            location = "mirror.local/quay"
            """)));
    assertThat(candidates(rules, "docker.io/nats:2.10.26-alpine"))
        .containsExactly("project-a.azurecr.io/docker-mirror/library/nats:2.10.26-alpine",
            "docker.io/library/nats:2.10.26-alpine");
    assertThat(candidates(rules, "quay.io/a/b:1")).containsExactly("mirror.local/quay/a/b:1", "quay.io/a/b:1");

    assertThatThrownBy(() -> MirrorConfigLoader.loadTexts(List.of(new MirrorConfigLoader.Text("ImagePolicy edge",
        "redirects:\n- to: mirror.local/x\n"))))
        .isInstanceOf(MirrorConfigException.class)
        .hasMessageContaining("ImagePolicy edge")
        .hasMessageContaining("src");
  }

  @Test
  void parsesGlobalSettingsAndIgnoresAliases() {
    MirrorRules rules = MirrorTestFiles.load("importers/globals.conf");
    assertThat(rules.rules()).hasSize(1);
    Mirror mirror = rules.rules().getFirst().mirrors().getFirst();
    assertThat(mirror).isEqualTo(new Mirror("mirror.local/hub", PullPolicy.ALL, true, Optional.empty()));
    // No alias expansion: short names normalise to docker.io/library as everywhere else.
    assertThat(candidates(rules, "nats:1"))
        .containsExactly("mirror.local/hub/library/nats:1", "docker.io/library/nats:1");
  }

  @Test
  void theFirstEntryForAPrefixInOneFileWins() {
    assertThat(candidates(MirrorTestFiles.load("importers/duplicate-prefix.conf"), "nats:1"))
        .containsExactly("first.local/hub/library/nats:1", "docker.io/library/nats:1");
  }

  @Test
  void aWildcardPrefixWithALocationRewritesTheSourceToo() {
    assertThat(candidates(MirrorTestFiles.load("importers/wildcard-location.conf"), "a.example.com/x/y:1"))
        .containsExactly("central.local/all/x/y:1");
  }

  @Test
  void detectsTheFormatOfFilesWithoutAnExtension() {
    assertThat(candidates(MirrorTestFiles.load("importers/no-extension"), "quay.io/a/b:1"))
        .containsExactly("sniffed.local/quay/a/b:1", "quay.io/a/b:1");
    assertThat(candidates(MirrorTestFiles.load("importers/redirects-no-extension"), "quay.io/a/b:1"))
        .containsExactly("sniffed-yaml.local/quay/a/b:1", "quay.io/a/b:1");
  }

  @Test
  void readsJsonAsYaml() {
    MirrorRules rules = MirrorTestFiles.load("importers/idms.json");
    assertThat(rules.rules().getFirst().mirrors())
        .containsExactly(new Mirror("json.local/quay", PullPolicy.DIGEST_ONLY, false, Optional.empty()));
  }

  @Test
  void aLaterFileReplacesAnEarlierRuleWithTheSamePrefix() {
    MirrorRules rules = MirrorTestFiles.load("importers/no-extension, importers/redirects-no-extension");
    assertThat(candidates(rules, "quay.io/a/b:1"))
        .containsExactly("sniffed-yaml.local/quay/a/b:1", "quay.io/a/b:1");
  }

  @Test
  void aDirectoryIgnoresOtherFilesAndSubdirectories() {
    // README.txt and sub/ignored.conf are not valid configuration; reading them would fail.
    MirrorRules rules = MirrorTestFiles.load("dropins/registries.conf.d");
    assertThat(rules.rules()).extracting(MirrorRule::prefix).containsExactly("docker.io", "ghcr.io");
  }

  @ParameterizedTest
  @ValueSource(strings = {"empty/empty.conf", "empty/empty.yaml", "empty/comment.conf", "empty"})
  void emptyConfigurationHasNoRules(String config) {
    assertThat(MirrorTestFiles.load(config).rules()).isEmpty();
  }

  // --- Invalid configuration: refused at load time, naming the file, the entry and the field

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
      # registries.conf
      prefix-wildcard-path.conf        | prefix             | registry[0] (prefix "*.example.com/foo")
      prefix-wildcard-middle.conf      | prefix             | registry[0] (prefix "example.*.com")
      location-scheme.conf             | location           | has a URI scheme, which is not supported
      no-prefix-no-location.conf       | location           | both 'prefix' and 'location' are unset
      prefix-without-location.conf     | location           | only a wildcard prefix
      mirror-without-location.conf     | location           | registry[0] (location "example.com") mirror[0]
      pull-from-mirror-value.conf      | pull-from-mirror   | 'sometimes' is not one of all, digest-only, tag-only
      pull-from-mirror-on-registry.conf| pull-from-mirror   | only be set on a [[registry.mirror]]
      digest-only-conflict.conf        | pull-from-mirror   | mirror-by-digest-only
      insecure-conflict.conf           | insecure           | registry[1] (prefix "example.com/b")
      wrong-type.conf                  | insecure           | must be true or false, not "yes"
      short-name-mode.conf             | short-name-mode    | 'sometimes'
      mixed-v1-v2.conf                 | registries         | mixing the v1 format
      v1-dropin                        | registries         | a drop-in must use the v2 format
      location-no-host.conf            | location           | would be read as a Docker Hub namespace
      mirror-no-host.conf              | location           | mirror[0]
      # OpenShift mirror sets
      idms-bad-source.yaml             | source             | ImageDigestMirrorSet "bad" spec.imageDigestMirrors[0] (source "quay.io/NS")
      idms-bad-mirror.yaml             | mirrors[1]         | 'https://m2.local/ns'
      idms-policy.yaml                 | mirrorSourcePolicy | 'Sometimes' is not one of NeverContactSource, AllowContactingSource
      itms-no-source.yaml              | source             | is required
      icsp-mirrors-not-list.yaml       | mirrors            | must be a list
      wrong-kind.yaml                  | kind               | 'ConfigMap' is not one of
      wrong-apiversion.yaml            | apiVersion         | 'operator.openshift.io/v1alpha1' is not in config.openshift.io/
      list-wrong-item.yaml             | kind               | items[0]
      # Redirect lists
      redirect-unknown-field.yaml      | too                | redirects[0] (src "docker.io")
      redirect-no-to.yaml              | to                 | is required
      redirect-missing-ca.yaml         | caBundle           | 'no-such-ca.pem' is not a readable file
      redirect-bad-ca.yaml             | caBundle           | 'not-a-ca.pem' is not a usable CA bundle
      redirect-bad-policy.yaml         | pullFromMirror     | 'digests'
      redirect-src-no-host.yaml        | src                | would be read as a Docker Hub namespace
      redirect-second-doc.yaml         | blocked            | document 2 redirects[0] (src "ghcr.io")
      """)
  void refusesInvalidConfigurationNamingTheField(String file, String field, String detail) {
    Path path = MirrorTestFiles.path("invalid/" + file);

    MirrorConfigException e =
        catchThrowableOfType(MirrorConfigException.class, () -> MirrorConfigLoader.load(path));

    assertThat(e).as("refused").isNotNull();
    assertThat(e.field()).contains(field);
    assertThat(e.getMessage()).contains(path.getFileName().toString()).contains("'" + field + "'")
        .contains(detail);
    assertThat(e.file()).hasValueSatisfying(f -> assertThat(f.startsWith(path)).isTrue());
    assertThat(e.entry()).isPresent();
  }

  // --- Invalid input that must not crash: a MirrorConfigException naming the file, nothing else

  @ParameterizedTest
  @ValueSource(strings = {
      "garbage/garbage.conf", "garbage/garbage.yaml", "garbage/binary.conf", "garbage/list-root.yaml",
      "garbage/scalar.yaml", "garbage/registry-not-table.conf", "garbage/mirror-not-list.conf",
      "garbage/redirects-not-list.yaml", "garbage/neither.yaml", "garbage/kind-not-string.yaml",
      "garbage/redirect-entry-scalar.yaml", "garbage/blocked-conflict.conf"})
  void refusesGarbageWithoutCrashing(String file) {
    Path path = MirrorTestFiles.path(file);
    assertThatThrownBy(() -> MirrorConfigLoader.load(path))
        .isExactlyInstanceOf(MirrorConfigException.class)
        .hasMessageStartingWith("invalid mirror configuration " + path);
  }

  @Test
  void aMissingFileIsNamed(@TempDir Path dir) {
    Path missing = dir.resolve("nope.conf");
    assertThatThrownBy(() -> MirrorConfigLoader.load(missing))
        .isInstanceOf(MirrorConfigException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("does not exist");
  }

  @Test
  void aWildcardSourceOverANestedRuleWithoutMirrorsIsRefusedAsTheMcoDoes(@TempDir Path dir)
      throws Exception {
    Path conf = java.nio.file.Files.writeString(dir.resolve("a.conf"),
        "[[registry]]\nlocation = \"a.example.com/ns\"\ninsecure = true\n");
    Path idms = java.nio.file.Files.writeString(dir.resolve("b.yaml"), """
        kind: ImageDigestMirrorSet
        spec:
          imageDigestMirrors:
          - source: "*.example.com"
            mirrors: [m.local/all]
        """);
    assertThatThrownBy(() -> MirrorConfigLoader.load(conf, idms))
        .isInstanceOf(MirrorConfigException.class)
        .hasMessageContaining("a.example.com/ns")
        .hasMessageContaining("*.example.com");
  }
}
