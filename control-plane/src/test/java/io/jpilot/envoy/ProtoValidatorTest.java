package io.jpilot.envoy;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.AnyProto;
import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumValueDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldOptions;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.MessageOptions;
import com.google.protobuf.DescriptorProtos.OneofDescriptorProto;
import com.google.protobuf.DescriptorProtos.OneofOptions;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Duration;
import com.google.protobuf.DurationProto;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.StringValue;
import com.google.protobuf.UInt32Value;
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
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.pgv.validate.Validate;
import io.envoyproxy.pgv.validate.Validate.FieldRules;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProtoValidatorTest {
  private final ProtoValidator validator = new ProtoValidator();

  private static LbEndpoint lbEndpoint(int weight) {
    return LbEndpoint.newBuilder()
        .setEndpoint(
            Endpoint.newBuilder()
                .setAddress(
                    Address.newBuilder()
                        .setSocketAddress(
                            SocketAddress.newBuilder().setAddress("10.0.0.1").setPortValue(80))))
        .setLoadBalancingWeight(UInt32Value.of(weight))
        .build();
  }

  private static ClusterLoadAssignment cla(int localityWeight, int endpointWeight) {
    return ClusterLoadAssignment.newBuilder()
        .setClusterName("outbound|80||a.default.svc.cluster.local")
        .addEndpoints(
            LocalityLbEndpoints.newBuilder()
                .setLoadBalancingWeight(UInt32Value.of(localityWeight))
                .addLbEndpoints(lbEndpoint(endpointWeight)))
        .build();
  }

  @Test
  void validEnvoyMessagesPass() {
    assertThat(validator.validate(cla(1, 1))).isEmpty();
    assertThat(
            validator.validate(
                Cluster.newBuilder()
                    .setName("c")
                    .setConnectTimeout(Duration.newBuilder().setSeconds(10))
                    .build()))
        .isEmpty();
  }

  @Test
  void wrapperValuesAreCheckedAgainstScalarRules() {
    assertThat(validator.validate(cla(1, 0)))
        .containsExactly(
            "ClusterLoadAssignment.endpoints[0].lb_endpoints[0].load_balancing_weight:"
                + " value must be >= 1");
    assertThat(validator.validate(cla(0, 1)))
        .containsExactly(
            "ClusterLoadAssignment.endpoints[0].load_balancing_weight: value must be >= 1");
  }

  @Test
  void durationAndEnumRules() {
    Cluster c =
        Cluster.newBuilder()
            .setName("c")
            .setConnectTimeout(Duration.getDefaultInstance())
            .setLbPolicyValue(99)
            .build();
    assertThat(validator.validate(c))
        .containsExactlyInAnyOrder(
            "Cluster.connect_timeout: value must be > 0s",
            "Cluster.lb_policy: value 99 must be one of the defined enum values");
  }

  @Test
  void stringMinLength() {
    assertThat(validator.validate(Cluster.newBuilder().build()))
        .containsExactly("Cluster.name: value length must be at least 1 runes");
  }

  @Test
  void requiredMessageAndRequiredOneof() {
    assertThat(validator.validate(Route.getDefaultInstance()))
        .contains("Route.match: value is required")
        .anyMatch(e -> e.startsWith("Route.action: exactly one of [route, redirect,"));
  }

  @Test
  void unsetOneofMembersAreNotChecked() {
    Route r =
        Route.newBuilder()
            .setMatch(RouteMatch.newBuilder().setPrefix("/"))
            .setRoute(RouteAction.newBuilder().setCluster("c"))
            .build();
    assertThat(validator.validate(r)).isEmpty();
  }

  @Test
  void repeatedItemsAndWellKnownHeaderRegexes() {
    VirtualHost noDomains = VirtualHost.newBuilder().setName("vh").build();
    assertThat(validator.validate(noDomains))
        .containsExactly("VirtualHost.domains: value must contain at least 1 item(s)");

    VirtualHost badDomain =
        VirtualHost.newBuilder().setName("vh").addDomains("ok").addDomains("bad\nvalue").build();
    assertThat(validator.validate(badDomain))
        .containsExactly("VirtualHost.domains[1]: value must be a valid HTTP header value");

    HeaderMatcher badName =
        HeaderMatcher.newBuilder().setName("x\u0000y").setPresentMatch(true).build();
    assertThat(validator.validate(badName))
        .containsExactly("HeaderMatcher.name: value must be a valid HTTP header name");
  }

  @Test
  void anyIsUnpackedAndItsPathContinues() {
    Listener l =
        Listener.newBuilder()
            .setName("l")
            .addFilterChains(
                FilterChain.newBuilder()
                    .addFilters(
                        Filter.newBuilder()
                            .setName("hcm")
                            .setTypedConfig(Any.pack(HttpConnectionManager.getDefaultInstance()))))
            .build();
    assertThat(validator.validate(l))
        .contains(
            "Listener.filter_chains[0].filters[0].typed_config.stat_prefix:"
                + " value length must be at least 1 runes")
        .anyMatch(
            e ->
                e.startsWith("Listener.filter_chains[0].filters[0].typed_config.route_specifier:"));
  }

  @Test
  void nestedResourcesAreWalked() {
    RouteConfiguration rc =
        RouteConfiguration.newBuilder()
            .setName("80")
            .addVirtualHosts(VirtualHost.newBuilder().setName("").addDomains("*"))
            .build();
    assertThat(validator.validate(rc))
        .containsExactly(
            "RouteConfiguration.virtual_hosts[0].name: value length must be at least 1 runes");
  }

  @Test
  void unknownAnyTypeIsReported() {
    Filter f =
        Filter.newBuilder()
            .setName("x")
            .setTypedConfig(Any.newBuilder().setTypeUrl("type.googleapis.com/no.such.Type").build())
            .build();
    assertThat(validator.validate(f))
        .containsExactly("Filter.typed_config: unknown type type.googleapis.com/no.such.Type");
  }

  // ---- every rule kind, on a message built for the purpose -----------------------------------

  private static Descriptor probe;

  private static FieldDescriptorProto field(
      String name, int number, FieldDescriptorProto.Type type, FieldRules rules) {
    FieldDescriptorProto.Builder f =
        FieldDescriptorProto.newBuilder()
            .setName(name)
            .setNumber(number)
            .setType(type)
            .setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL);
    if (rules != null) {
      f.setOptions(FieldOptions.newBuilder().setExtension(Validate.rules, rules));
    }
    return f.build();
  }

  private static FieldDescriptorProto message(String name, int number, String type, FieldRules r) {
    return field(name, number, FieldDescriptorProto.Type.TYPE_MESSAGE, r).toBuilder()
        .setTypeName(type)
        .build();
  }

  /** A message type carrying one field per rule kind. */
  static synchronized Descriptor probe() throws DescriptorValidationException {
    if (probe != null) {
      return probe;
    }
    FieldRules mapRules =
        FieldRules.newBuilder()
            .setMap(
                Validate.MapRules.newBuilder()
                    .setMaxPairs(2)
                    .setKeys(
                        FieldRules.newBuilder()
                            .setString(Validate.StringRules.newBuilder().setMinLen(2)))
                    .setValues(
                        FieldRules.newBuilder()
                            .setInt32(Validate.Int32Rules.newBuilder().setGt(0).setLt(10))))
            .build();
    DescriptorProto entry =
        DescriptorProto.newBuilder()
            .setName("MEntry")
            .setOptions(MessageOptions.newBuilder().setMapEntry(true))
            .addField(field("key", 1, FieldDescriptorProto.Type.TYPE_STRING, null))
            .addField(field("value", 2, FieldDescriptorProto.Type.TYPE_INT32, null))
            .build();
    DescriptorProto msg =
        DescriptorProto.newBuilder()
            .setName("Probe")
            .addNestedType(entry)
            .addField(
                field(
                    "s",
                    1,
                    FieldDescriptorProto.Type.TYPE_STRING,
                    FieldRules.newBuilder()
                        .setString(Validate.StringRules.newBuilder().setPrefix("ab").setMaxLen(3))
                        .build()))
            .addField(
                field(
                        "r",
                        2,
                        FieldDescriptorProto.Type.TYPE_STRING,
                        FieldRules.newBuilder()
                            .setRepeated(
                                Validate.RepeatedRules.newBuilder()
                                    .setUnique(true)
                                    .setMaxItems(2)
                                    .setItems(
                                        FieldRules.newBuilder()
                                            .setString(
                                                Validate.StringRules.newBuilder().setMinLen(1))))
                            .build())
                    .toBuilder()
                    .setLabel(FieldDescriptorProto.Label.LABEL_REPEATED)
                    .build())
            .addField(
                message("m", 3, ".probe.Probe.MEntry", mapRules).toBuilder()
                    .setLabel(FieldDescriptorProto.Label.LABEL_REPEATED)
                    .build())
            .addField(
                field(
                    "u",
                    4,
                    FieldDescriptorProto.Type.TYPE_UINT64,
                    FieldRules.newBuilder()
                        .setUint64(Validate.UInt64Rules.newBuilder().addIn(1).addIn(-1L))
                        .build()))
            .addField(
                field(
                    "d",
                    5,
                    FieldDescriptorProto.Type.TYPE_DOUBLE,
                    FieldRules.newBuilder()
                        .setDouble(Validate.DoubleRules.newBuilder().setGte(0.5).setLte(1.5))
                        .build()))
            .addField(
                field(
                    "i",
                    6,
                    FieldDescriptorProto.Type.TYPE_INT32,
                    FieldRules.newBuilder()
                        .setInt32(Validate.Int32Rules.newBuilder().addNotIn(3))
                        .build()))
            .addField(
                field(
                    "b",
                    7,
                    FieldDescriptorProto.Type.TYPE_BOOL,
                    FieldRules.newBuilder()
                        .setBool(Validate.BoolRules.newBuilder().setConst(true))
                        .build()))
            .addField(
                field(
                    "y",
                    8,
                    FieldDescriptorProto.Type.TYPE_BYTES,
                    FieldRules.newBuilder()
                        .setBytes(Validate.BytesRules.newBuilder().setMinLen(2))
                        .build()))
            .addField(
                message(
                    "dur",
                    9,
                    ".google.protobuf.Duration",
                    FieldRules.newBuilder()
                        .setDuration(
                            Validate.DurationRules.newBuilder()
                                .setRequired(true)
                                .setLte(Duration.newBuilder().setSeconds(1)))
                        .build()))
            .addField(
                message(
                    "any",
                    10,
                    ".google.protobuf.Any",
                    FieldRules.newBuilder()
                        .setAny(
                            Validate.AnyRules.newBuilder()
                                .addIn("type.googleapis.com/google.protobuf.Duration"))
                        .build()))
            .addField(
                field(
                    "f",
                    11,
                    FieldDescriptorProto.Type.TYPE_FLOAT,
                    // lt < gt: the value must lie outside [1, 5]
                    FieldRules.newBuilder()
                        .setFloat(Validate.FloatRules.newBuilder().setLt(1).setGt(5))
                        .build()))
            .addField(
                field(
                        "e",
                        12,
                        FieldDescriptorProto.Type.TYPE_ENUM,
                        FieldRules.newBuilder()
                            .setEnum(
                                Validate.EnumRules.newBuilder().setDefinedOnly(true).addNotIn(2))
                            .build())
                    .toBuilder()
                    .setTypeName(".probe.Color")
                    .build())
            .addField(
                message(
                    "sv",
                    13,
                    ".google.protobuf.StringValue",
                    FieldRules.newBuilder()
                        .setString(
                            Validate.StringRules.newBuilder()
                                .setWellKnownRegex(Validate.KnownRegex.HTTP_HEADER_NAME))
                        .build()))
            .addField(
                field(
                    "uri",
                    14,
                    FieldDescriptorProto.Type.TYPE_STRING,
                    FieldRules.newBuilder()
                        .setString(
                            Validate.StringRules.newBuilder().setUri(true).setIgnoreEmpty(true))
                        .build()))
            .addField(
                message(
                    "req",
                    15,
                    ".google.protobuf.StringValue",
                    FieldRules.newBuilder()
                        .setMessage(Validate.MessageRules.newBuilder().setRequired(true))
                        .build()))
            .addField(
                field("o1", 16, FieldDescriptorProto.Type.TYPE_STRING, null).toBuilder()
                    .setOneofIndex(0)
                    .build())
            .addField(
                field("o2", 17, FieldDescriptorProto.Type.TYPE_STRING, null).toBuilder()
                    .setOneofIndex(0)
                    .build())
            .addOneofDecl(
                OneofDescriptorProto.newBuilder()
                    .setName("choice")
                    .setOptions(OneofOptions.newBuilder().setExtension(Validate.required, true)))
            .build();
    FileDescriptorProto file =
        FileDescriptorProto.newBuilder()
            .setName("probe.proto")
            .setPackage("probe")
            .setSyntax("proto3")
            .addDependency("validate/validate.proto")
            .addDependency("google/protobuf/duration.proto")
            .addDependency("google/protobuf/any.proto")
            .addDependency("google/protobuf/wrappers.proto")
            .addEnumType(
                EnumDescriptorProto.newBuilder()
                    .setName("Color")
                    .addValue(EnumValueDescriptorProto.newBuilder().setName("RED").setNumber(0))
                    .addValue(EnumValueDescriptorProto.newBuilder().setName("GREEN").setNumber(1))
                    .addValue(EnumValueDescriptorProto.newBuilder().setName("BLUE").setNumber(2)))
            .addMessageType(msg)
            .build();
    FileDescriptor fd =
        FileDescriptor.buildFrom(
            file,
            new FileDescriptor[] {
              Validate.getDescriptor(),
              DurationProto.getDescriptor(),
              AnyProto.getDescriptor(),
              com.google.protobuf.WrappersProto.getDescriptor()
            });
    probe = fd.findMessageTypeByName("Probe");
    return probe;
  }

  private static DynamicMessage.Builder validProbe() throws DescriptorValidationException {
    Descriptor d = probe();
    Descriptor entry = d.findNestedTypeByName("MEntry");
    DynamicMessage.Builder b = DynamicMessage.newBuilder(d);
    b.setField(d.findFieldByName("s"), "abc");
    b.addRepeatedField(d.findFieldByName("r"), "x");
    b.addRepeatedField(
        d.findFieldByName("m"),
        DynamicMessage.newBuilder(entry)
            .setField(entry.findFieldByName("key"), "kk")
            .setField(entry.findFieldByName("value"), 5)
            .build());
    b.setField(d.findFieldByName("u"), -1L); // 2^64-1, in the list
    b.setField(d.findFieldByName("d"), 1.0);
    b.setField(d.findFieldByName("b"), true);
    b.setField(d.findFieldByName("y"), ByteString.copyFromUtf8("yy"));
    b.setField(d.findFieldByName("dur"), Duration.newBuilder().setNanos(500_000_000).build());
    b.setField(d.findFieldByName("any"), Any.pack(Duration.getDefaultInstance()));
    b.setField(d.findFieldByName("f"), 7.0f);
    b.setField(
        d.findFieldByName("e"), d.getFile().findEnumTypeByName("Color").findValueByNumber(1));
    b.setField(d.findFieldByName("sv"), StringValue.of("x-header"));
    b.setField(d.findFieldByName("req"), StringValue.of(""));
    b.setField(d.findFieldByName("o1"), "chosen");
    return b;
  }

  @Test
  void probeWithEveryRuleSatisfiedIsValid() throws Exception {
    assertThat(validator.validate(validProbe().build())).isEmpty();
  }

  @Test
  void everyRuleKindReportsItsViolation() throws Exception {
    Descriptor d = probe();
    Descriptor entry = d.findNestedTypeByName("MEntry");
    FieldDescriptor m = d.findFieldByName("m");
    DynamicMessage.Builder b = validProbe();
    b.setField(d.findFieldByName("s"), "xyzw");
    b.addRepeatedField(d.findFieldByName("r"), "x");
    b.addRepeatedField(d.findFieldByName("r"), "");
    b.addRepeatedField(
        m,
        DynamicMessage.newBuilder(entry)
            .setField(entry.findFieldByName("key"), "k")
            .setField(entry.findFieldByName("value"), 10)
            .build());
    b.addRepeatedField(
        m,
        DynamicMessage.newBuilder(entry)
            .setField(entry.findFieldByName("key"), "kk2")
            .setField(entry.findFieldByName("value"), 1)
            .build());
    b.setField(d.findFieldByName("u"), 2L);
    b.setField(d.findFieldByName("d"), 2.0);
    b.setField(d.findFieldByName("i"), 3);
    b.setField(d.findFieldByName("b"), false);
    b.setField(d.findFieldByName("y"), ByteString.copyFromUtf8("y"));
    b.setField(d.findFieldByName("dur"), Duration.newBuilder().setSeconds(2).build());
    b.setField(d.findFieldByName("any"), Any.pack(StringValue.of("x")));
    b.setField(d.findFieldByName("f"), 3.0f);
    b.setField(
        d.findFieldByName("e"), d.getFile().findEnumTypeByName("Color").findValueByNumber(2));
    b.setField(d.findFieldByName("sv"), StringValue.of("bad header"));
    b.setField(d.findFieldByName("uri"), "not a uri");
    b.clearField(d.findFieldByName("req"));
    b.clearField(d.findFieldByName("o1"));
    List<String> errors = validator.validate(b.build());
    assertThat(errors)
        .containsExactlyInAnyOrder(
            "Probe.s: value length must be at most 3 runes",
            "Probe.s: value does not have prefix \"ab\"",
            "Probe.r: value must contain no more than 2 item(s)",
            "Probe.r[1]: repeated value must contain unique items",
            "Probe.r[2]: value length must be at least 1 runes",
            "Probe.m: value must contain no more than 2 pair(s)",
            "Probe.m[\"k\"]<key>: value length must be at least 2 runes",
            "Probe.m[\"k\"]: value must be > 0 and < 10",
            "Probe.u: value must be in list [1, 18446744073709551615]",
            "Probe.d: value must be >= 0.5 and <= 1.5",
            "Probe.i: value must not be in list [3]",
            "Probe.b: value must equal true",
            "Probe.y: value length must be at least 2 bytes",
            "Probe.dur: value must be <= 1s",
            "Probe.any: type URL type.googleapis.com/google.protobuf.StringValue must be in list"
                + " [type.googleapis.com/google.protobuf.Duration]",
            "Probe.f: value must be < 1 or > 5",
            "Probe.e: value must not be in list [2]",
            "Probe.sv: value must be a valid HTTP header name",
            "Probe.uri: value must be a valid URI",
            "Probe.req: value is required",
            "Probe.choice: exactly one of [o1, o2] is required");
  }

  @Test
  void requiredDurationAndUndefinedEnum() throws Exception {
    Descriptor d = probe();
    DynamicMessage.Builder b = validProbe();
    b.clearField(d.findFieldByName("dur"));
    b.setField(
        d.findFieldByName("e"), d.getFile().findEnumTypeByName("Color").findValueByNumber(1));
    DynamicMessage parsed =
        DynamicMessage.parseFrom(
            d,
            b.build()
                .toByteString()
                .concat(
                    // field 12 (e), varint 7: an enum number Color does not define
                    ByteString.copyFrom(new byte[] {(byte) (12 << 3), 7})));
    assertThat(validator.validate(parsed))
        .containsExactlyInAnyOrder(
            "Probe.dur: value is required",
            "Probe.e: value 7 must be one of the defined enum values");
  }
}
