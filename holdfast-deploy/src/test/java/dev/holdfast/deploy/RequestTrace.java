package dev.holdfast.deploy;

import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Every API request a Kubernetes client makes, as the API server's authorizer sees it (verb, group,
 * resource, subresource, namespace, name), with the status it got. Install it with {@code
 * withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("trace", trace))}.
 */
final class RequestTrace implements Interceptor {
  /** One request's authorization attributes; a list or watch by {@code metadata.name} has that name. */
  record Attributes(String verb, String group, String resource, String subresource, String namespace, String name) {
    @Override
    public String toString() {
      return verb + " " + (group.isEmpty() ? "" : group + "/") + resource
          + (subresource.isEmpty() ? "" : "/" + subresource)
          + (namespace.isEmpty() ? "" : " in " + namespace) + (name.isEmpty() ? "" : " named " + name);
    }
  }

  record Request(String method, String path, Attributes attributes, int status) {}

  private final List<Request> requests = new CopyOnWriteArrayList<>();

  @Override
  public void after(HttpRequest request, HttpResponse<?> response, AsyncBody.Consumer<List<ByteBuffer>> consumer) {
    attributes(request.method(), request.uri().getRawPath(), request.uri().getRawQuery()).ifPresent(a -> {
      requests.add(new Request(request.method(), request.uri().getRawPath(), a, response.code()));
      if (a.verb().equals("patch") && response.code() == 201) {
        // a patch that created the object (server-side apply) was authorized as a create too
        requests.add(new Request(request.method(), request.uri().getRawPath(), new Attributes("create", a.group(),
            a.resource(), a.subresource(), a.namespace(), a.name()), response.code()));
      }
    });
  }

  @Override
  public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
    // watches answer with 200 once and stream; a refused one is seen by after()
  }

  /** The requests so far. */
  List<Request> requests() {
    return List.copyOf(requests);
  }

  /** The distinct attributes of the requests the server did not refuse (not 401, not 403). */
  Set<Attributes> granted() {
    Set<Attributes> set = new LinkedHashSet<>();
    requests.stream().filter(r -> r.status() != 401 && r.status() != 403).forEach(r -> set.add(r.attributes()));
    return set;
  }

  /** The requests refused with 403. */
  List<Request> refused() {
    return requests.stream().filter(r -> r.status() == 403).toList();
  }

  /** A resource request's attributes; empty for discovery and other non-resource paths. */
  static Optional<Attributes> attributes(String method, String rawPath, String rawQuery) {
    List<String> parts = new ArrayList<>(List.of(rawPath.replaceAll("^/+|/+$", "").split("/")));
    String group;
    if (parts.size() >= 3 && parts.get(0).equals("api")) {
      group = "";
      parts = parts.subList(2, parts.size());
    } else if (parts.size() >= 4 && parts.get(0).equals("apis")) {
      group = parts.get(1);
      parts = parts.subList(3, parts.size());
    } else {
      return Optional.empty();
    }
    String namespace = "";
    if (parts.size() >= 3 && parts.get(0).equals("namespaces")) {
      namespace = parts.get(1);
      parts = parts.subList(2, parts.size());
    } else if (parts.size() == 2 && parts.get(0).equals("namespaces")) {
      // a namespace itself: /api/v1/namespaces/NAME
      parts = List.of("namespaces", parts.get(1));
    }
    String resource = parts.get(0);
    String name = parts.size() > 1 ? parts.get(1) : "";
    String subresource = parts.size() > 2 ? parts.get(2) : "";
    String query = rawQuery == null ? "" : URLDecoder.decode(rawQuery, StandardCharsets.UTF_8);
    String verb = switch (method) {
      case "GET" -> !name.isEmpty() ? "get" : query.matches("(^|.*&)watch=(true|1)(&.*|$)") ? "watch" : "list";
      case "POST" -> "create";
      case "PUT" -> "update";
      case "PATCH" -> "patch";
      case "DELETE" -> name.isEmpty() ? "deletecollection" : "delete";
      default -> method.toLowerCase(java.util.Locale.ROOT);
    };
    if (name.isEmpty() && (verb.equals("list") || verb.equals("watch"))) {
      java.util.regex.Matcher byName = java.util.regex.Pattern.compile("(?:^|&)fieldSelector=metadata\\.name(?:=|==)([^&,]+)")
          .matcher(query);
      if (byName.find()) {
        name = byName.group(1);
      }
    }
    return Optional.of(new Attributes(verb, group, resource, subresource, namespace, name));
  }
}
