package dev.holdfast.deploy;

import dev.holdfast.operator.testing.ControlPlaneExtension;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Proves that each permission of the operator's roles is needed: for each one, a ServiceAccount
 * bound to the same roles without that one permission, and the API server's own authorizer asked
 * (SubjectAccessReview) about each request the operator made in the scenario. A permission is
 * needed when some request of the scenario that the full roles allowed is refused without it.
 */
final class RbacProof {
  /** One verb on one resource, from a ClusterRole (namespace empty) or a Role of a namespace. */
  record Permission(String namespace, String group, String resource, String verb, List<String> resourceNames) {
    PolicyRule rule() {
      return new PolicyRuleBuilder().withApiGroups(group).withResources(resource).withVerbs(verb)
          .withResourceNames(resourceNames.isEmpty() ? null : resourceNames).build();
    }

    boolean matches(RequestTrace.Attributes request) {
      String full = request.subresource().isEmpty() ? request.resource() : request.resource() + "/" + request.subresource();
      return group.equals(request.group()) && resource.equals(full) && verb.equals(request.verb())
          && (namespace.isEmpty() || namespace.equals(request.namespace()))
          && (resourceNames.isEmpty() || resourceNames.contains(request.name()));
    }

    @Override
    public String toString() {
      return verb + " " + (group.isEmpty() ? "" : group + "/") + resource
          + (resourceNames.isEmpty() ? "" : " " + resourceNames) + (namespace.isEmpty() ? "" : " (Role in " + namespace + ")");
    }
  }

  /** What removing one permission refuses: the requests of the scenario it alone allowed. */
  record Verdict(Permission permission, List<RequestTrace.Attributes> refused) {}

  private final ControlPlaneExtension kube;
  private final String accountNamespace;

  RbacProof(ControlPlaneExtension kube, String accountNamespace) {
    this.kube = kube;
    this.accountNamespace = accountNamespace;
  }

  /** Every verb of every resource of the rules, one permission each. */
  static List<Permission> expand(String namespace, List<PolicyRule> rules) {
    List<Permission> permissions = new ArrayList<>();
    for (PolicyRule rule : rules) {
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String verb : rule.getVerbs()) {
            permissions.add(new Permission(namespace, group, resource, verb,
                rule.getResourceNames() == null ? List.of() : List.copyOf(rule.getResourceNames())));
          }
        }
      }
    }
    return permissions;
  }

  /**
   * For each permission, the granted requests of the scenario that the roles without it refuse. Makes
   * a ServiceAccount, ClusterRole and Role (and bindings) per permission, named {@code PREFIX-N}.
   */
  List<Verdict> verdicts(String prefix, List<Permission> all, Set<RequestTrace.Attributes> requests) {
    List<Verdict> verdicts = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      String name = prefix + "-" + i;
      Permission removed = all.get(i);
      List<Permission> rest = new ArrayList<>(all);
      rest.remove(i);
      bind(name, rest);
      List<RequestTrace.Attributes> candidates = requests.stream().filter(removed::matches).toList();
      // the bindings are in effect once a request the remaining roles grant is allowed
      rest.stream().findFirst().ifPresent(p -> kube.await(name + "'s roles in effect", () -> allowed(name, attributes(p))));
      verdicts.add(new Verdict(removed, candidates.stream().filter(a -> !allowed(name, a)).toList()));
    }
    return verdicts;
  }

  /** Binds a new ServiceAccount {@code name} to exactly these permissions. */
  void bind(String name, List<Permission> permissions) {
    var client = kube.client();
    client.serviceAccounts().inNamespace(accountNamespace).resource(new ServiceAccountBuilder().withNewMetadata()
        .withName(name).endMetadata().build()).serverSideApply();
    List<PolicyRule> clusterRules = permissions.stream().filter(p -> p.namespace().isEmpty()).map(Permission::rule).toList();
    client.rbac().clusterRoles().resource(new ClusterRoleBuilder().withNewMetadata().withName(name).endMetadata()
        .withRules(clusterRules).build()).serverSideApply();
    client.rbac().clusterRoleBindings().resource(new ClusterRoleBindingBuilder().withNewMetadata().withName(name)
        .endMetadata().withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", name)
        .addNewSubject().withKind("ServiceAccount").withName(name).withNamespace(accountNamespace).endSubject()
        .build()).serverSideApply();
    permissions.stream().map(Permission::namespace).filter(ns -> !ns.isEmpty()).distinct().forEach(ns -> {
      client.rbac().roles().inNamespace(ns).resource(new RoleBuilder().withNewMetadata().withName(name).endMetadata()
          .withRules(permissions.stream().filter(p -> p.namespace().equals(ns)).map(Permission::rule).toList())
          .build()).serverSideApply();
      client.rbac().roleBindings().inNamespace(ns).resource(new RoleBindingBuilder().withNewMetadata().withName(name)
          .endMetadata().withNewRoleRef("rbac.authorization.k8s.io", "Role", name)
          .addNewSubject().withKind("ServiceAccount").withName(name).withNamespace(accountNamespace).endSubject()
          .build()).serverSideApply();
    });
  }

  /** Removes what {@link #bind} made. */
  void unbind(String name, List<Permission> permissions) {
    var client = kube.client();
    client.rbac().clusterRoleBindings().withName(name).delete();
    client.rbac().clusterRoles().withName(name).delete();
    permissions.stream().map(Permission::namespace).filter(ns -> !ns.isEmpty()).distinct().forEach(ns -> {
      client.rbac().roleBindings().inNamespace(ns).withName(name).delete();
      client.rbac().roles().inNamespace(ns).withName(name).delete();
    });
    client.serviceAccounts().inNamespace(accountNamespace).withName(name).delete();
  }

  private static RequestTrace.Attributes attributes(Permission p) {
    String[] parts = p.resource().split("/", 2);
    return new RequestTrace.Attributes(p.verb(), p.group(), parts[0], parts.length > 1 ? parts[1] : "", p.namespace(),
        p.resourceNames().isEmpty() ? "" : p.resourceNames().get(0));
  }

  /** What the API server's authorizer says of this request by ServiceAccount {@code account}. */
  boolean allowed(String account, RequestTrace.Attributes request) {
    SubjectAccessReview review = new SubjectAccessReviewBuilder().withNewSpec()
        .withUser("system:serviceaccount:" + accountNamespace + ":" + account)
        .withGroups("system:serviceaccounts", "system:serviceaccounts:" + accountNamespace, "system:authenticated")
        .withNewResourceAttributes()
          .withVerb(request.verb()).withGroup(request.group()).withResource(request.resource())
          .withSubresource(request.subresource()).withNamespace(request.namespace()).withName(request.name())
        .endResourceAttributes()
        .endSpec().build();
    return kube.client().resource(review).create().getStatus().getAllowed();
  }
}
