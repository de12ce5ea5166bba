package io.jpilot.model;

/** istiod's host.Name rules for possibly wildcarded hostnames ({@code *} or {@code *.suffix}). */
public final class Hosts {
  private Hosts() {}

  public static boolean isWildcard(String host) {
    return !host.isEmpty() && host.charAt(0) == '*';
  }

  /**
   * True when the names overlap: equal, or one wildcard covers the other (either way). {@code
   * *.foo.com} does not match {@code foo.com}.
   */
  public static boolean matches(String a, String b) {
    boolean aw = isWildcard(a);
    boolean bw = isWildcard(b);
    if (aw) {
      if (bw) {
        return a.length() < b.length()
            ? b.substring(1).endsWith(a.substring(1))
            : a.substring(1).endsWith(b.substring(1));
      }
      return b.endsWith(a.substring(1));
    }
    if (bw) {
      return a.endsWith(b.substring(1));
    }
    return a.equals(b);
  }

  /** True when {@code a} is covered by {@code b} (one direction of {@link #matches}). */
  public static boolean subsetOf(String a, String b) {
    boolean aw = isWildcard(a);
    boolean bw = isWildcard(b);
    if (aw) {
      if (bw) {
        return a.length() >= b.length() && a.substring(1).endsWith(b.substring(1));
      }
      return false;
    }
    if (bw) {
      return a.endsWith(b.substring(1));
    }
    return a.equals(b);
  }

  /**
   * istiod's MoreSpecific: an exact name beats a wildcard; between two of a kind the longer one
   * wins (ties broken by name, for determinism).
   */
  public static boolean moreSpecific(String a, String b) {
    boolean aw = isWildcard(a);
    boolean bw = isWildcard(b);
    if (aw != bw) {
      return !aw;
    }
    if (a.length() != b.length()) {
      return a.length() > b.length();
    }
    return a.compareTo(b) < 0;
  }
}
