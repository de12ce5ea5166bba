package io.jpilot.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.stub.ClientCallStreamObserver;
import io.jpilot.translate.XdsType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class XdsReplyTest {
  private static final String ROLLED = "outbound|8080||roll.shared.svc.cluster.local";
  private static final XdsReply.Watch WATCH = new XdsReply.Watch(ROLLED, "10.101.");

  @Test
  void cdsYieldsEdsNamesOfEdsClustersOnly() {
    DiscoveryResponse r =
        response(
            XdsType.CLUSTER,
            Cluster.newBuilder()
                .setName("outbound|8080||a")
                .setType(Cluster.DiscoveryType.EDS)
                .setEdsClusterConfig(
                    Cluster.EdsClusterConfig.newBuilder().setServiceName("outbound|8080||a"))
                .build(),
            Cluster.newBuilder().setName("b").setType(Cluster.DiscoveryType.EDS).build(),
            Cluster.newBuilder()
                .setName("PassthroughCluster")
                .setType(Cluster.DiscoveryType.ORIGINAL_DST)
                .build());
    XdsReply reply = XdsReply.parse(r, WATCH);
    assertThat(reply.type()).isEqualTo(XdsType.CLUSTER);
    assertThat(reply.version()).isEqualTo("v1");
    assertThat(reply.nonce()).isEqualTo("n1");
    assertThat(reply.size()).isEqualTo(r.getSerializedSize());
    assertThat(reply.names()).containsExactly("b", "outbound|8080||a");
  }

  @Test
  void ldsYieldsRouteNamesOfHttpConnectionManagers() {
    Listener listener =
        Listener.newBuilder()
            .setName("0.0.0.0_8080")
            .addFilterChains(chain("8080"))
            .addFilterChains(
                FilterChain.newBuilder()
                    .addFilters(Filter.newBuilder().setName("envoy.filters.network.tcp_proxy")))
            .setDefaultFilterChain(chain("9090"))
            .build();
    XdsReply reply = XdsReply.parse(response(XdsType.LISTENER, listener), WATCH);
    assertThat(reply.names()).containsExactly("8080", "9090");
  }

  @Test
  void edsCountsEndpointsOfTheWatchedClusterAndDetectsAnEmptyOne() {
    XdsReply full =
        XdsReply.parse(
            response(
                XdsType.ENDPOINT,
                cla("other", "10.101.0.1"),
                cla(ROLLED, "10.100.0.1", "10.101.0.1", "10.101.0.2")),
            WATCH);
    assertThat(full.watchedTotal()).isEqualTo(3);
    assertThat(full.watchedMarked()).isEqualTo(2);
    XdsReply without = XdsReply.parse(response(XdsType.ENDPOINT, cla("other")), WATCH);
    assertThat(without.watchedTotal()).isEqualTo(-1);
    XdsReply empty = XdsReply.parse(response(XdsType.ENDPOINT, cla(ROLLED)), WATCH);
    assertThat(empty.watchedTotal()).isZero();
  }

  @Test
  void edsCountsMatchTheDecodedAssignmentWhateverTheFieldOrderAndExtraFields() throws Exception {
    // Three localities, 500 endpoints with health, weight and metadata, a third of them marked.
    ClusterLoadAssignment.Builder big = ClusterLoadAssignment.newBuilder().setClusterName(ROLLED);
    for (int l = 0; l < 3; l++) {
      LocalityLbEndpoints.Builder locality =
          LocalityLbEndpoints.newBuilder()
              .setLocality(io.envoyproxy.envoy.config.core.v3.Locality.newBuilder().setZone("z" + l))
              .setLoadBalancingWeight(com.google.protobuf.UInt32Value.of(7));
      for (int i = l; i < 500; i += 3) {
        String ip = (i % 3 == 0 ? "10.101." : "10.100.") + (i >> 8) + "." + (i & 0xff);
        locality.addLbEndpoints(
            LbEndpoint.newBuilder()
                .setHealthStatus(io.envoyproxy.envoy.config.core.v3.HealthStatus.HEALTHY)
                .setLoadBalancingWeight(com.google.protobuf.UInt32Value.of(1))
                .setMetadata(
                    io.envoyproxy.envoy.config.core.v3.Metadata.newBuilder()
                        .putFilterMetadata(
                            "istio",
                            com.google.protobuf.Struct.newBuilder()
                                .putFields(
                                    "workload",
                                    com.google.protobuf.Value.newBuilder()
                                        .setStringValue("roll-" + i)
                                        .build())
                                .build()))
                .setEndpoint(
                    Endpoint.newBuilder()
                        .setAddress(
                            Address.newBuilder()
                                .setSocketAddress(
                                    SocketAddress.newBuilder().setAddress(ip).setPortValue(8080)))));
      }
      big.addEndpoints(locality);
    }
    ClusterLoadAssignment cla = big.build();
    int total = 0;
    int marked = 0;
    for (LocalityLbEndpoints l : cla.getEndpointsList()) {
      for (LbEndpoint e : l.getLbEndpointsList()) {
        total++;
        if (e.getEndpoint().getAddress().getSocketAddress().getAddress().startsWith("10.101.")) {
          marked++;
        }
      }
    }
    XdsReply reply = XdsReply.parse(response(XdsType.ENDPOINT, cla("other", "10.101.9.9"), cla), WATCH);
    assertThat(reply.watchedTotal()).isEqualTo(total).isEqualTo(500);
    assertThat(reply.watchedMarked()).isEqualTo(marked).isEqualTo(167);

    // The same assignment with its name last (concatenated messages merge): still recognized.
    byte[] endpointsOnly = cla.toBuilder().clearClusterName().build().toByteArray();
    byte[] nameOnly = ClusterLoadAssignment.newBuilder().setClusterName(ROLLED).build().toByteArray();
    byte[] nameLast = new byte[endpointsOnly.length + nameOnly.length];
    System.arraycopy(endpointsOnly, 0, nameLast, 0, endpointsOnly.length);
    System.arraycopy(nameOnly, 0, nameLast, endpointsOnly.length, nameOnly.length);
    DiscoveryResponse reordered =
        DiscoveryResponse.newBuilder()
            .setTypeUrl(XdsType.ENDPOINT.typeUrl())
            .addResources(
                Any.newBuilder()
                    .setTypeUrl(XdsType.ENDPOINT.typeUrl())
                    .setValue(com.google.protobuf.ByteString.copyFrom(nameLast)))
            .build();
    XdsReply late = XdsReply.parse(reordered, WATCH);
    assertThat(late.watchedTotal()).isEqualTo(500);
    assertThat(late.watchedMarked()).isEqualTo(167);
  }

  /** What gRPC hands a marshaller: a message stream that knows its length. */
  private static final class MessageStream extends java.io.ByteArrayInputStream
      implements io.grpc.KnownLength {
    MessageStream(byte[] bytes) {
      super(bytes);
    }
  }

  @Test
  void theMarshallerReusesItsBufferWithoutReadingPastAMessage() {
    var marshaller = XdsReply.marshaller(WATCH);
    String[] many = new String[3000];
    for (int i = 0; i < many.length; i++) {
      many[i] = "10.102." + (i / 250) + "." + (i % 250);
    }
    byte[] big = response(XdsType.ENDPOINT, cla(ROLLED, many)).toByteArray();
    assertThat(big.length).isGreaterThan(1 << 16); // larger than the first scratch buffer
    XdsReply first = marshaller.parse(new MessageStream(big));
    assertThat(first.size()).isEqualTo(big.length);
    assertThat(first.watchedTotal()).isEqualTo(3000);
    // A smaller message after it: the buffer's stale tail must not be read.
    byte[] small = response(XdsType.ENDPOINT, cla(ROLLED, "10.101.0.1")).toByteArray();
    XdsReply second = marshaller.parse(new MessageStream(small));
    assertThat(second.size()).isEqualTo(small.length);
    assertThat(second.watchedTotal()).isEqualTo(1);
    assertThat(second.watchedMarked()).isEqualTo(1);
    // A stream that does not know its length is read whole.
    XdsReply plain = marshaller.parse(new java.io.ByteArrayInputStream(small));
    assertThat(plain).isEqualTo(second);
  }

  @Test
  void aTruncatedResponseIsRejected() {
    byte[] whole = response(XdsType.ENDPOINT, cla(ROLLED, "10.101.0.1")).toByteArray();
    byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 3);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> XdsReply.parse(cut, cut.length, WATCH))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("malformed DiscoveryResponse");
  }

  @Test
  void envoyAcksWithVersionNonceAndNamesAndCountsAnEmptyWatchedCluster() {
    List<DiscoveryRequest> sent = new ArrayList<>();
    List<SimulatedEnvoy> synced = new ArrayList<>();
    SimulatedEnvoy.Sink sink =
        new SimulatedEnvoy.Sink() {
          @Override
          public void responded(long nanos, int bytes) {}

          @Override
          public void synced(SimulatedEnvoy envoy) {
            synced.add(envoy);
          }

          @Override
          public void failed(SimulatedEnvoy envoy, Throwable error) {}

          @Override
          public int[] expectedWatched() {
            return null;
          }
        };
    SimulatedEnvoy envoy =
        new SimulatedEnvoy(0, "10.128.0.1", "client-0", "ns-0", Map.of("app", "client"), sink);
    envoy.beforeStart(new Recorder(sent));
    envoy.start();
    assertThat(sent.get(0).getNode().getId())
        .isEqualTo("sidecar~10.128.0.1~client-0.ns-0~ns-0.svc.cluster.local");
    assertThat(sent.get(0).getNode().getMetadata().getFieldsOrThrow("NAMESPACE").getStringValue())
        .isEqualTo("ns-0");
    assertThat(sent.get(0).getTypeUrl()).isEqualTo(XdsType.CLUSTER.typeUrl());
    assertThat(sent.get(0).getResourceNamesList()).isEmpty();

    envoy.onNext(
        XdsReply.parse(
            response(
                XdsType.CLUSTER,
                Cluster.newBuilder().setName(ROLLED).setType(Cluster.DiscoveryType.EDS).build()),
            WATCH));
    // EDS subscription for the new cluster, then the CDS ACK.
    assertThat(sent.get(1).getTypeUrl()).isEqualTo(XdsType.ENDPOINT.typeUrl());
    assertThat(sent.get(1).getResourceNamesList()).containsExactly(ROLLED);
    assertThat(sent.get(1).getResponseNonce()).isEmpty();
    assertThat(sent.get(2).getTypeUrl()).isEqualTo(XdsType.CLUSTER.typeUrl());
    assertThat(sent.get(2).getVersionInfo()).isEqualTo("v1");
    assertThat(sent.get(2).getResponseNonce()).isEqualTo("n1");
    assertThat(sent.get(2).hasNode()).isFalse();

    envoy.beginPhase(System.nanoTime());
    envoy.onNext(XdsReply.parse(response(XdsType.ENDPOINT, cla(ROLLED)), WATCH));
    // EDS ACK, then the LDS wildcard request.
    assertThat(sent.get(3).getTypeUrl()).isEqualTo(XdsType.ENDPOINT.typeUrl());
    assertThat(sent.get(3).getResponseNonce()).isEqualTo("n1");
    assertThat(sent.get(3).getResourceNamesList()).containsExactly(ROLLED);
    assertThat(sent.get(4).getTypeUrl()).isEqualTo(XdsType.LISTENER.typeUrl());
    assertThat(envoy.emptyWatched()).isEqualTo(1);
    assertThat(envoy.sample().minWatched()).isZero();

    envoy.onNext(XdsReply.parse(response(XdsType.LISTENER, Listener.newBuilder()
        .setName("0.0.0.0_8080").addFilterChains(chain("8080")).build()), WATCH));
    assertThat(sent.get(5).getTypeUrl()).isEqualTo(XdsType.ROUTE.typeUrl());
    assertThat(sent.get(5).getResourceNamesList()).containsExactly("8080");
    assertThat(sent.get(6).getTypeUrl()).isEqualTo(XdsType.LISTENER.typeUrl());
    assertThat(sent.get(6).getResponseNonce()).isEqualTo("n1");
    assertThat(synced).isEmpty();
    envoy.onNext(XdsReply.parse(response(XdsType.ROUTE), WATCH));
    assertThat(sent.get(7).getTypeUrl()).isEqualTo(XdsType.ROUTE.typeUrl());
    assertThat(sent.get(7).getResourceNamesList()).containsExactly("8080");
    assertThat(synced).containsExactly(envoy);
    SimulatedEnvoy.PhaseSample p = envoy.sample();
    assertThat(p.responses()[XdsType.ENDPOINT.ordinal()]).isEqualTo(1);
    assertThat(p.responses()[XdsType.CLUSTER.ordinal()]).isZero();
    assertThat(p.firstAck()[XdsType.ROUTE.ordinal()]).isNotZero();
  }

  private static FilterChain chain(String route) {
    HttpConnectionManager hcm =
        HttpConnectionManager.newBuilder()
            .setStatPrefix("outbound_0.0.0.0_" + route)
            .setRds(Rds.newBuilder().setRouteConfigName(route))
            .build();
    return FilterChain.newBuilder()
        .addFilters(
            Filter.newBuilder()
                .setName("envoy.filters.network.http_connection_manager")
                .setTypedConfig(Any.pack(hcm)))
        .build();
  }

  private static ClusterLoadAssignment cla(String name, String... ips) {
    LocalityLbEndpoints.Builder l = LocalityLbEndpoints.newBuilder();
    for (String ip : ips) {
      l.addLbEndpoints(
          LbEndpoint.newBuilder()
              .setEndpoint(
                  Endpoint.newBuilder()
                      .setAddress(
                          Address.newBuilder()
                              .setSocketAddress(
                                  SocketAddress.newBuilder().setAddress(ip).setPortValue(8080)))));
    }
    ClusterLoadAssignment.Builder b = ClusterLoadAssignment.newBuilder().setClusterName(name);
    if (ips.length > 0) {
      b.addEndpoints(l);
    }
    return b.build();
  }

  private static DiscoveryResponse response(XdsType type, com.google.protobuf.Message... resources) {
    DiscoveryResponse.Builder b =
        DiscoveryResponse.newBuilder()
            .setVersionInfo("v1")
            .setNonce("n1")
            .setTypeUrl(type.typeUrl());
    for (com.google.protobuf.Message m : resources) {
      b.addResources(Any.pack(m));
    }
    return b.build();
  }

  /** Records what the envoy sends. */
  private static final class Recorder extends ClientCallStreamObserver<DiscoveryRequest> {
    private final List<DiscoveryRequest> sent;

    Recorder(List<DiscoveryRequest> sent) {
      this.sent = sent;
    }

    @Override
    public void onNext(DiscoveryRequest value) {
      sent.add(value);
    }

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onCompleted() {}

    @Override
    public void cancel(String message, Throwable cause) {}

    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public void setOnReadyHandler(Runnable onReadyHandler) {}

    @Override
    public void request(int count) {}

    @Override
    public void setMessageCompression(boolean enable) {}

    @Override
    public void disableAutoInboundFlowControl() {}

    @Override
    public void disableAutoRequestWithInitial(int request) {}
  }
}
