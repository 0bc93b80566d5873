package dev.holdfast.cli.relocate;

/**
 * One image string of a manifest: where it is, what it says, and how it is written.
 *
 * @param document the YAML document it is in, from 1
 * @param object the object that holds it, {@code Deployment/web}
 * @param path its path from the document's root, {@code spec.template.spec.containers[0].image}
 * @param line its line, from 1
 * @param column its column, from 1
 * @param start the index of its first character in the text (after any anchor or tag)
 * @param end the index after its last character (a closing quote included)
 * @param value the string it holds
 * @param quoting how it is written
 */
public record ImageScalar(int document, String object, String path, int line, int column, int start, int end,
    String value, Quoting quoting) {

  /** {@code FILE:LINE:COLUMN (document 2, Deployment/web, spec.template.spec.containers[0].image)}. */
  public String where(String origin) {
    return origin + ":" + line + ":" + column + " (document " + document + ", " + object + ", " + path + ")";
  }
}
