package io.jpilot.translate;

import java.util.ArrayList;
import java.util.List;

/** A small line diff (longest common subsequence) for golden-file failures. */
final class LineDiff {
  private static final int CONTEXT = 3;

  private LineDiff() {}

  /** Lines only in {@code a} start with "-", only in {@code b} with "+", context with " ". */
  static String diff(String a, String b) {
    String[] x = a.split("\n", -1);
    String[] y = b.split("\n", -1);
    int[][] lcs = new int[x.length + 1][y.length + 1];
    for (int i = x.length - 1; i >= 0; i--) {
      for (int j = y.length - 1; j >= 0; j--) {
        lcs[i][j] =
            x[i].equals(y[j]) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
      }
    }
    List<String> ops = new ArrayList<>();
    int i = 0;
    int j = 0;
    while (i < x.length || j < y.length) {
      if (i < x.length && j < y.length && x[i].equals(y[j])) {
        ops.add("  " + x[i]);
        i++;
        j++;
      } else if (i < x.length && (j == y.length || lcs[i + 1][j] >= lcs[i][j + 1])) {
        ops.add("- " + x[i]);
        i++;
      } else {
        ops.add("+ " + y[j]);
        j++;
      }
    }
    StringBuilder out = new StringBuilder();
    int lastPrinted = -1;
    for (int k = 0; k < ops.size(); k++) {
      if (ops.get(k).startsWith(" ")) {
        continue;
      }
      int from = Math.max(lastPrinted + 1, k - CONTEXT);
      if (lastPrinted >= 0 && from > lastPrinted + 1) {
        out.append("  ...\n");
      }
      int to = k;
      while (to + 1 < ops.size() && (!ops.get(to + 1).startsWith(" ") || nearChange(ops, to + 1))) {
        to++;
      }
      to = Math.min(ops.size() - 1, to + CONTEXT);
      for (int p = from; p <= to; p++) {
        out.append(ops.get(p)).append('\n');
      }
      lastPrinted = to;
      k = to;
    }
    return out.toString();
  }

  private static boolean nearChange(List<String> ops, int k) {
    for (int p = k; p < Math.min(ops.size(), k + 2 * CONTEXT + 1); p++) {
      if (!ops.get(p).startsWith(" ")) {
        return true;
      }
    }
    return false;
  }
}
