package io.jpilot.push;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class XdsResourceTest {

  private static RouteConfiguration routes(int hosts, int domainLength) {
    RouteConfiguration.Builder rc = RouteConfiguration.newBuilder().setName("8080");
    for (int i = 0; i < hosts; i++) {
      rc.addVirtualHosts(
          VirtualHost.newBuilder()
              .setName("host-" + i)
              .addDomains("d".repeat(domainLength) + i));
    }
    return rc.build();
  }

  /** The message's bytes as a rope with one leaf per virtual host, as a shared encoding gives. */
  private static ByteString rope(RouteConfiguration rc) {
    List<ByteString> parts = new ArrayList<>();
    parts.add(RouteConfiguration.newBuilder().setName(rc.getName()).build().toByteString());
    for (VirtualHost vh : rc.getVirtualHostsList()) {
      parts.add(RouteConfiguration.newBuilder().addVirtualHosts(vh).build().toByteString());
    }
    return ByteString.copyFrom(parts);
  }

  @Test
  void packedBytesAreTheAnyOfTheMessageWhateverTheirSize() throws Exception {
    for (int hosts : new int[] {0, 1, 40, 400, 4000}) {
      RouteConfiguration rc = routes(hosts, 60);
      XdsResource r = XdsResource.of("8080", rc, rope(rc));
      assertThat(r.encoded()).as("%d hosts", hosts).isEqualTo(Any.pack(rc).toByteString());
      assertThat(r.any().unpack(RouteConfiguration.class)).isEqualTo(rc);
      assertThat(r.version()).isEqualTo(XdsResource.of("8080", rc).version());
    }
  }

  @Test
  void aLargeResourceIsHeldInFewFlatPiecesNoneLargerThanAPiece() {
    RouteConfiguration rc = routes(4000, 60); // ≈ 300 KB in 4,001 leaves
    ByteString encoded = XdsResource.of("8080", rc, rope(rc)).encoded();
    List<ByteBuffer> pieces = encoded.asReadOnlyByteBufferList();
    int size = encoded.size();
    assertThat(size).isGreaterThan(4 * XdsResource.PIECE);
    assertThat(pieces).hasSize((size + XdsResource.PIECE - 1) / XdsResource.PIECE);
    for (ByteBuffer piece : pieces) {
      assertThat(piece.remaining()).isLessThanOrEqualTo(XdsResource.PIECE);
    }
  }

  @Test
  void aResourceThatFitsOnePieceIsOneFlatArray() {
    RouteConfiguration rc = routes(40, 60);
    ByteString encoded = XdsResource.of("8080", rc, rope(rc)).encoded();
    assertThat(encoded.size()).isLessThan(XdsResource.PIECE);
    assertThat(encoded.asReadOnlyByteBufferList()).hasSize(1);
  }
}
