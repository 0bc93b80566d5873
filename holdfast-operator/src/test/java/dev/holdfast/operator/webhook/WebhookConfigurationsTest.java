package dev.holdfast.operator.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.RuleWithOperations;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The MutatingWebhookConfiguration the operator keeps. */
class WebhookConfigurationsTest {
  private static final String CA = WebhookCertificates.issue(List.of("holdfast.holdfast-system.svc"),
      Instant.parse("2026-03-01T12:00:00Z")).caCertificate();
  private static final InetSocketAddress LISTEN = new InetSocketAddress("0.0.0.0", 9443);

  private static WebhookSettings service(String failurePolicy) {
    return new WebhookSettings(LISTEN, new WebhookSettings.Registration.Service("holdfast-system", "holdfast", 443),
        failurePolicy, WebhookSettings.Certificates.SELF, WebhookSettings.DEFAULT_SECRET);
  }

  private static WebhookSettings url(String address) {
    return new WebhookSettings(LISTEN, new WebhookSettings.Registration.Url(URI.create(address)), "Ignore",
        WebhookSettings.Certificates.SELF, WebhookSettings.DEFAULT_SECRET);
  }

  private static MutatingWebhook webhook(MutatingWebhookConfiguration configuration) {
    assertThat(configuration.getWebhooks()).hasSize(1);
    return configuration.getWebhooks().get(0);
  }

  // --- what it registers ---

  @Test
  void theConfigurationIsOwnedNamedAndLabelled() {
    MutatingWebhookConfiguration configuration = WebhookConfigurations.desired(service("Ignore"), CA,
        List.of("holdfast-system"));

    assertThat(configuration.getApiVersion()).isEqualTo("admissionregistration.k8s.io/v1");
    assertThat(configuration.getKind()).isEqualTo("MutatingWebhookConfiguration");
    assertThat(configuration.getMetadata().getName()).isEqualTo(WebhookSettings.CONFIGURATION);
    assertThat(configuration.getMetadata().getLabels()).isEqualTo(Map.of("app.kubernetes.io/managed-by", "holdfast"));
  }

  @Test
  void theWebhookIsCalledForPodCreationAndEphemeralContainerUpdatesOnlyWithTheAgreedSettings() {
    MutatingWebhook webhook = webhook(WebhookConfigurations.desired(service("Ignore"), CA, List.of("holdfast-system")));

    assertThat(webhook.getName()).isEqualTo("pods.holdfast.dev");
    assertThat(webhook.getAdmissionReviewVersions()).containsExactly("v1");
    assertThat(webhook.getFailurePolicy()).isEqualTo("Ignore");
    assertThat(webhook.getSideEffects()).isEqualTo("None");
    assertThat(webhook.getTimeoutSeconds()).isEqualTo(2);
    assertThat(webhook.getReinvocationPolicy()).isEqualTo("IfNeeded");
    assertThat(webhook.getMatchPolicy()).isEqualTo("Equivalent");
    assertThat(webhook.getRules()).extracting(RuleWithOperations::getOperations, RuleWithOperations::getResources,
        RuleWithOperations::getApiGroups, RuleWithOperations::getApiVersions, RuleWithOperations::getScope)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(List.of("CREATE"), List.of("pods"), List.of(""), List.of("v1"),
                "Namespaced"),
            org.assertj.core.groups.Tuple.tuple(List.of("UPDATE"), List.of("pods/ephemeralcontainers"), List.of(""),
                List.of("v1"), "Namespaced"));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"Ignore", "Fail"})
  void theFailurePolicyIsTheConfiguredOne(String failurePolicy) {
    assertThat(webhook(WebhookConfigurations.desired(service(failurePolicy), CA, List.of("holdfast-system")))
        .getFailurePolicy()).isEqualTo(failurePolicy);
  }

  // --- how the API server reaches it ---

  @Test
  void inTheClusterItIsReachedThroughTheServiceAtTheWebhooksPath() {
    var client = webhook(WebhookConfigurations.desired(service("Ignore"), CA, List.of("holdfast-system")))
        .getClientConfig();

    assertThat(client.getUrl()).isNull();
    assertThat(client.getService().getNamespace()).isEqualTo("holdfast-system");
    assertThat(client.getService().getName()).isEqualTo("holdfast");
    assertThat(client.getService().getPort()).isEqualTo(443);
    assertThat(client.getService().getPath()).isEqualTo(WebhookServer.PATH);
  }

  @Test
  void outOfTheClusterItIsReachedByUrl() {
    var client = webhook(WebhookConfigurations.desired(url("https://127.0.0.1:9443/mutate"), CA,
        List.of("holdfast-system"))).getClientConfig();

    assertThat(client.getUrl()).isEqualTo("https://127.0.0.1:9443/mutate");
    assertThat(client.getService()).isNull();
  }

  @Test
  void theCaBundleIsTheBase64OfTheCaPem() {
    String bundle = webhook(WebhookConfigurations.desired(service("Ignore"), CA, List.of("holdfast-system")))
        .getClientConfig().getCaBundle();

    assertThat(new String(Base64.getDecoder().decode(bundle), StandardCharsets.US_ASCII)).isEqualTo(CA);
  }

  // --- what it is never called for ---

  @Test
  void namespacesExcludedAndOptedOutAndOptedOutObjectsAreNeverSent() {
    MutatingWebhook webhook = webhook(WebhookConfigurations.desired(service("Ignore"), CA,
        List.of("kube-system", "holdfast-system", "kube-system", "batch")));

    List<LabelSelectorRequirement> namespaces = webhook.getNamespaceSelector().getMatchExpressions();
    assertThat(namespaces).extracting(LabelSelectorRequirement::getKey, LabelSelectorRequirement::getOperator,
        LabelSelectorRequirement::getValues).containsExactly(
            org.assertj.core.groups.Tuple.tuple("kubernetes.io/metadata.name", "NotIn",
                List.of("batch", "holdfast-system", "kube-system")),
            org.assertj.core.groups.Tuple.tuple("holdfast.dev/skip", "NotIn", List.of("true")));
    assertThat(webhook.getObjectSelector().getMatchExpressions())
        .extracting(LabelSelectorRequirement::getKey, LabelSelectorRequirement::getOperator,
            LabelSelectorRequirement::getValues)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("holdfast.dev/skip", "NotIn", List.of("true")));
  }

  @Test
  void withNoExcludedNamespaceTheSelectorStaysValid() {
    // The API server refuses NotIn with no values: "values set can't be empty".
    MutatingWebhook webhook = webhook(WebhookConfigurations.desired(service("Ignore"), CA, List.of()));

    assertThat(webhook.getNamespaceSelector().getMatchExpressions())
        .allSatisfy(e -> assertThat(e.getValues()).isNotEmpty())
        .extracting(LabelSelectorRequirement::getKey).contains("holdfast.dev/skip");
  }

  @Test
  void theSameInputsGiveTheSameConfigurationWhateverTheOrderOfTheNamespaces() {
    KubernetesSerialization kube = new KubernetesSerialization();

    String one = kube.asYaml(WebhookConfigurations.desired(service("Ignore"), CA, List.of("b", "a", "c")));
    String two = kube.asYaml(WebhookConfigurations.desired(service("Ignore"), CA, List.of("c", "b", "a", "a")));

    assertThat(one).isEqualTo(two);
    assertThat(kube.unmarshal(one, MutatingWebhookConfiguration.class))
        .isEqualTo(WebhookConfigurations.desired(service("Ignore"), CA, List.of("a", "b", "c")));
  }
}
