package io.jpilot.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import java.util.Set;
import java.util.SortedMap;

/**
 * Runs the translator the way a server would and checks every resource against Envoy's
 * validate.rules before a test looks at it.
 */
final class Generated {
  private static final Translator TRANSLATOR = new Translator();

  private Generated() {}

  static SortedMap<String, Message> resources(
      MeshSnapshot s, ProxyView p, XdsType type, String... names) {
    SortedMap<String, Message> out = TRANSLATOR.generate(s, p, type, Set.of(names));
    XdsYaml.assertValid(out);
    return out;
  }

  static Cluster cluster(MeshSnapshot s, ProxyView p, String name) {
    Message m = resources(s, p, XdsType.CLUSTER).get(name);
    assertThat(m).as("cluster " + name).isNotNull();
    return (Cluster) m;
  }

  static ClusterLoadAssignment endpoints(MeshSnapshot s, ProxyView p, String name) {
    Message m = resources(s, p, XdsType.ENDPOINT, name).get(name);
    assertThat(m).as("endpoints " + name).isNotNull();
    return (ClusterLoadAssignment) m;
  }

  static Listener listener(MeshSnapshot s, ProxyView p, String name) {
    Message m = resources(s, p, XdsType.LISTENER).get(name);
    assertThat(m).as("listener " + name).isNotNull();
    return (Listener) m;
  }

  static RouteConfiguration routes(MeshSnapshot s, ProxyView p, String name) {
    Message m = resources(s, p, XdsType.ROUTE, name).get(name);
    assertThat(m).as("route configuration " + name).isNotNull();
    return (RouteConfiguration) m;
  }

  static VirtualHost virtualHost(RouteConfiguration rc, String name) {
    return rc.getVirtualHostsList().stream()
        .filter(v -> v.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no virtual host " + name + " in " + rc.getName()));
  }
}
