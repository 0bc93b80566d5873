package dev.holdfast.operator.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * One source image and its verified copy under one policy: the inventory that {@code kubectl get
 * imagecopies} shows. Cluster-scoped; named by {@link CopyNames}. {@code Ready} is True only after
 * the copy was read back by digest at the destination.
 */
@Group(ImageCopy.GROUP)
@Version(ImageCopy.VERSION)
@Kind("ImageCopy")
@Plural("imagecopies")
@ShortNames("icopy")
@AdditionalPrinterColumn(name = "SOURCE", jsonPath = ".spec.source", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "COPY", jsonPath = ".status.copy", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "READY", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "UPSTREAM", jsonPath = ".status.conditions[?(@.type==\"UpstreamAvailable\")].reason",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "USED-BY", jsonPath = ".status.usedBy", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "AGE", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class ImageCopy extends CustomResource<ImageCopySpec, ImageCopyStatus> {
  public static final String GROUP = "holdfast.dev";
  public static final String VERSION = "v1alpha1";

  /** An ImageCopy with the given name and spec. */
  public static ImageCopy of(String name, ImageCopySpec spec) {
    ImageCopy copy = new ImageCopy();
    copy.getMetadata().setName(name);
    copy.setSpec(spec);
    return copy;
  }
}
