/**
 * The copy engine: copies images by digest between registries and OCI layouts.
 *
 * <p>{@link dev.holdfast.oci.copy.ImageLocation} says where an image lives (a registry reference or
 * {@code oci:DIR[:NAME]}); {@link dev.holdfast.oci.copy.DestinationNaming} says where the copy of a
 * source goes; {@link dev.holdfast.oci.copy.CopyEngine} copies {@link dev.holdfast.oci.copy.CopyRequest}s
 * and reports one {@link dev.holdfast.oci.copy.CopyResult} per image, with progress to a
 * {@link dev.holdfast.oci.copy.ProgressListener}. The engine is the only owner of threads in the copy
 * path; the registry client and the layout code are called from its virtual threads. Places an image
 * can live are package-private source and sink implementations, so the engine's logic does not
 * depend on them.
 */
package dev.holdfast.oci.copy;
