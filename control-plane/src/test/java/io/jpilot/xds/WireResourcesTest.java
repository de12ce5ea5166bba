package io.jpilot.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.jpilot.push.XdsResource;
import java.util.List;
import org.junit.jupiter.api.Test;

class WireResourcesTest {
  private final List<XdsResource> resources =
      List.of(
          XdsResource.of("a", Cluster.newBuilder().setName("a").build()),
          XdsResource.of("b", Cluster.newBuilder().setName("b").setAltStatName("x").build()));

  @Test
  void aResponseWithSharedBytesIsByteForByteTheOrdinaryOne() throws Exception {
    DiscoveryResponse.Builder ordinary =
        DiscoveryResponse.newBuilder().setVersionInfo("7").setTypeUrl("t").setNonce("1-2");
    resources.forEach(r -> ordinary.addResources(r.any()));
    DiscoveryResponse shared =
        DiscoveryResponse.newBuilder()
            .setVersionInfo("7")
            .setTypeUrl("t")
            .setNonce("1-2")
            .setUnknownFields(
                WireResources.asField(DiscoveryResponse.RESOURCES_FIELD_NUMBER, resources))
            .build();

    DiscoveryResponse read = DiscoveryResponse.parseFrom(shared.toByteString());
    assertThat(read).isEqualTo(ordinary.build());
    assertThat(read.getResources(1).unpack(Cluster.class).getAltStatName()).isEqualTo("x");
    assertThat(shared.getSerializedSize()).isEqualTo(ordinary.build().getSerializedSize());
  }

  @Test
  void aDeltaResourceCarriesTheSameBytes() throws Exception {
    XdsResource r = resources.get(1);
    Resource shared =
        Resource.newBuilder()
            .setName(r.name())
            .setVersion(r.version())
            .setUnknownFields(WireResources.asField(Resource.RESOURCE_FIELD_NUMBER, List.of(r)))
            .build();
    Resource read = Resource.parseFrom(shared.toByteString());
    assertThat(read)
        .isEqualTo(
            Resource.newBuilder()
                .setName(r.name())
                .setVersion(r.version())
                .setResource(r.any())
                .build());
  }
}
