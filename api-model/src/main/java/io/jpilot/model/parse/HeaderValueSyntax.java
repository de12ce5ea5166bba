package io.jpilot.model.parse;

import java.util.ArrayList;
import java.util.List;

/**
 * Checks the syntax of an Envoy custom header value: literal text with {@code %VARIABLE%} or {@code
 * %VARIABLE(["arg", ...])%} expressions, where a literal percent sign is written {@code %%}.
 * Returns istiod's error text, or null when the value is well formed.
 */
final class HeaderValueSyntax {
  private HeaderValueSyntax() {}

  private enum State {
    LITERAL,
    VARIABLE_NAME,
    BEFORE_ARGS,
    BEFORE_STRING,
    IN_STRING,
    AFTER_STRING,
    BEFORE_ARGS_CLOSE,
    BEFORE_VARIABLE_CLOSE
  }

  static String check(String value) {
    State state = State.LITERAL;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      boolean last = i == value.length() - 1;
      switch (state) {
        case LITERAL:
          if (c == '%') {
            if (last) {
              return "invalid header configuration. Un-escaped %";
            }
            if (value.charAt(i + 1) == '%') {
              i++; // "%%" is a literal percent sign
            } else {
              state = State.VARIABLE_NAME;
            }
          }
          break;
        case VARIABLE_NAME:
          if (c == '%') {
            state = State.LITERAL;
          } else if (c == '(') {
            state = State.BEFORE_ARGS;
          }
          break;
        case BEFORE_ARGS:
          if (c == '[') {
            state = State.BEFORE_STRING;
          } else if (c != ' ') {
            state = State.IN_STRING;
          }
          break;
        case AFTER_STRING:
          if (c == ',') {
            state = State.BEFORE_STRING;
          } else if (c == ']') {
            state = State.BEFORE_ARGS_CLOSE;
          } else if (c != ' ') {
            return "invalid header configuration. Expecting ',', ']', or whitespace";
          }
          break;
        case BEFORE_STRING:
          if (c == '"') {
            state = State.IN_STRING;
          } else if (c != ' ') {
            return "invalid header configuration. Expecting '\"'";
          }
          break;
        case IN_STRING:
          if (c == '\\') {
            if (last) {
              return "invalid header configuration. Un-terminated backslash in JSON string";
            }
            i++;
          } else if (c == ')') {
            state = State.BEFORE_VARIABLE_CLOSE;
          } else if (c == '"') {
            state = State.AFTER_STRING;
          }
          break;
        case BEFORE_ARGS_CLOSE:
          if (c == ')') {
            state = State.BEFORE_VARIABLE_CLOSE;
          } else if (c != ' ') {
            return "invalid header configuration. Expecting ')' or whitespace after '{}', but found"
                + " '{}'";
          }
          break;
        case BEFORE_VARIABLE_CLOSE:
          if (c == '%') {
            state = State.LITERAL;
          } else if (c != ' ') {
            return "invalid header configuration. Expecting '%' or whitespace after";
          }
          break;
        default:
          throw new AssertionError(state);
      }
    }
    if (state != State.LITERAL) {
      return "invalid header configuration. Un-terminated variable expression '" + value + "'";
    }
    return null;
  }

  /**
   * The names of the {@code %VARIABLE%} expressions in a well-formed value ({@link #check} returned
   * null), in order: {@code "%REQ(x-id)% %HOSTNAME%"} gives {@code [REQ, HOSTNAME]}.
   */
  static List<String> variableNames(String value) {
    List<String> names = new ArrayList<>();
    int i = 0;
    while (i < value.length()) {
      if (value.charAt(i) != '%') {
        i++;
        continue;
      }
      if (i + 1 < value.length() && value.charAt(i + 1) == '%') {
        i += 2;
        continue;
      }
      int start = i + 1;
      int end = start;
      while (end < value.length() && value.charAt(end) != '%' && value.charAt(end) != '(') {
        end++;
      }
      names.add(value.substring(start, end));
      if (end < value.length() && value.charAt(end) == '(') {
        int close = value.indexOf(')', end);
        end = close < 0 ? value.length() : close;
      }
      int pct = value.indexOf('%', end);
      i = pct < 0 ? value.length() : pct + 1;
    }
    return names;
  }
}
