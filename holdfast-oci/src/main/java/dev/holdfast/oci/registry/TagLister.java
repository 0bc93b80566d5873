package dev.holdfast.oci.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.oci.reference.ImageReference;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** {@code GET /v2/<name>/tags/list}, following {@code Link: <...>; rel="next"} pages. */
final class TagLister implements RegistryOperation<List<String>> {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_PAGE_BYTES = 16 * 1024 * 1024;

  private final ImageReference repository;
  private final int pageSize;

  /** @param pageSize tags per page ({@code n}), or 0 to let the registry choose */
  TagLister(ImageReference repository, int pageSize) {
    this.repository = repository;
    this.pageSize = pageSize;
  }

  @Override
  public List<String> run(RegistryCaller caller) {
    String action = "list tags of " + repository.name();
    List<String> tags = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    String target = RegistryOperation.path(repository.repository(), "tags/list")
        + (pageSize > 0 ? "?n=" + pageSize : "");
    while (target != null && seen.add(target)) {
      Call call = Call.of(repository.registry(), action, "GET", target)
          .scope(Scope.pull(repository.repository()));
      try (Response response = caller.send(call)) {
        byte[] body = response.readAtMost(MAX_PAGE_BYTES);
        if (body == null) {
          throw new RegistryException(repository.registry(), action, 200, null,
              "a page of the tag list is larger than " + MAX_PAGE_BYTES + " bytes", null);
        }
        JsonNode page = JSON.readTree(body);
        JsonNode list = page == null ? null : page.get("tags");
        if (list != null && list.isArray()) {
          list.forEach(tag -> tags.add(tag.asText()));
        }
        Optional<String> next = LinkHeader.next(response.headers("Link"));
        target = next.map(link -> response.uri.resolve(link).toString()).orElse(null);
      } catch (IOException e) {
        throw new RegistryException(repository.registry(), action, 200, null,
            "the tag list is not valid JSON: " + e.getMessage(), e);
      }
    }
    return tags;
  }
}
