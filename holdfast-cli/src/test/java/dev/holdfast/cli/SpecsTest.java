package dev.holdfast.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The commands' picocli annotations bind every option to its field: defaults, repeated and
 * comma-separated values, flags, enums and positionals, in the commands and their mixins.
 */
class SpecsTest {

  private static <T> T parsed(Class<T> type, String... args) {
    CommandLine cli = Main.newCommandLine(args);
    cli.parseArgs(args);
    return type.cast(cli.getSubcommands().get(args[0]).getCommand());
  }

  @Test
  void defaultsApplyWhenNothingIsGiven() {
    SyncCommand sync = parsed(SyncCommand.class, "sync", "--from", "images.yaml");

    assertThat(sync.from).isEqualTo("images.yaml");
    assertThat(sync.to).isEqualTo("oci:./holdfast-copies");
    assertThat(sync.scheme).isEqualTo("keep");
    assertThat(sync.separator).isEqualTo("_");
    assertThat(sync.flags.output).isEqualTo(CopyFlags.Output.text);
    assertThat(sync.flags.hashBlobs).isEqualTo(CopyFlags.HashBlobs.auto);
    assertThat(sync.flags.sourceParallelism).isEqualTo(8);
    assertThat(sync.flags.destinationParallelism).isEqualTo(8);
    assertThat(sync.flags.all).isFalse();
    assertThat(sync.flags.withReferrers).isFalse();
    assertThat(sync.flags.platforms).isEmpty();
    assertThat(sync.registry.authFile).isNull();
    assertThat(sync.registry.caFiles).isEmpty();
    assertThat(sync.mirrors.mirrors).isEmpty();
  }

  @Test
  void everyKindOfOptionReachesItsField() {
    CopyCommand copy = parsed(CopyCommand.class, "copy",
        "--platform", "linux/amd64,linux/arm64", "--platform", "linux/s390x",
        "--with-referrers", "--output", "json", "--hash-blobs", "always",
        "--source-parallelism", "3", "--destination-parallelism", "5",
        "--authfile", "auth.json", "--ca-file", "a.pem", "--ca-file", "b.pem", "--certs-d", "certs.d",
        "--insecure-registry", "mirror.local:5000", "--mirrors", "registries.conf",
        "--image-credential-provider-config", "providers.yaml", "--image-credential-provider-bin-dir", "bin",
        "docker://source.example/app:1", "oci:backup:app:1");

    assertThat(copy.flags.platforms).containsExactly("linux/amd64", "linux/arm64", "linux/s390x");
    assertThat(copy.flags.withReferrers).isTrue();
    assertThat(copy.flags.output).isEqualTo(CopyFlags.Output.json);
    assertThat(copy.flags.hashBlobs).isEqualTo(CopyFlags.HashBlobs.always);
    assertThat(copy.flags.sourceParallelism).isEqualTo(3);
    assertThat(copy.flags.destinationParallelism).isEqualTo(5);
    assertThat(copy.registry.authFile).isEqualTo(Path.of("auth.json"));
    assertThat(copy.registry.caFiles).containsExactly(Path.of("a.pem"), Path.of("b.pem"));
    assertThat(copy.registry.certsDirectories).containsExactly(Path.of("certs.d"));
    assertThat(copy.registry.insecureRegistries).containsExactly("mirror.local:5000");
    assertThat(copy.registry.credentialProviderConfig).isEqualTo(Path.of("providers.yaml"));
    assertThat(copy.registry.credentialProviderBinDir).isEqualTo(Path.of("bin"));
    assertThat(copy.mirrors.mirrors).containsExactly(Path.of("registries.conf"));
    assertThat(copy.source).isEqualTo("docker://source.example/app:1");
    assertThat(copy.destination).isEqualTo("oci:backup:app:1");
  }

  @Test
  void resolveAndInspectTakeTheirPositionalsAndShortOptions() {
    ResolveCommand resolve = parsed(ResolveCommand.class, "resolve", "-o", "json", "nginx", "ghcr.io/org/app:1");
    assertThat(resolve.output).isEqualTo(ResolveCommand.Format.json);
    assertThat(resolve.references).containsExactly("nginx", "ghcr.io/org/app:1");

    InspectCommand inspect = parsed(InspectCommand.class, "inspect", "--raw", "oci:layout:app");
    assertThat(inspect.raw).isTrue();
    assertThat(inspect.output).isEqualTo(InspectCommand.Format.text);
    assertThat(inspect.image).isEqualTo("oci:layout:app");
  }
}
