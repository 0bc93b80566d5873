package dev.holdfast.operator;

import dev.holdfast.operator.cluster.MirrorResolver;
import dev.holdfast.operator.cluster.OpenShiftCluster;
import dev.holdfast.operator.copy.CopyService;
import dev.holdfast.operator.nodemirror.NodeMirrorSets;
import dev.holdfast.operator.copy.RegistryAccess;
import dev.holdfast.operator.webhook.AdmissionHandler;
import dev.holdfast.operator.webhook.MemoryState;
import dev.holdfast.operator.webhook.MirrorPresence;
import dev.holdfast.operator.webhook.Webhook;
import dev.holdfast.operator.webhook.WebhookMetrics;
import dev.holdfast.operator.events.EventRecorder;
import dev.holdfast.operator.metrics.OperatorMetrics;
import dev.holdfast.operator.metrics.ProbeServer;
import dev.holdfast.operator.policy.CredentialSecrets;
import dev.holdfast.operator.policy.Policies;
import dev.holdfast.operator.reconcile.CopyUpkeep;
import dev.holdfast.operator.reconcile.ImageCopies;
import dev.holdfast.operator.upstream.UpstreamMonitor;
import dev.holdfast.operator.reconcile.ImageCopyReconciler;
import dev.holdfast.operator.reconcile.ImagePolicyReconciler;
import dev.holdfast.operator.reconcile.InvalidImages;
import dev.holdfast.operator.reconcile.Namespaces;
import dev.holdfast.operator.reconcile.Owner;
import dev.holdfast.operator.reconcile.PullSecretReconciler;
import dev.holdfast.operator.reconcile.PullSecretWriter;
import dev.holdfast.operator.reconcile.WorkloadReconciler;
import dev.holdfast.operator.reconcile.WorkloadReconcilers;
import dev.holdfast.operator.reconcile.Workloads;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator: wires the controllers (ImageCopy, ImagePolicy, one per workload kind, pull secrets)
 * over one Kubernetes client, with leader election, metrics and probes. {@link #start()} returns
 * once the informers have synced; {@link #close()} stops everything.
 */
public final class HoldfastOperator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HoldfastOperator.class);

  private final KubernetesClient client;
  private final OperatorSettings settings;
  private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private Operator operator;
  private Namespaces namespaces;
  private ImageCopyReconciler copies;
  private ProbeServer probes;
  private Webhook webhook;
  private MirrorPresence mirrors;
  private OpenShiftCluster cluster;
  private NodeMirrorSets nodeMirrorSets;
  private ImagePolicyReconciler imagePolicies;
  private volatile java.util.List<String> skippedCertificates = java.util.List.of();
  private volatile boolean started;
  private volatile boolean closing;
  private volatile Runnable lostLeadership = () -> {};

  public HoldfastOperator(KubernetesClient client, OperatorSettings settings) {
    this.client = client;
    this.settings = settings;
  }

  /** Starts the controllers (processing events once this replica leads) and the probe server. */
  public synchronized void start() {
    OperatorMetrics metrics = new OperatorMetrics(meters);
    EventRecorder events = new EventRecorder(client, settings.clock());
    Policies policies = new Policies(settings.implicitPolicy(), new CredentialSecrets(client), settings.clock());
    Workloads workloads = new Workloads();
    Owner owner = settings.ownerClusterRole().map(name -> Owner.clusterRole(client, name)).orElse(Owner.none());
    ImageCopies imageCopies = new ImageCopies(client, owner);
    InvalidImages invalidImages = new InvalidImages();
    PullSecretWriter pullSecretWriter = new PullSecretWriter(client, policies, owner);
    namespaces = new Namespaces(client, workloads::reconcileNamespace);

    cluster = new OpenShiftCluster(client, this::clusterChanged);
    MirrorResolver mirrorRules = new MirrorResolver(client, cluster::mirrorTexts, cluster::mirrorsProblem);
    RegistryAccess access = new RegistryAccess(client, settings.caBundles(), settings.insecureRegistries(),
        cluster::trust, cluster::isOpenShift, () -> cluster.proxies(System.getenv()));
    mirrors = new MirrorPresence(access, policies, mirrorRules, settings.clock());
    CopyService.Factory jobs = done -> new CopyService(access, settings.maxConcurrentCopies(), settings.clock(),
        metrics, done);
    ImageCopyReconciler.UpkeepFactory upkeep = done -> {
      UpstreamMonitor monitor = new UpstreamMonitor(access, policies::budgetFor, settings.clock(), meters, done);
      return new ImageCopyReconciler.UpkeepParts(monitor,
          new CopyUpkeep(client, workloads, imageCopies, monitor, access, events));
    };
    copies = new ImageCopyReconciler(imageCopies, policies, workloads, jobs, upkeep, mirrorRules, events,
        settings.retryBase(), settings.retryCap(), settings.clock());
    nodeMirrorSets = new NodeMirrorSets(client, policies, imageCopies, owner, cluster::servesMirrorSets);
    copies.onNodeMirrorCopy(nodeMirrorSets::refresh);
    PullSecretReconciler pullSecrets = new PullSecretReconciler(client, policies, workloads, pullSecretWriter,
        settings.clock());
    imagePolicies = new ImagePolicyReconciler(policies, workloads, pullSecrets, invalidImages, events, mirrorRules,
        cluster::trust, settings.clock());
    imagePolicies.onSpecChanged(nodeMirrorSets::refresh); // a policy that leaves NodeMirror mode loses its sets
    WorkloadReconciler.Shared shared = new WorkloadReconciler.Shared(client, namespaces, policies, imageCopies,
        workloads, pullSecretWriter, pullSecrets::exists, mirrors, invalidImages, imagePolicies::refresh, events,
        settings.namespace());
    WebhookMetrics webhookMetrics = new WebhookMetrics(meters);
    settings.webhook().ifPresent(config -> webhook = new Webhook(client, config, settings.namespace(),
        () -> neverAdmitted(settings), new AdmissionHandler(new MemoryState(policies, namespaces, imageCopies, mirrors,
            pullSecrets::exists, settings.namespace()), webhookMetrics), webhookMetrics, owner, settings.clock()));

    operator = new Operator(o -> {
      o.withKubernetesClient(client)
          .withCloseClientOnStop(false)
          .withConcurrentReconciliationThreads(8)
          .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(meters));
      if (settings.leaderElection()) {
        // JOSDK would exit the JVM when leadership ends, even when this operator is being closed (in a
        // shutdown hook, that deadlocks): a lost lease is reported to lostLeadership instead.
        o.withLeaderElectionConfiguration(new LeaderElectionConfiguration(OperatorSettings.LEASE_NAME,
            settings.namespace(), LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
            LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE,
            LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE, settings.identity(),
            new LeaderCallbacks(this::startedLeading, this::stoppedLeading,
                leader -> { }), false));
      }
    });
    operator.register(copies);
    operator.register(imagePolicies);
    operator.register(pullSecrets);
    WorkloadReconcilers.all(shared).forEach(operator::register);
    metrics.imagesByState(() -> countByState(imageCopies));
    metrics.imagesByUpstreamState(() -> imageCopies.all().collect(java.util.stream.Collectors.groupingBy(
        c -> dev.holdfast.operator.upstream.UpstreamStatus.reason(c).orElse("Unchecked"),
        java.util.stream.Collectors.counting())));
    settings.probeAddress().ifPresent(address -> {
      probes = new ProbeServer(address, meters, this::isReady);
      probes.start();
      LOG.info("Serving /metrics, /healthz and /readyz on {}", probes.address());
    });
    cluster.start();
    if (settings.leaderElection()) {
      LeaseRecord.prepare(client, settings.namespace(),
          (int) LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE.toSeconds());
    }
    operator.start();
    workloads.markSynced();
    if (webhook != null) {
      webhook.start();
    }
    if (!settings.leaderElection()) {
      startedLeading();
    }
    started = true;
    settings.implicitPolicy().filter(OperatorSettings.ImplicitPolicy::pushCredentialsHandedOut).ifPresent(p ->
        LOG.warn("No pull-only credentials were given (--pull-username/--pull-password): the push credentials"
            + " of {} will be handed to the namespaces whose workloads use copies", p.spec().destination().registry()));
    LOG.info("Holdfast operator started (namespace {}, identity {}, leader election {})", settings.namespace(),
        settings.identity(), settings.leaderElection() ? "on" : "off");
  }

  /**
   * What to do when this replica loses its lease while running: it must stop acting at once, since
   * another replica now leads. The command line exits the process; the default does nothing more
   * than stop the operator.
   */
  public void onLostLeadership(Runnable action) {
    this.lostLeadership = action;
  }

  // The cluster's mirror sets or CAs changed: copies that wait for them try again.
  private void clusterChanged() {
    java.util.List<String> skipped = cluster.trust().skipped();
    if (!skipped.equals(skippedCertificates)) {
      skippedCertificates = skipped;
      skipped.forEach(block -> LOG.warn("Trust bundle block skipped: {}", block));
    }
    if (started && copies != null) {
      copies.retryUnverified();
      imagePolicies.refreshAll();
    }
  }

  private void startedLeading() {
    LOG.info("{} leads", settings.identity());
    copies.startUpstreamChecks();
    if (webhook != null) {
      webhook.startLeading();
    }
  }

  // The webhook is never called for the operator's own namespace, nor for those the flags exclude.
  private static java.util.Set<String> neverAdmitted(OperatorSettings settings) {
    java.util.Set<String> excluded = new java.util.TreeSet<>();
    excluded.add(settings.namespace());
    settings.implicitPolicy().ifPresent(p -> excluded.addAll(p.spec().excludeNamespaces()));
    return excluded;
  }

  /** The webhook's address, when it is served. */
  public Optional<java.net.InetSocketAddress> webhookAddress() {
    return Optional.ofNullable(webhook).map(Webhook::address);
  }

  private void stoppedLeading() {
    if (!closing) {
      LOG.error("{} lost the lease {}/{}: stopping", settings.identity(), settings.namespace(),
          OperatorSettings.LEASE_NAME);
      Thread.ofPlatform().name("holdfast-lost-lease").start(() -> {
        close();
        lostLeadership.run();
      });
    }
  }

  /** Whether the controllers have started with synced informers. */
  public boolean isReady() {
    return started && operator.getRuntimeInfo().allEventSourcesAreHealthy();
  }

  /** The Prometheus registry holding the operator's metrics. */
  public PrometheusMeterRegistry meters() {
    return meters;
  }

  /** Where probes and metrics are served, when they are. */
  public Optional<java.net.InetSocketAddress> probeAddress() {
    return Optional.ofNullable(probes).map(ProbeServer::address);
  }

  private static Map<String, Long> countByState(ImageCopies copies) {
    Map<String, Long> counts = new HashMap<>();
    copies.all().forEach(copy -> counts.merge(ImageCopies.state(copy), 1L, Long::sum));
    return counts;
  }

  @Override
  public synchronized void close() {
    closing = true;
    started = false;
    if (operator != null) {
      operator.stop();
    }
    if (webhook != null) {
      webhook.close();
    }
    if (copies != null) {
      copies.close();
    }
    if (mirrors != null) {
      mirrors.close();
    }
    if (cluster != null) {
      cluster.close();
    }
    if (nodeMirrorSets != null) {
      nodeMirrorSets.close();
    }
    if (namespaces != null) {
      namespaces.close();
    }
    if (probes != null) {
      probes.close();
    }
  }
}
