package io.jpilot.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.istio.api.api.networking.v1alpha3.StringMatch;
import io.fabric8.istio.api.api.networking.v1alpha3.StringMatchPrefix;
import io.fabric8.istio.api.networking.v1.DestinationRuleBuilder;
import io.fabric8.istio.api.networking.v1.VirtualServiceBuilder;
import io.fabric8.istio.client.IstioClient;
import io.jpilot.model.ConfigStore;
import io.jpilot.model.config.ConfigKey;
import io.jpilot.model.config.DestinationRule;
import io.jpilot.model.config.HttpRoute;
import io.jpilot.model.config.LoadBalancer;
import io.jpilot.model.config.StringMatch.Kind;
import io.jpilot.model.config.VirtualService;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Istio objects written through fabric8's typed istio-client arrive in the model intact. */
@Timeout(60)
class TypedIstioObjectsTest {

  @Test
  void typedVirtualServiceAndDestinationRuleAreParsed() throws Exception {
    try (MockCluster cluster = MockCluster.start()) {
      IstioClient istio = cluster.client.adapt(IstioClient.class);
      istio
          .v1()
          .virtualServices()
          .inNamespace("default")
          .resource(
              new VirtualServiceBuilder()
                  .withNewMetadata()
                  .withName("reviews")
                  .withNamespace("default")
                  .endMetadata()
                  .withNewSpec()
                  .addToHosts("reviews")
                  .addNewHttp()
                  .withName("staging")
                  .addNewMatch()
                  .addToHeaders("x-env", new StringMatch(new StringMatchPrefix("stag")))
                  .endMatch()
                  .addNewRoute()
                  .withNewDestination()
                  .withHost("reviews")
                  .withSubset("v2")
                  .endDestination()
                  .endRoute()
                  .withTimeout("2.5s")
                  .endHttp()
                  .endSpec()
                  .build())
          .create();
      istio
          .v1()
          .destinationRules()
          .inNamespace("default")
          .resource(
              new DestinationRuleBuilder()
                  .withNewMetadata()
                  .withName("reviews")
                  .withNamespace("default")
                  .endMetadata()
                  .withNewSpec()
                  .withHost("reviews")
                  .withNewTrafficPolicy()
                  .withNewLoadBalancer()
                  .withNewLoadBalancerSettingsSimpleLbPolicy()
                  .withSimple(
                      io.fabric8.istio.api.api.networking.v1alpha3.LoadBalancerSettingsSimpleLB
                          .RANDOM)
                  .endLoadBalancerSettingsSimpleLbPolicy()
                  .endLoadBalancer()
                  .endTrafficPolicy()
                  .addNewSubset()
                  .withName("v2")
                  .addToLabels("version", "v2")
                  .endSubset()
                  .endSpec()
                  .build())
          .create();

      ConfigStore store = new ConfigStore();
      try (KubernetesSource source =
          new KubernetesSource(
              cluster.client,
              store,
              KubernetesSource.Settings.defaults(),
              c -> {},
              new SimpleMeterRegistry())) {
        source.start();
        assertThat(source.awaitReady(Duration.ofSeconds(15))).isTrue();

        VirtualService vs =
            (VirtualService) store.get(new ConfigKey("VirtualService", "default", "reviews"));
        assertThat(vs).isNotNull();
        HttpRoute route = vs.http().get(0);
        assertThat(route.timeout()).contains(Duration.ofMillis(2500));
        assertThat(route.match().get(0).headers().get("x-env").kind()).isEqualTo(Kind.PREFIX);
        assertThat(route.route().get(0).destination().subset()).isEqualTo("v2");
        DestinationRule dr =
            (DestinationRule) store.get(new ConfigKey("DestinationRule", "default", "reviews"));
        assertThat(dr).isNotNull();
        assertThat(dr.trafficPolicy().orElseThrow().loadBalancer()).isEqualTo(LoadBalancer.RANDOM);
        assertThat(dr.subsets()).extracting(s -> s.name()).containsExactly("v2");
      }
    }
  }
}
