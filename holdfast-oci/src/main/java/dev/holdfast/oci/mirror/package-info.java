/**
 * Mirror resolution: rules of a source prefix to ordered mirrors, loaded from
 * containers-registries.conf, OpenShift mirror sets or a redirect list ({@link
 * dev.holdfast.oci.mirror.MirrorConfigLoader}), and the pure function that resolves a reference to
 * the places to pull it from ({@link dev.holdfast.oci.mirror.MirrorRules#resolve}). See
 * docs/mirrors.md.
 */
package dev.holdfast.oci.mirror;
