package io.jpilot.translate;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.Duration;
import com.google.protobuf.ListValue;
import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/** Small protobuf builders shared by the translators: the output edge, nothing else. */
final class XdsProtos {
  static final Duration ZERO = Duration.getDefaultInstance();

  private XdsProtos() {}

  static Duration duration(java.time.Duration d) {
    if (d.isZero()) {
      return ZERO;
    }
    return Duration.newBuilder().setSeconds(d.getSeconds()).setNanos(d.getNano()).build();
  }

  static Duration seconds(long s) {
    return Duration.newBuilder().setSeconds(s).build();
  }

  /** Small values (route weights, percentages) are shared: the messages are immutable. */
  private static final UInt32Value[] SMALL_UINT32 = new UInt32Value[101];

  static {
    for (int i = 0; i < SMALL_UINT32.length; i++) {
      SMALL_UINT32[i] = UInt32Value.of(i);
    }
  }

  static UInt32Value uint32(long v) {
    return v >= 0 && v < SMALL_UINT32.length ? SMALL_UINT32[(int) v] : UInt32Value.of((int) v);
  }

  static BoolValue bool(boolean v) {
    return BoolValue.of(v);
  }

  static Any pack(Message m) {
    return Any.pack(m);
  }

  /** istiod's ADS config source for sidecars: ads, initial_fetch_timeout 0s, V3. */
  static ConfigSource adsSidecar() {
    return ADS_SIDECAR;
  }

  private static final ConfigSource ADS_SIDECAR =
      ConfigSource.newBuilder()
          .setAds(AggregatedConfigSource.getDefaultInstance())
          .setInitialFetchTimeout(ZERO)
          .setResourceApiVersion(ApiVersion.V3)
          .build();

  /** The bare ADS config source grpcgen uses for proxyless clients. */
  static ConfigSource adsBare() {
    return ConfigSource.newBuilder().setAds(AggregatedConfigSource.getDefaultInstance()).build();
  }

  static Address socketAddress(String ip, int port) {
    return Address.newBuilder()
        .setSocketAddress(SocketAddress.newBuilder().setAddress(ip).setPortValue(port))
        .build();
  }

  /**
   * {@code filter_metadata.istio} with the given fields. Values are strings, or lists of string
   * maps; fields are inserted in the order given, which callers keep sorted.
   */
  static Metadata istioMetadata(SortedMap<String, Value> fields) {
    return Metadata.newBuilder()
        .putFilterMetadata("istio", Struct.newBuilder().putAllFields(fields).build())
        .build();
  }

  static Value string(String s) {
    return Value.newBuilder().setStringValue(s).build();
  }

  /** A list of string-valued structs, each map kept in its (sorted) iteration order. */
  static Value listOfStructs(List<SortedMap<String, String>> items) {
    ListValue.Builder list = ListValue.newBuilder();
    for (Map<String, String> item : items) {
      Struct.Builder s = Struct.newBuilder();
      item.forEach((k, v) -> s.putFields(k, string(v)));
      list.addValues(Value.newBuilder().setStructValue(s));
    }
    return Value.newBuilder().setListValue(list).build();
  }
}
