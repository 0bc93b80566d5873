package dev.holdfast.oci.registry;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSocket;

/**
 * A TLS failure in words a user can act on. The JDK's own messages name its classes ({@code PKIX
 * path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find
 * valid certification path to requested target}); these say what is wrong with the registry's
 * certificate or connection, and what to do about it.
 */
final class TlsFailures {
  private TlsFailures() {}

  /** What a registry that wants a client certificate is told, before its name. */
  static final String CLIENT_CERTIFICATE_WANTED = "the registry refused the TLS connection: it asks for a client"
      + " certificate it accepts (mutual TLS); give one as client.cert and client.key in a certs.d directory for ";

  private static final String TRUST_HINT = "if the registry uses a private CA, trust it with --ca-file or a"
      + " certs.d directory (--certs-d), or mark the registry --insecure-registry";

  /** What went wrong, when {@code failure} (or a cause) is a TLS failure; empty otherwise. */
  static Optional<String> describe(Throwable failure, String registry) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      String message = cause.getMessage() == null ? "" : cause.getMessage();
      if (cause instanceof SSLException && refusedOurCertificate(message)) {
        return Optional.of(CLIENT_CERTIFICATE_WANTED + registry + " (--certs-d)");
      }
      if (cause instanceof SSLException && message.contains("Unsupported or unrecognized SSL message")) {
        return Optional.of("the registry does not speak TLS on this port; if it serves plain HTTP, say so with"
            + " --insecure-registry " + registry);
      }
      if (cause instanceof SSLHandshakeException || cause instanceof SSLPeerUnverifiedException) {
        return Optional.of(handshake(cause, registry));
      }
    }
    return Optional.empty();
  }

  private static String handshake(Throwable handshake, String registry) {
    for (Throwable cause = handshake; cause != null; cause = cause.getCause()) {
      String message = cause.getMessage() == null ? "" : cause.getMessage();
      if (cause instanceof CertificateExpiredException
          || (cause instanceof CertPathValidatorException path
              && path.getReason() == CertPathValidatorException.BasicReason.EXPIRED)) {
        return "the registry's certificate (or one of its CAs) has expired";
      }
      if (cause instanceof CertificateNotYetValidException
          || (cause instanceof CertPathValidatorException path
              && path.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID)) {
        return "the registry's certificate is not valid yet (is this machine's clock right?)";
      }
      if (message.startsWith("No subject alternative") || message.startsWith("No name matching")) {
        return "the registry's certificate is not issued for " + RegistryEndpoints.hostOf(registry)
            + " (the name or address used to reach it); reach the registry by a name its certificate"
            + " lists, or mark it --insecure-registry";
      }
      if (message.contains("unable to find valid certification path")
          || message.contains("PKIX path building failed")
          || message.contains("PKIX path validation failed")) {
        return "the registry's certificate is not signed by a CA Holdfast trusts; " + TRUST_HINT;
      }
      if (message.toLowerCase(Locale.ROOT).contains("handshake_failure")
          || message.contains("No appropriate protocol") || message.contains("protocol_version")) {
        return "the registry and Holdfast share no TLS version or cipher suite";
      }
    }
    return "the TLS handshake failed; " + TRUST_HINT;
  }

  /**
   * Whether {@code host:port} ends a TLS connection that presents no accepted client certificate
   * with an alert saying so: connects, completes the handshake, writes a request, and reads.
   */
  static boolean refusesWithoutClientCertificate(SSLContext tls, String host, int port, Duration timeout) {
    String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    int millis = (int) timeout.toMillis();
    try (Socket plain = new Socket()) {
      plain.connect(new InetSocketAddress(bare, port), millis);
      plain.setSoTimeout(millis);
      try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(plain, bare, port, true)) {
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        try {
          socket.getOutputStream().write(("HEAD /v2/ HTTP/1.1\r\nHost: " + host + ":" + port
              + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
          socket.getOutputStream().flush();
        } catch (IOException writeFailed) {
          // the alert may be waiting all the same: read it
        }
        socket.getInputStream().read();
        return false;
      }
    } catch (SSLException e) {
      return refusedOurCertificate(e.getMessage() == null ? "" : e.getMessage());
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /**
   * Whether the server ended the handshake with an alert about the client's certificate: none was
   * sent, or the one sent is not accepted. (With TLS 1.3 the client learns it after its own side of
   * the handshake is done, so this may come as a plain SSLException.)
   */
  private static boolean refusedOurCertificate(String message) {
    return message.contains("Received fatal alert: certificate_required")
        || message.contains("Received fatal alert: bad_certificate")
        || message.contains("Received fatal alert: unknown_ca")
        || message.contains("Received fatal alert: certificate_unknown");
  }
}
