package io.jpilot.model.parse;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Name rules shared by the validators: DNS-1123 labels and domains (with Istio's wildcard rules),
 * label keys and values, IP addresses and CIDR blocks. Each {@code validate…} method returns an
 * error text in istiod's words, or null when the value is fine.
 */
final class Names {
  private static final String DNS1123_LABEL = "[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?";
  private static final Pattern DNS1123_LABEL_RE = Pattern.compile(DNS1123_LABEL);
  private static final Pattern WILDCARD_LABEL_RE =
      Pattern.compile("\\*|(?:\\*|\\*-)?" + DNS1123_LABEL);
  private static final String QUALIFIED_NAME = "(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
  private static final Pattern TAG_KEY_RE =
      Pattern.compile(
          "(" + DNS1123_LABEL + "(?:\\." + DNS1123_LABEL + ")*/)?(" + QUALIFIED_NAME + ")");
  private static final Pattern LABEL_VALUE_RE = Pattern.compile("(?:" + QUALIFIED_NAME + ")?");
  private static final Pattern K8S_SUBDOMAIN =
      Pattern.compile("[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*");
  private static final Pattern K8S_LABEL = Pattern.compile("[a-z0-9](?:[-a-z0-9]*[a-z0-9])?");
  private static final Pattern IPV4_PART = Pattern.compile("0|[1-9][0-9]{0,2}");

  private Names() {}

  static boolean isDns1123Label(String value) {
    return value.length() <= 63 && DNS1123_LABEL_RE.matcher(value).matches();
  }

  static boolean isWildcardDns1123Label(String value) {
    return value.length() <= 63 && WILDCARD_LABEL_RE.matcher(value).matches();
  }

  private static String checkDnsPreconditions(String name) {
    if (name.length() > 255) {
      return "domain name \"" + name + "\" too long (max 255)";
    }
    if (name.isEmpty()) {
      return "empty domain name not allowed";
    }
    return null;
  }

  static String validateDns1123Labels(String domain) {
    String[] parts = domain.split("\\.", -1);
    String top = parts[parts.length - 1];
    if (!top.isEmpty() && top.chars().allMatch(c -> c >= '0' && c <= '9') && top.length() < 19) {
      return "domain name \""
          + domain
          + "\" invalid (top level domain \""
          + top
          + "\" cannot be all-numeric)";
    }
    for (int i = 0; i < parts.length; i++) {
      if (i == parts.length - 1 && parts[i].isEmpty()) {
        return null;
      }
      if (!isDns1123Label(parts[i])) {
        return "domain name \"" + domain + "\" invalid (label \"" + parts[i] + "\" invalid)";
      }
    }
    return null;
  }

  static String validateFqdn(String fqdn) {
    String err = checkDnsPreconditions(fqdn);
    return err != null ? err : validateDns1123Labels(fqdn);
  }

  /** A host that may start with a wildcard label, e.g. {@code *.example.com}. */
  static String validateWildcardDomain(String domain) {
    String err = checkDnsPreconditions(domain);
    if (err != null) {
      return err;
    }
    int dot = domain.indexOf('.');
    String first = dot < 0 ? domain : domain.substring(0, dot);
    if (!isWildcardDns1123Label(first)) {
      return "domain name \"" + domain + "\" invalid (label \"" + first + "\" invalid)";
    }
    return dot < 0 ? null : validateDns1123Labels(domain.substring(dot + 1));
  }

  /** Label keys and values of selectors and subsets, with istiod's texts. */
  static String validateLabels(Map<String, String> labels) {
    StringBuilder errs = new StringBuilder();
    labels.forEach(
        (k, v) -> {
          String e = validateTagKey(k);
          if (e != null) {
            append(errs, e);
          }
          if (!LABEL_VALUE_RE.matcher(v).matches()) {
            append(errs, "invalid tag value: \"" + v + "\"");
          }
        });
    return errs.length() == 0 ? null : errs.toString();
  }

  private static void append(StringBuilder sb, String e) {
    if (sb.length() > 0) {
      sb.append("; ");
    }
    sb.append(e);
  }

  private static String validateTagKey(String k) {
    var m = TAG_KEY_RE.matcher(k);
    if (!m.matches()) {
      return "invalid tag key: \"" + k + "\"";
    }
    if (m.group(1) != null && m.group(1).length() - 1 > 253) {
      return "invalid tag key: \"" + k + "\" (DNS prefix is too long)";
    }
    if (m.group(2).length() > 63) {
      return "invalid tag key: \"" + k + "\" (name is too long)";
    }
    return null;
  }

  /** Kubernetes object names: a lowercase RFC 1123 subdomain. */
  static String validateObjectName(String name) {
    if (name.length() > 253 || !K8S_SUBDOMAIN.matcher(name).matches()) {
      return "invalid name \""
          + name
          + "\": a lowercase RFC 1123 subdomain must consist of lower"
          + " case alphanumeric characters, '-' or '.', and must start and end with an"
          + " alphanumeric character";
    }
    return null;
  }

  /** Kubernetes namespace names: a lowercase RFC 1123 label. */
  static String validateNamespaceName(String name) {
    if (name.length() > 63 || !K8S_LABEL.matcher(name).matches()) {
      return "invalid namespace \""
          + name
          + "\": a lowercase RFC 1123 label must consist of lower"
          + " case alphanumeric characters or '-', and must start and end with an alphanumeric"
          + " character";
    }
    return null;
  }

  static boolean isIpAddress(String s) {
    return isIpv4(s) || isIpv6(s);
  }

  static boolean isIpv4(String s) {
    String[] parts = s.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String p : parts) {
      if (!IPV4_PART.matcher(p).matches() || Integer.parseInt(p) > 255) {
        return false;
      }
    }
    return true;
  }

  static boolean isIpv6(String s) {
    if (!s.contains(":") || s.contains("/") || s.contains("%")) {
      return false;
    }
    for (char c : s.toCharArray()) {
      boolean ok =
          (c >= '0' && c <= '9')
              || (c >= 'a' && c <= 'f')
              || (c >= 'A' && c <= 'F')
              || c == ':'
              || c == '.';
      if (!ok) {
        return false;
      }
    }
    try {
      // A literal containing ':' is parsed, never looked up.
      return InetAddress.getByName("[" + s + "]").getAddress().length == 16;
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** istiod's ValidateIPSubnet: a CIDR block or a single address. */
  static String validateIpSubnet(String subnet) {
    int slash = subnet.indexOf('/');
    if (slash >= 0 && slash == subnet.lastIndexOf('/')) {
      String addr = subnet.substring(0, slash);
      String bits = subnet.substring(slash + 1);
      int max = isIpv4(addr) ? 32 : isIpv6(addr) ? 128 : -1;
      if (max < 0 || !bits.matches("0|[1-9][0-9]{0,2}") || Integer.parseInt(bits) > max) {
        return subnet + " is not a valid CIDR block";
      }
      return null;
    }
    return isIpAddress(subnet) ? null : subnet + " is not a valid IP";
  }
}
