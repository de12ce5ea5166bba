package io.jpilot.model.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import io.jpilot.model.Diagnostic;
import io.jpilot.model.Diagnostic.Severity;
import io.jpilot.model.MeshObject;
import io.jpilot.model.config.ConfigKey;
import io.jpilot.model.parse.ConfigFileParser;
import io.jpilot.model.parse.ParsedFile;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConfigAnalyzerTest {
  private static final String SUFFIX = "cluster.local";

  static List<MeshObject> objects(String yaml) {
    ParsedFile f = ConfigFileParser.parse("mesh.yaml", yaml, SUFFIX);
    assertThat(f.diagnostics())
        .as("test input is valid")
        .noneMatch(d -> d.severity() == Severity.ERROR);
    return f.objects();
  }

  static String vs(String ns, String name, String created, String spec) {
    return "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: "
        + name
        + ", namespace: "
        + ns
        + (created.isEmpty() ? "" : ", creationTimestamp: \"" + created + "\"")
        + "}\nspec: "
        + spec
        + "\n---\n";
  }

  static String dr(String ns, String name, String spec) {
    return "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: "
        + name
        + ", namespace: "
        + ns
        + "}\nspec: "
        + spec
        + "\n---\n";
  }

  static String service(String ns, String name) {
    return "apiVersion: v1\nkind: Service\nmetadata: {name: "
        + name
        + ", namespace: "
        + ns
        + "}\nspec: {ports: [{name: http, port: 9080}]}\n---\n";
  }

  private static List<String> lines(List<Diagnostic> ds) {
    return ds.stream().map(Diagnostic::toString).toList();
  }

  /** Without the INFO notes about checks that could not run. */
  private static List<Diagnostic> warnings(List<Diagnostic> ds) {
    return ds.stream().filter(d -> d.severity() != Severity.INFO).toList();
  }

  @Test
  void subsetThatNoDestinationRuleDefines() {
    List<MeshObject> objects =
        objects(
            vs(
                    "default",
                    "reviews",
                    "",
                    "{hosts: [reviews], http: [{route: [{destination: {host: reviews, subset: v1},"
                        + " weight: 50}, {destination: {host: reviews, subset: v9}, weight: 50}]},"
                        + " {route: [{destination: {host: ratings, subset: v1}}]}]}")
                + dr(
                    "default",
                    "reviews",
                    "{host: reviews, subsets: [{name: v1, labels: {v: a}},"
                        + " {name: v2, labels: {v: b}}]}")
                + service("default", "reviews")
                + service("default", "ratings"));

    assertThat(lines(ConfigAnalyzer.analyze(objects, SUFFIX)))
        .containsExactly(
            "WARNING [IST0101] VirtualService default/reviews (mesh.yaml):"
                + " spec.http[0].route[1].destination.subset: Referenced host+subset in"
                + " destinationrule not found: \"reviews.default.svc.cluster.local+v9\""
                + " (DestinationRule default/reviews defines v1, v2); requests routed to it fail"
                + " with 503 because the subset's cluster does not exist",
            "WARNING [IST0101] VirtualService default/reviews (mesh.yaml):"
                + " spec.http[1].route[0].destination.subset: Referenced host+subset in"
                + " destinationrule not found: \"ratings.default.svc.cluster.local+v1\" (no"
                + " DestinationRule applies to ratings.default.svc.cluster.local); requests routed"
                + " to it fail with 503 because the subset's cluster does not exist");
  }

  @Test
  void subsetsComeFromTheMostSpecificDestinationRule() {
    String route =
        "{hosts: [a.example.com], http: [{route: [{destination: {host: a.example.com, subset:"
            + " v1}}]}]}";
    // only the wildcard rule applies, and it defines v1
    assertThat(
            warnings(
                ConfigAnalyzer.analyze(
                    objects(
                        vs("default", "a", "", route)
                            + dr(
                                "default",
                                "all",
                                "{host: \"*.example.com\", subsets: [{name: v1}]}")),
                    SUFFIX)))
        .isEmpty();
    // an exact rule hides the wildcard one
    assertThat(
            warnings(
                ConfigAnalyzer.analyze(
                    objects(
                        vs("default", "a", "", route)
                            + dr(
                                "default",
                                "all",
                                "{host: \"*.example.com\", subsets: [{name: v1}]}")
                            + dr(
                                "default",
                                "exact",
                                "{host: a.example.com, subsets: [{name: v2}]}")),
                    SUFFIX)))
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.path()).isEqualTo("spec.http[0].route[0].destination.subset");
              assertThat(d.message()).contains("(DestinationRule default/exact defines v2)");
            });
    // which namespace's rule a proxy gets depends on the proxy: any namespace may define it
    assertThat(
            warnings(
                ConfigAnalyzer.analyze(
                    objects(
                        vs("default", "a", "", route)
                            + dr("other", "all", "{host: \"*.example.com\", subsets: [{name: v1}]}")
                            + dr(
                                "default",
                                "exact",
                                "{host: a.example.com, subsets: [{name: v2}]}")),
                    SUFFIX)))
        .isEmpty();
    // a wildcard rule is named with its host
    assertThat(
            warnings(
                ConfigAnalyzer.analyze(
                    objects(
                        vs("default", "a", "", route.replace("v1", "v3"))
                            + dr(
                                "other",
                                "all",
                                "{host: \"*.example.com\", subsets: [{name: v1}]}")),
                    SUFFIX)))
        .singleElement()
        .extracting(Diagnostic::message)
        .asString()
        .contains("(DestinationRule other/all (host *.example.com) defines v1)");
  }

  @Test
  void hostWithoutServiceIsReportedOnlyWhenTheInputHasTheRegistry() {
    String config =
        vs(
                "default",
                "r",
                "",
                "{hosts: [reviews], http: [{route: [{destination: {host: reviews}, weight: 50},"
                    + " {destination: {host: revews}, weight: 25}, {destination: {host:"
                    + " httpbin.org}, weight: 25}]}]}")
            + dr("default", "d", "{host: revews.default.svc.cluster.local}");

    // Istio config alone: nothing to check hosts against, said once
    assertThat(lines(ConfigAnalyzer.analyze(objects(config), SUFFIX)))
        .containsExactly(
            "INFO: hosts of routes and DestinationRules were not checked against the registry: the"
                + " input has no Services or ServiceEntries");

    List<Diagnostic> found =
        ConfigAnalyzer.analyze(objects(config + service("default", "reviews")), SUFFIX);
    assertThat(found)
        .extracting(Diagnostic::object, Diagnostic::path, Diagnostic::code)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "VirtualService default/r", "spec.http[0].route[1].destination.host", "IST0101"),
            org.assertj.core.groups.Tuple.tuple(
                "VirtualService default/r", "spec.http[0].route[2].destination.host", "IST0101"),
            org.assertj.core.groups.Tuple.tuple(
                "DestinationRule default/d", "spec.host", "IST0101"));
    assertThat(found.get(0).message())
        .isEqualTo(
            "Referenced host not found: \"revews.default.svc.cluster.local\"; no Service or"
                + " ServiceEntry defines it, so requests routed to it fail");
    assertThat(found.get(1).message()).contains("\"httpbin.org\"");
    assertThat(found.get(2).message()).endsWith("so this DestinationRule applies to nothing");
  }

  @Test
  void serviceEntryHostsAreInTheRegistry() {
    String config =
        vs(
                "default",
                "r",
                "",
                "{hosts: [r], http: [{route: [{destination: {host: httpbin.org}, weight: 50},"
                    + " {destination: {host: api.example.com}, weight: 50}]}]}")
            + "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: ext}\n"
            + "spec: {hosts: [\"*.example.com\"], ports: [{number: 443, name: https, protocol:"
            + " TLS}], resolution: NONE, location: MESH_EXTERNAL}\n---\n";

    // a ServiceEntry alone is a registry for hosts outside the cluster; its wildcard host counts
    assertThat(warnings(ConfigAnalyzer.analyze(objects(config), SUFFIX)))
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.path()).isEqualTo("spec.http[0].route[0].destination.host");
              assertThat(d.message()).startsWith("Referenced host not found: \"httpbin.org\"");
            });
  }

  @Test
  void gatewayThatDoesNotExist() {
    String config =
        vs(
            "shop",
            "front",
            "",
            "{hosts: [shop.example.com], gateways: [mesh, front-gw, istio-system/ingress,"
                + " edge.istio-system.svc.cluster.local], http: [{route: [{destination: {host:"
                + " front}}]}]}");
    ConfigKey frontGw = new ConfigKey("Gateway", "shop", "front-gw");
    ConfigKey edge = new ConfigKey("Gateway", "istio-system", "edge");

    // a complete input: every Gateway it has is known, modelled or not
    assertThat(warnings(ConfigAnalyzer.analyze(objects(config), Set.of(frontGw, edge), SUFFIX)))
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.severity()).isEqualTo(Severity.WARNING);
              assertThat(d.code()).isEqualTo(ConfigAnalyzer.REFERENCE_NOT_FOUND);
              assertThat(d.path()).isEqualTo("spec.gateways[2]");
              assertThat(d.message())
                  .isEqualTo(
                      "Referenced gateway not found: \"istio-system/ingress\"; this"
                          + " VirtualService is not applied to it");
            });
    assertThat(
            warnings(
                ConfigAnalyzer.analyze(
                    objects(config),
                    Set.of(frontGw, edge, new ConfigKey("Gateway", "istio-system", "ingress")),
                    SUFFIX)))
        .isEmpty();

    // served config: every Gateway jpilot serves is an object
    List<Diagnostic> served = warnings(ConfigAnalyzer.analyze(objects(config), SUFFIX));
    assertThat(served)
        .extracting(Diagnostic::path)
        .containsExactly("spec.gateways[1]", "spec.gateways[2]", "spec.gateways[3]");
  }

  @Test
  void gatewayNameForms() {
    assertThat(VirtualServiceAnalyzer.gatewayKey("gw", "ns"))
        .isEqualTo(new ConfigKey("Gateway", "ns", "gw"));
    assertThat(VirtualServiceAnalyzer.gatewayKey("other/gw", "ns"))
        .isEqualTo(new ConfigKey("Gateway", "other", "gw"));
    assertThat(VirtualServiceAnalyzer.gatewayKey("gw.other.svc.cluster.local", "ns"))
        .isEqualTo(new ConfigKey("Gateway", "other", "gw"));
    assertThat(VirtualServiceAnalyzer.gatewayKey("gw.other", "ns"))
        .isEqualTo(new ConfigKey("Gateway", "other", "gw"));
    assertThat(VirtualServiceAnalyzer.gatewayKey("./gw", "ns"))
        .isEqualTo(new ConfigKey("Gateway", "ns", "gw"));
  }

  @Test
  void newerVirtualServiceForTheSameHostIsShadowed() {
    String route = ", http: [{route: [{destination: {host: reviews}}]}]}";
    List<MeshObject> objects =
        objects(
            vs("default", "b-old", "2024-01-01T00:00:00Z", "{hosts: [reviews]" + route)
                + vs(
                    "default",
                    "a-new",
                    "2024-06-01T00:00:00Z",
                    "{hosts: [ratings, reviews.default.svc.cluster.local]" + route)
                // bound to a gateway only: not the mesh's
                + vs(
                    "default",
                    "c-gateway",
                    "2024-07-01T00:00:00Z",
                    "{hosts: [reviews], gateways: [gw]" + route)
                // exported to a namespace the old one is not visible in... but it is public
                + vs(
                    "other",
                    "d-other",
                    "2024-08-01T00:00:00Z",
                    "{hosts: [reviews.default.svc.cluster.local], exportTo: [\".\"]" + route));

    List<Diagnostic> conflicts =
        ConfigAnalyzer.analyze(objects, SUFFIX).stream()
            .filter(d -> d.code().equals(ConfigAnalyzer.CONFLICTING_MESH_HOSTS))
            .toList();
    assertThat(lines(conflicts))
        .containsExactly(
            "WARNING [IST0109] VirtualService default/a-new (mesh.yaml): spec.hosts[1]:"
                + " VirtualService default/b-old also defines host"
                + " \"reviews.default.svc.cluster.local\" for the mesh gateway; sidecars use only"
                + " the oldest VirtualService for a host, so the routes of this one for it are"
                + " ignored (merge the two into one VirtualService)",
            "WARNING [IST0109] VirtualService other/d-other (mesh.yaml): spec.hosts[0]:"
                + " VirtualService default/b-old also defines host"
                + " \"reviews.default.svc.cluster.local\" for the mesh gateway; sidecars use only"
                + " the oldest VirtualService for a host, so the routes of this one for it are"
                + " ignored (merge the two into one VirtualService)");
  }

  @Test
  void virtualServicesSeenByDisjointNamespacesDoNotConflict() {
    String route = ", http: [{route: [{destination: {host: reviews.default.svc.cluster.local}}]}]}";
    List<MeshObject> objects =
        objects(
            vs(
                    "a",
                    "one",
                    "2024-01-01T00:00:00Z",
                    "{hosts: [reviews.default.svc.cluster.local], exportTo: [\".\"]" + route)
                + vs(
                    "b",
                    "two",
                    "2024-02-01T00:00:00Z",
                    "{hosts: [reviews.default.svc.cluster.local], exportTo: [\".\", c]" + route));
    assertThat(warnings(ConfigAnalyzer.analyze(objects, SUFFIX))).isEmpty();
  }

  @Test
  void mirrorsAndDelegatesAreReferencesToo() {
    List<MeshObject> objects =
        objects(
            vs(
                    "default",
                    "root",
                    "",
                    "{hosts: [reviews], http: [{route: [{destination: {host: reviews}}], mirror:"
                        + " {host: reviews, subset: shadow}}, {match: [{uri: {prefix: /m}}], route:"
                        + " [{destination: {host: reviews}}], mirrors: [{destination: {host:"
                        + " ratingz}}]}, {match: [{uri: {prefix: /a}}], delegate: {name: gone}},"
                        + " {delegate: {name: part, namespace: team}}]}")
                + vs(
                    "team",
                    "part",
                    "",
                    "{http: [{route: [{destination: {host: reviews.default.svc.cluster.local}}]}]}")
                + service("default", "reviews"));

    assertThat(warnings(ConfigAnalyzer.analyze(objects, SUFFIX)))
        .extracting(d -> d.object() + " " + d.path() + ": " + d.message())
        .containsExactly(
            "VirtualService default/root spec.http[0].mirror.subset: Referenced host+subset in"
                + " destinationrule not found: \"reviews.default.svc.cluster.local+shadow\" (no"
                + " DestinationRule applies to reviews.default.svc.cluster.local); requests"
                + " routed to it fail with 503 because the subset's cluster does not exist",
            "VirtualService default/root spec.http[1].mirrors[0].destination.host: Referenced"
                + " host not found: \"ratingz.default.svc.cluster.local\"; no Service or"
                + " ServiceEntry defines it, so requests routed to it fail",
            "VirtualService default/root spec.http[2].delegate: Referenced delegate"
                + " VirtualService not found: \"default/gone\"");
  }

  @Test
  void virtualServiceHostThatItsGatewayDoesNotServe() {
    String gateway =
        "apiVersion: networking.istio.io/v1\nkind: Gateway\n"
            + "metadata: {name: gw, namespace: istio-system}\n"
            + "spec: {selector: {istio: ingressgateway}, servers: [{port: {number: 80, name: http,"
            + " protocol: HTTP}, hosts: [\"shop/*.example.com\", \"./admin.example.com\"]}]}\n"
            + "---\n";
    String route = ", http: [{route: [{destination: {host: web}}]}]}";
    List<MeshObject> objects =
        objects(
            gateway
                + vs(
                    "shop",
                    "web",
                    "",
                    "{hosts: [a.example.com, b.other.com], gateways: [istio-system/gw]" + route)
                + vs(
                    "other",
                    "web",
                    "",
                    "{hosts: [a.example.com], gateways: [istio-system/gw, mesh]" + route)
                + vs(
                    "istio-system",
                    "admin",
                    "",
                    "{hosts: [admin.example.com, \"*.other.com\"], gateways: [gw]" + route));

    List<Diagnostic> found =
        ConfigAnalyzer.analyze(objects, SUFFIX).stream()
            .filter(d -> d.code().equals(ConfigAnalyzer.HOST_NOT_IN_GATEWAY))
            .toList();
    assertThat(lines(found))
        .containsExactly(
            "WARNING [IST0132] VirtualService istio-system/admin (mesh.yaml): spec.hosts[1]: host"
                + " \"*.other.com\" not found in Gateway istio-system/gw (its hosts:"
                + " ./admin.example.com, shop/*.example.com); that gateway does not route it",
            "WARNING [IST0132] VirtualService other/web (mesh.yaml): spec.hosts[0]: host"
                + " \"a.example.com\" not found in Gateway istio-system/gw (its hosts:"
                + " ./admin.example.com, shop/*.example.com); that gateway does not route it",
            "WARNING [IST0132] VirtualService shop/web (mesh.yaml): spec.hosts[1]: host"
                + " \"b.other.com\" not found in Gateway istio-system/gw (its hosts:"
                + " ./admin.example.com, shop/*.example.com); that gateway does not route it");
  }

  @Test
  void tcpAndTlsRouteDestinations() {
    List<MeshObject> objects =
        objects(
            vs(
                    "default",
                    "db",
                    "",
                    "{hosts: [mysql], tcp: [{route: [{destination: {host: mysql, subset: v8}}]}],"
                        + " tls: [{match: [{sniHosts: [mysql]}], route: [{destination: {host:"
                        + " mysql-tls}}]}]}")
                + dr("default", "mysql", "{host: mysql, subsets: [{name: v5}]}")
                + service("default", "mysql"));

    assertThat(warnings(ConfigAnalyzer.analyze(objects, SUFFIX)))
        .extracting(Diagnostic::path)
        .containsExactly(
            "spec.tcp[0].route[0].destination.subset", "spec.tls[0].route[0].destination.host");
  }
}
