package dev.holdfast.operator.webhook;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Objects;

/**
 * How the webhook is served and registered.
 *
 * @param listen where this replica serves it
 * @param registration how the API server reaches it
 * @param failurePolicy {@code Ignore} (Pods are created unchanged when no replica answers) or {@code Fail}
 * @param certificates {@code self}: the operator keeps its own CA and serving certificate in {@link #secret};
 *     {@code external}: another tool (cert-manager) keeps {@code tls.crt}, {@code tls.key} and {@code
 *     ca.crt} there
 * @param secret the Secret of the certificates, in the operator's namespace
 */
public record WebhookSettings(InetSocketAddress listen, Registration registration, String failurePolicy,
    Certificates certificates, String secret) {
  /** The MutatingWebhookConfiguration the operator owns. */
  public static final String CONFIGURATION = "holdfast";
  /** The default Secret of the webhook's certificates. */
  public static final String DEFAULT_SECRET = "holdfast-webhook-tls";

  public WebhookSettings {
    Objects.requireNonNull(listen, "listen");
    Objects.requireNonNull(registration, "registration");
    if (!failurePolicy.equals("Ignore") && !failurePolicy.equals("Fail")) {
      throw new IllegalArgumentException("the webhook's failure policy is Ignore or Fail, not " + failurePolicy);
    }
    Objects.requireNonNull(certificates, "certificates");
    Objects.requireNonNull(secret, "secret");
  }

  /** Who keeps the certificates. */
  public enum Certificates { SELF, EXTERNAL }

  /** How the API server reaches the webhook. */
  public sealed interface Registration {
    /** The host names and addresses the serving certificate must hold. */
    List<String> certificateNames();

    /** By URL, as out of the cluster (and envtest) do: {@code https://HOST:PORT/mutate}. */
    record Url(URI url) implements Registration {
      @Override
      public List<String> certificateNames() {
        return List.of(url.getHost());
      }
    }

    /** By a Service in the operator's namespace. */
    record Service(String namespace, String name, int port) implements Registration {
      @Override
      public List<String> certificateNames() {
        return List.of(name + "." + namespace + ".svc", name + "." + namespace + ".svc.cluster.local");
      }
    }
  }
}
