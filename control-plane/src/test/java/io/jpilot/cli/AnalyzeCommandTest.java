package io.jpilot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code jpilot analyze} as a user runs it. */
class AnalyzeCommandTest {
  private static final Path RESOURCES =
      Path.of(
          System.getProperty("jpilot.repoRoot"),
          "control-plane",
          "src",
          "test",
          "resources",
          "analyze");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private record Run(int code, String out, String err) {
    List<String> lines() {
      return out.lines().toList();
    }

    JsonNode json() throws IOException {
      return JSON.readTree(out);
    }
  }

  private static Run runWithStdin(String stdin, String... argv) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
    PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
    int code;
    String[] rest = java.util.Arrays.copyOfRange(argv, 1, argv.length);
    try {
      code =
          argv[0].equals("analyze") && stdin != null
              ? AnalyzeCommand.run(
                  rest, o, e, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)))
              : Main.run(argv, o, e);
    } catch (Args.UsageException ex) {
      throw new AssertionError(ex);
    }
    return new Run(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static Run run(String... argv) {
    return runWithStdin(null, argv);
  }

  private Path write(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text, StandardCharsets.UTF_8);
    return p;
  }

  // ---- the seed document --------------------------------------------------------------------

  /**
   * The Istio practice guide the project started from: every Istio object in its YAML blocks,
   * checked by hand. Its real defects are named, and nothing else is an error.
   */
  @Test
  void seedGuideNamesEachRealDefectAndAcceptsTheRest() throws IOException {
    Path guide = dir.resolve("guide.md");
    Files.copy(RESOURCES.resolve("istio-practice-guide.md"), guide);

    Run r = run("analyze", "-o", "json", guide.toString());

    assertThat(r.code()).as("errors found").isEqualTo(1);
    List<String> findings = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    for (JsonNode d : r.json()) {
      String line = d.get("source").asText().replace(guide.toString(), "");
      String sev = d.get("severity").asText();
      if (sev.equals("INFO")) {
        notes.add(line + " " + d.get("object").asText() + " " + d.get("message").asText());
        continue;
      }
      findings.add(
          String.join(
              " ",
              sev,
              d.has("code") ? d.get("code").asText() : "-",
              d.get("object").asText(),
              line,
              d.get("path").asText()));
    }
    assertThat(findings)
        .containsExactly(
            "WARNING - DestinationRule default/default-mtls :218"
                + " spec.trafficPolicy.outlierDetection.consecutiveErrors",
            "WARNING IST0101 VirtualService production/advanced-routing :247"
                + " spec.http[1].route[0].destination.subset",
            "WARNING IST0101 VirtualService production/advanced-routing :247"
                + " spec.http[2].route[0].destination.subset",
            "WARNING IST0101 VirtualService production/advanced-routing :247"
                + " spec.http[3].route[0].destination.subset",
            "WARNING IST0101 VirtualService production/canary-deployment :349"
                + " spec.http[0].route[0].destination.subset",
            "WARNING IST0101 VirtualService production/canary-deployment :349"
                + " spec.http[1].route[0].destination.subset",
            "WARNING IST0101 VirtualService production/canary-deployment :349"
                + " spec.http[1].route[1].destination.subset",
            "WARNING IST0101 VirtualService production/progressive-canary :378"
                + " spec.http[0].route[0].destination.subset",
            "WARNING IST0101 VirtualService production/progressive-canary :378"
                + " spec.http[0].route[1].destination.subset",
            "ERROR - VirtualService production/circuit-breaker-routing :402"
                + " spec.http[0].circuitBreaker",
            "WARNING - VirtualService istio-system/performance-vs :770"
                + " spec.http[0].corsPolicy.allowOrigin",
            "WARNING - VirtualService debug/debug-routing :866"
                + " spec.http[0].headers.request.add.x-trace-id",
            "WARNING IST0101 VirtualService debug/debug-routing :866"
                + " spec.http[0].route[0].destination.subset",
            "WARNING IST0101 VirtualService debug/debug-routing :866"
                + " spec.http[1].route[0].destination.subset",
            "ERROR - VirtualService production/traffic-mirroring :896"
                + " spec.http[0].match[0].headers.x-env",
            "WARNING IST0101 VirtualService default/hybrid-routing :1056"
                + " spec.http[0].route[0].destination.subset",
            "WARNING IST0101 VirtualService default/hybrid-routing :1056"
                + " spec.http[1].route[0].destination.subset");

    // the defects the guide's readers most need to hear about, in full
    String text = String.join("\n", run("analyze", guide.toString()).lines());
    assertThat(text)
        .contains(
            "ERROR VirtualService production/circuit-breaker-routing ("
                + guide
                + ":402): spec.http[0].circuitBreaker: unknown field \"circuitBreaker\"; circuit"
                + " breaking belongs in a DestinationRule:"
                + " trafficPolicy.connectionPool/outlierDetection")
        .contains(
            "ERROR VirtualService production/traffic-mirroring ("
                + guide
                + ":896): spec.http[0].match[0].headers.x-env: expected a StringMatch object (one"
                + " of exact, prefix, regex), got string \"staging\"; write {exact: \"staging\"}")
        .contains(
            "WARNING DestinationRule default/default-mtls ("
                + guide
                + ":218): spec.trafficPolicy.outlierDetection.consecutiveErrors: consecutiveErrors"
                + " is deprecated; use consecutive5xxErrors")
        .contains(
            "spec.http[1].route[0].destination.subset: Referenced host+subset in destinationrule"
                + " not found: \"api-service.production.svc.cluster.local+us-east\""
                + " (DestinationRule production/api-destination defines v1, v2, canary;"
                + " DestinationRule default/default-mtls (host *.local) defines no subsets)");

    // everything jpilot does not handle gets one note, never an error; the Sidecar, Gateway and
    // ServiceEntries are checked and valid
    assertThat(notes)
        .containsExactly(
            "  hosts of routes and DestinationRules were not checked against the registry: the"
                + " input has no Kubernetes Services (add their manifests to check"
                + " *.svc.cluster.local hosts)",
            ":15  YAML block is not a Kubernetes object (no apiVersion or kind); not checked",
            notHandled(
                72, "IstioOperator istio-system/istio-control-plane", "install.istio.io/v1alpha1"),
            notHandled(182, "PeerAuthentication istio-system/default", "security.istio.io/v1beta1"),
            notHandled(191, "AuthorizationPolicy default/deny-all", "security.istio.io/v1beta1"),
            notHandled(
                203,
                "AuthorizationPolicy default/allow-service-to-service",
                "security.istio.io/v1beta1"),
            notHandled(438, "PeerAuthentication finance/strict-mtls", "security.istio.io/v1beta1"),
            notHandled(
                456, "RequestAuthentication api-gateway/jwt-authn", "security.istio.io/v1beta1"),
            notHandled(
                475,
                "AuthorizationPolicy api-gateway/jwt-authorization",
                "security.istio.io/v1beta1"),
            notHandled(511, "Certificate istio-system/istio-workload-certs", "cert-manager.io/v1"),
            notHandled(528, "IstioOperator default/custom-ca", "install.istio.io/v1alpha1"),
            notHandled(551, "Telemetry istio-system/default", "telemetry.istio.io/v1alpha1"),
            notHandled(
                602, "WasmPlugin istio-system/custom-telemetry", "extensions.istio.io/v1alpha1"),
            notHandled(623, "ServiceMonitor monitoring/istio-metrics", "monitoring.coreos.com/v1"),
            notHandled(642, "ConfigMap istio-system/istio-custom-metrics", "v1"),
            notHandled(
                677, "IstioOperator default/performance-optimized", "install.istio.io/v1alpha1"),
            ":951  YAML block is not a Kubernetes object (no apiVersion or kind); not checked",
            notHandled(989, "IstioOperator default/remote-cluster", "install.istio.io/v1alpha1"),
            ":1085  YAML block is not a Kubernetes object (no apiVersion or kind); not checked");
    assertThat(r.err()).contains("1 file, 29 objects: 2 errors, 15 warnings, 19 notes");
  }

  /** {@code :72 IstioOperator ns/x IstioOperator (install.istio.io/v1alpha1) is not ...}. */
  private static String notHandled(int line, String object, String apiVersion) {
    String kind = object.substring(0, object.indexOf(' '));
    return ":"
        + line
        + " "
        + object
        + " "
        + kind
        + " ("
        + apiVersion
        + ") is not handled by jpilot;"
        + " not checked";
  }

  // ---- Istio's validation cases -------------------------------------------------------------

  private static final Pattern EXPECT = Pattern.compile("^# expect( warning)?: (\\S+) :: (.*)$");
  private static final Pattern NAME = Pattern.compile("^metadata: \\{name: ([^,]+),.*$");

  private record Expected(String severity, String name, String path, String text) {}

  /**
   * Every row of the reference's validation cases is reported with istiod's text and the field
   * path.
   */
  @ParameterizedTest
  @CsvSource({
    "validation-cases.yaml, VirtualService",
    "validation-cases-gateway.yaml, Gateway",
    "validation-cases-serviceentry.yaml, ServiceEntry"
  })
  void everyValidationCaseIsReportedWithIstiosTextAndThePath(String resource, String kind)
      throws IOException {
    String cases = Files.readString(RESOURCES.resolve(resource));
    String input = cases;
    List<Expected> expected = new ArrayList<>();
    if (kind.equals("VirtualService")) {
      input +=
          "# row 40\napiVersion: networking.istio.io/v1\nkind: VirtualService\n"
              + "metadata: {name: row-40, namespace: ns1}\n"
              + "spec: {hosts: [r], http: [{directResponse: {status: 200, body: {string: \""
              + "x".repeat(1100 * 1024)
              + "\"}}}]}\n";
      expected.add(
          new Expected(
              "ERROR",
              "row-40",
              "spec.http[0].directResponse.body",
              "large direct_responses may impact control plane performance, must be less than"
                  + " 1MB"));
    }
    Path file = write(resource, input);
    List<String[]> pending = new ArrayList<>();
    for (String line : cases.split("\n")) {
      Matcher e = EXPECT.matcher(line);
      Matcher n = NAME.matcher(line);
      if (e.matches()) {
        pending.add(
            new String[] {e.group(1) == null ? "ERROR" : "WARNING", e.group(2), e.group(3)});
      } else if (n.matches()) {
        for (String[] p : pending) {
          expected.add(new Expected(p[0], n.group(1), p[1], p[2]));
        }
        pending.clear();
      }
    }
    assertThat(expected).hasSizeGreaterThan(10);

    Run r = run("analyze", "-o", "json", file.toString());

    assertThat(r.code()).isEqualTo(1);
    JsonNode found = r.json();
    for (Expected x : expected) {
      assertThat(found)
          .as("%s %s: %s: %s", x.severity(), x.name(), x.path(), x.text())
          .anySatisfy(
              d -> {
                assertThat(d.get("severity").asText()).isEqualTo(x.severity());
                assertThat(d.get("object").asText())
                    .isEqualTo(kindOf(x.name()) + " ns1/" + x.name());
                assertThat(d.get("path").asText()).isEqualTo(x.path());
                assertThat(d.get("message").asText()).contains(x.text());
              });
    }
    // and in text form: one line per finding, with the field path
    if (kind.equals("VirtualService")) {
      assertThat(run("analyze", file.toString()).lines())
          .contains(
              "ERROR VirtualService ns1/row-10 ("
                  + file
                  + "): spec.http[0].route[0].weight: weight -1 < 0");
    }
  }

  /** The VirtualService rows are numbered below 43; DestinationRules from 43 on. */
  private static String kindOf(String name) {
    String digits = name.substring("row-".length()).replaceAll("[^0-9]", "");
    int row = Integer.parseInt(digits);
    if (row < 43) {
      return "VirtualService";
    }
    if (row < 64) {
      return "DestinationRule";
    }
    return row < 82 ? "Gateway" : "ServiceEntry";
  }

  // ---- inputs, formats, exit codes ----------------------------------------------------------

  @Test
  void cleanConfigExitsZeroAndPrintsNothing() {
    String bookinfo =
        Path.of(System.getProperty("jpilot.repoRoot"), "examples", "bookinfo").toString();
    Run r = run("analyze", bookinfo);
    assertThat(r.code()).isZero();
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("0 errors, 0 warnings, 0 notes");
  }

  @Test
  void warningsAloneExitZero() {
    Run r =
        runWithStdin(
            "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: r}\n"
                + "spec: {hosts: [r], http: [{route: [{destination: {host: r, subset: v1}}]}]}\n",
            "analyze",
            "-");
    assertThat(r.code()).isZero();
    assertThat(r.lines())
        .contains(
            "WARNING [IST0101] VirtualService default/r (<stdin>):"
                + " spec.http[0].route[0].destination.subset: Referenced host+subset in"
                + " destinationrule not found: \"r.default.svc.cluster.local+v1\" (no"
                + " DestinationRule applies to r.default.svc.cluster.local); requests routed to"
                + " it fail with 503 because the subset's cluster does not exist");
  }

  @Test
  void directoriesAreReadRecursivelyAndAnalyzedTogether() throws IOException {
    write(
        "a/vs.yaml",
        "apiVersion: networking.istio.io/v1\nkind: VirtualService\n"
            + "metadata: {name: reviews, namespace: default}\n"
            + "spec:\n  hosts: [reviews]\n  gateways: [istio-system/ingress, mesh]\n"
            + "  http:\n  - route: [{destination: {host: reviews, subset: v2}}]\n");
    write(
        "b/dr.json",
        "{\"apiVersion\": \"networking.istio.io/v1\", \"kind\": \"DestinationRule\",\"metadata\":"
            + " {\"name\": \"reviews\"}, \"spec\": {\"host\": \"reviews\", \"subsets\": [{\"name\":"
            + " \"v2\", \"labels\": {\"version\": \"v2\"}}]}}");
    write("c/svc.yml", "apiVersion: v1\nkind: Service\nmetadata: {name: reviews}\nspec: {}\n");
    write(
        "d/notes.md",
        "# Gateway\n\n"
            + "```yaml\n"
            + "apiVersion: networking.istio.io/v1\n"
            + "kind: Gateway\n"
            + "metadata: {name: ingress, namespace: istio-system}\n"
            + "spec: {servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts:"
            + " [\"*\"]}]}\n"
            + "```\n");
    write(".hidden/bad.yaml", "not: [valid\n");
    write("e/readme.txt", "kind: [\n");
    // the same object again, in a later file
    write(
        "f/again.yaml",
        "apiVersion: v1\nkind: Service\nmetadata: {name: reviews}\nspec: {clusterIP: None}\n");

    Run r = run("analyze", dir.toString());

    assertThat(r.code()).isZero();
    List<String> lines = r.lines();
    assertThat(lines)
        .noneMatch(l -> l.contains("IST0101"))
        .anySatisfy(
            l ->
                assertThat(l)
                    .isEqualTo(
                        "WARNING Service default/reviews ("
                            + dir.resolve("f/again.yaml")
                            + "): also defined in "
                            + dir.resolve("c/svc.yml")
                            + ", which is used (the first one read wins)"));
    assertThat(r.err()).contains("5 files, 5 objects");

    // without the markdown file's Gateway, the VirtualService names one that does not exist
    Files.delete(dir.resolve("d/notes.md"));
    assertThat(run("analyze", dir.toString()).lines())
        .anySatisfy(
            l ->
                assertThat(l)
                    .contains(
                        "spec.gateways[0]: Referenced gateway not found:"
                            + " \"istio-system/ingress\""));
  }

  @Test
  void markdownBlocksAreNamedByTheirLineAndProseIsNotAnError() throws IOException {
    Path md =
        write(
            "doc.md",
            String.join(
                "\n",
                "# Routing", // 1
                "",
                "```yaml", // 3
                "apiVersion: networking.istio.io/v1", // 4
                "kind: VirtualService",
                "metadata: {name: a}",
                "spec:",
                "  hosts: [a]",
                "  http:",
                "  - route: [{destination: {host: a}}]",
                "    circuitBreaker: {}", // 11
                "---",
                "# a comment",
                "apiVersion: v1", // 14
                "kind: Namespace",
                "metadata: {name: x}",
                "```",
                "```json",
                "{\"kind\": [}",
                "```",
                "1. a list item with a block:",
                "   ```yml", // 22
                "   apiVersion: v1", // 23
                "   kind: Namespace",
                "   metadata:",
                "     name: [bad", // 26
                "   ```",
                "```yaml",
                "steps: {a: b: c}", // 29
                "```",
                "```bash",
                "kubectl apply -f x.yaml",
                "```",
                ""));

    Run r = run("analyze", md.toString());

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.lines())
        .containsExactly(
            "ERROR VirtualService default/a ("
                + md
                + ":4): spec.http[0].circuitBreaker: unknown field \"circuitBreaker\"; circuit"
                + " breaking belongs in a DestinationRule:"
                + " trafficPolicy.connectionPool/outlierDetection",
            "ERROR ("
                + md
                + ":23): line 27, column 1: expected ',' or ']', but got <stream end> (while"
                + " parsing a flow sequence started at line 26, column 12)",
            "INFO ("
                + md
                + ":29): YAML block is not well-formed YAML and holds no Kubernetes object; not"
                + " checked");
  }

  @Test
  void jsonOutputIsAnArrayOfDiagnostics() throws IOException {
    Path f =
        write(
            "x.yaml",
            "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: d}\n"
                + "spec: {host: d, trafficPolicy: {loadBalancer: {simple: FOO}}}\n---\n"
                + "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n");

    Run r = run("analyze", f.toString(), "-o", "json");

    assertThat(r.code()).isEqualTo(1);
    JsonNode a = r.json();
    assertThat(a.isArray()).isTrue();
    assertThat(a).hasSize(2);
    assertThat(a.get(0).get("severity").asText()).isEqualTo("ERROR");
    assertThat(a.get(0).has("code")).isFalse();
    assertThat(a.get(0).get("object").asText()).isEqualTo("DestinationRule default/d");
    assertThat(a.get(0).get("source").asText()).isEqualTo(f.toString());
    assertThat(a.get(0).get("path").asText()).isEqualTo("spec.trafficPolicy.loadBalancer.simple");
    assertThat(a.get(0).get("message").asText()).startsWith("unknown value \"FOO\" for SimpleLB");
    assertThat(a.get(1).get("severity").asText()).isEqualTo("INFO");
    assertThat(a.get(1).get("message").asText())
        .isEqualTo("Deployment (apps/v1) is not handled by jpilot; not checked");
  }

  @Test
  void usageErrorsExitTwo() {
    assertThat(run("analyze").code()).isEqualTo(2);
    assertThat(run("analyze", "-o", "yaml", dir.toString()).code()).isEqualTo(2);
    Run missing = run("analyze", dir.resolve("nope.yaml").toString());
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err()).contains("nope.yaml: no such file or directory");
  }

  @Test
  void malformedYamlFileIsAnError() throws IOException {
    Path f =
        write("bad.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n  y: a: b\n");
    Run r = run("analyze", f.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.lines())
        .containsExactly(
            "ERROR (" + f + "): line 5, column 7: mapping values are not allowed here");
  }
}
