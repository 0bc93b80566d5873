package dev.holdfast.operator.workload;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EphemeralContainer;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** The images a Pod spec uses: containers, init containers, ephemeral containers and image volumes. */
public final class PodSpecImages {
  private PodSpecImages() {}

  /** Every image field of {@code spec}, in the order above; none for a null spec. Blank images are left out. */
  public static List<ImageField> of(PodSpec spec) {
    List<ImageField> fields = new ArrayList<>();
    if (spec == null) {
      return fields;
    }
    add(fields, "initContainers", spec.getInitContainers(), Container::getName, Container::getImage);
    add(fields, "containers", spec.getContainers(), Container::getName, Container::getImage);
    add(fields, "ephemeralContainers", spec.getEphemeralContainers(), EphemeralContainer::getName,
        EphemeralContainer::getImage);
    List<Volume> volumes = spec.getVolumes() == null ? List.of() : spec.getVolumes();
    for (int i = 0; i < volumes.size(); i++) {
      Volume volume = volumes.get(i);
      if (volume.getImage() != null && isSet(volume.getImage().getReference())) {
        fields.add(new ImageField("volumes/" + volume.getName(), "/volumes/" + i + "/image/reference",
            volume.getImage().getReference()));
      }
    }
    return fields;
  }

  private static <T> void add(List<ImageField> fields, String list, List<T> items, Function<T, String> name,
      Function<T, String> image) {
    if (items == null) {
      return;
    }
    for (int i = 0; i < items.size(); i++) {
      String value = image.apply(items.get(i));
      if (isSet(value)) {
        fields.add(new ImageField(list + "/" + name.apply(items.get(i)), "/" + list + "/" + i + "/image", value));
      }
    }
  }

  private static boolean isSet(String value) {
    return value != null && !value.isBlank();
  }
}
