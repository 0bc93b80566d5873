package dev.holdfast.oci.registry;

import dev.holdfast.oci.reference.Digest;
import dev.holdfast.oci.reference.ImageReference;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds out whether a registry checks the digest of an upload: uploads a few random bytes with a
 * digest they do not have, and expects {@code 400 DIGEST_INVALID}, which the distribution spec
 * defines for exactly this. The claimed digest is the hash of other random bytes, so no image can
 * refer to it, even in a registry that wrongly stores the probe under it (which is then deleted,
 * best effort). Any other answer, or a failure, counts as "does not check": the safe side, on
 * which the client hashes what it uploads itself.
 */
final class DigestCheckProbe implements RegistryOperation<Boolean> {
  private static final Logger log = LoggerFactory.getLogger(DigestCheckProbe.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final ImageReference repository;

  DigestCheckProbe(ImageReference repository) {
    this.repository = repository;
  }

  @Override
  public Boolean run(RegistryCaller caller) {
    String nonce = HexFormat.of().formatHex(random());
    byte[] content = ("holdfast digest check " + nonce + "\n").getBytes(StandardCharsets.US_ASCII);
    Digest claimed = Digest.sha256(("holdfast digest check, claimed " + nonce).getBytes(StandardCharsets.US_ASCII));
    String action = "check that " + repository.registry() + " verifies upload digests (upload to "
        + repository.repository() + ")";
    String location;
    try {
      location = BlobPusher.start(caller, repository, action);
    } catch (RegistryException e) {
      log.debug("{}: {}; the client hashes what it uploads there", action, e.getMessage());
      return false;
    }
    Call put = Call.of(repository.registry(), action, "PUT",
            RegistryOperation.withQuery(location, "digest=" + claimed))
        .scope(Scope.push(repository.repository()))
        .header("Content-Type", "application/octet-stream")
        .body(content)
        .expect(201, 202, 204);
    try (Response response = caller.send(put)) {
      response.drain();
    } catch (RegistryException e) {
      BlobPusher.cancel(caller, repository, location, action);
      boolean checks = e.statusCode() == 400 && e.errorCode().filter("DIGEST_INVALID"::equals).isPresent();
      log.debug("{}: {} ({})", action, checks ? "it does" : "no DIGEST_INVALID answer", e.getMessage());
      return checks;
    }
    log.warn("{} stored an upload under a digest the content does not have: Holdfast hashes every blob it"
        + " uploads there itself", repository.registry());
    deleteProbe(caller, claimed, action);
    return false;
  }

  private void deleteProbe(RegistryCaller caller, Digest claimed, String action) {
    Call delete = Call.of(repository.registry(), action + " (delete the probe)", "DELETE",
            RegistryOperation.path(repository.repository(), "blobs/" + claimed))
        .scope(Scope.push(repository.repository()))
        .expect(200, 202, 204, 404, 405);
    try (Response response = caller.send(delete)) {
      response.drain();
    } catch (RegistryException ignored) {
      // nothing refers to the claimed digest; the registry's garbage collection removes it
    }
  }

  private static byte[] random() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return bytes;
  }
}
