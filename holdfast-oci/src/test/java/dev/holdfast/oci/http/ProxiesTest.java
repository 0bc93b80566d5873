package dev.holdfast.oci.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ProxiesTest {

  private static final String PROXY = "http://proxy.internal:3128";

  // ---- which variables are read ----------------------------------------------------------------

  @Test
  void httpsAndHttpHaveTheirOwnVariablesInEitherCase() {
    Proxies upper = Proxies.fromEnvironment(Map.of("HTTPS_PROXY", "tls.proxy:8443", "HTTP_PROXY", "plain.proxy:8080"));
    assertThat(upper.proxyFor("https", "registry.example", 443)).contains(URI.create("http://tls.proxy:8443"));
    assertThat(upper.proxyFor("http", "registry.example", 80)).contains(URI.create("http://plain.proxy:8080"));

    Proxies lower = Proxies.fromEnvironment(Map.of("https_proxy", PROXY));
    assertThat(lower.proxyFor("https", "registry.example", 443)).contains(URI.create(PROXY));
    assertThat(lower.proxyFor("http", "registry.example", 80)).isEmpty();
  }

  @Test
  void theLowerCaseVariableWinsAsInCurlAndAnEmptyOneCountsAsUnset() {
    Proxies both = Proxies.fromEnvironment(Map.of("https_proxy", "lower:1", "HTTPS_PROXY", "upper:2"));
    assertThat(both.proxyFor("https", "r.example", 443)).contains(URI.create("http://lower:1"));
    Proxies empty = Proxies.fromEnvironment(Map.of("https_proxy", " ", "HTTPS_PROXY", "upper:2"));
    assertThat(empty.proxyFor("https", "r.example", 443)).contains(URI.create("http://upper:2"));
  }

  @Test
  void noVariablesNoProxy() {
    Proxies none = Proxies.fromEnvironment(Map.of());
    assertThat(none.any()).isFalse();
    assertThat(none.proxyFor("https", "registry.example", 443)).isEmpty();
  }

  @Test
  void theCommandLineProxyServesBothSchemesAndNoProxyStillApplies() {
    Proxies proxies = Proxies.fromEnvironment(Map.of("HTTPS_PROXY", "env:1", "NO_PROXY", "internal.example"))
        .withProxy("cli.proxy:3128", "--proxy");
    assertThat(proxies.proxyFor("https", "registry.example", 443)).contains(URI.create("http://cli.proxy:3128"));
    assertThat(proxies.proxyFor("http", "registry.example", 80)).contains(URI.create("http://cli.proxy:3128"));
    assertThat(proxies.proxyFor("https", "r.internal.example", 443)).isEmpty();
  }

  // ---- proxy URLs ----------------------------------------------------------------------------

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "proxy:3128,                      http://proxy:3128",
    "http://proxy:3128,               http://proxy:3128",
    "http://proxy,                    http://proxy:80",
    "http://user:s%40cret@proxy:3128, http://user:s%40cret@proxy:3128",
    "HTTP://proxy:3128/,              http://proxy:3128",
  })
  void proxyUrls(String value, String expected) {
    assertThat(Proxies.parse(value, "HTTPS_PROXY")).isEqualTo(URI.create(expected));
  }

  @Test
  void unusableProxyUrlsNameTheVariableAndHideThePassword() {
    assertThatThrownBy(() -> Proxies.fromEnvironment(Map.of("HTTPS_PROXY", "socks5://user:secret@proxy:1080")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("HTTPS_PROXY").hasMessageContaining("only http:// proxies")
        .hasMessageNotContaining("secret");
    assertThatThrownBy(() -> Proxies.none().withProxy("http://", "--proxy"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("--proxy: ");
  }

  @Test
  void messagesShowAProxyWithoutItsCredentials() {
    assertThat(Proxies.shown(URI.create("http://user:secret@proxy:3128"))).isEqualTo("http://proxy:3128");
  }

  // ---- NO_PROXY, as curl and Go match it ----------------------------------------------------------

  @ParameterizedTest(name = "NO_PROXY={0}: {1}:{2} direct={3}")
  @CsvSource(delimiter = '|', textBlock = """
      # domains match themselves and their subdomains, with or without a leading dot or *.
      example.com            | example.com          | 443  | true
      example.com            | registry.example.com | 443  | true
      .example.com           | registry.example.com | 443  | true
      .example.com           | example.com          | 443  | true
      *.example.com          | a.b.example.com      | 443  | true
      example.com            | notexample.com       | 443  | false
      example.com            | example.com.evil.io  | 443  | false
      EXAMPLE.com            | Registry.Example.COM | 443  | true
      example.com            | registry.example.com.| 443  | true
      # a port limits an entry to that port
      example.com:5000       | registry.example.com | 5000 | true
      example.com:5000       | registry.example.com | 443  | false
      # IP addresses, v4 and v6, and CIDR blocks: only for hosts written as addresses
      127.0.0.1              | 127.0.0.1            | 5000 | true
      127.0.0.1              | 127.0.0.2            | 5000 | false
      127.0.0.0/8            | 127.1.2.3            | 5000 | true
      10.0.0.0/8             | 11.0.0.1             | 443  | false
      10.0.0.0/8             | ten.example          | 443  | false
      192.168.1.0/24         | 192.168.1.255        | 443  | true
      192.168.1.0/24         | 192.168.2.1          | 443  | false
      ::1                    | ::1                  | 5000 | true
      [::1]                  | [::1]                | 5000 | true
      [::1]:5000             | ::1                  | 5000 | true
      [::1]:5000             | ::1                  | 5001 | false
      fd00::/8               | fd12:3456::1         | 443  | true
      fd00::/8               | fe80::1              | 443  | false
      # lists, with spaces; * alone exempts everything
      a.example, b.example   | x.b.example          | 443  | true
      a.example b.example    | x.c.example          | 443  | false
      *                      | anything.example     | 443  | true
      # entries that match nothing are ignored, not errors
      10.0.0.0/99, :x, [     | 10.1.1.1             | 443  | false
      ''                     | example.com          | 443  | false
      """)
  void noProxy(String noProxy, String host, int port, boolean direct) {
    Proxies proxies = Proxies.fromEnvironment(Map.of("HTTPS_PROXY", PROXY, "NO_PROXY", noProxy));
    Optional<URI> proxy = proxies.proxyFor("https", host, port);
    assertThat(proxy.isEmpty()).as("direct").isEqualTo(direct);
  }

  @Test
  void noProxyHostNamesAreNeverLookedUp() {
    // a CIDR block does not match a name, even one that would resolve into it
    assertThat(NoProxy.parse("127.0.0.0/8").bypasses("localhost", 5000)).isFalse();
    assertThat(NoProxy.literal("999.1.1.1")).isNull();
    assertThat(NoProxy.literal("dead:beef:zz")).isNull();
  }
}
