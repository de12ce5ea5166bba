package io.jpilot.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Command-line arguments: positionals plus {@code --name value} / {@code --name=value} / {@code -o
 * value} options. Options may repeat. Unknown options are errors naming the option.
 */
final class Args {
  private final List<String> positionals = new ArrayList<>();
  private final Map<String, List<String>> options = new LinkedHashMap<>();

  private Args() {}

  /**
   * @param valued option names (without dashes) that take a value
   * @param flags option names that take no value
   */
  static Args parse(String[] argv, Set<String> valued, Set<String> flags) {
    Args a = new Args();
    for (int i = 0; i < argv.length; i++) {
      String arg = argv[i];
      if (arg.startsWith("-") && arg.length() > 1) {
        String name = arg.startsWith("--") ? arg.substring(2) : arg.substring(1);
        String value = null;
        int eq = name.indexOf('=');
        if (eq >= 0) {
          value = name.substring(eq + 1);
          name = name.substring(0, eq);
        }
        if (flags.contains(name)) {
          if (value != null) {
            throw new UsageException("option --" + name + " takes no value");
          }
          a.options.computeIfAbsent(name, k -> new ArrayList<>()).add("true");
        } else if (valued.contains(name)) {
          if (value == null) {
            if (i + 1 >= argv.length) {
              throw new UsageException("option --" + name + " needs a value");
            }
            value = argv[++i];
          }
          a.options.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        } else {
          throw new UsageException("unknown option " + arg);
        }
      } else {
        a.positionals.add(arg);
      }
    }
    return a;
  }

  List<String> positionals() {
    return positionals;
  }

  boolean has(String name) {
    return options.containsKey(name);
  }

  String get(String name, String defaultValue) {
    List<String> v = options.get(name);
    return v == null ? defaultValue : v.get(v.size() - 1);
  }

  List<String> all(String name) {
    return options.getOrDefault(name, List.of());
  }

  int getInt(String name, int defaultValue) {
    String v = get(name, null);
    if (v == null) {
      return defaultValue;
    }
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new UsageException("option --" + name + ": " + v + " (expected: an integer)");
    }
  }

  /** A command-line mistake: printed with the usage text, exit code 2. */
  static final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }
}
