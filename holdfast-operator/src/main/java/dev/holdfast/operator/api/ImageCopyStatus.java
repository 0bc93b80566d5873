package dev.holdfast.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** Where the copy is and what is known of it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ImageCopyStatus {
  @JsonPropertyDescription("The copy, by digest: REGISTRY/REPOSITORY:TAG@sha256:...")
  private String copy;

  @JsonPropertyDescription("The digest of the copy; equal to the source's.")
  private String digest;

  @JsonPropertyDescription("The platforms of the copy (os/architecture[/variant]); empty for a single-platform image.")
  private List<String> platforms;

  @JsonPropertyDescription("Bytes of every manifest, config and layer of the copy.")
  private Long size;

  @JsonPropertyDescription("The location that served the copy: the source, or a mirror of it.")
  private String servedFrom;

  @JsonPropertyDescription("When the copy was last read back by digest at the destination.")
  private String verifiedAt;

  @JsonPropertyDescription("How many workloads (and bare Pods) name the source.")
  private Integer usedBy;

  @JsonPropertyDescription("Failed attempts since the last success; sets the back-off.")
  private Integer failures;

  @JsonPropertyDescription("When the last copy attempt ended.")
  private String attemptedAt;

  @JsonPropertyDescription("When the source was last checked upstream.")
  private String upstreamCheckedAt;

  @JsonPropertyDescription("When the source was last seen upstream, as copied.")
  private String upstreamSeenAt;

  @JsonPropertyDescription("When a workload last named the source; retention counts from here.")
  private String lastUsedAt;

  @JsonPropertyDescription("Whether the source refuses reads without a namespace's own pull secret (the policy's"
      + " credentials and the cluster's global pull secret are not a namespace's own).")
  private Boolean privateSource;

  @JsonPropertyDescription("For a private source: the namespaces whose own pull secrets can read it. Only these are"
      + " pointed at the copy, unless the policy shares private images.")
  private List<String> readableIn;

  @JsonPropertyDescription("For a private source: the namespaces whose pull secrets could not read it.")
  private List<String> unreadableIn;

  @JsonPropertyDescription("When the namespaces' access to a private source was last checked.")
  private String accessCheckedAt;

  private Long observedGeneration;

  private List<Condition> conditions = new ArrayList<>();

  public String getCopy() {
    return copy;
  }

  public void setCopy(String copy) {
    this.copy = copy;
  }

  public String getDigest() {
    return digest;
  }

  public void setDigest(String digest) {
    this.digest = digest;
  }

  public List<String> getPlatforms() {
    return platforms;
  }

  public void setPlatforms(List<String> platforms) {
    this.platforms = platforms;
  }

  public Long getSize() {
    return size;
  }

  public void setSize(Long size) {
    this.size = size;
  }

  public String getServedFrom() {
    return servedFrom;
  }

  public void setServedFrom(String servedFrom) {
    this.servedFrom = servedFrom;
  }

  public String getVerifiedAt() {
    return verifiedAt;
  }

  public void setVerifiedAt(String verifiedAt) {
    this.verifiedAt = verifiedAt;
  }

  public Integer getUsedBy() {
    return usedBy;
  }

  public void setUsedBy(Integer usedBy) {
    this.usedBy = usedBy;
  }

  public Integer getFailures() {
    return failures;
  }

  public void setFailures(Integer failures) {
    this.failures = failures;
  }

  public String getAttemptedAt() {
    return attemptedAt;
  }

  public void setAttemptedAt(String attemptedAt) {
    this.attemptedAt = attemptedAt;
  }

  public String getUpstreamCheckedAt() {
    return upstreamCheckedAt;
  }

  public void setUpstreamCheckedAt(String upstreamCheckedAt) {
    this.upstreamCheckedAt = upstreamCheckedAt;
  }

  public String getUpstreamSeenAt() {
    return upstreamSeenAt;
  }

  public void setUpstreamSeenAt(String upstreamSeenAt) {
    this.upstreamSeenAt = upstreamSeenAt;
  }

  public String getLastUsedAt() {
    return lastUsedAt;
  }

  public void setLastUsedAt(String lastUsedAt) {
    this.lastUsedAt = lastUsedAt;
  }

  public Boolean getPrivateSource() {
    return privateSource;
  }

  public void setPrivateSource(Boolean privateSource) {
    this.privateSource = privateSource;
  }

  public List<String> getReadableIn() {
    return readableIn;
  }

  public void setReadableIn(List<String> readableIn) {
    this.readableIn = readableIn;
  }

  public List<String> getUnreadableIn() {
    return unreadableIn;
  }

  public void setUnreadableIn(List<String> unreadableIn) {
    this.unreadableIn = unreadableIn;
  }

  public String getAccessCheckedAt() {
    return accessCheckedAt;
  }

  public void setAccessCheckedAt(String accessCheckedAt) {
    this.accessCheckedAt = accessCheckedAt;
  }

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions == null ? new ArrayList<>() : conditions;
  }
}
