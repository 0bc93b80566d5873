/**
 * Registry credentials: Docker/Podman config files and credential helpers ({@link
 * dev.holdfast.oci.auth.DockerConfig}), Kubernetes pull-secret payloads matched as the kubelet
 * matches them ({@link dev.holdfast.oci.auth.PullSecretKeyring}). No credential ever appears in a
 * {@code toString()} or an exception message.
 */
package dev.holdfast.oci.auth;
