package dev.holdfast.operator.webhook;

import dev.holdfast.operator.pullsecret.PullSecrets;
import dev.holdfast.operator.reconcile.Owner;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admission webhook of one replica: its HTTPS server, which every replica runs, serving the
 * certificate in the webhook's Secret (reloaded when the Secret changes); and, on the leader only,
 * the upkeep of that Secret (the operator's own CA and serving certificate, renewed when a third of
 * its validity is left or when the Secret is annotated {@code holdfast.dev/rotate}) and of the
 * MutatingWebhookConfiguration with its CA bundle. The one place that owns both.
 */
public final class Webhook implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Webhook.class);
  /** Annotating the Secret with this key renews the serving certificate at once. */
  public static final String ROTATE_ANNOTATION = "holdfast.dev/rotate";
  private static final Duration UPKEEP = Duration.ofMinutes(10);

  private final KubernetesClient client;
  private final WebhookSettings settings;
  private final String namespace;
  private final Supplier<Collection<String>> excludedNamespaces;
  private final Clock clock;
  private final Owner owner;
  private final WebhookServer server;
  private final ScheduledExecutorService upkeep = Executors.newSingleThreadScheduledExecutor(
      Thread.ofPlatform().name("holdfast-webhook-upkeep").daemon().factory());
  private SharedIndexInformer<Secret> keys;
  private volatile boolean leading;

  public Webhook(KubernetesClient client, WebhookSettings settings, String namespace,
      Supplier<Collection<String>> excludedNamespaces, AdmissionHandler handler, WebhookMetrics metrics, Owner owner,
      Clock clock) {
    this.owner = owner;
    this.client = client;
    this.settings = settings;
    this.namespace = namespace;
    this.excludedNamespaces = excludedNamespaces;
    this.clock = clock;
    this.server = new WebhookServer(settings.listen(), handler, metrics);
  }

  /** Starts the server and the watch of its certificate. */
  public void start() {
    keys = client.secrets().inNamespace(namespace).withName(settings.secret()).inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Secret secret) {
        load(secret);
      }

      @Override
      public void onUpdate(Secret before, Secret after) {
        load(after);
      }

      @Override
      public void onDelete(Secret secret, boolean unknownFinalState) {
        if (leading) {
          upkeep.execute(Webhook.this::keepUp);
        }
      }
    });
    server.start();
    LOG.info("Serving the admission webhook on {}", server.address());
  }

  /** This replica now leads: keep the Secret and the configuration, now and every ten minutes. */
  public void startLeading() {
    leading = true;
    upkeep.scheduleWithFixedDelay(this::keepUp, 0, UPKEEP.toSeconds(), TimeUnit.SECONDS);
  }

  /** The address served. */
  public java.net.InetSocketAddress address() {
    return server.address();
  }

  private void load(Secret secret) {
    Map<String, String> data = secret.getData() == null ? Map.of() : secret.getData();
    if (data.containsKey("tls.crt") && data.containsKey("tls.key")) {
      try {
        server.useCertificate(decode(data.get("tls.crt")), decode(data.get("tls.key")));
        LOG.info("Serving the webhook certificate of Secret {}/{} (version {})", namespace, settings.secret(),
            secret.getMetadata().getResourceVersion());
      } catch (RuntimeException e) {
        LOG.warn("Secret {}/{} holds no usable certificate: {}", namespace, settings.secret(), e.getMessage());
      }
    }
    if (leading && secret.getMetadata().getAnnotations() != null
        && secret.getMetadata().getAnnotations().containsKey(ROTATE_ANNOTATION)) {
      upkeep.execute(this::keepUp);
    }
  }

  /** Makes the Secret and the configuration what they should be; errors are logged and retried. */
  void keepUp() {
    try {
      Secret secret = client.secrets().inNamespace(namespace).withName(settings.secret()).get();
      Optional<WebhookCertificates.KeyMaterial> material = settings.certificates() == WebhookSettings.Certificates.SELF
          ? Optional.of(ownCertificates(secret)) : external(secret);
      if (material.isEmpty()) {
        LOG.warn("Secret {}/{} has no tls.crt, tls.key and ca.crt yet (certificates: external)", namespace,
            settings.secret());
        return;
      }
      client.resource(owner.stamp(WebhookConfigurations.desired(settings, material.get().caCertificate(),
          excludedNamespaces.get()))).fieldManager("holdfast").forceConflicts().serverSideApply();
    } catch (RuntimeException e) {
      LOG.warn("Keeping the webhook's certificate and configuration failed: {}", e.getMessage());
    }
  }

  private WebhookCertificates.KeyMaterial ownCertificates(Secret secret) {
    var names = settings.registration().certificateNames();
    Optional<WebhookCertificates.KeyMaterial> current = material(secret);
    boolean rotate = secret != null && secret.getMetadata().getAnnotations() != null
        && secret.getMetadata().getAnnotations().containsKey(ROTATE_ANNOTATION);
    WebhookCertificates.KeyMaterial wanted;
    if (current.isEmpty()) {
      wanted = WebhookCertificates.issue(names, clock.instant());
      LOG.info("Issued the webhook's CA and serving certificate for {}", names);
    } else if (rotate || WebhookCertificates.needsRenewal(current.get(), names, clock.instant())) {
      wanted = WebhookCertificates.renew(current.get(), names, clock.instant());
      LOG.info("Renewed the webhook's serving certificate for {}", names);
    } else {
      return current.get();
    }
    client.resource(owner.stamp(new SecretBuilder()
        .withNewMetadata().withName(settings.secret()).withNamespace(namespace)
          .withLabels(Map.of(PullSecrets.MANAGED_BY, PullSecrets.HOLDFAST)).withAnnotations(Map.of())
        .endMetadata()
        .withType("kubernetes.io/tls")
        .withData(Map.of("ca.crt", encode(wanted.caCertificate()), "ca.key", encode(wanted.caKey()),
            "tls.crt", encode(wanted.certificate()), "tls.key", encode(wanted.key())))
        .build())).createOr(existing -> existing.update());
    return wanted;
  }

  private static Optional<WebhookCertificates.KeyMaterial> material(Secret secret) {
    Map<String, String> data = secret == null || secret.getData() == null ? Map.of() : secret.getData();
    if (!data.keySet().containsAll(java.util.List.of("ca.crt", "ca.key", "tls.crt", "tls.key"))) {
      return Optional.empty();
    }
    try {
      var material = new WebhookCertificates.KeyMaterial(decode(data.get("ca.crt")), decode(data.get("ca.key")),
          decode(data.get("tls.crt")), decode(data.get("tls.key")));
      WebhookCertificates.certificate(material.certificate());
      WebhookCertificates.privateKey(material.caKey());
      return Optional.of(material);
    } catch (RuntimeException e) {
      return Optional.empty(); // unreadable: issue new ones
    }
  }

  private static Optional<WebhookCertificates.KeyMaterial> external(Secret secret) {
    Map<String, String> data = secret == null || secret.getData() == null ? Map.of() : secret.getData();
    if (!data.keySet().containsAll(java.util.List.of("ca.crt", "tls.crt", "tls.key"))) {
      return Optional.empty();
    }
    return Optional.of(new WebhookCertificates.KeyMaterial(decode(data.get("ca.crt")), "", decode(data.get("tls.crt")),
        decode(data.get("tls.key"))));
  }

  private static String decode(String base64) {
    return new String(Base64.getDecoder().decode(base64), StandardCharsets.US_ASCII);
  }

  private static String encode(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
  }

  @Override
  public void close() {
    upkeep.shutdownNow();
    if (keys != null) {
      keys.close();
    }
    server.close();
  }
}
