package dev.holdfast.operator.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** What to protect, and how: a destination registry, which workloads and images, and the rewrite mode. */
@Group(ImageCopy.GROUP)
@Version(ImageCopy.VERSION)
@Kind("ImagePolicy")
@Plural("imagepolicies")
@ShortNames("ipol")
@AdditionalPrinterColumn(name = "DESTINATION", jsonPath = ".spec.destination.registry",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "REWRITE", jsonPath = ".spec.rewrite", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "DESIRED", jsonPath = ".status.desired", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "READY", jsonPath = ".status.ready", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "FAILED", jsonPath = ".status.failed", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "VALID", jsonPath = ".status.conditions[?(@.type==\"Valid\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "AGE", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class ImagePolicy extends CustomResource<ImagePolicySpec, ImagePolicyStatus> {
  /** An ImagePolicy with the given name and spec. */
  public static ImagePolicy of(String name, ImagePolicySpec spec) {
    ImagePolicy policy = new ImagePolicy();
    policy.getMetadata().setName(name);
    policy.setSpec(spec);
    return policy;
  }
}
