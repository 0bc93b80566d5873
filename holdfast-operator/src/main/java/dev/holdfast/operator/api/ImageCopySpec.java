package dev.holdfast.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/** What to copy. */
public class ImageCopySpec {
  @Required
  @JsonPropertyDescription("The source image, normalised: docker.io/library/nginx:1.27, or with @sha256:... when pinned.")
  private String source;

  @Required
  @JsonPropertyDescription("The ImagePolicy whose destination receives the copy.")
  private String policy;

  @Size(max = 16)
  @JsonPropertyDescription("Pull secrets of the workloads that named the source, kept from their first sighting:"
      + " the credentials for reading it. References only; the operator reads them when it copies.")
  private List<SecretReference> pullSecrets = new ArrayList<>();

  public ImageCopySpec() {}

  public ImageCopySpec(String source, String policy, List<SecretReference> pullSecrets) {
    this.source = source;
    this.policy = policy;
    this.pullSecrets = new ArrayList<>(pullSecrets);
  }

  public String getSource() {
    return source;
  }

  public void setSource(String source) {
    this.source = source;
  }

  public String getPolicy() {
    return policy;
  }

  public void setPolicy(String policy) {
    this.policy = policy;
  }

  public List<SecretReference> getPullSecrets() {
    return pullSecrets;
  }

  public void setPullSecrets(List<SecretReference> pullSecrets) {
    this.pullSecrets = pullSecrets == null ? new ArrayList<>() : pullSecrets;
  }
}
