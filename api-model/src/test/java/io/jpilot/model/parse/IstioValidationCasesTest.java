package io.jpilot.model.parse;

import static io.jpilot.model.parse.IstioObjectParserTest.dr;
import static io.jpilot.model.parse.IstioObjectParserTest.vs;
import static io.jpilot.model.parse.KubernetesObjectParserTest.parse;
import static org.assertj.core.api.Assertions.assertThat;

import io.jpilot.model.Diagnostic;
import io.jpilot.model.Diagnostic.Severity;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** istiod's webhook rejections (reference validation-cases.md), with istiod's message texts. */
class IstioValidationCasesTest {
  private static final String ROUTE = "http: [{route: [{destination: {host: reviews}}]}]";

  static Stream<Arguments> rejected() {
    return Stream.of(
        // VirtualService
        Arguments.of(
            vs("{hosts: [reviews]}"),
            "spec",
            "http, tcp or tls must be provided in virtual service"),
        Arguments.of(
            vs("{hosts: [\"*\"], " + ROUTE + "}"),
            "spec.hosts[0]",
            "wildcard host * is not allowed for virtual services bound to the mesh gateway"),
        Arguments.of(
            vs("{hosts: [\"foo_bar.com\"], " + ROUTE + "}"),
            "spec.hosts[0]",
            "domain name \"foo_bar.com\" invalid (label \"foo_bar\" invalid)"),
        Arguments.of(
            vs("{hosts: [], tcp: [{route: [{destination: {host: reviews}}]}]}"),
            "spec.tcp",
            "delegate virtual service must have no tcp route specified"),
        Arguments.of(
            vs("{hosts: [reviews], http: [{}]}"),
            "spec.http[0]",
            "HTTP route, redirect or direct_response is required"),
        Arguments.of(
            vs("{hosts: [r], http: [{redirect: {uri: /x}, route: [{destination: {host: a}}]}]}"),
            "spec.http[0]",
            "HTTP route cannot contain both route and redirect"),
        Arguments.of(
            vs("{hosts: [r], http: [{route: [{destination: {host: a}, weight: -1}]}]}"),
            "spec.http[0].route[0].weight",
            "weight -1 < 0"),
        Arguments.of(
            vs(
                "{hosts: [r], http: [{route: [{destination: {host: a}, weight: 0}, {destination:"
                    + " {host: b}, weight: 0}]}]}"),
            "spec.http[0].route",
            "total destination weight = 0"),
        Arguments.of(
            vs("{hosts: [r], http: [{route: [{destination: {host: a, subset: \"v1.0\"}}]}]}"),
            "spec.http[0].route[0].destination.subset",
            "subset name is invalid: v1.0"),
        Arguments.of(
            vs("{hosts: [r], http: [{route: [{destination: {host: a, port: {number: 70000}}}]}]}"),
            "spec.http[0].route[0].destination.port.number",
            "port number 70000 must be in the range 1..65535"),
        Arguments.of(
            vs(
                "{hosts: [r], http: [{match: [{uri: {regex: \"(a\"}}], route: [{destination: {host:"
                    + " a}}]}]}"),
            "spec.http[0].match[0].uri",
            "\"uri\": error parsing regexp: missing closing ): `(a`; Istio uses RE2 style"
                + " regex-based match (https://github.com/google/re2/wiki/Syntax)"),
        Arguments.of(
            vs(
                "{hosts: [r], http: [{match: [{uri: {regex: \""
                    + "a".repeat(1025)
                    + "\"}}], route: [{destination: {host: a}}]}]}"),
            "spec.http[0].match[0].uri",
            "\"uri\": regex is too large, max length allowed is 1024"),
        Arguments.of(
            vs(
                "{hosts: [r], http: [{match: [{headers: {x-a: {prefix: \"\"}}}], route:"
                    + " [{destination: {host: a}}]}]}"),
            "spec.http[0].match[0].headers.x-a",
            "\"headers\": prefix string match should not be empty"),
        Arguments.of(
            vs(
                "{hosts: [r], http: [{match: [{sourceNamespace: \"Bad_NS\"}], route: [{destination:"
                    + " {host: a}}]}]}"),
            "spec.http[0].match[0].sourceNamespace",
            "sourceNamespace match Bad_NS is invalid"),
        Arguments.of(
            vs("{hosts: [r], http: [{redirect: {uri: /a, prefixRewrite: /b}}]}"),
            "spec.http[0].redirect",
            "redirect may only specify one of uri or prefix_rewrite"),
        Arguments.of(
            vs("{hosts: [r], http: [{redirect: {uri: /a, redirectCode: 200}}]}"),
            "spec.http[0].redirect.redirectCode",
            "200 is not a valid redirect code, must be 3xx"),
        Arguments.of(
            vs("{hosts: [r], http: [{redirect: {scheme: ftp}}]}"),
            "spec.http[0].redirect.scheme",
            "invalid redirect scheme, must be \"http\" or \"https\""),
        Arguments.of(
            vs(
                "{hosts: [r], http: [{rewrite: {authority: a.com}, headers: {request: {set: {host:"
                    + " b.com}}}, route: [{destination: {host: a}}]}]}"),
            "spec.http[0].headers.request.set.host",
            "authority header cannot be set multiple times: have \"a.com\", attempting to set"
                + " \"b.com\""),
        Arguments.of(
            vs(
                "{hosts: [r], http: [{headers: {request: {set: {\":path\": /x}}}, route:"
                    + " [{destination: {host: a}}]}]}"),
            "spec.http[0].headers.request.set[\":path\"]",
            "invalid header \":path\": header cannot have \":\" prefix"),
        Arguments.of(
            vs(
                "{hosts: [r], http: [{headers: {request: {add: {x-a: \"abc%123\"}}}, route:"
                    + " [{destination: {host: a}}]}]}"),
            "spec.http[0].headers.request.add.x-a",
            "header value configuration: invalid header configuration. Un-terminated variable"
                + " expression 'abc%123'"),
        Arguments.of(
            vs(
                "{hosts: [r], http: [{headers: {response: {set: {x-a: \"100%\"}}}, route:"
                    + " [{destination: {host: a}}]}]}"),
            "spec.http[0].headers.response.set.x-a",
            "header value configuration: invalid header configuration. Un-escaped %"),
        Arguments.of(
            vs(
                "{hosts: [r], http: [{retries: {attempts: -1}, route: [{destination: {host:"
                    + " a}}]}]}"),
            "spec.http[0].retries.attempts",
            "attempts cannot be negative"),
        Arguments.of(
            vs(
                "{hosts: [r], http: [{retries: {attempts: 3, retryOn: \"5xx,foo\"}, route:"
                    + " [{destination: {host: a}}]}]}"),
            "spec.http[0].retries.retryOn",
            "\"foo\" is not a valid retryOn policy"),
        Arguments.of(
            vs("{hosts: [r], http: [{timeout: 0s, route: [{destination: {host: a}}]}]}"),
            "spec.http[0].timeout",
            "duration must be greater than 1ms"),
        Arguments.of(
            vs("{hosts: [r], http: [{timeout: 0.5ms, route: [{destination: {host: a}}]}]}"),
            "spec.http[0].timeout",
            "duration must be greater than 1ms"),
        Arguments.of(
            vs("{hosts: [r], http: [{timeout: 1500us, route: [{destination: {host: a}}]}]}"),
            "spec.http[0].timeout",
            "only durations to ms precision are supported"),
        Arguments.of(
            vs(
                "{hosts: [r], http: [{fault: {abort: {httpStatus: 199, percentage: {value: 101}}},"
                    + " route: [{destination: {host: a}}]}]}"),
            "spec.http[0].fault.abort.percentage",
            "percentage 101 is neither 0.0, nor in range [0.0001, 100.0]"),
        Arguments.of(
            vs(
                "{hosts: [r], http: [{fault: {abort: {httpStatus: 199}}, route: [{destination:"
                    + " {host: a}}]}]}"),
            "spec.http[0].fault.abort.httpStatus",
            "HTTP status 199 is not in range 200-599"),
        Arguments.of(
            vs(
                "{hosts: [r], http: [{fault: {abort: {grpcStatus: FOO}}, route: [{destination:"
                    + " {host: a}}]}]}"),
            "spec.http[0].fault.abort.grpcStatus",
            "gRPC status \"FOO\" is not supported. See"
                + " https://github.com/grpc/grpc/blob/master/doc/statuscodes.md for a list of"
                + " supported codes, for example 'NOT_FOUND'"),
        Arguments.of(
            vs(
                "{hosts: [r], http: [{mirrorPercentage: {value: 101}, mirror: {host: m}, route:"
                    + " [{destination: {host: a}}]}]}"),
            "spec.http[0].mirrorPercentage",
            "mirror_percentage must have a max value of 100 (it has 101.000000)"),
        Arguments.of(
            vs(
                "{hosts: [r], http: [{mirror: {host: m}, mirrors: [{destination: {host: n}}],"
                    + " route: [{destination: {host: a}}]}]}"),
            "spec.http[0]",
            "HTTP route cannot contain both mirror and mirrors"),
        Arguments.of(
            vs("{hosts: [r], tcp: [{match: [{destinationSubnets: [\"1.2.3.4/99\"]}]}]}"),
            "spec.tcp[0].match[0].destinationSubnets[0]",
            "1.2.3.4/99 is not a valid CIDR block"),
        Arguments.of(
            vs("{hosts: [r], tcp: [{match: [{destinationSubnets: [\"1.2.3.4/99\"]}]}]}"),
            "spec.tcp[0]",
            "TCP route is required"),
        Arguments.of(
            vs("{hosts: [r, r], " + ROUTE + "}"),
            "spec.hosts[1]",
            "duplicate hosts in virtual service: r & r"),
        Arguments.of(
            vs("{hosts: [r], exportTo: [\"*\", \".\"], " + ROUTE + "}"),
            "spec.exportTo",
            "cannot have both public (*) and non-public exportTo values for a resource"),
        Arguments.of(
            vs("{hosts: [r], gateways: [\"bad_ns/gw\"], " + ROUTE + "}"),
            "spec.gateways[0]",
            "invalid value for namespace: \"bad_ns\""),
        // DestinationRule
        Arguments.of(dr("{host: \"\"}"), "spec.host", "empty domain name not allowed"),
        Arguments.of(
            dr("{host: reviews, subsets: [{name: v1}, {name: v1}]}"),
            "spec.subsets[1].name",
            "duplicate subset names: v1"),
        Arguments.of(
            dr("{host: reviews, subsets: [{name: \"v1.0\"}]}"),
            "spec.subsets[0].name",
            "subset name is invalid: v1.0"),
        Arguments.of(
            dr("{host: reviews, subsets: [{name: v1, labels: {version: \"v 1\"}}]}"),
            "spec.subsets[0].labels",
            "invalid tag value: \"v 1\""),
        Arguments.of(
            dr("{host: reviews, trafficPolicy: {}}"),
            "spec.trafficPolicy",
            "traffic policy must have at least one field"),
        Arguments.of(
            dr("{host: reviews, trafficPolicy: {connectionPool: {}}}"),
            "spec.trafficPolicy.connectionPool",
            "connection pool must have at least one field"),
        Arguments.of(
            dr(
                "{host: r, trafficPolicy: {connectionPool: {http: {h2UpgradePolicy: UPGRADE,"
                    + " useClientProtocol: true}}}}"),
            "spec.trafficPolicy.connectionPool.http",
            "use client protocol must not be true when H2UpgradePolicy is UPGRADE"),
        Arguments.of(
            dr(
                "{host: r, trafficPolicy: {outlierDetection: {maxEjectionPercent: 101, interval:"
                    + " 0.5ms}}}"),
            "spec.trafficPolicy.outlierDetection.maxEjectionPercent",
            "percentage 101 is not in range 0..100"),
        Arguments.of(
            dr(
                "{host: r, trafficPolicy: {outlierDetection: {maxEjectionPercent: 101, interval:"
                    + " 0.5ms}}}"),
            "spec.trafficPolicy.outlierDetection.interval",
            "duration must be greater than 1ms"),
        Arguments.of(
            dr(
                "{host: r, trafficPolicy: {loadBalancer: {consistentHash: {httpCookie: {ttl:"
                    + " 0s}}}}}"),
            "spec.trafficPolicy.loadBalancer.consistentHash.httpCookie",
            "name required for HttpCookie"),
        Arguments.of(
            dr(
                "{host: r, trafficPolicy: {loadBalancer: {consistentHash: {httpHeaderName: x,"
                    + " maglev: {tableSize: 100}}}}}"),
            "spec.trafficPolicy.loadBalancer.consistentHash.maglev.tableSize",
            "tableSize must be a prime number for maglev"),
        Arguments.of(
            dr(
                "{host: r, trafficPolicy: {loadBalancer: {consistentHash: {httpHeaderName: x,"
                    + " maglev: {tableSize: 0}}}}}"),
            "spec.trafficPolicy.loadBalancer.consistentHash.maglev.tableSize",
            "tableSize must be set for maglev"),
        Arguments.of(
            dr(
                "{host: r, trafficPolicy: {loadBalancer: {localityLbSetting: {distribute: [{from:"
                    + " \"us/*\", to: {\"us/a/*\": 50, \"us/b/*\": 40}}]}}}}"),
            "spec.trafficPolicy.loadBalancer.localityLbSetting.distribute[0].to",
            "total locality weight 90 != 100"),
        Arguments.of(
            dr("{host: r, trafficPolicy: {tls: {mode: MUTUAL}}}"),
            "spec.trafficPolicy.tls",
            "client certificate required for mutual tls"),
        Arguments.of(
            dr("{host: r, trafficPolicy: {tls: {mode: MUTUAL}}}"),
            "spec.trafficPolicy.tls",
            "private key required for mutual tls"),
        Arguments.of(
            dr(
                "{host: r, trafficPolicy: {tls: {mode: SIMPLE, credentialName: s, caCertificates:"
                    + " /ca.pem}}}"),
            "spec.trafficPolicy.tls",
            "cannot specify client certificates or CA certificate or CA CRL If credentialName is"
                + " set"),
        Arguments.of(
            dr("{host: r, trafficPolicy: {portLevelSettings: [{loadBalancer: {simple: RANDOM}}]}}"),
            "spec.trafficPolicy.portLevelSettings[0]",
            "portTrafficPolicy must have valid port"),
        Arguments.of(
            dr("{host: reviews, workloadSelector: {matchLabels: {app: x}}, exportTo: [\"*\"]}"),
            "spec.exportTo",
            "destination rule with workload selector cannot have exportTo beyond current"
                + " namespace"),
        Arguments.of(
            dr("{host: reviews, exportTo: [\"*\", \".\"]}"),
            "spec.exportTo",
            "cannot have both public (*) and non-public exportTo values for a resource"),
        Arguments.of(
            dr("{host: reviews, trafficPolicy: {loadBalancer: {simple: FOO}}}"),
            "spec.trafficPolicy.loadBalancer.simple",
            "unknown value \"FOO\" for SimpleLB"));
  }

  @ParameterizedTest
  @MethodSource("rejected")
  void rejected(String yaml, String path, String message) {
    ParseResult r = parse(yaml);

    assertThat(r.object()).as("rejected object").isEmpty();
    assertThat(r.diagnostics())
        .filteredOn(d -> d.severity() == Severity.ERROR)
        .anySatisfy(
            d -> {
              assertThat(d.path()).isEqualTo(path);
              assertThat(d.message()).contains(message);
            });
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{hosts: [r], http: [{route: [{destination: {host: a}, weight: 80}]}]}",
        "{hosts: [r], http: [{route: [{destination: {host: a}, weight: 60}, {destination: {host:"
            + " b}, weight: 60}]}]}",
        "{hosts: [r], http: [{headers: {request: {add: {x-a: \"100%%\", x-b: \"%HOSTNAME%\", x-c:"
            + " \"%REQ(x-d)%\"}}}, route: [{destination: {host: a}}]}]}",
        "{hosts: [\"*.example.com\", \"10.0.0.1\"], http: [{route: [{destination: {host: a}}]}]}",
        "{hosts: [r], http: [{directResponse: {status: 503, body: {string: unavailable}}}]}",
        "{hosts: [r], http: [{redirect: {uri: /x, redirectCode: 301}}]}",
        "{hosts: [r], gateways: [istio-system/gw], http: [{route: [{destination: {host: a}}]}]}",
        "{hosts: [r], tls: [{match: [{sniHosts: [r]}], route: [{destination: {host: a}}]}]}",
        "{hosts: [r], http: [{match: [{uri: {regex: \"/api/v[0-9]+/.*\"}}], route: [{destination:"
            + " {host: a}}]}]}",
      })
  void acceptedVirtualServices(String spec) {
    ParseResult r = parse(vs(spec));
    assertThat(r.diagnostics()).isEmpty();
    assertThat(r.object()).isPresent();
  }

  @Test
  void largeDirectResponses() {
    ParseResult big =
        parse(
            vs(
                "{hosts: [r], http: [{directResponse: {status: 200, body: {string: \""
                    + "x".repeat(1100 * 1024)
                    + "\"}}}]}"));
    assertThat(big.object()).isEmpty();
    assertThat(big.diagnostics())
        .extracting(Diagnostic::message)
        .contains(
            "large direct_responses may impact control plane performance, must be less than 1MB");

    ParseResult medium =
        parse(
            vs(
                "{hosts: [r], http: [{directResponse: {status: 200, body: {string: \""
                    + "x".repeat(200 * 1024)
                    + "\"}}}]}"));
    assertThat(medium.object()).isPresent();
    assertThat(medium.diagnostics())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.severity()).isEqualTo(Severity.WARNING);
              assertThat(d.message())
                  .isEqualTo("large direct_responses may impact control plane performance");
            });
  }

  @Test
  void everyErrorIsReportedNotJustTheFirst() {
    ParseResult r =
        parse(
            vs(
                "{hosts: [r], http: [{route: [{destination: {host: a, subset: \"v1.0\"}, weight:"
                    + " -1}, {destination: {host: b}}]}]}"));
    assertThat(r.diagnostics())
        .extracting(Diagnostic::message)
        .containsExactly("subset name is invalid: v1.0", "weight -1 < 0");
  }
}
