package dev.holdfast.oci.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RegistryEndpointsTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    // --- loopback, as Docker treats it
    "localhost, true",
    "localhost:5000, true",
    "LOCALHOST:5000, true",
    "registry.localhost:5000, true",
    "127.0.0.1, true",
    "127.0.0.1:5000, true",
    "127.1.2.3:443, true",
    "[::1], true",
    "[::1]:5000, true",
    // --- not loopback
    "docker.io, false",
    "localhost.example.com, false",
    "128.0.0.1:5000, false",
    "127.0.0.256, false",
    "127.0.0, false",
    "10.0.0.1:5000, false",
    "[::2]:5000, false",
    "127.0.0.1.nip.io, false",
  })
  void recognisesLoopbackRegistries(String registry, boolean loopback) {
    assertThat(RegistryEndpoints.isLoopback(registry)).isEqualTo(loopback);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "docker.io, registry-1.docker.io",
    "ghcr.io, ghcr.io",
    "localhost:5000, localhost:5000",
    "[::1]:5000, [::1]:5000",
  })
  void dockerHubIsServedAtRegistry1(String registry, String host) {
    assertThat(RegistryEndpoints.apiHost(registry)).isEqualTo(host);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "https://auth.example/token, auth.example",
    "http://127.0.0.1:5001/token, 127.0.0.1:5001",
    "http://[::1]:5001/token, [::1]:5001",
  })
  void authorityNamesHostsAsRegistriesAre(String uri, String authority) {
    assertThat(RegistryEndpoints.authority(URI.create(uri))).isEqualTo(authority);
  }

  @ParameterizedTest(name = "{0} vs {1}: {2}")
  @CsvSource({
    "https://r.example/v2/, https://r.example, true",
    "https://r.example:443/v2/, https://r.example, true",
    "http://r.example:80/x, http://r.example, true",
    "HTTPS://R.EXAMPLE/x, https://r.example, true",
    "http://r.example/x, https://r.example, false",
    "https://storage.example/blob, https://r.example, false",
    "http://localhost:5000/x, http://127.0.0.1:5000, false",
    "http://127.0.0.1:5001/x, http://127.0.0.1:5000, false",
  })
  void credentialsStayOnTheSameOrigin(String target, String base, boolean same) {
    assertThat(RegistryCaller.sameOrigin(URI.create(target), URI.create(base))).isEqualTo(same);
  }
}
