package dev.holdfast.oci.registry;

import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

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
  Supplier<BodyPublisher> body = BodyPublishers::noBody;
  boolean replayable = true;
  /** Sent over {@link Http1Transport} instead of the JDK client (bulk blob transfers). */
  boolean direct;
  Http1Transport.BodyWriter directBody;
  long directLength = -1;
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

  /** A body that can be produced again for a retry. */
  Call body(Supplier<BodyPublisher> publisher) {
    this.body = publisher;
    return this;
  }

  /** Sends the call over the lean blob transport ({@link Http1Transport}). */
  Call direct() {
    this.direct = true;
    return this;
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
