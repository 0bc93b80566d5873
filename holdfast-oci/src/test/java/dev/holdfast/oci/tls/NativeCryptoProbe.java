package dev.holdfast.oci.tls;

import dev.holdfast.oci.manifest.Descriptor;
import dev.holdfast.oci.manifest.ImageManifest;
import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.oci.registry.RegistryClient;
import java.io.InputStream;
import java.nio.file.Path;
import javax.crypto.Cipher;

/**
 * Run by {@link NativeCryptoIT} in a JVM of its own: pulls an image over HTTPS with a TLS
 * configuration opted in to native crypto, or with {@code jdk} as its third argument declines it
 * as the CLI's switch does, then prints which providers TLS used. Arguments: the image, the CA
 * file, and optionally {@code jdk}.
 */
public final class NativeCryptoProbe {
  private NativeCryptoProbe() {}

  public static void main(String[] args) throws Exception {
    TrustConfig.Builder trust = TrustConfig.builder().addGlobalBundle(Path.of(args[1]));
    if (args.length > 2 && args[2].equals("jdk")) {
      NativeCrypto.decline("switched off");
    } else {
      trust.nativeCrypto();
    }
    ImageReference image = ImageReference.parse(args[0]);
    long bytes = 0;
    try (RegistryClient client = RegistryClient.builder().trust(trust.build()).build()) {
      ImageManifest manifest = (ImageManifest) client.getManifest(image);
      for (Descriptor layer : manifest.layers()) {
        try (InputStream in = client.openBlob(image, layer)) { // hashed: a wrong byte fails
          bytes += in.transferTo(OutputStreamSink.INSTANCE);
        }
      }
    }
    System.out.println("choice=" + NativeCrypto.current().map(NativeCrypto.Choice::describe).orElse("none"));
    System.out.println("kind=" + NativeCrypto.current().map(c -> c.getClass().getSimpleName()).orElse("none"));
    System.out.println("aes-gcm=" + Cipher.getInstance("AES/GCM/NoPadding").getProvider().getName());
    System.out.println("bytes=" + bytes);
  }

  private static final class OutputStreamSink extends java.io.OutputStream {
    static final OutputStreamSink INSTANCE = new OutputStreamSink();

    @Override
    public void write(int b) {}

    @Override
    public void write(byte[] b, int off, int len) {}
  }
}
