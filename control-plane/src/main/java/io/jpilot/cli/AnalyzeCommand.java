package io.jpilot.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jpilot.cli.Args.UsageException;
import io.jpilot.model.Diagnostic;
import io.jpilot.model.Diagnostic.Severity;
import io.jpilot.model.MeshSnapshot;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.Set;

/**
 * {@code jpilot analyze PATH...}: checks config files without a server, like {@code istioctl
 * analyze}. Prints one line per finding (or a JSON array with {@code -o json}); exit code 0 when
 * there is no ERROR, 1 when there is.
 */
final class AnalyzeCommand {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private AnalyzeCommand() {}

  static int run(String[] argv, PrintStream out, PrintStream err) {
    return run(argv, out, err, System.in);
  }

  static int run(String[] argv, PrintStream out, PrintStream err, InputStream stdin) {
    Args args = Args.parse(argv, Set.of("o", "output", "domain-suffix"), Set.of());
    if (args.positionals().isEmpty()) {
      throw new UsageException("analyze needs at least one file or directory (or - for stdin)");
    }
    String format = args.get("o", args.get("output", "text"));
    if (!format.equals("text") && !format.equals("json")) {
      throw new UsageException("-o " + format + " (expected: text or json)");
    }
    InputAnalysis.Result result =
        InputAnalysis.run(
            args.positionals(),
            args.get("domain-suffix", MeshSnapshot.DEFAULT_DOMAIN_SUFFIX),
            stdin);
    if (format.equals("json")) {
      out.println(toJson(result));
    } else {
      for (Diagnostic d : result.diagnostics()) {
        out.println(d);
      }
    }
    long errors = result.count(Severity.ERROR);
    err.println(
        "jpilot analyze: "
            + plural(result.files(), "file")
            + ", "
            + plural(result.objects(), "object")
            + ": "
            + plural(errors, "error")
            + ", "
            + plural(result.count(Severity.WARNING), "warning")
            + ", "
            + plural(result.count(Severity.INFO), "note"));
    return errors > 0 ? 1 : 0;
  }

  /** {@code [{severity, code?, object, source, path, message}, ...]}. */
  static String toJson(InputAnalysis.Result result) {
    ArrayNode array = JSON.createArrayNode();
    for (Diagnostic d : result.diagnostics()) {
      ObjectNode o = array.addObject();
      o.put("severity", d.severity().name());
      if (!d.code().isEmpty()) {
        o.put("code", d.code());
      }
      o.put("object", d.object());
      o.put("source", d.source());
      o.put("path", d.path());
      o.put("message", d.message());
    }
    try {
      return JSON.writeValueAsString(array);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String plural(long n, String word) {
    return n + " " + word + (n == 1 ? "" : "s");
  }
}
