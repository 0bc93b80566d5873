package dev.holdfast.oci.registry;

/**
 * The registry has no such thing: {@code MANIFEST_UNKNOWN} (no such tag or digest), {@code
 * BLOB_UNKNOWN}, {@code NAME_UNKNOWN} (no such repository), {@code BLOB_UPLOAD_UNKNOWN}, or a plain
 * 404 without a code ({@code NOT_FOUND}).
 */
public final class NotFoundException extends RegistryException {

  /** The code for a 404 that carried no Distribution error code. */
  public static final String NOT_FOUND = "NOT_FOUND";

  private final String code;

  NotFoundException(String registry, String action, int statusCode, String code, String detail) {
    super(registry, action, statusCode, code, detail, null);
    this.code = code == null ? NOT_FOUND : code;
  }

  /** The Distribution error code, or {@link #NOT_FOUND}. */
  public String code() {
    return code;
  }

  /** True when the repository itself does not exist ({@code NAME_UNKNOWN}). */
  public boolean isRepositoryMissing() {
    return "NAME_UNKNOWN".equals(code);
  }
}
