package io.jpilot.model.config;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One HTTPMatchRequest. Conditions are ANDed. Header, query parameter and without-header maps are
 * kept sorted by name, as istiod sorts header matchers (query parameters are sorted too, so the
 * output is deterministic).
 *
 * @param uri empty when unset (an empty StringMatch on the uri matches everything, like no uri)
 * @param port 0 when unset
 * @param scheme a {@code :scheme} header condition; {@link StringMatch#PRESENT_MATCH} for {@code
 *     {}}
 * @param method a {@code :method} header condition
 * @param authority a {@code :authority} header condition
 * @param withoutHeaders headers that must not match
 * @param sourceNamespace empty when unset
 * @param gateways the gateways this match is limited to, as written; empty when unset
 * @param statPrefix empty when unset
 */
public record HttpMatch(
    String name,
    Optional<StringMatch> uri,
    SortedMap<String, StringMatch> headers,
    int port,
    Map<String, String> sourceLabels,
    boolean ignoreUriCase,
    Optional<StringMatch> scheme,
    Optional<StringMatch> method,
    Optional<StringMatch> authority,
    SortedMap<String, StringMatch> queryParams,
    SortedMap<String, StringMatch> withoutHeaders,
    String sourceNamespace,
    List<String> gateways,
    String statPrefix) {
  public HttpMatch {
    name = name == null ? "" : name;
    uri = uri == null ? Optional.empty() : uri;
    headers = sorted(headers);
    sourceLabels = sourceLabels == null ? Map.of() : Map.copyOf(sourceLabels);
    scheme = scheme == null ? Optional.empty() : scheme;
    method = method == null ? Optional.empty() : method;
    authority = authority == null ? Optional.empty() : authority;
    queryParams = sorted(queryParams);
    withoutHeaders = sorted(withoutHeaders);
    sourceNamespace = sourceNamespace == null ? "" : sourceNamespace;
    gateways = gateways == null ? List.of() : List.copyOf(gateways);
    statPrefix = statPrefix == null ? "" : statPrefix;
  }

  /** The original six conditions; the others unset. */
  public HttpMatch(
      String name,
      Optional<StringMatch> uri,
      SortedMap<String, StringMatch> headers,
      int port,
      Map<String, String> sourceLabels,
      boolean ignoreUriCase) {
    this(
        name,
        uri,
        headers,
        port,
        sourceLabels,
        ignoreUriCase,
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        null,
        null,
        "",
        List.of(),
        "");
  }

  private static SortedMap<String, StringMatch> sorted(Map<String, StringMatch> m) {
    return Collections.unmodifiableSortedMap(m == null ? new TreeMap<>() : new TreeMap<>(m));
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder()
        .name(name)
        .uri(uri)
        .headers(headers)
        .port(port)
        .sourceLabels(sourceLabels)
        .ignoreUriCase(ignoreUriCase)
        .scheme(scheme)
        .method(method)
        .authority(authority)
        .queryParams(queryParams)
        .withoutHeaders(withoutHeaders)
        .sourceNamespace(sourceNamespace)
        .gateways(gateways)
        .statPrefix(statPrefix);
  }

  /** Builds an HttpMatch field by field; unset fields are unset in the API sense. */
  public static final class Builder {
    private String name = "";
    private Optional<StringMatch> uri = Optional.empty();
    private SortedMap<String, StringMatch> headers = new TreeMap<>();
    private int port;
    private Map<String, String> sourceLabels = Map.of();
    private boolean ignoreUriCase;
    private Optional<StringMatch> scheme = Optional.empty();
    private Optional<StringMatch> method = Optional.empty();
    private Optional<StringMatch> authority = Optional.empty();
    private SortedMap<String, StringMatch> queryParams = new TreeMap<>();
    private SortedMap<String, StringMatch> withoutHeaders = new TreeMap<>();
    private String sourceNamespace = "";
    private List<String> gateways = List.of();
    private String statPrefix = "";

    private Builder() {}

    public Builder name(String v) {
      name = v;
      return this;
    }

    public Builder uri(Optional<StringMatch> v) {
      uri = v;
      return this;
    }

    public Builder uri(StringMatch v) {
      return uri(Optional.of(v));
    }

    public Builder headers(Map<String, StringMatch> v) {
      headers = new TreeMap<>(v);
      return this;
    }

    public Builder header(String name, StringMatch v) {
      headers.put(name, v);
      return this;
    }

    public Builder port(int v) {
      port = v;
      return this;
    }

    public Builder sourceLabels(Map<String, String> v) {
      sourceLabels = v;
      return this;
    }

    public Builder ignoreUriCase(boolean v) {
      ignoreUriCase = v;
      return this;
    }

    public Builder scheme(Optional<StringMatch> v) {
      scheme = v;
      return this;
    }

    public Builder method(Optional<StringMatch> v) {
      method = v;
      return this;
    }

    public Builder authority(Optional<StringMatch> v) {
      authority = v;
      return this;
    }

    public Builder queryParams(Map<String, StringMatch> v) {
      queryParams = new TreeMap<>(v);
      return this;
    }

    public Builder queryParam(String name, StringMatch v) {
      queryParams.put(name, v);
      return this;
    }

    public Builder withoutHeaders(Map<String, StringMatch> v) {
      withoutHeaders = new TreeMap<>(v);
      return this;
    }

    public Builder withoutHeader(String name, StringMatch v) {
      withoutHeaders.put(name, v);
      return this;
    }

    public Builder sourceNamespace(String v) {
      sourceNamespace = v;
      return this;
    }

    public Builder gateways(List<String> v) {
      gateways = v;
      return this;
    }

    public Builder statPrefix(String v) {
      statPrefix = v;
      return this;
    }

    public HttpMatch build() {
      return new HttpMatch(
          name,
          uri,
          headers,
          port,
          sourceLabels,
          ignoreUriCase,
          scheme,
          method,
          authority,
          queryParams,
          withoutHeaders,
          sourceNamespace,
          gateways,
          statPrefix);
    }
  }
}
