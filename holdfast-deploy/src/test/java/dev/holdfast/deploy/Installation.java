package dev.holdfast.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.cli.DeployedOperator;
import dev.holdfast.operator.HoldfastOperator;
import dev.holdfast.operator.OperatorSettings;
import dev.holdfast.operator.testing.ControlPlaneExtension;
import dev.holdfast.operator.webhook.WebhookSettings;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the deploy tests share: running helm, kubectl and make; reading rendered objects; and
 * running the installed operator out of the cluster, in this JVM, as its Deployment would start it
 * (its arguments, its environment with the Secret's values) under a kubeconfig for its
 * ServiceAccount with a token from the TokenRequest API.
 */
final class Installation {
  private Installation() {}

  record Result(int exitCode, String output) {}

  /** Runs a program; fails the test, with its output, when it exits non-zero. */
  static String run(List<String> command, Map<String, String> env, Path directory) {
    Result result = tryRun(command, env, directory);
    assertThat(result.exitCode()).as("%s:%n%s", String.join(" ", command), result.output()).isZero();
    return result.output();
  }

  static Result tryRun(List<String> command, Map<String, String> env, Path directory) {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    if (directory != null) {
      builder.directory(directory.toFile());
    }
    try {
      Process process = builder.start();
      process.getOutputStream().close();
      byte[] out = process.getInputStream().readAllBytes();
      if (!process.waitFor(5, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " did not finish in 5 minutes");
      }
      return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The objects of a multi-document YAML text. */
  static List<HasMetadata> load(KubernetesClient client, String yaml) {
    return client.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).items();
  }

  static <T extends HasMetadata> T only(List<HasMetadata> objects, Class<T> type) {
    List<T> matching = objects.stream().filter(type::isInstance).map(type::cast).toList();
    assertThat(matching).as("one %s", type.getSimpleName()).hasSize(1);
    return matching.get(0);
  }

  /** A kubeconfig for a ServiceAccount, its token from the TokenRequest API, written to {@code file}. */
  static Config serviceAccountKubeconfig(ControlPlaneExtension kube, String namespace, String account, Path file) {
    String token = kube.client().serviceAccounts().inNamespace(namespace).withName(account)
        .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L).endSpec().build())
        .getStatus().getToken();
    Config admin = kube.plane().config();
    String ca = admin.getCaCertData() != null ? admin.getCaCertData() : base64File(admin.getCaCertFile());
    String kubeconfig = """
        apiVersion: v1
        kind: Config
        clusters:
        - name: test
          cluster: {server: "%s", certificate-authority-data: "%s"}
        users:
        - name: %s
          user: {token: "%s"}
        contexts:
        - name: %s
          context: {cluster: test, user: %s, namespace: %s}
        current-context: %s
        """.formatted(admin.getMasterUrl(), ca, account, token, account, account, namespace, account);
    try {
      Files.writeString(file, kubeconfig, StandardCharsets.UTF_8);
      return Config.fromKubeconfig(null, kubeconfig, file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("write " + file, e);
    }
  }

  private static String base64File(String file) {
    try {
      return Base64.getEncoder().encodeToString(Files.readAllBytes(Path.of(file)));
    } catch (IOException e) {
      throw new UncheckedIOException("read " + file, e);
    }
  }

  /** The container's environment as the kubelet would give it (values, Secret keys, the Pod's fields). */
  static Map<String, String> environment(KubernetesClient admin, Deployment deployment, String podName) {
    String namespace = deployment.getMetadata().getNamespace();
    Container container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar variable : container.getEnv()) {
      if (variable.getValue() != null) {
        env.put(variable.getName(), variable.getValue());
      } else if (variable.getValueFrom().getFieldRef() != null) {
        String path = variable.getValueFrom().getFieldRef().getFieldPath();
        env.put(variable.getName(), path.equals("metadata.namespace") ? namespace : podName);
      } else if (variable.getValueFrom().getSecretKeyRef() != null) {
        var ref = variable.getValueFrom().getSecretKeyRef();
        Secret secret = admin.secrets().inNamespace(namespace).withName(ref.getName()).get();
        String data = secret == null || secret.getData() == null ? null : secret.getData().get(ref.getKey());
        if (data != null) {
          env.put(variable.getName(), new String(Base64.getDecoder().decode(data), StandardCharsets.UTF_8));
        } else {
          assertThat(ref.getOptional()).as("Secret key %s/%s is optional", ref.getName(), ref.getKey()).isTrue();
        }
      }
    }
    return env;
  }

  /**
   * The settings of the installed operator: its Deployment's arguments and environment, but probes
   * and webhook on free loopback ports (the Pods' ports are not ours to take) and the given clock.
   */
  static OperatorSettings settings(KubernetesClient admin, Deployment deployment, Clock clock) {
    Container container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    List<String> args = new ArrayList<>(container.getArgs());
    OperatorSettings settings = DeployedOperator.settings(args, environment(admin, deployment, "holdfast-test-0"));
    OperatorSettings moved = settings.withProbeAddress(new InetSocketAddress("127.0.0.1", 0));
    if (settings.webhook().isPresent()) {
      WebhookSettings webhook = settings.webhook().get();
      moved = moved.withWebhook(new WebhookSettings(new InetSocketAddress("127.0.0.1", 0), webhook.registration(),
          webhook.failurePolicy(), webhook.certificates(), webhook.secret()));
    }
    return new OperatorSettings(moved.implicitPolicy(), moved.namespace(), moved.leaderElection(), moved.identity(),
        moved.probeAddress(), moved.maxConcurrentCopies(), Duration.ofSeconds(1), Duration.ofSeconds(5),
        moved.caBundles(), moved.insecureRegistries(), moved.webhook(), moved.ownerClusterRole(), clock);
  }

  /** A client with this configuration that records every request in {@code trace}. */
  static KubernetesClient tracedClient(Config config, RequestTrace trace) {
    return new KubernetesClientBuilder().withConfig(config)
        .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("rbac-trace", trace)).build();
  }

  /** Starts the operator; the caller closes it and then the client. */
  static HoldfastOperator start(KubernetesClient client, OperatorSettings settings) {
    HoldfastOperator operator = new HoldfastOperator(client, settings);
    operator.start();
    return operator;
  }
}
