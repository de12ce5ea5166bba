package io.jpilot.translate;

import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.jpilot.model.config.HeaderOperations;
import io.jpilot.model.config.Headers;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * istiod's TranslateHeadersOperations: {@code set} becomes OVERWRITE_IF_EXISTS_OR_ADD, {@code add}
 * APPEND_IF_EXISTS_OR_ADD, each group sorted by name, set before add; pseudo-headers and {@code
 * host} are dropped, and a request {@code :authority}/{@code host} value (set winning over add) is
 * returned as the authority to rewrite to.
 */
record RouteHeaderOperations(
    List<HeaderValueOption> requestHeadersToAdd,
    List<String> requestHeadersToRemove,
    List<HeaderValueOption> responseHeadersToAdd,
    List<String> responseHeadersToRemove,
    String authority) {

  RouteHeaderOperations {
    requestHeadersToAdd = List.copyOf(requestHeadersToAdd);
    requestHeadersToRemove = List.copyOf(requestHeadersToRemove);
    responseHeadersToAdd = List.copyOf(responseHeadersToAdd);
    responseHeadersToRemove = List.copyOf(responseHeadersToRemove);
  }

  static RouteHeaderOperations of(Headers headers) {
    HeaderOperations req = headers.request();
    HeaderOperations resp = headers.response();
    List<HeaderValueOption> requestAdd = new ArrayList<>();
    String setAuthority = append(req.set(), false, requestAdd);
    String addAuthority = append(req.add(), true, requestAdd);
    List<HeaderValueOption> responseAdd = new ArrayList<>();
    append(resp.set(), false, responseAdd);
    append(resp.add(), true, responseAdd);
    return new RouteHeaderOperations(
        requestAdd,
        dropInternal(req.remove()),
        responseAdd,
        dropInternal(resp.remove()),
        setAuthority.isEmpty() ? addAuthority : setAuthority);
  }

  /** istiod's translateAppendHeaders; returns the authority value found, or "". */
  private static String append(
      Map<String, String> headers, boolean append, List<HeaderValueOption> out) {
    String authority = "";
    for (Map.Entry<String, String> e : headers.entrySet()) { // sorted by name
      if (isAuthorityHeader(e.getKey())) {
        authority = e.getValue();
      }
      if (isInternalHeader(e.getKey())) {
        continue;
      }
      out.add(
          HeaderValueOption.newBuilder()
              .setHeader(HeaderValue.newBuilder().setKey(e.getKey()).setValue(e.getValue()))
              .setAppendAction(
                  append
                      ? HeaderValueOption.HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD
                      : HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD)
              .build());
    }
    return authority;
  }

  private static List<String> dropInternal(List<String> keys) {
    List<String> out = new ArrayList<>();
    for (String k : keys) {
      if (!isInternalHeader(k)) {
        out.add(k);
      }
    }
    return out;
  }

  static boolean isInternalHeader(String name) {
    return name.startsWith(":") || name.equalsIgnoreCase("host");
  }

  static boolean isAuthorityHeader(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.equals(":authority") || n.equals("host");
  }
}
