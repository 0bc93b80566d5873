package dev.holdfast.oci.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.Signature;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JwtSignerTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void tokenIsRs256SignedAndCarriesTheCertificateInX5c(@TempDir Path dir) throws Exception {
    JwtSigner signer = JwtSigner.create(dir);
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("iss", "issuer");
    claims.put("access", List.of(Map.of("type", "repository", "name", "a/b", "actions", List.of("pull"))));
    String jwt = signer.sign(claims);

    String[] parts = jwt.split("\\.");
    assertThat(parts).hasSize(3);
    Base64.Decoder b64 = Base64.getUrlDecoder();
    JsonNode header = JSON.readTree(b64.decode(parts[0]));
    assertThat(header.path("alg").asText()).isEqualTo("RS256");
    assertThat(Base64.getDecoder().decode(header.path("x5c").get(0).asText()))
        .isEqualTo(signer.certificate().getEncoded());
    JsonNode body = JSON.readTree(b64.decode(parts[1]));
    assertThat(body.path("access").get(0).path("name").asText()).isEqualTo("a/b");

    byte[] input = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
    Signature verify = Signature.getInstance("SHA256withRSA");
    verify.initVerify(signer.certificate().getPublicKey());
    verify.update(input);
    assertThat(verify.verify(b64.decode(parts[2]))).isTrue();

    byte[] tampered = (parts[0] + "." + parts[1] + "x").getBytes(StandardCharsets.US_ASCII);
    verify.initVerify(signer.certificate().getPublicKey());
    verify.update(tampered);
    assertThat(verify.verify(b64.decode(parts[2]))).isFalse();
  }

  @Test
  void anonymousCallersAreGrantedOnlyPull() {
    List<String> scopes = List.of("repository:demo/app:pull,push", "registry:catalog:*");
    assertThat(TokenServer.access(scopes, false))
        .extracting(m -> m.get("name") + "=" + m.get("actions"))
        .containsExactly("demo/app=[pull, push]", "catalog=[*]");
    assertThat(TokenServer.access(scopes, true))
        .extracting(m -> m.get("name") + "=" + m.get("actions"))
        .containsExactly("demo/app=[pull]", "catalog=[]");
  }
}
