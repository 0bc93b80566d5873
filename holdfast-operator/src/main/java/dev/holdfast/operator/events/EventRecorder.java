package dev.holdfast.operator.events;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes Kubernetes Events about objects: {@code kubectl describe} shows them. The same event about
 * the same object is written at most once per {@link #REPEAT} (a copy that keeps failing the same
 * way does not flood the API server). Events of cluster-scoped objects go into {@code default}, as
 * the API server's own do. A failure to write one is logged, never thrown: an Event is a report.
 */
public final class EventRecorder {
  private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);
  /** How long an identical event is not written again. */
  public static final Duration REPEAT = Duration.ofMinutes(10);
  private static final String COMPONENT = "holdfast-operator";

  private final KubernetesClient client;
  private final Clock clock;
  private final Map<String, Instant> recent = new ConcurrentHashMap<>();

  public EventRecorder(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  /** A Normal event. */
  public void normal(HasMetadata object, String reason, String message) {
    record(object, "Normal", reason, message);
  }

  /** A Warning event. */
  public void warning(HasMetadata object, String reason, String message) {
    record(object, "Warning", reason, message);
  }

  private void record(HasMetadata object, String type, String reason, String message) {
    Instant now = clock.instant();
    String key = object.getMetadata().getUid() + "|" + reason + "|" + message;
    Instant last = recent.get(key);
    if (last != null && last.plus(REPEAT).isAfter(now)) {
      return;
    }
    recent.put(key, now);
    if (recent.size() > 10_000) {
      recent.values().removeIf(at -> at.plus(REPEAT).isBefore(now));
    }
    String namespace = object instanceof Namespaced ? object.getMetadata().getNamespace() : "default";
    String time = now.truncatedTo(ChronoUnit.SECONDS).toString();
    try {
      client.v1().events().inNamespace(namespace).resource(new EventBuilder()
          .withNewMetadata().withGenerateName(object.getMetadata().getName() + ".").withNamespace(namespace)
          .endMetadata()
          .withNewInvolvedObject()
            .withApiVersion(object.getApiVersion()).withKind(object.getKind())
            .withName(object.getMetadata().getName()).withNamespace(object instanceof Namespaced ? namespace : null)
            .withUid(object.getMetadata().getUid()).withResourceVersion(object.getMetadata().getResourceVersion())
          .endInvolvedObject()
          .withType(type).withReason(reason).withMessage(message.length() > 1000 ? message.substring(0, 1000) : message)
          .withFirstTimestamp(time).withLastTimestamp(time).withCount(1)
          .withNewSource().withComponent(COMPONENT).endSource()
          .withReportingComponent(COMPONENT)
          .build()).create();
    } catch (KubernetesClientException e) {
      LOG.warn("Could not record event {} on {} {}: {}", reason, object.getKind(), object.getMetadata().getName(),
          e.getMessage());
    }
  }
}
