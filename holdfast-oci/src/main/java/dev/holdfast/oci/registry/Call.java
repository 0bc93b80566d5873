package dev.holdfast.oci.registry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One Distribution API request as a per-call class describes it: method, target, headers, body,
 * the statuses it handles itself, and what to say when it fails. {@link RegistryCaller} sends it.
 */
final class Call {

  final String registry;
  final String action;
  final String method;
  final String target;
  final List<Scope> scopes = new ArrayList<>();
  final Map<String, String> headers = new LinkedHashMap<>();
  /** A small body held in memory (a manifest, a chunk, a token form), or null. */
  byte[] bytes;
  int bytesOffset;
  int bytesLength;
  boolean replayable = true;
  /**
   * Sent over {@link Http1Transport}; false sends it with the JDK's {@code HttpClient} instead,
   * which {@code -D}{@value #TRANSPORT_PROPERTY}{@code =jdk} selects for every call but streamed
   * uploads (a fallback, should a registry or proxy disagree with the lean transport; the scheme
   * probe follows the same switch, in {@code RegistryCaller}).
   */
  boolean direct = !jdkTransportSelected();
  Http1Transport.BodyWriter directBody;
  long directLength = -1;
  Set<Integer> expected = Set.of(200);

  static final String TRANSPORT_PROPERTY = "holdfast.registry.transport";

  /** Whether {@value #TRANSPORT_PROPERTY}{@code =jdk} asks for the JDK's {@code HttpClient}. */
  static boolean jdkTransportSelected() {
    return "jdk".equals(System.getProperty(TRANSPORT_PROPERTY));
  }

  private Call(String registry, String action, String method, String target) {
    this.registry = registry;
    this.action = action;
    this.method = method;
    this.target = target;
  }

  /**
   * A call.
   *
   * @param target a path from the registry root ({@code /v2/...}) or an absolute URL (a {@code
   *     Location} the registry returned)
   */
  static Call of(String registry, String action, String method, String target) {
    return new Call(registry, action, method, target);
  }

  Call scope(Scope scope) {
    scopes.add(scope);
    return this;
  }

  Call header(String name, String value) {
    headers.put(name, value);
    return this;
  }

  Call expect(Integer... statuses) {
    expected = Set.of(statuses);
    return this;
  }

  /** A body of {@code length} bytes of {@code data} from {@code offset}; sent again on a retry. */
  Call body(byte[] data, int offset, int length) {
    this.bytes = data;
    this.bytesOffset = offset;
    this.bytesLength = length;
    this.directBody = (out, buffer) -> out.write(data, offset, length);
    this.directLength = length;
    return this;
  }

  /** A body of all of {@code data}. */
  Call body(byte[] data) {
    return body(data, 0, data.length);
  }

  /**
   * A body of {@code length} bytes written once from a caller's stream, over the lean transport:
   * no retries; the read timeout applies from the end of the upload.
   */
  Call streamedBody(Http1Transport.BodyWriter writer, long length) {
    this.direct = true;
    this.directBody = writer;
    this.directLength = length;
    this.replayable = false;
    return this;
  }

  boolean followsRedirects() {
    return method.equals("GET") || method.equals("HEAD");
  }
}
