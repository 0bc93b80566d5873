/**
 * {@code holdfast relocate}'s core: finds the image strings of Kubernetes manifests with their exact
 * character ranges ({@link dev.holdfast.cli.relocate.ManifestScanner}), decides what each becomes
 * given where the copies are ({@link dev.holdfast.cli.relocate.Relocator}, a pure function of the
 * text and a {@link dev.holdfast.cli.relocate.Copies}), and splices the new text in, so that
 * everything else in the file stays byte for byte. No picocli, no files.
 */
package dev.holdfast.cli.relocate;
