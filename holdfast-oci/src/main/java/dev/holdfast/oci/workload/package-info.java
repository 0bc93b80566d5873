/**
 * The images a YAML file names: plain image lists, or the container images of Kubernetes workload
 * manifests, read with Jackson YAML (no Kubernetes client).
 */
package dev.holdfast.oci.workload;
