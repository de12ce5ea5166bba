package io.jpilot.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import io.jpilot.debug.SubscriptionWalker;
import io.jpilot.envoy.ProtoValidator;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.translate.Translator;
import io.jpilot.translate.XdsType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;

/** What a proxy is sent, checked against Envoy's validation rules before it is simulated. */
final class Xds {
  private static final ProtoValidator VALIDATOR = new ProtoValidator();

  private Xds() {}

  /** Everything the proxy subscribes to; every resource must pass Envoy's validate.rules. */
  static Map<XdsType, SortedMap<String, Message>> walk(MeshSnapshot snapshot, ProxyView proxy) {
    Map<XdsType, SortedMap<String, Message>> xds =
        SubscriptionWalker.walk(new Translator(), snapshot, proxy, Set.of());
    List<String> errors = new ArrayList<>();
    xds.forEach(
        (type, resources) ->
            resources.forEach(
                (name, m) ->
                    VALIDATOR.validate(m).forEach(e -> errors.add(type + " " + name + ": " + e))));
    assertThat(errors).as("Envoy validation errors for %s", proxy.nodeId()).isEmpty();
    return xds;
  }

  /** A simulator over {@link #walk}. */
  static TrafficSimulator simulate(MeshSnapshot snapshot, ProxyView proxy) {
    return TrafficSimulator.of(walk(snapshot, proxy));
  }
}
