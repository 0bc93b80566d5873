/**
 * The Holdfast operator: custom resources, reconcilers and the admission webhook. It sits on the
 * {@code holdfast-oci} library; later issues fill it in.
 */
package dev.holdfast.operator;
