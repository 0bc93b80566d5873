package dev.holdfast.oci.registry;

import dev.holdfast.oci.http.HttpTransport;
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
  /** Whether the call may be sent again: false for a body streamed from the caller's stream. */
  boolean replayable = true;
  /** The body, or null: a small one held in memory (a manifest, a chunk, a token form), or a stream. */
  HttpTransport.BodyWriter body;
  long bodyLength = -1;
  Set<Integer> expected = Set.of(200);

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
    this.body = (out, buffer) -> out.write(data, offset, length);
    this.bodyLength = length;
    return this;
  }

  /** A body of all of {@code data}. */
  Call body(byte[] data) {
    return body(data, 0, data.length);
  }

  /**
   * A body of {@code length} bytes written once from a caller's stream: no retries; the read
   * timeout applies from the end of the upload.
   */
  Call streamedBody(HttpTransport.BodyWriter writer, long length) {
    this.body = writer;
    this.bodyLength = length;
    this.replayable = false;
    return this;
  }

  boolean followsRedirects() {
    return method.equals("GET") || method.equals("HEAD");
  }
}
