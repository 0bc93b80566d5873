package dev.holdfast.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** Totals and problems of a policy; never an unbounded list. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ImagePolicyStatus {
  /** At most this many failing images are listed. */
  public static final int MAX_FAILING = 20;

  @JsonPropertyDescription("Source images the policy's workloads name.")
  private Integer desired;

  @JsonPropertyDescription("Images with a verified copy.")
  private Integer ready;

  @JsonPropertyDescription("Images whose last copy failed.")
  private Integer failed;

  @JsonPropertyDescription("Images the source registry no longer has.")
  private Integer upstreamMissing;

  @JsonPropertyDescription("Up to 20 failing images, with the reason.")
  private List<FailingImage> failing = new ArrayList<>();

  private Long observedGeneration;

  private List<Condition> conditions = new ArrayList<>();

  /** A failing image. */
  public record FailingImage(String source, String reason, String message) {}

  public Integer getDesired() {
    return desired;
  }

  public void setDesired(Integer desired) {
    this.desired = desired;
  }

  public Integer getReady() {
    return ready;
  }

  public void setReady(Integer ready) {
    this.ready = ready;
  }

  public Integer getFailed() {
    return failed;
  }

  public void setFailed(Integer failed) {
    this.failed = failed;
  }

  public Integer getUpstreamMissing() {
    return upstreamMissing;
  }

  public void setUpstreamMissing(Integer upstreamMissing) {
    this.upstreamMissing = upstreamMissing;
  }

  public List<FailingImage> getFailing() {
    return failing;
  }

  public void setFailing(List<FailingImage> failing) {
    this.failing = failing == null ? new ArrayList<>() : failing;
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
