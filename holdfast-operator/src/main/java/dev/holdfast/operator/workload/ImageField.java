package dev.holdfast.operator.workload;

/**
 * One image a Pod spec names.
 *
 * @param key where it is, stable across edits that reorder nothing: {@code containers/web},
 *     {@code initContainers/migrate}, {@code ephemeralContainers/debug}, {@code volumes/models}
 * @param pointer the JSON pointer of the image string, relative to the Pod spec:
 *     {@code /containers/0/image}, {@code /volumes/2/image/reference}
 * @param image the image as written
 */
public record ImageField(String key, String pointer, String image) {}
