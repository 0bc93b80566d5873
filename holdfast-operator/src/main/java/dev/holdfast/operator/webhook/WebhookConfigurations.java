package dev.holdfast.operator.webhook;

import dev.holdfast.operator.policy.PolicySelection;
import dev.holdfast.operator.pullsecret.PullSecrets;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfig;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfigBuilder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The MutatingWebhookConfiguration the operator owns: Pod CREATE and updates of {@code
 * pods/ephemeralcontainers}, {@code timeoutSeconds: 2}, {@code sideEffects: None}, {@code
 * reinvocationPolicy: IfNeeded}, never called for the operator's own namespace, the excluded ones, or
 * objects labelled {@code holdfast.dev/skip=true}. Pure.
 */
public final class WebhookConfigurations {
  private WebhookConfigurations() {}

  /** The configuration for these settings, CA bundle and never-touched namespaces. */
  public static MutatingWebhookConfiguration desired(WebhookSettings settings, String caPem,
      Collection<String> excludedNamespaces) {
    WebhookClientConfig client = switch (settings.registration()) {
      case WebhookSettings.Registration.Url(var url) -> new WebhookClientConfigBuilder()
          .withUrl(url.toString()).build();
      case WebhookSettings.Registration.Service(var namespace, var name, var port) -> new WebhookClientConfigBuilder()
          .withNewService().withNamespace(namespace).withName(name).withPort(port).withPath(WebhookServer.PATH)
          .endService().build();
    };
    client.setCaBundle(Base64.getEncoder().encodeToString(caPem.getBytes(StandardCharsets.US_ASCII)));
    List<String> excluded = List.copyOf(new TreeSet<>(excludedNamespaces));
    // The API server refuses NotIn without values ("values set can't be empty").
    List<LabelSelectorRequirement> namespaces = new ArrayList<>();
    if (!excluded.isEmpty()) {
      namespaces.add(new LabelSelectorRequirement("kubernetes.io/metadata.name", "NotIn", excluded));
    }
    namespaces.add(new LabelSelectorRequirement(PolicySelection.SKIP_LABEL, "NotIn", List.of("true")));
    return new MutatingWebhookConfigurationBuilder()
        .withNewMetadata()
          .withName(WebhookSettings.CONFIGURATION)
          .withLabels(Map.of(PullSecrets.MANAGED_BY, PullSecrets.HOLDFAST))
        .endMetadata()
        .addNewWebhook()
          .withName("pods.holdfast.dev")
          .withAdmissionReviewVersions("v1")
          .withClientConfig(client)
          .withFailurePolicy(settings.failurePolicy())
          .withSideEffects("None")
          .withTimeoutSeconds(2)
          .withReinvocationPolicy("IfNeeded")
          .withMatchPolicy("Equivalent")
          .withNewNamespaceSelector()
            .withMatchExpressions(namespaces)
          .endNamespaceSelector()
          .withNewObjectSelector()
            .addNewMatchExpression().withKey(PolicySelection.SKIP_LABEL).withOperator("NotIn")
              .withValues("true").endMatchExpression()
          .endObjectSelector()
          .addNewRule()
            .withApiGroups("").withApiVersions("v1").withOperations("CREATE").withResources("pods")
            .withScope("Namespaced")
          .endRule()
          .addNewRule()
            .withApiGroups("").withApiVersions("v1").withOperations("UPDATE")
            .withResources("pods/ephemeralcontainers").withScope("Namespaced")
          .endRule()
        .endWebhook()
        .build();
  }
}
