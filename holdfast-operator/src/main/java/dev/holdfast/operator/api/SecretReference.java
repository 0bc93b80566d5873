package dev.holdfast.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** A Secret in a namespace. */
public record SecretReference(
    @Required @JsonPropertyDescription("The Secret's namespace.") String namespace,
    @Required @JsonPropertyDescription("The Secret's name.") String name) {

  @Override
  public String toString() {
    return namespace + "/" + name;
  }
}
