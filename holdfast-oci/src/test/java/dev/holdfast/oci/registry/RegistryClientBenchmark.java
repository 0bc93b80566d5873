package dev.holdfast.oci.registry;

import dev.holdfast.oci.manifest.Descriptor;
import dev.holdfast.oci.reference.Digest;
import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.oci.testing.RegistryExtension;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client CPU per GiB for a registry-to-registry blob copy and a pull, between two local plain
 * registries. Not part of the suite (the name matches neither *Test nor *IT); run it with
 * {@code ./mvnw -pl holdfast-oci test -Dtest=RegistryClientBenchmark -Dmb=1024} and read the
 * {@code BENCH} lines in {@code target/surefire-reports/*RegistryClientBenchmark-output.txt}.
 */
class RegistryClientBenchmark {

  @RegisterExtension static final RegistryExtension a = RegistryExtension.plain();
  @RegisterExtension static final RegistryExtension b = RegistryExtension.plain();
  @TempDir Path dir;

  private static long cpu() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  @Test
  void copyAndPull() throws Exception {
    int mb = Integer.getInteger("mb", 256);
    Path file = dir.resolve("blob");
    byte[] chunk = new byte[1 << 20];
    Random random = new Random(1);
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    try (OutputStream out = Files.newOutputStream(file)) {
      for (int i = 0; i < mb; i++) {
        random.nextBytes(chunk);
        sha.update(chunk);
        out.write(chunk);
      }
    }
    Descriptor blob = Descriptor.of("application/octet-stream", Digest.of("sha256", sha.digest()), (long) mb << 20);
    RegistryClient client = RegistryClient.builder().build();
    ImageReference source = ImageReference.parse(a.hostPort() + "/bench/source:1");
    try (InputStream in = Files.newInputStream(file)) {
      client.pushBlob(source, blob, in);
    }
    for (int round = 0; round < 3; round++) { // the first rounds include JIT warm-up
      ImageReference target = ImageReference.parse(b.hostPort() + "/bench/r" + round + ":1");
      long c1 = cpu();
      long t1 = System.nanoTime();
      try (InputStream in = client.openBlob(source, blob)) {
        client.pushBlob(target, blob, in);
      }
      long c2 = cpu();
      long t2 = System.nanoTime();
      try (InputStream in = client.openBlob(target, blob)) {
        in.transferTo(OutputStream.nullOutputStream());
      }
      long c3 = cpu();
      long t3 = System.nanoTime();
      double gib = mb / 1024.0;
      System.err.printf("BENCH %d MiB round %d: copy %.2f s, %.2f cpu-s/GiB | pull+verify %.2f s, %.2f cpu-s/GiB%n",
          mb, round, (t2 - t1) / 1e9, (c2 - c1) / 1e9 / gib, (t3 - t2) / 1e9, (c3 - c2) / 1e9 / gib);
    }
  }
}
