package dev.holdfast.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import dev.holdfast.oci.auth.Credential;
import dev.holdfast.oci.tls.PemBundle;
import dev.holdfast.operator.HoldfastOperator;
import dev.holdfast.operator.OperatorSettings;
import dev.holdfast.operator.api.ImagePolicySpec;
import dev.holdfast.operator.api.SecretReference;
import dev.holdfast.operator.policy.RegistryCredentials;
import dev.holdfast.operator.webhook.WebhookServer;
import dev.holdfast.operator.webhook.WebhookSettings;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code holdfast operator}: runs the operator, in a cluster or out of it. The image clone
 * controller's flags work as written ({@code -registry=...}, one dash) and with two dashes; its
 * environment variables ({@code REGISTRY}, {@code REGISTRY_USERNAME}, {@code REGISTRY_PASSWORD},
 * {@code REPOSITORY}, {@code EXCLUDE_NAMESPACES}) are read too. They make one policy; ImagePolicy
 * objects in the cluster add others.
 */
@Command(name = "operator", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    description = {
      "Runs the Holdfast operator: finds the images of the cluster's workloads, copies each into the"
          + " destination registry by digest with every platform, verifies the copy, creates the pull"
          + " secret a namespace needs, and (rewrite mode Patch) points the workloads at the copies.",
      "",
      "The flags below make one policy; ImagePolicy objects make more. Without --registry only"
          + " ImagePolicy objects apply. Runs until it is stopped (SIGTERM, Ctrl-C)."
    })
final class OperatorCommand implements Callable<Integer> {
  static final String DEFAULT_EXCLUDED = "kube-system,local-path-storage";

  @Spec CommandSpec spec;

  @Option(names = {"--registry", "-registry"}, paramLabel = "REGISTRY", defaultValue = "${env:REGISTRY}",
      description = "The destination registry, host[:port] (env REGISTRY).")
  String registry;

  @Option(names = {"--registry-username", "-registry-username"}, paramLabel = "USER",
      defaultValue = "${env:REGISTRY_USERNAME}", description = "A user that may push there (env REGISTRY_USERNAME).")
  String username;

  @Option(names = {"--registry-password", "-registry-password"}, paramLabel = "PASSWORD",
      defaultValue = "${env:REGISTRY_PASSWORD}",
      description = "Its password or token (env REGISTRY_PASSWORD); --registry-password-file keeps it out of ps.")
  String password;

  @Option(names = "--registry-password-file", paramLabel = "FILE", description = "Reads the password from FILE.")
  Path passwordFile;

  @Option(names = {"--repository", "-repository"}, paramLabel = "PREFIX", defaultValue = "${env:REPOSITORY}",
      description = "The repository prefix copies are named under (env REPOSITORY).")
  String repository;

  @Option(names = {"--exclude-namespaces", "-exclude-namespaces"}, paramLabel = "NS[,NS...]",
      defaultValue = "${env:EXCLUDE_NAMESPACES}",
      description = "Namespaces never touched (env EXCLUDE_NAMESPACES; default " + DEFAULT_EXCLUDED
          + "); the operator's own namespace is never touched either.")
  String excludeNamespaces;

  @Option(names = "--pull-username", paramLabel = "USER", defaultValue = "${env:PULL_USERNAME}",
      description = "A pull-only user for the namespaces' pull secrets (env PULL_USERNAME). Without one,"
          + " the push credentials are handed out, which the operator says at start-up.")
  String pullUsername;

  @Option(names = "--pull-password", paramLabel = "PASSWORD", defaultValue = "${env:PULL_PASSWORD}",
      description = "Its password (env PULL_PASSWORD).")
  String pullPassword;

  @Option(names = "--pull-secret", paramLabel = "NAMESPACE/NAME",
      description = "A Secret with the pull-only credentials, read when needed (rotations are picked up).")
  String pullSecret;

  @Option(names = "--naming", paramLabel = "SCHEME", description = "keep or flatten (default: flatten for"
      + " docker.io and quay.io, which allow only namespace/name; keep elsewhere).")
  String naming;

  @Option(names = "--rewrite", paramLabel = "MODE", defaultValue = "Patch",
      description = "Patch (the default: the workloads' Pod templates), Webhook (Pods at admission; needs"
          + " --webhook-address or --webhook-port), Redirect, NodeMirror (the nodes pull from the copies; Pods"
          + " unchanged), or None (copy only).")
  ImagePolicySpec.RewriteMode rewrite;

  @Option(names = "--reference-form", paramLabel = "FORM", defaultValue = "TagAndDigest",
      description = "TagAndDigest (the default: repo:tag@sha256:...) or Digest.")
  ImagePolicySpec.ReferenceForm referenceForm;

  @Option(names = "--kubeconfig", paramLabel = "FILE",
      description = "The kubeconfig (default: in a Pod its ServiceAccount, else KUBECONFIG or ~/.kube/config).")
  Path kubeconfig;

  @Option(names = "--context", paramLabel = "NAME", description = "The kubeconfig context to use.")
  String context;

  @Option(names = "--namespace", paramLabel = "NS", description = "The operator's own namespace, where its Lease"
      + " lives (default: POD_NAMESPACE, the Pod's namespace, or holdfast-system).")
  String namespace;

  @Option(names = "--leader-elect", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Elect a leader among replicas on a Lease (default on); only the leader acts.")
  boolean leaderElect;

  @Option(names = "--identity", paramLabel = "NAME",
      description = "This replica's name in the Lease (default: POD_NAME or the host name and process id).")
  String identity;

  @Option(names = "--metrics-address", paramLabel = "HOST:PORT", defaultValue = ":8080",
      description = "Where /metrics, /healthz and /readyz are served (default :8080; \"\" turns it off).")
  String metricsAddress;

  @Option(names = "--webhook-address", paramLabel = "HOST:PORT",
      description = "Out of the cluster: serve the admission webhook here and register it by URL"
          + " (https://HOST:PORT/mutate), as envtest does.")
  String webhookAddress;

  @Option(names = "--webhook-port", paramLabel = "PORT",
      description = "In the cluster: serve the admission webhook on this port, behind --webhook-service.")
  Integer webhookPort;

  @Option(names = "--webhook-service", paramLabel = "NAME",
      description = "The Service (in the operator's namespace, port 443) the API server calls the webhook through.")
  String webhookService;

  @Option(names = "--webhook-failure-policy", paramLabel = "POLICY", defaultValue = "Ignore",
      description = "Ignore (the default: Pods are created unchanged when no replica answers) or Fail.")
  String webhookFailurePolicy;

  @Option(names = "--webhook-certificates", paramLabel = "WHO", defaultValue = "self",
      description = "self (the default: the operator keeps its own CA and serving certificate) or external"
          + " (cert-manager keeps tls.crt, tls.key and ca.crt in --webhook-secret).")
  String webhookCertificates;

  @Option(names = "--webhook-secret", paramLabel = "NAME", defaultValue = WebhookSettings.DEFAULT_SECRET,
      description = "The Secret of the webhook's certificates, in the operator's namespace (default "
          + WebhookSettings.DEFAULT_SECRET + ").")
  String webhookSecret;

  @Option(names = "--owner-clusterrole", paramLabel = "NAME",
      description = "The installation's ClusterRole: it then owns the pull secrets, ImageCopies and webhook objects"
          + " the operator creates, so that deleting the installation deletes them too.")
  String ownerClusterRole;

  @Option(names = "--max-concurrent-copies", paramLabel = "N", defaultValue = "4",
      description = "Copy jobs at once (default 4).")
  int maxConcurrentCopies;

  @Option(names = "--ca-file", paramLabel = "FILE", description = "PEM CA certificates to trust for every registry.")
  List<Path> caFiles = new ArrayList<>();

  @Option(names = "--insecure-registry", paramLabel = "HOST[:PORT]",
      description = "A registry reached over plain HTTP or unverified TLS.")
  List<String> insecureRegistries = new ArrayList<>();

  @Option(names = "--log-format", paramLabel = "FORMAT", defaultValue = "text",
      description = "text (the default) or json: one JSON object per line.")
  String logFormat;

  @Option(names = "--log-level", paramLabel = "LEVEL", defaultValue = "info",
      description = "error, warn, info (the default) or debug.")
  String logLevel;

  @Override
  public Integer call() throws InterruptedException {
    OperatorSettings settings = settings(System.getenv());
    configureLogging(logFormat, logLevel);
    NativeCryptoSwitch.applyNow(System.getenv());
    Config config = kubernetesConfig();
    CountDownLatch stopped = new CountDownLatch(1);
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
        HoldfastOperator operator = new HoldfastOperator(client, settings)) {
      Thread hook = new Thread(() -> {
        operator.close();
        stopped.countDown();
      }, "holdfast-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      operator.onLostLeadership(() -> System.exit(1)); // another replica leads now; restart and stand by
      operator.start();
      stopped.await();
    }
    return 0;
  }

  /** The settings the flags and environment give; usage errors name the flag. */
  OperatorSettings settings(java.util.Map<String, String> env) {
    String operatorNamespace = firstOf(namespace, env.get("POD_NAMESPACE"), serviceAccountNamespace(),
        "holdfast-system");
    String self = firstOf(identity, env.get("POD_NAME"), hostName() + "-" + ProcessHandle.current().pid());
    OperatorSettings settings = OperatorSettings.defaults(operatorNamespace)
        .withLeaderElection(leaderElect, self)
        .withTrust(caFiles.stream().map(PemBundle::read).toList(), insecureRegistries);
    if (maxConcurrentCopies < 1) {
      throw new ParameterException(spec.commandLine(), "--max-concurrent-copies must be at least 1");
    }
    settings = new OperatorSettings(settings.implicitPolicy(), settings.namespace(), settings.leaderElection(),
        settings.identity(), address(metricsAddress), maxConcurrentCopies, settings.retryBase(), settings.retryCap(),
        settings.caBundles(), settings.insecureRegistries(), webhook(operatorNamespace),
        Optional.ofNullable(ownerClusterRole), Clock.systemUTC());
    return isSet(registry) ? settings.withImplicitPolicy(implicitPolicy(operatorNamespace)) : settings;
  }

  private Optional<WebhookSettings> webhook(String operatorNamespace) {
    if (webhookAddress != null && (webhookPort != null || webhookService != null)) {
      throw new ParameterException(spec.commandLine(),
          "--webhook-address (out of the cluster) and --webhook-port/--webhook-service (in it) do not go together");
    }
    WebhookSettings.Certificates certificates = switch (webhookCertificates.toLowerCase(Locale.ROOT)) {
      case "self" -> WebhookSettings.Certificates.SELF;
      case "external" -> WebhookSettings.Certificates.EXTERNAL;
      default -> throw new ParameterException(spec.commandLine(),
          "--webhook-certificates \"" + webhookCertificates + "\": use self or external");
    };
    if (!webhookFailurePolicy.equals("Ignore") && !webhookFailurePolicy.equals("Fail")) {
      throw new ParameterException(spec.commandLine(),
          "--webhook-failure-policy \"" + webhookFailurePolicy + "\": use Ignore or Fail");
    }
    if (webhookAddress != null) {
      InetSocketAddress listen = address(webhookAddress).orElseThrow();
      String host = listen.getHostString().equals("0.0.0.0") ? "127.0.0.1" : listen.getHostString();
      java.net.URI url = java.net.URI.create("https://" + host + ":" + listen.getPort() + WebhookServer.PATH);
      return Optional.of(new WebhookSettings(listen, new WebhookSettings.Registration.Url(url), webhookFailurePolicy,
          certificates, webhookSecret));
    }
    if (webhookService != null || webhookPort != null) {
      if (webhookService == null || webhookPort == null) {
        throw new ParameterException(spec.commandLine(), "--webhook-port and --webhook-service go together");
      }
      return Optional.of(new WebhookSettings(new InetSocketAddress(webhookPort),
          new WebhookSettings.Registration.Service(operatorNamespace, webhookService, 443), webhookFailurePolicy,
          certificates, webhookSecret));
    }
    return Optional.empty();
  }

  private OperatorSettings.ImplicitPolicy implicitPolicy(String operatorNamespace) {
    String host = registry.strip();
    Set<String> excluded = new LinkedHashSet<>(split(isSet(excludeNamespaces) ? excludeNamespaces : DEFAULT_EXCLUDED));
    excluded.add(operatorNamespace);
    ImagePolicySpec.Naming scheme = naming == null ? defaultNaming(host) : parseNaming(naming);
    SecretReference pullRef = null;
    if (pullSecret != null) {
      String[] parts = pullSecret.split("/", -1);
      if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
        throw new ParameterException(spec.commandLine(), "--pull-secret \"" + pullSecret + "\": expected NAMESPACE/NAME");
      }
      pullRef = new SecretReference(parts[0], parts[1]);
    }
    ImagePolicySpec.Destination destination = new ImagePolicySpec.Destination(host,
        repository == null ? "" : repository.strip(), scheme, null, pullRef, null, null);
    ImagePolicySpec policy = new ImagePolicySpec(destination, null, List.copyOf(excluded), null, null, null,
        rewrite, referenceForm, null);
    Optional<Credential.Basic> push = credential("--registry-username", username, passwordValue());
    Optional<Credential.Basic> pull = credential("--pull-username", pullUsername, pullPassword);
    return new OperatorSettings.ImplicitPolicy(policy, new RegistryCredentials(push, pull));
  }

  private String passwordValue() {
    if (passwordFile == null) {
      return password;
    }
    try {
      return Files.readString(passwordFile, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new ParameterException(spec.commandLine(), "--registry-password-file " + passwordFile
          + ": cannot read it (" + e.getMessage() + ")");
    }
  }

  private Optional<Credential.Basic> credential(String flag, String user, String secret) {
    if (!isSet(user) && !isSet(secret)) {
      return Optional.empty();
    }
    if (!isSet(user) || !isSet(secret)) {
      throw new ParameterException(spec.commandLine(), flag + " and its password go together: give both or neither");
    }
    return Optional.of(new Credential.Basic(user.strip(), secret));
  }

  /** Docker Hub and Quay allow only namespace/name, which keep naming would exceed. */
  static ImagePolicySpec.Naming defaultNaming(String registry) {
    String host = registry.toLowerCase(Locale.ROOT);
    return Set.of("docker.io", "index.docker.io", "registry-1.docker.io", "quay.io").contains(host)
        ? ImagePolicySpec.Naming.Flatten : ImagePolicySpec.Naming.Keep;
  }

  private ImagePolicySpec.Naming parseNaming(String text) {
    return switch (text.strip().toLowerCase(Locale.ROOT)) {
      case "keep" -> ImagePolicySpec.Naming.Keep;
      case "flatten" -> ImagePolicySpec.Naming.Flatten;
      default -> throw new ParameterException(spec.commandLine(), "--naming \"" + text + "\": use keep or flatten");
    };
  }

  private Optional<InetSocketAddress> address(String text) {
    if (text == null || text.isBlank()) {
      return Optional.empty();
    }
    int colon = text.lastIndexOf(':');
    try {
      int port = Integer.parseInt(text.substring(colon + 1));
      String host = colon <= 0 ? "0.0.0.0" : text.substring(0, colon);
      return Optional.of(new InetSocketAddress(host, port));
    } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
      throw new ParameterException(spec.commandLine(), "--metrics-address \"" + text + "\": expected [HOST]:PORT");
    }
  }

  private Config kubernetesConfig() {
    if (kubeconfig == null) {
      return context == null ? Config.autoConfigure(null) : Config.autoConfigure(context);
    }
    try {
      return Config.fromKubeconfig(context, Files.readString(kubeconfig, StandardCharsets.UTF_8),
          kubeconfig.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("--kubeconfig " + kubeconfig + ": cannot read it", e);
    }
  }

  static void configureLogging(String format, String level) {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.detachAndStopAllAppenders();
    Encoder<ILoggingEvent> encoder;
    if ("json".equalsIgnoreCase(format)) {
      JsonEncoder json = new JsonEncoder();
      json.setContext(context);
      json.start();
      encoder = json;
    } else {
      PatternLayoutEncoder text = new PatternLayoutEncoder();
      text.setContext(context);
      text.setPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %logger{24} - %msg%n");
      text.start();
      encoder = text;
    }
    ConsoleAppender<ILoggingEvent> out = new ConsoleAppender<>();
    out.setContext(context);
    out.setName("operator");
    out.setEncoder(encoder);
    out.start();
    root.addAppender(out);
    // --log-level is the level of Holdfast's own loggers (the command line's configuration set them to
    // WARN); the libraries' stay at INFO at most: HttpClient's DEBUG is its wire log, request headers
    // and their credentials included
    Level wanted = Level.toLevel(level, Level.INFO);
    root.setLevel(wanted.isGreaterOrEqual(Level.INFO) ? wanted : Level.INFO);
    context.getLogger("dev.holdfast").setLevel(wanted);
  }

  private static String serviceAccountNamespace() {
    Path file = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/namespace");
    try {
      return Files.isReadable(file) ? Files.readString(file, StandardCharsets.UTF_8).strip() : null;
    } catch (IOException e) {
      return null;
    }
  }

  private static String hostName() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "holdfast";
    }
  }

  private static List<String> split(String list) {
    return Arrays.stream(list.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
  }

  private static boolean isSet(String value) {
    return value != null && !value.isBlank();
  }

  private static String firstOf(String... values) {
    for (String value : values) {
      if (isSet(value)) {
        return value.strip();
      }
    }
    throw new IllegalStateException("no value");
  }

}
