package dev.holdfast.operator;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader-election Lease's record, before the first election. An installation creates the Lease
 * {@value OperatorSettings#LEASE_NAME} empty (the replicas may then renew it but never create one),
 * because the record's fields belong to the replicas: a chart that set them would own them too, and
 * every {@code helm upgrade} (server-side apply) would conflict with the replica that renewed them.
 * The Kubernetes client cannot read a record without its times, so a replica writes an expired one
 * that no one holds first; with the Lease's resourceVersion, so that it never overwrites a record
 * another replica wrote meanwhile.
 */
final class LeaseRecord {
  private static final Logger LOG = LoggerFactory.getLogger(LeaseRecord.class);
  static final ZonedDateTime NEVER = ZonedDateTime.of(1970, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);

  private LeaseRecord() {}

  /** Writes an expired record into the Lease when it has none; nothing when it has one, or is absent. */
  static void prepare(KubernetesClient client, String namespace, int leaseDurationSeconds) {
    Lease lease = client.leases().inNamespace(namespace).withName(OperatorSettings.LEASE_NAME).get();
    if (lease == null || isComplete(lease.getSpec())) {
      return;
    }
    LeaseSpec spec = lease.getSpec() != null ? lease.getSpec() : new LeaseSpec();
    if (spec.getHolderIdentity() == null) {
      spec.setHolderIdentity("");
    }
    if (spec.getLeaseDurationSeconds() == null) {
      spec.setLeaseDurationSeconds(leaseDurationSeconds);
    }
    if (spec.getAcquireTime() == null) {
      spec.setAcquireTime(NEVER);
    }
    if (spec.getRenewTime() == null) {
      spec.setRenewTime(NEVER);
    }
    if (spec.getLeaseTransitions() == null) {
      spec.setLeaseTransitions(0);
    }
    lease.setSpec(spec);
    try {
      client.leases().inNamespace(namespace).resource(lease).update(); // fails on a newer resourceVersion
      LOG.info("The Lease {} had no record: wrote an expired one", OperatorSettings.LEASE_NAME);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
      // another replica wrote the record first
    }
  }

  static boolean isComplete(LeaseSpec spec) {
    return spec != null && spec.getLeaseDurationSeconds() != null && spec.getAcquireTime() != null
        && spec.getRenewTime() != null;
  }
}
