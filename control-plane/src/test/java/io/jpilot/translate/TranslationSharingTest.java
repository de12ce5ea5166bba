package io.jpilot.translate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.net.InetAddresses;
import com.google.protobuf.Any;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.SortedMaps;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The shortcuts translation takes produce exactly what the plain way would. */
class TranslationSharingTest {
  @Test
  void sharedIstioMutualContextsPackToTheBytesOfAWholeContext() throws Exception {
    MeshSnapshot s = BookinfoMesh.bookinfo();
    int checked = 0;
    for (Message m :
        new Translator()
            .generate(s, BookinfoMesh.productpage(), XdsType.CLUSTER, Set.of())
            .values()) {
      Cluster c = (Cluster) m;
      List<TransportSocket> sockets = new ArrayList<>();
      if (c.hasTransportSocket()) {
        sockets.add(c.getTransportSocket());
      }
      c.getTransportSocketMatchesList().forEach(t -> sockets.add(t.getTransportSocket()));
      for (TransportSocket t : sockets) {
        if (!t.getTypedConfig().is(UpstreamTlsContext.class)) {
          continue;
        }
        UpstreamTlsContext ctx = t.getTypedConfig().unpack(UpstreamTlsContext.class);
        assertThat(ctx.getSni()).isNotEmpty();
        assertThat(t.getTypedConfig().getValue()).isEqualTo(ctx.toByteString());
        assertThat(t.getTypedConfig()).isEqualTo(Any.pack(ctx));
        checked++;
      }
    }
    assertThat(checked).isGreaterThan(3);
  }

  @Test
  void ipLiteralsAreRecognisedAsGuavaDoes() {
    for (String s :
        List.of(
            "10.0.0.1", "0.0.0.0", "255.255.255.255", "256.1.1.1", "01.2.3.4", "1.2.3", "1.2.3.4.",
            ".1.2.3.4", "1..2.3", "1.2.3.4.5", "1234.1.1.1", "1.2.3.a", "::1", "fe80::1",
            "::ffff:10.0.0.1", "reviews.default.svc.cluster.local", "", "1.2.3.04", "9.9.9.9",
            "100.200.250.255", "1.2.3.-4", "+1.2.3.4")) {
      assertThat(IstioNames.isIpLiteral(s)).as(s).isEqualTo(InetAddresses.isInetAddress(s));
    }
  }

  @Test
  void sortedMapsBuildTheTreeMapPutWouldBuild() {
    List<Map.Entry<String, Integer>> entries =
        List.of(Map.entry("a", 1), Map.entry("b", 2), Map.entry("b", 3), Map.entry("c", 4));
    TreeMap<String, Integer> expected = new TreeMap<>();
    entries.forEach(e -> expected.put(e.getKey(), e.getValue()));
    TreeMap<String, Integer> built = SortedMaps.ofAscending(entries);
    assertThat(built).isEqualTo(expected).containsEntry("b", 3);
    built.put("0", 0);
    assertThat(built.firstKey()).isEqualTo("0");
    assertThatThrownBy(() -> SortedMaps.ofAscending(List.of(Map.entry("b", 1), Map.entry("a", 2))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected: ascending keys");
  }
}
