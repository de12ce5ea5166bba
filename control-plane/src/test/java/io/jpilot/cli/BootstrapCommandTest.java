package io.jpilot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.ApiConfigSource;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.jpilot.envoy.EnvoyTypeRegistry;
import io.jpilot.envoy.ProtoValidator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code jpilot bootstrap}: a plain Envoy sidecar's bootstrap, valid by Envoy's rules. */
class BootstrapCommandTest {
  private static final String NODE =
      "sidecar~10.244.0.20~productpage-v1-6b746f74dc-9stvs.default~default.svc.cluster.local";

  private record Run(int code, String out, String err) {}

  private static Run run(String... argv) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Main.run(
            argv,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static Bootstrap parse(String json) throws Exception {
    Bootstrap.Builder b = Bootstrap.newBuilder();
    JsonFormat.parser()
        .usingTypeRegistry(
            JsonFormat.TypeRegistry.newBuilder()
                .add(HttpProtocolOptions.getDescriptor())
                .add(UpstreamTlsContext.getDescriptor())
                .build())
        .merge(json, b);
    return b.build();
  }

  @Test
  void plaintextBootstrapPointsAdsAtJpilotByIp() throws Exception {
    Run r =
        run(
            "bootstrap",
            "--node",
            NODE,
            "--xds-address",
            "10.96.0.10:15010",
            "--label",
            "app=productpage",
            "--label",
            "version=v1",
            "--meta",
            "ISTIO_VERSION=1.24.0");
    assertThat(r.code()).as(r.err()).isZero();
    Bootstrap b = parse(r.out());

    assertThat(new ProtoValidator().validate(b)).isEmpty();
    assertThat(b.getNode().getId()).isEqualTo(NODE);
    assertThat(b.getNode().getCluster()).isEqualTo("productpage.default");
    var meta = b.getNode().getMetadata().getFieldsMap();
    assertThat(meta.get("NAMESPACE").getStringValue()).isEqualTo("default");
    assertThat(meta.get("INSTANCE_IPS").getStringValue()).isEqualTo("10.244.0.20");
    assertThat(meta.get("ISTIO_VERSION").getStringValue()).isEqualTo("1.24.0");
    assertThat(meta.get("LABELS").getStructValue().getFieldsMap().get("version").getStringValue())
        .isEqualTo("v1");

    ApiConfigSource ads = b.getDynamicResources().getAdsConfig();
    assertThat(ads.getApiType()).isEqualTo(ApiConfigSource.ApiType.GRPC);
    assertThat(ads.getGrpcServices(0).getEnvoyGrpc().getClusterName()).isEqualTo("xds-grpc");
    assertThat(b.getDynamicResources().getCdsConfig().hasAds()).isTrue();
    assertThat(b.getDynamicResources().getLdsConfig().hasAds()).isTrue();

    Cluster xds = b.getStaticResources().getClusters(0);
    assertThat(xds.getName()).isEqualTo("xds-grpc");
    assertThat(xds.getType()).isEqualTo(Cluster.DiscoveryType.STATIC);
    var socket =
        xds.getLoadAssignment()
            .getEndpoints(0)
            .getLbEndpoints(0)
            .getEndpoint()
            .getAddress()
            .getSocketAddress();
    assertThat(socket.getAddress()).isEqualTo("10.96.0.10");
    assertThat(socket.getPortValue()).isEqualTo(15010);
    assertThat(
            xds.getTypedExtensionProtocolOptionsMap()
                .get("envoy.extensions.upstreams.http.v3.HttpProtocolOptions")
                .unpack(HttpProtocolOptions.class)
                .getExplicitHttpConfig()
                .hasHttp2ProtocolOptions())
        .isTrue();
    assertThat(xds.hasTransportSocket()).isFalse();
    assertThat(b.getAdmin().getAddress().getSocketAddress().getPortValue()).isEqualTo(15000);
  }

  @Test
  void tlsBootstrapResolvesTheIstiodServiceAndTrustsTheCa() throws Exception {
    Run r =
        run(
            "bootstrap",
            "--node",
            NODE,
            "--xds-address",
            "istiod.istio-system.svc:15012",
            "--xds-ca",
            "/etc/jpilot/ca.pem");
    assertThat(r.code()).as(r.err()).isZero();
    Bootstrap b = parse(r.out());
    assertThat(new ProtoValidator(EnvoyTypeRegistry.defaultRegistry()).validate(b)).isEmpty();
    Cluster xds = b.getStaticResources().getClusters(0);
    assertThat(xds.getType()).isEqualTo(Cluster.DiscoveryType.STRICT_DNS);
    assertThat(b.getNode().getCluster()).isEqualTo("istio-proxy.default");
    UpstreamTlsContext tls =
        xds.getTransportSocket().getTypedConfig().unpack(UpstreamTlsContext.class);
    assertThat(tls.getSni()).isEqualTo("istiod.istio-system.svc");
    assertThat(tls.getCommonTlsContext().getValidationContext().getTrustedCa().getFilename())
        .isEqualTo("/etc/jpilot/ca.pem");
  }

  @Test
  void mistakesAreUsageErrors() {
    for (List<String> argv :
        List.of(
            List.of("bootstrap", "--node", NODE),
            List.of("bootstrap", "--node", "not-a-node-id", "--xds-address", "1.2.3.4:15010"),
            List.of("bootstrap", "--node", NODE, "--xds-address", "1.2.3.4"),
            List.of("bootstrap", "--node", NODE, "--xds-address", "1.2.3.4:70000"))) {
      Run r = run(argv.toArray(String[]::new));
      assertThat(r.code()).as("%s", argv).isEqualTo(2);
      assertThat(r.err()).contains("usage:");
    }
  }
}
