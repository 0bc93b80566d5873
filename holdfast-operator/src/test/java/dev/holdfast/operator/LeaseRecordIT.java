package dev.holdfast.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.operator.testing.ControlPlaneExtension;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Lease an installation creates empty gets an expired record before the first election, and a record is never overwritten. */
class LeaseRecordIT {
  @RegisterExtension static final ControlPlaneExtension kube = new ControlPlaneExtension();

  private static Lease lease() {
    return kube.client().leases().inNamespace(kube.namespace()).withName(OperatorSettings.LEASE_NAME).get();
  }

  @AfterEach
  void deleteTheLease() {
    kube.client().leases().inNamespace(kube.namespace()).withName(OperatorSettings.LEASE_NAME).delete();
  }

  @Test
  void anEmptyLeaseGetsAnExpiredRecordNoOneHolds() {
    kube.apply("""
        apiVersion: coordination.k8s.io/v1
        kind: Lease
        metadata: {name: holdfast-operator}
        """);

    LeaseRecord.prepare(kube.client(), kube.namespace(), 15);

    Lease lease = lease();
    assertThat(lease.getSpec().getHolderIdentity()).isEmpty();
    assertThat(lease.getSpec().getLeaseDurationSeconds()).isEqualTo(15);
    assertThat(lease.getSpec().getAcquireTime()).isEqualTo(LeaseRecord.NEVER);
    assertThat(lease.getSpec().getRenewTime()).isEqualTo(LeaseRecord.NEVER);
    assertThat(lease.getSpec().getLeaseTransitions()).isZero();
  }

  @Test
  void aRecordIsLeftAsItIs() {
    ZonedDateTime renewed = ZonedDateTime.of(2026, 12, 8, 1, 0, 0, 0, ZoneOffset.UTC);
    kube.client().leases().inNamespace(kube.namespace()).resource(new LeaseBuilder().withNewMetadata()
        .withName(OperatorSettings.LEASE_NAME).endMetadata().withNewSpec().withHolderIdentity("replica-a")
        .withLeaseDurationSeconds(15).withAcquireTime(renewed).withRenewTime(renewed).withLeaseTransitions(3).endSpec()
        .build()).create();
    String version = lease().getMetadata().getResourceVersion();

    LeaseRecord.prepare(kube.client(), kube.namespace(), 15);

    assertThat(lease().getMetadata().getResourceVersion()).isEqualTo(version);
    assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("replica-a");
  }

  @Test
  void noLeaseIsNotCreated() {
    LeaseRecord.prepare(kube.client(), kube.namespace(), 15);

    assertThat(lease()).isNull();
  }
}
