package dev.holdfast.operator.cluster;

import dev.holdfast.oci.http.Proxies;
import dev.holdfast.oci.mirror.MirrorConfigLoader;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What a cluster says about image pulls, as OpenShift publishes it, kept current by informers: the
 * mirror sets (ImageDigestMirrorSet and ImageTagMirrorSet, {@code config.openshift.io/v1};
 * ImageContentSourcePolicy, {@code operator.openshift.io/v1alpha1}), the image configuration ({@code
 * images.config.openshift.io/cluster}) and the CA bundles it names. Kinds the cluster does not serve
 * are skipped (a plain cluster then behaves as if none of this existed) and picked up when their CRDs
 * appear; any other error is reported, never taken as "nothing configured".
 */
public final class OpenShiftCluster implements AutoCloseable {
  static final ResourceDefinitionContext IDMS = kind("config.openshift.io", "v1", "ImageDigestMirrorSet",
      "imagedigestmirrorsets", false);
  static final ResourceDefinitionContext ITMS = kind("config.openshift.io", "v1", "ImageTagMirrorSet",
      "imagetagmirrorsets", false);
  static final ResourceDefinitionContext ICSP = kind("operator.openshift.io", "v1alpha1", "ImageContentSourcePolicy",
      "imagecontentsourcepolicies", false);
  static final ResourceDefinitionContext IMAGE = kind("config.openshift.io", "v1", "Image", "images", false);
  static final ResourceDefinitionContext PROXY = kind("config.openshift.io", "v1", "Proxy", "proxies", false);
  static final ResourceDefinitionContext CONFIG_MAP = kind("", "v1", "ConfigMap", "configmaps", true);
  static final String MANAGED = "openshift-config-managed";
  static final String CONFIG = "openshift-config";

  private final KubernetesClient client;
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
      Thread.ofPlatform().name("holdfast-cluster-config").daemon().factory());
  private final List<ClusterResource> mirrorSets = new ArrayList<>();
  private final ClusterResource image;
  private final ClusterResource proxy;
  private final ClusterResource trustedCaBundle;
  private final ClusterResource configMaps;

  /** Watches the cluster; {@code changed} hears every change. */
  public OpenShiftCluster(KubernetesClient client, Runnable changed) {
    this.client = client;
    for (ResourceDefinitionContext kind : List.of(IDMS, ITMS, ICSP)) {
      mirrorSets.add(new ClusterResource(client, kind, null, null, changed, scheduler));
    }
    image = new ClusterResource(client, IMAGE, null, "cluster", changed, scheduler);
    proxy = new ClusterResource(client, PROXY, null, "cluster", changed, scheduler);
    // OpenShift's configuration ConfigMaps are watched only where its image configuration is served: a
    // plain cluster has neither, and the operator's RBAC there need not reach them.
    trustedCaBundle = new ClusterResource(client, CONFIG_MAP, IMAGE, MANAGED, "trusted-ca-bundle", changed, scheduler);
    configMaps = new ClusterResource(client, CONFIG_MAP, IMAGE, CONFIG, null, changed, scheduler);
  }

  /** Starts watching. */
  public void start() {
    mirrorSets.forEach(ClusterResource::start);
    image.start();
    proxy.start();
    trustedCaBundle.start();
    configMaps.start();
  }

  /** Whether the cluster serves ImageDigestMirrorSets (and so the node mirror sets can be written). */
  public boolean servesMirrorSets() {
    return !(mirrorSets.get(0).state() instanceof ClusterResource.State.NotServed);
  }

  /** Whether the cluster serves OpenShift's image configuration. */
  public boolean isOpenShift() {
    return !(image.state() instanceof ClusterResource.State.NotServed);
  }

  /** The mirror sets as configuration texts for {@link MirrorConfigLoader#loadTexts}. */
  public List<MirrorConfigLoader.Text> mirrorTexts() {
    List<MirrorConfigLoader.Text> texts = new ArrayList<>();
    for (ClusterResource kind : mirrorSets) {
      kind.objects().stream()
          .sorted(java.util.Comparator.comparing(o -> o.getMetadata().getName()))
          .forEach(o -> texts.add(MirrorSets.text(client, o)));
    }
    return texts;
  }

  /**
   * Why the mirror sets are not known, when a kind the cluster serves cannot be read: copies that
   * might need mirrors wait rather than contact a source the rules might block.
   */
  public Optional<String> mirrorsProblem() {
    return mirrorSets.stream().map(ClusterResource::state)
        .filter(s -> s instanceof ClusterResource.State.Failed).map(s -> ((ClusterResource.State.Failed) s).reason())
        .reduce((a, b) -> a + "; " + b);
  }

  /** The CA bundles and insecure registries the cluster publishes. */
  public ClusterTrust trust() {
    Optional<GenericKubernetesResource> config = image.objects().stream().findFirst();
    Optional<String> bundle = trustedCaBundle.objects().stream().findFirst()
        .map(cm -> data(cm).get("ca-bundle.crt"));
    Optional<String> additionalName = config.map(c -> text(c, "spec", "additionalTrustedCA", "name"))
        .filter(n -> !n.isEmpty());
    Optional<ClusterTrust.Named> additional = additionalName.flatMap(name -> configMaps.objects().stream()
        .filter(cm -> cm.getMetadata().getName().equals(name)).findFirst()
        .map(cm -> new ClusterTrust.Named(name, data(cm))));
    List<String> insecure = config.map(c -> list(c, "spec", "registrySources", "insecureRegistries")).orElse(List.of());
    return ClusterTrust.of(bundle, additional, insecure);
  }

  /**
   * The forward proxies for registry access: the cluster-wide Proxy object's effective settings
   * ({@code status.httpsProxy}, {@code httpProxy}, {@code noProxy}) when it sets a proxy, else those
   * of the operator's environment ({@code HTTPS_PROXY}, {@code NO_PROXY}, ...).
   */
  public Proxies proxies(Map<String, String> environment) {
    Optional<GenericKubernetesResource> cluster = proxy.objects().stream().findFirst();
    String https = cluster.map(c -> text(c, "status", "httpsProxy")).orElse("");
    String http = cluster.map(c -> text(c, "status", "httpProxy")).orElse("");
    if (https.isEmpty() && http.isEmpty()) {
      return Proxies.fromEnvironment(environment);
    }
    Map<String, String> settings = new java.util.HashMap<>();
    settings.put("https_proxy", https);
    settings.put("http_proxy", http);
    settings.put("no_proxy", cluster.map(c -> text(c, "status", "noProxy")).orElse(""));
    return Proxies.fromEnvironment(settings);
  }

  private static Map<String, String> data(GenericKubernetesResource configMap) {
    Object data = configMap.getAdditionalProperties().get("data");
    if (!(data instanceof Map<?, ?> map)) {
      return Map.of();
    }
    Map<String, String> strings = new java.util.TreeMap<>();
    map.forEach((k, v) -> strings.put(String.valueOf(k), String.valueOf(v)));
    return strings;
  }

  private static String text(GenericKubernetesResource object, String... path) {
    Object value = walk(object, path);
    return value instanceof String s ? s : "";
  }

  private static List<String> list(GenericKubernetesResource object, String... path) {
    Object value = walk(object, path);
    return value instanceof List<?> items ? items.stream().map(String::valueOf).toList() : List.of();
  }

  private static Object walk(GenericKubernetesResource object, String... path) {
    Object current = object.getAdditionalProperties();
    for (String step : path) {
      if (!(current instanceof Map<?, ?> map)) {
        return null;
      }
      current = map.get(step);
    }
    return current;
  }

  private static ResourceDefinitionContext kind(String group, String version, String kind, String plural,
      boolean namespaced) {
    return new ResourceDefinitionContext.Builder().withGroup(group).withVersion(version).withKind(kind)
        .withPlural(plural).withNamespaced(namespaced).build();
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    mirrorSets.forEach(ClusterResource::close);
    image.close();
    proxy.close();
    trustedCaBundle.close();
    configMaps.close();
  }
}
